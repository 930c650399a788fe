"""Loading rules: from a file or text, RuleError with every diagnostic, properties."""

import pickle
import re

import pytest

import youhui
from common import DOUBLE11, EXAMPLES, ROOT

# Two syntax errors, a misspelt stage and a benefit that takes more than its threshold
# (tests/golden/language/err/many_errors.promo, shortened).
BROKEN = """ruleset "many" {
  stages 单品, 店铺
}
activity a "A" {
  stage 单品
  benefit 满减50
}
activity c "C" {
  stage 店
  benefit 满50减60
}
"""


def test_from_file(rules):
    assert rules.name == "天猫双11 旗舰店示例"
    assert re.fullmatch(r"[0-9a-f]{16}", rules.fingerprint)
    assert rules.warnings == []
    assert rules.deadline == 1.0


def test_from_file_takes_a_path_object_or_str():
    assert youhui.RuleSet.from_file(str(DOUBLE11)).fingerprint == youhui.RuleSet.from_file(
        DOUBLE11
    ).fingerprint


def test_fingerprint_is_the_answers(rules):
    answer = rules.offers()
    assert answer["rules"] == {"name": rules.name, "fingerprint": rules.fingerprint}


def test_parse_and_reformatting_keeps_the_fingerprint(rules):
    text = DOUBLE11.read_text(encoding="utf-8")
    assert youhui.RuleSet.parse(text).fingerprint == rules.fingerprint
    squeezed = "\n".join(line.strip() for line in text.splitlines())
    assert youhui.RuleSet.parse(squeezed).fingerprint == rules.fingerprint
    changed = text.replace("满199减20", "满199减25")
    assert youhui.RuleSet.parse(changed).fingerprint != rules.fingerprint


def test_repr(rules):
    assert repr(rules) == (
        f"RuleSet(name='天猫双11 旗舰店示例', fingerprint='{rules.fingerprint}', offers=10)"
    )


def test_rule_error_carries_every_diagnostic():
    with pytest.raises(youhui.RuleError) as info:
        youhui.RuleSet.parse(BROKEN, name="many.promo")
    e = info.value
    assert isinstance(e, youhui.Error)
    assert [(d["code"], d["line"], d["column"]) for d in e.diagnostics] == [
        ("syntax", 6, 12),
        ("unknown_stage", 9, 9),
        ("off_not_below_threshold", 10, 15),
    ]
    assert all(d["severity"] == "error" for d in e.diagnostics)
    assert e.errors == e.diagnostics
    stage = e.diagnostics[1]
    assert stage["message"] == 'unknown stage "店"; the header declares "单品", "店铺"'
    assert stage["help"] == 'did you mean "店铺"?'
    assert e.diagnostics[0]["help"] is None


def test_rule_error_message_is_the_rustc_style_report():
    with pytest.raises(youhui.RuleError) as info:
        youhui.RuleSet.parse(BROKEN, name="many.promo")
    text = str(info.value)
    assert text.startswith(
        'error[syntax]: expected an amount after "满", found "减"\n'
        " --> many.promo:6:12\n"
        "  |\n"
        "6 |   benefit 满减50\n"
        "  |             ^^\n"
    )
    assert '9 |   stage 店\n  |         ^^\n  = help: did you mean "店铺"?\n' in text
    assert text.endswith("many.promo: 3 errors, 0 warnings")


def test_parse_names_the_file_rules_promo_by_default():
    with pytest.raises(youhui.RuleError, match=r"--> rules\.promo:1:1"):
        youhui.RuleSet.parse("activity a { }")


def test_from_file_names_the_path(tmp_path):
    path = tmp_path / "bad.promo"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(youhui.RuleError) as info:
        youhui.RuleSet.from_file(path)
    assert f"--> {path}:9:9" in str(info.value)


def test_warnings_do_not_stop_the_rules():
    rules = youhui.RuleSet.parse(
        'ruleset "w" { stages 单品, 店铺 }\n'
        'activity a "A" { stage 单品 benefit 满100减10 }\n'
    )
    assert [(w["severity"], w["code"]) for w in rules.warnings] == [("warning", "unused_stage")]
    assert rules.warnings[0]["line"] >= 1


def test_unreadable_files_raise_oserror(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        youhui.RuleSet.from_file(tmp_path / "missing.promo")
    assert info.value.filename == str(tmp_path / "missing.promo")
    latin1 = tmp_path / "latin1.promo"
    latin1.write_bytes(b'ruleset "caf\xe9" { }')
    with pytest.raises(ValueError, match="not UTF-8"):
        youhui.RuleSet.from_file(latin1)


def test_with_deadline(rules):
    quick = rules.with_deadline(0.25)
    assert quick.deadline == 0.25
    assert quick.fingerprint == rules.fingerprint
    assert rules.deadline == 1.0
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            rules.with_deadline(bad)


def test_pickle_keeps_the_rules(rules):
    copy = pickle.loads(pickle.dumps(rules))
    assert copy.fingerprint == rules.fingerprint
    assert copy.name == rules.name


def test_rule_set_is_frozen(rules):
    with pytest.raises(AttributeError):
        rules.name = "x"


def test_other_example_rules_load():
    assert youhui.RuleSet.from_file(EXAMPLES / "spec_example.promo").name


def test_the_readme_example_runs(monkeypatch):
    """python/README.md's example, run from the repository root as it says."""
    readme = (ROOT / "python" / "README.md").read_text(encoding="utf-8")
    example = readme.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    scope = {}
    exec(compile(example, "README.md", "exec"), scope)
    assert scope["answer"]["payable"] == "499.00"
