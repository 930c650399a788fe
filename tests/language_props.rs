//! Property tests for the rule language: canonical text round-trips to the same rule set,
//! Chinese and English spellings agree, and no input makes the parser panic.

use proptest::prelude::*;

const STAGES: [&str; 4] = ["单品", "店铺", "cross_shop", "平台券"];

fn amount(min: u32, max: u32) -> impl Strategy<Value = (u32, String)> {
    (min..=max, 0..4u8).prop_map(|(v, style)| {
        let s = match style {
            0 => v.to_string(),
            1 => format!("¥{v}"),
            2 => format!("{v}元"),
            _ => format!("{v}.5"),
        };
        (v, s)
    })
}

fn cn_count(n: u32) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n as usize].to_string(),
        10 => "十".into(),
        11..=19 => format!("十{}", D[(n - 10) as usize]),
        _ => format!(
            "{}十{}",
            D[(n / 10) as usize],
            if n % 10 == 0 {
                ""
            } else {
                D[(n % 10) as usize]
            }
        ),
    }
}

fn count(min: u32, max: u32) -> impl Strategy<Value = String> {
    (min..=max, any::<bool>()).prop_map(|(n, cn)| if cn { cn_count(n) } else { n.to_string() })
}

fn zhe() -> impl Strategy<Value = String> {
    prop_oneof![
        (1..=9u32).prop_map(|d| format!("{d}折")),
        (1..=9u32, 1..=9u32).prop_map(|(a, b)| format!("{a}.{b}折")),
        (10..=99u32).prop_map(|d| format!("{d}折")),
        Just("半价".to_string()),
        Just("免费".to_string()),
    ]
}

fn benefit() -> impl Strategy<Value = String> {
    prop_oneof![
        (amount(100, 300), 1..50u32, any::<bool>()).prop_map(|((_, at), off, en)| if en {
            format!(
                "spend {} off {off}",
                at.trim_start_matches('¥').trim_end_matches('元')
            )
        } else {
            format!("满{at}减{off}")
        }),
        (1..5u32, 1..40u32).prop_map(|(n, step)| {
            (1..=n)
                .map(|i| format!("满{}减{}", i * step * 100, i * step * 10))
                .collect::<Vec<_>>()
                .join(" / ")
        }),
        (
            amount(100, 500),
            1..99u32,
            proptest::option::of(100..400u32)
        )
            .prop_map(|((_, step), off, cap)| {
                format!(
                    "每满{step}减{off}{}",
                    cap.map(|c| format!(" 封顶{c}")).unwrap_or_default()
                )
            }),
        (amount(1, 999), zhe()).prop_map(|((_, at), r)| format!("满{at}打{r}")),
        (count(1, 20), 1..99u32).prop_map(|(n, off)| format!("满{n}件减{off}")),
        zhe(),
        (0..=100u32).prop_map(|p| format!("pct_off {p}")),
        amount(1, 99).prop_map(|(_, a)| format!("直降{a}")),
        amount(0, 999).prop_map(|(_, a)| format!("秒杀价{a}")),
        (count(2, 9), zhe()).prop_map(|(n, r)| format!("第{n}件{r}")),
        (count(1, 5), count(1, 3)).prop_map(|(b, g)| format!("买{b}送{g}")),
        (count(1, 9), amount(1, 500)).prop_map(|(n, (_, p))| format!("{n}件{p}")),
        proptest::option::of(amount(1, 199)).prop_map(|s| match s {
            Some((_, s)) => format!("满{s}包邮"),
            None => "包邮".into(),
        }),
        amount(1, 999).prop_map(|(_, s)| format!("满{s}赠\"保温杯\"")),
        (amount(1, 50), 51..200u32, count(2, 9))
            .prop_map(|((_, p), _, n)| format!("拼团价{p} {n}人团")),
    ]
}

