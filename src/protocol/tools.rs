//! LLM tool definitions generated from a loaded rule set (feature `json`).
//!
//! One tool per query (`quote`, `best`, `can_stack`, `eligibility`, `gap`, `refund`,
//! `equivalent`, `offers`), each taking that query's request fields as arguments. The
//! file's offer and coupon IDs are enums, their titles listed in the field descriptions, so
//! a model can map “店铺券” to `shop20`.
//!
//! The schemas are written to the strictest documented subset, so one schema serves every
//! provider: the root is a plain object; every object is closed
//! (`additionalProperties: false`) and lists all its properties in `required`; an optional
//! field is a union with `null` (the protocol reads `null` as absent); no `$ref`, no
//! combinator at the root, no length or range keywords. [`openai`], [`anthropic`] and
//! [`mcp`] wrap them in each provider's shape; [`call`] answers a tool call.

use serde_json::{json, Map, Value};

use crate::lang::ast::OfferKind;
use crate::protocol::response::Answer;
use crate::rules::ir::{Benefit, GroupBuy, RuleSet};

/// One tool: a query, described for a model, with the JSON Schema of its arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolDefinition {
    /// The query name (`quote`, ...), used as the tool name.
    pub name: &'static str,
    /// What it answers, in Chinese and English.
    pub description: String,
    /// The JSON Schema of its arguments.
    pub parameters: Value,
}

/// The queries offered as tools, in the order they are listed.
pub const TOOL_NAMES: [&str; 8] = [
    "quote",
    "best",
    "can_stack",
    "eligibility",
    "gap",
    "refund",
    "equivalent",
    "offers",
];

/// Most offers whose IDs the tools list as enums (see `Schemas::listed`).
pub const MAX_LISTED_OFFERS: usize = 200;

/// What an ID field says when the catalog is too big to list.
const UNLISTED: &str = "IDs (or exact titles) as the `offers` tool lists them.";

/// The tools for this rule set.
pub fn definitions(rules: &RuleSet) -> Vec<ToolDefinition> {
    let s = Schemas::new(rules);
    let name = rules.name();
    let tool = |name: &'static str, what: &str, props: Vec<(&str, Value)>| ToolDefinition {
        name,
        description: what.to_string(),
        parameters: object(props),
    };
    vec![
        tool(
            "quote",
            &format!("{name}：计算购物车最终应付多少、用了哪些优惠、哪些没用上及原因。Price a cart: what the customer pays, which offers applied, which did not and why. Send `summary` to the customer."),
            vec![
                ("cart", s.cart()),
                ("context", s.context()),
                ("coupons", s.coupons("Coupons the customer chose to use (IDs). 顾客选用的券。")),
            ],
        ),
        tool(
            "best",
            "从顾客持有的券里选出最省钱的组合。Choose the coupons from the customer's wallet that make the cart cheapest.",
            vec![
                ("cart", s.cart()),
                ("context", s.context()),
                ("wallet", s.coupons("Coupons the customer holds (IDs). 顾客持有的券。")),
            ],
        ),
        tool(
            "can_stack",
            "两个优惠能否叠加，由哪条规则决定；给出购物车时再看是否真的同时生效。Whether two offers can be used together and which rule decides; with a cart, whether both really apply.",
            vec![
                ("a", s.offer("One offer (ID).", false)),
                ("b", s.other_offer()),
                ("cart", nullable(s.cart())),
                ("context", s.context()),
            ],
        ),
        tool(
            "eligibility",
            "某个优惠这个购物车能不能用，不能用的原因。Whether one offer can be used on this cart, and why not.",
            vec![
                ("offer", s.offer("The offer asked about (ID).", false)),
                ("cart", s.cart()),
                ("context", s.context()),
            ],
        ),
        tool(
            "gap",
            "还差多少能再减（凑单）。How much more to add to reach an offer's next step, or the best next step of the cart when no offer is given.",
            vec![
                ("offer", s.offer("The offer (ID); null: the best next step of any offer.", true)),
                ("cart", s.cart()),
                ("context", s.context()),
                ("coupons", s.coupons("Coupons the customer chose to use (IDs).")),
            ],
        ),
        tool(
            "refund",
            "退货退多少钱、会失去哪些优惠。What returning units of an earlier order refunds, and which offers are lost. Pass the earlier quote answer as `order` with its cart and context.",
            vec![
                ("order", s.order()),
                ("cart", s.cart()),
                ("context", s.context()),
                ("returns", s.returns()),
                ("balance_paid", nullable_type("boolean", "Presale only: whether the balance was paid (default true).")),
            ],
        ),
        tool(
            "equivalent",
            "两种优惠写法在任何购物车上是否价格一样（如 买一送一 和 第二件0元）。Whether two benefits give the same price on every cart; if not, a counterexample.",
            vec![
                ("a", s.phrase()),
                ("b", typed("string", "The other benefit phrase or offer ID (as `a`).")),
            ],
        ),
        tool(
            "offers",
            "列出所有优惠：ID、标题、类型、优惠内容、适用范围、时间、人群。List every offer with its ID, title, kind, benefit, scope, window and audience.",
            vec![],
        ),
    ]
}

