//! The queries on a [`RuleSet`]: `quote` and `totals`, `eligibility`, `can_stack`.

use crate::answer::*;
use crate::cart::{Cart, Context};
use crate::error::{Error, EvalError};
use crate::eval::{choose, compatible, excludes, line_rule, Chosen, OfferAmounts, Prepared};
use crate::lang::ast::OfferKind;
use crate::money::Money;
use crate::rules::ir::*;

impl RuleSet {
    /// The offer a request names, by ID or else by its exact title. A name that is
    /// neither (or a title several offers share) is `unknown_offer`, with the closest IDs
    /// and titles as suggestions.
    pub(crate) fn index_of(&self, name: &str) -> Result<OfferIdx, EvalError> {
        let rules = &self.inner;
        if let Some(&i) = rules.index.get(name) {
            return Ok(i);
        }
        let mut titled = (0..rules.offers.len()).filter(|&o| rules.offers[o].title == name);
        let suggest = |idx: &mut dyn Iterator<Item = OfferIdx>| {
            idx.map(|o| crate::error::OfferSuggestion {
                id: rules.offers[o].id.clone(),
                title: rules.offers[o].title.clone(),
            })
            .collect()
        };
        let suggestions = match (titled.next(), titled.next()) {
            (Some(o), None) => return Ok(o),
            // A shared title names no one offer: offer every one it could mean.
            (Some(a), Some(b)) => suggest(&mut [a, b].into_iter().chain(titled)),
            (None, _) => {
                let by_id = crate::lang::suggest::closest(
                    name,
                    rules.offers.iter().map(|o| o.id.as_str()),
                    3,
                );
                let by_title = crate::lang::suggest::closest(
                    name,
                    rules.offers.iter().map(|o| o.title.as_str()),
                    3,
                );
                let mut picks: Vec<OfferIdx> = Vec::new();
                for o in by_id
                    .iter()
                    .filter_map(|id| rules.index.get(*id).copied())
                    .chain(by_title.iter().flat_map(|t| {
                        (0..rules.offers.len()).filter(move |&o| rules.offers[o].title == *t)
                    }))
                {
                    if !picks.contains(&o) && picks.len() < 3 {
                        picks.push(o);
                    }
                }
                suggest(&mut picks.into_iter())
            }
        };
        Err(EvalError::UnknownOffer {
            id: name.chars().take(40).collect(),
            suggestions,
        })
    }

    /// Resolves selected coupon IDs (unknown → `unknown_offer`, an activity → `bad_request`),
    /// without duplicates, in the order given.
    pub(crate) fn coupon_indices<S: AsRef<str>>(
        &self,
        ids: &[S],
    ) -> Result<Vec<OfferIdx>, EvalError> {
        self.coupon_indices_of("coupons", ids)
    }

