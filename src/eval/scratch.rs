//! Per-query scratch space: the explicit cache of evaluator buffers (the pattern of
//! regex-automata's `Cache`, minus the public handle).
//!
//! A quote's search prices many choices, and each builds a handful of vectors (line
//! amounts, keeps, shares, ...). The [`Prepared`](crate::eval::Prepared) cart of one query
//! owns a [`Scratch`]: vectors a finished choice gives back ([`Scratch::give`],
//! `Prepared::recycle`) are handed out again ([`Scratch::take`]), so the search stops
//! allocating once it has warmed up. Nothing is shared between queries or threads, and
//! nothing is hidden: the scratch lives and dies with its query.

use crate::eval::apply::Bufs;
use crate::eval::{AppliedOffer, Ineligible, LineShare, Lines, Mark, OfferMeasure, Unmet};

/// Most vectors kept per type.
const MAX_KEPT: usize = 64;

/// Empty vectors of each type the evaluator builds, capacity kept, and the applier's
/// buffers.
#[derive(Default)]
pub(crate) struct Scratch {
    i64s: Vec<Vec<i64>>,
    usizes: Vec<Vec<usize>>,
    lines: Vec<Vec<Lines>>,
    ineligible: Vec<Vec<Option<Ineligible>>>,
    shares: Vec<Vec<LineShare>>,
    applied: Vec<Vec<AppliedOffer>>,
    unmet: Vec<Vec<Unmet>>,
    bases: Vec<Vec<OfferMeasure>>,
    marks: Vec<Vec<Mark>>,
    /// Buffers of finished appliers.
    pub(super) bufs: Vec<Bufs>,
}

/// A vector type the scratch keeps.
pub(crate) trait Kept: Sized {
    fn kept(s: &mut Scratch) -> &mut Vec<Self>;
}

macro_rules! kept {
    ($($t:ty => $field:ident),* $(,)?) => {$(
        impl Kept for $t {
            fn kept(s: &mut Scratch) -> &mut Vec<Self> {
                &mut s.$field
            }
        }
    )*};
}

kept! {
    Vec<i64> => i64s,
    Vec<usize> => usizes,
    Vec<Lines> => lines,
    Vec<Option<Ineligible>> => ineligible,
    Vec<LineShare> => shares,
    Vec<AppliedOffer> => applied,
    Vec<Unmet> => unmet,
    Vec<OfferMeasure> => bases,
    Vec<Mark> => marks,
}

impl Scratch {
    /// An empty vector, a kept one when there is one.
    pub fn take<T>(&mut self) -> Vec<T>
    where
        Vec<T>: Kept,
    {
        <Vec<T>>::kept(self).pop().unwrap_or_default()
    }

    /// Keeps a vector for a later [`Scratch::take`] (emptied, capacity kept).
    pub fn give<T>(&mut self, mut v: Vec<T>)
    where
        Vec<T>: Kept,
    {
        if v.capacity() == 0 {
            return;
        }
        v.clear();
        let kept = <Vec<T>>::kept(self);
        if kept.len() < MAX_KEPT {
            kept.push(v);
        }
    }
}
