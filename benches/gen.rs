//! Generated rule files shared by the benchmarks.

/// A rule file with `n` offers mixing every benefit form, scopes, audiences and coupons.
pub fn rule_file(n: usize) -> String {
    let mut s = String::from(
        "ruleset \"bench\" {\n  stages 单品, 店铺, 跨店, 平台券\n  stage 店铺 max 2\n}\n",
    );
    let benefits = [
        "满300减50 / 满500减100",
        "每满300减50 封顶150",
        "95折",
        "直降20",
        "秒杀价99",
        "第二件半价",
        "买一送一",
        "3件99元",
        "满99包邮",
        "满3件打7折",
        "spend 1000 off 100 / spend 2000 off 250",
    ];
    let stages = ["单品", "店铺", "跨店", "平台券"];
    for i in 0..n {
        let kind = if i % 3 == 0 { "coupon" } else { "activity" };
        s += &format!(
            "{kind} o{i} \"offer {i}\" {{\n  stage {}\n  benefit {}\n  scope shop \"shop{}\"\n  exclude sku \"GIFT-{i}\"\n  valid 2026-11-11 00:00 to 2026-11-11 23:59:59\n  audience user.level >= {} and channel == \"app\"\n  priority {}\n}}\n",
            stages[i % 4],
            benefits[i % benefits.len()],
            i % 50,
            i % 4,
            i % 7
        );
    }
    s
}
