//! The depth-first walks over a one-stage contest's lines that turn the DP's lower bounds
//! into the spec's choice (see the parent module): each subtree is bounded by the DP with
//! its decided lines fixed, and, once the best choice so far leaves lines at nothing, also
//! by the landing bound of [`super::landing`] for those lines (the larger bound counts),
//! and first of all by the per-line bound of [`super::local`] where there is one.
//! The first walk ([`Walk::dive`]) also prices the DP's own choice at each node, and visits
//! a node's children from the lowest bound up; the second ([`Walk::dfs`]) wants the first
//! leaf in the tie-break order, so it prices leaves only. Every run below the root is
//! capped at what is still wanted (see [`Dp::cap`]). Once the best choice pays nothing,
//! the tie-break bound ([`Walk::tie_path`]) bounds the subtrees too.

use super::dp::{field, with_field, Dp, Gain, Tables};
use super::landing::{Landings, Saturated};
use super::STEPS_PER_UNIT;
use crate::eval::{Choice, Key};

/// The key of a choice whose variable offers total `g`, given the choice's constant part.
pub(super) fn key_of(constant: Gain, g: Gain) -> Key {
    let total = constant + g;
    Key {
        payable: total.neg_discount,
        priority: -i128::from(total.neg_priority),
        applied: total.applied as usize,
    }
}

/// What the tie-break bound needs (see [`Walk::tie_path`]).
pub(super) struct Ties {
    /// The DP's tables with the per-line offers' parts in them.
    pub tables: Tables,
    /// Per line position, the masks of its options that could take it to nothing.
    pub zeroable: Vec<Vec<u64>>,
}

/// The per-line bound's own DP (see [`super::local`]) and the walk's state in it.
pub(super) struct PerLine {
    pub dp: Dp,
    pub state: u128,
}

/// The branch and bound over the contested lines: first for the lowest key (lines in
/// content order), then for the first choice with that key in the last tie-break order
/// (lines in cart order, each line's options as `order` lists them), where the first leaf
/// with the key is the answer.
pub(super) struct Walk<'w> {
    pub dp: &'w mut Dp,
    /// A second bound that cuts what every per-line offer takes off a line at what it
    /// holds (`None` when it is the DP's own).
    pub per_line: Option<PerLine>,
    pub line_masks: &'w [Vec<u64>],
    pub order: &'w [Vec<usize>],
    /// The DP's own choice (an option per line position): a prefix it follows has the
    /// DP's lowest gain as its plain bound without asking the DP again.
    pub seed: &'w [usize],
    pub contested: &'w [usize],
    /// Line positions in the order the second walk ([`Walk::dfs`]) decides them: cart
    /// order (the first, [`Walk::dive`], goes by position, the content order).
    pub visit: Vec<usize>,
    /// The second pass's key (`None` in the first pass).
    pub target: Option<Key>,
    pub pick: Vec<usize>,
    pub state: u128,
    /// The DP's lowest total at the root.
    pub lowest: Gain,
    /// The part of every choice's key the DP does not add up.
    pub constant: Gain,
    /// The lowest key any choice may have, as far as the bounds know: the first pass
    /// ends when it meets a choice with it.
    pub floor: Key,
    pub landings: &'w Landings,
    /// The landing bound for the lines the best choice so far leaves at nothing.
    pub saturated: Option<Saturated>,
    /// Per line position and option: what its per-unit and group benefits take beyond what
    /// the line holds, at the least (the DP's sum counts it, no choice gets it).
    pub excess: &'w [Vec<i64>],
    /// For the tie-break bound (`None`: a variable offer has a priority, or too many
    /// lines).
    pub ties: Option<Ties>,
    /// Both walks' start (the DP's state with no line decided).
    pub root: u128,
    /// Choices paying more than this are not wanted.
    pub cutoff: i64,
    /// First pass: the lowest choice met (the seed's to begin with). Second pass: the
    /// first choice met with the target key.
    pub best: Option<Choice>,
    pub leaves: usize,
    /// DP transitions one priced choice counts as: two per line and offer. Measured on
    /// 8 × 8 survey carts, pricing a choice takes about 0.7 µs (11 ns per line and
    /// offer) and a transition 16 ns. A whole budget step (until session 17) charged
    /// pricing about eight times its time, and the first walk spent two thirds of its
    /// allowance on it.
    pub leaf_steps: usize,
    /// Work allowed (see [`Walk::work`]) before giving up.
    pub limit: usize,
    pub out_of_time: bool,
    pub evaluate: &'w mut dyn FnMut(&[usize]) -> Choice,
    pub recycle: &'w mut dyn FnMut(Choice),
}

