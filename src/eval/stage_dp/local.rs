//! Per-line offers: a variable offer whose discount is a sum of parts that each stay on
//! their own line (a per-unit benefit of the contest's stage, or a group benefit whose
//! groups never cross lines here). What such offers take off one line together is cut at
//! what the line holds, and that cut depends on the line's option alone; so the DP
//! decides these offers last and, on entering their layers, adds for each line the most
//! its remaining options can take off it, cut at the line, keeping only the options that
//! reach it (the others pay more on that line and gain nothing elsewhere in the sum).
//! Without this, two per-unit offers on one line (two `特价35`, say) count twice what the
//! line holds and the bound goes far below every real choice.

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
}

impl Local {
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
