"""Every golden case of the library (tests/golden/eval) answered through `answer()`: the
package answers exactly as `youhui ask`."""

import functools
import json
from decimal import Decimal
from pathlib import Path

import pytest

import youhui
from common import ROOT

GOLDEN = ROOT / "tests" / "golden" / "eval"
CASES = sorted(GOLDEN.glob("*/*.request.json"))

# A Decimal is exact, so the package sends Decimal("3E+2") as 300; the JSON text 3e2 is
# refused by the protocol (an exponent could hide a rounding), so this case differs.
DECIMAL_EXPONENT = {"numbers/06_exponent_is_refused"}


def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


@functools.lru_cache(maxsize=None)
def rules_of(folder: Path) -> youhui.RuleSet:
    return youhui.RuleSet.from_file(folder / "rules.promo")


def test_there_are_golden_cases():
    assert len(CASES) > 50


def case_name(case: Path) -> str:
    return f"{case.parent.name}/{case.name[: -len('.request.json')]}"


@pytest.mark.parametrize("case", CASES, ids=case_name)
def test_golden_case(case):
    if case_name(case) in DECIMAL_EXPONENT:
        pytest.skip("a Decimal with an exponent is sent in plain notation")
    expected = load(case.with_name(case.name.replace(".request.json", ".expected.json")))
    answer = rules_of(case.parent).answer(load(case), raise_errors=False)
    assert answer == expected