fn audience() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        (0..6i64, 0..6usize).prop_map(|(n, op)| format!(
            "user.level {} {n}",
            ["==", "!=", "<", "<=", ">", ">="][op]
        )),
        Just("user.new".to_string()),
        any::<bool>().prop_map(|b| format!("user.new == {b}")),
        Just("user.tags has \"vip\"".to_string()),
        Just("channel == \"app\"".to_string()),
    ];
    atom.prop_recursive(4, 16, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) or {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} or ({b})")),
            inner.prop_map(|a| format!("not ({a})")),
        ]
    })
}

fn scope() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("scope all".to_string()),
        Just("scope shop \"nike\", \"adidas\"".to_string()),
        Just("scope tag \"双11\" exclude sku \"GIFT\"".to_string()),
        Just("scope category \"鞋\" scope shop \"nike\"".to_string()),
    ]
}

fn offer(i: usize) -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        0..STAGES.len(),
        benefit(),
        scope(),
        proptest::option::of(audience()),
        proptest::option::of(-5..5i64),
        any::<bool>(),
        proptest::option::of(0..i.max(1)),
    )
        .prop_map(
            move |(coupon, stage, benefit, scope, aud, prio, excl, excludes)| {
                let mut s = format!(
                    "{} o{i} \"offer {i}\" {{\n  stage {}\n  benefit {benefit}\n  {scope}\n",
                    if coupon { "coupon" } else { "activity" },
                    STAGES[stage]
                );
                if let Some(a) = aud {
                    s += &format!("  audience {a}\n");
                }
                if let Some(p) = prio {
                    s += &format!("  priority {p}\n");
                }
                if excl {
                    s += "  exclusive\n";
                }
                if let Some(j) = excludes.filter(|&j| j < i) {
                    s += &format!("  excludes o{j}\n");
                }
                s + "}\n"
            },
        )
}

