//! Per-line offers: a variable offer whose discount stays on each line it keeps (per-unit
//! and group benefits of the contest's stage). What such offers take off one line
//! together is cut at what the line holds.
//!
//! - In the DP: the per-unit benefits, whose table is a sum of per-line parts, are decided
//!   last. On entering their layers, each line adds the most its remaining options take
//!   off it, cut at the line, and keeps only the options that reach it (the others pay
//!   more on that line and change nothing else but tie-break figures, which the payable
//!   outranks). Without this, two `特价35` on one line counted twice what it holds.
//! - The per-line bound, a second DP: group benefits too are counted per line, each at the
//!   most it takes off the line under any set of kept lines, and cut with the per-unit
//!   ones. Looser than the tables where lines keep room, much tighter where `买一送一`,
//!   `3件99元` and `特价` pile up on the same lines. The walks ask it first
//!   ([`super::walk`]); it is kept only where it raises the root's bound.
//!
//! Both are lower bounds on every choice's key: each offer really takes at most what it
//! takes alone on its stage's start, and no line gives more than it holds.

use super::dp::Gain;
use super::landing::Landing;

/// The per-line offers of one DP (see the module doc).
pub(super) struct Local {
    /// The first of their layers (they are the DP's last offers).
    pub first: usize,
    /// Per contested line position, per per-line offer (from `first` on): what it takes
    /// off that line alone (0 where it cannot keep it).
    pub takes: Vec<Vec<i64>>,
    /// Per position: what the line holds at the stage's start.
    pub room: Vec<i64>,
    /// Per position and class: the class cut down to its options that take the most, and
    /// that most (filled as runs need them).
    pub cache: Vec<Vec<Option<(u8, i64)>>>,
    /// Off while the landing bound's tables are in use (they count these offers already).
    pub active: bool,
    /// The most they take off all lines together, each line cut at what it holds.
    pub most: i64,
}

impl Local {
    /// The per-line offers' parts `takes` on lines holding `room` (see the fields).
    pub fn new(first: usize, takes: Vec<Vec<i64>>, room: Vec<i64>) -> Local {
        let most = takes
            .iter()
            .zip(&room)
            .map(|(t, &r)| t.iter().sum::<i64>().min(r))
            .sum();
        Local {
            first,
            cache: vec![Vec::new(); takes.len()],
            takes,
            room,
            active: true,
            most,
        }
    }

    /// What the options of `mask` (bits over the DP's offers; those below `first` are
    /// decided and cleared) take off line `pos`, cut at the line.
    pub fn take(&self, pos: usize, mask: u64) -> i64 {
        let sum: i64 = self.takes[pos]
            .iter()
            .enumerate()
            .filter(|&(i, _)| mask & (1 << (self.first + i)) != 0)
            .map(|(_, &d)| d)
            .sum();
        sum.min(self.room[pos])
    }
}

/// The DP's offers in the order it decides them, with what [`Local`] needs, for the DP
/// and for the per-line bound.
pub(super) struct Arranged {
    /// The offers' order (indices into the order given): the others, then the per-line
    /// offers whose table is no sum of per-line parts (group benefits), then those whose
    /// table is (per-unit benefits).
    pub order: Vec<usize>,
    /// Where the group benefits and where the per-unit benefits begin in `order`.
    pub first_group: usize,
    pub first_local: usize,
    /// The DP's per-line parts of the per-unit benefits (per contested line position, per
    /// per-unit benefit); their tables are left with what does not change.
    pub takes: Vec<Vec<i64>>,
    /// The per-line bound's tables (in `order`) and parts: every per-line offer counts on
    /// each line the most it takes off it under any set of kept lines, cut at the line.
    pub tables2: Vec<Vec<Gain>>,
    pub takes2: Vec<Vec<i64>>,
}

