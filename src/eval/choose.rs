//! The stacking choice: conflict-free sets, keeper sets per contested line, the search
//! over them (exhaustive, the DP over offers, every assignment priced, then branch and bound) and
//! its comparison key.

#[allow(unused_imports)]
use super::*;

/// The chosen stacking and its outcome.
pub(crate) struct Chosen {
    /// Participants in application order.
    pub parts: Vec<OfferIdx>,
    /// Lines each participant keeps.
    pub keeps: Vec<Lines>,
    /// Participants left out of the conflict-free set.
    pub left_out: Vec<LeftOut>,
    pub outcome: Outcome,
    /// Whether the choice is proven the cheapest (a search that ran out of budget keeps
    /// the best choice it found).
    pub proven: bool,
    /// Choices priced and bounds computed to find it.
    pub work: usize,
    /// Whether no choice pays at most the cutoff of [`choose_within`] (the outcome is then
    /// meaningless).
    pub cut: bool,
}

/// A priced choice: its comparison key, the lines each participant keeps, its outcome.
pub(crate) struct Choice {
    pub key: Key,
    pub keeps: Vec<Lines>,
    pub outcome: Outcome,
}

/// The best choice of one conflict-free set so far, and the pick of keeper options that
/// made it (empty when the exact search found it).
struct Local {
    choice: Choice,
    pick: Vec<usize>,
}

/// The best choice over all conflict-free sets so far, and the set's members.
struct Best {
    choice: Choice,
    members: Vec<OfferIdx>,
}

/// A participant left out of the chosen conflict-free set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LeftOut {
    pub offer: OfferIdx,
    /// The member it `excludes` (or itself when none does, which cannot happen).
    pub loses_to: OfferIdx,
}

/// Chooses among all conflict-free sets and keeper assignments the one with the lowest
/// payable (ties: larger priority sum, fewer applied offers, then keepers earlier in
/// declaration order, line by line).
///
/// Per conflict-free set, when the per-line keeper options combine into at most
/// [`EXHAUSTIVE_CHOICES`] assignments, every one is tried. Beyond that the DP of
/// [`crate::eval::stage_dp`] decides when its bounds are tight enough (always tight inside
/// one stage without a clamp, looser across stages);
/// when it does not and there are at most [`enumeration_limit`] assignments (about
/// 500,000 on 8 lines under 8 offers, within the quote's budget), every one is priced;
/// otherwise a branch and bound ([`crate::eval::assign`]) finds the lowest payable and
/// largest priority sum exactly, within the quote's budget ([`quote_budget`]; then it keeps
/// the best choice found); with more than [`MAX_EXACT_LINES`] contested lines, a heuristic
/// decides.
pub(crate) fn choose(p: &Prepared<'_>, parts: Vec<OfferIdx>) -> Chosen {
    choose_within(p, parts, quote_budget(p), i64::MAX)
}

/// A quote's budget of bounds: [`ASSIGN_BUDGET`] up to 8 lines under 8 candidate offers,
/// then less in proportion to lines × candidates (a bound applies every offer to every
/// line), so a big cart costs about as much, well within the default deadline.
pub(crate) fn quote_budget(p: &Prepared<'_>) -> usize {
    let candidates = p.ineligible.iter().filter(|i| i.is_none()).count();
    let cells = p.orig.len().max(8) * candidates.max(8);
    // At least enough for the first dive and some search on a big realistic cart, but
    // never more than about 200 million line-offer steps in all.
    (ASSIGN_BUDGET * 64 / cells)
        .max(16 * p.orig.len())
        .max(1_000)
        .min(MAX_CELL_STEPS / cells)
        .max(1)
}

