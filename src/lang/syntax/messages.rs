//! Syntax errors in plain words: what pest expected, said as a merchant would read it
//! (`expected an amount after "满", found "减"`), with hints for input-method slips.

use super::*;

/// Turns a pest error into a plain-words diagnostic. `offset` places `input` in the file.
pub(super) fn pest_error(
    input: &str,
    offset: usize,
    err: &pest::error::Error<Rule>,
) -> RawDiagnostic {
    let (pos, expected) = match err.parse_attempts() {
        Some(attempts) => {
            let pos = (offset + attempts.max_position).min(input.len());
            let after_digit = input[..pos]
                .trim_end()
                .ends_with(|c: char| c.is_ascii_digit());
            let mut fine: Vec<String> = Vec::new();
            let mut coarse: Vec<String> = Vec::new();
            for stack in attempts.call_stacks() {
                let rule = stack.deepest.get_rule().copied();
                if let Some(w) = rule
                    .and_then(describe)
                    .or_else(|| stack.parent.and_then(describe))
                {
                    if COARSE.contains(&w) {
                        coarse.push(w.to_string());
                    } else {
                        fine.push(w.to_string());
                    }
                }
            }
            let mut literals = Vec::new();
            // pest does not export its token type; its Display is the literal itself,
            // `a..b` for a character range and `BUILTIN_RULE` for a built-in class.
            for t in attempts
                .expected_tokens()
                .into_iter()
                .map(|t| t.to_string())
            {
                let class = if t == "¥" || t == "￥" || (t == "0..9" && !after_digit) {
                    Some(AN_AMOUNT)
                } else if t == "一" || t == "两" {
                    Some(A_COUNT)
                } else if OFFER_FIELDS.contains(&t.as_str()) {
                    Some(OFFER_FIELD)
                } else if HEADER_FIELDS.contains(&t.as_str()) {
                    Some(HEADER_FIELD)
                } else {
                    None
                };
                match class {
                    Some(w) => fine.push(w.to_string()),
                    None if is_noise(&t)
                        || t == "BUILTIN_RULE"
                        || (t.chars().count() > 2 && t.contains("..")) => {}
                    None => literals.push(format!("\"{t}\"")),
                }
            }
            // A literal already named inside a description (`down` in "a rounding mode
            // (half_up, half_even, down, up)") is not listed again.
            let named: Vec<&str> = fine
                .iter()
                .flat_map(|w| w.split([' ', ',', '(', ')', '`']))
                .collect();
            literals.retain(|l| !named.contains(&l.trim_matches('"')));
            let mut words = if fine.is_empty() && literals.is_empty() {
                coarse
            } else {
                fine
            };
            words.extend(literals);
            (pos, words)
        }
        None => {
            let pos = match err.location {
                InputLocation::Pos(p) => p,
                InputLocation::Span((s, _)) => s,
            };
            ((offset + pos).min(input.len()), Vec::new())
        }
    };
    let mut expected = expected;
    dedup_in_order(&mut expected);
    if expected.iter().any(|w| w == AN_AMOUNT) {
        expected.retain(|w| w != A_COUNT);
    }
    if expected
        .iter()
        .any(|w| w == OFFER_FIELD || w == HEADER_FIELD)
    {
        expected.retain(|w| !COARSE.contains(&w.as_str()));
    }
    if expected.is_empty() {
        expected.push("something else".to_string());
    }
    let (found, found_len) = found_at(input, pos);
    let after = token_before(input, pos);
    let help = slip_hint(input, pos, &expected);
    let e = SyntaxError::Expected {
        expected: join_or(&expected),
        after,
        found,
    };
    RawDiagnostic::syntax(e, Span::new(pos, pos + found_len)).with_help(help)
}