/// Orders a DP's offers (each with its `tables`, `landings` and contested line
/// positions `lines`, over the contest's `contested` lines) and moves the per-unit
/// benefits' parts out of their tables (see [`Arranged`]). When `relaxed`, a later
/// stage's offers are tabulated on other amounts than they see: nothing is per line.
pub(super) fn arrange(
    tables: &mut [Vec<Gain>],
    landings: &[Vec<Landing>],
    lines: &[&[usize]],
    contested: &[usize],
    relaxed: bool,
) -> Arranged {
    let n = tables.len();
    let splits: Vec<Option<Vec<i64>>> = tables
        .iter()
        .zip(landings)
        .map(|(t, l)| split(t, l).filter(|_| !relaxed))
        .collect();
    let grouped: Vec<bool> = landings
        .iter()
        .map(|l| !relaxed && l.iter().all(|x| x.per_line))
        .collect();
    let kind = |j: usize| match (&splits[j], grouped[j]) {
        (Some(_), _) => 2,
        (None, true) => 1,
        (None, false) => 0,
    };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&j| kind(j));
    let first_group = order.iter().filter(|&&j| kind(j) == 0).count();
    let first_local = order.iter().filter(|&&j| kind(j) < 2).count();
    // The per-line bound: the most each per-line offer takes off each line.
    let mut tables2: Vec<Vec<Gain>> = tables.to_vec();
    let mut takes2 = vec![vec![0i64; n - first_group]; contested.len()];
    for (i, &j) in order[first_group..].iter().enumerate() {
        let mut most: Vec<(usize, i64)> = Vec::new();
        for &(l, d) in landings[j].iter().flat_map(|x| &x.taken) {
            match most.iter_mut().find(|(at, _)| *at == l) {
                Some(m) => m.1 = m.1.max(d),
                None => most.push((l, d)),
            }
        }
        // What it takes off lines it keeps in every choice stays in its table.
        let mut fixed = 0;
        for (l, d) in most {
            match lines[j].iter().find(|&&pos| contested[pos] == l) {
                Some(&pos) => takes2[pos][i] = d,
                None => fixed += d,
            }
        }
        tables2[j].iter_mut().for_each(|g| g.neg_discount = -fixed);
    }
    let mut takes = vec![vec![0i64; n - first_local]; contested.len()];
    for (i, &j) in order[first_local..].iter().enumerate() {
        for (b, &d) in splits[j].iter().flatten().enumerate() {
            takes[lines[j][b]][i] = d;
        }
        // The DP adds these parts per line instead.
        let base = tables[j][0].neg_discount;
        tables[j].iter_mut().for_each(|g| g.neg_discount = base);
    }
    Arranged {
        tables2: permute(tables2, &order),
        order,
        first_group,
        first_local,
        takes,
        takes2,
    }
}

/// The part of an offer's discount on each of its contested lines (by bit of its table)
/// when its table is that sum of per-line parts and every part stays on its line; `None`
/// otherwise.
pub(super) fn split(table: &[Gain], landings: &[Landing]) -> Option<Vec<i64>> {
    if table.len() < 2 || !landings.iter().all(|l| l.per_line) {
        return None;
    }
    let bits = table.len().trailing_zeros() as usize;
    let base = table[0].neg_discount;
    let parts: Vec<i64> = (0..bits)
        .map(|b| base - table[1 << b].neg_discount)
        .collect();
    let additive = table.iter().enumerate().all(|(mask, g)| {
        let sum: i64 = (0..bits)
            .filter(|&b| mask & (1 << b) != 0)
            .map(|b| parts[b])
            .sum();
        base - g.neg_discount == sum
    });
    (additive && parts.iter().all(|&d| d >= 0)).then_some(parts)
}

/// `items` in the order `order` gives (a permutation of their indices).
pub(super) fn permute<T>(items: Vec<T>, order: &[usize]) -> Vec<T> {
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order.iter().filter_map(|&j| slots[j].take()).collect()
}
