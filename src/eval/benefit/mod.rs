//! The benefit algebra: what each benefit form does with the amounts it is given, in one
//! file per form. Every query that needs a benefit's arithmetic calls it here:
//! - **apply** (`eval::apply`): whether the kept lines reach the first step (else the
//!   shortfall, which `eligibility` reports too), and the discount: an order-level amount
//!   ([`OrderForm::discount`]), a saving per unit ([`UnitForm::unit_saving`]), savings inside
//!   groups of units ([`GroupForm::savings`]) or a lower shipping fee ([`ShippingForm`]);
//! - **next step** (`gap`, 还差多少): [`Form::next_step`];
//! - **upper bounds** (the stacking search's bounds and `best`'s pruning): the most an
//!   order-level form gives on any measure up to one ([`OrderForm::upper`]), how it grows
//!   with more base ([`OrderForm::curve`]), per-unit savings rounded up; see [`most`];
//! - **lower bounds**: what a per-unit form surely saves ([`floor`]).
//!
//! Adding a form: its parameters as a variant of `rules::benefit::Benefit`, one file here
//! implementing [`Form`] and the trait of its [`Reach`], an arm in [`form`], and its words
//! (`rules::words`, `rules::canonical`) and grammar. Nothing else computes a benefit.
//!
//! Uses the rule model, the answer types it reports in, and apportionment; nothing above.

mod every;
mod gift;
mod groups;
mod per_unit;
mod shipping;
mod tiers;

use crate::answer::{Detail, Shortfall, StepUnit};
use crate::money::{Money, Rounding};
use crate::rules::ir::Benefit;

/// What an offer's kept lines measure: its threshold is tested on `base` and `units`, rates
/// apply to `amount`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Measure {
    /// The threshold base: the kept lines' amounts at the offer's threshold point.
    pub base: i64,
    /// Units on the kept lines.
    pub units: u64,
    /// The kept lines' amounts at the start of the offer's stage.
    pub amount: i64,
}

