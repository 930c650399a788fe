//! Python values to the protocol's JSON and back, and the package's exceptions.
//!
//! Requests are converted by hand rather than through `json.dumps`, which would turn an
//! `int` dict key into a string and write `NaN`, and cannot write a `Decimal` as a number.
//! Answers go the other way as JSON text through the standard `json` module, with
//! `parse_float=decimal.Decimal`: that keeps the protocol's field order (a
//! `serde_json::Value` sorts keys) and gives ints as `int` and any other number as a
//! `Decimal`, exactly as written.

use std::fmt::Write as _;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};
use serde_json::{Map, Number, Value};

/// How deep a request may nest. A real request nests about 6 deep (a refund's order);
/// the limit stops a list that contains itself before it overflows the stack.
const MAX_DEPTH: usize = 64;

/// A `Decimal` whose exponent is further than this from zero is sent as `str()` writes it
/// (`1E+100`), which the protocol refuses, rather than as hundreds of digits.
const MAX_PLAIN_EXPONENT: i64 = 40;

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DECODER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static RULE_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static REQUEST_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// One step from a value to a member of it, kept only when a conversion fails.
enum Step {
    Key(String),
    Index(usize),
}

/// Why a value could not be converted, and where (innermost step first).
struct Unsupported {
    steps: Vec<Step>,
    kind: Kind,
}

enum Kind {
    /// A type the protocol has no JSON for (a set, a non-str dict key, ...): `TypeError`.
    Type(String),
    /// The right type but no JSON value (`nan`, a list that contains itself): `ValueError`.
    Value(String),
    /// Python itself raised (a `__str__` that fails, a lone surrogate).
    Python(PyErr),
}

impl Unsupported {
    fn type_error(what: String) -> Self {
        Unsupported {
            steps: Vec::new(),
            kind: Kind::Type(what),
        }
    }

    fn value_error(what: String) -> Self {
        Unsupported {
            steps: Vec::new(),
            kind: Kind::Value(what),
        }
    }

    fn within(mut self, step: Step) -> Self {
        self.steps.push(step);
        self
    }

    /// The Python exception, naming the path from `root` (`cart.lines[0].price: ...`).
    fn into_err(self, root: &str) -> PyErr {
        let mut path = root.to_string();
        for step in self.steps.iter().rev() {
            match step {
                Step::Key(k) if is_identifier(k) => {
                    let _ = write!(path, ".{k}");
                }
                Step::Key(k) => {
                    let _ = write!(path, "[{k:?}]");
                }
                Step::Index(i) => {
                    let _ = write!(path, "[{i}]");
                }
            }
        }
        match self.kind {
            Kind::Type(what) => PyTypeError::new_err(format!("{path}: {what}")),
            Kind::Value(what) => PyValueError::new_err(format!("{path}: {what}")),
            Kind::Python(e) => e,
        }
    }
}