/// [`choose`] with a budget of bounds for the search over each conflict-free set's
/// contested lines ([`Chosen::proven`] says whether every search finished), and a cutoff:
/// searched choices paying more are not explored ([`Chosen::cut`] when none is left).
///
/// A search that finishes gives the spec's choice, whose last tie-break is the cart's
/// order. One cut short keeps the best it met, and which of several near-equal choices
/// that is can depend on the line order (remainder cents go to earlier lines, so the same
/// two choices compare a cent apart in another order). So an unproven choice is made again
/// on the lines in ID order and applied to the cart as it is: every order of the same
/// lines then gets the same keepers and pays the same up to those remainder cents. That
/// second search has the same step budget; when the time left looks too short for it, or
/// the deadline cuts it, the first choice stands.
pub(crate) fn choose_within(
    p: &Prepared<'_>,
    parts: Vec<OfferIdx>,
    budget: usize,
    cutoff: i64,
) -> Chosen {
    let started = Instant::now();
    let chosen = choose_in_order(p, parts, budget, cutoff);
    if chosen.proven || chosen.cut {
        return chosen;
    }
    let n = p.orig.len();
    let mut by_id: Vec<usize> = (0..n).collect();
    by_id.sort_by(|&a, &b| p.cart.lines[a].id.cmp(&p.cart.lines[b].id));
    let in_id_order = by_id.iter().enumerate().all(|(i, &l)| i == l);
    let took = started.elapsed();
    let time_enough = p
        .deadline
        .left()
        .is_none_or(|left| left > took.saturating_mul(2));
    if in_id_order || !time_enough {
        return chosen;
    }
    let cart = Cart {
        lines: by_id.iter().map(|&l| p.cart.lines[l].clone()).collect(),
    };
    let q = p.permuted(&cart, &by_id);
    let again = choose_in_order(&q, chosen.parts.clone(), budget, cutoff);
    if again.cut || p.deadline.passed() {
        return chosen;
    }
    let keeps: Vec<Lines> = again
        .keeps
        .iter()
        .map(|k| {
            let mut back = Lines::new(n);
            for i in k.iter() {
                back.set(by_id[i]);
            }
            back
        })
        .collect();
    let outcome = Applier::new(p).apply(&again.parts, &keeps);
    let work = chosen.work.saturating_add(again.work);
    p.give(chosen.keeps);
    p.recycle(chosen.outcome);
    Chosen {
        parts: again.parts,
        keeps,
        left_out: again.left_out,
        outcome,
        proven: false,
        work,
        cut: false,
    }
}

