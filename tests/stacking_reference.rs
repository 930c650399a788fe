//! A brute-force reference of the stacking choice (semantics.md, "Stacking" and "Order of
//! application"), compared with the engine's `quote` on small generated cases.
//!
//! The reference knows nothing of the crate's internals. For a rule set it
//! 1. takes the candidates (activities and selected coupons with a line in scope);
//! 2. enumerates every conflict-free set that is maximal (no candidate left out could be
//!    added without an `excludes` conflict);
//! 3. for each such set and each line, enumerates every maximal keeper set among the set's
//!    offers having the line in scope: pairwise compatible (neither `exclusive`, each one's
//!    `only_with`, if any, names the other), at most the stage's `max` of each stage, and no
//!    further offer of those could be added (so an uncontested line goes to all of them);
//! 4. prices every combination by writing a second rule set in which each offer keeps its
//!    stage, benefit and priority, its scope is `scope sku` of exactly the lines it keeps
//!    (offers keeping nothing are dropped), `exclusive`/`only_with`/`excludes` are gone and
//!    every stage's `max` is the number of offers, so nothing contests there; its quote gives
//!    the payable, each line's payable and the offers that applied (threshold met);
//! 5. takes the minimum of the key below and compares it with the engine's quote of the
//!    original rule set: payable, per-line payables and the set of applied offers.
//!
//! The key (semantics.md: "the lowest payable; ties: the larger sum of `priority` over the
//! offers that applied, then fewer applied offers, then, line by line in cart order, the
//! keepers that come first in declaration order"), in this reading:
//! `(payable, -Σ priority over applied offers, number of applied offers, keepers)` compared
//! lexicographically, where `keepers` is, for each line in cart order, the list of the
//! offers keeping it sorted by declaration order, and two such lists of lists compare
//! lexicographically: the first line whose keepers differ decides, and there the list whose
//! first differing offer is declared earlier comes first (a list that is a prefix of the
//! other comes first). Maximal keeper sets of one conflict-free set never contain one
//! another, so the prefix rule only matters between different conflict-free sets; it is our
//! reading of "come first", the order of dictionary words.
//!
//! Disagreements are classified (see [`Kind`]). Environment variables:
//! - `YOUHUI_REF_CASES=n` (or `PROPTEST_CASES`): the proptest runs `n` cases (default 200,
//!   about 10 s in release mode when they agree);
//! - `PROPTEST_MAX_SHRINK_TIME=ms`: how long a failure may shrink (default 20 s);
//! - `YOUHUI_REF_KIND=<kind>`: the proptest only fails on that kind ([`Kind::name`]), so
//!   proptest shrinks to a minimal case of it;
//! - `YOUHUI_REF_LINES=n`: generated carts have up to `n` lines (default 5); of the cases
//!   the reference skips, the survey counts those the engine does not prove optimal;
//! - `YOUHUI_REF_LIMIT=n`: a case with more than `n` choices is skipped (default 20,000);
//! - `YOUHUI_REF_SURVEY=n`: `survey_disagreements` runs `n` cases without failing and prints
//!   the tally and the two smallest cases of each kind
//!   (`cargo test --release --test stacking_reference survey -- --nocapture`).
//!
//! Tests marked `FAILED BEFORE THE TWO-PASS SEARCH` failed at commits bd31fb9 and 07a10a5,
//! before the exact search learned the spec's tie-breaks (at 07a10a5, of 2,000 generated
//! cases 1,936 agreed and 47 disagreed: 22 `payable`, 8 `applied`, 17 `keepers`; `panic`
//! about once in 3,000). Since then every test here passes and 3,500 generated cases all
//! agreed.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
mod common;

use common::outcome::{ctx, Outcome};
use youhui::{Cart, Line, Money, Quote, RuleSet};

const STAGES: [&str; 2] = ["a", "b"];

/// How an offer stacks on a line.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Stack {
    Plain,
    Exclusive,
    /// Indices of the offers named by `only_with` (never empty after [`Case::normalize`]).
    OnlyWith(Vec<usize>),
}

#[derive(Clone, Debug)]
struct Offer {
    coupon: bool,
    /// For a coupon: whether the quote selects it.
    selected: bool,
    stage: usize,
    benefit: String,
    /// `None`: `scope all`; otherwise `scope sku` of these line indices (S1 is line 0;
    /// indices past the cart name SKUs that are not in it).
    scope: Option<Vec<usize>>,
    stack: Stack,
    /// Indices of the offers this one `excludes` (symmetric in the semantics).
    excludes: Vec<usize>,
    priority: i64,
}

#[derive(Clone, Debug)]
struct Case {
    /// Per stage, in header order: its per-line `max`.
    stages: Vec<u32>,
    offers: Vec<Offer>,
    /// (unit price in cents, qty); line `i` is `L{i+1}` with SKU `S{i+1}`.
    lines: Vec<(i64, u32)>,
}

fn id(o: usize) -> String {
    format!("o{}", o + 1)
}

fn index_of(id: &str) -> usize {
    id[1..].parse::<usize>().expect("offer ID o<n>") - 1
}

fn sku(l: usize) -> String {
    format!("S{}", l + 1)
}

fn bits(set: u64) -> impl Iterator<Item = usize> {
    (0..64).filter(move |b| set & (1 << b) != 0)
}

fn scope_sku(lines: impl Iterator<Item = usize>) -> String {
    let skus: Vec<String> = lines.map(|l| format!("\"{}\"", sku(l))).collect();
    format!(" scope sku {}", skus.join(", "))
}

