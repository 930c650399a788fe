//! The exact stacking choice by dynamic programming over the offers instead of branch and
//! bound over lines: tight for a contest inside one stage, relaxed across stages.
//!
//! Offers of one stage work on the amounts at the stage's start. So when every offer whose
//! kept lines the choice changes belongs to one stage, and nothing in a later stage reads
//! the lines they may keep, a choice pays a constant minus each offer's own discount on
//! the lines it keeps, except where offers on one line together take more than it holds
//! (the clamp). Without the clamp that sum is a lower bound on every choice's key
//! (payable, priority sum and applied offers; the clamp never changes whether an offer
//! applied), and it is the key itself where nothing is clamped.
//!
//! Each offer's discount is tabulated once per subset of the contested lines it may keep.
//! A DP over the offers, whose state is what each contested line may still accept (the
//! keeper options still open to it), finds the lowest bound, and its own choice is a first
//! real one. Then two depth-first walks over the lines, each subtree bounded by the DP with
//! its decided lines fixed (as [`crate::eval::assign`] does with its bounds):
//! 1. the lowest key, lines in an order fixed by the cart's content, so that this pass and
//!    whether it finishes do not depend on the cart's line order; at each node the DP's
//!    own choice for the subtree is priced too (a real choice, often the subtree's best);
//! 2. the first choice with that key in the spec's last tie-break order (lines in cart
//!    order, keepers earlier in declaration order first): the first leaf with the key.
//!
//! Offers whose discount stays on each line it keeps (per-unit benefits) are decided last,
//! and what they take off one line together is cut at what it holds ([`local`]): two of
//! them on one line no longer count more than the line. A second DP, the per-line bound,
//! does the same with group benefits counted per line at their most.
//!
//! Where other offers together take more off a line than it holds, the sum is loose; the walks
//! then also bound each subtree by [`landing`]'s bound for the lines the best choice so
//! far leaves at nothing, and count what per-unit and group benefits of a decided line
//! take beyond what it holds ([`walk`]). Once the best choice pays nothing, only the
//! tie-breaks are left, and a DP run that also counts applied offers bounds them
//! ([`walk::Walk::tie_path`]).
//!
//! A contest over several stages (or one that a later stage reads) is *relaxed*: every
//! offer from the first variable offer's stage on that keeps a line the choice may change
//! is tabulated on the amounts at that stage's start. Amounts only go down through the
//! stages and every benefit gives at least as much on larger amounts, so each figure is at
//! least what the offer really gives, except that a tier reached on a smaller measure may
//! give more than a higher one, so a later order-level offer counts the most of the tiers
//! it reaches; whether a later offer applies is not known, so it counts as not applied and
//! its priority only where that lowers the bound. The sum is
//! then a looser lower bound, and the same walks use it (the leaves are priced exactly).
//!
//! Both finished, the choice is proven the spec's. Pass 2 cut short, pass 1's choice stands
//! with `"optimal": false` (its payable is proven, and it is the same for every line order
//! up to remainder cents). Pass 1 cut short (a clamp makes the bound loose, or the contest
//! is too large), the branch and bound of [`crate::eval::assign`] decides instead.

mod dp;
mod hash;
mod landing;
mod local;
mod walk;

use crate::eval::benefit::Reach;
use crate::eval::{keeps_of, Applier, Choice, Key, Lines, Outcome};
use crate::rules::ir::OfferIdx;
use dp::{Dp, Gain, Tables, MAX_OFFER_LINES};
use landing::{Landing, Landings};
use walk::{key_of, Walk};

/// At most this many contested lines (a state packs 8 bits per line into a `u128`).
const MAX_LINES: usize = 16;
/// DP transitions that count as one step of the quote's budget (a new state counts as
/// three, a priced choice as two per line and offer; see [`walk::Walk::work`]). Measured on
/// 8 × 8 survey carts (session 17): a transition takes about 16 ns, a new state 30 to
/// 50 ns more where layers are large, pricing a choice 11 ns per line and offer. At 448
/// the worst survey quote takes about 0.53 s (both walks and the branch and bound after
/// them; session 18); 504 proves one more cart in four of the survey's six rows but its
/// worst quote takes 0.71 s, too near the 1 s default deadline.
const STEPS_PER_UNIT: usize = 448;

