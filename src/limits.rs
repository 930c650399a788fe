//! Documented limits. Input beyond them is refused with a clear error instead of being
//! allowed to exhaust memory, the stack or time.

/// Largest rule file accepted, in bytes (8 MiB).
pub const MAX_RULE_FILE_BYTES: usize = 8 * 1024 * 1024;
/// Most offers in one rule file.
pub const MAX_OFFERS: usize = 100_000;
/// Most tiers in one benefit.
pub const MAX_TIERS: usize = 1_000;
/// Deepest nesting of parentheses in an `audience` expression.
pub const MAX_NESTING: usize = 64;