impl Case {
    /// Drops references to missing offers or to the offer itself, and `only_with` entries
    /// naming an offer in an `excludes` relation with it (a check error); maps stage
    /// indices onto the declared stages.
    fn normalize(mut self) -> Case {
        let n = self.offers.len();
        let stages = self.stages.len();
        for (i, o) in self.offers.iter_mut().enumerate() {
            o.stage %= stages;
            o.excludes.retain(|&j| j < n && j != i);
            o.excludes.sort_unstable();
            o.excludes.dedup();
        }
        for i in 0..n {
            if let Stack::OnlyWith(names) = &self.offers[i].stack {
                let mut names = names.clone();
                names.retain(|&j| {
                    j < n
                        && j != i
                        && !self.offers[i].excludes.contains(&j)
                        && !self.offers[j].excludes.contains(&i)
                });
                names.sort_unstable();
                names.dedup();
                self.offers[i].stack = if names.is_empty() {
                    Stack::Plain
                } else {
                    Stack::OnlyWith(names)
                };
            }
        }
        self
    }

    /// The header; `max_all` sets every stage's `max`.
    fn header(&self, max_all: Option<usize>) -> String {
        let mut s = String::from("ruleset \"ref\" {\n  stages ");
        s += &STAGES[..self.stages.len()].join(", ");
        s += "\n";
        for (k, &max) in self.stages.iter().enumerate() {
            match max_all {
                Some(m) => {
                    let _ = writeln!(s, "  stage {} max {m}", STAGES[k]);
                }
                None if max != 1 => {
                    let _ = writeln!(s, "  stage {} max {max}", STAGES[k]);
                }
                None => {}
            }
        }
        s += "}\n";
        s
    }

    fn offer_head(&self, i: usize) -> String {
        let o = &self.offers[i];
        format!(
            "{} {} \"{}\" {{ stage {} benefit {}",
            if o.coupon { "coupon" } else { "activity" },
            id(i),
            id(i),
            STAGES[o.stage],
            o.benefit
        )
    }

    /// The rule set as written.
    fn text(&self) -> String {
        let mut s = self.header(None);
        for (i, o) in self.offers.iter().enumerate() {
            s += &self.offer_head(i);
            match &o.scope {
                None => s += " scope all",
                Some(skus) => s += &scope_sku(skus.iter().copied()),
            }
            if o.priority != 0 {
                let _ = write!(s, " priority {}", o.priority);
            }
            match &o.stack {
                Stack::Plain => {}
                Stack::Exclusive => s += " exclusive",
                Stack::OnlyWith(names) => {
                    let names: Vec<String> = names.iter().map(|&j| id(j)).collect();
                    let _ = write!(s, " only_with {}", names.join(", "));
                }
            }
            if !o.excludes.is_empty() {
                let names: Vec<String> = o.excludes.iter().map(|&j| id(j)).collect();
                let _ = write!(s, " excludes {}", names.join(", "));
            }
            s += " }\n";
        }
        s
    }

    /// The rule set pricing one choice: `keeps[o]` is the bit set of the lines `o` keeps.
    fn choice_text(&self, keeps: &[u64]) -> String {
        let mut s = self.header(Some(self.offers.len().max(1)));
        for (i, o) in self.offers.iter().enumerate() {
            if keeps[i] == 0 {
                continue;
            }
            s += &self.offer_head(i);
            s += &scope_sku(bits(keeps[i]));
            if o.priority != 0 {
                let _ = write!(s, " priority {}", o.priority);
            }
            s += " }\n";
        }
        s
    }

    fn cart(&self) -> Cart {
        Cart {
            lines: self
                .lines
                .iter()
                .enumerate()
                .map(|(l, &(price, qty))| {
                    Line::new(&format!("L{}", l + 1), &sku(l), "shop", Money(price), qty)
                })
                .collect(),
        }
    }

    fn selected(&self) -> Vec<String> {
        (0..self.offers.len())
            .filter(|&o| self.offers[o].coupon && self.offers[o].selected)
            .map(id)
            .collect()
    }

    fn describe(&self) -> String {
        let mut s = self.text();
        s += "cart:";
        for (l, &(price, qty)) in self.lines.iter().enumerate() {
            let _ = write!(s, " L{}/{} {} x{qty};", l + 1, sku(l), Money(price));
        }
        let sel = self.selected();
        if !sel.is_empty() {
            let _ = write!(s, " selected coupons: {}", sel.join(", "));
        }
        s
    }

    fn in_scope(&self, o: usize, l: usize) -> bool {
        self.offers[o].scope.as_ref().is_none_or(|v| v.contains(&l))
    }

    fn candidate(&self, o: usize) -> bool {
        let off = &self.offers[o];
        (!off.coupon || off.selected) && (0..self.lines.len()).any(|l| self.in_scope(o, l))
    }

    fn excludes(&self, a: usize, b: usize) -> bool {
        self.offers[a].excludes.contains(&b) || self.offers[b].excludes.contains(&a)
    }

    /// Whether `a`'s own declaration lets it share a line with `b`.
    fn accepts(&self, a: usize, b: usize) -> bool {
        match &self.offers[a].stack {
            Stack::Plain => true,
            Stack::Exclusive => false,
            Stack::OnlyWith(names) => names.contains(&b),
        }
    }

    fn compatible(&self, a: usize, b: usize) -> bool {
        self.accepts(a, b) && self.accepts(b, a)
    }

    /// Whether the offers of `set` (a bit set) may all keep one line.
    fn may_share(&self, set: u64) -> bool {
        let members: Vec<usize> = bits(set).collect();
        let mut per_stage = vec![0u32; self.stages.len()];
        for &o in &members {
            per_stage[self.offers[o].stage] += 1;
        }
        per_stage.iter().zip(&self.stages).all(|(n, max)| n <= max)
            && members
                .iter()
                .enumerate()
                .all(|(i, &a)| members[i + 1..].iter().all(|&b| self.compatible(a, b)))
    }

