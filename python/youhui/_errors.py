"""The exceptions of the `youhui` package (raised by the native module)."""

from typing import Any, Dict, List, Optional

__all__ = ["Error", "RuleError", "RequestError"]


class Error(Exception):
    """Base class of every error youhui raises (besides `TypeError`/`ValueError` for a
    Python value that has no JSON form, and `OSError` for an unreadable file)."""


class RuleError(Error):
    """The rule text has errors.

    `str(e)` is the full report, rustc-style (each diagnostic with its file, line and
    column, the source line and a caret, and a `help:` hint where there is one), the text
    `youhui check` prints. `diagnostics` lists every error and warning as a dict with
    `severity` (`"error"` or `"warning"`), `code` (`"syntax"`, `"unknown_stage"`, ...),
    `message`, `line`, `column` (1-based, in characters) and `help` (a hint or None).
    """

    message: str
    diagnostics: List[Dict[str, Any]]

    def __init__(self, message: str, diagnostics: List[Dict[str, Any]]) -> None:
        super().__init__(message, diagnostics)
        self.message = message
        self.diagnostics = diagnostics

    @property
    def errors(self) -> List[Dict[str, Any]]:
        """The diagnostics that are errors (the rest are warnings)."""
        return [d for d in self.diagnostics if d.get("severity") == "error"]

    def __str__(self) -> str:
        return self.message


class RequestError(Error):
    """A request was refused: the protocol answered with an error.

    `code` is the protocol's error code (`"bad_request"`, `"unknown_offer"`, `"conflict"`,
    `"budget_exceeded"`, `"order_mismatch"`, ...), `message` its plain-words message (also
    `str(e)`), `field` the request field at fault (or None), `suggestions` what was
    probably meant (closest field names or offer IDs, closest first), `line`/`column`
    where they apply, and `answer` the whole error answer as a dict. Its `summary`
    (`{"zh", "en"}`) is a customer-safe sentence a bot can send as it is.
    """

    message: str
    answer: Dict[str, Any]
    code: str
    field: Optional[str]
    suggestions: List[str]
    line: Optional[int]
    column: Optional[int]

    def __init__(self, message: str, answer: Dict[str, Any]) -> None:
        super().__init__(message, answer)
        error = answer.get("error") or {}
        self.message = message
        self.answer = answer
        self.code = error.get("code", "")
        self.field = error.get("field")
        self.suggestions = list(error.get("suggestions", []))
        self.line = error.get("line")
        self.column = error.get("column")

    @property
    def summary(self) -> Dict[str, str]:
        """The answer's one-sentence summary, `{"zh": ..., "en": ...}`."""
        return self.answer["summary"]

    def __str__(self) -> str:
        return self.message
