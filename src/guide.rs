//! # A guide to the rule language, one worked example per benefit kind
//!
//! A rule file has one `ruleset` header and any number of `activity` (applies by itself when
//! eligible) and `coupon` (applies when selected, or when in the wallet for `best`) blocks.
//! The full reference is `language.md`; every example below is a test.
//!
//! Each example prices a cart with [`RuleSet::quote`](crate::RuleSet::quote). Carts are
//! built with [`Line::new`](crate::Line::new)`(id, sku, shop, unit price, qty)`;
//! [`Money::yuan`](crate::Money::yuan) and [`Money`](crate::Money)`(cents)` make amounts.
//!
//! ## 满减 with tiers: `满300减50 / 满500减100` (`spend 300 off 50 / spend 500 off 100`)
//! The highest tier reached applies, once, on the scope's total.
//! ```
//! use youhui::{Cart, Context, Line, Money, RuleSet};
//! let rules = RuleSet::parse(r#"
//!   ruleset "店" { stages 店铺 }
//!   activity tiers "满300减50 / 满500减100" { stage 店铺 benefit 满300减50 / 满500减100 }
//! "#)?;
//! let cart = Cart { lines: vec![Line::new("L1", "S1", "nike", Money::yuan(420), 1)] };
//! let q = rules.quote(&cart, &Context::default(), &[] as &[&str])?;
//! assert_eq!(q.payable, Money::yuan(370));
//! assert_eq!(rules.explain_quote(&q).zh[0], "满300减50 / 满500减100：商品合计420.00元，满300元，减50.00元。");
//! # Ok::<(), youhui::Error>(())
//! ```
//!
//! ## 每满减 with a cap: `每满300减50 封顶100` (`every 300 off 50 cap 100`)
//! Every full multiple of the step takes the amount off, up to the cap.
//! ```
//! use youhui::{Cart, Context, Line, Money, RuleSet};
//! let rules = RuleSet::parse(r#"
//!   ruleset "店" { stages 店铺 }
//!   activity every "每满300减50" { stage 店铺 benefit 每满300减50 封顶100 }
//! "#)?;
//! // 1,000.00 holds 3 multiples (150.00), capped at 100.00.
//! let cart = Cart { lines: vec![Line::new("L1", "S1", "nike", Money::yuan(500), 2)] };
//! let q = rules.quote(&cart, &Context::default(), &[] as &[&str])?;
//! assert_eq!(q.payable, Money::yuan(900));
//! # Ok::<(), youhui::Error>(())
//! ```
//!
//! ## 满折: `满300打8折` (`spend 300 pct_off 20`)
//! A rate on the whole scope once its total reaches the threshold.
//! ```
//! use youhui::{Cart, Context, Line, Money, RuleSet};
//! let rules = RuleSet::parse(r#"
//!   ruleset "店" { stages 店铺 }
//!   activity rate "满300打8折" { stage 店铺 benefit 满300打8折 }
//! "#)?;
//! let cart = Cart { lines: vec![Line::new("L1", "S1", "nike", Money::yuan(350), 1)] };
//! let q = rules.quote(&cart, &Context::default(), &[] as &[&str])?;
//! assert_eq!(q.payable, Money::yuan(280));
//! # Ok::<(), youhui::Error>(())
//! ```
//!
//! ## Count thresholds: `满2件减30` (`items 2 off 30`)
//! The threshold counts units in scope instead of money.
//! ```
//! use youhui::{Cart, Context, Line, Money, RuleSet};
//! let rules = RuleSet::parse(r#"
//!   ruleset "店" { stages 店铺 }
//!   activity two "满2件减30" { stage 店铺 benefit 满2件减30 }
//! "#)?;
//! let cart = Cart { lines: vec![Line::new("L1", "S1", "nike", Money::yuan(50), 2)] };
//! let q = rules.quote(&cart, &Context::default(), &[] as &[&str])?;
//! assert_eq!(q.payable, Money::yuan(70));
//! # Ok::<(), youhui::Error>(())
//! ```
//!
//! ## 折 on every unit: `95折` (`pct_off 5`)
//! The discount on one unit is rounded to the cent (rule set's rounding, `half_up` by
//! default), then multiplied by the quantity: 5% of 33.33 is 1.6665 → 1.67 a unit.
//! ```
//! use youhui::{Cart, Context, Line, Money, RuleSet};
//! let rules = RuleSet::parse(r#"
//!   ruleset "店" { stages 单品 }
//!   activity vip "95折" { stage 单品 benefit 95折 }
//! "#)?;
//! let cart = Cart { lines: vec![Line::new("L1", "S1", "nike", Money(3333), 3)] };
//! let q = rules.quote(&cart, &Context::default(), &[] as &[&str])?;
//! assert_eq!(q.payable, Money(9498));
//! # Ok::<(), youhui::Error>(())
//! ```
//!
//! ## 直降: `直降20` / `立减20` (`unit_off 20`)
//! ```
//! use youhui::{Cart, Context, Line, Money, RuleSet};
//! let rules = RuleSet::parse(r#"
//!   ruleset "店" { stages 单品 }
//!   activity drop "直降20" { stage 单品 benefit 直降20 scope sku "SHOE-1" }
//! "#)?;
//! let cart = Cart { lines: vec![Line::new("L1", "SHOE-1", "nike", Money::yuan(100), 2)] };
//! let q = rules.quote(&cart, &Context::default(), &[] as &[&str])?;
//! assert_eq!(q.payable, Money::yuan(160));
//! # Ok::<(), youhui::Error>(())
//! ```
//!
//! ## 秒杀价 / 特价 / 会员价 with a per-user quantity: `秒杀价99` (`unit_price 99`)
//! `limit per_user_qty 1`: one unit at the flash price, the rest at the normal price.
//! `stock` takes the remaining stock from the request context (none listed: sold out).
//! ```
//! use youhui::{Cart, Context, Line, Money, RuleSet};
//! let rules = RuleSet::parse(r#"
//!   ruleset "店" { stages 单品 }
//!   activity flash "秒杀 保温杯" {
//!     stage 单品  benefit 秒杀价99  scope sku "CUP-1"
//!     limit per_user_qty 1  stock  exclusive
//!   }
//! "#)?;
//! let cart = Cart { lines: vec![Line::new("L1", "CUP-1", "nike", Money::yuan(199), 2)] };
//! let mut ctx = Context::default();
//! ctx.stock.insert("flash".into(), 50);
//! let q = rules.quote(&cart, &ctx, &[] as &[&str])?;
//! assert_eq!(q.payable, Money::yuan(99 + 199));
//! // Sold out: no stock in the context.
//! let q = rules.quote(&cart, &Context::default(), &[] as &[&str])?;
//! assert_eq!(q.payable, Money::yuan(398));
//! assert_eq!(q.not_applied[0].reason.code(), "sold_out");
//! # Ok::<(), youhui::Error>(())
//! ```
//!
//! ## 第N件: `第二件半价` (`nth 2 pct_off 50`)
//! Units sorted by price, highest first, cut into groups of 2: the cheaper unit of each
//! full group is half price. It is not `买一送一` (see [`RuleSet::equivalent`](crate::RuleSet::equivalent)).
//! ```
//! use youhui::{Cart, Context, Line, Money, RuleSet};
//! let rules = RuleSet::parse(r#"
//!   ruleset "店" { stages 单品 }
//!   activity socks "第二件半价" { stage 单品 benefit 第二件半价 }
//! "#)?;
//! // 100, 80, 60: the group (100, 80) gives 40.00 off; 60 is alone.
//! let cart = Cart { lines: vec![
//!     Line::new("L1", "A", "nike", Money::yuan(100), 1),
//!     Line::new("L2", "B", "nike", Money::yuan(80), 1),
//!     Line::new("L3", "C", "nike", Money::yuan(60), 1),
//! ] };
//! let q = rules.quote(&cart, &Context::default(), &[] as &[&str])?;
//! assert_eq!(q.payable, Money::yuan(200));
//! assert!(!rules.equivalent("第二件半价", "买一送一")?.equivalent);
//! # Ok::<(), youhui::Error>(())
//! ```
//!
//! ## 买N送M: `买一送一` (`buy 1 get 1`)
//! In each group of N+M units, the M cheapest are free; `买一送一` ≡ `第2件0元`.
//! ```
//! use youhui::{Cart, Context, Line, Money, RuleSet};
//! let rules = RuleSet::parse(r#"
//!   ruleset "店" { stages 单品 }
//!   activity bogo "买一送一" { stage 单品 benefit 买一送一 }
//! "#)?;
//! let cart = Cart { lines: vec![Line::new("L1", "A", "nike", Money::yuan(50), 2)] };
//! let q = rules.quote(&cart, &Context::default(), &[] as &[&str])?;
//! assert_eq!(q.payable, Money::yuan(50));
//! assert!(rules.equivalent("买一送一", "第2件0元")?.equivalent);
//! # Ok::<(), youhui::Error>(())
//! ```
//!
//! ## Bundles: `3件99元` / `99元任选3件` (`bundle 3 for 99`)
//! Each full group of 3 units costs 99.00 (never more than before).
//! ```
//! use youhui::{Cart, Context, Line, Money, RuleSet};
//! let rules = RuleSet::parse(r#"
//!   ruleset "店" { stages 单品 }
//!   activity trio "3件99元" { stage 单品 benefit 3件99元 }
//! "#)?;
//! let cart = Cart { lines: vec![Line::new("L1", "A", "nike", Money::yuan(40), 4)] };
//! let q = rules.quote(&cart, &Context::default(), &[] as &[&str])?;
//! assert_eq!(q.payable, Money::yuan(99 + 40));
//! # Ok::<(), youhui::Error>(())
//! ```
//!
//! ## Free shipping: `满99包邮` (`free_shipping spend 99`)
//! The shipping fee comes from the context; shipping is never part of a threshold.
//! ```
//! use youhui::{Cart, Context, Line, Money, RuleSet};
//! let rules = RuleSet::parse(r#"
//!   ruleset "店" { stages 平台 }
//!   activity ship "满99包邮" { stage 平台 benefit 满99包邮 }
//! "#)?;
//! let cart = Cart { lines: vec![Line::new("L1", "A", "nike", Money::yuan(100), 1)] };
//! let ctx = Context { shipping_fee: Money::yuan(10), ..Context::default() };
//! let q = rules.quote(&cart, &ctx, &[] as &[&str])?;
//! assert_eq!((q.shipping, q.payable), (Money::ZERO, Money::yuan(100)));
//! # Ok::<(), youhui::Error>(())
//! ```
//!
//! ## Gifts: `满300赠"保温杯"` (`spend 300 gift "保温杯"`)
//! No price effect; the gift is reported.
//! ```
//! use youhui::{Cart, Context, Line, Money, RuleSet};
//! let rules = RuleSet::parse(r#"
//!   ruleset "店" { stages 店铺 }
//!   activity cup "满300赠保温杯" { stage 店铺 benefit 满300赠"保温杯" }
//! "#)?;
//! let cart = Cart { lines: vec![Line::new("L1", "A", "nike", Money::yuan(300), 1)] };
//! let q = rules.quote(&cart, &Context::default(), &[] as &[&str])?;
//! assert_eq!(q.gifts[0].gift, "保温杯");
//! assert_eq!(q.payable, Money::yuan(300));
//! # Ok::<(), youhui::Error>(())
//! ```
//!
//! ## Presale 定金膨胀: `定金100抵200` (`deposit 100 worth 200`)
//! Pay 100.00 in the deposit window; it counts as 200.00, so the item's price drops by 100.00
//! at its stage and later offers see the lower price. The quote splits the payable.
//! ```
//! use youhui::{cart::parse_now, Cart, Context, Line, Money, RuleSet};
//! let rules = RuleSet::parse(r#"
//!   ruleset "店" { stages 预售, 店铺 }
//!   activity pre "定金100抵200" {
//!     stage 预售  benefit 定金100抵200  scope sku "TV"
//!     deposit_window 2026-10-20 20:00 to 2026-10-31 23:59
//!     balance_window 2026-11-11 00:00 to 2026-11-11 23:59
//!   }
//! "#)?;
//! let cart = Cart { lines: vec![Line::new("L1", "TV", "sony", Money::yuan(500), 1)] };
//! let ctx = Context { now: Some(parse_now("2026-10-25T12:00:00+08:00").unwrap()), ..Context::default() };
//! let q = rules.quote(&cart, &ctx, &[] as &[&str])?;
//! let presale = q.presale.unwrap();
//! assert_eq!((q.payable, presale.deposit, presale.balance),
//!            (Money::yuan(400), Money::yuan(100), Money::yuan(300)));
//! # Ok::<(), youhui::Error>(())
//! ```
//!
//! ## Group buy 拼团: `拼团价79 3人团` (`group_price 79 size 3`)
//! The context gives the group's state per offer: `open` (default) or `formed` pay the
//! group price; `failed` is not eligible.
//! ```
//! use youhui::{Cart, Context, cart::GroupState, Line, Money, RuleSet};
//! let rules = RuleSet::parse(r#"
//!   ruleset "店" { stages 单品 }
//!   activity gb "拼团价79" { stage 单品 benefit 拼团价79 3人团 group_hours 24 }
//! "#)?;
//! let cart = Cart { lines: vec![Line::new("L1", "A", "shop", Money::yuan(99), 1)] };
//! let q = rules.quote(&cart, &Context::default(), &[] as &[&str])?;
//! assert_eq!(q.payable, Money::yuan(79));
//! let mut failed = Context::default();
//! failed.group.insert("gb".into(), GroupState::Failed);
//! let q = rules.quote(&cart, &failed, &[] as &[&str])?;
//! assert_eq!(q.not_applied[0].reason.code(), "group_failed");
//! # Ok::<(), youhui::Error>(())
//! ```
//!
//! ## Stacking: `excludes`, `exclusive`, `only_with`, stage `max`
//! Two offers that exclude each other never apply together; a line takes at most `max`
//! offers of one stage (default 1). [`RuleSet::can_stack`](crate::RuleSet::can_stack) names
//! the deciding rule, and [`RuleSet::best`](crate::RuleSet::best) picks the cheapest wallet
//! selection.
//! ```
//! use youhui::{Cart, Context, Line, Money, RuleSet};
//! let rules = RuleSet::parse(r#"
//!   ruleset "店" { stages 店铺, 平台 }
//!   coupon shop20 "店铺券" { stage 店铺 benefit 满199减20 }
//!   coupon plat "平台券" { stage 平台 benefit 满300减40 excludes shop20 }
//! "#)?;
//! assert_eq!(rules.can_stack("shop20", "plat", None, &Context::default())?.rule, "excludes");
//! let cart = Cart { lines: vec![Line::new("L1", "A", "nike", Money::yuan(320), 1)] };
//! let best = rules.best(&cart, &Context::default(), &["shop20", "plat"])?;
//! assert_eq!(best.coupons, ["plat"]);
//! assert_eq!(best.quote.payable, Money::yuan(280));
//! # Ok::<(), youhui::Error>(())
//! ```