impl Walk<'_> {
    /// Whether a subtree whose keys are at least `bound` can still hold the answer.
    fn open(&self, bound: Key) -> bool {
        match self.target {
            Some(target) => bound <= target,
            None => {
                bound.payable <= self.cutoff && self.best.as_ref().is_none_or(|b| bound < b.key)
            }
        }
    }

    /// The cap on a DP total's discount part (see [`Dp::cap`]) beyond which no subtree is
    /// wanted, for totals added to `constant`: above the best choice's payable (first
    /// pass) or the target's (second), or the cutoff.
    fn cap_for(&self, constant: Gain) -> Option<i64> {
        let payable = match self.target {
            Some(target) => target.payable,
            None => self
                .best
                .as_ref()
                .map_or(self.cutoff, |b| b.key.payable.min(self.cutoff)),
        };
        (payable != i64::MAX).then(|| payable.saturating_sub(constant.neg_discount))
    }

    /// Whether the walk is over: out of time, the second pass found its choice, or the
    /// first pass met a choice with the lowest key the bounds allow.
    fn done(&self) -> bool {
        self.out_of_time
            || match self.target {
                Some(_) => self.best.is_some(),
                None => self.best.as_ref().is_some_and(|b| b.key <= self.floor),
            }
    }

    /// The least excess (see [`Walk::excess`]) of any choice completing the lines of
    /// `decided` (a bit per line position) as picked, on the lines outside `t`.
    fn excess_beyond(&self, decided: u32, t: Option<&crate::eval::Lines>) -> i64 {
        (0..self.contested.len())
            .filter(|&pos| !t.is_some_and(|t| t.get(self.contested[pos])))
            .map(|pos| {
                let options = &self.excess[pos];
                if decided & (1 << pos) != 0 {
                    options[self.pick[self.contested[pos]]]
                } else {
                    options.iter().copied().min().unwrap_or(0)
                }
            })
            .sum()
    }

    /// The lower bound on the keys of the choices that complete the current state with
    /// the lines of `decided` as picked, given the DP's lowest sum `plain` for it.
    /// `free`: `plain` cost nothing (the parent's), so the per-line bound was not asked
    /// yet.
    fn bound(&mut self, decided: u32, plain: Gain, free: bool) -> Result<Key, ()> {
        let mut key = key_of(self.constant, plain);
        key.payable += self.excess_beyond(decided, None);
        if free && !self.per_line_open()? {
            // Closed: any key above what is wanted does.
            return Ok(Key {
                payable: i64::MAX,
                ..key
            });
        }
        // The landing bound only where the plain one leaves the subtree open.
        if self.saturated.is_some() && self.open(key) {
            if let Some(alt) = self.saturated_bound(self.state, decided, true)? {
                key = key.max(alt);
            }
        }
        // Where what is wanted pays nothing, only the tie-breaks can close the subtree.
        let wanted = self.target.or(self.best.as_ref().map(|b| b.key));
        if wanted.is_some_and(|w| w.payable == 0) && self.open(key) {
            if let Some((alt, path)) = self.tie_path(self.state, decided)? {
                key = key.max(alt);
                // The first walk prices its choice too, when the subtree stays open: it
                // may have fewer applied offers than the best so far (the second walk
                // prices leaves only, in the tie-break order).
                if let (None, Some(path)) = (self.target, path) {
                    if self.open(key) && !self.price_path(decided, &path) {
                        return Err(());
                    }
                }
            }
        }
        Ok(key)
    }

    /// The tie-break bound of the completions of state `at` (the lines of `decided` as
    /// picked; `None`: not known), and the DP's choice that has it (a real choice, often
    /// one with few applied offers). No choice pays less than nothing. One that pays
    /// nothing takes every line to nothing, so each line keeps an option that could (see
    /// [`Ties::zeroable`]), and its discounts, the per-line offers' parts uncut, cover all
    /// there is; with the variable offers' priorities all 0 it then has at least as many
    /// applied offers as the fewest of any DP path that does so. Where offers together
    /// take more than the lines hold, the plain bound's payable is below nothing and says
    /// nothing of the tie-breaks; this one can close such a subtree once the best choice
    /// pays nothing.
    #[allow(clippy::type_complexity)]
    pub fn tie_path(
        &mut self,
        at: u128,
        decided: u32,
    ) -> Result<Option<(Key, Option<Vec<u64>>)>, ()> {
        let Some(ties) = &mut self.ties else {
            return Ok(None);
        };
        // No completion pays nothing: every one pays at least a cent.
        let paying = Key {
            payable: 1,
            priority: i128::MAX,
            applied: 0,
        };
        let mut state = at;
        for (pos, zeroable) in ties.zeroable.iter().enumerate() {
            let kept: Vec<u64> = self
                .dp
                .class(pos, field(state, pos))
                .iter()
                .copied()
                .filter(|m| zeroable.contains(m))
                .collect();
            if kept.is_empty() {
                return Ok(Some((paying, None)));
            }
            let Some(id) = self.dp.intern(pos, kept) else {
                return Ok(None);
            };
            state = with_field(state, pos, id);
        }
        let least = key_of(self.constant, Gain::default());
        // Only choices with fewer applied offers than the best so far are wanted (first
        // walk), or at most as many as the target (second walk): a path counting more is
        // dropped, and finding none bounds the key just above what is wanted.
        let most = match (self.target, &self.best) {
            (Some(t), _) if t.payable == 0 => Some(t.applied),
            (None, Some(b)) if b.key.payable == 0 => Some(b.key.applied.saturating_sub(1)),
            _ => None,
        };
        let most = match most {
            Some(m) if m < least.applied => {
                return Ok(Some((
                    Key {
                        payable: 0,
                        applied: least.applied,
                        ..least
                    },
                    None,
                )))
            }
            Some(m) => u32::try_from(m - least.applied).unwrap_or(u32::MAX),
            None => u32::MAX,
        };
        // The path's discounts must cover the constant part and the decided lines' excess.
        let need = -self.constant.neg_discount - self.excess_beyond(decided, None);
        if let Some(ties) = &mut self.ties {
            std::mem::swap(&mut self.dp.tables, &mut ties.tables);
        }
        self.dp.set_local(false);
        self.dp.cap = Some(need);
        let found = self.dp.least_applied(state, most);
        self.dp.cap = None;
        self.dp.set_local(true);
        if let Some(ties) = &mut self.ties {
            std::mem::swap(&mut self.dp.tables, &mut ties.tables);
        }
        Ok(Some(match found? {
            Some((a, path)) => (
                Key {
                    payable: 0,
                    applied: least.applied + a as usize,
                    ..least
                },
                Some(path),
            ),
            // None paying nothing with at most `most` applied offers.
            None if most < u32::MAX => (
                Key {
                    payable: 0,
                    applied: least.applied + most as usize + 1,
                    ..least
                },
                None,
            ),
            None => (paying, None),
        }))
    }

    /// The landing bound (`None` without its tables or without a completion) of `state`
    /// with the lines of `decided` as picked. `capped`: only whether it is wanted matters
    /// (see [`Dp::cap`]); one that is not is closed.
    fn saturated_bound(
        &mut self,
        state: u128,
        decided: u32,
        capped: bool,
    ) -> Result<Option<Key>, ()> {
        let cap = match &self.saturated {
            Some(sat) if capped => self.cap_for(sat.constant),
            _ => None,
        };
        let Some(sat) = &mut self.saturated else {
            return Ok(None);
        };
        // The landing tables count the per-line offers' parts themselves.
        std::mem::swap(&mut self.dp.tables, &mut sat.tables);
        self.dp.set_local(false);
        self.dp.cap = cap;
        let found = self.dp.run(state, false);
        self.dp.cap = None;
        self.dp.set_local(true);
        std::mem::swap(&mut self.dp.tables, &mut sat.tables);
        let found = found?;
        let Some(sat) = &self.saturated else {
            return Ok(None);
        };
        let Some((g, _)) = found else {
            // Nothing under the cap: closed.
            return Ok(cap.map(|_| Key {
                payable: i64::MAX,
                ..key_of(sat.constant, Gain::default())
            }));
        };
        let mut alt = key_of(sat.constant, g);
        alt.payable += self.excess_beyond(decided, Some(&sat.t));
        Ok(Some(alt))
    }

    /// Takes the landing bound from the best choice so far (its lines left at nothing);
    /// also raises the floor with it at the root. A best choice that pays nothing raises
    /// the floor with the tie-break bound at the root too, and that bound's choice is
    /// priced (wanted only with fewer applied offers, so this ends).
    pub fn retarget(&mut self) -> Result<(), ()> {
        let root = self.root;
        if self.best.as_ref().is_some_and(|b| b.key.payable == 0) {
            let found = self.tie_path(root, 0);
            if let Some((ties, path)) = found? {
                self.floor = self.floor.max(ties);
                if let Some(path) = path {
                    if !self.price_path(0, &path) {
                        return Err(());
                    }
                }
            }
        }
        let Some(best) = &self.best else {
            return Ok(());
        };
        let Some(after) = best.outcome.after(self.landings.stage) else {
            return Ok(());
        };
        let t = self.landings.emptied(after);
        if self.saturated.as_ref().is_some_and(|s| s.t == t) {
            return Ok(());
        }
        self.saturated = self
            .landings
            .saturated(t, &self.dp.tables.gains, self.constant);
        if let Some(alt) = self.saturated_bound(root, 0, false)? {
            self.floor = self.floor.max(alt);
        }
        Ok(())
    }

    /// Prices the choice that completes the lines of `decided` as picked with a DP's
    /// `path` (an option mask per line position). The DP ends every line on one of its
    /// options; should it not, the walk stops unproven (`false`).
    pub fn price_path(&mut self, decided: u32, path: &[u64]) -> bool {
        let mut pick = self.pick.clone();
        for (pos, &l) in self.contested.iter().enumerate() {
            if decided & (1 << pos) == 0 {
                let Some(j) = self.line_masks[pos].iter().position(|&m| m == path[pos]) else {
                    self.out_of_time = true;
                    return false;
                };
                pick[l] = j;
            }
        }
        self.leaf(&pick);
        true
    }

    /// Prices a complete pick and keeps it when it is wanted.
    fn leaf(&mut self, pick: &[usize]) {
        self.leaves += 1;
        let choice = (self.evaluate)(pick);
        let wanted = match self.target {
            Some(target) => choice.key <= target,
            None => {
                choice.key.payable <= self.cutoff
                    && self.best.as_ref().is_none_or(|b| choice.key < b.key)
            }
        };
        if wanted {
            if let Some(old) = self.best.replace(choice) {
                (self.recycle)(old);
            }
            if self.target.is_none() && self.retarget().is_err() {
                self.out_of_time = true;
            }
        } else {
            (self.recycle)(choice);
        }
    }

    /// Whether the per-line bound of the current state leaves it open (asked before the
    /// DP's own, as it closes more; no completion closes it).
    fn per_line_open(&mut self) -> Result<bool, ()> {
        let cap = self.cap_for(self.constant);
        let Some(pl) = &mut self.per_line else {
            return Ok(true);
        };
        pl.dp.cap = cap;
        let found = pl.dp.run(pl.state, false);
        pl.dp.cap = None;
        let found = found?;
        Ok(found.is_some_and(|(g, _)| self.open(key_of(self.constant, g))))
    }

    /// The DP's run from the current state, capped at what is wanted (see [`Dp::cap`]).
    #[allow(clippy::type_complexity)]
    fn capped_run(&mut self, path: bool) -> Result<Option<(Gain, Vec<u64>)>, ()> {
        self.dp.cap = self.cap_for(self.constant);
        let found = self.dp.run(self.state, path);
        self.dp.cap = None;
        found
    }

    /// Work done, in budget steps: DP transitions (both DPs) and priced choices, per
    /// [`STEPS_PER_UNIT`].
    pub fn work(&self) -> usize {
        let steps = self.dp.steps + self.per_line.as_ref().map_or(0, |pl| pl.dp.steps);
        (steps + self.leaves * self.leaf_steps) / STEPS_PER_UNIT
    }

    /// Decides line `pos` as option `j` in both DPs' states (from `saved`); `false` when
    /// a DP has no room for another class.
    fn place(&mut self, saved: (u128, u128), pos: usize, j: usize) -> bool {
        let mask = self.line_masks[pos][j];
        let Some(id) = self.dp.intern(pos, vec![mask]) else {
            return false;
        };
        self.state = with_field(saved.0, pos, id);
        if let Some(pl) = &mut self.per_line {
            let Some(id) = pl.dp.intern(pos, vec![mask]) else {
                return false;
            };
            pl.state = with_field(saved.1, pos, id);
        }
        true
    }

    /// Both DPs' states, to come back to.
    fn saved(&self) -> (u128, u128) {
        (self.state, self.per_line.as_ref().map_or(0, |pl| pl.state))
    }

    pub fn restore(&mut self, saved: (u128, u128)) {
        self.state = saved.0;
        if let Some(pl) = &mut self.per_line {
            pl.state = saved.1;
        }
    }

    /// Whether the walk must stop for its allowance or the deadline (and says so).
    fn spent(&mut self) -> bool {
        if self.dp.deadline.passed() || self.work() > self.limit {
            self.out_of_time = true;
        }
        // No single DP run may take the walk far past its allowance.
        let left = self.limit.saturating_sub(self.work()) * STEPS_PER_UNIT;
        self.dp.step_cap = self.dp.steps.saturating_add(left);
        if let Some(pl) = &mut self.per_line {
            pl.dp.step_cap = pl.dp.steps.saturating_add(left);
        }
        self.out_of_time
    }

    /// Decides the `depth`-th line of `visit` onwards; `on_seed`: the decided lines follow
    /// the seed.
    pub fn dfs(&mut self, depth: usize, on_seed: bool) {
        if self.done() {
            return;
        }
        if depth == self.visit.len() {
            let pick = std::mem::take(&mut self.pick);
            self.leaf(&pick);
            self.pick = pick;
            return;
        }
        let decided = self.visit[..=depth]
            .iter()
            .fold(0u32, |m, &pos| m | 1 << pos);
        let pos = self.visit[depth];
        let l = self.contested[pos];
        let saved = self.saved();
        let order = self.order;
        for &j in &order[pos] {
            if self.spent() {
                return;
            }
            let follows = on_seed && self.seed[pos] == j;
            if !self.place(saved, pos, j) {
                self.out_of_time = true;
                return;
            }
            self.pick[l] = j;
            let plain = if follows {
                Ok(Some(self.lowest))
            } else {
                match self.per_line_open() {
                    Ok(true) => self.capped_run(false).map(|f| f.map(|(g, _)| g)),
                    Ok(false) => Ok(None),
                    Err(()) => Err(()),
                }
            };
            let bound = plain.and_then(|p| p.map(|p| self.bound(decided, p, follows)).transpose());
            let Ok(bound) = bound else {
                self.out_of_time = true;
                self.restore(saved);
                return;
            };
            if bound.is_some_and(|b| self.open(b)) {
                self.dfs(depth + 1, follows);
            }
            if self.done() {
                self.restore(saved);
                return;
            }
        }
        self.restore(saved);
    }

    /// Decides line `pos` as option `j` (from `saved`) and bounds the subtree: its key
    /// bound, the DP's lowest sum and choice, when it is open. `inherited`: the DP's
    /// choice `parent` (its lowest sum and choice) keeps option `j`, so the subtree has the
    /// same. `Err`: out of time, or no room for another class.
    fn child(
        &mut self,
        saved: (u128, u128),
        pos: usize,
        j: usize,
        decided: u32,
        parent: (Gain, &[u64]),
        inherited: bool,
    ) -> Result<Option<(Key, Gain, Vec<u64>)>, ()> {
        if !self.place(saved, pos, j) {
            return Err(());
        }
        // The bound's excess reads the pick.
        self.pick[self.contested[pos]] = j;
        let found = if inherited {
            Some((parent.0, parent.1.to_vec()))
        } else if self.per_line_open()? {
            self.capped_run(true)?
        } else {
            None
        };
        let Some((g, p)) = found else {
            return Ok(None);
        };
        let b = self.bound(decided, g, inherited)?;
        Ok(self.open(b).then_some((b, g, p)))
    }

    /// The first walk (lines in content order, the positions' order): at each node the
    /// DP's own choice for the subtree is priced too, a real choice and often the
    /// subtree's best, so that the best choice so far closes subtrees early. `plain` and
    /// `path`: the DP's lowest sum for the current state (the lines of `decided` as
    /// picked) and its choice (an option mask per line position); `fresh`: that choice
    /// was not priced yet (the parent's, when it keeps the parent's option, was).
    pub fn dive(&mut self, decided: u32, plain: Gain, path: Vec<u64>, fresh: bool) {
        if self.done() {
            return;
        }
        let all = (1u32 << self.contested.len()) - 1;
        if fresh && !self.price_path(decided, &path) {
            return;
        }
        if decided == all || self.done() || self.spent() {
            return;
        }
        let pos = (all & !decided).trailing_zeros() as usize;
        let l = self.contested[pos];
        let saved = self.saved();
        let order = self.order;
        let decided = decided | 1 << pos;
        // The DP's own option first: its subtree has the parent's lowest sum, at no cost.
        // Then every other child's bound, capped by what that found, and those children
        // from the lowest bound up (ties: the options' order), so that good choices are met
        // early and close the rest.
        let own = order[pos]
            .iter()
            .copied()
            .find(|&j| self.line_masks[pos][j] == path[pos]);
        let mut kids: Vec<(Key, usize, Gain, Vec<u64>)> = Vec::new();
        for &j in own
            .iter()
            .chain(order[pos].iter().filter(|&&j| Some(j) != own))
        {
            if self.spent() {
                self.restore(saved);
                return;
            }
            let inherited = Some(j) == own;
            let Ok(child) = self.child(saved, pos, j, decided, (plain, &path), inherited) else {
                self.out_of_time = true;
                self.restore(saved);
                return;
            };
            match child {
                Some((_, g, p)) if inherited => {
                    self.dive(decided, g, p, false);
                    if self.done() {
                        self.restore(saved);
                        return;
                    }
                }
                Some((b, g, p)) => kids.push((b, j, g, p)),
                None => {}
            }
        }
        kids.sort_by_key(|k| k.0);
        for (b, j, g, p) in kids {
            if !self.open(b) {
                continue;
            }
            if !self.place(saved, pos, j) {
                self.out_of_time = true;
                return;
            }
            self.pick[l] = j;
            self.dive(decided, g, p, true);
            if self.done() {
                self.restore(saved);
                return;
            }
        }
        self.restore(saved);
    }
}
