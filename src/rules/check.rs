//! The check pass: every rule of the language the grammar cannot express, all errors and
//! warnings of a file collected in one go.
//!
//! Besides diagnostics it produces the name tables (`Resolved`) that `compile` reuses, and
//! the value conversions here (`money`, `rate`, `local_time`, ...) are the single place that
//! decides what a written number or time means.

use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// Most known names a "did you mean" compares a misspelt one with.
const SUGGEST_AMONG: usize = 1000;

use crate::lang::ast::*;
use crate::lang::diagnostic::{RawDiagnostic, Span};
use crate::lang::error::{CheckError, CheckWarning};
use crate::limits::MAX_TIERS;
use crate::money::{Money, Rate};
use crate::time::{local_time, parse_offset};

/// Default stages when the header declares none.
pub(crate) const DEFAULT_STAGES: [&str; 4] = ["item", "shop", "cross_shop", "platform"];

/// Largest count accepted (group sizes, limits, tier item counts).
pub(crate) const MAX_COUNT: u64 = 1_000_000;

const YEAR_SECS: i64 = 365 * 24 * 3600;

/// Name tables built while checking, reused by `compile`.
pub(crate) struct Resolved {
    /// Stage names in application order.
    pub stages: Vec<String>,
    /// Stage name → index.
    pub stage_index: BTreeMap<String, usize>,
    /// Offer ID → index of its first declaration.
    pub offer_index: BTreeMap<String, usize>,
    /// Timezone offset east of UTC, seconds.
    pub offset: i32,
}

/// Checks a parsed file; `text` is only used to name lines in messages. `complete` is false
/// when some blocks failed to parse: warnings that need the whole file are then skipped.
pub(crate) fn check(file: &File, text: &str, complete: bool) -> (Resolved, Vec<RawDiagnostic>) {
    let mut c = Checker { diags: Vec::new() };
    let resolved = c.header(file);
    let mut offer_index = BTreeMap::new();
    for (i, o) in file.offers.iter().enumerate() {
        if let Some(&first) = offer_index.get(&o.id.node) {
            let first: &Offer = &file.offers[first];
            let first_line = text[..first.id.span.start.min(text.len())]
                .matches('\n')
                .count()
                + 1;
            c.error(
                CheckError::DuplicateId {
                    id: o.id.node.clone(),
                    first_line,
                },
                o.id.span,
            );
        } else {
            offer_index.insert(o.id.node.clone(), i);
        }
    }
    let resolved = Resolved {
        offer_index,
        ..resolved
    };
    for o in &file.offers {
        c.offer(o, &resolved);
    }
    c.cross_offer(file, &resolved, complete);
    (resolved, c.diags)
}

struct Checker {
    diags: Vec<RawDiagnostic>,
}

impl Checker {
    fn error(&mut self, e: CheckError, span: Span) {
        self.diags.push(RawDiagnostic::check(e, span));
    }

