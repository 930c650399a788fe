//! The protocol's dispatch: a [`Request`] to its [`Answer`] (the query's answer, or the
//! error as an answer), with the one-sentence summary and the explanation.

use crate::error::{Error, EvalError};
use crate::explain::summary::{self, Summary};
use crate::explain::{self, Explanation};
use crate::lang::ast::OfferKind;
use crate::protocol::request::Request;
use crate::protocol::response::{Answer, AnswerBody, ErrorBody};
use crate::rules::ir::*;

impl RuleSet {
    /// Answers one `ask` request. Errors are answers too (`{"error": ...}`); every answer
    /// names the rule set and carries a one-sentence `summary`.
    pub fn answer(&self, req: &Request) -> Answer {
        match self.answer_body(req) {
            Ok(done) => Answer {
                id: None,
                body: done.body,
                summary: done.summary,
                explain: Some(done.explain),
                rules: self.rules_id(),
            },
            Err(e) => Answer {
                id: None,
                body: AnswerBody::Error {
                    error: ErrorBody::from_error(&e),
                },
                summary: summary::error(&self.inner, &e),
                explain: None,
                rules: self.rules_id(),
            },
        }
    }

    fn answer_body(&self, req: &Request) -> Result<Answered, Error> {
        if let Some(inner) = req.explained() {
            let done = self.answer_body(&inner?)?;
            return Ok(Answered {
                body: AnswerBody::Empty {},
                ..done
            });
        }
        match req {
            Request::Quote {
                cart,
                context,
                coupons,
            } => {
                let q = self.quote(cart, context, coupons)?;
                let explain = self.explain_quote(&q);
                let summary = summary::quote(&self.inner, &q);
                Ok(Answered::new(AnswerBody::Quote(q), summary, explain))
            }
            Request::Eligibility {
                offer,
                cart,
                context,
            } => {
                let el = self.eligibility(offer, cart, context)?;
                let explain = explain::eligibility(&self.inner, &el);
                let summary = summary::eligibility(&self.inner, &el, &explain);
                Ok(Answered::new(AnswerBody::Eligibility(el), summary, explain))
            }
            Request::CanStack {
                a,
                b,
                cart,
                context,
            } => {
                let s = self.can_stack(a, b, cart.as_ref(), context)?;
                let (oa, ob) = (
                    &self.inner.offers[self.index_of(a)?],
                    &self.inner.offers[self.index_of(b)?],
                );
                let explain = explain::stacking(&self.inner, oa, ob, &s);
                let summary = summary::stacking(oa, ob, &s);
                Ok(Answered::new(AnswerBody::Stacking(s), summary, explain))
            }
            Request::Best {
                cart,
                context,
                wallet,
            } => {
                let b = self.best(cart, context, wallet)?;
                let explain = explain::best(&self.inner, &b);
                let summary = summary::best(&self.inner, &b);
                Ok(Answered::new(AnswerBody::Best(b), summary, explain))
            }
            Request::Gap {
                offer,
                cart,
                context,
                coupons,
            } => {
                let g = self.gap(offer.as_deref(), cart, context, coupons)?;
                let explain = explain::gap(&self.inner, &g);
                let summary = Summary::first_of(&explain);
                Ok(Answered::new(AnswerBody::Gap(g), summary, explain))
            }
            Request::Refund {
                order,
                cart,
                context,
                returns,
                balance_paid,
                ..
            } => {
                let r = self.refund(order, cart, context, returns, *balance_paid)?;
                let explain = explain::refund(&self.inner, &r);
                let summary = summary::refund(&self.inner, &r, &explain);
                Ok(Answered::new(AnswerBody::Refund(r), summary, explain))
            }
            Request::Equivalent { a, b } => {
                let q = self.equivalent(a, b)?;
                let explain = explain::equivalent(&self.inner, a, b, &q);
                let summary = Summary::first_of(&explain);
                Ok(Answered::new(AnswerBody::Equivalent(q), summary, explain))
            }
            Request::Offers {} => {
                let list = self.list_offers();
                let coupons = list
                    .offers
                    .iter()
                    .filter(|o| o.kind == OfferKind::Coupon)
                    .count();
                let summary = summary::offers(list.offers.len() - coupons, coupons);
                let explain = Explanation {
                    zh: list
                        .offers
                        .iter()
                        .map(|o| format!("{}（{}）：{}。", o.title, o.id, o.benefit.zh))
                        .collect(),
                    en: list
                        .offers
                        .iter()
                        .map(|o| {
                            let title = o.title_en.as_deref().unwrap_or(&o.title);
                            format!("{title} ({}): {}.", o.id, o.benefit.en)
                        })
                        .collect(),
                };
                Ok(Answered::new(AnswerBody::Offers(list), summary, explain))
            }
            Request::Explain { .. } => {
                Err(EvalError::bad("query", "nothing to explain".into()).into())
            }
        }
    }
}

/// A query's answer before it is wrapped into a [`Answer`].
struct Answered {
    body: AnswerBody,
    summary: Summary,
    explain: Explanation,
}

impl Answered {
    fn new(body: AnswerBody, summary: Summary, explain: Explanation) -> Self {
        Answered {
            body,
            summary,
            explain,
        }
    }
}
