//! `youhui._youhui`, the native module of the Python package `youhui`: one class,
//! [`RuleSet`], wrapping the library's rule set.
//!
//! Every query goes through the JSON protocol (`youhui::RuleSet::answer_value`), the path
//! every other front end takes, so Python gets exactly the answers `youhui ask` gives: the
//! same fields, refusals and summaries. The rule set is immutable and `Send + Sync`, so one
//! object serves every thread, and the GIL is released while a query is answered.

use std::path::PathBuf;
use std::time::Duration;

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};
use serde_json::{Map, Value};

mod convert;

use convert::{from_json, request_error, rule_error, to_json};

/// Promotion rules, parsed, checked and compiled: immutable, and safe to share between
/// threads (queries release the GIL).
///
/// Build one with `RuleSet.from_file(path)` or `RuleSet.parse(text)`. Every query method
/// returns the protocol's answer as plain Python data: money as `str` with two decimals,
/// `summary` (`{"zh", "en"}`, one sentence a bot can send as it is), `explain` and `rules`.
/// An error answer raises `youhui.RequestError`.
#[pyclass(frozen, module = "youhui", name = "RuleSet")]
struct RuleSet {
    rules: youhui::RuleSet,
}

/// One optional argument of a query: its protocol field and the Python value, if given.
type Field<'a, 'py> = (&'static str, Option<&'a Bound<'py, PyAny>>);

#[pymethods]
impl RuleSet {
    /// Reads, checks and compiles a rule file (UTF-8).
    ///
    /// Raises `youhui.RuleError` (every error and warning, with line and column) when the
    /// file has errors, and `OSError` (`FileNotFoundError`, ...) when it cannot be read.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let bytes = std::fs::read(&path).map_err(|e| os_error(py, &e, &path))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            PyValueError::new_err(format!(
                "{}: not UTF-8 text (at byte {})",
                path.display(),
                e.utf8_error().valid_up_to()
            ))
        })?;
        compile(py, &path.display().to_string(), text)
    }

    /// Checks and compiles rule text. `name` is the file name diagnostics show
    /// (`rules.promo` by default).
    ///
    /// Raises `youhui.RuleError` when the text has errors.
    #[staticmethod]
    #[pyo3(signature = (text, name=None))]
    fn parse(py: Python<'_>, text: String, name: Option<String>) -> PyResult<Self> {
        compile(py, name.as_deref().unwrap_or("rules.promo"), text)
    }

    /// The rule set's name, from its `ruleset "..."` header.
    #[getter]
    fn name(&self) -> &str {
        self.rules.name()
    }

    /// The fingerprint every answer carries in `rules.fingerprint`: 16 hex digits of a hash
    /// of the canonical rule text (reformatting a file keeps it; any change of meaning
    /// changes it).
    #[getter]
    fn fingerprint(&self) -> String {
        self.rules.fingerprint_hex()
    }

    /// The warnings found while checking, as dicts like `RuleError.diagnostics`.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for d in self.rules.warnings() {
            list.append(convert::diagnostic(py, d)?)?;
        }
        Ok(list)
    }

    /// How long one query may take, in seconds (1.0 by default): past it, a search answers
    /// `budget_exceeded` and a quote its best choice found, with `"optimal": False`.
    #[getter]
    fn deadline(&self) -> f64 {
        self.rules.deadline().as_secs_f64()
    }

    /// The same rules with another per-query deadline, in seconds. Cheap: the compiled
    /// rules are shared, not copied.
    fn with_deadline(&self, seconds: f64) -> PyResult<Self> {
        let deadline = Duration::try_from_secs_f64(seconds)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                PyValueError::new_err(format!("the deadline must be above 0 s, not {seconds}"))
            })?;
        Ok(RuleSet {
            rules: self.rules.with_deadline(deadline),
        })
    }

    /// What the cart pays with the selected coupons: `original`, `discount`, `shipping`,
    /// `payable`, `lines`, `applied`, `not_applied` (with reasons), `gifts`, `presale`.
    ///
    /// `cart` is `{"lines": [{"id", "price", "qty", "sku"?, "shop"?, "category"?,
    /// "tags"?}]}`; `context` holds `now`, `user`, `channel`, `usage`, `bought`, `stock`,
    /// `group`, `shipping_fee`, `wallet` (all optional); `coupons` are offer IDs or titles.
    #[pyo3(signature = (cart, context=None, coupons=None))]
    fn quote<'py>(
        &self,
        cart: &Bound<'py, PyAny>,
        context: Option<&Bound<'py, PyAny>>,
        coupons: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.ask(
            cart.py(),
            "quote",
            &[
                ("cart", Some(cart)),
                ("context", context),
                ("coupons", coupons),
            ],
        )
    }

    /// The coupons of `wallet` that make the cart cheapest: `coupons` (the choice),
    /// `quote` (the cart priced with them) and `not_chosen` (each other coupon, and why).
    #[pyo3(signature = (cart, context=None, wallet=None))]
    fn best<'py>(
        &self,
        cart: &Bound<'py, PyAny>,
        context: Option<&Bound<'py, PyAny>>,
        wallet: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.ask(
            cart.py(),
            "best",
            &[
                ("cart", Some(cart)),
                ("context", context),
                ("wallet", wallet),
            ],
        )
    }

    /// Whether offers `a` and `b` can be used together: `stack`, the deciding `rule` and
    /// its `detail`; with a cart also `both_apply` and `why_not`.
    #[pyo3(signature = (a, b, cart=None, context=None))]
    fn can_stack<'py>(
        &self,
        a: &Bound<'py, PyAny>,
        b: &Bound<'py, PyAny>,
        cart: Option<&Bound<'py, PyAny>>,
        context: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.ask(
            a.py(),
            "can_stack",
            &[
                ("a", Some(a)),
                ("b", Some(b)),
                ("cart", cart),
                ("context", context),
            ],
        )
    }

    /// Whether `offer` can be used on this cart: `eligible`, and the `reason` when not.
    #[pyo3(signature = (offer, cart, context=None))]
    fn eligibility<'py>(
        &self,
        offer: &Bound<'py, PyAny>,
        cart: &Bound<'py, PyAny>,
        context: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.ask(
            cart.py(),
            "eligibility",
            &[
                ("offer", Some(offer)),
                ("cart", Some(cart)),
                ("context", context),
            ],
        )
    }

    /// How much more to add for the next discount (凑单): `offer`, `shortfall`, `unit`
    /// (`amount` or `items`) and `extra_discount`; without `offer`, the best next step of
    /// any offer, and every step in `steps`, best first.
    #[pyo3(signature = (cart, context=None, offer=None, coupons=None))]
    fn gap<'py>(
        &self,
        cart: &Bound<'py, PyAny>,
        context: Option<&Bound<'py, PyAny>>,
        offer: Option<&Bound<'py, PyAny>>,
        coupons: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.ask(
            cart.py(),
            "gap",
            &[
                ("offer", offer),
                ("cart", Some(cart)),
                ("context", context),
                ("coupons", coupons),
            ],
        )
    }

    /// What returning units of an earlier order refunds: `refund`, `lost` (the offers the
    /// rest of the order no longer gets), `policy` and `rule`.
    ///
    /// `order` is the earlier `quote` answer as it was returned, `cart` and `context` that
    /// quote's; `returns` is `[{"line": "L2", "qty": 1}]`. `balance_paid=False` is for a
    /// presale whose balance was not paid.
    #[pyo3(signature = (order, cart, returns, context=None, balance_paid=None))]
    fn refund<'py>(
        &self,
        order: &Bound<'py, PyAny>,
        cart: &Bound<'py, PyAny>,
        returns: &Bound<'py, PyAny>,
        context: Option<&Bound<'py, PyAny>>,
        balance_paid: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.ask(
            order.py(),
            "refund",
            &[
                ("order", Some(order)),
                ("cart", Some(cart)),
                ("context", context),
                ("returns", Some(returns)),
                ("balance_paid", balance_paid),
            ],
        )
    }

    /// Whether two benefits give the same price on every cart: `equivalent`, and a
    /// `counterexample` (`cart`, `a_payable`, `b_payable`) when not. `a` and `b` are
    /// benefit phrases (`买一送一`) or offer IDs.
    fn equivalent<'py>(
        &self,
        a: &Bound<'py, PyAny>,
        b: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.ask(a.py(), "equivalent", &[("a", Some(a)), ("b", Some(b))])
    }

    /// Every offer in words: the answer's `offers` lists each with `id`, `kind`, `title`,
    /// `stage`, `benefit`, `scope`, `window` and `audience` (each as `{"zh", "en"}`).
    fn offers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.ask(py, "offers", &[])
    }

    /// Answers one request of the JSON protocol given as a dict (`{"query": "quote",
    /// "cart": ...}`; an `id` is echoed; `None` counts as absent), as `youhui ask` would.
    ///
    /// An error answer raises `youhui.RequestError` by default; with
    /// `raise_errors=False` it is returned as the protocol returns it, a dict with
    /// `error` (`code`, `message`, `field`?, `suggestions`?) and `summary` (what an LLM
    /// tool call should hand back to the model).
    #[pyo3(signature = (request, *, raise_errors=true))]
    fn answer<'py>(
        &self,
        request: &Bound<'py, PyAny>,
        raise_errors: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = request.py();
        self.run(py, to_json(request, "request")?, raise_errors)
    }

    /// The LLM tool definitions of this rule set's queries, one per query, as plain data:
    /// `format="openai"` (a list of function tools, strict mode), `"anthropic"` (a list of
    /// `name`/`description`/`input_schema`) or `"mcp"` (`{"tools": [...]}`).
    #[pyo3(signature = (format="openai"))]
    fn tools<'py>(&self, py: Python<'py>, format: &str) -> PyResult<Bound<'py, PyAny>> {
        let tools = match format {
            "openai" => youhui::tools::openai(&self.rules),
            "anthropic" => youhui::tools::anthropic(&self.rules),
            "mcp" => youhui::tools::mcp(&self.rules),
            _ => {
                return Err(PyValueError::new_err(format!(
                    "unknown tools format {format:?}; expected \"openai\", \"anthropic\" or \"mcp\""
                )))
            }
        };
        from_json(py, &tools.to_string())
    }

    /// `RuleSet(name='...', fingerprint='...', offers=N)`.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let repr = |s: &str| -> PyResult<String> {
            Ok(PyString::new(py, s).repr()?.to_cow()?.into_owned())
        };
        Ok(format!(
            "RuleSet(name={}, fingerprint={}, offers={})",
            repr(self.rules.name())?,
            repr(&self.rules.fingerprint_hex())?,
            self.rules.offers().len()
        ))
    }

    /// Pickles as the canonical rule text (which parses to the same rule set, fingerprint
    /// included), so a rule set can go to another process. The deadline is not kept.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let parse = py.get_type::<RuleSet>().getattr("parse")?;
        let text = slf.get().rules.to_rule_text();
        (parse, (text,)).into_pyobject(py)
    }
}

