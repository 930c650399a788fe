//! Who may keep one cart line together: whether a set of offers may share it (stage
//! `max`, `exclusive`, `only_with`), and the maximal keeper sets of a contested line, the
//! options the stacking choice picks from.

#[allow(unused_imports)]
use super::*;

/// Whether these offers (with a price effect; `offer` maps an entry of `set` to its offer)
/// may all keep one line: pairwise compatible and at most `max` of each stage.
pub(crate) fn may_share_line(
    rules: &RuleSetData,
    set: &[usize],
    offer: impl Fn(usize) -> OfferIdx,
) -> bool {
    // Stage counts in a small list (a header has at most `MAX_STAGES` stages): linear in
    // the set, where a count per member would be quadratic (thousands of same-stage offers
    // on one line are possible).
    let mut counts: Vec<(StageIdx, usize)> = Vec::new();
    for &a in set {
        let stage = rules.offers[offer(a)].stage;
        match counts.iter_mut().find(|(s, _)| *s == stage) {
            Some((_, n)) => *n += 1,
            None => counts.push((stage, 1)),
        }
    }
    let within_max = counts
        .iter()
        .all(|&(stage, n)| n <= stage_max(rules, stage));
    // Two offers without `exclusive` or `only_with` are always compatible: only pairs with
    // a restricted member need a look.
    within_max
        && set.iter().enumerate().all(|(i, &a)| {
            let oa = offer(a);
            !restricted(rules, oa)
                || set
                    .iter()
                    .enumerate()
                    .all(|(j, &b)| i == j || compatible(rules, oa, offer(b)))
        })
}

/// How many price-affecting offers of a stage may keep one line.
fn stage_max(rules: &RuleSetData, stage: StageIdx) -> usize {
    rules.stages.get(stage).map_or(1, |s| s.max as usize)
}

/// Whether an offer limits who may share a line with it (`exclusive`, `only_with`): two
/// offers that do not are always compatible.
fn restricted(rules: &RuleSetData, o: OfferIdx) -> bool {
    let x = &rules.offers[o];
    !x.benefit.is_price_neutral() && (x.exclusive || x.only_with.is_some())
}

/// The maximal valid keeper sets of one line among the offers `here` (indices into
/// `parts`): pairwise compatible, at most `max` price-affecting offers per stage. Offers
/// without price effect always keep the line.
pub(crate) struct KeeperOptions {
    pub sets: Vec<Vec<usize>>,
    /// Whether every maximal set is in `sets` (not cut at [`MAX_LINE_OPTIONS`] or by the
    /// deadline): a choice among fewer is not proven the cheapest.
    pub complete: bool,
}

/// See [`KeeperOptions`]. The first set (each offer in application order joins when it
/// fits) is always found; past a step limit (its share of [`MAX_KEEPER_STEPS`] among the
/// cart's `lines`) or the deadline the search stops with what it has.
pub(crate) fn keeper_options(
    rules: &RuleSetData,
    parts: &[OfferIdx],
    here: &[usize],
    lines: usize,
    deadline: &Deadline,
) -> KeeperOptions {
    let (neutral, priced): (Vec<usize>, Vec<usize>) = here
        .iter()
        .partition(|&&k| rules.offers[parts[k]].benefit.is_price_neutral());
    let with_neutral = |mut v: Vec<usize>| {
        v.extend(&neutral);
        v.sort_unstable();
        v
    };
    if may_share_line(rules, &priced, |k| parts[k]) {
        return KeeperOptions {
            sets: vec![with_neutral(priced)],
            complete: true,
        };
    }
    // Maximal valid sets by backtracking: include an offer when it keeps the set valid, or
    // leave it out; a leaf counts when no left-out offer could be added. At most
    // `MAX_LINE_OPTIONS` are kept (in application order of preference). The set grows
    // valid, so each step only checks the newcomer against it: its stage's count, and
    // compatibility with the restricted members only (two unrestricted offers always
    // agree), which keeps thousands of offers on one line cheap. It stops at
    // its share of `MAX_KEEPER_STEPS` or the deadline, looked at every leaf.
    let mut search = Search {
        rules,
        parts,
        priced: &priced,
        deadline,
        members: Vec::new(),
        joined: vec![false; priced.len()],
        restricted: Vec::new(),
        counts: Vec::new(),
        steps: 0,
        limit: (MAX_KEEPER_STEPS / lines.max(1)).max(MIN_LINE_KEEPER_STEPS),
        cut: false,
        out: Vec::new(),
    };
    search.run();
    KeeperOptions {
        complete: !search.cut,
        sets: search.out.into_iter().map(with_neutral).collect(),
    }
}

