//! Positions, diagnostics and their rustc-style rendering.
//!
//! Every stage reports problems as a kind ([`SyntaxError`], [`CheckError`], [`CheckWarning`])
//! plus a byte [`Span`]; a [`Report`] resolves the spans to line, column and source line once,
//! and renders them the way rustc does:
//!
//! ```text
//! error: expected an amount after "满", found "减"
//!  --> rules.promo:6:11
//!   |
//! 6 |   benefit 满减50
//!   |             ^
//! ```

use std::fmt;

use serde::Serialize;

use crate::lang::error::{CheckError, CheckWarning, SyntaxError};

/// A byte range in the rule text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
}

/// A value with the span it was written at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps `node` with `span`.
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

/// Whether a diagnostic stops compilation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The rule file is rejected.
    Error,
    /// Reported, not fatal.
    Warning,
}

/// What went wrong, by stage.
#[derive(Clone, Debug, PartialEq)]
pub enum DiagnosticKind {
    /// The text does not follow the grammar.
    Syntax(SyntaxError),
    /// The text parses but breaks a rule of the language.
    Check(CheckError),
    /// Legal but probably not what was meant.
    Warning(CheckWarning),
}

impl DiagnosticKind {
    /// A stable machine-readable code (`syntax`, `unknown_stage`, `duplicate_id`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            DiagnosticKind::Syntax(e) => e.code(),
            DiagnosticKind::Check(e) => e.code(),
            DiagnosticKind::Warning(w) => w.code(),
        }
    }

    /// Error or warning.
    pub fn severity(&self) -> Severity {
        match self {
            DiagnosticKind::Warning(_) => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

impl fmt::Display for DiagnosticKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiagnosticKind::Syntax(e) => e.fmt(f),
            DiagnosticKind::Check(e) => e.fmt(f),
            DiagnosticKind::Warning(w) => w.fmt(f),
        }
    }
}

/// A problem found before it has been placed in the source (internal to the pipeline).
#[derive(Clone, Debug)]
pub(crate) struct RawDiagnostic {
    pub kind: DiagnosticKind,
    pub span: Span,
    /// A hint: the name probably meant, or the likely slip (full-width digits, ...).
    pub help: Option<String>,
}

impl RawDiagnostic {
    pub fn syntax(e: SyntaxError, span: Span) -> Self {
        RawDiagnostic {
            kind: DiagnosticKind::Syntax(e),
            span,
            help: None,
        }
    }
    pub fn check(e: CheckError, span: Span) -> Self {
        RawDiagnostic {
            kind: DiagnosticKind::Check(e),
            span,
            help: None,
        }
    }
    /// The same diagnostic with a hint.
    pub fn with_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }
    pub fn warning(w: CheckWarning, span: Span) -> Self {
        RawDiagnostic {
            kind: DiagnosticKind::Warning(w),
            span,
            help: None,
        }
    }
}

/// One error or warning, placed in the source.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// What went wrong.
    pub kind: DiagnosticKind,
    /// Byte span in the source.
    pub span: Span,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// The source line the span starts on, without its line break; on a line longer than
    /// [`SOURCE_WINDOW`] characters, the part around the span, cut at either end with `…`.
    pub source_line: String,
    /// A hint (`did you mean "店铺"?`, `write ASCII digits`), shown as `= help:`.
    pub help: Option<String>,
    /// How many columns of the source line the caret covers (at least 1).
    caret_len: usize,
    /// Display width of the source line before the span (CJK characters count two).
    caret_offset: usize,
}

impl Diagnostic {
    /// Error or warning.
    pub fn severity(&self) -> Severity {
        self.kind.severity()
    }

    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The plain-words message (without position).
    pub fn message(&self) -> String {
        self.kind.to_string()
    }

    /// Renders this diagnostic rustc-style, naming `file`.
    pub fn render(&self, file: &str) -> String {
        let label = match self.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let num = self.line.to_string();
        let pad = " ".repeat(num.len());
        let help = self
            .help
            .as_ref()
            .map(|h| format!("{pad} = help: {h}\n"))
            .unwrap_or_default();
        format!(
            "{label}[{code}]: {msg}\n{pad}--> {file}:{line}:{col}\n{pad} |\n{num} | {src}\n{pad} | {sp}{carets}\n{help}",
            code = self.code(),
            msg = self.kind,
            line = self.line,
            col = self.column,
            src = self.source_line.replace('\t', "    "),
            sp = " ".repeat(self.caret_offset),
            carets = "^".repeat(self.caret_len),
        )
    }
}

/// The machine-readable form of a diagnostic (for `ask --check --format json`).
#[derive(Clone, Debug, Serialize)]
pub struct DiagnosticJson {
    /// `error` or `warning`.
    pub severity: Severity,
    /// Stable code.
    pub code: &'static str,
    /// Plain-words message.
    pub message: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// A hint, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

/// All diagnostics of one rule file, in source order, with the file name for rendering.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    file: String,
    diagnostics: Vec<Diagnostic>,
    /// Diagnostics found beyond [`crate::limits::MAX_DIAGNOSTICS`], counted, not kept.
    omitted: usize,
}

