//! Rule text → AST: the pest grammar, error recovery and the Pratt parser for `audience`.
//!
//! The whole file is parsed in one pest call. When that fails, the file is cut into its
//! top-level blocks (the header and each offer) and every block is parsed on its own, so one
//! bad offer does not hide the errors of the others. pest's detailed parse attempts are used
//! to say what was expected in plain words (`expected an amount after "满", found "减"`).

use std::cell::RefCell;
use std::str::FromStr;
use std::sync::{Mutex, OnceLock};

use pest::error::InputLocation;
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser as _;
use rust_decimal::Decimal;

use crate::lang::ast::*;
use crate::lang::diagnostic::{RawDiagnostic, Span, Spanned};
use crate::lang::error::SyntaxError;
use crate::limits::{MAX_AUDIENCE_OPERATORS, MAX_NESTING, MAX_OFFERS, MAX_RULE_FILE_BYTES};
use crate::money::Rounding;

mod build;
mod messages;

use build::*;
use messages::*;

/// The grammar source, as compiled into the parser.
pub const GRAMMAR: &str = include_str!("../../../grammar/youhui.pest");

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/youhui.pest"]
struct RuleParser;

type P<'i> = Pair<'i, Rule>;

/// Parses rule text into an AST plus the syntax errors found.
pub(crate) fn parse(text: &str) -> (File, Vec<RawDiagnostic>) {
    if text.len() > MAX_RULE_FILE_BYTES {
        let e = SyntaxError::TooLarge {
            size: text.len(),
            limit: MAX_RULE_FILE_BYTES,
        };
        return (
            File::default(),
            vec![RawDiagnostic::syntax(e, Span::new(0, 0))],
        );
    }
    if let Some(pos) = too_deep(text) {
        let e = SyntaxError::TooDeep { limit: MAX_NESTING };
        return (
            File::default(),
            vec![RawDiagnostic::syntax(e, Span::new(pos, pos + 1))],
        );
    }
    let builder = Builder {
        diags: RefCell::new(Vec::new()),
        offset: 0,
    };
    let file = match RuleParser::parse(Rule::file, text) {
        Ok(mut pairs) => {
            let mut file = File::default();
            for p in pairs.next().into_iter().flat_map(|f| f.into_inner()) {
                match p.as_rule() {
                    Rule::header => file.header = Some(builder.header(p)),
                    Rule::offer => file.offers.push(builder.offer(p)),
                    _ => {}
                }
            }
            file
        }
        Err(err) => {
            let (file, recovered) = recover(text, err);
            builder.diags.borrow_mut().extend(recovered);
            file
        }
    };
    let mut diags = builder.diags.into_inner();
    if file.offers.len() > MAX_OFFERS {
        let span = file
            .offers
            .get(MAX_OFFERS)
            .map_or(Span::default(), |o| o.span);
        diags.push(RawDiagnostic::syntax(
            SyntaxError::TooManyOffers { limit: MAX_OFFERS },
            span,
        ));
    }
    (file, diags)
}

/// Parses block by block after the whole-file parse failed, collecting every block's errors.
fn recover(text: &str, whole: pest::error::Error<Rule>) -> (File, Vec<RawDiagnostic>) {
    let _detail = DetailGuard::new();
    let mut file = File::default();
    let mut diags = Vec::new();
    for (i, (start, end)) in split_blocks(text).into_iter().enumerate() {
        let block = &text[start..end];
        let is_header = first_word(block) == "ruleset";
        if i == 0 && !is_header {
            diags.push(RawDiagnostic::syntax(
                SyntaxError::MissingHeader,
                Span::new(start, start),
            ));
        }
        if i > 0 && is_header {
            let span = Span::new(start, start + "ruleset".len());
            diags.push(RawDiagnostic::syntax(SyntaxError::SecondHeader, span));
            continue;
        }
        let rule = if is_header {
            Rule::header_entry
        } else {
            Rule::offer_entry
        };
        let builder = Builder {
            diags: RefCell::new(Vec::new()),
            offset: start,
        };
        match RuleParser::parse(rule, block) {
            Ok(pairs) => {
                for p in pairs.flat_map(|p| p.into_inner()) {
                    match p.as_rule() {
                        Rule::header => file.header = Some(builder.header(p)),
                        Rule::offer => file.offers.push(builder.offer(p)),
                        _ => {}
                    }
                }
            }
            Err(err) => diags.push(pest_error(text, start, &err)),
        }
        diags.extend(builder.diags.into_inner());
    }
    if diags.is_empty() {
        // Every block parses alone but the file does not: report the whole-file error,
        // parsed again now that detailed attempts are on.
        let err = RuleParser::parse(Rule::file, text).err().unwrap_or(whole);
        diags.push(pest_error(text, 0, &err));
    }
    (file, diags)
}

