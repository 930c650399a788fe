//! `youhui fmt`: lays out rule text the way it was written, only tidier.
//!
//! Comments, the author's phrases (`满300减50`, `第二件半价`), the order of fields and the
//! choice of line breaks all stay; what changes is layout: two spaces of indentation per
//! open brace, no trailing spaces, runs of spaces between tokens collapsed to one (strings,
//! comments and the spaces that align a trailing comment untouched), at most one blank line
//! in a row, one line break at the end.
//! Laying out a file again changes nothing, and its meaning (the fingerprint) never changes.
//! [`crate::RuleSet::to_rule_text`] is the other formatter: the canonical text, which
//! spells every benefit one way.

/// The tidied layout of `text` (see the module docs). Text that does not parse should not
/// be laid out: check it first, so a broken file is reported, not rearranged.
///
/// ```
/// let messy = "# 店铺规则\nruleset \"店\" {\n stages   店铺\n}\n\n\n\nactivity a \"满减\" {\nstage 店铺   # 店铺级\n    benefit 满300减50\n}";
/// let tidy = youhui::language::layout_rule_text(messy);
/// assert_eq!(tidy, "# 店铺规则\nruleset \"店\" {\n  stages 店铺\n}\n\nactivity a \"满减\" {\n  stage 店铺   # 店铺级\n  benefit 满300减50\n}\n");
/// assert_eq!(youhui::language::layout_rule_text(&tidy), tidy);
/// ```
pub fn layout_rule_text(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut depth = 0usize;
    let mut blank_run = 0usize;
    for raw in text.lines() {
        let line = tidy_line(raw.trim());
        if line.is_empty() {
            blank_run += 1;
            continue;
        }
        // A blank line is kept between lines (never at the top, never two in a row).
        if blank_run > 0 && !out.is_empty() {
            out.push('\n');
        }
        blank_run = 0;
        let (opens, closes_first) = braces(&line);
        let indent = depth.saturating_sub(closes_first);
        for _ in 0..indent {
            out.push_str("  ");
        }
        out.push_str(&line);
        out.push('\n');
        depth = (depth as isize + opens).max(0) as usize;
    }
    out
}

/// One line with runs of spaces between tokens collapsed, strings and comments as written.
fn tidy_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_string = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                }
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '#' => {
                // The comment as written.
                out.push(c);
                out.extend(chars.by_ref());
                break;
            }
            ' ' | '\t' | '\u{3000}' => {
                let mut run = String::from(c);
                while let Some(&n) = chars
                    .peek()
                    .filter(|n| matches!(n, ' ' | '\t' | '\u{3000}'))
                {
                    run.push(n);
                    chars.next();
                }
                match chars.peek() {
                    // Spaces that align a trailing comment are the author's.
                    Some('#') => out.push_str(&run),
                    Some(_) => out.push(' '),
                    None => {}
                }
            }
            _ => out.push(c),
        }
    }
    out.trim_end().to_string()
}

/// The net change of brace depth over a line, and how many `}` come before anything else
/// (they close blocks opened on earlier lines, so the line is indented less).
fn braces(line: &str) -> (isize, usize) {
    let mut net = 0isize;
    let mut leading = 0usize;
    let mut seen_other = false;
    let mut in_string = false;
    let mut escaped = false;
    for c in line.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '#' => break,
            '"' => {
                in_string = true;
                seen_other = true;
            }
            '{' => {
                net += 1;
                seen_other = true;
            }
            '}' => {
                net -= 1;
                if !seen_other {
                    leading += 1;
                }
            }
            ' ' => {}
            _ => seen_other = true,
        }
    }
    (net, leading)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_comments_are_kept() {
        let t = "ruleset \"a  b\" {   # x   y\n}\n";
        assert_eq!(layout_rule_text(t), t);
        let t = "coupon c \"x\" { stage 店铺 benefit 满100减10 }\n";
        assert_eq!(layout_rule_text(t), t);
    }
}