/// [`choose_within`] on the lines in the cart's order.
fn choose_in_order(
    p: &Prepared<'_>,
    mut parts: Vec<OfferIdx>,
    budget: usize,
    cutoff: i64,
) -> Chosen {
    let rules = p.rules;
    parts.sort_by(|&a, &b| app_order(rules, a, b));
    let n = p.orig.len();
    let applier = Applier::new(p);
    let mut best: Option<Best> = None;
    let ConflictFreeSets { sets, complete } = conflict_free_sets(rules, &parts, &p.deadline);
    if let [only] = sets.as_slice() {
        if only.len() == parts.len() && uncontested(p, &parts) {
            // Nothing to choose: every offer keeps its whole scope.
            let keeps: Vec<Lines> = parts.iter().map(|&o| p.scope[o].clone()).collect();
            let outcome = applier.apply(&parts, &keeps);
            return Chosen {
                parts,
                keeps,
                left_out: Vec::new(),
                outcome,
                proven: true,
                work: 1,
                cut: false,
            };
        }
    }
    let priced: Vec<bool> = parts
        .iter()
        .map(|&o| !rules.offers[o].benefit.is_price_neutral())
        .collect();
    let (mut here, mut priced_here) = (Vec::new(), Vec::new());
    let mut proven = complete;
    let mut work: usize = 0;
    for members in sets {
        if best.is_some() && p.deadline.passed() {
            // Out of time: the best choice of the sets compared so far stands, unproven.
            proven = false;
            break;
        }
        let in_set: Vec<bool> = parts.iter().map(|o| members.contains(o)).collect();
        // A later set only matters where it pays at most the best set so far (at the same
        // payable its tie-breaks may still win): the searches below skip the rest.
        let set_cutoff = best
            .as_ref()
            .map_or(cutoff, |b| b.choice.key.payable.min(cutoff));
        // Every member keeps its whole scope, except on contested lines.
        let mut whole: Vec<Lines> = p.take();
        whole.extend(parts.iter().zip(&in_set).map(|(&o, &i)| {
            if i {
                p.scope[o].clone()
            } else {
                Lines::new(n)
            }
        }));
        // Per contested line: the options of keeper sets (indices into `parts`); an
        // uncontested line has none (its keepers are all members with it in scope).
        let line_options: Vec<Vec<Vec<usize>>> = (0..n)
            .map(|l| {
                here.clear();
                here.extend((0..parts.len()).filter(|&k| in_set[k] && whole[k].get(l)));
                priced_here.clear();
                priced_here.extend(here.iter().copied().filter(|&k| priced[k]));
                if may_share_line(rules, &priced_here, |k| parts[k]) {
                    Vec::new()
                } else {
                    let found = keeper_options(rules, &parts, &here, n, &p.deadline);
                    proven &= found.complete;
                    found.sets
                }
            })
            .collect();
        // Prices a pick; with `prev`, stages before `from` are copied from it.
        let evaluate_from = |pick: &[usize], prev: Option<&Outcome>, from: usize| {
            let keeps = keeps_of(p, &whole, &line_options, pick);
            let outcome = applier.apply_from(&parts, &keeps, prev, from);
            let key = Key::of(&outcome, rules);
            (key, keeps, outcome)
        };
        let evaluate = |pick: &[usize]| evaluate_from(pick, None, 0);
        let contested: Vec<usize> = (0..n).filter(|&l| line_options[l].len() > 1).collect();
        let product = contested
            .iter()
            .try_fold(1usize, |acc, &l| acc.checked_mul(line_options[l].len()));
        // Few enough combinations are all priced, which proves the choice without bounds.
        let small = product.is_some_and(|c| c <= EXHAUSTIVE_CHOICES);
        // Not under a cutoff (`best`'s searches): the branch and bound skips what pays more
        // than the cutoff, where pricing every combination would not. The DP's trial
        // comes first, so it must fit in the budget too.
        let enumerable = cutoff == i64::MAX
            && product.is_some_and(|c| {
                c <= enumeration_limit(n, parts.len())
                    && work
                        .saturating_add(DP_TRIAL)
                        .saturating_add(c.div_ceil(PRICES_PER_STEP))
                        <= budget
            });
        let mut local: Option<Local> = None;
        // The exact search's first dive alone bounds every option of every contested line.
        let dive: usize = contested.iter().map(|&l| line_options[l].len()).sum();
        let exact_search =
            !small && contested.len() <= MAX_EXACT_LINES && work.saturating_add(dive) <= budget;
        // The DP first: it is quick when it decides. When every combination could be
        // priced instead it gets a small allowance, as its walks are slow where they fail.
        let left = budget.saturating_sub(work);
        let dp_limit = if enumerable {
            (left / 2).min(DP_TRIAL)
        } else {
            left * 9 / 10
        };
        let mut solved = false;
        if exact_search {
            let decided = crate::eval::stage_dp::solve(
                &applier,
                &Contest {
                    parts: &parts,
                    whole: &whole,
                    options: &line_options,
                    contested: &contested,
                },
                set_cutoff,
                dp_limit,
                &mut work,
            );
            let lowest_only = matches!(decided, StageDp::LowestOnly(_));
            match decided {
                StageDp::Proven(choice) => {
                    local = choice.map(|choice| Local {
                        choice: *choice,
                        pick: Vec::new(),
                    });
                    solved = true;
                }
                StageDp::LowestOnly(choice) | StageDp::Unfinished(choice) => {
                    // The pricing or the search below starts from it, and it stands if
                    // they find nothing better. A choice whose payable is proven, when
                    // the combinations cannot all be priced, stands as it is (the
                    // branch and bound would not prove more).
                    local = Some(Local {
                        choice: *choice,
                        pick: Vec::new(),
                    });
                    if lowest_only && !enumerable {
                        proven = false;
                        solved = true;
                    }
                }
                StageDp::Undecided => {}
            }
        }
        let exhaustive = small || (!solved && enumerable);
        if solved {
            // Decided by the DP; nothing left to search.
        } else if exact_search && !exhaustive {
            let zeros = vec![0usize; n];
            let start = keeps_of(p, &whole, &line_options, &zeros);
            // What pays more than the DP's unfinished choice is of no interest: finished,
            // the search has the best of what pays at most that, so the lowest of all.
            let within = local
                .as_ref()
                .map_or(set_cutoff, |l| l.choice.key.payable.min(set_cutoff));
            let found = crate::eval::assign::search(
                &applier,
                &parts,
                &start,
                &line_options,
                &contested,
                budget.saturating_sub(work),
                within,
            );
            p.give(start);
            proven &= found.proven;
            work += found.nodes;
            if let Some(choice) = found.best {
                let better = beats(
                    &parts,
                    n,
                    (&choice.key, &choice.keeps),
                    local.as_ref().map(|l| (&l.choice.key, &l.choice.keeps[..])),
                );
                if better {
                    if let Some(old) = local.replace(Local {
                        choice,
                        pick: Vec::new(),
                    }) {
                        p.give(old.choice.keeps);
                        p.recycle(old.choice.outcome);
                    }
                } else {
                    p.give(choice.keeps);
                    p.recycle(choice.outcome);
                }
            } else if local.is_some() {
                // Cannot happen when the search finished (the DP's choice is within it);
                // never claim a proof on it.
                proven = false;
            }
        } else {
            // The previous pick and its outcome (in `local` when it was the best so far):
            // the next pick, which usually changes a few lines, copies the stages before
            // them.
            let mut last: Option<(Vec<usize>, Outcome)> = None;
            let mut last_is_local = false;
            let mut priced: usize = 0;
            for pick in assignments(p, &line_options, &contested, exhaustive) {
                if local.is_some() && p.deadline.passed() {
                    proven = false;
                    break;
                }
                priced += 1;
                let prev = if last_is_local {
                    local.as_ref().map(|l| (&l.pick, &l.choice.outcome))
                } else {
                    last.as_ref().map(|(pk, o)| (pk, o))
                };
                let (key, keeps, outcome) = match prev {
                    Some((prev_pick, prev_outcome)) => {
                        let from = contested
                            .iter()
                            .filter(|&&l| prev_pick[l] != pick[l])
                            .flat_map(|&l| {
                                line_options[l][prev_pick[l]]
                                    .iter()
                                    .chain(&line_options[l][pick[l]])
                            })
                            .map(|&k| rules.offers[parts[k]].stage)
                            .min()
                            .unwrap_or(0);
                        evaluate_from(&pick, Some(prev_outcome), from)
                    }
                    None => evaluate(&pick),
                };
                let better = beats(
                    &parts,
                    n,
                    (&key, &keeps),
                    local.as_ref().map(|l| (&l.choice.key, &l.choice.keeps[..])),
                );
                if better {
                    if let Some(old) = local.take() {
                        p.give(old.choice.keeps);
                        p.recycle(old.choice.outcome);
                    }
                    let choice = Choice {
                        key,
                        keeps,
                        outcome,
                    };
                    local = Some(Local { choice, pick });
                    last_is_local = true;
                } else {
                    p.give(keeps);
                    if let Some((_, old)) = last.replace((pick, outcome)) {
                        p.recycle(old);
                    }
                    last_is_local = false;
                }
            }
            if let Some((_, old)) = last {
                p.recycle(old);
            }
            // Pricing a choice costs about an eighth of a bound.
            work += if exhaustive {
                priced.div_ceil(PRICES_PER_STEP)
            } else {
                priced
            };
        }
        let Some(Local {
            choice:
                Choice {
                    mut key,
                    mut keeps,
                    mut outcome,
                },
            mut pick,
        }) = local
        else {
            continue;
        };
        if !exhaustive && !exact_search {
            // Too many contested lines (or no budget left) for the exact search: improve
            // the best grouped choice one line at a time until a whole pass changes nothing.
            // Lines are visited by ID and only a strictly better key is accepted, so the
            // result does not depend on the order of the cart.
            proven = false;
            let mut order = contested.clone();
            order.sort_by(|&a, &b| p.cart.lines[a].id.cmp(&p.cart.lines[b].id));
            let mut evaluations = 0;
            let mut changed = true;
            while changed && evaluations < MAX_CHOICES && !p.deadline.passed() {
                changed = false;
                for &l in &order {
                    for alt in 0..line_options[l].len() {
                        if alt == pick[l] || evaluations >= MAX_CHOICES {
                            continue;
                        }
                        evaluations += 1;
                        let old = pick[l];
                        pick[l] = alt;
                        // Only offers keeping line `l` under either option change: the
                        // stages before the earliest of them come out as before.
                        let from = line_options[l][old]
                            .iter()
                            .chain(&line_options[l][alt])
                            .map(|&k| rules.offers[parts[k]].stage)
                            .min()
                            .unwrap_or(0);
                        let (k, kk, o) = evaluate_from(&pick, Some(&outcome), from);
                        if k < key {
                            p.give(std::mem::replace(&mut keeps, kk));
                            p.recycle(std::mem::replace(&mut outcome, o));
                            key = k;
                            changed = true;
                        } else {
                            p.give(kk);
                            p.recycle(o);
                            pick[l] = old;
                        }
                    }
                }
            }
            work += evaluations;
        }
        let better = beats(
            &parts,
            n,
            (&key, &keeps),
            best.as_ref().map(|b| (&b.choice.key, &b.choice.keeps[..])),
        );
        if better {
            let choice = Choice {
                key,
                keeps,
                outcome,
            };
            if let Some(old) = best.replace(Best { choice, members }) {
                p.give(old.choice.keeps);
                p.recycle(old.choice.outcome);
            }
        } else {
            p.give(keeps);
            p.recycle(outcome);
        }
        p.give(whole);
    }
    let cut = best.is_none();
    let (members, keeps, outcome) = match best {
        Some(Best { choice, members }) => (members, choice.keeps, Some(choice.outcome)),
        None => (Vec::new(), vec![Lines::new(n); parts.len()], None),
    };
    let left_out: Vec<LeftOut> = parts
        .iter()
        .filter(|o| !members.contains(o))
        .map(|&o| LeftOut {
            offer: o,
            loses_to: members
                .iter()
                .copied()
                .find(|&m| excludes(rules, o, m))
                .unwrap_or(o),
        })
        .collect();
    let outcome = outcome.unwrap_or_else(|| applier.apply(&parts, &keeps));
    Chosen {
        parts,
        keeps,
        left_out,
        outcome,
        proven,
        work,
        cut,
    }
}

