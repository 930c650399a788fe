//! The errors and warnings of a rule file: [`SyntaxError`] (the text does not follow the
//! grammar), [`CheckError`] (it breaks a rule of the language) and [`CheckWarning`].

use thiserror::Error;

/// The rule text does not follow the grammar (stage `syntax`).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SyntaxError {
    /// The parser expected something else here.
    #[error("expected {expected}{}, found {found}", after.as_ref().map(|a| format!(" after \"{a}\"")).unwrap_or_default())]
    Expected {
        /// What would have been accepted, in plain words.
        expected: String,
        /// The token just before, if any.
        after: Option<String>,
        /// What is there instead (quoted), or `the end of the file`.
        found: String,
    },
    /// The file is larger than [`crate::limits::MAX_RULE_FILE_BYTES`].
    #[error("the rule file has {size} bytes, more than the limit of {limit}")]
    TooLarge {
        /// Size of the file in bytes.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Parentheses nest deeper than [`crate::limits::MAX_NESTING`].
    #[error("parentheses are nested more than {limit} deep")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// An `audience` expression with more than [`crate::limits::MAX_AUDIENCE_OPERATORS`]
    /// `not`, `and` and `or`.
    #[error("the audience expression has more than {limit} `not`, `and` and `or`; split the offer or simplify the condition")]
    TooComplex {
        /// The limit.
        limit: usize,
    },
    /// The first item is not the `ruleset` header.
    #[error("a rule file must start with its `ruleset \"NAME\" {{ ... }}` header")]
    MissingHeader,
    /// A second `ruleset` header.
    #[error("a second `ruleset` header; a rule file has exactly one")]
    SecondHeader,
    /// Text the grammar accepted but the syntax tree has no place for: a bug of the parser,
    /// reported rather than read as something else.
    #[error(
        "internal error: `{text}` was read where {what} was expected; please report this file"
    )]
    Unexpected {
        /// What the parser expected.
        what: &'static str,
        /// The text it met.
        text: String,
    },
    /// A number that does not fit.
    #[error("the number {text} is too large")]
    NumberTooLarge {
        /// The number as written.
        text: String,
    },
    /// A Chinese numeral that is not a count (`一一`).
    #[error("\"{text}\" is not a count; write digits or a numeral from 一 to 九十九")]
    BadCount {
        /// The numeral as written.
        text: String,
    },
    /// More offers than [`crate::limits::MAX_OFFERS`].
    #[error("the rule file has more than {limit} offers")]
    TooManyOffers {
        /// The limit.
        limit: usize,
    },
}

impl SyntaxError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            SyntaxError::Expected { .. } => "syntax",
            SyntaxError::TooLarge { .. } => "file_too_large",
            SyntaxError::TooDeep { .. } => "nesting_too_deep",
            SyntaxError::TooComplex { .. } => "expression_too_complex",
            SyntaxError::MissingHeader => "missing_header",
            SyntaxError::SecondHeader => "second_header",
            SyntaxError::Unexpected { .. } => "unexpected_syntax",
            SyntaxError::NumberTooLarge { .. } => "number_too_large",
            SyntaxError::BadCount { .. } => "bad_count",
            SyntaxError::TooManyOffers { .. } => "too_many_offers",
        }
    }
}

