//! Splitting an amount over lines (分摊) by the largest-remainder method, with caps.

/// Reusable buffers for [`split`] and [`apportion`], so splitting allocates nothing once
/// they have grown.
#[derive(Debug, Default)]
pub(crate) struct SplitBufs {
    rems: Vec<(i128, usize)>,
    active: Vec<usize>,
    weights: Vec<i64>,
    part: Vec<i64>,
}

/// Splits `total` cents in proportion to `weights` by the largest-remainder method: floor
/// each share, then give the remaining cents one at a time to the largest remainders (ties:
/// earlier index). The shares add up to `total` exactly. When every weight is zero the
/// amount is split evenly, as if every weight were 1.
pub(crate) fn split(
    total: i64,
    weights: &[i64],
    out: &mut Vec<i64>,
    rems: &mut Vec<(i128, usize)>,
) {
    out.clear();
    out.resize(weights.len(), 0);
    if weights.is_empty() || total == 0 {
        return;
    }
    let sum: i128 = weights.iter().map(|&w| i128::from(w.max(0))).sum();
    let (sum, uniform) = if sum == 0 {
        (weights.len() as i128, true)
    } else {
        (sum, false)
    };
    let t = i128::from(total);
    let mut placed: i128 = 0;
    rems.clear();
    // total × weight in i64 when it cannot overflow (the usual case): i128 division is slow.
    let max_w = if uniform {
        1
    } else {
        weights.iter().copied().max().unwrap_or(0).max(0)
    };
    let narrow = i64::try_from(sum).is_ok() && total.checked_mul(max_w).is_some();
    for (i, &w) in weights.iter().enumerate() {
        let w = if uniform { 1 } else { w.max(0) };
        let (q, r) = if narrow {
            let (num, s) = (total * w, sum as i64);
            (i128::from(num.div_euclid(s)), i128::from(num.rem_euclid(s)))
        } else {
            let num = t * i128::from(w);
            (num.div_euclid(sum), num.rem_euclid(sum))
        };
        out[i] = q as i64;
        placed += q;
        rems.push((r, i));
    }
    let mut left = t - placed;
    if left <= 0 {
        return;
    }
    // Largest remainder first; ties: earlier index.
    rems.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in rems.iter().cycle() {
        if left <= 0 {
            break;
        }
        out[i] += 1;
        left -= 1;
    }
}

/// Splits `total` over lines in proportion to `weights`, never giving a line more than its
/// `cap`; the excess is split again over the lines that still have room, until it is placed
/// or no line has room. Writes the shares to `shares`; their sum is `min(total, Σ caps)`.
pub(crate) fn apportion(
    total: i64,
    weights: &[i64],
    caps: &[i64],
    shares: &mut Vec<i64>,
    bufs: &mut SplitBufs,
) {
    let n = weights.len();
    shares.clear();
    shares.resize(n, 0);
    if n == 1 {
        // One line takes it all, up to what it has.
        shares[0] = total.max(0).min(caps[0].max(0));
        return;
    }
    let mut remaining = total.max(0);
    let SplitBufs {
        rems,
        active,
        weights: w,
        part,
    } = bufs;
    active.clear();
    active.extend((0..n).filter(|&i| caps[i] > 0));
    while remaining > 0 && !active.is_empty() {
        w.clear();
        w.extend(active.iter().map(|&i| weights[i]));
        if w.iter().all(|&x| x <= 0) {
            // No base left to weigh by: weigh by the room each line has.
            w.clear();
            w.extend(active.iter().map(|&i| caps[i] - shares[i]));
        }
        split(remaining, w, part, rems);
        let mut overflow = 0;
        for (k, &i) in active.iter().enumerate() {
            let room = caps[i] - shares[i];
            let take = part[k].min(room);
            shares[i] += take;
            overflow += part[k] - take;
        }
        active.retain(|&i| caps[i] > shares[i]);
        remaining = overflow;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ap(total: i64, weights: &[i64], caps: &[i64]) -> Vec<i64> {
        let mut out = Vec::new();
        apportion(total, weights, caps, &mut out, &mut SplitBufs::default());
        out
    }

    #[test]
    fn hundred_over_three_equal_lines() {
        let s = ap(10_000, &[3333, 3333, 3333], &[3333, 3333, 3333]);
        assert_eq!(s, vec![3333, 3333, 3333]);
        let s = ap(100, &[3333, 3333, 3333], &[3333, 3333, 3333]);
        assert_eq!(s, vec![34, 33, 33]);
    }

    #[test]
    fn largest_remainder_then_earlier_line() {
        let mut out = Vec::new();
        split(10, &[1, 1, 1], &mut out, &mut Vec::new());
        assert_eq!(out, vec![4, 3, 3]);
        split(5, &[1, 2, 2], &mut out, &mut Vec::new());
        assert_eq!(out, vec![1, 2, 2]);
        split(7, &[0, 0], &mut out, &mut Vec::new());
        assert_eq!(out, vec![4, 3]);
    }

    #[test]
    fn caps_push_the_excess_to_other_lines() {
        let s = ap(1000, &[500, 500], &[100, 2000]);
        assert_eq!(s, vec![100, 900]);
        // What cannot be placed is not granted.
        let s = ap(5000, &[100, 100], &[1000, 2000]);
        assert_eq!(s, vec![1000, 2000]);
    }
}
