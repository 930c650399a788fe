#![allow(dead_code)] // each bench uses only some of the generators
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

/// A realistic rule file with `n` offers for quote benchmarks: item-level prices, shop
/// 满减 over a few shops, cross-shop 满减, platform coupons, one flash sale.
pub fn quote_rules(n: usize) -> String {
    let mut s = String::from(
        "ruleset \"bench\" {\n  stages 单品, 店铺, 跨店, 平台券\n  stage 店铺 max 2\n}\n\
         activity flash \"秒杀\" { stage 单品 benefit 秒杀价99 scope sku \"SKU0\" limit per_user_qty 1 stock exclusive }\n\
         activity cross \"跨店每满300减50\" { stage 跨店 benefit 每满300减50 scope tag \"双11\" }\n",
    );
    for i in 2..n {
        let shop = (i / 5) % 10;
        s += &match i % 5 {
            0 => format!("activity o{i} \"直降\" {{ stage 单品 benefit 直降{} scope sku \"SKU{}\" }}\n", 5 + i % 20, i),
            1 => format!("activity o{i} \"店铺满减\" {{ stage 店铺 benefit 满{}减{} / 满{}减{} scope shop \"shop{shop}\" }}\n", 200 + i, 20 + i % 10, 400 + i, 50 + i % 10),
            2 => format!("coupon o{i} \"店铺券\" {{ stage 店铺 benefit 满{}减{} scope shop \"shop{shop}\" audience user.level >= 1 }}\n", 100 + i, 10 + i % 10),
            3 => format!("coupon o{i} \"平台券\" {{ stage 平台券 benefit 满{}减{} excludes o{} }}\n", 300 + 10 * i, 30 + i, i - 1),
            _ => format!("activity o{i} \"第二件半价\" {{ stage 单品 benefit 第二件半价 scope sku \"SKU{}\" }}\n", i),
        };
    }
    s
}

/// A cart of `n` lines over ten shops, all tagged 双11.
pub fn cart(n: usize) -> youhui::Cart {
    youhui::Cart {
        lines: (0..n)
            .map(|i| {
                youhui::Line::new(
                    &format!("L{i}"),
                    &format!("SKU{}", i * 7 % 100),
                    &format!("shop{}", i % 10),
                    youhui::Money(5_000 + (i as i64 * 1_733) % 40_000),
                    1 + (i % 3) as u32,
                )
                .tag("双11")
            })
            .collect(),
    }
}

/// A context in the sale with stock for the flash sale.
pub fn context() -> youhui::Context {
    let mut ctx = youhui::Context {
        now: Some(1_794_362_400),
        ..youhui::Context::default()
    };
    ctx.user.level = 2;
    ctx.stock.insert("flash".into(), 100);
    ctx
}

/// A 双11 rule set with activities and a wallet of `n` coupons spread over ten shops and the
/// platform: per shop a 满减 coupon pair that exclude each other, platform coupons of
/// several sizes.
pub fn wallet_rules(n: usize) -> (String, Vec<String>) {
    let mut s = String::from(
        "ruleset \"bench\" {\n  stages 单品, 店铺, 跨店, 平台券\n  stage 店铺 max 2\n}\n\
         activity cross \"跨店每满300减50\" { stage 跨店 benefit 每满300减50 scope tag \"双11\" }\n\
         activity ship \"满99包邮\" { stage 平台券 benefit 满99包邮 }\n",
    );
    for i in 0..18 {
        s += &format!(
            "activity a{i} \"店铺满减\" {{ stage {} benefit {} scope shop \"shop{}\" }}\n",
            if i % 2 == 0 { "店铺" } else { "单品" },
            if i % 2 == 0 {
                format!("满{}减{}", 300 + 10 * i, 30 + i)
            } else {
                format!("直降{}", 5 + i)
            },
            i % 10
        );
    }
    let mut wallet = Vec::new();
    for i in 0..n {
        let id = format!("c{i}");
        s += &if i % 3 == 2 {
            format!(
                "coupon {id} \"平台券\" {{ stage 平台券 benefit 满{}减{} }}\n",
                500 + 100 * i,
                40 + 5 * i
            )
        } else {
            let shop = (i / 3) % 10;
            let excl = if i % 3 == 1 {
                format!(" excludes c{}", i - 1)
            } else {
                String::new()
            };
            format!("coupon {id} \"店铺券\" {{ stage 店铺 benefit 满{}减{} scope shop \"shop{shop}\"{excl} }}\n", 100 + 20 * i, 10 + 2 * i)
        };
        wallet.push(id);
    }
    (s, wallet)
}

/// The first coupon of a rule set, selected in quote benchmarks.
pub fn one_coupon(rules: &youhui::RuleSet) -> Vec<String> {
    rules
        .offers()
        .iter()
        .filter(|o| o.kind == youhui::model::OfferKind::Coupon)
        .take(1)
        .map(|o| o.id.clone())
        .collect()
}

