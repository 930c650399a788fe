//! `Lines`: a small bitset of cart lines (an offer's scope, the lines an offer keeps).

#[allow(unused_imports)]
use super::*;

/// A set of cart lines: the first 64 inline (no allocation for most carts), the rest in
/// a vector.
#[derive(Clone, Debug, Default, Eq)]
pub(crate) struct Lines {
    pub(super) first: u64,
    pub(super) rest: Vec<u64>,
}

impl PartialEq for Lines {
    fn eq(&self, other: &Lines) -> bool {
        // Most carts fit the inline word: skip the slice comparison then.
        self.first == other.first
            && (self.rest.is_empty() && other.rest.is_empty() || self.rest == other.rest)
    }
}

impl Lines {
    pub(crate) fn new(n: usize) -> Self {
        Lines {
            first: 0,
            rest: vec![0; n.saturating_sub(64).div_ceil(64)],
        }
    }
    pub(super) fn word(&self, w: usize) -> u64 {
        if w == 0 {
            self.first
        } else {
            self.rest.get(w - 1).copied().unwrap_or(0)
        }
    }
    pub(super) fn words(&self) -> impl Iterator<Item = u64> + '_ {
        std::iter::once(self.first).chain(self.rest.iter().copied())
    }
    pub(crate) fn set(&mut self, i: usize) {
        let bit = 1 << (i % 64);
        match i / 64 {
            0 => self.first |= bit,
            w => {
                if let Some(x) = self.rest.get_mut(w - 1) {
                    *x |= bit;
                }
            }
        }
    }
    pub(crate) fn clear(&mut self, i: usize) {
        let bit = 1 << (i % 64);
        match i / 64 {
            0 => self.first &= !bit,
            w => {
                if let Some(x) = self.rest.get_mut(w - 1) {
                    *x &= !bit;
                }
            }
        }
    }
    pub(crate) fn get(&self, i: usize) -> bool {
        self.word(i / 64) & (1 << (i % 64)) != 0
    }
    /// Adds every line of `other` (of the same cart).
    pub(crate) fn union_with(&mut self, other: &Lines) {
        self.first |= other.first;
        for (a, b) in self.rest.iter_mut().zip(&other.rest) {
            *a |= b;
        }
    }
    /// Keeps only the lines also in `other` (of the same cart).
    pub(crate) fn intersect_with(&mut self, other: &Lines) {
        self.first &= other.first;
        for (a, b) in self.rest.iter_mut().zip(&other.rest) {
            *a &= b;
        }
    }
    pub(crate) fn is_disjoint(&self, other: &Lines) -> bool {
        self.words().zip(other.words()).all(|(a, b)| a & b == 0)
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.words().all(|w| w == 0)
    }
    pub(crate) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words().enumerate().flat_map(|(wi, w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let b = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(wi * 64 + b)
            })
        })
    }
}