/// The likely slip behind a syntax error at `pos`: characters an input method or a word
/// processor puts in place of the ASCII ones the language wants, or a misspelt keyword.
pub(super) fn slip_hint(input: &str, pos: usize, expected: &[String]) -> Option<String> {
    let rest = &input[pos..];
    let c = rest.chars().next()?;
    let after_digit = input[..pos]
        .trim_end()
        .ends_with(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c));
    let hint = match c {
        '０'..='９' => {
            let wide: String = rest
                .chars()
                .take_while(|c| ('０'..='９').contains(c) || *c == '．')
                .collect();
            let ascii: String = wide
                .chars()
                .map(|c| match c {
                    '．' => '.',
                    d => char::from_u32(d as u32 - '０' as u32 + '0' as u32).unwrap_or(d),
                })
                .collect();
            format!("full-width digits: write {ascii}, not {wide}")
        }
        '減' => "`減` is the traditional character: write `减`".to_string(),
        '滿' => "`滿` is the traditional character: write `满`".to_string(),
        '“' | '”' | '‘' | '’' | '＂' => {
            "curly quotes: write strings in straight double quotes (\"nike\")".to_string()
        }
        '，' | '、' if after_digit => {
            "tiers are joined by `/` (满300减30 / 满500减60), not a Chinese comma".to_string()
        }
        '，' => "a Chinese comma: write an ASCII comma `,`".to_string(),
        '（' | '）' => "full-width parentheses: write `(` and `)`".to_string(),
        '：' => "a Chinese colon: the language needs no colon here".to_string(),
        _ => {
            let word = first_word(rest);
            if word.is_empty() {
                return None;
            }
            let mut known: Vec<&str> = Vec::new();
            if expected.iter().any(|w| w == OFFER_FIELD) {
                known.extend(OFFER_FIELDS);
            }
            if expected.iter().any(|w| w == HEADER_FIELD) {
                known.extend(HEADER_FIELDS);
                known.push("stage");
            }
            if expected
                .iter()
                .any(|w| w == AN_OFFER || w == "\"activity\"" || w == "\"coupon\"")
            {
                known.extend(["activity", "coupon"]);
            }
            if expected.iter().any(|w| w == THE_HEADER) {
                known.push("ruleset");
            }
            let near = crate::lang::suggest::closest(word, known, 2);
            if near.is_empty() || near.contains(&word) {
                return None;
            }
            let quoted: Vec<String> = near.iter().map(|n| format!("`{n}`")).collect();
            format!("did you mean {}?", quoted.join(" or "))
        }
    };
    Some(hint)
}

pub(super) const OFFER_FIELD: &str = "an offer field (stage, benefit, scope, exclude, valid, audience, limit, stock, exclusive, excludes, only_with, priority, threshold, deposit_window, balance_window, group_hours, title_en)";
pub(super) const HEADER_FIELD: &str = "a header field (currency, timezone, rounding, stages, stage NAME max N, refund, threshold_base)";
pub(super) const OFFER_FIELDS: [&str; 17] = [
    "stage",
    "benefit",
    "scope",
    "exclude",
    "valid",
    "audience",
    "limit",
    "stock",
    "exclusive",
    "excludes",
    "only_with",
    "priority",
    "threshold",
    "deposit_window",
    "balance_window",
    "group_hours",
    "title_en",
];
pub(super) const HEADER_FIELDS: [&str; 6] = [
    "currency",
    "timezone",
    "rounding",
    "stages",
    "refund",
    "threshold_base",
];
pub(super) const A_BENEFIT: &str =
    "a benefit phrase (满300减50, 每满300减50, 8折, 第二件半价, spend 300 off 50, ...)";
pub(super) const AN_OFFER: &str = "an offer (`activity` or `coupon`)";
pub(super) const THE_HEADER: &str = "the `ruleset \"NAME\" { ... }` header";
/// Descriptions of whole constructs: shown only when nothing more precise is known.
pub(super) const COARSE: [&str; 3] = [A_BENEFIT, AN_OFFER, THE_HEADER];

pub(super) const AN_AMOUNT: &str = "an amount";
pub(super) const A_COUNT: &str = "a count";

