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

/// The grammar source, as compiled into the parser.
pub const GRAMMAR: &str = include_str!("../../grammar/youhui.pest");

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

/// Turns a pest error into a plain-words diagnostic. `offset` places `input` in the file.
fn pest_error(input: &str, offset: usize, err: &pest::error::Error<Rule>) -> RawDiagnostic {
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
fn slip_hint(input: &str, pos: usize, expected: &[String]) -> Option<String> {
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

const OFFER_FIELD: &str = "an offer field (stage, benefit, scope, exclude, valid, audience, limit, stock, exclusive, excludes, only_with, priority, threshold, deposit_window, balance_window, group_hours, title_en)";
const HEADER_FIELD: &str = "a header field (currency, timezone, rounding, stages, stage NAME max N, refund, threshold_base)";
const OFFER_FIELDS: [&str; 17] = [
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
const HEADER_FIELDS: [&str; 6] = [
    "currency",
    "timezone",
    "rounding",
    "stages",
    "refund",
    "threshold_base",
];
const A_BENEFIT: &str =
    "a benefit phrase (满300减50, 每满300减50, 8折, 第二件半价, spend 300 off 50, ...)";
const AN_OFFER: &str = "an offer (`activity` or `coupon`)";
const THE_HEADER: &str = "the `ruleset \"NAME\" { ... }` header";
/// Descriptions of whole constructs: shown only when nothing more precise is known.
const COARSE: [&str; 3] = [A_BENEFIT, AN_OFFER, THE_HEADER];

const AN_AMOUNT: &str = "an amount";
const A_COUNT: &str = "a count";

/// Plain words for the rules a user can be told were expected.
fn describe(rule: Rule) -> Option<&'static str> {
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
fn is_noise(token: &str) -> bool {
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

fn dedup_in_order(v: &mut Vec<String>) {
    let mut seen = std::collections::BTreeSet::new();
    v.retain(|w| seen.insert(w.clone()));
}

fn join_or(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn char_class(c: char) -> u8 {
    if c.is_ascii_alphanumeric() || c == '_' {
        0
    } else if is_han(c) {
        1
    } else {
        2
    }
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFD)
}

/// The token at `pos` as shown in a message (a quoted word, CJK character or other
/// character; `a line break`; `the end of the file`) and its length in bytes.
fn found_at(input: &str, pos: usize) -> (String, usize) {
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
fn token_before(input: &str, pos: usize) -> Option<String> {
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

fn is_keyword(r: Rule) -> bool {
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

fn kids(p: P<'_>) -> impl Iterator<Item = P<'_>> {
    p.into_inner().filter(|c| !is_keyword(c.as_rule()))
}

/// Turns pest pairs into AST nodes; `offset` places a block's pairs in the whole file.
struct Builder {
    diags: RefCell<Vec<RawDiagnostic>>,
    offset: usize,
}

impl Builder {
    fn span(&self, p: &P<'_>) -> Span {
        let s = p.as_span();
        Span::new(self.offset + s.start(), self.offset + s.end())
    }

    fn error(&self, e: SyntaxError, span: Span) {
        self.diags.borrow_mut().push(RawDiagnostic::syntax(e, span));
    }

    fn name(&self, p: P<'_>) -> Name {
        Spanned::new(p.as_str().to_string(), self.span(&p))
    }

    fn string(&self, p: P<'_>) -> Spanned<String> {
        let span = self.span(&p);
        let raw = p.into_inner().next().map_or("", |s| s.as_str());
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else {
                out.push(c);
            }
        }
        Spanned::new(out, span)
    }

    fn uint(&self, p: P<'_>) -> Count {
        let span = self.span(&p);
        let n = p.as_str().parse::<u64>().unwrap_or_else(|_| {
            self.error(
                SyntaxError::NumberTooLarge {
                    text: p.as_str().into(),
                },
                span,
            );
            0
        });
        Spanned::new(n, span)
    }

    fn int(&self, p: P<'_>) -> i64 {
        p.as_str().parse::<i64>().unwrap_or_else(|_| {
            self.error(
                SyntaxError::NumberTooLarge {
                    text: p.as_str().into(),
                },
                self.span(&p),
            );
            0
        })
    }

    fn count(&self, p: P<'_>) -> Count {
        let span = self.span(&p);
        let text = p.as_str();
        // On error the count becomes 1, a value no later check objects to, so one mistake
        // gives one error.
        let n = if text.bytes().all(|b| b.is_ascii_digit()) {
            text.parse::<u64>().unwrap_or_else(|_| {
                self.error(SyntaxError::NumberTooLarge { text: text.into() }, span);
                1
            })
        } else {
            chinese_count(text).unwrap_or_else(|| {
                self.error(SyntaxError::BadCount { text: text.into() }, span);
                1
            })
        };
        Spanned::new(n, span)
    }

    fn decimal(&self, p: &P<'_>, text: &str) -> Num {
        let span = self.span(p);
        let d = Decimal::from_str(text).unwrap_or_else(|_| {
            self.error(SyntaxError::NumberTooLarge { text: text.into() }, span);
            Decimal::ZERO
        });
        Spanned::new(d, span)
    }

    fn amount(&self, p: P<'_>) -> Num {
        let t = p
            .as_str()
            .trim_start_matches(['¥', '￥'])
            .trim_end_matches('元');
        self.decimal(&p, t)
    }

    fn pct_rate(&self, p: P<'_>) -> RateAst {
        let n = self.decimal(&p, p.as_str());
        RateAst {
            pct_off: n.node,
            text: format!("pct_off {}", p.as_str()),
            span: n.span,
            bad_zhe: false,
        }
    }

    /// `rate` = `zhe` | `half_price` | `free_price`, as a percentage off.
    fn rate(&self, p: P<'_>) -> RateAst {
        let span = self.span(&p);
        let text = p.as_str().to_string();
        let inner = p.into_inner().next();
        let (pct_off, bad_zhe) = match inner.as_ref().map(|i| i.as_rule()) {
            Some(Rule::zhe) => zhe_to_pct_off(text.trim_end_matches('折')),
            Some(Rule::half_price) => (Decimal::from(50), false),
            _ => (Decimal::ONE_HUNDRED, false),
        };
        RateAst {
            pct_off,
            text,
            span,
            bad_zhe,
        }
    }

    fn header(&self, p: P<'_>) -> Header {
        let span = self.span(&p);
        let mut it = kids(p);
        let name = it
            .next()
            .map(|s| self.string(s))
            .unwrap_or_else(|| Spanned::new(String::new(), span));
        let fields = it
            .map(|f| Spanned::new(self.header_field(f.clone()), self.span(&f)))
            .collect();
        Header { name, fields }
    }

    fn header_field(&self, p: P<'_>) -> HeaderField {
        let rule = p.as_rule();
        let mut it = kids(p);
        let mut next = || it.next();
        match rule {
            Rule::h_currency => {
                HeaderField::Currency(next().map_or_else(String::new, |v| v.as_str().into()))
            }
            Rule::h_timezone => {
                HeaderField::Timezone(next().map_or_else(String::new, |v| v.as_str().into()))
            }
            Rule::h_rounding => HeaderField::Rounding(match next().map(|v| v.as_str()) {
                Some("half_even") => Rounding::HalfEven,
                Some("down") => Rounding::Down,
                Some("up") => Rounding::Up,
                _ => Rounding::HalfUp,
            }),
            Rule::h_stages => HeaderField::Stages(it.map(|s| self.name(s)).collect()),
            Rule::h_stage_max => {
                let stage = next()
                    .map(|s| self.name(s))
                    .unwrap_or_else(|| Spanned::new(String::new(), Span::default()));
                let n = next()
                    .map(|n| self.uint(n))
                    .unwrap_or_else(|| Spanned::new(0, Span::default()));
                HeaderField::StageMax(stage, n)
            }
            Rule::h_refund => HeaderField::Refund(match next().map(|v| v.as_str()) {
                Some("recompute") => RefundPolicy::Recompute,
                _ => RefundPolicy::Apportioned,
            }),
            _ => HeaderField::ThresholdBase(
                next().map_or(ThresholdMode::Sequential, |m| self.threshold_mode(m)),
            ),
        }
    }

    fn threshold_mode(&self, p: P<'_>) -> ThresholdMode {
        let mut it = p.into_inner();
        match (it.next().map(|m| m.as_rule()), it.next()) {
            (Some(Rule::mode_original), _) => ThresholdMode::Original,
            (Some(Rule::mode_after), Some(stage)) => ThresholdMode::After(self.name(stage)),
            _ => ThresholdMode::Sequential,
        }
    }

    fn offer(&self, p: P<'_>) -> Offer {
        let span = self.span(&p);
        let mut it = kids(p);
        let kind = match it.next().map(|k| k.as_str()) {
            Some("coupon") => OfferKind::Coupon,
            _ => OfferKind::Activity,
        };
        let id = it
            .next()
            .map(|i| self.name(i))
            .unwrap_or_else(|| Spanned::new(String::new(), span));
        let mut title = id.node.clone();
        let mut fields = Vec::new();
        for f in it {
            if f.as_rule() == Rule::string {
                title = self.string(f).node;
            } else {
                let fspan = self.span(&f);
                fields.push(Spanned::new(self.offer_field(f), fspan));
            }
        }
        Offer {
            kind,
            id,
            title,
            fields,
            span,
        }
    }

    fn offer_field(&self, p: P<'_>) -> OfferField {
        let rule = p.as_rule();
        let span = self.span(&p);
        let mut it = kids(p);
        let first = it.next();
        let empty = || Spanned::new(String::new(), span);
        match rule {
            Rule::f_stage => OfferField::Stage(first.map_or_else(empty, |s| self.name(s))),
            Rule::f_benefit => OfferField::Benefit(self.benefit(first)),
            Rule::f_scope => OfferField::Scope(self.scope(first)),
            Rule::f_exclude => OfferField::Exclude(self.scope(first)),
            Rule::f_valid => OfferField::Valid(self.window(first, span)),
            Rule::f_deposit_window => OfferField::DepositWindow(self.window(first, span)),
            Rule::f_balance_window => OfferField::BalanceWindow(self.window(first, span)),
            Rule::f_audience => OfferField::Audience(match first {
                None => Expr::Flag(empty()),
                // The Pratt parser and every later walk recurse once per operator: count them
                // on the flat pairs first, so no expression can exhaust the stack.
                Some(e) if operators(&e) > MAX_AUDIENCE_OPERATORS => {
                    self.error(
                        SyntaxError::TooComplex {
                            limit: MAX_AUDIENCE_OPERATORS,
                        },
                        self.span(&e),
                    );
                    // A valid stand-in, so the refused expression causes no second error.
                    Expr::Flag(Spanned::new("user.new".to_string(), self.span(&e)))
                }
                Some(e) => self.expr(e),
            }),
            Rule::f_limit => {
                let per_qty = first.as_ref().is_some_and(|k| k.as_str() == "per_user_qty");
                let n = it.next().map_or(Spanned::new(0, span), |n| self.uint(n));
                if per_qty {
                    OfferField::LimitPerUserQty(n)
                } else {
                    OfferField::LimitPerUser(n)
                }
            }
            Rule::f_stock => OfferField::Stock,
            Rule::f_exclusive => OfferField::Exclusive,
            Rule::f_excludes => {
                OfferField::Excludes(first.into_iter().chain(it).map(|n| self.name(n)).collect())
            }
            Rule::f_only_with => {
                OfferField::OnlyWith(first.into_iter().chain(it).map(|n| self.name(n)).collect())
            }
            Rule::f_priority => OfferField::Priority(first.map_or(0, |n| self.int(n))),
            Rule::f_threshold => OfferField::Threshold(
                first.map_or(ThresholdMode::Sequential, |m| self.threshold_mode(m)),
            ),
            Rule::f_title_en => OfferField::TitleEn(
                first.map_or_else(|| Spanned::new(String::new(), span), |s| self.string(s)),
            ),
            _ => OfferField::GroupHours(first.map_or(Spanned::new(0, span), |n| self.uint(n))),
        }
    }

    fn window(&self, p: Option<P<'_>>, span: Span) -> Window {
        let mut parts = p
            .into_iter()
            .flat_map(kids)
            .map(|d| Spanned::new(d.as_str().to_string(), self.span(&d)));
        let empty = Spanned::new(String::new(), span);
        let start = parts.next().unwrap_or_else(|| empty.clone());
        let end = parts.next().unwrap_or(empty);
        Window { start, end }
    }

    fn scope(&self, p: Option<P<'_>>) -> ScopeSel {
        let mut it = p.into_iter().flat_map(|p| p.into_inner());
        match it.next() {
            Some(d) if d.as_rule() == Rule::scope_dim => {
                let dim = match d.as_str() {
                    "shop" => Dim::Shop,
                    "category" => Dim::Category,
                    "sku" => Dim::Sku,
                    _ => Dim::Tag,
                };
                ScopeSel::Values(dim, it.map(|s| self.string(s).node).collect())
            }
            _ => ScopeSel::All,
        }
    }

    fn expr(&self, p: P<'_>) -> Expr {
        pratt()
            .map_primary(|prim| match prim.as_rule() {
                Rule::expr => self.expr(prim),
                Rule::comparison => {
                    let mut it = prim.into_inner();
                    let field = it.next().map(|f| self.name(f));
                    let op = it.next().map(|o| o.as_str());
                    let val = it.next();
                    let op = match op {
                        Some("==") => CmpOp::Eq,
                        Some("!=") => CmpOp::Ne,
                        Some("<") => CmpOp::Lt,
                        Some("<=") => CmpOp::Le,
                        Some(">") => CmpOp::Gt,
                        _ => CmpOp::Ge,
                    };
                    let value = match val {
                        Some(v) => {
                            let span = self.span(&v);
                            let value = match v.as_rule() {
                                Rule::string => Value::Str(self.string(v).node),
                                Rule::boolean => Value::Bool(v.as_str() == "true"),
                                _ => Value::Int(self.int(v)),
                            };
                            Spanned::new(value, span)
                        }
                        None => Spanned::new(Value::Bool(true), Span::default()),
                    };
                    let field =
                        field.unwrap_or_else(|| Spanned::new(String::new(), Span::default()));
                    Expr::Compare(field, op, value)
                }
                Rule::has_test => {
                    let mut it = kids(prim);
                    let field = it.next().map_or_else(
                        || Spanned::new(String::new(), Span::default()),
                        |f| self.name(f),
                    );
                    let value = it.next().map_or_else(
                        || Spanned::new(String::new(), Span::default()),
                        |s| self.string(s),
                    );
                    Expr::Has(field, value)
                }
                _ => Expr::Flag(prim.into_inner().next().map_or_else(
                    || Spanned::new(String::new(), Span::default()),
                    |f| self.name(f),
                )),
            })
            .map_prefix(|_op, rhs| Expr::Not(Box::new(rhs)))
            .map_infix(|lhs, op, rhs| match op.as_rule() {
                Rule::op_and => Expr::And(Box::new(lhs), Box::new(rhs)),
                _ => Expr::Or(Box::new(lhs), Box::new(rhs)),
            })
            .parse(p.into_inner())
    }

    fn benefit(&self, p: Option<P<'_>>) -> Benefit {
        let Some(b) = p.and_then(|p| p.into_inner().next()) else {
            return Benefit::FreeShipping(None);
        };
        let rule = b.as_rule();
        let parts: Vec<P<'_>> = b.into_inner().collect();
        // Each number is converted once, so a bad one is reported once.
        let amounts: Vec<Num> = parts
            .iter()
            .filter(|p| p.as_rule() == Rule::amount)
            .map(|p| self.amount(p.clone()))
            .collect();
        let counts: Vec<Count> = parts
            .iter()
            .filter(|p| p.as_rule() == Rule::count)
            .map(|p| self.count(p.clone()))
            .collect();
        let amount_at = |i: usize| {
            amounts
                .get(i)
                .cloned()
                .unwrap_or_else(|| Spanned::new(Decimal::ZERO, Span::default()))
        };
        let count_at = |i: usize| {
            counts
                .get(i)
                .cloned()
                .unwrap_or_else(|| Spanned::new(0, Span::default()))
        };
        let rate_of = |p: Option<&P<'_>>| match p {
            Some(r) if r.as_rule() == Rule::pct => self.pct_rate(r.clone()),
            Some(r) => self.rate(r.clone()),
            None => RateAst {
                pct_off: Decimal::ZERO,
                text: String::new(),
                span: Span::default(),
                bad_zhe: false,
            },
        };
        let rate_part = || {
            parts
                .iter()
                .find(|p| matches!(p.as_rule(), Rule::rate | Rule::pct))
        };
        match rule {
            Rule::tiered => Benefit::Tiered(parts.into_iter().map(|t| self.tier(t)).collect()),
            Rule::every_n => Benefit::EveryN {
                step: amount_at(0),
                off: amount_at(1),
                cap: amounts.get(2).cloned(),
            },
            Rule::free_shipping => Benefit::FreeShipping(amounts.first().cloned()),
            Rule::gift => {
                let name = parts
                    .iter()
                    .find(|p| p.as_rule() == Rule::string)
                    .map(|s| self.string(s.clone()).node);
                Benefit::Gift(amounts.first().cloned(), name.unwrap_or_default())
            }
            Rule::bundle => Benefit::Bundle(count_at(0), amount_at(0)),
            Rule::nth => Benefit::Nth(count_at(0), rate_of(rate_part())),
            Rule::buy_get => Benefit::BuyGet(count_at(0), count_at(1)),
            Rule::unit_off => Benefit::UnitOff(amount_at(0)),
            Rule::unit_price => Benefit::UnitPrice(amount_at(0)),
            Rule::deposit => Benefit::Deposit(amount_at(0), amount_at(1)),
            Rule::group_buy => Benefit::GroupBuy(amount_at(0), count_at(0)),
            _ => Benefit::PctOff(rate_of(rate_part())),
        }
    }

    fn tier(&self, p: P<'_>) -> Tier {
        let span = self.span(&p);
        let mut at = TierAt::Amount(Spanned::new(Decimal::ZERO, span));
        let mut reward = Reward::Off(Spanned::new(Decimal::ZERO, span));
        for part in p.into_inner() {
            let inner = part.clone().into_inner().next();
            match (part.as_rule(), inner) {
                (Rule::item_count, Some(items)) => {
                    if let Some(c) = items.into_inner().next() {
                        at = TierAt::Items(self.count(c));
                    }
                }
                (Rule::tier_items, Some(c)) => at = TierAt::Items(self.count(c)),
                (Rule::tier_amount, Some(a)) => at = TierAt::Amount(self.amount(a)),
                (Rule::reward_off, Some(a)) => reward = Reward::Off(self.amount(a)),
                (Rule::reward_rate, Some(r)) => reward = Reward::Rate(self.rate(r)),
                (Rule::reward_pct, Some(r)) => reward = Reward::Rate(self.pct_rate(r)),
                _ => {}
            }
        }
        Tier { at, reward, span }
    }
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