fn rule_file() -> impl Strategy<Value = String> {
    (1..8usize).prop_flat_map(|n| {
        let offers: Vec<_> = (0..n).map(offer).collect();
        (offers, 0..4usize).prop_map(|(offers, r)| {
            format!(
                "ruleset \"gen\" {{\n  rounding {}\n  stages {}\n  stage 店铺 max 2\n}}\n{}",
                ["half_up", "half_even", "down", "up"][r],
                STAGES.join(", "),
                offers.join("\n")
            )
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn canonical_text_round_trips(text in rule_file()) {
        let checked = youhui::check_rules("gen.promo", &text);
        let rules = checked.rules.unwrap_or_else(|| panic!("{}\n{text}", checked.report));
        let printed = rules.to_rule_text();
        let again = youhui::RuleSet::parse(&printed).unwrap_or_else(|e| panic!("{e}\n{printed}"));
        prop_assert_eq!(serde_json::to_string(&again).unwrap(), serde_json::to_string(&rules).unwrap());
        prop_assert_eq!(again.fingerprint(), rules.fingerprint());
        prop_assert_eq!(again.to_rule_text(), printed);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = youhui::check_rules("x.promo", &text);
    }

    #[test]
    fn mutated_rule_files_never_panic(text in rule_file(), cut in any::<prop::sample::Index>(), junk in "[{}()\"#满减折/ a-z0-9\n]{0,6}") {
        let mut at = cut.index(text.len() + 1);
        while !text.is_char_boundary(at) { at -= 1; }
        let mutated = format!("{}{junk}{}", &text[..at], &text[at..]);
        let checked = youhui::check_rules("m.promo", &mutated);
        // Every error is placed on a real line of the input.
        for d in checked.report.diagnostics() {
            prop_assert!(d.line >= 1 && d.line <= mutated.lines().count().max(1) + 1);
            let _ = d.render("m.promo");
        }
    }
}

#[test]
fn chinese_and_english_spellings_compile_identically() {
    let pairs = [
        ("满300减50", "spend 300 off 50"),
        ("每满300减50 封顶150", "every 300 off 50 cap 150"),
        ("满300打8折", "spend 300 pct_off 20"),
        ("满300享8折", "spend 300 pct_off 20"),
        ("满2件减30", "items 2 off 30"),
        ("满3件打7折", "items 3 pct_off 30"),
        ("8折", "pct_off 20"),
        ("95折", "pct_off 5"),
        ("半价", "pct_off 50"),
        ("5折", "pct_off 50"),
        ("免费", "pct_off 100"),
        ("0折", "pct_off 100"),
        ("直降20", "unit_off 20"),
        ("立减20", "unit_off 20"),
        ("特价99", "unit_price 99"),
        ("秒杀价99", "unit_price 99"),
        ("会员价99", "unit_price 99"),
        ("第2件半价", "nth 2 pct_off 50"),
        ("第二件5折", "nth 2 pct_off 50"),
        ("第3件0元", "nth 3 pct_off 100"),
        ("第二件免费", "nth 2 pct_off 100"),
        ("买一送一", "buy 1 get 1"),
        ("买2送1", "buy 2 get 1"),
        ("3件99元", "bundle 3 for 99"),
        ("99元任选3件", "bundle 3 for 99"),
        ("包邮", "free_shipping"),
        ("满99包邮", "free_shipping spend 99"),
        ("满300赠\"保温杯\"", "spend 300 gift \"保温杯\""),
        ("拼团价79 3人团", "group_price 79 size 3"),
        (
            "满1000减100 / 满2000减250",
            "spend 1000 off 100 / spend 2000 off 250",
        ),
    ];
    for (zh, en) in pairs {
        let text =
            |b: &str| format!("ruleset \"x\" {{ stages s }}\nactivity a {{ stage s benefit {b} }}");
        let a = youhui::RuleSet::parse(&text(zh)).unwrap_or_else(|e| panic!("{zh}: {e}"));
        let b = youhui::RuleSet::parse(&text(en)).unwrap_or_else(|e| panic!("{en}: {e}"));
        assert_eq!(a.offers()[0].benefit, b.offers()[0].benefit, "{zh} vs {en}");
        assert_eq!(a.offers()[0].benefit_text(), en, "{zh}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!(
        "ruleset \"x\" {{ stages s }}\ncoupon a {{ stage s benefit 8折 audience {}user.new{} }}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let checked = youhui::check_rules("deep.promo", &deep);
    assert!(checked.rules.is_none());
    assert_eq!(checked.report.diagnostics()[0].code(), "nesting_too_deep");
    let ok = format!(
        "ruleset \"x\" {{ stages s }}\ncoupon a {{ stage s benefit 8折 audience {}user.new{} }}",
        "(".repeat(youhui::limits::MAX_NESTING),
        ")".repeat(youhui::limits::MAX_NESTING)
    );
    assert!(youhui::RuleSet::parse(&ok).is_ok());
    let just_over = format!(
        "ruleset \"x\" {{ stages s }}\ncoupon a {{ stage s benefit 8折 audience {}user.new{} }}",
        "(".repeat(youhui::limits::MAX_NESTING + 1),
        ")".repeat(youhui::limits::MAX_NESTING + 1)
    );
    let checked = youhui::check_rules("deep.promo", &just_over);
    assert_eq!(checked.report.diagnostics()[0].code(), "nesting_too_deep");
}

#[test]
fn file_size_limit_just_below_and_above() {
    let header = "ruleset \"x\" { stages s }\n";
    let limit = youhui::limits::MAX_RULE_FILE_BYTES;
    // Pad with a comment to exactly the limit: accepted.
    let pad = limit - header.len() - 2;
    let at_limit = format!("{header}#{}\n", "a".repeat(pad));
    assert_eq!(at_limit.len(), limit);
    assert!(youhui::RuleSet::parse(&at_limit).is_ok());
    let over = format!("{at_limit} ");
    let checked = youhui::check_rules("big.promo", &over);
    assert_eq!(checked.report.diagnostics()[0].code(), "file_too_large");
}