/// What the DP decided for one conflict-free set.
pub(crate) enum StageDp {
    /// The spec's choice, proven (`None`: every choice pays more than the cutoff).
    Proven(Option<Box<Choice>>),
    /// The lowest key is proven and this choice has it, but the first such choice in the
    /// last tie-break order was not found in time (the choice depends on the cart's
    /// content, not its line order).
    LowestOnly(Box<Choice>),
    /// Not decided here (too large, a later shipping fee, out of time).
    Undecided,
    /// The first walk ran out of time: the cheapest choice it met (not proven).
    Unfinished(Box<Choice>),
}

/// One conflict-free set's contest, as [`crate::eval::assign::search`] takes it: the offers,
/// the lines each may hold, each line's keeper options and the lines with more than one.
#[derive(Clone, Copy)]
pub(crate) struct Contest<'s> {
    pub parts: &'s [OfferIdx],
    pub whole: &'s [Lines],
    pub options: &'s [Vec<Vec<usize>>],
    pub contested: &'s [usize],
}

/// Solves one conflict-free set's contest when it lies inside one stage (see the module
/// doc). `whole`, `options` and `contested` are as for [`crate::eval::assign::search`].
pub(crate) fn solve(
    applier: &Applier<'_, '_>,
    contest: &Contest<'_>,
    cutoff: i64,
    limit: usize,
    work: &mut usize,
) -> StageDp {
    let Contest {
        parts,
        whole,
        options,
        contested,
    } = *contest;
    let p = applier.p;
    let rules = p.rules;
    let n = p.orig.len();
    if contested.is_empty() || contested.len() > MAX_LINES {
        return StageDp::Undecided;
    }
    // The DP adds priorities in `i64`: no sum of them may overflow it (absurd priorities
    // go to the branch and bound).
    let priorities = parts.iter().try_fold(0i64, |sum, &o| {
        sum.checked_add(rules.offers[o].priority.checked_abs()?)
    });
    if priorities.is_none() {
        return StageDp::Undecided;
    }
    // Positions in an order fixed by the cart's content (larger amounts first, then by ID,
    // as the branch and bound decides lines), so that the DP, its ties and the lowest key's
    // search do not depend on the cart's line order; only the last tie-break does.
    let mut contested = contested.to_vec();
    contested.sort_by(|&a, &b| {
        p.orig[b]
            .cmp(&p.orig[a])
            .then(p.cart.lines[a].id.cmp(&p.cart.lines[b].id))
    });
    let contested = &contested[..];
    // The offers the choice changes: in some but not all options of a contested line.
    let mut var_lines: Vec<Vec<usize>> = vec![Vec::new(); parts.len()];
    let mut certain: Vec<Lines> = whole.to_vec();
    for (pos, &l) in contested.iter().enumerate() {
        for (k, c) in certain.iter_mut().enumerate() {
            let some = options[l].iter().any(|o| o.contains(&k));
            let all = options[l].iter().all(|o| o.contains(&k));
            if !all {
                c.clear(l);
            }
            if some && !all {
                var_lines[k].push(pos);
            }
        }
    }
    let vars: Vec<usize> = (0..parts.len())
        .filter(|&k| !var_lines[k].is_empty())
        .collect();
    let Some(&first) = vars.first() else {
        return StageDp::Undecided;
    };
    // Parts are in application order: the first variable offer's stage comes first.
    let stage = rules.offers[parts[first]].stage;
    if vars.len() > 64 || vars.iter().any(|&k| var_lines[k].len() > MAX_OFFER_LINES) {
        return StageDp::Undecided;
    }
    let mut touched = Lines::new(n);
    for &k in &vars {
        touched.union_with(&certain[k]);
        for &pos in &var_lines[k] {
            touched.set(contested[pos]);
        }
    }
    // Exact when every variable offer is in one stage and nothing after it reads a line
    // whose amount the choice changes; otherwise relaxed (see the module doc).
    let relaxed = vars.iter().any(|&k| rules.offers[parts[k]].stage != stage)
        || parts
            .iter()
            .zip(whole)
            .any(|(&o, w)| rules.offers[o].stage > stage && !w.is_disjoint(&touched));
    // The offers the DP adds up (`items`) and the lines whose amounts they decide
    // (`affected`): exact, the stage's offers and every line; relaxed, every offer from the
    // stage on that keeps a line the choice may change, and those lines, grown until no
    // other offer reaches them.
    let mut affected = Lines::new(n);
    let mut item = vec![false; parts.len()];
    if relaxed {
        affected = touched.clone();
        let mut grew = true;
        while grew {
            grew = false;
            for (k, &o) in parts.iter().enumerate() {
                if !item[k] && rules.offers[o].stage >= stage && !whole[k].is_disjoint(&affected) {
                    item[k] = true;
                    affected.union_with(&whole[k]);
                    grew = true;
                }
            }
        }
        // A later shipping fee that the choice may change is not a line discount.
        if parts.iter().zip(&item).any(|(&o, &i)| {
            i && rules.offers[o].stage > stage
                && matches!(rules.offers[o].benefit.reach(), Reach::Shipping(_))
        }) {
            return StageDp::Undecided;
        }
    } else {
        (0..n).for_each(|l| affected.set(l));
        for (k, &o) in parts.iter().enumerate() {
            item[k] = rules.offers[o].stage == stage;
        }
    }
    let last_stage = parts
        .iter()
        .zip(&item)
        .filter(|&(_, &i)| i)
        .map(|(&o, _)| rules.offers[o].stage)
        .max()
        .unwrap_or(stage);
    // The stage's start: earlier stages hold no variable offer, so any choice shows it.
    let zeros = vec![0usize; n];
    let keeps0 = keeps_of(p, whole, options, &zeros);
    let out0 = applier.apply(parts, &keeps0);
    let start: Vec<i64> = if stage == 0 {
        p.orig.clone()
    } else {
        match out0.after(stage - 1) {
            Some(a) => a.to_vec(),
            None => return StageDp::Undecided,
        }
    };
    let Some(after) = out0.after(last_stage) else {
        return StageDp::Undecided;
    };
    // What the items leave of the affected lines in the first choice.
    let after: i64 = affected.iter().map(|l| after[l]).sum();
    // What one offer gives on its own on the stage's start (an offer of a later stage sees
    // those amounts too: at least what it really sees, so it gives at least as much).
    let mut scratch: Outcome = out0.clone();
    scratch.after_stage.truncate(stage * n);
    for _ in stage..last_stage {
        scratch.after_stage.extend_from_slice(&start);
    }
    let mut amount = start.clone();
    // Its landing too (see `landing`), for the second bound. `relax`: of a later stage,
    // so whether it applies is not known; its priority counts only where it helps the
    // bound, and it counts as not applied.
    let env = crate::eval::benefit::Env::of(p);
    let mut single = |o: OfferIdx, keep: &Lines, relax: bool| -> (Gain, Landing) {
        let reach = rules.offers[o].benefit.reach();
        // A later offer's per-unit or group discount may fall on other lines of its own
        // than it does on these amounts (units sort by their real prices): only its total
        // is bounded, as for an order-level discount.
        let mut landing = Landing {
            per_line: !matches!(reach, Reach::Order(_)) && !relax,
            keep: keep.clone(),
            taken: Vec::new(),
            total: 0,
        };
        if keep.is_empty() {
            return (Gain::default(), landing);
        }
        amount.copy_from_slice(&start);
        scratch.shares.clear();
        scratch.applied.clear();
        scratch.unmet.clear();
        scratch.gifts.clear();
        scratch.bases.clear();
        applier.apply_one(o, keep, &start, &mut amount, &mut scratch);
        let applied = scratch.applied.iter().any(|a| a.offer == o);
        landing.taken.extend(
            keep.iter()
                .map(|l| (l, start[l] - amount[l]))
                .filter(|&(_, d)| d != 0),
        );
        landing.total = landing.taken.iter().map(|&(_, d)| d).sum();
        if let (true, Reach::Order(f)) = (relax, reach) {
            // A tier reached on a smaller measure may give more than the one reached
            // here: a later order-level offer counts the most any tier it reaches gives
            // (none reached here, none reached there).
            let held: i64 = keep.iter().map(|l| start[l]).sum();
            let unmet = scratch.unmet.iter().any(|u| u.offer == o);
            let measure = scratch
                .bases
                .iter()
                .find(|b| b.offer == o)
                .map(|b| b.measure);
            landing.total = match (unmet, measure) {
                (true, _) => 0,
                (false, Some(m)) => f.upper(m, &env).clamp(0, held),
                (false, None) => held,
            };
        }
        let priority = rules.offers[o].priority;
        let gain = Gain {
            neg_discount: -landing.total,
            neg_priority: match (relax, applied) {
                (true, _) => (-priority).min(0),
                (false, true) => -priority,
                (false, false) => 0,
            },
            applied: u32::from(applied && !relax),
        };
        (gain, landing)
    };
    // The constant part: the payable with the items' discounts on the affected lines put
    // back, minus the fixed items on their own, plus the other offers' tie-break figures.
    let mut constant = Gain {
        neg_discount: out0.payable() - after + affected.iter().map(|l| start[l]).sum::<i64>(),
        ..Gain::default()
    };
    for a in &out0.applied {
        let k = parts.iter().position(|&o| o == a.offer);
        if !k.is_some_and(|k| item[k]) {
            constant.neg_priority -= rules.offers[a.offer].priority;
            constant.applied += 1;
        }
    }
    let undiscounted = constant.neg_discount;
    let mut fixed = Vec::new();
    let mut fixed_parts = Vec::new();
    for (k, &o) in parts.iter().enumerate() {
        if item[k] && var_lines[k].is_empty() {
            let (gain, landing) = single(o, &keeps0[k], rules.offers[o].stage > stage);
            constant = constant + gain;
            fixed.push(landing);
            fixed_parts.push(k);
        }
    }
    p.give(keeps0);
    // Each variable offer's table over the subsets of its contested lines.
    let mut tables = Vec::with_capacity(vars.len());
    let mut var_landings = Vec::with_capacity(vars.len());
    for &k in &vars {
        let mut table = Vec::with_capacity(1 << var_lines[k].len());
        let mut landings = Vec::with_capacity(1 << var_lines[k].len());
        for mask in 0u32..(1 << var_lines[k].len()) {
            if mask % 64 == 0 && p.deadline.passed() {
                return StageDp::Undecided;
            }
            let mut keep = certain[k].clone();
            for (b, &pos) in var_lines[k].iter().enumerate() {
                if mask & (1 << b) != 0 {
                    keep.set(contested[pos]);
                }
            }
            let (gain, landing) = single(parts[k], &keep, rules.offers[parts[k]].stage > stage);
            table.push(gain);
            landings.push(landing);
        }
        *work += table.len();
        tables.push(table);
        var_landings.push(landings);
    }
    // The tie-break bound, where no variable offer's priority counts: its tables as
    // before the per-line parts are taken out.
    let full = (contested.len() <= dp::MAX_COUNTED_LINES
        && tables.iter().flatten().all(|g| g.neg_priority == 0))
    .then(|| tables.clone());
    // The per-line offers go last, their parts cut per line (see `local`).
    let var_pos: Vec<&[usize]> = vars.iter().map(|&k| &var_lines[k][..]).collect();
    let local::Arranged {
        order,
        first_group,
        first_local,
        takes,
        tables2,
        takes2,
    } = local::arrange(&mut tables, &var_landings, &var_pos, contested, relaxed);
    let vars: Vec<usize> = order.iter().map(|&j| vars[j]).collect();
    let tables = local::permute(tables, &order);
    let var_landings = local::permute(var_landings, &order);
    let local_parts: Vec<usize> = vars[first_local..].to_vec();
    // Per contested line and option: what its per-unit and group benefits take off beyond
    // what the line holds, at the least (see `landing`).
    let mut least = vec![vec![0i64; n]; parts.len()];
    for &l in contested {
        for (j, &k) in vars.iter().enumerate() {
            least[k][l] = landing::least_on(&var_landings[j], l);
        }
        for (f, &k) in fixed.iter().zip(&fixed_parts) {
            least[k][l] = landing::least_on(std::slice::from_ref(f), l);
        }
    }
    // The per-line offers' parts on a line count at most what it holds already.
    let excess: Vec<Vec<i64>> = contested
        .iter()
        .enumerate()
        .map(|(pos, &l)| {
            options[l]
                .iter()
                .map(|opt| {
                    let cut = |k: &&usize| local_parts.contains(k) && var_lines[**k].contains(&pos);
                    let local: i64 = opt.iter().filter(cut).map(|&k| least[k][l]).sum();
                    let other: i64 = opt.iter().filter(|k| !cut(k)).map(|&k| least[k][l]).sum();
                    (local.min(start[l]) + other - start[l]).max(0)
                })
                .collect()
        })
        .collect();
    // Per contested line and option: whether it could take the line to nothing. An
    // order-level offer (or one of a later stage) may bring discount from elsewhere; the
    // per-unit and group ones give the line at most their most on it.
    let can_zero: Vec<Vec<bool>> = contested
        .iter()
        .map(|&l| {
            options[l]
                .iter()
                .map(|opt| {
                    let mut held = 0i64;
                    for &k in opt {
                        let ls: &[Landing] = match vars.iter().position(|&v| v == k) {
                            Some(j) => &var_landings[j],
                            None => match fixed_parts.iter().position(|&f| f == k) {
                                Some(f) => std::slice::from_ref(&fixed[f]),
                                None => continue,
                            },
                        };
                        if !ls.iter().all(|x| x.per_line) {
                            return true;
                        }
                        held += landing::most_on(ls, l);
                    }
                    held >= start[l]
                })
                .collect()
        })
        .collect();
    let landings = Landings {
        stage: last_stage,
        domain: affected,
        start: start.clone(),
        var: var_landings,
        fixed,
        undiscounted,
    };
    // Each contested line's options as masks over the variable offers.
    let bit_of = |k: usize| vars.iter().position(|&v| v == k);
    let line_masks: Vec<Vec<u64>> = contested
        .iter()
        .enumerate()
        .map(|(pos, &l)| {
            options[l]
                .iter()
                .map(|opt| {
                    opt.iter()
                        .filter_map(|&k| bit_of(k).filter(|&j| var_lines[vars[j]].contains(&pos)))
                        .fold(0u64, |m, j| m | (1 << j))
                })
                .collect()
        })
        .collect();
    let room: Vec<i64> = contested.iter().map(|&l| start[l]).collect();
    let ties = full.map(|full| walk::Ties {
        tables: Tables::new(local::permute(full, &order)),
        zeroable: line_masks
            .iter()
            .zip(&can_zero)
            .map(|(masks, can)| {
                masks
                    .iter()
                    .zip(can)
                    .filter(|&(_, &c)| c)
                    .map(|(&m, _)| m)
                    .collect()
            })
            .collect(),
    });
    let offer_lines: Vec<Vec<usize>> = vars.iter().map(|&k| var_lines[k].clone()).collect();
    let new_dp = |tables, first, takes| {
        let local = (first < vars.len()).then(|| local::Local::new(first, takes, room.clone()));
        Dp::with_start(offer_lines.clone(), tables, local, &line_masks, p.deadline)
    };
    let Some((mut dp, init)) = new_dp(tables, first_local, takes) else {
        return StageDp::Undecided;
    };
    // The per-line bound, where group offers' sums are not per line (see `local`).
    let mut per_line = None;
    if first_group < first_local {
        let Some((dp, state)) = new_dp(tables2, first_group, takes2) else {
            return StageDp::Undecided;
        };
        per_line = Some(walk::PerLine { dp, state });
    }
    let init2 = per_line.as_ref().map_or(0, |pl| pl.state);
    // Its lowest sum raises the floor.
    let mut floor2 = None;
    if let Some(pl) = &mut per_line {
        pl.dp.step_cap = limit.saturating_mul(STEPS_PER_UNIT) / 4;
        // Too large (`Err`): the walk goes without it.
        if let Ok(Some((g, _))) = pl.dp.run(init2, false) {
            floor2 = Some(key_of(constant, g));
        }
    }
    // Its root run, charged when the walk does not count it.
    let per_line_root = per_line.as_ref().map_or(0, |pl| pl.dp.steps);
    // The root's run alone may not take more than the whole allowance.
    dp.step_cap = limit.saturating_mul(STEPS_PER_UNIT);
    let Ok(Some((lowest, seed))) = dp.run(init, true) else {
        *work += (dp.steps + per_line_root) / STEPS_PER_UNIT;
        return StageDp::Undecided;
    };
    if key_of(constant, lowest).payable > cutoff {
        *work += (dp.steps + per_line_root) / STEPS_PER_UNIT;
        return StageDp::Proven(None);
    }
    // Each line's options in the spec's last tie-break order: keepers earlier in
    // declaration order first.
    let order: Vec<Vec<usize>> = contested
        .iter()
        .map(|&l| {
            let keepers = |j: usize| {
                let mut v: Vec<OfferIdx> = options[l][j].iter().map(|&k| parts[k]).collect();
                v.sort_unstable();
                v
            };
            let mut js: Vec<usize> = (0..options[l].len()).collect();
            js.sort_by_cached_key(|&j| keepers(j));
            js
        })
        .collect();
    let seed_pick: Vec<usize> = seed
        .iter()
        .enumerate()
        .map(|(pos, m)| {
            line_masks[pos]
                .iter()
                .position(|x| x == m)
                .unwrap_or(usize::MAX)
        })
        .collect();
    let mut evaluate = |pick: &[usize]| {
        let keeps = keeps_of(p, whole, options, pick);
        let outcome = applier.apply(parts, &keeps);
        let key = Key::of(&outcome, rules);
        Choice {
            key,
            keeps,
            outcome,
        }
    };
    // The DP's own choice is a real one: the first best of the lowest key's search.
    let mut seed_full = vec![0usize; n];
    for (pos, &l) in contested.iter().enumerate() {
        seed_full[l] = seed_pick[pos];
    }
    let seed_choice = evaluate(&seed_full);
    let seed_choice = (seed_choice.key.payable <= cutoff).then_some(seed_choice);
    let floor = Key {
        payable: key_of(constant, lowest).payable
            + excess
                .iter()
                .map(|o| o.iter().copied().min().unwrap_or(0))
                .sum::<i64>(),
        ..key_of(constant, lowest)
    };
    // The per-line bound only where it is the tighter one at the root.
    if floor2.is_none_or(|f| f <= floor) {
        per_line = None;
        *work += per_line_root / STEPS_PER_UNIT;
    }
    let mut walk = Walk {
        dp: &mut dp,
        per_line,
        line_masks: &line_masks,
        order: &order,
        seed: &seed_pick,
        contested,
        visit: {
            let mut visit: Vec<usize> = (0..contested.len()).collect();
            visit.sort_by_key(|&pos| contested[pos]);
            visit
        },
        target: None,
        pick: vec![0; n],
        state: init,
        lowest,
        constant,
        floor: floor.max(floor2.unwrap_or(floor)),
        landings: &landings,
        saturated: None,
        excess: &excess,
        ties,
        root: init,
        cutoff,
        best: seed_choice,
        leaves: 0,
        leaf_steps: (2 * n * parts.len()).max(1),
        limit,
        out_of_time: false,
        evaluate: &mut evaluate,
        recycle: &mut |c: Choice| {
            p.give(c.keeps);
            p.recycle(c.outcome);
        },
    };
    // 1. The lowest key, lines in content order.
    if walk.retarget().is_ok() {
        // The DP's own choice at the root is the seed, priced already.
        walk.dive(0, lowest, seed.clone(), false);
    } else {
        walk.out_of_time = true;
    }
    if walk.out_of_time {
        *work += walk.work();
        return match walk.best.take() {
            Some(c) => StageDp::Unfinished(Box::new(c)),
            None => StageDp::Undecided,
        };
    }
    let Some(lowest_choice) = walk.best.take() else {
        *work += walk.work();
        return StageDp::Proven(None);
    };
    // 2. The first choice with that key in the last tie-break order: lines in cart order.
    // Its own allowance, as this pass's length depends on the cart's order.
    walk.target = Some(lowest_choice.key);
    walk.restore((init, init2));
    walk.limit = walk.work() + limit;
    walk.dfs(0, true);
    *work += walk.work();
    match walk.best.take() {
        Some(first) if !walk.out_of_time => {
            (walk.recycle)(lowest_choice);
            StageDp::Proven(Some(Box::new(first)))
        }
        found => {
            if let Some(c) = found {
                (walk.recycle)(c);
            }
            if walk.out_of_time {
                StageDp::LowestOnly(Box::new(lowest_choice))
            } else {
                // Not reached (the lowest choice itself has the key); the lowest stands.
                StageDp::Proven(Some(Box::new(lowest_choice)))
            }
        }
    }
}