/// OpenAI function tools (Chat Completions shape), strict mode.
pub fn openai(rules: &RuleSet) -> Value {
    Value::Array(
        definitions(rules)
            .into_iter()
            .map(|t| {
                json!({"type": "function", "function": {
                    "name": t.name,
                    "description": t.description,
                    "parameters": t.parameters,
                    "strict": true,
                }})
            })
            .collect(),
    )
}

/// Anthropic tools (`name`, `description`, `input_schema`).
pub fn anthropic(rules: &RuleSet) -> Value {
    Value::Array(
        definitions(rules)
            .into_iter()
            .map(|t| json!({"name": t.name, "description": t.description, "input_schema": t.parameters}))
            .collect(),
    )
}

/// MCP `tools/list` result (`{"tools": [{name, description, inputSchema}]}`).
pub fn mcp(rules: &RuleSet) -> Value {
    json!({"tools": definitions(rules)
        .into_iter()
        .map(|t| json!({"name": t.name, "description": t.description, "inputSchema": t.parameters}))
        .collect::<Vec<_>>()})
}

/// Answers a tool call: the tool's name is the query, its arguments the request's fields
/// (`null` counts as absent). An unknown tool or arguments that are not an object are a
/// `bad_request` answer.
pub fn call(rules: &RuleSet, tool: &str, arguments: Value) -> Answer {
    let mut args = match arguments {
        Value::Object(m) => m,
        Value::Null => Map::new(),
        _ => {
            return rules.refused(crate::protocol::lines::Refused {
                id: None,
                error: bad("the arguments of a tool call are a JSON object", None),
            })
        }
    };
    if !TOOL_NAMES.contains(&tool) {
        return rules.refused(crate::protocol::lines::Refused {
            id: None,
            error: bad(
                &format!(
                    "unknown tool `{tool}`; the tools are {}",
                    TOOL_NAMES.join(", ")
                ),
                Some("query"),
            ),
        });
    }
    args.insert("query".into(), Value::String(tool.into()));
    rules.answer_value(Value::Object(args))
}

fn bad(message: &str, field: Option<&str>) -> crate::protocol::response::ErrorBody {
    let mut e = crate::protocol::response::ErrorBody::bad_request(
        format!("bad request: {message}"),
        None,
        None,
    );
    e.field = field.map(str::to_owned);
    e
}

// ------------------------------------------------------------------ schema pieces

/// A closed object whose properties are all required (optional ones are nullable).
fn object(props: Vec<(&str, Value)>) -> Value {
    let required: Vec<&str> = props.iter().map(|(k, _)| *k).collect();
    let mut properties = Map::new();
    for (k, v) in props {
        properties.insert(k.to_string(), v);
    }
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

fn described(mut v: Value, description: &str) -> Value {
    v["description"] = Value::String(description.into());
    v
}

/// `{"type": "T", "description": ...}`.
fn typed(t: &str, description: &str) -> Value {
    json!({"type": t, "description": description})
}

/// `{"type": ["T", "null"], ...}`.
fn nullable_type(t: &str, description: &str) -> Value {
    json!({"type": [t, "null"], "description": description})
}

/// The same schema, or `null`.
fn nullable(mut v: Value) -> Value {
    match v.get("type").cloned() {
        Some(Value::String(t)) => v["type"] = json!([t, "null"]),
        _ => return json!({"anyOf": [v, {"type": "null"}]}),
    }
    // An enum lists every allowed value, so `null` joins it.
    if let Some(Value::Array(values)) = v.get_mut("enum") {
        values.push(Value::Null);
    }
    v
}

/// An amount in yuan, as the protocol reads it.
fn money(description: &str) -> Value {
    typed(
        "string",
        &format!("{description} Decimal yuan, at most two decimals, e.g. \"399.00\"."),
    )
}

/// The schema pieces that depend on the rule set: enums of its IDs.
struct Schemas<'a> {
    rules: &'a RuleSet,
}

