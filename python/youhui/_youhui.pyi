"""Type stubs of the native module `youhui._youhui` (import `youhui`, which re-exports it)."""

import os
from typing import Any, Dict, List, Optional, Sequence, Union

__version__: str

class RuleSet:
    """Promotion rules, parsed, checked and compiled: immutable, thread-safe."""

    @staticmethod
    def from_file(path: Union[str, "os.PathLike[str]"]) -> "RuleSet": ...
    @staticmethod
    def parse(text: str, name: Optional[str] = None) -> "RuleSet": ...
    @property
    def name(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def warnings(self) -> List[Dict[str, Any]]: ...
    @property
    def deadline(self) -> float: ...
    def with_deadline(self, seconds: float) -> "RuleSet": ...
    def quote(
        self,
        cart: Dict[str, Any],
        context: Optional[Dict[str, Any]] = None,
        coupons: Optional[Sequence[str]] = None,
    ) -> Dict[str, Any]: ...
    def best(
        self,
        cart: Dict[str, Any],
        context: Optional[Dict[str, Any]] = None,
        wallet: Optional[Sequence[str]] = None,
    ) -> Dict[str, Any]: ...
    def can_stack(
        self,
        a: str,
        b: str,
        cart: Optional[Dict[str, Any]] = None,
        context: Optional[Dict[str, Any]] = None,
    ) -> Dict[str, Any]: ...
    def eligibility(
        self,
        offer: str,
        cart: Dict[str, Any],
        context: Optional[Dict[str, Any]] = None,
    ) -> Dict[str, Any]: ...
    def gap(
        self,
        cart: Dict[str, Any],
        context: Optional[Dict[str, Any]] = None,
        offer: Optional[str] = None,
        coupons: Optional[Sequence[str]] = None,
    ) -> Dict[str, Any]: ...
    def refund(
        self,
        order: Dict[str, Any],
        cart: Dict[str, Any],
        returns: Sequence[Dict[str, Any]],
        context: Optional[Dict[str, Any]] = None,
        balance_paid: Optional[bool] = None,
    ) -> Dict[str, Any]: ...
    def equivalent(self, a: str, b: str) -> Dict[str, Any]: ...
    def offers(self) -> Dict[str, Any]: ...
    def answer(
        self, request: Dict[str, Any], *, raise_errors: bool = True
    ) -> Dict[str, Any]: ...
    def tools(self, format: str = "openai") -> Any: ...