    /// An error with a "did you mean" among `known`.
    fn error_near<'k>(
        &mut self,
        e: CheckError,
        span: Span,
        typed: &str,
        known: impl IntoIterator<Item = &'k str>,
    ) {
        // Bounded work on hostile files: suggestions only while the report still keeps
        // diagnostics, among the first names.
        let help = if self.diags.len() < crate::limits::MAX_DIAGNOSTICS {
            crate::lang::suggest::closest(typed, known.into_iter().take(SUGGEST_AMONG), 3)
        } else {
            Vec::new()
        };
        let help = (!help.is_empty()).then(|| {
            let quoted: Vec<String> = help.iter().map(|h| format!("\"{h}\"")).collect();
            format!("did you mean {}?", quoted.join(" or "))
        });
        self.diags
            .push(RawDiagnostic::check(e, span).with_help(help));
    }

    fn warn(&mut self, w: CheckWarning, span: Span) {
        self.diags.push(RawDiagnostic::warning(w, span));
    }

    fn header(&mut self, file: &File) -> Resolved {
        let mut stages: Vec<String> = DEFAULT_STAGES.iter().map(|s| s.to_string()).collect();
        let mut offset = 8 * 3600;
        let Some(h) = &file.header else {
            return resolved_stages(stages, offset);
        };
        let mut seen = BTreeSet::new();
        let mut seen_max = BTreeSet::new();
        for f in &h.fields {
            if let HeaderField::StageMax(stage, _) = &f.node {
                if !seen_max.insert(stage.node.clone()) {
                    self.error(CheckError::DuplicateField { field: "stage max" }, f.span);
                }
            } else if !seen.insert(f.node.keyword()) {
                self.error(
                    CheckError::DuplicateField {
                        field: f.node.keyword(),
                    },
                    f.span,
                );
            }
        }
        // Stages first: the other fields refer to them.
        for f in &h.fields {
            if let HeaderField::Stages(list) = &f.node {
                if let Some(extra) = list.get(crate::limits::MAX_STAGES) {
                    self.error(
                        CheckError::TooManyStages {
                            limit: crate::limits::MAX_STAGES,
                        },
                        extra.span,
                    );
                }
                let mut names = BTreeSet::new();
                for s in list {
                    if !names.insert(s.node.as_str()) {
                        self.error(
                            CheckError::DuplicateStage {
                                stage: s.node.clone(),
                            },
                            s.span,
                        );
                    }
                }
                stages = list.iter().map(|s| s.node.clone()).collect();
                stages.dedup();
            }
        }
        let mut resolved = resolved_stages(stages, offset);
        for f in &h.fields {
            match &f.node {
                HeaderField::Timezone(tz) => match parse_offset(tz) {
                    Some(o) => offset = o,
                    None => self.error(CheckError::BadTimezone { text: tz.clone() }, f.span),
                },
                HeaderField::StageMax(stage, n) => {
                    self.stage(stage, &resolved);
                    self.count(n, 1, "a stage's max", "at least 1");
                }
                HeaderField::ThresholdBase(ThresholdMode::After(stage)) => {
                    self.stage(stage, &resolved)
                }
                _ => {}
            }
        }
        resolved.offset = offset;
        resolved
    }

    fn stage(&mut self, stage: &Name, r: &Resolved) {
        if !r.stage_index.contains_key(&stage.node) {
            // Listed up to the stage limit, so a hostile header cannot make every such
            // message as long as itself.
            let mut declared = r
                .stages
                .iter()
                .take(crate::limits::MAX_STAGES)
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(", ");
            if r.stages.len() > crate::limits::MAX_STAGES {
                declared.push_str(", …");
            }
            self.error_near(
                CheckError::UnknownStage {
                    stage: stage.node.clone(),
                    declared,
                },
                stage.span,
                &stage.node,
                r.stages.iter().map(String::as_str),
            );
        }
    }

    fn count(&mut self, n: &Count, min: u64, what: &'static str, range: &'static str) {
        if n.node < min || n.node > MAX_COUNT {
            let range = if n.node > MAX_COUNT {
                "at most 1000000"
            } else {
                range
            };
            self.error(
                CheckError::CountOutOfRange {
                    what,
                    range,
                    value: n.node.to_string(),
                },
                n.span,
            );
        }
    }

    /// The amount, or `None` after reporting why it is invalid (later checks on it are
    /// skipped so one mistake gives one error).
    fn money(&mut self, n: &Num) -> Option<Money> {
        money(n).map_err(|e| self.error(e, n.span)).ok()
    }

    fn rate(&mut self, r: &RateAst) {
        if let Err(e) = rate(r) {
            self.error(e, r.span);
        }
    }

    fn window(&mut self, w: &Window, offset: i32) -> Option<(i64, i64)> {
        let start = local_time(&w.start.node, offset);
        let end = local_time(&w.end.node, offset);
        for (t, s) in [(start, &w.start), (end, &w.end)] {
            if t.is_none() {
                self.error(
                    CheckError::BadDateTime {
                        text: s.node.clone(),
                    },
                    s.span,
                );
            }
        }
        let (start, end) = (start?, end?);
        if end < start {
            let span = Span::new(w.start.span.start, w.end.span.end);
            self.error(
                CheckError::WindowReversed {
                    start: w.start.node.clone(),
                    end: w.end.node.clone(),
                },
                span,
            );
            return None;
        }
        Some((start, end))
    }

    fn offer(&mut self, o: &Offer, r: &Resolved) {
        let mut seen = BTreeSet::new();
        for f in &o.fields {
            let repeatable = matches!(f.node, OfferField::Scope(_) | OfferField::Exclude(_));
            if !repeatable && !seen.insert(f.node.keyword()) {
                self.error(
                    CheckError::DuplicateField {
                        field: f.node.keyword(),
                    },
                    f.span,
                );
            }
        }
        for field in ["stage", "benefit"] {
            if !seen.contains(field) {
                self.error(
                    CheckError::MissingField {
                        id: o.id.node.clone(),
                        field,
                    },
                    o.id.span,
                );
            }
        }
        let benefit = o.fields.iter().find_map(|f| match &f.node {
            OfferField::Benefit(b) => Some(b),
            _ => None,
        });
        let mut deposit = None;
        let mut balance = None;
        let mut has_deposit_window = false;
        let mut has_balance_window = false;
        let mut excludes: Vec<&Name> = Vec::new();
        let mut only_with: Vec<&Name> = Vec::new();
        for f in &o.fields {
            match &f.node {
                OfferField::Stage(s) => self.stage(s, r),
                OfferField::Benefit(b) => self.benefit(b),
                OfferField::Valid(w) => {
                    self.window(w, r.offset);
                }
                OfferField::DepositWindow(w) => {
                    has_deposit_window = true;
                    deposit = self.window(w, r.offset);
                }
                OfferField::BalanceWindow(w) => {
                    has_balance_window = true;
                    balance = self.window(w, r.offset);
                }
                OfferField::Audience(e) => self.audience(e),
                OfferField::LimitPerUser(n) => self.count(n, 1, "`limit per_user`", "at least 1"),
                OfferField::LimitPerUserQty(n) => {
                    self.count(n, 1, "`limit per_user_qty`", "at least 1")
                }
                OfferField::GroupHours(n) => self.count(n, 1, "`group_hours`", "at least 1"),
                OfferField::Threshold(ThresholdMode::After(s)) => self.stage(s, r),
                OfferField::Excludes(ids) => excludes.extend(ids),
                OfferField::OnlyWith(ids) => only_with.extend(ids),
                _ => {}
            }
        }
        for (ids, field) in [(&excludes, "excludes"), (&only_with, "only_with")] {
            for id in ids.iter() {
                if id.node == o.id.node {
                    self.error(CheckError::SelfReference { field }, id.span);
                } else if !r.offer_index.contains_key(&id.node) {
                    self.error_near(
                        CheckError::UnknownOffer {
                            id: id.node.clone(),
                            field,
                        },
                        id.span,
                        &id.node,
                        r.offer_index.keys().map(String::as_str),
                    );
                }
            }
        }
        for id in &only_with {
            if excludes.iter().any(|e| e.node == id.node) {
                self.error(
                    CheckError::OnlyWithAndExcludes {
                        id: id.node.clone(),
                    },
                    id.span,
                );
            }
        }
        let is_deposit = matches!(benefit, Some(Benefit::Deposit(..)));
        let is_group = matches!(benefit, Some(Benefit::GroupBuy(..)));
        for f in &o.fields {
            let needs = match f.node {
                OfferField::DepositWindow(_) | OfferField::BalanceWindow(_) if !is_deposit => {
                    "presale (定金…抵…)"
                }
                OfferField::GroupHours(_) if !is_group => "group-buy (拼团价)",
                _ => continue,
            };
            self.error(
                CheckError::FieldNeedsBenefit {
                    field: f.node.keyword(),
                    benefit: needs,
                },
                f.span,
            );
        }
        if is_deposit {
            let span = benefit_span(o).unwrap_or(o.id.span);
            if !(has_deposit_window && has_balance_window) {
                self.error(CheckError::PresaleWindowsMissing, span);
            } else if let (Some(d), Some(b)) = (deposit, balance) {
                if b.0 <= d.1 {
                    let span = o
                        .fields
                        .iter()
                        .find(|f| matches!(f.node, OfferField::BalanceWindow(_)))
                        .map_or(span, |f| f.span);
                    self.error(CheckError::PresaleWindowsOverlap, span);
                }
            }
        }
        self.scope_warnings(o);
    }

    fn benefit(&mut self, b: &Benefit) {
        match b {
            Benefit::Tiered(tiers) => self.tiers(tiers),
            Benefit::EveryN { step, off, cap } => {
                let s = self.money(step);
                let f = self.money(off);
                if let Some(c) = cap {
                    self.money(c);
                }
                if let (Some(s), Some(f)) = (s, f) {
                    self.off_below(f, s, off.span);
                }
            }
            Benefit::PctOff(r) => self.rate(r),
            Benefit::UnitOff(n) => {
                if self.money(n).is_some_and(|m| m.0 <= 0) {
                    self.error(
                        CheckError::BadAmount {
                            text: n.node.to_string(),
                            problem: "must be above zero",
                        },
                        n.span,
                    );
                }
            }
            Benefit::UnitPrice(n) => {
                self.money(n);
            }
            Benefit::Nth(n, r) => {
                self.count(n, 2, "the N of 第N件", "at least 2");
                self.rate(r);
            }
            Benefit::BuyGet(buy, get) => {
                self.count(buy, 1, "the units bought", "at least 1");
                self.count(get, 1, "the units given", "at least 1");
            }
            Benefit::Bundle(n, price) => {
                self.count(n, 1, "a bundle's size", "at least 1");
                self.money(price);
            }
            Benefit::FreeShipping(spend) | Benefit::Gift(spend, _) => {
                if let Some(s) = spend {
                    self.money(s);
                }
            }
            Benefit::Deposit(d, w) => {
                let (Some(dm), Some(wm)) = (self.money(d), self.money(w)) else {
                    return;
                };
                if dm.0 <= 0 || wm < dm {
                    let span = Span::new(d.span.start, w.span.end);
                    self.error(
                        CheckError::BadDeposit {
                            deposit: d.node.to_string(),
                            worth: w.node.to_string(),
                        },
                        span,
                    );
                }
            }
            Benefit::GroupBuy(price, size) => {
                self.money(price);
                self.count(size, 2, "a group's size", "at least 2");
            }
        }
    }

    fn off_below(&mut self, off: Money, threshold: Money, span: Span) {
        if off >= threshold {
            self.error(
                CheckError::OffNotBelowThreshold {
                    off: off.to_string(),
                    threshold: threshold.to_string(),
                },
                span,
            );
        }
    }

    fn tiers(&mut self, tiers: &[Tier]) {
        if tiers.len() > MAX_TIERS {
            let span = tiers.get(MAX_TIERS).map_or(Span::default(), |t| t.span);
            self.error(CheckError::TooManyTiers { limit: MAX_TIERS }, span);
            return;
        }
        let items = tiers
            .first()
            .is_some_and(|t| matches!(t.at, TierAt::Items(_)));
        let mut prev: Option<(i64, String)> = None;
        for t in tiers {
            let (value, shown, span) = match &t.at {
                TierAt::Items(n) if items => {
                    self.count(n, 1, "a tier's item count", "at least 1");
                    (n.node as i64, format!("{}件", n.node), n.span)
                }
                TierAt::Amount(a) if !items => {
                    let Some(m) = self.money(a) else { continue };
                    if m.0 <= 0 {
                        self.error(
                            CheckError::BadAmount {
                                text: a.node.to_string(),
                                problem: "must be above zero",
                            },
                            a.span,
                        );
                    }
                    (m.0, m.to_string(), a.span)
                }
                _ => {
                    self.error(CheckError::MixedTiers, t.span);
                    continue;
                }
            };
            match &t.reward {
                Reward::Off(off) => {
                    if let Some(m) = self.money(off).filter(|_| !items) {
                        self.off_below(m, Money(value), off.span);
                    }
                }
                Reward::Rate(r) => self.rate(r),
            }
            if let Some((p, pshown)) = &prev {
                if value <= *p {
                    self.error(
                        CheckError::TiersNotIncreasing {
                            prev: pshown.clone(),
                            next: shown.clone(),
                        },
                        span,
                    );
                }
            }
            prev = Some((value, shown));
        }
    }

    fn audience(&mut self, e: &Expr) {
        match e {
            Expr::Or(a, b) | Expr::And(a, b) => {
                self.audience(a);
                self.audience(b);
            }
            Expr::Not(a) => self.audience(a),
            Expr::Compare(..) | Expr::Has(..) | Expr::Flag(..) => {
                if let Err((err, span)) = predicate_atom(e) {
                    self.error(err, span);
                }
            }
        }
    }

    fn scope_warnings(&mut self, o: &Offer) {
        let scopes: Vec<&ScopeSel> = o
            .fields
            .iter()
            .filter_map(|f| match &f.node {
                OfferField::Scope(s) => Some(s),
                _ => None,
            })
            .collect();
        for f in &o.fields {
            let OfferField::Exclude(ex) = &f.node else {
                continue;
            };
            let removes = |s: &ScopeSel| match (ex, s) {
                (ScopeSel::All, _) => true,
                (ScopeSel::Values(ed, evs), ScopeSel::Values(sd, svs)) => {
                    ed == sd && svs.iter().all(|v| evs.contains(v))
                }
                _ => false,
            };
            let hit = if scopes.is_empty() {
                removes(&ScopeSel::All).then_some(ScopeSel::All)
            } else {
                scopes.iter().find(|s| removes(s)).map(|s| (*s).clone())
            };
            if let Some(s) = hit {
                self.warn(
                    CheckWarning::ExcludeRemovesScope {
                        scope: crate::rules::canonical::scope_sel_text(&s),
                    },
                    f.span,
                );
            }
        }
    }

    fn cross_offer(&mut self, file: &File, r: &Resolved, complete: bool) {
        // only_with naming an offer that excludes this one (the other half of the contradiction).
        for o in &file.offers {
            for f in &o.fields {
                let OfferField::OnlyWith(ids) = &f.node else {
                    continue;
                };
                for id in ids {
                    let Some(&other) = r.offer_index.get(&id.node) else {
                        continue;
                    };
                    let other_excludes = file.offers[other].fields.iter().any(|g| match &g.node {
                        OfferField::Excludes(xs) => xs.iter().any(|x| x.node == o.id.node),
                        _ => false,
                    });
                    if other_excludes {
                        self.error(
                            CheckError::OnlyWithAndExcludes {
                                id: id.node.clone(),
                            },
                            id.span,
                        );
                    }
                }
            }
        }
        // Windows far from every other offer's.
        let windows: Vec<(Span, i64, i64)> = file
            .offers
            .iter()
            .filter_map(|o| {
                o.fields.iter().find_map(|f| match &f.node {
                    OfferField::Valid(w) => {
                        let s = local_time(&w.start.node, r.offset)?;
                        let e = local_time(&w.end.node, r.offset)?;
                        (s <= e).then_some((f.span, s, e))
                    }
                    _ => None,
                })
            })
            .collect();
        for (i, &(span, s, e)) in windows.iter().enumerate() {
            let others = windows.iter().enumerate().filter(|&(j, _)| j != i);
            let mut any = false;
            let far = others.into_iter().all(|(_, &(_, os, oe))| {
                any = true;
                let gap = if oe < s {
                    s - oe
                } else if e < os {
                    os - e
                } else {
                    0
                };
                gap > YEAR_SECS
            });
            if any && far {
                self.warn(CheckWarning::WindowFarAway, span);
            }
        }
        // Declared stages no offer uses. Not while a stage name is misspelt: the stage it
        // meant would be reported unused as well (a cascade of one typo).
        let misspelt = self.diags.iter().any(|d| {
            matches!(
                d.kind,
                crate::lang::diagnostic::DiagnosticKind::Check(CheckError::UnknownStage { .. })
            )
        });
        if let Some(h) = file.header.as_ref().filter(|_| complete && !misspelt) {
            let used: BTreeSet<&str> = file
                .offers
                .iter()
                .flat_map(|o| o.fields.iter())
                .filter_map(|f| match &f.node {
                    OfferField::Stage(s) => Some(s.node.as_str()),
                    _ => None,
                })
                .collect();
            for f in &h.fields {
                let HeaderField::Stages(list) = &f.node else {
                    continue;
                };
                for s in list {
                    if !used.contains(s.node.as_str()) {
                        self.warn(
                            CheckWarning::UnusedStage {
                                stage: s.node.clone(),
                            },
                            s.span,
                        );
                    }
                }
            }
        }
    }
}