impl From<PyErr> for Unsupported {
    fn from(e: PyErr) -> Self {
        Unsupported {
            steps: Vec::new(),
            kind: Kind::Python(e),
        }
    }
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// Converts a Python value to JSON: `dict` (str keys), `list`/`tuple`, `str`, `bool`,
/// `int`, `decimal.Decimal`, `float` (as its `repr`) and `None`. Anything else is a
/// `TypeError` naming where it sits, from `root`.
pub fn to_json(value: &Bound<'_, PyAny>, root: &str) -> PyResult<Value> {
    convert(value, 0).map_err(|e| e.into_err(root))
}

fn convert(v: &Bound<'_, PyAny>, depth: usize) -> Result<Value, Unsupported> {
    if v.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    // Before `int`: a bool is an int in Python.
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if v.cast::<PyInt>().is_ok() {
        if let Ok(i) = v.extract::<i64>() {
            return Ok(Value::from(i));
        }
        // Beyond 64 bits: its digits, for the protocol to refuse with its own message.
        return number(&v.str()?.to_cow()?);
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        if !f.value().is_finite() {
            return Err(Unsupported::value_error(format!(
                "{} is not a number JSON can carry",
                v.repr()?.to_cow()?
            )));
        }
        // The repr is the shortest text that reads back as the same float (`0.1`).
        return number(&v.repr()?.to_cow()?);
    }
    if v.is_instance(decimal_type(v.py())?)? {
        return decimal(v);
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let depth = deeper(depth)?;
        let mut map = Map::new();
        for (key, item) in d.iter() {
            let Ok(key) = key.cast::<PyString>() else {
                return Err(Unsupported::type_error(format!(
                    "dict keys must be str, found {} {}",
                    type_name(&key)?,
                    key.repr()?.to_cow()?
                )));
            };
            let key = key.to_cow()?.into_owned();
            let item = convert(&item, depth).map_err(|e| e.within(Step::Key(key.clone())))?;
            map.insert(key, item);
        }
        return Ok(Value::Object(map));
    }
    if v.cast::<PyList>().is_ok() || v.cast::<PyTuple>().is_ok() {
        let depth = deeper(depth)?;
        let mut items = Vec::new();
        for (i, item) in v.try_iter()?.enumerate() {
            items.push(convert(&item?, depth).map_err(|e| e.within(Step::Index(i)))?);
        }
        return Ok(Value::Array(items));
    }
    Err(Unsupported::type_error(format!(
        "{} is not supported (use dict, list, tuple, str, int, decimal.Decimal, float, bool or None)",
        type_name(v)?
    )))
}

fn deeper(depth: usize) -> Result<usize, Unsupported> {
    if depth >= MAX_DEPTH {
        return Err(Unsupported::value_error(format!(
            "nested more than {MAX_DEPTH} deep (does a list or dict contain itself?)"
        )));
    }
    Ok(depth + 1)
}

fn type_name(v: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(v.get_type().name()?.to_cow()?.into_owned())
}

/// A `Decimal` as a JSON number with its exact digits, in plain notation where it is
/// reasonable (`Decimal("1E+2").normalize()` is sent as `100`).
fn decimal(v: &Bound<'_, PyAny>) -> Result<Value, Unsupported> {
    if !v.call_method0("is_finite")?.is_truthy()? {
        return Err(Unsupported::value_error(format!(
            "{} is not a number JSON can carry",
            v.repr()?.to_cow()?
        )));
    }
    let text = v.str()?.to_cow()?.into_owned();
    if !text.contains(['E', 'e']) {
        return number(&text);
    }
    let exponent: i64 = v.call_method0("adjusted")?.extract()?;
    if exponent.abs() > MAX_PLAIN_EXPONENT {
        return number(&text);
    }
    let builtins = v.py().import("builtins")?;
    let plain = builtins.call_method1("format", (v, "f"))?;
    number(&plain.cast::<PyString>().map_err(PyErr::from)?.to_cow()?)
}

/// A JSON number from its text, kept exactly (`arbitrary_precision`).
fn number(text: &str) -> Result<Value, Unsupported> {
    serde_json::from_str::<Number>(text)
        .map(Value::Number)
        .map_err(|_| Unsupported::value_error(format!("{text} is not a JSON number")))
}

fn decimal_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DECIMAL.import(py, "decimal", "Decimal")
}

/// JSON text to Python: dicts, lists, str, int, bool, None, and `Decimal` for a number
/// with a fraction or an exponent (in an answer, only an echoed request `id` can be one).
pub fn from_json<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    let decoder = DECODER.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("parse_float", decimal_type(py)?)?;
        Ok(py
            .import("json")?
            .getattr("JSONDecoder")?
            .call((), Some(&kwargs))?
            .unbind())
    })?;
    decoder.bind(py).call_method1("decode", (text,))
}

/// `youhui.RuleError` for a report with errors: every diagnostic, and the rustc-style text.
pub fn rule_error(py: Python<'_>, report: &youhui::Report) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let diagnostics = PyList::empty(py);
        for d in report.diagnostics() {
            diagnostics.append(diagnostic(py, d)?)?;
        }
        let class = RULE_ERROR.import(py, "youhui._errors", "RuleError")?;
        Ok(PyErr::from_value(
            class.call1((report.to_string(), diagnostics))?,
        ))
    };
    build().unwrap_or_else(|e| e)
}

/// One diagnostic as a dict: `severity`, `code`, `message`, `line`, `column`, `help`.
pub fn diagnostic<'py>(py: Python<'py>, d: &youhui::Diagnostic) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    let severity = match d.severity() {
        youhui::language::Severity::Error => "error",
        youhui::language::Severity::Warning => "warning",
    };
    dict.set_item("severity", severity)?;
    dict.set_item("code", d.code())?;
    dict.set_item("message", d.message())?;
    dict.set_item("line", d.line)?;
    dict.set_item("column", d.column)?;
    dict.set_item("help", d.help.as_deref())?;
    Ok(dict)
}

/// `youhui.RequestError` for an error answer (`answer` is the whole answer as a dict).
pub fn request_error(py: Python<'_>, message: String, answer: Bound<'_, PyAny>) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let class = REQUEST_ERROR.import(py, "youhui._errors", "RequestError")?;
        Ok(PyErr::from_value(class.call1((message, answer))?))
    };
    build().unwrap_or_else(|e| e)
}