/// `n` `ask` request lines (JSON): quotes of varied carts, with a can_stack and an
/// eligibility question every tenth line, as a bot would send them.
pub fn ask_lines(rules: &youhui::RuleSet, n: usize) -> Vec<String> {
    let coupons = one_coupon(rules);
    let ctx = serde_json::to_value(context()).expect("context");
    (0..n)
        .map(|i| {
            let cart = serde_json::to_value(cart(5 + i % 11)).expect("cart");
            let v = match i % 10 {
                3 => serde_json::json!({"query": "can_stack", "a": "o3", "b": "o2"}),
                7 => serde_json::json!({"query": "eligibility", "offer": "cross", "cart": cart, "context": ctx}),
                _ => serde_json::json!({"query": "quote", "cart": cart, "context": ctx, "coupons": coupons}),
            };
            v.to_string()
        })
        .collect()
}

/// `matching` shop 满减 activities over the cart's shops, plus `extra` for shops no cart has.
pub fn unmatched_rules(matching: usize, extra: usize) -> String {
    let mut s = String::from("ruleset \"bench\" {\n  stages 店铺\n  stage 店铺 max 1000\n}\n");
    for i in 0..matching {
        s += &format!(
            "activity m{i} \"店铺满减\" {{ stage 店铺 benefit 满{}减{} scope shop \"shop{}\" }}\n",
            200 + i,
            20 + i % 10,
            i % 10
        );
    }
    for i in 0..extra {
        s += &format!(
            "activity x{i} \"别家满减\" {{ stage 店铺 benefit 满{}减{} scope shop \"other{i}\" }}\n",
            200 + i,
            20 + i % 10
        );
    }
    s
}

/// A realistic 双11 wallet: `n` coupons (shop, category and platform coupons) and 20
/// activities (直降 on distinct SKUs, one 满减 per shop, cross-shop 每满300减50, free
/// shipping). As shops configure them, one shop coupon per shop, one category coupon per
/// category and one platform coupon per order (they exclude each other); a shop coupon
/// shares its lines with the shop's 满减 (`stage 店铺 max 2`).
pub fn real_wallet(n: usize) -> (String, Vec<String>) {
    let mut s = String::from(
        "ruleset \"双11\" {\n  stages 单品, 店铺, 跨店, 品类券, 平台券\n  stage 店铺 max 2\n}\n\
         activity cross \"跨店每满300减50\" { stage 跨店 benefit 每满300减50 scope tag \"双11\" }\n\
         activity ship \"满99包邮\" { stage 平台券 benefit 满99包邮 }\n",
    );
    for i in 0..10 {
        s += &format!(
            "activity d{i} \"直降\" {{ stage 单品 benefit 直降{} scope sku \"SKU{}\" }}\n",
            5 + 3 * i,
            i * 7 % 100
        );
    }
    for k in 0..8 {
        s += &format!(
            "activity s{k} \"店铺满减\" {{ stage 店铺 benefit 满{}减{} / 满{}减{} scope shop \"shop{k}\" }}\n",
            200 + 20 * k,
            20 + 2 * k,
            500 + 50 * k,
            60 + 5 * k
        );
    }
    let mut wallet = Vec::new();
    let shop_of = |i: usize, k: usize| (k / 2 + 3 * (i / 10)) % 10;
    let ids = |pick: &dyn Fn(usize) -> bool, below: usize| -> Vec<String> {
        (0..below)
            .filter(|&j| pick(j))
            .map(|j| format!("c{j}"))
            .collect()
    };
    for i in 0..n {
        let id = format!("c{i}");
        let excludes = |list: Vec<String>| {
            if list.is_empty() {
                String::new()
            } else {
                format!(" excludes {}", list.join(", "))
            }
        };
        s += &match i % 10 {
            // Category coupons: one per category and order.
            7 | 8 => format!(
                "coupon {id} \"品类券\" {{ stage 品类券 benefit 满{}减{} scope category \"cat{}\"{} }}\n",
                150 + 10 * i,
                15 + i,
                i % 5,
                excludes(ids(&|j| matches!(j % 10, 7 | 8) && j % 5 == i % 5, i))
            ),
            // Platform coupons: one per order.
            9 => format!(
                "coupon {id} \"平台券\" {{ stage 平台券 benefit 满{}减{}{} }}\n",
                800 + 100 * i,
                50 + 4 * i,
                excludes(ids(&|j| j % 10 == 9, i))
            ),
            // Shop coupons: one per shop and order.
            k => {
                let shop = shop_of(i, k);
                format!(
                    "coupon {id} \"店铺券\" {{ stage 店铺 benefit 满{}减{} scope shop \"shop{shop}\"{} }}\n",
                    100 + 30 * (i % 7),
                    10 + 4 * (i % 7),
                    excludes(ids(&|j| j % 10 < 7 && shop_of(j, j % 10) == shop, i))
                )
            }
        };
        wallet.push(id);
    }
    (s, wallet)
}

/// A cart of `n` lines over ten shops and five categories, all tagged 双11.
pub fn real_cart(n: usize) -> youhui::Cart {
    let mut cart = cart(n);
    for (i, l) in cart.lines.iter_mut().enumerate() {
        l.category = format!("cat{}", i % 5);
    }
    cart
}