impl RuleSet {
    /// Answers query `query` with the given fields (`None` values left out).
    fn ask<'py>(
        &self,
        py: Python<'py>,
        query: &str,
        fields: &[Field<'_, 'py>],
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut request = Map::new();
        request.insert("query".into(), Value::String(query.into()));
        for (name, value) in fields {
            if let Some(value) = value.filter(|v| !v.is_none()) {
                request.insert((*name).into(), to_json(value, name)?);
            }
        }
        self.run(py, Value::Object(request), true)
    }

    /// Answers a request with the GIL released; an error answer raises when `raise_errors`.
    fn run<'py>(
        &self,
        py: Python<'py>,
        request: Value,
        raise_errors: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (error, text) = py.detach(|| {
            let answer = self.rules.answer_value(request);
            let error = match &answer.body {
                youhui::protocol::AnswerBody::Error { error } => Some(error.message.clone()),
                _ => None,
            };
            (error, youhui::protocol::answer_json(&answer, false))
        });
        let answer = from_json(py, &text)?;
        match error {
            Some(message) if raise_errors => Err(request_error(py, message, answer)),
            _ => Ok(answer),
        }
    }
}

/// Checks and compiles `text` (GIL released: a large file takes a while).
fn compile(py: Python<'_>, file: &str, text: String) -> PyResult<RuleSet> {
    let checked = py.detach(|| youhui::check_rules(file, &text));
    match checked.rules {
        Some(rules) => Ok(RuleSet { rules }),
        None => Err(rule_error(py, &checked.report)),
    }
}

/// The `OSError` Python's own `open` would raise: `OSError(errno, strerror, filename)`
/// becomes `FileNotFoundError`, `PermissionError`, ... by its errno.
fn os_error(py: Python<'_>, e: &std::io::Error, path: &std::path::Path) -> PyErr {
    let Some(errno) = e.raw_os_error() else {
        return PyOSError::new_err(format!("cannot read {}: {e}", path.display()));
    };
    let strerror = py
        .import("os")
        .and_then(|os| os.call_method1("strerror", (errno,)))
        .and_then(|s| s.extract::<String>())
        .unwrap_or_else(|_| e.to_string());
    PyOSError::new_err((errno, strerror, path.display().to_string()))
}

/// The native part of the `youhui` package; import `youhui`, which re-exports it.
#[pymodule]
fn _youhui(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<RuleSet>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