/// Parses one benefit phrase alone (nothing else may follow it) into its AST; spans point
/// into `phrase`.
pub(crate) fn parse_benefit(phrase: &str) -> (Option<Benefit>, Vec<RawDiagnostic>) {
    if phrase.len() > MAX_RULE_FILE_BYTES {
        let e = SyntaxError::TooLarge {
            size: phrase.len(),
            limit: MAX_RULE_FILE_BYTES,
        };
        return (None, vec![RawDiagnostic::syntax(e, Span::new(0, 0))]);
    }
    let builder = Builder {
        diags: RefCell::new(Vec::new()),
        offset: 0,
    };
    match RuleParser::parse(Rule::benefit_entry, phrase) {
        Ok(mut pairs) => {
            let b = pairs
                .next()
                .and_then(|entry| entry.into_inner().find(|p| p.as_rule() == Rule::benefit));
            let benefit = builder.benefit(b);
            (Some(benefit), builder.diags.into_inner())
        }
        Err(err) => {
            let _detail = DetailGuard::new();
            let err = RuleParser::parse(Rule::benefit_entry, phrase)
                .err()
                .unwrap_or(err);
            (None, vec![pest_error(phrase, 0, &err)])
        }
    }
}

/// Keeps pest's process-wide "error detail" switch on while any thread is reporting errors.
///
/// Detailed parse attempts make the "expected ..., found ..." messages precise but halve the
/// parser's speed, so they are collected only when re-parsing a file that failed. pest reads
/// the switch when a parse starts; counting users means no thread turns it off under another.
struct DetailGuard;

static DETAIL_USERS: Mutex<usize> = Mutex::new(0);

impl DetailGuard {
    fn new() -> Self {
        let mut n = DETAIL_USERS.lock().unwrap_or_else(|e| e.into_inner());
        *n += 1;
        pest::set_error_detail(true);
        DetailGuard
    }
}

impl Drop for DetailGuard {
    fn drop(&mut self) {
        let mut n = DETAIL_USERS.lock().unwrap_or_else(|e| e.into_inner());
        *n = n.saturating_sub(1);
        if *n == 0 {
            pest::set_error_detail(false);
        }
    }
}

/// Cuts the text into top-level blocks: from a first word to its matching `}`. A line that
/// starts with `activity`, `coupon` or `ruleset` also starts a new block, so a missing `}`
/// does not swallow the rest of the file.
fn split_blocks(text: &str) -> Vec<(usize, usize)> {
    let mut blocks = Vec::new();
    let mut start: Option<usize> = None;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut in_comment = false;
    let mut line_start = true;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if in_comment {
            if c == '\n' {
                in_comment = false;
                line_start = true;
            }
            continue;
        }
        if in_string {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' | '\n' => in_string = false,
                _ => {}
            }
            if c == '\n' {
                line_start = true;
            }
            continue;
        }
        if c.is_whitespace() {
            if c == '\n' {
                line_start = true;
            }
            continue;
        }
        if line_start && start.is_some() && depth > 0 {
            let w = first_word(&text[i..]);
            if matches!(w, "activity" | "coupon" | "ruleset") {
                if let Some(s) = start.take() {
                    blocks.push((s, i));
                }
                depth = 0;
            }
        }
        line_start = false;
        if c == '#' {
            // A comment belongs to no block (a file may well start with one).
            in_comment = true;
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' => depth += 1,
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    if let Some(s) = start.take() {
                        blocks.push((s, i + 1));
                        continue;
                    }
                }
            }
            _ => {}
        }
        if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        blocks.push((s, text.len()));
    }
    blocks
}

