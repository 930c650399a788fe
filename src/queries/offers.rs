//! `offers`: every offer of the rule set, in words, so a bot (or a model choosing tool
//! arguments) can map what a customer says (“店铺券”) to an offer ID.

use serde::Serialize;

use crate::lang::ast::OfferKind;
use crate::rules::ir::RuleSet;
use crate::rules::offer_words as words;

/// Text in Chinese and English.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Words {
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

impl From<words::Bilingual> for Words {
    fn from(b: words::Bilingual) -> Self {
        Words { zh: b.zh, en: b.en }
    }
}

/// An offer's validity window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WindowWords {
    /// First second, RFC 3339 in the rule set's timezone.
    pub start: String,
    /// Last second, RFC 3339 in the rule set's timezone.
    pub end: String,
    /// The window in words.
    #[serde(flatten)]
    pub words: Words,
}

/// One offer, described.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OfferInfo {
    /// The ID requests use.
    pub id: String,
    /// `activity` (applies by itself) or `coupon` (applies when selected).
    pub kind: OfferKind,
    /// The title shoppers see.
    pub title: String,
    /// The title English sentences use (`title_en` in the rules), when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    /// Its stacking stage.
    pub stage: String,
    /// What it gives.
    pub benefit: Words,
    /// Which items it covers.
    pub scope: Words,
    /// When it is valid (`null`: always).
    pub window: Option<WindowWords>,
    /// Who may use it (`null`: everyone).
    pub audience: Option<Words>,
}

/// The answer to `offers`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OfferList {
    /// Every offer, in declaration order.
    pub offers: Vec<OfferInfo>,
}

impl RuleSet {
    /// Every offer in words: ID, activity or coupon, title, stage, benefit, scope, window
    /// and audience, in Chinese and English.
    ///
    /// ```
    /// let rules = youhui::RuleSet::parse(r#"
    /// ruleset "店" { stages 店铺 }
    /// coupon shop20 "店铺20元券" { stage 店铺 benefit 满200减20 scope shop "nike" }
    /// "#)?;
    /// let list = rules.list_offers();
    /// assert_eq!(list.offers[0].benefit.zh, "满200减20");
    /// assert_eq!(list.offers[0].scope.en, "items of shop nike");
    /// # Ok::<(), youhui::Error>(())
    /// ```
    pub fn list_offers(&self) -> OfferList {
        let rules = &self.inner;
        OfferList {
            offers: rules
                .offers
                .iter()
                .map(|o| OfferInfo {
                    id: o.id.clone(),
                    kind: o.kind,
                    title: o.title.clone(),
                    title_en: o.title_en.clone(),
                    stage: o.stage_name.clone(),
                    benefit: words::benefit(rules, &o.benefit).into(),
                    scope: words::scope(&o.scope).into(),
                    window: o.valid.as_ref().map(|w| WindowWords {
                        start: crate::time::rfc3339(w.start, w.offset),
                        end: crate::time::rfc3339(w.end, w.offset),
                        words: words::window(w).into(),
                    }),
                    audience: words::audience(o).map(Words::from),
                })
                .collect(),
        }
    }
}