/// Whether a choice (its key and keeps) beats the best so far (`None`: there is none):
/// a lower key, or on a full tie keepers earlier in declaration order, line by line.
pub(super) fn beats(
    parts: &[OfferIdx],
    n: usize,
    new: (&Key, &[Lines]),
    old: Option<(&Key, &[Lines])>,
) -> bool {
    let Some((old_key, old_keeps)) = old else {
        return true;
    };
    match new.0.cmp(old_key) {
        Ordering::Less => true,
        Ordering::Equal => keepers(parts, new.1, n) < keepers(parts, old_keeps, n),
        Ordering::Greater => false,
    }
}

/// Line by line, the offers keeping it in declaration order: the last tie-break.
pub(super) fn keepers(parts: &[OfferIdx], keeps: &[Lines], n: usize) -> Vec<Vec<OfferIdx>> {
    (0..n)
        .map(|l| {
            let mut v: Vec<OfferIdx> = parts
                .iter()
                .zip(keeps)
                .filter(|(_, k)| k.get(l))
                .map(|(&o, _)| o)
                .collect();
            v.sort_unstable();
            v
        })
        .collect()
}

/// Whether no line is contested: on every line, the offers with a price effect that have it
/// in scope are pairwise compatible and within their stage's `max`.
pub(super) fn uncontested(p: &Prepared<'_>, parts: &[OfferIdx]) -> bool {
    let rules = p.rules;
    let priced: Vec<OfferIdx> = parts
        .iter()
        .copied()
        .filter(|&o| !rules.offers[o].benefit.is_price_neutral())
        .collect();
    let mut here = Vec::with_capacity(priced.len());
    (0..p.orig.len()).all(|l| {
        here.clear();
        here.extend(priced.iter().copied().filter(|&o| p.scope[o].get(l)));
        may_share_line(rules, &here, |o| o)
    })
}