/// Plain words for the rules a user can be told were expected.
pub(super) fn describe(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        amount | tier_amount | reward_off => AN_AMOUNT,
        count | tier_items | item_count => A_COUNT,
        pct | reward_pct => "a percentage",
        rate | zhe | half_price | free_price | reward_rate => "a rate (8折, 95折, 半价, 免费)",
        ident => "a name",
        string | str_inner => "a quoted string",
        int | uint => "a whole number",
        datetime | window => "a date and time (YYYY-MM-DD HH:MM[:SS])",
        k_to => "`to`",
        k_max => "`max`",
        k_has => "`has`",
        header | header_entry | k_ruleset => THE_HEADER,
        offer | offer_entry | offer_kind => AN_OFFER,
        benefit | tiered | tier | every_n | free_shipping | gift | bundle | nth | buy_get
        | unit_off | unit_price | deposit | group_buy | rate_all => A_BENEFIT,
        scope_sel | scope_all | scope_dim => {
            "a scope (all, shop \"…\", category \"…\", sku \"…\", tag \"…\")"
        }
        expr | comparison | has_test | bool_test | field_path => {
            "a condition (user.level >= 2, user.new, user.tags has \"vip\", channel == \"app\")"
        }
        cmp_op => "a comparison (==, !=, <, <=, >, >=)",
        op_not => "`not`",
        op_and | op_or => "`and` or `or`",
        boolean => "true or false",
        currency_code => "a currency code (CNY)",
        tz_offset => "a timezone offset (+08:00)",
        rounding_mode => "a rounding mode (half_up, half_even, down, up)",
        refund_policy => "a refund policy (apportioned, recompute)",
        threshold_mode | mode_sequential | mode_original | mode_after => {
            "a threshold base (sequential, original, after STAGE)"
        }
        limit_kind => "per_user or per_user_qty",
        h_currency | h_timezone | h_rounding | h_stages | h_stage_max | h_refund
        | h_threshold_base | k_currency | k_timezone | k_rounding | k_stages | k_refund
        | k_threshold_base => HEADER_FIELD,
        f_stage | f_benefit | f_scope | f_exclude | f_valid | f_audience | f_limit | f_stock
        | f_exclusive | f_excludes | f_only_with | f_priority | f_threshold | f_deposit_window
        | f_balance_window | f_group_hours | f_title_en | k_stage | k_benefit | k_scope
        | k_exclude | k_valid | k_audience | k_limit | k_stock | k_exclusive | k_excludes
        | k_only_with | k_priority | k_threshold | k_deposit_window | k_balance_window
        | k_group_hours | k_title_en => OFFER_FIELD,
        EOI => "the end of the file",
        _ => return None,
    })
}

/// Tokens that only continue a number or skip layout: never worth listing.
pub(super) fn is_noise(token: &str) -> bool {
    matches!(
        token,
        " " | "\t"
            | "\r"
            | "\n"
            | "\u{3000}"
            | "\u{FEFF}"
            | "#"
            | "."
            | "元"
            | "¥"
            | "￥"
            | "-"
            | "零"
            | "一"
            | "二"
            | "两"
            | "三"
            | "四"
            | "五"
            | "六"
            | "七"
            | "八"
            | "九"
            | "十"
            | "\""
            | "\\"
    )
}

pub(super) fn dedup_in_order(v: &mut Vec<String>) {
    let mut seen = std::collections::BTreeSet::new();
    v.retain(|w| seen.insert(w.clone()));
}

pub(super) fn join_or(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

pub(super) fn char_class(c: char) -> u8 {
    if c.is_ascii_alphanumeric() || c == '_' {
        0
    } else if is_han(c) {
        1
    } else {
        2
    }
}

pub(super) fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFD)
}

/// The token at `pos` as shown in a message (a quoted word, CJK character or other
/// character; `a line break`; `the end of the file`) and its length in bytes.
pub(super) fn found_at(input: &str, pos: usize) -> (String, usize) {
    let rest = &input[pos..];
    let Some(c) = rest.chars().next() else {
        return ("the end of the file".into(), 0);
    };
    let tok: String = match char_class(c) {
        _ if c == '\n' || c == '\r' => return ("a line break".into(), 0),
        0 => rest.chars().take_while(|&c| char_class(c) == 0).collect(),
        _ => c.to_string(),
    };
    (format!("\"{tok}\""), tok.len())
}

/// The token just before `pos`, skipping layout: a word or a run of CJK characters.
pub(super) fn token_before(input: &str, pos: usize) -> Option<String> {
    let head = input[..pos].trim_end();
    let c = head.chars().next_back()?;
    let class = char_class(c);
    if class == 2 {
        return Some(c.to_string());
    }
    let tok: String = head
        .chars()
        .rev()
        .take_while(|&c| char_class(c) == class)
        .collect();
    Some(tok.chars().rev().collect())
}

// ------------------------------------------------------------------ AST building

pub(super) fn is_keyword(r: Rule) -> bool {
    use Rule::*;
    matches!(
        r,
        k_ruleset
            | k_currency
            | k_timezone
            | k_rounding
            | k_stages
            | k_stage
            | k_max
            | k_refund
            | k_threshold_base
            | k_threshold
            | k_benefit
            | k_scope
            | k_exclude
            | k_valid
            | k_to
            | k_audience
            | k_limit
            | k_stock
            | k_exclusive
            | k_excludes
            | k_only_with
            | k_priority
            | k_deposit_window
            | k_balance_window
            | k_group_hours
            | k_title_en
            | k_has
    )
}