/// How a form's discount reaches the cart, with the arithmetic of that kind.
#[derive(Clone, Copy)]
pub(crate) enum Reach<'a> {
    /// An amount off the kept lines, apportioned over them (order level).
    Order(&'a dyn OrderForm),
    /// A saving on each unit.
    PerUnit(&'a dyn UnitForm),
    /// Savings inside groups of units (the dearest first).
    Groups(&'a dyn GroupForm),
    /// Off the shipping fee; no line price changes.
    Shipping(&'a dyn ShippingForm),
    /// Nothing off (a gift).
    Neutral,
}

impl Reach<'_> {
    /// Whether no line price changes: such offers are compatible with everything and do
    /// not count toward a stage's `max`.
    pub fn is_price_neutral(self) -> bool {
        matches!(self, Reach::Shipping(_) | Reach::Neutral)
    }
}

/// One benefit form.
pub(crate) trait Form {
    /// How its discount reaches the cart.
    fn reach(&self) -> Reach<'_>;

    /// What the kept lines lack for the form's first step (`None`: reached, or no
    /// threshold).
    fn shortfall(&self, m: Measure) -> Option<Shortfall>;

    /// The next step from `m`: what more in scope reaches it and what it adds.
    fn next_step(&self, m: Measure, env: &Env) -> NextStep;

    /// The amounts the form is written with (thresholds, steps, prices), where its
    /// discount changes: `equivalent` builds its test carts around them.
    fn landmarks(&self, out: &mut Vec<i64>);
}

/// An order-level form: one amount off its kept lines.
pub(crate) trait OrderForm {
    /// The discount on `m`, rates rounded with the rule set's rounding (before clamping to
    /// what the lines hold); `None` when `m` does not reach the first step.
    fn discount(&self, m: Measure, env: &Env) -> Option<OrderDiscount>;

    /// The most it gives on any measure at most `m` (rates on `m.amount`, rounded up).
    fn upper(&self, m: Measure, env: &Env) -> i64;

    /// How the discount grows from base `bc` (lines it surely keeps) to at most `bp` (all
    /// lines it may keep), clamped to `room`; `None` when it does not grow with the base
    /// alone (unit-count tiers). Whole steps go to `steps`.
    fn curve(&self, bc: i64, bp: i64, room: i64, steps: &mut Vec<CurveStep>) -> Option<Curve> {
        let _ = (bc, bp, room, steps);
        None
    }

    /// A bound used when an earlier stage takes up to `x` off a base of at most `bp`: the
    /// least `c` such that `x + c` bounds what the earlier stage and this form take together
    /// (`None`: no better than [`OrderForm::upper`]).
    fn after_earlier_take(&self, bp: i64, x: i64) -> Option<i64> {
        let _ = (bp, x);
        None
    }
}

/// A per-unit form.
pub(crate) trait UnitForm {
    /// What one unit priced `price` saves, rates rounded with `rounding`, never below 0 or
    /// above the price.
    fn unit_saving(&self, price: i64, rounding: Rounding) -> i64;

    /// A presale's deposit per unit, paid in the deposit window.
    fn deposit(&self) -> Option<Money> {
        None
    }
}

/// A form acting on groups of units.
pub(crate) trait GroupForm {
    /// The units of one group (fewer in scope is a count threshold not met).
    fn size(&self) -> u64;

    /// Adds to `savings` (one entry per unit of `group`, the dearest first) what each unit
    /// of one full group saves; returns how many units got something.
    fn savings(
        &self,
        group: &[i64],
        rounding: Rounding,
        savings: &mut [i64],
        bufs: &mut GroupBufs,
    ) -> u64;
}

/// A shipping form.
pub(crate) trait ShippingForm {
    /// The fee after the form, from `fee`.
    fn fee_after(&self, fee: i64) -> i64;
}

/// An order-level discount and how it was reached.
pub(crate) struct OrderDiscount {
    pub total: i64,
    pub detail: Detail,
}

/// What a form may use besides the measure: the query's context and the rule set's
/// settings (a form that needs more of the context, such as a points balance, adds it
/// here, not to every signature).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Env {
    /// The cart's shipping fee.
    pub shipping: Money,
    /// How rates are rounded.
    pub rounding: Rounding,
}

impl Env {
    /// The environment of a prepared query.
    pub fn of(p: &crate::eval::Prepared<'_>) -> Env {
        Env {
            shipping: p.ctx.shipping_fee,
            rounding: p.rules.rounding,
        }
    }
}

/// A form's next step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NextStep {
    /// What more in scope reaches it (`None`: no next step).
    pub shortfall: Option<Shortfall>,
    /// Whether the form counts money or units.
    pub unit: StepUnit,
    /// What it adds to the discount.
    pub extra: Option<Money>,
}

impl NextStep {
    pub(crate) const NONE: NextStep = NextStep {
        shortfall: None,
        unit: StepUnit::Amount,
        extra: None,
    };
}

/// How an order-level discount grows with more base (see [`OrderForm::curve`]).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Curve {
    /// What it gives on the sure base (an upper bound).
    pub free: i64,
    /// The most more base adds on top of `free`.
    pub up: i64,
    /// The steepest gain per cent of added base.
    pub slope: Slope,
    /// Whether the gain comes only in the whole steps listed (never a fraction of one).
    pub stepped: bool,
}

/// A gain per cent of base, `num / den`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slope {
    pub num: i128,
    pub den: i128,
}

impl Default for Slope {
    fn default() -> Self {
        Slope { num: 0, den: 1 }
    }
}

impl Slope {
    /// Keeps the steeper of `self` and `num / den` (positive ones only).
    pub fn steepen(&mut self, num: i128, den: i128) {
        if den > 0 && num > 0 && num * self.den > self.num * den {
            (self.num, self.den) = (num, den);
        }
    }
}

/// One whole step of a curve: `need` more base adds `gain` over the curve's `free`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CurveStep {
    pub need: i128,
    pub gain: i64,
}