/// The lines each participant keeps under a pick of per-line options: its whole scope
/// (`whole`, members only), except that a contested line goes to the picked option only.
pub(super) fn keeps_of(
    p: &Prepared<'_>,
    whole: &[Lines],
    options: &[Vec<Vec<usize>>],
    pick: &[usize],
) -> Vec<Lines> {
    let mut keeps: Vec<Lines> = p.take();
    keeps.extend_from_slice(whole);
    for (l, opts) in options.iter().enumerate() {
        if let Some(opt) = opts.get(pick[l]) {
            for k in &mut keeps {
                k.clear(l);
            }
            for &k in opt {
                keeps[k].set(l);
            }
        }
    }
    keeps
}

/// Assignments tried exhaustively when there are at most this many (ties are then broken
/// by keepers in cart order); beyond, a branch and bound searches them ([`crate::eval::assign`]).
pub(crate) const EXHAUSTIVE_CHOICES: usize = 64;

/// The DP's allowance ([`crate::eval::stage_dp::solve`]'s `limit`) when every combination
/// could be priced instead.
const DP_TRIAL: usize = 2_000;

/// Most combinations of keeper options priced one by one, for a cart of `lines` lines under
/// `parts` participants: about [`ENUMERATION_CELLS`] line-offer steps in all.
fn enumeration_limit(lines: usize, parts: usize) -> usize {
    let cells = lines.max(1) * parts.max(1);
    ENUMERATION_CELLS / cells
}