impl Report {
    pub(crate) fn new(file: &str, text: &str, mut raw: Vec<RawDiagnostic>) -> Report {
        raw.sort_by_key(|d| (d.span.start, d.kind.severity()));
        // Errors are kept before warnings when the list is cut, so a cut report still
        // shows why the file is refused.
        let limit = crate::limits::MAX_DIAGNOSTICS;
        let omitted = raw.len().saturating_sub(limit);
        if omitted > 0 {
            let mut errors_first: Vec<usize> = (0..raw.len()).collect();
            errors_first.sort_by_key(|&i| raw[i].kind.severity());
            let mut keep = vec![false; raw.len()];
            for &i in &errors_first[..limit] {
                keep[i] = true;
            }
            let mut k = keep.iter();
            raw.retain(|_| k.next().copied().unwrap_or(false));
        }
        let index = LineIndex::new(text);
        let diagnostics = raw.into_iter().map(|d| index.place(text, d)).collect();
        Report {
            file: file.to_string(),
            diagnostics,
            omitted,
        }
    }

    /// How many diagnostics were found beyond [`crate::limits::MAX_DIAGNOSTICS`] and left
    /// out of this report.
    pub fn omitted(&self) -> usize {
        self.omitted
    }

    /// The file name used in rendering.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Every diagnostic, in source order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
    }

    /// The warnings only.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Warning)
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }

    /// Machine-readable diagnostics.
    pub fn to_json(&self) -> Vec<DiagnosticJson> {
        self.diagnostics
            .iter()
            .map(|d| DiagnosticJson {
                severity: d.severity(),
                code: d.code(),
                message: d.message(),
                line: d.line,
                column: d.column,
                help: d.help.clone(),
            })
            .collect()
    }
}

impl fmt::Display for Report {
    /// Every diagnostic rendered rustc-style, then a summary line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.diagnostics {
            writeln!(f, "{}", d.render(&self.file))?;
        }
        let errors = self.errors().count();
        let warnings = self.warnings().count();
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        write!(
            f,
            "{}: {errors} error{}, {warnings} warning{}",
            self.file,
            plural(errors),
            plural(warnings)
        )?;
        if self.omitted > 0 {
            write!(f, " shown, {} more not shown", self.omitted)?;
        }
        Ok(())
    }
}

/// Byte offsets of line starts, for turning spans into line and column.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn place(&self, text: &str, d: RawDiagnostic) -> Diagnostic {
        let start = floor_char_boundary(text, d.span.start.min(text.len()));
        let end = floor_char_boundary(text, d.span.end.clamp(start, text.len()));
        let line_idx = self
            .starts
            .partition_point(|&s| s <= start)
            .saturating_sub(1);
        let line_start = self.starts.get(line_idx).copied().unwrap_or(0);
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |i| line_start + i);
        let source_line = text[line_start..line_end].trim_end_matches('\r');
        let column = text[line_start..start].chars().count() + 1;
        // A long line is shown around the span only: a diagnostic never copies more than
        // SOURCE_WINDOW characters of the source.
        let short = source_line.chars().nth(SOURCE_WINDOW).is_none();
        let from = if short {
            line_start
        } else {
            floor_char_boundary(
                text,
                start.saturating_sub(SOURCE_WINDOW / 2).max(line_start),
            )
        };
        let to = floor_char_boundary(
            text,
            (from + 4 * SOURCE_WINDOW).min(line_start + source_line.len()),
        );
        let mut shown: String = text[from..to].chars().take(SOURCE_WINDOW).collect();
        let cut_left = from > line_start;
        let cut_right = from + shown.len() < line_start + source_line.len();
        let before = &text[from..start.max(from)];
        let covered = &text[start..end.min(from + shown.len()).max(start)];
        if cut_right {
            shown.push('…');
        }
        if cut_left {
            shown.insert(0, '…');
        }
        Diagnostic {
            kind: d.kind,
            span: Span::new(start, end),
            line: line_idx + 1,
            column,
            source_line: shown,
            help: d.help,
            caret_len: display_width(covered).max(1),
            caret_offset: display_width(before) + usize::from(cut_left),
        }
    }
}

/// Most characters of a source line a diagnostic shows.
pub const SOURCE_WINDOW: usize = 256;

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Terminal columns of `s`: East Asian wide characters take two, tabs four.
pub(crate) fn display_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    match c as u32 {
        0x09 => 4,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_and_renders_with_caret_under_cjk() {
        let text = "ruleset \"x\" {\n}\nactivity a {\n  benefit 满减50\n}\n";
        let pos = text.find('减').unwrap();
        let raw = RawDiagnostic::syntax(
            SyntaxError::Expected {
                expected: "an amount".into(),
                after: Some("满".into()),
                found: "\"减\"".into(),
            },
            Span::new(pos, pos + '减'.len_utf8()),
        );
        let report = Report::new("rules.promo", text, vec![raw]);
        let d = &report.diagnostics()[0];
        assert_eq!((d.line, d.column), (4, 12));
        let out = d.render("rules.promo");
        assert_eq!(
            out,
            "error[syntax]: expected an amount after \"满\", found \"减\"\n --> rules.promo:4:12\n  |\n4 |   benefit 满减50\n  |             ^^\n"
        );
    }
}
