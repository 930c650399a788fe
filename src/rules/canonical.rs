//! The canonical form as rule text (stable, idempotent layout), the fingerprint, and the
//! formatting helpers shared by JSON and text output.
//!
//! Printing a [`RuleSet`] and parsing the text back gives the same IR; the fingerprint is the
//! FNV-1a hash of this text, so reformatting a file keeps it and any change of meaning
//! changes it.

use std::fmt::Write as _;

use crate::lang::ast::{CmpOp, ScopeSel};
use crate::money::Money;
use crate::rules::ir::*;
use crate::time::{format_offset, local_text};

/// 64-bit FNV-1a.
pub(crate) fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// An amount as written in rule text: `300`, `300.5`, `0.05`.
pub(crate) fn amount_text(m: Money) -> String {
    let s = m.to_string();
    let s = s.trim_end_matches('0');
    s.trim_end_matches('.').to_string()
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A `scope`/`exclude` selector as rule text (`shop "nike"`, `all`).
pub(crate) fn scope_sel_text(s: &ScopeSel) -> String {
    match s {
        ScopeSel::All => "all".into(),
        ScopeSel::Values(dim, vs) => term_text(dim.keyword(), vs),
    }
}

fn term_text(dim: &str, vs: &[String]) -> String {
    let vals: Vec<String> = vs.iter().map(|v| quote(v)).collect();
    format!("{dim} {}", vals.join(", "))
}

/// A benefit in its canonical English form (`spend 300 off 50 / spend 500 off 100`).
pub fn benefit_text(b: &Benefit) -> String {
    let a = |m: &Money| amount_text(*m);
    match b {
        Benefit::Tiered(Tiered { tiers }) => tiers
            .iter()
            .map(|t| {
                let at = match t.at {
                    TierAt::Spend(m) => format!("spend {}", a(&m)),
                    TierAt::Items(n) => format!("items {n}"),
                };
                match t.reward {
                    Reward::Off(m) => format!("{at} off {}", a(&m)),
                    Reward::PctOff(r) => format!("{at} pct_off {r}"),
                }
            })
            .collect::<Vec<_>>()
            .join(" / "),
        Benefit::EveryN(EveryN { step, off, cap }) => {
            let cap = cap.map(|c| format!(" cap {}", a(&c))).unwrap_or_default();
            format!("every {} off {}{cap}", a(step), a(off))
        }
        Benefit::PctOff(PctOff { rate }) => format!("pct_off {rate}"),
        Benefit::UnitOff(UnitOff { off }) => format!("unit_off {}", a(off)),
        Benefit::UnitPrice(UnitPrice { price }) => format!("unit_price {}", a(price)),
        Benefit::Nth(Nth { n, rate }) => format!("nth {n} pct_off {rate}"),
        Benefit::BuyGet(BuyGet { buy, get }) => format!("buy {buy} get {get}"),
        Benefit::Bundle(Bundle { n, price }) => format!("bundle {n} for {}", a(price)),
        Benefit::FreeShipping(FreeShipping { spend }) => match spend {
            Some(s) => format!("free_shipping spend {}", a(s)),
            None => "free_shipping".into(),
        },
        Benefit::Gift(Gift { spend, gift }) => match spend {
            Some(s) => format!("spend {} gift {}", a(s), quote(gift)),
            None => format!("gift {}", quote(gift)),
        },
        Benefit::Deposit(Deposit { deposit, worth }) => {
            format!("deposit {} worth {}", a(deposit), a(worth))
        }
        Benefit::GroupBuy(GroupBuy { price, size }) => {
            format!("group_price {} size {size}", a(price))
        }
    }
}

/// An audience predicate as rule text, with the fewest parentheses that keep its shape.
pub fn predicate_text(p: &Predicate) -> String {
    let mut s = String::new();
    write_pred(&mut s, p, 0);
    s
}

fn prec(p: &Predicate) -> u8 {
    match p {
        Predicate::Or(..) => 1,
        Predicate::And(..) => 2,
        Predicate::Not(_) => 3,
        _ => 4,
    }
}

fn write_pred(out: &mut String, p: &Predicate, min: u8) {
    let paren = prec(p) < min;
    if paren {
        out.push('(');
    }
    match p {
        Predicate::Or(a, b) | Predicate::And(a, b) => {
            let me = prec(p);
            write_pred(out, a, me);
            out.push_str(if me == 1 { " or " } else { " and " });
            // Left-associative: a right operand of the same precedence needs parentheses.
            write_pred(out, b, me + 1);
        }
        Predicate::Not(a) => {
            out.push_str("not ");
            write_pred(out, a, 3);
        }
        Predicate::Level(op, n) => {
            let _ = write!(out, "user.level {} {n}", op.symbol());
        }
        Predicate::New(true) => out.push_str("user.new"),
        Predicate::New(false) => out.push_str("user.new == false"),
        Predicate::Tag(t) => {
            let _ = write!(out, "user.tags has {}", quote(t));
        }
        Predicate::Channel(op, c) => {
            let op = if *op == CmpOp::Ne { "!=" } else { "==" };
            let _ = write!(out, "channel {op} {}", quote(c));
        }
    }
    if paren {
        out.push(')');
    }
}

fn base_text(b: ThresholdBase, stages: &[Stage]) -> String {
    match b {
        ThresholdBase::Sequential => "sequential".into(),
        ThresholdBase::Original => "original".into(),
        ThresholdBase::After(i) => {
            format!("after {}", stages.get(i).map_or("", |s| s.name.as_str()))
        }
    }
}

/// A scope as its canonical `scope`/`exclude` lines.
pub(crate) fn scope_lines(scope: &Scope) -> Vec<String> {
    let mut out = Vec::new();
    match &scope.include {
        None => out.push("scope all".to_string()),
        Some(terms) => out.extend(
            terms
                .iter()
                .map(|t| format!("scope {}", term_text(t.dim.keyword(), &t.values))),
        ),
    }
    if scope.exclude_all {
        out.push("exclude all".into());
    }
    out.extend(
        scope
            .exclude
            .iter()
            .map(|t| format!("exclude {}", term_text(t.dim.keyword(), &t.values))),
    );
    out
}

/// The whole rule set as canonical rule text.
pub(crate) fn rule_text(d: &RuleSetData) -> String {
    let mut o = String::new();
    let stage_names: Vec<&str> = d.stages.iter().map(|s| s.name.as_str()).collect();
    let _ = writeln!(o, "ruleset {} {{", quote(&d.name));
    let _ = writeln!(o, "  currency {}", d.currency);
    let _ = writeln!(o, "  timezone {}", format_offset(d.timezone));
    let _ = writeln!(o, "  rounding {}", d.rounding.keyword());
    let _ = writeln!(o, "  stages {}", stage_names.join(", "));
    for s in d.stages.iter().filter(|s| s.max != 1) {
        let _ = writeln!(o, "  stage {} max {}", s.name, s.max);
    }
    let _ = writeln!(o, "  refund {}", d.refund.keyword());
    let _ = writeln!(
        o,
        "  threshold_base {}",
        base_text(d.threshold_base, &d.stages)
    );
    o.push_str("}\n");
    let window = |w: &Window| {
        format!(
            "{} to {}",
            local_text(w.start, w.offset),
            local_text(w.end, w.offset)
        )
    };
    for off in &d.offers {
        let _ = writeln!(
            o,
            "\n{} {} {} {{",
            off.kind.keyword(),
            off.id,
            quote(&off.title)
        );
        let _ = writeln!(o, "  stage {}", off.stage_name);
        if let Some(t) = &off.title_en {
            let _ = writeln!(o, "  title_en {}", quote(t));
        }
        let _ = writeln!(o, "  benefit {}", benefit_text(&off.benefit));
        for line in scope_lines(&off.scope) {
            let _ = writeln!(o, "  {line}");
        }
        if let Some(w) = &off.valid {
            let _ = writeln!(o, "  valid {}", window(w));
        }
        if let Some(p) = &off.audience {
            let _ = writeln!(o, "  audience {}", predicate_text(p));
        }
        if let Some(n) = off.limit_per_user {
            let _ = writeln!(o, "  limit per_user {n}");
        }
        if let Some(n) = off.limit_per_user_qty {
            let _ = writeln!(o, "  limit per_user_qty {n}");
        }
        if off.stock {
            o.push_str("  stock\n");
        }
        if off.exclusive {
            o.push_str("  exclusive\n");
        }
        if !off.excludes_ids.is_empty() {
            let _ = writeln!(o, "  excludes {}", off.excludes_ids.join(", "));
        }
        if let Some(ids) = off.only_with_ids.as_ref().filter(|v| !v.is_empty()) {
            let _ = writeln!(o, "  only_with {}", ids.join(", "));
        }
        if off.priority != 0 {
            let _ = writeln!(o, "  priority {}", off.priority);
        }
        if off.threshold != d.threshold_base {
            let _ = writeln!(o, "  threshold {}", base_text(off.threshold, &d.stages));
        }
        if let Some(w) = &off.deposit_window {
            let _ = writeln!(o, "  deposit_window {}", window(w));
        }
        if let Some(w) = &off.balance_window {
            let _ = writeln!(o, "  balance_window {}", window(w));
        }
        if let Some(h) = off.group_hours {
            let _ = writeln!(o, "  group_hours {h}");
        }
        o.push_str("}\n");
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_reference_values() {
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
    }

    #[test]
    fn amounts_print_short() {
        assert_eq!(amount_text(Money(30000)), "300");
        assert_eq!(amount_text(Money(30050)), "300.5");
        assert_eq!(amount_text(Money(5)), "0.05");
        assert_eq!(amount_text(Money(0)), "0");
    }
}