fn resolved_stages(stages: Vec<String>, offset: i32) -> Resolved {
    let stage_index = stages
        .iter()
        .enumerate()
        .map(|(i, s)| (s.clone(), i))
        .collect();
    Resolved {
        stages,
        stage_index,
        offer_index: BTreeMap::new(),
        offset,
    }
}

fn benefit_span(o: &Offer) -> Option<Span> {
    o.fields
        .iter()
        .find(|f| matches!(f.node, OfferField::Benefit(_)))
        .map(|f| f.span)
}

/// A written amount as money: at most two decimals, within range.
pub(crate) fn money(n: &Num) -> Result<Money, CheckError> {
    let problem = if n.node.normalize().scale() > 2 {
        "has more than two decimals"
    } else {
        "is too large"
    };
    Money::from_decimal(n.node).ok_or_else(|| CheckError::BadAmount {
        text: n.node.to_string(),
        problem,
    })
}

/// A written rate: 0..=100% off, at most two decimals of a percent.
pub(crate) fn rate(r: &RateAst) -> Result<Rate, CheckError> {
    if r.bad_zhe {
        return Err(CheckError::BadZhe {
            text: r.text.clone(),
        });
    }
    Rate::from_percent(r.pct_off).ok_or_else(|| {
        let in_range = !r.pct_off.is_sign_negative() && r.pct_off <= Decimal::ONE_HUNDRED;
        if in_range {
            CheckError::RateTooPrecise {
                rate: r.text.clone(),
                pct_off: r.pct_off.normalize().to_string(),
            }
        } else {
            CheckError::RateOutOfRange {
                rate: r.text.clone(),
            }
        }
    })
}