    /// Two selected coupons that exclude each other, both with a line in scope: an error.
    fn coupon_clash(&self) -> bool {
        let cands: Vec<usize> = (0..self.offers.len())
            .filter(|&o| self.candidate(o) && self.offers[o].coupon)
            .collect();
        cands
            .iter()
            .any(|&a| cands.iter().any(|&b| a < b && self.excludes(a, b)))
    }
}

impl Outcome {
    fn priority(&self, case: &Case) -> i64 {
        self.applied
            .iter()
            .map(|a| case.offers[index_of(a)].priority)
            .sum()
    }

    fn show(&self, case: &Case) -> String {
        let lines: Vec<String> = self.lines.iter().map(|&p| Money(p).to_string()).collect();
        let applied: Vec<&str> = self.applied.iter().map(String::as_str).collect();
        format!(
            "payable {} lines [{}] applied {{{}}} (priority sum {}, {} applied)",
            Money(self.payable),
            lines.join(", "),
            applied.join(", "),
            self.priority(case),
            self.applied.len()
        )
    }
}

/// Per line in cart order: the offers keeping it, in declaration order.
type Keepers = Vec<Vec<usize>>;

/// `(payable, -priority sum, applied count, keepers)`: lower is better.
type Key = (i64, Reverse<i64>, usize, Keepers);

/// The spec's choice for a case.
struct Reference {
    outcome: Outcome,
    key: Key,
    /// Every priced choice: its keepers and outcome, to tell whether (and how) the engine's
    /// answer is one of the allowed choices.
    priced: Vec<(Keepers, Outcome)>,
    choices: usize,
}

fn env_usize(name: &str) -> Option<usize> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

fn choice_limit() -> usize {
    env_usize("YOUHUI_REF_LIMIT").unwrap_or(20_000)
}

/// The maximal keeper sets (bit sets of offers) of a line among `here`, the offers of a
/// conflict-free set having it in scope.
fn keeper_options(case: &Case, here: u64) -> Vec<u64> {
    let mut opts = Vec::new();
    // Every subset of `here`.
    let mut sub = here;
    loop {
        if case.may_share(sub) && bits(here & !sub).all(|x| !case.may_share(sub | (1 << x))) {
            opts.push(sub);
        }
        if sub == 0 {
            break;
        }
        sub = (sub - 1) & here;
    }
    opts
}

/// Prices one choice (`keeps[o]`: the lines offer `o` keeps) with a rule set in which
/// nothing contests.
fn price(case: &Case, cart: &Cart, keeps: &[u64]) -> Outcome {
    let text = case.choice_text(keeps);
    let rules = RuleSet::parse(&text)
        .unwrap_or_else(|e| panic!("the rules of a choice do not parse: {e}\n{text}"));
    let selected: Vec<String> = case
        .selected()
        .into_iter()
        .filter(|c| keeps[index_of(c)] != 0)
        .collect();
    let q = rules
        .quote(cart, &ctx(), &selected)
        .unwrap_or_else(|e| panic!("the quote of a choice failed: {e}\n{text}"));
    Outcome::of(&q)
}

/// Per maximal conflict-free set: per line, its keeper options (bit sets of offers).
fn choice_space(case: &Case) -> Vec<Vec<Vec<u64>>> {
    let n_off = case.offers.len();
    let n_lines = case.lines.len();
    let cands: Vec<usize> = (0..n_off).filter(|&o| case.candidate(o)).collect();
    // Maximal conflict-free sets, as bit sets of offers.
    let mut sets: Vec<u64> = Vec::new();
    for mask in 0u64..(1 << cands.len()) {
        let members: Vec<usize> = bits(mask).map(|k| cands[k]).collect();
        let free = members
            .iter()
            .enumerate()
            .all(|(i, &a)| members[i + 1..].iter().all(|&b| !case.excludes(a, b)));
        let maximal = cands
            .iter()
            .filter(|c| !members.contains(c))
            .all(|&c| members.iter().any(|&m| case.excludes(c, m)));
        if free && maximal {
            sets.push(members.iter().fold(0, |s, &o| s | (1 << o)));
        }
    }
    sets.iter()
        .map(|&set| {
            (0..n_lines)
                .map(|l| {
                    let here = bits(set)
                        .filter(|&o| case.in_scope(o, l))
                        .fold(0u64, |s, o| s | (1 << o));
                    keeper_options(case, here)
                })
                .collect()
        })
        .collect()
}

/// The number of combinations of a set's keeper options (`None` on overflow).
fn combinations(options: &[Vec<u64>]) -> Option<usize> {
    options
        .iter()
        .try_fold(1usize, |acc, o| acc.checked_mul(o.len()))
}

