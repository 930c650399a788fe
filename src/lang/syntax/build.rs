//! pest pairs → AST nodes with spans; the Pratt parser builds `audience` expressions.

use super::*;

/// Turns pest pairs into AST nodes; `offset` places a block's pairs in the whole file.
pub(super) struct Builder {
    pub(super) diags: RefCell<Vec<RawDiagnostic>>,
    pub(super) offset: usize,
}

impl Builder {
    pub(super) fn span(&self, p: &P<'_>) -> Span {
        let s = p.as_span();
        Span::new(self.offset + s.start(), self.offset + s.end())
    }

    pub(super) fn error(&self, e: SyntaxError, span: Span) {
        self.diags.borrow_mut().push(RawDiagnostic::syntax(e, span));
    }

    /// Reports text the grammar cannot have produced here, and goes on with `default` so
    /// the rest of the file is still checked.
    fn unexpected<T>(&self, what: &'static str, text: Option<&str>, span: Span, default: T) -> T {
        let text = text.unwrap_or("").to_string();
        self.error(SyntaxError::Unexpected { what, text }, span);
        default
    }

    pub(super) fn name(&self, p: P<'_>) -> Name {
        Spanned::new(p.as_str().to_string(), self.span(&p))
    }

    pub(super) fn string(&self, p: P<'_>) -> Spanned<String> {
        let span = self.span(&p);
        let raw = p.into_inner().next().map_or("", |s| s.as_str());
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else {
                out.push(c);
            }
        }
        Spanned::new(out, span)
    }

    pub(super) fn uint(&self, p: P<'_>) -> Count {
        let span = self.span(&p);
        let n = p.as_str().parse::<u64>().unwrap_or_else(|_| {
            self.error(
                SyntaxError::NumberTooLarge {
                    text: p.as_str().into(),
                },
                span,
            );
            0
        });
        Spanned::new(n, span)
    }

    pub(super) fn int(&self, p: P<'_>) -> i64 {
        p.as_str().parse::<i64>().unwrap_or_else(|_| {
            self.error(
                SyntaxError::NumberTooLarge {
                    text: p.as_str().into(),
                },
                self.span(&p),
            );
            0
        })
    }

    pub(super) fn count(&self, p: P<'_>) -> Count {
        let span = self.span(&p);
        let text = p.as_str();
        // On error the count becomes 1, a value no later check objects to, so one mistake
        // gives one error.
        let n = if text.bytes().all(|b| b.is_ascii_digit()) {
            text.parse::<u64>().unwrap_or_else(|_| {
                self.error(SyntaxError::NumberTooLarge { text: text.into() }, span);
                1
            })
        } else {
            chinese_count(text).unwrap_or_else(|| {
                self.error(SyntaxError::BadCount { text: text.into() }, span);
                1
            })
        };
        Spanned::new(n, span)
    }

    pub(super) fn decimal(&self, p: &P<'_>, text: &str) -> Num {
        let span = self.span(p);
        let d = Decimal::from_str(text).unwrap_or_else(|_| {
            self.error(SyntaxError::NumberTooLarge { text: text.into() }, span);
            Decimal::ZERO
        });
        Spanned::new(d, span)
    }

    pub(super) fn amount(&self, p: P<'_>) -> Num {
        let t = p
            .as_str()
            .trim_start_matches(['¥', '￥'])
            .trim_end_matches('元');
        self.decimal(&p, t)
    }

    pub(super) fn pct_rate(&self, p: P<'_>) -> RateAst {
        let n = self.decimal(&p, p.as_str());
        RateAst {
            pct_off: n.node,
            text: format!("pct_off {}", p.as_str()),
            span: n.span,
            bad_zhe: false,
        }
    }

    /// `rate` = `zhe` | `half_price` | `free_price`, as a percentage off.
    pub(super) fn rate(&self, p: P<'_>) -> RateAst {
        let span = self.span(&p);
        let text = p.as_str().to_string();
        let inner = p.into_inner().next();
        let (pct_off, bad_zhe) = match inner.as_ref().map(|i| i.as_rule()) {
            Some(Rule::zhe) => zhe_to_pct_off(text.trim_end_matches('折')),
            Some(Rule::half_price) => (Decimal::from(50), false),
            _ => (Decimal::ONE_HUNDRED, false),
        };
        RateAst {
            pct_off,
            text,
            span,
            bad_zhe,
        }
    }

    pub(super) fn header(&self, p: P<'_>) -> Header {
        let span = self.span(&p);
        let mut it = kids(p);
        let name = it
            .next()
            .map(|s| self.string(s))
            .unwrap_or_else(|| Spanned::new(String::new(), span));
        let fields = it
            .map(|f| Spanned::new(self.header_field(f.clone()), self.span(&f)))
            .collect();
        Header { name, fields }
    }

    pub(super) fn header_field(&self, p: P<'_>) -> HeaderField {
        let rule = p.as_rule();
        let span = self.span(&p);
        let mut it = kids(p);
        let mut next = || it.next();
        match rule {
            Rule::h_currency => {
                HeaderField::Currency(next().map_or_else(String::new, |v| v.as_str().into()))
            }
            Rule::h_timezone => {
                HeaderField::Timezone(next().map_or_else(String::new, |v| v.as_str().into()))
            }
            Rule::h_rounding => HeaderField::Rounding(match next().map(|v| v.as_str()) {
                Some("half_even") => Rounding::HalfEven,
                Some("down") => Rounding::Down,
                Some("up") => Rounding::Up,
                Some("half_up") => Rounding::HalfUp,
                other => self.unexpected("a rounding mode", other, span, Rounding::HalfUp),
            }),
            Rule::h_stages => HeaderField::Stages(it.map(|s| self.name(s)).collect()),
            Rule::h_stage_max => {
                let stage = next()
                    .map(|s| self.name(s))
                    .unwrap_or_else(|| Spanned::new(String::new(), Span::default()));
                let n = next()
                    .map(|n| self.uint(n))
                    .unwrap_or_else(|| Spanned::new(0, Span::default()));
                HeaderField::StageMax(stage, n)
            }
            Rule::h_refund => HeaderField::Refund(match next().map(|v| v.as_str()) {
                Some("recompute") => RefundPolicy::Recompute,
                Some("apportioned") => RefundPolicy::Apportioned,
                other => self.unexpected("a refund policy", other, span, RefundPolicy::Apportioned),
            }),
            _ => HeaderField::ThresholdBase(
                next().map_or(ThresholdMode::Sequential, |m| self.threshold_mode(m)),
            ),
        }
    }

    pub(super) fn threshold_mode(&self, p: P<'_>) -> ThresholdMode {
        let mut it = p.into_inner();
        match (it.next().map(|m| m.as_rule()), it.next()) {
            (Some(Rule::mode_original), _) => ThresholdMode::Original,
            (Some(Rule::mode_after), Some(stage)) => ThresholdMode::After(self.name(stage)),
            _ => ThresholdMode::Sequential,
        }
    }

    pub(super) fn offer(&self, p: P<'_>) -> Offer {
        let span = self.span(&p);
        let mut it = kids(p);
        let kind = match it.next().map(|k| k.as_str()) {
            Some("coupon") => OfferKind::Coupon,
            Some("activity") => OfferKind::Activity,
            other => self.unexpected("activity or coupon", other, span, OfferKind::Activity),
        };
        let id = it
            .next()
            .map(|i| self.name(i))
            .unwrap_or_else(|| Spanned::new(String::new(), span));
        let mut title = id.node.clone();
        let mut fields = Vec::new();
        for f in it {
            if f.as_rule() == Rule::string {
                title = self.string(f).node;
            } else {
                let fspan = self.span(&f);
                fields.push(Spanned::new(self.offer_field(f), fspan));
            }
        }
        Offer {
            kind,
            id,
            title,
            fields,
            span,
        }
    }

    pub(super) fn offer_field(&self, p: P<'_>) -> OfferField {
        let rule = p.as_rule();
        let span = self.span(&p);
        let mut it = kids(p);
        let first = it.next();
        let empty = || Spanned::new(String::new(), span);
        match rule {
            Rule::f_stage => OfferField::Stage(first.map_or_else(empty, |s| self.name(s))),
            Rule::f_benefit => OfferField::Benefit(self.benefit(first)),
            Rule::f_scope => OfferField::Scope(self.scope(first)),
            Rule::f_exclude => OfferField::Exclude(self.scope(first)),
            Rule::f_valid => OfferField::Valid(self.window(first, span)),
            Rule::f_deposit_window => OfferField::DepositWindow(self.window(first, span)),
            Rule::f_balance_window => OfferField::BalanceWindow(self.window(first, span)),
            Rule::f_audience => OfferField::Audience(match first {
                None => Expr::Flag(empty()),
                // The Pratt parser and every later walk recurse once per operator: count them
                // on the flat pairs first, so no expression can exhaust the stack.
                Some(e) if operators(&e) > MAX_AUDIENCE_OPERATORS => {
                    self.error(
                        SyntaxError::TooComplex {
                            limit: MAX_AUDIENCE_OPERATORS,
                        },
                        self.span(&e),
                    );
                    // A valid stand-in, so the refused expression causes no second error.
                    Expr::Flag(Spanned::new("user.new".to_string(), self.span(&e)))
                }
                Some(e) => self.expr(e),
            }),
            Rule::f_limit => {
                let per_qty = first.as_ref().is_some_and(|k| k.as_str() == "per_user_qty");
                let n = it.next().map_or(Spanned::new(0, span), |n| self.uint(n));
                if per_qty {
                    OfferField::LimitPerUserQty(n)
                } else {
                    OfferField::LimitPerUser(n)
                }
            }
            Rule::f_stock => OfferField::Stock,
            Rule::f_exclusive => OfferField::Exclusive,
            Rule::f_excludes => {
                OfferField::Excludes(first.into_iter().chain(it).map(|n| self.name(n)).collect())
            }
            Rule::f_only_with => {
                OfferField::OnlyWith(first.into_iter().chain(it).map(|n| self.name(n)).collect())
            }
            Rule::f_priority => OfferField::Priority(first.map_or(0, |n| self.int(n))),
            Rule::f_threshold => OfferField::Threshold(
                first.map_or(ThresholdMode::Sequential, |m| self.threshold_mode(m)),
            ),
            Rule::f_title_en => OfferField::TitleEn(
                first.map_or_else(|| Spanned::new(String::new(), span), |s| self.string(s)),
            ),
            _ => OfferField::GroupHours(first.map_or(Spanned::new(0, span), |n| self.uint(n))),
        }
    }

    pub(super) fn window(&self, p: Option<P<'_>>, span: Span) -> Window {
        let mut parts = p
            .into_iter()
            .flat_map(kids)
            .map(|d| Spanned::new(d.as_str().to_string(), self.span(&d)));
        let empty = Spanned::new(String::new(), span);
        let start = parts.next().unwrap_or_else(|| empty.clone());
        let end = parts.next().unwrap_or(empty);
        Window { start, end }
    }

    pub(super) fn scope(&self, p: Option<P<'_>>) -> ScopeSel {
        let mut it = p.into_iter().flat_map(|p| p.into_inner());
        match it.next() {
            Some(d) if d.as_rule() == Rule::scope_dim => {
                let dim = match d.as_str() {
                    "shop" => Dim::Shop,
                    "category" => Dim::Category,
                    "sku" => Dim::Sku,
                    "tag" => Dim::Tag,
                    other => {
                        let span = self.span(&d);
                        self.unexpected("a scope dimension", Some(other), span, Dim::Tag)
                    }
                };
                ScopeSel::Values(dim, it.map(|s| self.string(s).node).collect())
            }
            _ => ScopeSel::All,
        }
    }

    pub(super) fn expr(&self, p: P<'_>) -> Expr {
        pratt()
            .map_primary(|prim| match prim.as_rule() {
                Rule::expr => self.expr(prim),
                Rule::comparison => {
                    let mut it = prim.into_inner();
                    let field = it.next().map(|f| self.name(f));
                    let op_pair = it.next();
                    let op_span = op_pair
                        .as_ref()
                        .map_or_else(Span::default, |o| self.span(o));
                    let op = op_pair.as_ref().map(|o| o.as_str());
                    let val = it.next();
                    let op = match op {
                        Some("==") => CmpOp::Eq,
                        Some("!=") => CmpOp::Ne,
                        Some("<") => CmpOp::Lt,
                        Some("<=") => CmpOp::Le,
                        Some(">") => CmpOp::Gt,
                        Some(">=") => CmpOp::Ge,
                        other => self.unexpected("a comparison", other, op_span, CmpOp::Ge),
                    };
                    let value = match val {
                        Some(v) => {
                            let span = self.span(&v);
                            let value = match v.as_rule() {
                                Rule::string => Value::Str(self.string(v).node),
                                Rule::boolean => Value::Bool(v.as_str() == "true"),
                                _ => Value::Int(self.int(v)),
                            };
                            Spanned::new(value, span)
                        }
                        None => Spanned::new(Value::Bool(true), Span::default()),
                    };
                    let field =
                        field.unwrap_or_else(|| Spanned::new(String::new(), Span::default()));
                    Expr::Compare(field, op, value)
                }
                Rule::has_test => {
                    let mut it = kids(prim);
                    let field = it.next().map_or_else(
                        || Spanned::new(String::new(), Span::default()),
                        |f| self.name(f),
                    );
                    let value = it.next().map_or_else(
                        || Spanned::new(String::new(), Span::default()),
                        |s| self.string(s),
                    );
                    Expr::Has(field, value)
                }
                _ => Expr::Flag(prim.into_inner().next().map_or_else(
                    || Spanned::new(String::new(), Span::default()),
                    |f| self.name(f),
                )),
            })
            .map_prefix(|_op, rhs| Expr::Not(Box::new(rhs)))
            .map_infix(|lhs, op, rhs| match op.as_rule() {
                Rule::op_and => Expr::And(Box::new(lhs), Box::new(rhs)),
                _ => Expr::Or(Box::new(lhs), Box::new(rhs)),
            })
            .parse(p.into_inner())
    }

    pub(super) fn benefit(&self, p: Option<P<'_>>) -> Benefit {
        let Some(b) = p.and_then(|p| p.into_inner().next()) else {
            return Benefit::FreeShipping(None);
        };
        let rule = b.as_rule();
        let parts: Vec<P<'_>> = b.into_inner().collect();
        // Each number is converted once, so a bad one is reported once.
        let amounts: Vec<Num> = parts
            .iter()
            .filter(|p| p.as_rule() == Rule::amount)
            .map(|p| self.amount(p.clone()))
            .collect();
        let counts: Vec<Count> = parts
            .iter()
            .filter(|p| p.as_rule() == Rule::count)
            .map(|p| self.count(p.clone()))
            .collect();
        let amount_at = |i: usize| {
            amounts
                .get(i)
                .cloned()
                .unwrap_or_else(|| Spanned::new(Decimal::ZERO, Span::default()))
        };
        let count_at = |i: usize| {
            counts
                .get(i)
                .cloned()
                .unwrap_or_else(|| Spanned::new(0, Span::default()))
        };
        let rate_of = |p: Option<&P<'_>>| match p {
            Some(r) if r.as_rule() == Rule::pct => self.pct_rate(r.clone()),
            Some(r) => self.rate(r.clone()),
            None => RateAst {
                pct_off: Decimal::ZERO,
                text: String::new(),
                span: Span::default(),
                bad_zhe: false,
            },
        };
        let rate_part = || {
            parts
                .iter()
                .find(|p| matches!(p.as_rule(), Rule::rate | Rule::pct))
        };
        match rule {
            Rule::tiered => Benefit::Tiered(parts.into_iter().map(|t| self.tier(t)).collect()),
            Rule::every_n => Benefit::EveryN {
                step: amount_at(0),
                off: amount_at(1),
                cap: amounts.get(2).cloned(),
            },
            Rule::free_shipping => Benefit::FreeShipping(amounts.first().cloned()),
            Rule::gift => {
                let name = parts
                    .iter()
                    .find(|p| p.as_rule() == Rule::string)
                    .map(|s| self.string(s.clone()).node);
                Benefit::Gift(amounts.first().cloned(), name.unwrap_or_default())
            }
            Rule::bundle => Benefit::Bundle(count_at(0), amount_at(0)),
            Rule::nth => Benefit::Nth(count_at(0), rate_of(rate_part())),
            Rule::buy_get => Benefit::BuyGet(count_at(0), count_at(1)),
            Rule::unit_off => Benefit::UnitOff(amount_at(0)),
            Rule::unit_price => Benefit::UnitPrice(amount_at(0)),
            Rule::deposit => Benefit::Deposit(amount_at(0), amount_at(1)),
            Rule::group_buy => Benefit::GroupBuy(amount_at(0), count_at(0)),
            _ => Benefit::PctOff(rate_of(rate_part())),
        }
    }

    pub(super) fn tier(&self, p: P<'_>) -> Tier {
        let span = self.span(&p);
        let mut at = TierAt::Amount(Spanned::new(Decimal::ZERO, span));
        let mut reward = Reward::Off(Spanned::new(Decimal::ZERO, span));
        for part in p.into_inner() {
            let inner = part.clone().into_inner().next();
            match (part.as_rule(), inner) {
                (Rule::item_count, Some(items)) => {
                    if let Some(c) = items.into_inner().next() {
                        at = TierAt::Items(self.count(c));
                    }
                }
                (Rule::tier_items, Some(c)) => at = TierAt::Items(self.count(c)),
                (Rule::tier_amount, Some(a)) => at = TierAt::Amount(self.amount(a)),
                (Rule::reward_off, Some(a)) => reward = Reward::Off(self.amount(a)),
                (Rule::reward_rate, Some(r)) => reward = Reward::Rate(self.rate(r)),
                (Rule::reward_pct, Some(r)) => reward = Reward::Rate(self.pct_rate(r)),
                _ => {}
            }
        }
        Tier { at, reward, span }
    }
}