/// Compiles one audience atom, or says why it is wrong.
pub(crate) fn predicate_atom(e: &Expr) -> Result<crate::rules::ir::Predicate, (CheckError, Span)> {
    use crate::rules::ir::Predicate;
    let ty = |problem: String, span: Span| Err((CheckError::AudienceType { problem }, span));
    match e {
        Expr::Flag(f) => match f.node.as_str() {
            "user.new" => Ok(Predicate::New(true)),
            "user.level" | "user.tags" | "channel" => ty(
                format!(
                    "`{}` is not a yes/no condition; compare it with a value",
                    f.node
                ),
                f.span,
            ),
            _ => Err((
                CheckError::UnknownField {
                    field: f.node.clone(),
                },
                f.span,
            )),
        },
        Expr::Has(f, v) => match f.node.as_str() {
            "user.tags" => Ok(Predicate::Tag(v.node.clone())),
            "user.level" | "user.new" | "channel" => ty(
                format!("`has` only applies to user.tags, not `{}`", f.node),
                f.span,
            ),
            _ => Err((
                CheckError::UnknownField {
                    field: f.node.clone(),
                },
                f.span,
            )),
        },
        Expr::Compare(f, op, v) => match (f.node.as_str(), &v.node) {
            ("user.level", Value::Int(n)) => Ok(Predicate::Level(*op, *n)),
            ("user.level", _) => ty("user.level is compared with a whole number".into(), v.span),
            ("user.new", Value::Bool(b)) if matches!(op, CmpOp::Eq | CmpOp::Ne) => {
                Ok(Predicate::New(*b == (*op == CmpOp::Eq)))
            }
            ("user.new", _) => ty(
                "user.new is compared with true or false, using == or !=".into(),
                v.span,
            ),
            ("channel", Value::Str(s)) if matches!(op, CmpOp::Eq | CmpOp::Ne) => {
                Ok(Predicate::Channel(*op, s.clone()))
            }
            ("channel", _) => ty(
                "channel is compared with a quoted string, using == or !=".into(),
                v.span,
            ),
            ("user.tags", _) => ty("use `user.tags has \"TAG\"` to test a tag".into(), f.span),
            _ => Err((
                CheckError::UnknownField {
                    field: f.node.clone(),
                },
                f.span,
            )),
        },
        _ => ty("not an atom".into(), Span::default()),
    }
}