impl<'a> Schemas<'a> {
    fn new(rules: &'a RuleSet) -> Self {
        Schemas { rules }
    }

    /// `shop20 = 店铺20元券 (coupon, 满200减20)` for each offer that passes `keep`.
    fn listing(&self, keep: impl Fn(&crate::rules::ir::Offer) -> bool) -> (Vec<String>, String) {
        let offers: Vec<&crate::rules::ir::Offer> =
            self.rules.offers().iter().filter(|o| keep(o)).collect();
        let ids = offers.iter().map(|o| o.id.clone()).collect();
        let text = offers
            .iter()
            .map(|o| {
                let kind = match o.kind {
                    OfferKind::Activity => "activity",
                    OfferKind::Coupon => "coupon",
                };
                format!(
                    "{} = {} ({kind}, {})",
                    o.id,
                    o.title,
                    crate::rules::words::benefit_zh(&o.benefit, false)
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        (ids, text)
    }

    /// Whether IDs are enums listed in descriptions: up to [`MAX_LISTED_OFFERS`] offers
    /// (OpenAI allows 1,000 enum values per schema, and a model reads the listing); a
    /// bigger catalog's tools take plain strings and point to the `offers` tool.
    fn listed(&self) -> bool {
        self.rules.offers().len() <= MAX_LISTED_OFFERS
    }

    fn offer(&self, what: &str, optional: bool) -> Value {
        if !self.listed() {
            let t = if optional {
                json!(["string", "null"])
            } else {
                json!("string")
            };
            return json!({"type": t, "description": format!("{what} {UNLISTED}")});
        }
        let (ids, listing) = self.listing(|_| true);
        let description = format!("{what} Offers: {listing}.");
        let one = json!({"type": "string", "enum": ids});
        if optional {
            json!({"anyOf": [one, {"type": "null"}], "description": description})
        } else {
            described(one, &description)
        }
    }

    /// The second offer of a pair: the same enum, the listing given once (on `a`).
    fn other_offer(&self) -> Value {
        if !self.listed() {
            return typed("string", &format!("The other offer (ID). {UNLISTED}"));
        }
        let (ids, _) = self.listing(|_| true);
        json!({"type": "string", "enum": ids, "description": "The other offer (ID), from the same list as `a`."})
    }

    fn coupons(&self, what: &str) -> Value {
        if !self.listed() {
            return json!({"type": ["array", "null"], "items": {"type": "string"},
                "description": format!("{what} {UNLISTED}")});
        }
        let (ids, listing) = self.listing(|o| o.kind == OfferKind::Coupon);
        if ids.is_empty() {
            return json!({"type": ["array", "null"], "items": {"type": "string"},
                "description": format!("{what} This rule set has no coupons.")});
        }
        json!({
            "type": ["array", "null"],
            "items": {"type": "string", "enum": ids},
            "description": format!("{what} Coupons: {listing}."),
        })
    }

    fn phrase(&self) -> Value {
        if !self.listed() {
            return typed(
                "string",
                &format!("A benefit phrase as promotion pages write it (买一送一, 第二件半价, 满300减50, 8折) or an offer ID. {UNLISTED}"),
            );
        }
        let (_, listing) = self.listing(|_| true);
        typed(
            "string",
            &format!("A benefit phrase as promotion pages write it (买一送一, 第二件半价, 满300减50, 8折) or an offer ID. Offers: {listing}."),
        )
    }

    fn line() -> Value {
        object(vec![
            ("id", typed("string", "Line ID, unique in the cart.")),
            ("sku", nullable_type("string", "SKU.")),
            (
                "shop",
                nullable_type("string", "Shop ID, as the rules name it."),
            ),
            (
                "category",
                nullable_type("string", "Category, as the rules name it."),
            ),
            (
                "tags",
                json!({"type": ["array", "null"], "items": {"type": "string"}, "description": "Tags (双11, ...)."}),
            ),
            ("price", money("Unit price.")),
            ("qty", typed("integer", "Units, an integer from 1.")),
        ])
    }

    fn cart(&self) -> Value {
        described(
            object(vec![(
                "lines",
                json!({"type": "array", "items": Self::line(), "description": "The cart's lines, in cart order."}),
            )]),
            "The shopping cart. 购物车。",
        )
    }

    /// A map from offer ID to a value, for the offers `keep` selects; `None` when none.
    fn per_offer(
        &self,
        keep: impl Fn(&crate::rules::ir::Offer) -> bool,
        value: Value,
        description: &str,
    ) -> Option<Value> {
        let props: Vec<(&str, Value)> = self
            .rules
            .offers()
            .iter()
            .filter(|o| keep(o))
            .map(|o| (o.id.as_str(), nullable(value.clone())))
            .collect();
        // A strict schema has no open maps: beyond the listing limit the field is left out
        // (every such count then takes its default).
        (!props.is_empty() && props.len() <= MAX_LISTED_OFFERS)
            .then(|| nullable(described(object(props), description)))
    }

    fn context(&self) -> Value {
        let user = object(vec![
            ("id", nullable_type("string", "User ID.")),
            (
                "level",
                nullable_type("integer", "Membership level (default 0)."),
            ),
            (
                "new",
                nullable_type("boolean", "New customer (default false)."),
            ),
            (
                "tags",
                json!({"type": ["array", "null"], "items": {"type": "string"}, "description": "User tags (vip, ...)."}),
            ),
        ]);
        let mut props = vec![
            (
                "now",
                json!({"type": ["string", "null"], "format": "date-time",
                    "description": "The time of the order, RFC 3339 with an offset (2026-11-11T10:00:00+08:00); null: now."}),
            ),
            ("user", nullable(described(user, "The customer."))),
            (
                "channel",
                nullable_type("string", "Sales channel (app, ...)."),
            ),
        ];
        let count = json!({"type": "integer"});
        let extra = [
            (
                "usage",
                self.per_offer(
                    |o| o.limit_per_user.is_some(),
                    count.clone(),
                    "Times the customer already used each offer.",
                ),
            ),
            (
                "bought",
                self.per_offer(
                    |o| o.limit_per_user_qty.is_some(),
                    count.clone(),
                    "Units the customer already bought at each offer's price.",
                ),
            ),
            (
                "stock",
                self.per_offer(
                    |o| o.stock,
                    count,
                    "Units left in stock per offer (absent: sold out).",
                ),
            ),
            (
                "group",
                self.per_offer(
                    |o| matches!(o.benefit, Benefit::GroupBuy(GroupBuy { .. })),
                    json!({"type": "string", "enum": ["open", "formed", "failed"]}),
                    "Group-buy state per offer (default open).",
                ),
            ),
        ];
        props.extend(extra.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
        props.push((
            "shipping_fee",
            nullable(money("Shipping fee before offers.")),
        ));
        props.push((
            "wallet",
            json!({"type": ["array", "null"], "items": {"type": "string"},
                "description": "Coupons the customer holds, when known (a selected coupon not in it is not_held)."}),
        ));
        nullable(described(
            object(props),
            "Who is asking and when; null fields take safe defaults.",
        ))
    }

    fn order(&self) -> Value {
        let line = object(vec![
            ("id", typed("string", "Line ID.")),
            ("payable", money("What the line paid.")),
        ]);
        let applied = object(vec![
            ("offer", typed("string", "Offer ID.")),
            ("amount", money("Its whole discount.")),
        ]);
        let presale = object(vec![
            ("deposit", money("Deposit.")),
            ("balance", money("Balance.")),
        ]);
        let rules = object(vec![
            ("name", typed("string", "Rule set name.")),
            ("fingerprint", typed("string", "Rule set fingerprint.")),
        ]);
        described(
            object(vec![
                ("payable", money("What was paid, shipping included.")),
                ("shipping", nullable(money("Shipping paid."))),
                ("lines", json!({"type": "array", "items": line})),
                (
                    "applied",
                    json!({"type": ["array", "null"], "items": applied}),
                ),
                ("presale", nullable(presale)),
                ("rules", nullable(rules)),
            ]),
            "The earlier quote answer (its payable, shipping, lines, applied, presale and rules).",
        )
    }

    fn returns(&self) -> Value {
        json!({
            "type": "array",
            "items": object(vec![
                ("line", typed("string", "Line ID.")),
                ("qty", typed("integer", "Units returned, from 1.")),
            ]),
            "description": "Units returned, per line.",
        })
    }
}