/// The rule text parses but breaks a rule of the language (stage `check`).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CheckError {
    /// A stage name the header does not declare.
    #[error("unknown stage \"{stage}\"; the header declares {declared}")]
    UnknownStage {
        /// The name used.
        stage: String,
        /// The declared stages, listed.
        declared: String,
    },
    /// An offer ID no offer has.
    #[error("unknown offer \"{id}\" in `{field}`")]
    UnknownOffer {
        /// The ID used.
        id: String,
        /// The field naming it.
        field: &'static str,
    },
    /// Two offers with one ID.
    #[error("duplicate offer ID \"{id}\" (first declared on line {first_line})")]
    DuplicateId {
        /// The ID.
        id: String,
        /// Where it was first declared.
        first_line: usize,
    },
    /// The header lists more than [`crate::limits::MAX_STAGES`] stages.
    #[error("the header lists more than {limit} stages")]
    TooManyStages {
        /// The limit.
        limit: usize,
    },
    /// A stage listed twice in `stages`.
    #[error("stage \"{stage}\" is declared twice")]
    DuplicateStage {
        /// The stage.
        stage: String,
    },
    /// A field given twice where only one is allowed.
    #[error("`{field}` is given twice; it may appear only once")]
    DuplicateField {
        /// The field keyword.
        field: &'static str,
    },
    /// A required field is missing.
    #[error("offer \"{id}\" has no `{field}`; it is required")]
    MissingField {
        /// The offer.
        id: String,
        /// The field keyword.
        field: &'static str,
    },
    /// Tier thresholds that do not strictly increase.
    #[error("tier thresholds must strictly increase: {next} comes after {prev}")]
    TiersNotIncreasing {
        /// The earlier threshold.
        prev: String,
        /// The later one.
        next: String,
    },
    /// Tiers mixing amount and item-count thresholds.
    #[error("tiers mix amount thresholds and item-count thresholds")]
    MixedTiers,
    /// A fixed amount off that is not below its threshold (`满50减60`).
    #[error("the amount off ({off}) must be below its threshold ({threshold})")]
    OffNotBelowThreshold {
        /// The amount off.
        off: String,
        /// The threshold.
        threshold: String,
    },
    /// A rate outside 0..100%.
    #[error("rate {rate} is outside 0% to 100% off")]
    RateOutOfRange {
        /// The rate as written.
        rate: String,
    },
    /// A `N折` rate with more than two digits before the point.
    #[error("\"{text}\" is not a rate: write one digit (8折 = 80%) or two digits (95折 = 95%) before 折")]
    BadZhe {
        /// The rate as written.
        text: String,
    },
    /// A rate between 0% and 100% off written with more than two decimals of a percent.
    #[error("rate {rate} is {pct_off}% off: a rate has at most two decimals of a percent (8.555折 = 14.45% off)")]
    RateTooPrecise {
        /// The rate as written.
        rate: String,
        /// The share off it means, in percent.
        pct_off: String,
    },
    /// An amount with more than two decimals, or beyond the money range.
    #[error("amount {text} {problem}")]
    BadAmount {
        /// The amount as written.
        text: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// A count that must be positive is zero (or otherwise out of its range).
    #[error("{what} must be {range}, found {value}")]
    CountOutOfRange {
        /// What the count is.
        what: &'static str,
        /// The allowed range in words.
        range: &'static str,
        /// The value found.
        value: String,
    },
    /// A date-time that does not exist.
    #[error("\"{text}\" is not a valid date and time")]
    BadDateTime {
        /// The text.
        text: String,
    },
    /// A timezone offset out of range.
    #[error("\"{text}\" is not a valid timezone offset (write it like +08:00)")]
    BadTimezone {
        /// The text.
        text: String,
    },
    /// A window that ends before it starts.
    #[error("this window ends ({end}) before it starts ({start})")]
    WindowReversed {
        /// Start as written.
        start: String,
        /// End as written.
        end: String,
    },
    /// The balance window opens before the deposit window closes.
    #[error("the balance window must start after the deposit window ends")]
    PresaleWindowsOverlap,
    /// `only_with` and `excludes` name the same offer.
    #[error("\"{id}\" is named in both `only_with` and `excludes`")]
    OnlyWithAndExcludes {
        /// The offer named twice.
        id: String,
    },
    /// An offer naming itself in `excludes` or `only_with`.
    #[error("an offer cannot name itself in `{field}`")]
    SelfReference {
        /// The field.
        field: &'static str,
    },
    /// A field that only makes sense with another benefit.
    #[error("`{field}` only applies to a {benefit} benefit")]
    FieldNeedsBenefit {
        /// The field.
        field: &'static str,
        /// The benefit kind it needs.
        benefit: &'static str,
    },
    /// A presale without its windows.
    #[error("a presale (定金…抵…) needs both `deposit_window` and `balance_window`")]
    PresaleWindowsMissing,
    /// A deposit worth less than it costs.
    #[error("the deposit ({deposit}) must be above zero and not worth less than it costs (worth {worth})")]
    BadDeposit {
        /// The deposit.
        deposit: String,
        /// What it is worth.
        worth: String,
    },
    /// An audience field that does not exist.
    #[error("unknown audience field `{field}`; use user.level, user.new, user.tags or channel")]
    UnknownField {
        /// The field.
        field: String,
    },
    /// An audience comparison of the wrong type.
    #[error("{problem}")]
    AudienceType {
        /// What is wrong, in words.
        problem: String,
    },
    /// Too many tiers in one benefit.
    #[error("a benefit has more than {limit} tiers")]
    TooManyTiers {
        /// The limit.
        limit: usize,
    },
}

