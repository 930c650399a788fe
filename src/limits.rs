//! Documented limits. Input beyond them is refused with a clear error instead of being
//! allowed to exhaust memory, the stack or time.

/// Largest rule file accepted, in bytes (8 MiB).
pub const MAX_RULE_FILE_BYTES: usize = 8 * 1024 * 1024;
/// Most offers in one rule file.
pub const MAX_OFFERS: usize = 20_000;
/// Most tiers in one benefit.
pub const MAX_TIERS: usize = 1_000;
/// Deepest nesting of parentheses in an `audience` expression.
pub const MAX_NESTING: usize = 64;
/// Most `not`, `and` and `or` in one `audience` expression (its parentheses included). Real
/// audiences have a handful; the limit keeps every walk of the expression shallow.
pub const MAX_AUDIENCE_OPERATORS: usize = 256;
/// Most diagnostics one report keeps (errors first); the rest are counted.
pub const MAX_DIAGNOSTICS: usize = 100;
/// Most stages in a rule set's header.
pub const MAX_STAGES: usize = 64;
/// Most digits before the decimal point of a request amount ([`crate::money::MAX_MONEY_CENTS`] is
/// ten trillion yuan, 14 digits).
pub const MAX_AMOUNT_DIGITS: usize = 14;
/// Most lines in one cart.
pub const MAX_LINES: usize = 1_000;
/// Largest quantity of one line.
pub const MAX_QTY: u32 = 100_000;
/// Most units in one cart (the sum of quantities): group benefits (`第二件半价`, `买一送一`,
/// bundles) look at units one by one.
pub const MAX_CART_UNITS: u64 = 100_000;
/// Most conflict-free sets (of offers that exclude each other) one stacking choice
/// compares.
pub const MAX_CHOICES: usize = 128;
/// Longest request line `ask` reads (1 MiB); longer lines are refused unparsed.
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;
/// How long one query may take by default before it answers `budget_exceeded` (or, for a
/// quote whose stacking choice is not proven in time, the best choice found with
/// `"optimal": false`). [`crate::RuleSet::with_deadline`] changes it.
pub const DEFAULT_DEADLINE: std::time::Duration = std::time::Duration::from_secs(1);
/// Most coupons in one `best` wallet or one quote's selection.
pub const MAX_WALLET: usize = 100;
/// Most pairs of a cart line and an offer of the rule set one query considers (lines ×
/// offers): 1,000 lines against 2,000 offers. Bigger requests are refused up front instead
/// of running for minutes.
pub const MAX_LINE_OFFERS: usize = 2_000_000;
/// Most steps one `best` search takes before it answers `budget_exceeded` (on carts of up
/// to 64 lines; less in proportion above): lower bounds computed, including those of the
/// stacking choices it prices. A step costs a few µs on a 20-line cart, so the search gives
/// up on its step budget, the same way every time, well before the default deadline.
pub const MAX_BEST_WORK: usize = 50_000;