/// Buffers a group form may use.
#[derive(Debug, Default)]
pub(crate) struct GroupBufs {
    pub prices: Vec<i64>,
    pub part: Vec<i64>,
    pub rems: Vec<(i128, usize)>,
}

/// The benefit's form.
pub(crate) fn form(b: &Benefit) -> &dyn Form {
    match b {
        Benefit::Tiered(f) => f,
        Benefit::EveryN(f) => f,
        Benefit::PctOff(f) => f,
        Benefit::UnitOff(f) => f,
        Benefit::UnitPrice(f) => f,
        Benefit::Nth(f) => f,
        Benefit::BuyGet(f) => f,
        Benefit::Bundle(f) => f,
        Benefit::FreeShipping(f) => f,
        Benefit::Gift(f) => f,
        Benefit::Deposit(f) => f,
        Benefit::GroupBuy(f) => f,
    }
}

impl Benefit {
    /// How its discount reaches the cart.
    pub(crate) fn reach(&self) -> Reach<'_> {
        form(self).reach()
    }

    /// What lines measuring `m` lack for its first step (`None`: reached, or no threshold).
    pub(crate) fn shortfall(&self, m: Measure) -> Option<Shortfall> {
        form(self).shortfall(m)
    }

    /// The amounts it is written with (see [`Form::landmarks`]).
    pub(crate) fn landmarks(&self) -> Vec<i64> {
        let mut out = Vec::new();
        form(self).landmarks(&mut out);
        out
    }

    /// Its next step from `m` (see [`Form::next_step`]).
    pub(crate) fn next_step(&self, m: Measure, env: &Env) -> NextStep {
        form(self).next_step(m, env)
    }

    /// Whether it changes no line price (free shipping, gifts).
    pub fn is_price_neutral(&self) -> bool {
        self.reach().is_price_neutral()
    }

    /// Whether it saves on each unit (see [`UnitForm`]).
    pub(crate) fn is_per_unit(&self) -> bool {
        matches!(self.reach(), Reach::PerUnit(_))
    }
}

/// One line for [`most`]: its unit price and quantity.
#[derive(Clone, Copy, Debug)]
pub(crate) struct UnitLine {
    pub price: i64,
    pub qty: u32,
}

/// The most a benefit could take off lines worth `m` (their units priced as `lines` say),
/// whatever else applies: rates rounded up, never more than `m.amount`; free shipping
/// counts the fee.
pub(crate) fn most(
    b: &Benefit,
    m: Measure,
    lines: impl Iterator<Item = UnitLine>,
    env: &Env,
) -> i64 {
    let given = match b.reach() {
        Reach::Order(f) => f.upper(m, env),
        Reach::PerUnit(f) => lines
            .map(|l| f.unit_saving(l.price, Rounding::Up) * i64::from(l.qty))
            .sum(),
        Reach::Groups(_) => m.amount,
        Reach::Shipping(_) => return env.shipping.0,
        Reach::Neutral => 0,
    };
    given.clamp(0, m.amount.max(0))
}

/// What a per-unit benefit surely saves on a line of `qty` units worth `amount`: every unit
/// at the cheapest unit's price, rounded down (0 for other forms).
pub(crate) fn floor(b: &Benefit, amount: i64, qty: u32) -> i64 {
    let Reach::PerUnit(f) = b.reach() else {
        return 0;
    };
    let qty = i64::from(qty.max(1));
    let unit = amount.div_euclid(qty);
    (f.unit_saving(unit, Rounding::Down) * qty).min(amount)
}

/// What a per-unit benefit could save at most on a line of `qty` units worth `amount`:
/// every unit at the dearest unit's price, rounded up (0 for other forms).
pub(crate) fn ceiling(b: &Benefit, amount: i64, qty: u32) -> i64 {
    let Reach::PerUnit(f) = b.reach() else {
        return 0;
    };
    let qty = i64::from(qty.max(1));
    let unit = (amount + qty - 1) / qty;
    (f.unit_saving(unit, Rounding::Up) * qty).min(amount)
}