/// The backtracking of [`keeper_options`] and its growing set.
struct Search<'s> {
    rules: &'s RuleSetData,
    parts: &'s [OfferIdx],
    /// Candidates: entries of `parts` with a price effect.
    priced: &'s [usize],
    deadline: &'s Deadline,
    /// The set so far (entries of `parts`), whether each candidate is in it, its members
    /// with `exclusive` or `only_with`, and its size per stage.
    members: Vec<usize>,
    joined: Vec<bool>,
    restricted: Vec<OfferIdx>,
    counts: Vec<(StageIdx, usize)>,
    /// Candidates looked at so far (about the leaves times the candidates), and how many
    /// may be.
    steps: usize,
    limit: usize,
    cut: bool,
    out: Vec<Vec<usize>>,
}

impl Search<'_> {
    /// Whether candidate `i` may join the set.
    fn fits(&self, i: usize) -> bool {
        let o = self.parts[self.priced[i]];
        let stage = self.rules.offers[o].stage;
        let max = stage_max(self.rules, stage);
        let same = self
            .counts
            .iter()
            .find(|(s, _)| *s == stage)
            .map_or(0, |c| c.1);
        if same >= max {
            return false;
        }
        if restricted(self.rules, o) {
            self.members
                .iter()
                .all(|&b| compatible(self.rules, o, self.parts[b]))
        } else {
            self.restricted
                .iter()
                .all(|&b| compatible(self.rules, o, b))
        }
    }

    fn join(&mut self, i: usize) {
        let k = self.priced[i];
        let o = self.parts[k];
        self.members.push(k);
        self.joined[i] = true;
        if restricted(self.rules, o) {
            self.restricted.push(o);
        }
        let stage = self.rules.offers[o].stage;
        match self.counts.iter_mut().find(|(s, _)| *s == stage) {
            Some(c) => c.1 += 1,
            None => self.counts.push((stage, 1)),
        }
    }

    fn leave(&mut self, i: usize) {
        let k = self.priced[i];
        let o = self.parts[k];
        self.members.pop();
        self.joined[i] = false;
        if restricted(self.rules, o) {
            self.restricted.pop();
        }
        let stage = self.rules.offers[o].stage;
        if let Some(c) = self.counts.iter_mut().find(|(s, _)| *s == stage) {
            c.1 -= 1;
        }
    }

    /// Every set, depth first with joining before leaving out, without recursion (thousands
    /// of offers may join one set): walk forward joining every candidate that fits, take
    /// the leaf, then undo the last join and walk on from the candidate after it.
    fn run(&mut self) {
        let mut stack: Vec<usize> = Vec::new();
        let mut i = 0;
        loop {
            while i < self.priced.len() {
                if self.fits(i) {
                    self.join(i);
                    stack.push(i);
                }
                i += 1;
            }
            self.leaf();
            if self.cut {
                return;
            }
            let Some(j) = stack.pop() else {
                return;
            };
            self.leave(j);
            i = j + 1;
        }
    }

    fn leaf(&mut self) {
        // A leaf costs a walk over the candidates, far more than a look at the clock.
        self.steps += self.priced.len();
        if !self.out.is_empty() && (self.steps > self.limit || self.deadline.passed()) {
            self.cut = true;
            return;
        }
        // Maximal: no left-out candidate could join.
        let maximal = (0..self.priced.len()).all(|x| self.joined[x] || !self.fits(x));
        if maximal {
            if self.out.len() == MAX_LINE_OPTIONS {
                self.cut = true;
            } else {
                self.out.push(self.members.clone());
            }
        }
    }
}

/// Most candidates the searches for keeper options look at in one cart, shared evenly by
/// its lines (a line's search looks at about its leaves times the offers on it), but at
/// least [`MIN_LINE_KEEPER_STEPS`] per line: a step limit, so that the same request gets
/// the same options on any machine; the deadline is the backstop.
const MAX_KEEPER_STEPS: usize = 2_000_000;
const MIN_LINE_KEEPER_STEPS: usize = 10_000;

/// Most keeper options one line offers the search (see `keeper_options`): 70 is the most
/// maximal sets 8 offers can form (no set inside another: at most C(8, 4) of them, by
/// Sperner's theorem), so a line under up to 8 offers always has all its options.
pub(super) const MAX_LINE_OPTIONS: usize = 70;