/// The spec's choice by brute force, or `None` when the case has more than `limit` choices.
fn reference(case: &Case, limit: usize) -> Option<Reference> {
    let n_off = case.offers.len();
    let n_lines = case.lines.len();
    let per_set = choice_space(case);
    let mut total: usize = 0;
    for options in &per_set {
        total = total.checked_add(combinations(options)?)?;
        if total > limit {
            return None;
        }
    }
    let cart = case.cart();
    // Choices with the same lines kept by every offer are the same choice for pricing.
    let mut cache: HashMap<Vec<u64>, Outcome> = HashMap::new();
    let mut best: Option<(Key, Vec<u64>)> = None;
    for options in &per_set {
        let mut pick = vec![0usize; n_lines];
        loop {
            let mut keeps = vec![0u64; n_off];
            let mut keepers: Keepers = Vec::with_capacity(n_lines);
            for (l, opts) in options.iter().enumerate() {
                let k = opts[pick[l]];
                for o in bits(k) {
                    keeps[o] |= 1 << l;
                }
                keepers.push(bits(k).collect());
            }
            let outcome = cache
                .entry(keeps.clone())
                .or_insert_with(|| price(case, &cart, &keeps));
            let key: Key = (
                outcome.payable,
                Reverse(outcome.priority(case)),
                outcome.applied.len(),
                keepers,
            );
            if best.as_ref().is_none_or(|(b, _)| key < *b) {
                best = Some((key, keeps));
            }
            // The next combination.
            let mut l = 0;
            while l < n_lines {
                pick[l] += 1;
                if pick[l] < options[l].len() {
                    break;
                }
                pick[l] = 0;
                l += 1;
            }
            if l == n_lines {
                break;
            }
        }
    }
    let (key, keeps) = best.expect("at least one choice");
    let outcome = cache[&keeps].clone();
    let priced = cache
        .into_iter()
        .map(|(keeps, o)| {
            let keepers = (0..n_lines)
                .map(|l| (0..n_off).filter(|&k| keeps[k] & (1 << l) != 0).collect())
                .collect();
            (keepers, o)
        })
        .collect();
    Some(Reference {
        outcome,
        key,
        priced,
        choices: total,
    })
}

/// How the engine's answer differs from the spec's choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Kind {
    /// The engine pays more than the spec's choice.
    LowerPayableMissed,
    /// Same payable, smaller priority sum over the applied offers.
    PriorityTieBreak,
    /// Same payable and priority sum, more applied offers.
    FewerApplied,
    /// Same payable, priority sum and number of applied offers, but other per-line payables
    /// or applied offers: the keepers tie-break.
    KeepersOrder,
    /// The engine's answer beats the spec's best choice, or ties its key without being the
    /// outcome of any allowed choice.
    NotAChoice,
    /// The engine returned an error, or none for selected coupons that exclude each other.
    EngineError,
    /// The engine panicked.
    EnginePanic,
    /// The engine's choice is right but it says `"optimal": false`: every case here has few
    /// enough combinations for the engine to price them all.
    Unproven,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::LowerPayableMissed => "payable",
            Kind::PriorityTieBreak => "priority",
            Kind::FewerApplied => "applied",
            Kind::KeepersOrder => "keepers",
            Kind::NotAChoice => "not_a_choice",
            Kind::EngineError => "error",
            Kind::EnginePanic => "panic",
            Kind::Unproven => "unproven",
        }
    }
}

enum Verdict {
    /// With the number of choices.
    Agree(usize),
    /// Too many choices for the reference; whether the engine said `"optimal": true`.
    Skipped {
        proven: bool,
    },
    Disagree(Kind, String),
}

fn keepers_text(keepers: &[Vec<usize>]) -> String {
    let per_line: Vec<String> = keepers
        .iter()
        .enumerate()
        .map(|(l, k)| {
            let ids: Vec<String> = k.iter().map(|&o| id(o)).collect();
            format!("L{}: {{{}}}", l + 1, ids.join(", "))
        })
        .collect();
    per_line.join("; ")
}

fn engine_quote(case: &Case) -> Result<Result<Quote, youhui::Error>, String> {
    let text = case.text();
    let rules = RuleSet::parse(&text)
        .unwrap_or_else(|e| panic!("generated rules do not parse: {e}\n{text}"));
    let cart = case.cart();
    let selected = case.selected();
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rules.quote(&cart, &ctx(), &selected)
    }))
    .map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
            .unwrap_or_default()
    })
}

fn check(case: &Case, limit: usize) -> Verdict {
    let quote = match engine_quote(case) {
        Ok(q) => q,
        Err(what) => {
            return Verdict::Disagree(
                Kind::EnginePanic,
                format!("{}\nengine panicked: {what}", case.describe()),
            )
        }
    };
    if case.coupon_clash() {
        return match quote {
            Err(_) => Verdict::Agree(0),
            Ok(q) => Verdict::Disagree(
                Kind::EngineError,
                format!(
                    "{}\nselected coupons exclude each other: expected an error, engine: {}",
                    case.describe(),
                    Outcome::of(&q).show(case)
                ),
            ),
        };
    }
    let quote = match quote {
        Ok(q) => q,
        Err(e) => {
            return Verdict::Disagree(
                Kind::EngineError,
                format!("{}\nengine error: {e}", case.describe()),
            )
        }
    };
    let Some(r) = reference(case, limit) else {
        return Verdict::Skipped {
            proven: quote.optimal,
        };
    };
    let engine = Outcome::of(&quote);
    if engine == r.outcome {
        if !quote.optimal {
            return Verdict::Disagree(
                Kind::Unproven,
                format!(
                    "{}\nthe engine's choice is the spec's but not proven ({} choices)",
                    case.describe(),
                    r.choices
                ),
            );
        }
        return Verdict::Agree(r.choices);
    }
    let spec = &r.outcome;
    let (ep, sp) = (engine.priority(case), spec.priority(case));
    let (ea, sa) = (engine.applied.len(), spec.applied.len());
    // The first keepers (in the key's order) among the allowed choices giving the engine's
    // answer.
    let engine_keepers = r
        .priced
        .iter()
        .filter(|(_, o)| *o == engine)
        .map(|(k, _)| k)
        .min();
    let kind = if engine.payable > spec.payable {
        Kind::LowerPayableMissed
    } else if (engine.payable, Reverse(ep), ea) < (r.key.0, r.key.1, r.key.2) {
        Kind::NotAChoice
    } else if ep < sp {
        Kind::PriorityTieBreak
    } else if ea > sa {
        Kind::FewerApplied
    } else if engine_keepers.is_none() {
        Kind::NotAChoice
    } else {
        Kind::KeepersOrder
    };
    let msg = format!(
        "{}\n{} choices\nspec:   {}\n        keepers {}\nengine: {}\n        {}",
        case.describe(),
        r.choices,
        spec.show(case),
        keepers_text(&r.key.3),
        engine.show(case),
        engine_keepers.map_or(
            "(no allowed choice gives the engine's answer)".to_string(),
            |k| format!(
                "keepers {} (the first allowed choice giving this answer)",
                keepers_text(k)
            )
        )
    );
    Verdict::Disagree(kind, msg)
}