impl CheckError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            CheckError::UnknownStage { .. } => "unknown_stage",
            CheckError::UnknownOffer { .. } => "unknown_offer",
            CheckError::DuplicateId { .. } => "duplicate_id",
            CheckError::DuplicateStage { .. } => "duplicate_stage",
            CheckError::TooManyStages { .. } => "too_many_stages",
            CheckError::DuplicateField { .. } => "duplicate_field",
            CheckError::MissingField { .. } => "missing_field",
            CheckError::TiersNotIncreasing { .. } => "tiers_not_increasing",
            CheckError::MixedTiers => "mixed_tiers",
            CheckError::OffNotBelowThreshold { .. } => "off_not_below_threshold",
            CheckError::RateOutOfRange { .. } => "rate_out_of_range",
            CheckError::BadZhe { .. } | CheckError::RateTooPrecise { .. } => "bad_rate",
            CheckError::BadAmount { .. } => "bad_amount",
            CheckError::CountOutOfRange { .. } => "count_out_of_range",
            CheckError::BadDateTime { .. } => "bad_datetime",
            CheckError::BadTimezone { .. } => "bad_timezone",
            CheckError::WindowReversed { .. } => "window_reversed",
            CheckError::PresaleWindowsOverlap => "presale_windows_overlap",
            CheckError::OnlyWithAndExcludes { .. } => "only_with_excludes",
            CheckError::SelfReference { .. } => "self_reference",
            CheckError::FieldNeedsBenefit { .. } => "field_needs_benefit",
            CheckError::PresaleWindowsMissing => "presale_windows_missing",
            CheckError::BadDeposit { .. } => "bad_deposit",
            CheckError::UnknownField { .. } => "unknown_field",
            CheckError::AudienceType { .. } => "audience_type",
            CheckError::TooManyTiers { .. } => "too_many_tiers",
        }
    }
}

/// Legal but probably not what was meant (stage `check`, not fatal).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CheckWarning {
    /// An `exclude` that removes everything a `scope` line selects.
    #[error("this `exclude` removes the whole scope `{scope}`; the offer can never apply to it")]
    ExcludeRemovesScope {
        /// The scope line, as written canonically.
        scope: String,
    },
    /// A `valid` window more than a year from every other offer's.
    #[error("this window is more than a year away from every other offer's; is the year a typo?")]
    WindowFarAway,
    /// A header stage no offer uses.
    #[error("stage \"{stage}\" is declared but no offer uses it")]
    UnusedStage {
        /// The stage.
        stage: String,
    },
}

impl CheckWarning {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            CheckWarning::ExcludeRemovesScope { .. } => "exclude_removes_scope",
            CheckWarning::WindowFarAway => "window_far_away",
            CheckWarning::UnusedStage { .. } => "unused_stage",
        }
    }
}
