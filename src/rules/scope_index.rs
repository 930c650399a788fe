//! Offers indexed by the scope values they name, so resolving a cart's scopes costs a few
//! lookups per line instead of a test per offer and line: offers whose scope matches no line
//! cost next to nothing.

use crate::lang::ast::Dim;
use crate::rules::ir::{Offer, OfferIdx};

/// One scope value and the offers naming it: `(offer, in an exclude term)`.
type Postings = Vec<(String, Vec<(OfferIdx, bool)>)>;

/// Built once per rule set.
#[derive(Debug, Default)]
pub(crate) struct ScopeIndex {
    /// Offers with `scope all` (and not `exclude all`).
    all: Vec<OfferIdx>,
    /// Per dimension (shop, category, sku, tag), sorted by value.
    dims: [Postings; 4],
}

fn dim_slot(d: Dim) -> usize {
    match d {
        Dim::Shop => 0,
        Dim::Category => 1,
        Dim::Sku => 2,
        Dim::Tag => 3,
    }
}

impl ScopeIndex {
    pub(crate) fn build(offers: &[Offer]) -> ScopeIndex {
        let mut index = ScopeIndex::default();
        let mut raw: [Vec<(&str, OfferIdx, bool)>; 4] = Default::default();
        for (o, offer) in offers.iter().enumerate() {
            let s = &offer.scope;
            if s.exclude_all {
                continue;
            }
            match &s.include {
                None => index.all.push(o),
                Some(terms) => {
                    for t in terms {
                        raw[dim_slot(t.dim)]
                            .extend(t.values.iter().map(|v| (v.as_str(), o, false)));
                    }
                }
            }
            for t in &s.exclude {
                raw[dim_slot(t.dim)].extend(t.values.iter().map(|v| (v.as_str(), o, true)));
            }
        }
        for (slot, mut entries) in raw.into_iter().enumerate() {
            entries.sort_unstable();
            entries.dedup();
            let postings = &mut index.dims[slot];
            for (v, o, ex) in entries {
                match postings.last_mut() {
                    Some((last, list)) if last == v => list.push((o, ex)),
                    _ => postings.push((v.to_string(), vec![(o, ex)])),
                }
            }
        }
        index
    }

    /// Calls `hit(offer, excluded)` for every offer that names one of the line's values, and
    /// returns the offers with `scope all`.
    pub(crate) fn lookup<'a>(
        &'a self,
        line: &crate::cart::Line,
        mut hit: impl FnMut(OfferIdx, bool),
    ) -> &'a [OfferIdx] {
        let mut find = |slot: usize, v: &str| {
            let dim = &self.dims[slot];
            if let Ok(i) = dim.binary_search_by(|(x, _)| x.as_str().cmp(v)) {
                for &(o, ex) in &dim[i].1 {
                    hit(o, ex);
                }
            }
        };
        find(0, &line.shop);
        find(1, &line.category);
        find(2, &line.sku);
        for t in &line.tags {
            find(3, t);
        }
        &self.all
    }
}