// ------------------------------------------------------------------------- generation

fn benefit() -> impl Strategy<Value = String> {
    prop_oneof![
        (1..=50u32).prop_map(|n| format!("直降{n}")),
        (1..=3u32, 5..=20u32, 1..=4u32).prop_map(|(tiers, step, off)| {
            (1..=tiers)
                .map(|i| format!("满{}减{}", i * step * 10, i * off * 5))
                .collect::<Vec<_>>()
                .join(" / ")
        }),
        (5..=30u32, 1..=9u32).prop_map(|(x, y)| format!("每满{}减{}", x * 10, y * 5)),
        (1..=40u32, 5..=9u32).prop_map(|(x, r)| format!("满{}打{r}折", x * 10)),
        (5..=9u32).prop_map(|r| format!("{r}折")),
        Just("买一送一".to_string()),
        Just("第2件半价".to_string()),
        (1..=30u32).prop_map(|n| format!("特价{}", n * 10)),
        (2..=3u32, 5..=30u32).prop_map(|(n, p)| format!("{n}件{}元", p * 10)),
    ]
}

fn offer() -> impl Strategy<Value = Offer> {
    offer_over(6)
}

/// An offer whose `scope sku`, when it has one, names SKUs among the first `skus`.
fn offer_over(skus: usize) -> impl Strategy<Value = Offer> {
    (
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.8),
        0..2usize,
        benefit(),
        prop::option::weighted(0.4, prop::collection::vec(0..skus, 1..=3)),
        prop_oneof![
            6 => Just(Stack::Plain),
            1 => Just(Stack::Exclusive),
            1 => prop::collection::vec(0..8usize, 1..=2).prop_map(Stack::OnlyWith),
        ],
        prop::option::weighted(0.2, 0..8usize),
        prop_oneof![3 => Just(0i64), 1 => -2..=3i64],
    )
        .prop_map(
            |(coupon, selected, stage, benefit, scope, stack, excludes, priority)| Offer {
                coupon,
                selected,
                stage,
                benefit,
                scope: scope.map(|mut v| {
                    v.sort_unstable();
                    v.dedup();
                    v
                }),
                stack,
                excludes: excludes.into_iter().collect(),
                priority,
            },
        )
}

fn case() -> impl Strategy<Value = Case> {
    (
        any::<bool>(),
        1..=2u32,
        1..=2u32,
        // Offers, each maybe taking its benefit from a shared pool: equal benefits make the
        // ties that the tie-breaks decide.
        prop::collection::vec((offer(), prop::option::weighted(0.35, 0..2usize)), 2..=8),
        prop::collection::vec(benefit(), 2),
        prop::collection::vec(
            (
                prop_oneof![
                    2 => prop::sample::select(vec![5_000i64, 10_000, 20_000]),
                    3 => 1_000..=30_000i64,
                ],
                1..=3u32,
            ),
            1..=max_lines(),
        ),
    )
        .prop_map(|(two, max_a, max_b, offers, pool, lines)| {
            let stages = if two { vec![max_a, max_b] } else { vec![max_a] };
            let offers = offers
                .into_iter()
                .map(|(mut o, copy)| {
                    if let Some(k) = copy {
                        o.benefit.clone_from(&pool[k]);
                    }
                    o
                })
                .collect();
            Case {
                stages,
                offers,
                lines,
            }
            .normalize()
        })
}