    /// [`RuleSet::coupon_indices`] naming `field` (`coupons` or `wallet`) in errors.
    pub(crate) fn coupon_indices_of<S: AsRef<str>>(
        &self,
        field: &str,
        ids: &[S],
    ) -> Result<Vec<OfferIdx>, EvalError> {
        if ids.len() > crate::limits::MAX_WALLET {
            return Err(EvalError::bad(
                field,
                format!(
                    "{} coupons is more than the {} one request may name",
                    ids.len(),
                    crate::limits::MAX_WALLET
                ),
            ));
        }
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let i = self.index_of(id.as_ref())?;
            if self.inner.offers[i].kind != OfferKind::Coupon {
                // Named `coupons` for a wallet too, as answers have always named it.
                return Err(EvalError::bad(
                    "coupons",
                    format!("\"{}\" is an activity, not a coupon", id.as_ref()),
                ));
            }
            if !out.contains(&i) {
                out.push(i);
            }
        }
        Ok(out)
    }

    /// Prices `cart` with the selected `coupons`: every candidate activity and selected
    /// coupon takes part, stacking conflicts are resolved to the lowest payable, and the
    /// answer lists what applied, per line and in total, and why the rest did not.
    ///
    /// ```
    /// use youhui::{Cart, Context, Line, Money, RuleSet};
    /// let rules = RuleSet::parse(r#"
    /// ruleset "店" { stages 店铺 }
    /// activity shop300 "店铺每满300减50" { stage 店铺 benefit 每满300减50 封顶150 scope shop "nike" }
    /// "#)?;
    /// let cart = Cart { lines: vec![Line::new("L1", "SHOE-1", "nike", Money(39900), 2)] };
    /// let q = rules.quote(&cart, &Context::default(), &[] as &[&str])?;
    /// assert_eq!(q.payable.to_string(), "698.00");
    /// assert_eq!(rules.explain_quote(&q).zh[0], "店铺每满300减50：店铺商品合计798.00元，满300元2次，减100.00元。");
    /// # Ok::<(), youhui::Error>(())
    /// ```
    pub fn quote<S: AsRef<str>>(
        &self,
        cart: &Cart,
        ctx: &Context,
        coupons: &[S],
    ) -> Result<Quote, Error> {
        let selected = self.coupon_indices(coupons)?;
        let p = self.prepare(cart, ctx)?;
        Ok(self.quote_prepared(&p, &selected)?)
    }

    /// The totals of [`RuleSet::quote`] without the per-line and per-offer detail: the same
    /// evaluation (eligibility, stacking, stages, 分摊), but no answer strings are built, so
    /// this is the fastest way to ask "what do I pay".
    ///
    /// ```
    /// use youhui::{Cart, Context, Line, Money, RuleSet};
    /// let rules = RuleSet::parse(r#"
    /// ruleset "店" { stages 店铺 }
    /// activity shop300 "店铺每满300减50" { stage 店铺 benefit 每满300减50 scope shop "nike" }
    /// "#)?;
    /// let cart = Cart { lines: vec![Line::new("L1", "SHOE-1", "nike", Money(39900), 2)] };
    /// let t = rules.totals(&cart, &Context::default(), &[] as &[&str])?;
    /// assert_eq!((t.payable, t.discount), (Money(69800), Money(10000)));
    /// assert_eq!(t.payable, rules.quote(&cart, &Context::default(), &[] as &[&str])?.payable);
    /// # Ok::<(), youhui::Error>(())
    /// ```
    pub fn totals<S: AsRef<str>>(
        &self,
        cart: &Cart,
        ctx: &Context,
        coupons: &[S],
    ) -> Result<Totals, Error> {
        let selected = self.coupon_indices(coupons)?;
        let p = self.prepare(cart, ctx)?;
        let (chosen, _) = self.choose_for(&p, &selected)?;
        let out = &chosen.outcome;
        let original: i64 = p.orig.iter().sum();
        let payable = out.payable();
        Ok(Totals {
            original: Money(original),
            discount: Money(original - (payable - out.shipping)),
            shipping: Money(out.shipping),
            payable: Money(payable),
        })
    }

    pub(crate) fn quote_prepared(
        &self,
        p: &Prepared<'_>,
        selected: &[OfferIdx],
    ) -> Result<Quote, EvalError> {
        let (chosen, not_held) = self.choose_for(p, selected)?;
        Ok(self.assemble(p, selected, &not_held, &chosen))
    }

    /// The stacking choice for a selection of coupons, and the selected coupons the user
    /// does not hold. Selected candidates that exclude each other are an error.
    pub(crate) fn choose_for(
        &self,
        p: &Prepared<'_>,
        selected: &[OfferIdx],
    ) -> Result<(Chosen, Vec<OfferIdx>), EvalError> {
        let budget = crate::eval::quote_budget(p);
        self.choose_for_within(p, selected, budget, i64::MAX)
    }

    /// [`RuleSet::choose_for`] with a budget for the search over contested lines (see
    /// `eval::choose_within`).
    pub(crate) fn choose_for_within(
        &self,
        p: &Prepared<'_>,
        selected: &[OfferIdx],
        budget: usize,
        cutoff: i64,
    ) -> Result<(Chosen, Vec<OfferIdx>), EvalError> {
        let rules = &self.inner;
        let held = |c: OfferIdx| {
            p.ctx
                .wallet
                .as_ref()
                .is_none_or(|w| w.contains(&rules.offers[c].id))
        };
        let not_held: Vec<OfferIdx> = selected
            .iter()
            .copied()
            .filter(|&c| p.ineligible[c].is_none() && !held(c))
            .collect();
        let candidate_coupons: Vec<OfferIdx> = selected
            .iter()
            .copied()
            .filter(|&c| p.ineligible[c].is_none() && held(c))
            .collect();
        for (i, &a) in candidate_coupons.iter().enumerate() {
            if let Some(&b) = candidate_coupons[i + 1..]
                .iter()
                .find(|&&b| excludes(rules, a, b))
            {
                return Err(EvalError::Conflict {
                    a: rules.offers[a].id.clone(),
                    b: rules.offers[b].id.clone(),
                    rule: StackRule::Excludes,
                });
            }
        }
        let mut parts: Vec<OfferIdx> = p.take();
        parts.extend(
            (0..rules.offers.len()).filter(|&o| {
                rules.offers[o].kind == OfferKind::Activity && p.ineligible[o].is_none()
            }),
        );
        parts.extend(&candidate_coupons);
        Ok((
            crate::eval::choose_within(p, parts, budget, cutoff),
            not_held,
        ))
    }

    pub(crate) fn assemble(
        &self,
        p: &Prepared<'_>,
        selected: &[OfferIdx],
        not_held: &[OfferIdx],
        c: &Chosen,
    ) -> Quote {
        let rules = &self.inner;
        let out = &c.outcome;
        let mut lines: Vec<LineQuote> = p
            .cart
            .lines
            .iter()
            .enumerate()
            .map(|(l, line)| LineQuote {
                id: line.id.clone(),
                original: Money(p.orig[l]),
                payable: Money(out.amount[l]),
                discounts: Vec::new(),
            })
            .collect();
        for s in out.shares.iter().filter(|s| s.amount != 0) {
            lines[s.line].discounts.push(Share {
                offer: rules.offers[s.offer].id.clone(),
                amount: Money(s.amount),
            });
        }
        let applied: Vec<Applied> = out
            .applied
            .iter()
            .map(|a| Applied {
                offer: rules.offers[a.offer].id.clone(),
                stage: rules.offers[a.offer].stage_name.clone(),
                amount: Money(a.given),
                detail: a.detail.clone(),
                clamped: a.clamped,
            })
            .collect();
        // Per offer, what the loop below asks of it (one pass each, not a search per
        // offer: a rule file may hold 20,000 offers).
        let n_offers = rules.offers.len();
        let mark = |list: &mut dyn Iterator<Item = OfferIdx>| {
            let mut v = vec![false; n_offers];
            list.for_each(|o| v[o] = true);
            v
        };
        let applied_here = mark(&mut out.applied.iter().map(|a| a.offer));
        let is_selected = mark(&mut selected.iter().copied());
        let is_not_held = mark(&mut not_held.iter().copied());
        let mut loses_to: Vec<Option<OfferIdx>> = vec![None; n_offers];
        for left in c.left_out.iter().rev() {
            loses_to[left.offer] = Some(left.loses_to);
        }
        let mut unmet_of = vec![None; n_offers];
        for unmet in out.unmet.iter().rev() {
            unmet_of[unmet.offer] = Some(unmet);
        }
        let mut not_applied = Vec::new();
        for (o, offer) in rules.offers.iter().enumerate() {
            let listed = offer.kind == OfferKind::Activity || is_selected[o];
            if !listed || applied_here[o] {
                continue;
            }
            let reason = if let Some(r) = p.reason(o) {
                r
            } else if is_not_held[o] {
                Reason::NotHeld
            } else if let Some(with) = loses_to[o] {
                Reason::Conflict {
                    with: rules.offers[with].id.clone(),
                    rule: StackRule::Excludes,
                }
            } else if let Some(unmet) = unmet_of[o] {
                Reason::ThresholdNotMet {
                    shortfall: unmet.shortfall,
                    next_benefit: offer.first_step_zh.clone(),
                }
            } else {
                self.lost_line(p, c, o)
            };
            let taken_by = matches!(reason, Reason::ThresholdNotMet { .. })
                .then(|| self.taken_by(p, c, o))
                .flatten();
            not_applied.push(NotApplied {
                offer: offer.id.clone(),
                reason,
                in_cart: !p.scope[o].is_empty(),
                taken_by,
            });
        }
        let goods: i64 = out.amount.iter().sum();
        let original: i64 = p.orig.iter().sum();
        let payable = goods + out.shipping;
        Quote {
            original: Money(original),
            discount: Money(original - goods),
            shipping: Money(out.shipping),
            payable: Money(payable),
            lines,
            applied,
            not_applied,
            gifts: out
                .gifts
                .iter()
                .map(|&o| GiftGranted {
                    offer: rules.offers[o].id.clone(),
                    gift: match &rules.offers[o].benefit {
                        Benefit::Gift(Gift { gift, .. }) => gift.clone(),
                        _ => String::new(),
                    },
                })
                .collect(),
            presale: out.deposit.map(|d| Presale {
                deposit: Money(d),
                balance: Money(payable - d),
            }),
            shipping_before: p.ctx.shipping_fee,
            optimal: c.proven,
        }
    }

    /// The first keeper, in cart order, of a line in `o`'s scope that `o` cannot share
    /// (exclusive or incompatible), with the deciding rule.
    fn taken_by(&self, p: &Prepared<'_>, c: &Chosen, o: OfferIdx) -> Option<TakenBy> {
        let rules = &self.inner;
        let at = c.parts.iter().position(|&x| x == o);
        (0..p.orig.len())
            .filter(|&l| p.scope[o].get(l) && at.is_none_or(|i| !c.keeps[i].get(l)))
            .find_map(|l| {
                c.parts
                    .iter()
                    .zip(&c.keeps)
                    .find(|(&w, k)| {
                        k.get(l)
                            && (rules.offers[w].exclusive
                                || rules.offers[o].exclusive
                                || !compatible(rules, o, w))
                    })
                    .map(|(&w, _)| TakenBy {
                        offer: rules.offers[w].id.clone(),
                        rule: line_rule(rules, o, w),
                    })
            })
    }

    /// The reason an offer in the conflict-free set kept no line: the first keeper, on the
    /// first line of its scope, it cannot share that line with (a price-neutral keeper
    /// shares every line by the stage limit).
    fn lost_line(&self, p: &Prepared<'_>, c: &Chosen, o: OfferIdx) -> Reason {
        let rules = &self.inner;
        for l in 0..p.orig.len() {
            if !p.scope[o].get(l) {
                continue;
            }
            let keepers = c
                .parts
                .iter()
                .zip(&c.keeps)
                .filter(|(_, k)| k.get(l))
                .map(|(&w, _)| w);
            for w in keepers {
                // A gift or free shipping keeps its lines without counting toward the
                // stage's `max`: it never takes a line by the stage limit.
                let same_stage = rules.offers[w].stage == rules.offers[o].stage
                    && !rules.offers[w].benefit.is_price_neutral();
                if !compatible(rules, o, w) || same_stage {
                    return Reason::Conflict {
                        with: rules.offers[w].id.clone(),
                        rule: line_rule(rules, o, w),
                    };
                }
            }
        }
        Reason::NoLineInScope
    }

    /// Whether `offer` is eligible for this cart and context, and the first reason it is
    /// not, in the documented order. A coupon is treated as held; the threshold is tested on the
    /// offer's whole scope after the candidate activities of earlier stages.
    pub fn eligibility(
        &self,
        offer: &str,
        cart: &Cart,
        ctx: &Context,
    ) -> Result<Eligibility, Error> {
        let o = self.index_of(offer)?;
        let p = self.prepare(cart, ctx)?;
        let reason = match p.reason(o) {
            Some(r) => Some(r),
            None => self.threshold_on_whole_scope(&p, o),
        };
        Ok(Eligibility {
            eligible: reason.is_none(),
            reason,
            offer: self.inner.offers[o].id.clone(),
        })
    }

    fn threshold_on_whole_scope(&self, p: &Prepared<'_>, o: OfferIdx) -> Option<Reason> {
        let rules = &self.inner;
        let offer = &rules.offers[o];
        let earlier: Vec<OfferIdx> = (0..rules.offers.len())
            .filter(|&x| {
                rules.offers[x].kind == OfferKind::Activity
                    && rules.offers[x].stage < offer.stage
                    && p.ineligible[x].is_none()
            })
            .collect();
        let chosen = choose(p, earlier);
        let measure = OfferAmounts::of(offer, &p.orig, |k| chosen.outcome.after(k))
            .measure(p.cart, &p.scope[o]);
        let next_benefit = offer.first_step_zh.clone();
        let short = offer.benefit.shortfall(measure);
        short.map(|shortfall| Reason::ThresholdNotMet {
            shortfall,
            next_benefit,
        })
    }

    /// Whether offers `a` and `b` can be used together, from the declarations alone, naming
    /// the deciding rule (`excludes`, `exclusive`, `only_with`, `stage_max` or `ok`). With a
    /// cart it also says whether both really apply to it (on a common line), and if not, why.
    pub fn can_stack(
        &self,
        a: &str,
        b: &str,
        cart: Option<&Cart>,
        ctx: &Context,
    ) -> Result<Stacking, Error> {
        let rules = &self.inner;
        let (ia, ib) = (self.index_of(a)?, self.index_of(b)?);
        let (oa, ob) = (&rules.offers[ia], &rules.offers[ib]);
        // Answers name offers by ID, whichever way the request named them.
        let (a, b) = (oa.id.as_str(), ob.id.as_str());
        let neutral = oa.benefit.is_price_neutral() || ob.benefit.is_price_neutral();
        let only_with_detail = |x: &Offer, y: &Offer| -> Option<String> {
            let list = x.only_with_ids.as_ref()?;
            (!list.contains(&y.id))
                .then(|| format!("{} only stacks with {}", x.id, list.join(", ")))
        };
        let (stack, rule, detail) = if ia == ib {
            (
                false,
                StackRule::StageMax,
                format!("{a} is one offer; it applies at most once"),
            )
        } else if excludes(rules, ia, ib) {
            let (x, y) = if oa.excludes_ids.contains(&ob.id) {
                (oa, ob)
            } else {
                (ob, oa)
            };
            (
                false,
                StackRule::Excludes,
                format!("{} excludes {}", x.id, y.id),
            )
        } else if neutral {
            (true, StackRule::Ok, format!("{a} and {b} can stack"))
        } else if oa.exclusive || ob.exclusive {
            let x = if oa.exclusive { oa } else { ob };
            (
                false,
                StackRule::Exclusive,
                format!("{} is exclusive", x.id),
            )
        } else if let Some(d) = only_with_detail(oa, ob).or_else(|| only_with_detail(ob, oa)) {
            (false, StackRule::OnlyWith, d)
        } else if oa.stage == ob.stage && rules.stages.get(oa.stage).is_some_and(|s| s.max < 2) {
            (
                false,
                StackRule::StageMax,
                format!("stage {} allows 1 offer per line", oa.stage_name),
            )
        } else {
            (true, StackRule::Ok, format!("{a} and {b} can stack"))
        };
        let mut s = Stacking {
            stack,
            rule,
            detail,
            both_apply: None,
            why_not: None,
        };
        if let Some(cart) = cart {
            let (both, why) = self.both_apply(cart, ctx, ia, ib)?;
            s.both_apply = Some(both);
            s.why_not = why;
        }
        Ok(s)
    }

    fn both_apply(
        &self,
        cart: &Cart,
        ctx: &Context,
        a: OfferIdx,
        b: OfferIdx,
    ) -> Result<(bool, Option<WhyNot>), Error> {
        let rules = &self.inner;
        let p = self.prepare(cart, ctx)?;
        let selected: Vec<OfferIdx> = [a, b]
            .into_iter()
            .filter(|&x| rules.offers[x].kind == OfferKind::Coupon)
            .collect();
        let q = match self.quote_prepared(&p, &selected) {
            Ok(q) => q,
            Err(EvalError::Conflict { .. }) => {
                let reason = Reason::Conflict {
                    with: rules.offers[a].id.clone(),
                    rule: StackRule::Excludes,
                };
                return Ok((
                    false,
                    Some(WhyNot::NotApplied {
                        offer: rules.offers[b].id.clone(),
                        reason,
                    }),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        for x in [a, b] {
            if let Some(na) = q.not_applied.iter().find(|n| n.offer == rules.offers[x].id) {
                return Ok((
                    false,
                    Some(WhyNot::NotApplied {
                        offer: na.offer.clone(),
                        reason: na.reason.clone(),
                    }),
                ));
            }
        }
        let has =
            |l: &LineQuote, x: OfferIdx| l.discounts.iter().any(|d| d.offer == rules.offers[x].id);
        // Offers without a price effect stack with everything they share the order with.
        let common = rules.offers[a].benefit.is_price_neutral()
            || rules.offers[b].benefit.is_price_neutral()
            || q.lines.iter().any(|l| has(l, a) && has(l, b));
        Ok(if common {
            (true, None)
        } else {
            (false, Some(WhyNot::DisjointScopes))
        })
    }
}
