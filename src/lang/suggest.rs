//! "Did you mean": the known names closest to a misspelt one.
//!
//! Used for request fields, offer IDs and titles, keywords and stage names. Distances are
//! counted in characters (so `店铺卷` is one edit from `店铺券`), and a name is only
//! suggested when it is close relative to its length, or contains the typed name (or is
//! contained in it, its characters in order: `店铺券` in `店铺20元券`), so a suggestion is never a random guess.

/// Levenshtein distance over characters, with adjacent transpositions counting one edit
/// (`cuopons` → `coupons`). Names are short (IDs, fields, titles), so the quadratic table
/// is cheap; inputs longer than 64 characters are not compared.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len() > 64 || b.len() > 64 {
        return usize::MAX;
    }
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for (i, row) in d.chunks_mut(w).enumerate() {
        row[0] = i;
    }
    for (j, cell) in d.iter_mut().take(w).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// Whether `candidate` is close enough to `typed` to be worth suggesting.
fn close(typed: &str, candidate: &str) -> Option<usize> {
    if typed.is_empty() || candidate.is_empty() {
        return None;
    }
    let lower = |s: &str| s.to_lowercase();
    let (t, c) = (lower(typed), lower(candidate));
    if t == c {
        return Some(0);
    }
    let d = distance(&t, &c);
    let longest = t.chars().count().max(c.chars().count());
    // One edit in three characters (at least one), or one name inside the other.
    if d != usize::MAX && d * 3 <= longest.max(3) {
        return Some(d);
    }
    let inside = |short: &str, long: &str| {
        let mut rest = long.chars();
        short.chars().count() >= 2 && short.chars().all(|ch| rest.any(|x| x == ch))
    };
    (inside(&t, &c) || inside(&c, &t)).then_some(d.min(longest))
}

/// The known names closest to `typed`, closest first (ties keep the order given), at most
/// `max` of them.
pub(crate) fn closest<'a>(
    typed: &str,
    known: impl IntoIterator<Item = &'a str>,
    max: usize,
) -> Vec<&'a str> {
    let mut found: Vec<(usize, usize, &str)> = known
        .into_iter()
        .enumerate()
        .filter_map(|(i, k)| close(typed, k).map(|d| (d, i, k)))
        .collect();
    found.sort_by_key(|&(d, i, _)| (d, i));
    let mut out: Vec<&str> = Vec::new();
    for (_, _, k) in found {
        if !out.contains(&k) {
            out.push(k);
        }
        if out.len() == max {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits() {
        assert_eq!(distance("coupon", "coupons"), 1);
        assert_eq!(distance("cuopons", "coupons"), 1);
        assert_eq!(distance("店铺卷", "店铺券"), 1);
        assert_eq!(distance("", "abc"), 3);
    }

    #[test]
    fn suggestions() {
        let known = ["cart", "context", "coupons"];
        assert_eq!(closest("coupon", known, 3), vec!["coupons"]);
        assert_eq!(closest("contxt", known, 3), vec!["context"]);
        assert!(closest("wallet", known, 3).is_empty());
        let offers = ["shop20", "shop300", "plat"];
        assert_eq!(closest("shop2", offers, 3), vec!["shop20"]);
        assert_eq!(closest("shop", offers, 3), vec!["shop20", "shop300"]);
        assert_eq!(
            closest("店铺券", ["店铺20元券", "平台券"], 3),
            vec!["店铺20元券"]
        );
    }
}
