//! Loading a rule set: parse → check → compile, and read access to the result.

use serde::{Serialize, Serializer};

use crate::error::Error;
use crate::lang::diagnostic::{Report, Severity};
use crate::lang::syntax;
use crate::money::Rounding;
use crate::rules::ir::{Offer, RuleSet, Stage};
use crate::rules::{canonical, check, compile};

/// The outcome of checking a rule file: the report (all errors and warnings) and, when
/// there were no errors, the compiled rule set.
#[derive(Debug)]
pub struct Checked {
    /// Every diagnostic, in source order.
    pub report: Report,
    /// The rule set, when the report has no errors.
    pub rules: Option<RuleSet>,
}

/// Parses, checks and compiles `text`, naming it `file` in diagnostics. Never panics.
///
/// ```
/// let checked = youhui::check_rules("rules.promo", "ruleset \"s\" { }\nactivity a { stage item benefit 满50减60 }");
/// assert!(checked.rules.is_none());
/// let msg = checked.report.to_string();
/// assert!(msg.contains("the amount off (60.00) must be below its threshold (50.00)"));
/// assert!(msg.contains("--> rules.promo:2:37"));
/// ```
pub fn check_rules(file: &str, text: &str) -> Checked {
    let (ast, diags) = syntax::parse(text);
    let complete = diags.is_empty();
    check_and_compile(file, text, &ast, diags, complete)
}

/// The stages after parsing: check `ast` (after the parse's `diags`), and compile it when
/// nothing is an error.
fn check_and_compile(
    file: &str,
    text: &str,
    ast: &crate::lang::ast::File,
    mut diags: Vec<crate::lang::diagnostic::RawDiagnostic>,
    complete: bool,
) -> Checked {
    let (resolved, check_diags) = check::check(ast, text, complete);
    diags.extend(check_diags);
    let report = Report::new(file, text, diags);
    let rules = (!report.has_errors()).then(|| {
        let warnings = report.warnings().cloned().collect();
        compile::compile(ast, &resolved, warnings)
    });
    Checked { report, rules }
}

/// A rule set of one activity `x` (stage `s`, scope `all`) with the benefit phrase `phrase`,
/// built from the phrase's AST: the phrase is parsed with the benefit rule alone, so nothing
/// in it can reach other parts of a rule file. Diagnostics point into `phrase`.
pub(crate) fn benefit_rules(phrase: &str) -> Checked {
    use crate::lang::ast::{File, Header, HeaderField, Offer, OfferField, OfferKind};
    use crate::lang::diagnostic::{Span, Spanned};
    let (benefit, diags) = syntax::parse_benefit(phrase);
    let mut ast = File::default();
    if let Some(benefit) = benefit {
        let name = |s: &str| Spanned::new(s.to_string(), Span::default());
        ast.header = Some(Header {
            name: name("phrase"),
            fields: vec![Spanned::new(
                HeaderField::Stages(vec![name("s")]),
                Span::default(),
            )],
        });
        ast.offers.push(Offer {
            kind: OfferKind::Activity,
            id: name("x"),
            title: "x".to_string(),
            fields: vec![
                Spanned::new(OfferField::Stage(name("s")), Span::default()),
                Spanned::new(OfferField::Benefit(benefit), Span::new(0, phrase.len())),
            ],
            span: Span::new(0, phrase.len()),
        });
    }
    if diags.is_empty() {
        return check_and_compile("phrase", phrase, &ast, diags, true);
    }
    // Not a benefit phrase: checking the empty rule set would only add noise.
    Checked {
        report: Report::new("phrase", phrase, diags),
        rules: None,
    }
}

impl RuleSet {
    /// Parses, checks and compiles rule text. Errors carry every problem of the file with
    /// line, column and a caret (see [`Report`]).
    ///
    /// ```
    /// let rules = youhui::RuleSet::parse(r#"
    /// ruleset "示例店" { stages 单品, 店铺 }
    /// activity half "第二件半价" { stage 单品  benefit 第二件半价 }
    /// coupon c20 "满199减20" { stage 店铺  benefit 满199减20  scope shop "nike" }
    /// "#).unwrap();
    /// assert_eq!(rules.offers().len(), 2);
    /// assert_eq!(rules.offer("half").unwrap().benefit_text(), "nth 2 pct_off 50");
    /// ```
    pub fn parse(text: &str) -> Result<RuleSet, Error> {
        Self::parse_named("rules.promo", text)
    }