/// Choices priced one by one that count as one step of a quote's budget: pricing a choice
/// costs about an eighth of a bound (measured: about 0.9 µs against 8 µs on 8 × 8).
const PRICES_PER_STEP: usize = 8;

/// Line-offer steps an enumeration of every combination may take (see [`enumeration_limit`]).
const ENUMERATION_CELLS: usize = 32_000_000;

/// Bounds one quote's searches over contested lines may compute in all before they keep
/// the best choice found (see [`choose_within`]), on a cart of up to 8 lines; larger carts
/// get less in proportion ([`quote_budget`]). A step budget rather than the clock decides,
/// so the same request always gets the same answer; it is sized to end well within the
/// default deadline, which stays as a safety net.
pub(crate) const ASSIGN_BUDGET: usize = 60_000;

/// Most bounds × (lines × candidates) one quote's search may cost.
pub(super) const MAX_CELL_STEPS: usize = 200_000_000;

/// Most contested lines of one conflict-free set the exact search takes on; beyond (or
/// with the budget spent), lines with identical options choose alike (every combination
/// of such groups, up to [`MAX_CHOICES`]), then each line alone tries its other options
/// until a whole pass changes nothing, at most [`MAX_CHOICES`] times.
pub(crate) const MAX_EXACT_LINES: usize = crate::limits::MAX_LINES;