fn first_word(s: &str) -> &str {
    let end = s
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
        .map_or(s.len(), |(i, _)| i);
    &s[..end]
}

/// Position of the first `(` nested deeper than the limit, outside strings and comments.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_comment {
            in_comment = c != '\n';
        } else if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' || c == '\n' {
                in_string = false;
            }
        } else {
            match c {
                '#' => in_comment = true,
                '"' => in_string = true,
                '(' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Some(i);
                    }
                }
                ')' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    None
}

// ------------------------------------------------------------------ pest errors

fn kids(p: P<'_>) -> impl Iterator<Item = P<'_>> {
    p.into_inner().filter(|c| !is_keyword(c.as_rule()))
}

/// The `not`, `and` and `or` of an audience expression, parenthesised ones included
/// (parentheses nest at most [`MAX_NESTING`] deep, so this recursion is bounded).
fn operators(e: &P<'_>) -> usize {
    e.clone()
        .into_inner()
        .map(|p| match p.as_rule() {
            Rule::op_not | Rule::op_and | Rule::op_or => 1,
            Rule::expr => operators(&p),
            _ => 0,
        })
        .sum()
}

fn pratt() -> &'static PrattParser<Rule> {
    static PRATT: OnceLock<PrattParser<Rule>> = OnceLock::new();
    PRATT.get_or_init(|| {
        PrattParser::new()
            .op(Op::infix(Rule::op_or, Assoc::Left))
            .op(Op::infix(Rule::op_and, Assoc::Left))
            .op(Op::prefix(Rule::op_not))
    })
}

/// `N折` as a percentage off: one digit before the point means tenths (`8折` = pay 80%),
/// two digits mean percent (`95折` = pay 95%). Returns `(pct_off, malformed)`.
fn zhe_to_pct_off(num: &str) -> (Decimal, bool) {
    let int_digits = num.split('.').next().map_or(0, str::len);
    let Ok(d) = Decimal::from_str(num) else {
        return (Decimal::ZERO, true);
    };
    let pay = match int_digits {
        1 => d * Decimal::TEN,
        2 => d,
        _ => return (Decimal::ZERO, true),
    };
    ((Decimal::ONE_HUNDRED - pay).normalize(), false)
}

/// Chinese numerals from 一 to 九十九 (`两` = 2, `十二` = 12, `二十` = 20).
fn chinese_count(s: &str) -> Option<u64> {
    let digit = |c: char| -> Option<u64> {
        Some(match c {
            '零' => 0,
            '一' => 1,
            '二' | '两' => 2,
            '三' => 3,
            '四' => 4,
            '五' => 5,
            '六' => 6,
            '七' => 7,
            '八' => 8,
            '九' => 9,
            _ => return None,
        })
    };
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [d] if *d != '十' => digit(*d),
        ['十'] => Some(10),
        ['十', u] => Some(10 + digit(*u)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', u] => Some(digit(*t)? * 10 + digit(*u)?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_counts() {
        assert_eq!(chinese_count("二"), Some(2));
        assert_eq!(chinese_count("两"), Some(2));
        assert_eq!(chinese_count("十"), Some(10));
        assert_eq!(chinese_count("十二"), Some(12));
        assert_eq!(chinese_count("三十"), Some(30));
        assert_eq!(chinese_count("九十九"), Some(99));
        assert_eq!(chinese_count("一一"), None);
    }

    #[test]
    fn zhe_rates() {
        assert_eq!(zhe_to_pct_off("8"), (Decimal::from(20), false));
        assert_eq!(zhe_to_pct_off("8.5"), (Decimal::from(15), false));
        assert_eq!(zhe_to_pct_off("95"), (Decimal::from(5), false));
        assert_eq!(zhe_to_pct_off("0"), (Decimal::from(100), false));
        assert!(zhe_to_pct_off("105").1);
    }

    #[test]
    fn blocks_split_at_braces_and_offer_lines() {
        let t = "ruleset \"a{\" {\n}\nactivity x {\n stage a\nactivity y { }\n";
        let b = split_blocks(t);
        assert_eq!(b.len(), 3);
        assert!(t[b[1].0..b[1].1].starts_with("activity x"));
        assert!(t[b[2].0..b[2].1].starts_with("activity y"));
    }
}