    /// Like [`RuleSet::parse`], naming the file `file` in diagnostics.
    pub fn parse_named(file: &str, text: &str) -> Result<RuleSet, Error> {
        let checked = check_rules(file, text);
        checked.rules.ok_or(Error::Rules(checked.report))
    }

    /// The same rules answering within `deadline` ([`crate::limits::DEFAULT_DEADLINE`] by
    /// default): a search still running then answers `budget_exceeded` (a quote answers
    /// the best stacking choice found, marked `"optimal": false`). Cheap: the rules are
    /// shared, not copied.
    ///
    /// ```
    /// let rules = youhui::RuleSet::parse("ruleset \"x\" { }")?;
    /// let quick = rules.with_deadline(std::time::Duration::from_millis(200));
    /// assert_eq!(quick.deadline().as_millis(), 200);
    /// assert_eq!(quick.fingerprint(), rules.fingerprint());
    /// # Ok::<(), youhui::Error>(())
    /// ```
    pub fn with_deadline(&self, deadline: std::time::Duration) -> RuleSet {
        RuleSet {
            inner: self.inner.clone(),
            deadline,
        }
    }

    /// How long one query may take.
    pub fn deadline(&self) -> std::time::Duration {
        self.deadline
    }

    /// The rule set's name (from the header).
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The currency code.
    pub fn currency(&self) -> &str {
        &self.inner.currency
    }

    /// The timezone offset east of UTC, in seconds.
    pub fn timezone_offset(&self) -> i32 {
        self.inner.timezone
    }

    /// The rounding mode for computed discounts.
    pub fn rounding(&self) -> Rounding {
        self.inner.rounding
    }

    /// Stages in application order.
    pub fn stages(&self) -> &[Stage] {
        &self.inner.stages
    }

    /// Offers in declaration order.
    pub fn offers(&self) -> &[Offer] {
        &self.inner.offers
    }

    /// The offer with this ID.
    pub fn offer(&self, id: &str) -> Option<&Offer> {
        self.inner.offer(id)
    }

    /// The warnings found while checking.
    pub fn warnings(&self) -> &[crate::Diagnostic] {
        &self.inner.warnings
    }

    /// FNV-1a 64 of the canonical rule text.
    pub fn fingerprint(&self) -> u64 {
        self.inner.fingerprint
    }

    /// The fingerprint as 16 hex digits, as answers carry it.
    pub fn fingerprint_hex(&self) -> String {
        format!("{:016x}", self.inner.fingerprint)
    }

    /// The rule set as canonical rule text: stable layout, English benefit phrases, every
    /// header field spelled out. Parsing it gives the same rule set.
    pub fn to_rule_text(&self) -> String {
        canonical::rule_text(&self.inner)
    }
}

impl Offer {
    /// The benefit in canonical English form.
    pub fn benefit_text(&self) -> String {
        canonical::benefit_text(&self.benefit)
    }
}

impl Serialize for RuleSet {
    /// The canonical form as JSON-ready data (money as strings with two decimals).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.inner.serialize(s)
    }
}

impl Checked {
    /// Whether the file has errors.
    pub fn has_errors(&self) -> bool {
        self.report
            .diagnostics()
            .iter()
            .any(|d| d.severity() == Severity::Error)
    }
}

/// The rule set an answer was computed with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RulesId {
    /// Name from the header.
    pub name: String,
    /// FNV-1a 64 of the canonical form, 16 hex digits.
    pub fingerprint: String,
}

impl RuleSet {
    /// The name and fingerprint every answer carries.
    pub fn rules_id(&self) -> RulesId {
        RulesId {
            name: self.inner.name.clone(),
            fingerprint: self.fingerprint_hex(),
        }
    }
}