/// Comparison key of a choice: lower payable, then the larger priority sum, then fewer
/// applied offers (the keepers tie-break is applied separately, only on a full tie).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Key {
    pub payable: i64,
    /// Wide enough that no sum of `i64` priorities overflows.
    pub priority: i128,
    pub applied: usize,
}

impl Key {
    /// The key of an applied choice.
    pub fn of(outcome: &Outcome, rules: &RuleSetData) -> Key {
        Key {
            payable: outcome.payable(),
            priority: outcome
                .applied
                .iter()
                .map(|a| i128::from(rules.offers[a.offer].priority))
                .sum(),
            applied: outcome.applied.len(),
        }
    }
}

impl Ord for Key {
    fn cmp(&self, b: &Key) -> Ordering {
        self.payable
            .cmp(&b.payable)
            .then(b.priority.cmp(&self.priority))
            .then(self.applied.cmp(&b.applied))
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, b: &Key) -> Option<Ordering> {
        Some(self.cmp(b))
    }
}

/// The picks to price: every combination of the contested lines' options (`exhaustive`;
/// the last contested line changes fastest, options in their listed order), or every
/// combination where lines with identical options choose alike, up to [`MAX_CHOICES`];
/// those groups are ordered by their first line ID so the truncated list does not depend
/// on cart order.
pub(super) fn assignments(
    p: &Prepared<'_>,
    options: &[Vec<Vec<usize>>],
    contested: &[usize],
    exhaustive: bool,
) -> Picks {
    if exhaustive {
        return Picks::All {
            sizes: contested.iter().map(|&l| options[l].len()).collect(),
            contested: contested.to_vec(),
            pick: vec![0; options.len()],
            started: false,
        };
    }
    let mut by_id = contested.to_vec();
    by_id.sort_by(|&a, &b| p.cart.lines[a].id.cmp(&p.cart.lines[b].id));
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for l in by_id {
        match groups.iter_mut().find(|g| options[g[0]] == options[l]) {
            Some(g) => g.push(l),
            None => groups.push(vec![l]),
        }
    }
    let mut out = Vec::new();
    let mut pick = vec![0usize; options.len()];
    fn rec(
        gs: &[Vec<usize>],
        options: &[Vec<Vec<usize>>],
        i: usize,
        pick: &mut Vec<usize>,
        out: &mut Vec<Vec<usize>>,
    ) {
        if out.len() >= MAX_CHOICES {
            return;
        }
        let Some(g) = gs.get(i) else {
            out.push(pick.clone());
            return;
        };
        for choice in 0..options[g[0]].len() {
            for &l in g {
                pick[l] = choice;
            }
            rec(gs, options, i + 1, pick, out);
        }
    }
    rec(&groups, options, 0, &mut pick, &mut out);
    Picks::Listed(out.into_iter())
}

/// The picks of [`assignments`], one option index per line (0 on uncontested lines).
pub(super) enum Picks {
    /// Every combination, generated as the search goes (there may be many).
    All {
        contested: Vec<usize>,
        sizes: Vec<usize>,
        pick: Vec<usize>,
        started: bool,
    },
    Listed(std::vec::IntoIter<Vec<usize>>),
}

impl Iterator for Picks {
    type Item = Vec<usize>;

    fn next(&mut self) -> Option<Vec<usize>> {
        match self {
            Picks::Listed(it) => it.next(),
            Picks::All {
                contested,
                sizes,
                pick,
                started,
            } => {
                if !*started {
                    *started = true;
                    return Some(pick.clone());
                }
                // Advance the odometer: the last line fastest.
                for (i, &l) in contested.iter().enumerate().rev() {
                    if pick[l] + 1 < sizes[i] {
                        pick[l] += 1;
                        return Some(pick.clone());
                    }
                    pick[l] = 0;
                }
                None
            }
        }
    }
}