fn env_u32(name: &str) -> Option<u32> {
    env_usize(name).map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

/// `YOUHUI_REF_LINES` (default 5): the most lines a generated cart has.
fn max_lines() -> usize {
    env_usize("YOUHUI_REF_LINES").unwrap_or(5).clamp(1, 16)
}

/// `YOUHUI_REF_CASES` (or proptest's own `PROPTEST_CASES`), default 200.
fn cases() -> u32 {
    env_u32("YOUHUI_REF_CASES")
        .or_else(|| env_u32("PROPTEST_CASES"))
        .unwrap_or(200)
}

/// Shrinking prices every candidate case by brute force again: 20 s unless
/// `PROPTEST_MAX_SHRINK_TIME` (milliseconds) says otherwise.
fn shrink_time() -> u32 {
    env_u32("PROPTEST_MAX_SHRINK_TIME").unwrap_or(20_000)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        max_shrink_time: shrink_time(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// The engine's choice is the spec's choice. It failed before the two-pass search (see the module doc).
    #[test]
    fn engine_choice_is_the_reference_choice(case in case()) {
        let only = std::env::var("YOUHUI_REF_KIND").ok();
        if let Verdict::Disagree(kind, msg) = check(&case, choice_limit()) {
            if only.as_deref().is_none_or(|k| k == kind.name()) {
                return Err(TestCaseError::fail(format!("[{}]\n{msg}", kind.name())));
            }
        }
    }
}

/// With `YOUHUI_REF_SURVEY=n`: runs `n` generated cases, never fails, and prints how many
/// agree and, per kind of disagreement, how many and the two smallest cases.
#[test]
fn survey_disagreements() {
    let Some(n) = env_usize("YOUHUI_REF_SURVEY") else {
        return;
    };
    let mut runner = TestRunner::new(Config {
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = case();
    let mut agreed = 0usize;
    let mut skipped = 0usize;
    let mut skipped_unproven = 0usize;
    let mut unproven_examples: Vec<(usize, String)> = Vec::new();
    // Agreed cases by number of choices: 1, 2..=64, 65..=1000, more.
    let mut bins = [0usize; 4];
    let mut kinds: BTreeMap<Kind, (usize, Vec<(usize, String)>)> = BTreeMap::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for _ in 0..n {
        let case = strategy
            .new_tree(&mut runner)
            .expect("a generated case")
            .current();
        if !seen.insert(case.describe()) {
            continue;
        }
        match check(&case, choice_limit()) {
            Verdict::Agree(choices) => {
                agreed += 1;
                let bin = [1, 64, 1_000, usize::MAX]
                    .iter()
                    .position(|&b| choices <= b)
                    .unwrap_or(3);
                bins[bin] += 1;
            }
            Verdict::Skipped { proven } => {
                skipped += 1;
                if !proven {
                    skipped_unproven += 1;
                    let text = case.describe();
                    unproven_examples.push(((case.offers.len() + case.lines.len()), text));
                    unproven_examples.sort_by_key(|e| e.0);
                    unproven_examples.truncate(2);
                }
            }
            Verdict::Disagree(kind, msg) => {
                let size = (case.offers.len() + case.lines.len()) * 1_000 + msg.len();
                let entry = kinds.entry(kind).or_default();
                entry.0 += 1;
                entry.1.push((size, msg));
                entry.1.sort_by_key(|e| e.0);
                entry.1.truncate(2);
            }
        }
    }
    let disagreed: usize = kinds.values().map(|k| k.0).sum();
    println!(
        "agreed {agreed}, disagreed {disagreed}, skipped {skipped} ({skipped_unproven} of them \
         not proven) (distinct cases)"
    );
    println!(
        "agreed by number of choices: 1: {}, 2-64: {}, 65-1000: {}, more: {}",
        bins[0], bins[1], bins[2], bins[3]
    );
    if !unproven_examples.is_empty() {
        println!("\n==== skipped and not proven: {skipped_unproven}");
        for (_, text) in &unproven_examples {
            println!("---\n{text}");
        }
    }
    for (kind, (count, examples)) in &kinds {
        println!("\n==== {}: {count}", kind.name());
        for (_, msg) in examples {
            println!("---\n{msg}");
        }
    }
}

// ------------------------------------------------------------------------- known cases

fn plain(benefit: &str) -> Offer {
    Offer {
        coupon: false,
        selected: false,
        stage: 0,
        benefit: benefit.to_string(),
        scope: None,
        stack: Stack::Plain,
        excludes: Vec::new(),
        priority: 0,
    }
}

/// Asserts that the reference gives `payable` and the engine agrees with the reference.
fn assert_spec_choice(case: &Case, payable: i64) -> Reference {
    let r = reference(case, usize::MAX).expect("no limit");
    assert_eq!(
        r.outcome.payable,
        payable,
        "reference\n{}\nkeepers {}",
        case.describe(),
        keepers_text(&r.key.3)
    );
    let q = engine_quote(case)
        .expect("the engine does not panic")
        .expect("the engine quotes");
    assert_eq!(
        Outcome::of(&q),
        r.outcome,
        "engine (left) and spec (right)\n{}\nspec keepers {}",
        case.describe(),
        keepers_text(&r.key.3)
    );
    r
}

/// Sanity of the reference: with nothing contested every offer keeps its whole scope.
#[test]
fn uncontested_offers_keep_their_whole_scope() {
    let mut a = plain("直降10");
    a.scope = Some(vec![0]);
    let mut b = plain("满100减20");
    b.stage = 1;
    let case = Case {
        stages: vec![1, 1],
        offers: vec![a, b],
        lines: vec![(10_000, 1), (5_000, 2)],
    };
    let r = assert_spec_choice(&case, 20_000 - 1_000 - 2_000);
    assert_eq!(r.choices, 1);
}

/// Sanity of the reference: an exclusive offer and another one on one line, with no
/// `excludes`: both are in the set, one of them keeps the line, the cheaper wins.
#[test]
fn exclusive_contest_is_won_by_the_cheaper_keeper() {
    let mut flash = plain("特价50");
    flash.stack = Stack::Exclusive;
    let mut full = plain("满100减30");
    full.stage = 1;
    let case = Case {
        stages: vec![1, 1],
        offers: vec![flash, full],
        lines: vec![(10_000, 1)],
    };
    let r = assert_spec_choice(&case, 5_000);
    assert_eq!(r.choices, 2);
    assert_eq!(r.key.3, vec![vec![0]]);
}

/// Reported by a reviewer: one stage of max 1, four activities on every line, six lines of
/// 100.00. 买一送一 keeping all six lines pays 300.00; the spec requires that choice.
/// FAILED BEFORE THE TWO-PASS SEARCH (it answered 320.00: 直降40 keeps L1 and L2, 买一送一 the other four).
#[test]
fn buy_one_get_one_keeps_all_six_lines() {
    let case = Case {
        stages: vec![1],
        offers: ["直降40", "买一送一", "满10打9折", "直降10"]
            .into_iter()
            .map(plain)
            .collect(),
        lines: vec![(10_000, 1); 6],
    };
    let r = assert_spec_choice(&case, 30_000);
    assert_eq!(r.key.3, vec![vec![1]; 6]);
}

/// A case of `scope all` activities, each given as (stage index, benefit, priority), with
/// the stages' `max` and lines of (price in cents, qty).
fn simple(stages: Vec<u32>, offers: &[(usize, &str, i64)], lines: &[(i64, u32)]) -> Case {
    Case {
        stages,
        offers: offers
            .iter()
            .map(|&(stage, benefit, priority)| Offer {
                stage,
                priority,
                ..plain(benefit)
            })
            .collect(),
        lines: lines.to_vec(),
    }
}

/// Lower payable missed (found by the proptest, shrunk): two 5折 of stage `a` (max 2) on a
/// line take it to 0.00 (offers of one stage do not see each other's discounts), so the
/// spec's choice gives every line to o1 and o2 (and o5) and pays 0.00.
/// FAILED BEFORE THE TWO-PASS SEARCH (it answered 20.00: L1 kept by o1 and o4, 满50减5).
#[test]
fn two_half_price_offers_on_every_line() {
    let case = simple(
        vec![2, 2],
        &[
            (0, "5折", 0),
            (0, "5折", 0),
            (0, "5折", 0),
            (0, "满50减5", 0),
            (1, "买一送一", 0),
        ],
        &[(5_000, 1); 5],
    );
    let r = assert_spec_choice(&case, 0);
    assert_eq!(r.key.3, vec![vec![0, 1, 4]; 5]);
}

/// Fewer applied offers (found by the proptest, shrunk): every choice pays 0.00 with no
/// priority; the spec's choice applies two offers (o2 and o3 keep every line).
/// FAILED BEFORE THE TWO-PASS SEARCH (it also applied 买一送一, keeping L4 with o2: three applied).
#[test]
fn fewer_applied_offers_on_a_free_cart() {
    let case = simple(
        vec![2],
        &[(0, "买一送一", 0), (0, "特价10", 0), (0, "特价10", 0)],
        &[(5_000, 1), (5_000, 1), (5_000, 1), (5_000, 2)],
    );
    let r = assert_spec_choice(&case, 0);
    assert_eq!(r.outcome.applied.len(), 2);
}

/// Keepers order (found by the proptest, shrunk): several choices pay 585.00 with priority
/// sum 1 and three applied offers; line by line the spec's choice has the keepers that come
/// first in declaration order: L1 o1, L2 o2, L3 o3, L4 o2.
/// FAILED BEFORE THE TWO-PASS SEARCH (its keepers: L1 o2, L2 o1, L3 o3, L4 o3; other line payables).
#[test]
fn keepers_first_in_declaration_order() {
    let case = simple(
        vec![1],
        &[(0, "满50减5", 0), (0, "满70减5", 1), (0, "满70减5", 0)],
        &[(10_000, 2), (5_000, 1), (10_000, 3), (5_000, 1)],
    );
    let r = assert_spec_choice(&case, 58_500);
    assert_eq!(r.key.3, vec![vec![0], vec![1], vec![2], vec![1]]);
}

/// An engine panic (found by the proptest; no offer or line can be removed):
/// `min > max` in `bound.rs` during the search over contested lines.
/// FAILED BEFORE THE TWO-PASS SEARCH (it panicked).
#[test]
fn no_panic_in_the_search_bounds() {
    let mut offers: Vec<Offer> = [
        "直降1",
        "直降1",
        "买一送一",
        "直降1",
        "直降1",
        "直降1",
        "5折",
    ]
    .into_iter()
    .map(plain)
    .collect();
    for o in [0, 1, 3] {
        offers[o].scope = Some(vec![0]);
    }
    offers[4].stage = 1;
    offers[5].stack = Stack::OnlyWith(vec![2]);
    let case = Case {
        stages: vec![2, 1],
        offers,
        lines: vec![(5_000, 1); 4],
    };
    assert!(
        engine_quote(&case).is_ok(),
        "engine panicked\n{}",
        case.describe()
    );
    let r = reference(&case, usize::MAX).expect("no limit");
    assert_spec_choice(&case, r.outcome.payable);
}

/// Lower payable missed (found by the proptest in CI, shrunk): stage `a` (max 1) holds
/// 5折 and two 直降1, stage `b` 每满50减25 over the whole cart (10.00, 2 × 50.00, 94.02,
/// 50.00). 5折 on every line leaves 127.01, two steps of 25.00: 77.01. 直降1 on the 50.00
/// line instead leaves 151.01, three steps: 151.01 − 75.00 = 76.01, the spec's answer.
/// The bound on the `每满` offer subtracted the stage's sure floor (1.00 a unit) twice
/// and pruned that choice; the engine answered 121.02.
#[test]
fn every_n_after_a_contested_stage_counts_the_floor_once() {
    let case = simple(
        vec![1, 1],
        &[
            (1, "每满50减25", 0),
            (0, "5折", 0),
            (0, "直降1", 0),
            (0, "直降1", 0),
        ],
        &[(1_000, 1), (5_000, 2), (9_402, 1), (5_000, 1)],
    );
    let r = assert_spec_choice(&case, 7_601);
    assert_eq!(r.key.3[3], vec![0, 2]);
}

/// Cases of 6 to 8 lines under 4 to 8 offers, one or two stages of `max` 1 or 2.
fn large_case() -> impl Strategy<Value = Case> {
    (
        any::<bool>(),
        1..=2u32,
        1..=2u32,
        prop::collection::vec(offer_over(8), 4..=8),
        prop::collection::vec((1_000..=30_000i64, 1..=3u32), 6..=8),
    )
        .prop_map(|(two, max_a, max_b, offers, lines)| {
            let stages = if two { vec![max_a, max_b] } else { vec![max_a] };
            Case {
                stages,
                offers,
                lines,
            }
            .normalize()
        })
}

/// Most combinations of keeper options (over all conflict-free sets) for which
/// `contests_with_few_combinations_are_proven` expects a proof (the engine prices up to
/// 480,000 of them one by one on 8 lines under 8 offers; this leaves room for a loaded
/// machine within the default deadline).
const PROVEN_COMBINATIONS: usize = 300_000;

/// Every contest of up to 8 lines under up to 8 offers, in one stage or spread over two,
/// whose conflict-free sets have at most [`PROVEN_COMBINATIONS`] combinations of keeper
/// options in all, is proven optimal (`"optimal": true`) within the default deadline, however
/// loose the search's bounds (two offers taking more than a line holds, thresholds over
/// stages). The reference only counts the combinations; whether the choice is the spec's
/// is `engine_choice_is_the_reference_choice`'s business. `YOUHUI_PROOF_CASES=n` runs `n`
/// generated cases (default 150, deterministic).
#[test]
fn contests_with_few_combinations_are_proven() {
    let n = env_usize("YOUHUI_PROOF_CASES").unwrap_or(150);
    let mut runner = TestRunner::deterministic();
    let strategy = large_case();
    let (mut checked, mut beyond_search, mut beyond_old_limit) = (0usize, 0usize, 0usize);
    for _ in 0..n {
        let case = strategy
            .new_tree(&mut runner)
            .expect("a generated case")
            .current();
        if case.coupon_clash() {
            continue;
        }
        let space = choice_space(&case);
        let total = space
            .iter()
            .try_fold(0usize, |t, s| t.checked_add(combinations(s)?));
        // The engine takes at most 70 keeper options on a line (its documented limit, all
        // there can be under 8 offers).
        let wide = space.iter().flatten().any(|options| options.len() > 70);
        let Some(total) = total.filter(|&c| c <= PROVEN_COMBINATIONS && !wide) else {
            continue;
        };
        let quote = match engine_quote(&case) {
            Ok(Ok(q)) => q,
            Ok(Err(e)) => panic!("{}\nengine error: {e}", case.describe()),
            Err(what) => panic!("{}\nengine panicked: {what}", case.describe()),
        };
        assert!(
            quote.optimal,
            "{}\nnot proven with {total} combinations",
            case.describe()
        );
        checked += 1;
        // Sizes where the branch and bound alone often gave up.
        beyond_search += usize::from(total > 20_000);
        // Beyond what was priced one by one before (100,000).
        beyond_old_limit += usize::from(total > 100_000);
    }
    eprintln!(
        "{checked} of {n} cases checked, {beyond_search} with more than 20,000 combinations, \
         {beyond_old_limit} with more than 100,000"
    );
    assert!(
        checked >= n / 4,
        "only {checked} of {n} cases were small enough"
    );
    assert!(
        beyond_search >= n / 50,
        "only {beyond_search} cases had more than 20,000 combinations"
    );
    assert!(
        beyond_old_limit >= n / 50,
        "only {beyond_old_limit} cases had more than 100,000 combinations"
    );
}

/// Two stages contested on all 8 lines, 5 keeper options each: 390,625 combinations, where
/// neither the DP (two stages) nor the branch and bound proves the choice within the
/// budget (found by generating cases). Every combination is now priced.
/// FAILED BEFORE PRICING UP TO 500,000 COMBINATIONS ON 8 × 8 (`"optimal": false`).
#[test]
fn two_stages_with_390625_combinations_are_priced_one_by_one() {
    let mut case = simple(
        vec![1, 1],
        &[
            (1, "买一送一", 0),
            (1, "3件220元", 0),
            (0, "直降9", -2),
            (0, "3件220元", 3),
            (1, "买一送一", 0),
        ],
        &[
            (8_324, 2),
            (3_210, 3),
            (9_878, 1),
            (25_794, 3),
            (29_213, 2),
            (26_262, 1),
            (19_240, 2),
            (12_019, 2),
        ],
    );
    case.offers[0].stack = Stack::Exclusive;
    assert_eq!(combinations(&choice_space(&case)[0]), Some(390_625));
    // `assert_spec_choice(&case, 53_955)` passes too, but the reference takes 27 s here.
    let q = engine_quote(&case).expect("no panic").expect("a quote");
    assert!(q.optimal, "not proven:\n{}", case.describe());
    assert_eq!(Outcome::of(&q).payable, 53_955);
}

/// A later tier that gives less than a lower one (found by review): after stage `a` takes
/// 2.00 off each 200.00 line, `满100减50 / 满200减10` of stage `b` keeping one line (198.00)
/// reaches only its first tier, 50.00 off; priced on the stage's start (200.00) it looked
/// like 10.00. The spec's choice: 直降2 everywhere, the tiers on one line, 直降30 on the
/// other three: 800.00 - 8.00 - 50.00 - 90.00 = 652.00 (直降30 everywhere pays 672.00).
/// FAILED BEFORE THE RELAXED DP COUNTED A LATER TIER'S MOST (672.00 "proven").
#[test]
fn a_later_tier_giving_less_on_more_does_not_fool_the_bound() {
    let case = simple(
        vec![1, 1],
        &[
            (0, "直降1", 0),
            (0, "直降2", 0),
            (1, "满100减50 / 满200减10", 0),
            (1, "直降30", 0),
        ],
        &[(20_000, 1); 4],
    );
    assert_spec_choice(&case, 65_200);
}
