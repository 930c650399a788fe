"""Refused requests: RequestError, or the protocol's error answer with raise_errors=False."""

import pickle

import pytest

import youhui
from common import CART, CONTEXT


def test_a_misspelt_field_is_refused_with_a_suggestion(rules):
    request = {"query": "quote", "cart": CART, "context": CONTEXT, "coupon": ["shop20"]}
    with pytest.raises(youhui.RequestError) as info:
        rules.answer(request)
    e = info.value
    assert isinstance(e, youhui.Error)
    assert e.code == "bad_request"
    assert e.field == "coupon"
    assert e.suggestions == ["coupons"]
    assert e.message == (
        "bad request: unknown field `coupon`; did you mean `coupons`? "
        "(this query takes cart, context, coupons)"
    )
    assert str(e) == e.message
    assert (e.line, e.column) == (None, None)
    # The summary is customer-safe: it repeats nothing from the request.
    assert e.summary == e.answer["summary"]
    assert e.summary["zh"] == "抱歉，这个问题暂时无法回答（请求的内容有误）。"
    assert e.answer["error"]["field"] == "coupon"
    assert e.answer["rules"]["fingerprint"] == rules.fingerprint


def test_raise_errors_false_returns_the_error_answer(rules):
    request = {"id": "q9", "query": "quote", "cart": CART, "coupon": ["shop20"]}
    answer = rules.answer(request, raise_errors=False)
    assert answer["id"] == "q9"
    assert answer["error"]["code"] == "bad_request"
    assert answer["error"]["suggestions"] == ["coupons"]
    assert "explain" not in answer
    with pytest.raises(youhui.RequestError) as info:
        rules.answer(request)
    assert info.value.answer == answer
    # A good request is answered the same either way.
    good = {"query": "can_stack", "a": "shop20", "b": "plat"}
    assert rules.answer(good, raise_errors=False) == rules.answer(good)


def test_a_misspelt_field_deep_in_the_cart(rules):
    lines = [dict(CART["lines"][0], catgory="鞋")]
    with pytest.raises(youhui.RequestError) as info:
        rules.quote({"lines": lines})
    assert (info.value.field, info.value.suggestions) == ("catgory", ["category"])


def test_an_unknown_offer_suggests_the_closest(rules):
    with pytest.raises(youhui.RequestError) as info:
        rules.quote(CART, CONTEXT, coupons=["店铺券"])
    e = info.value
    assert e.code == "unknown_offer"
    assert e.suggestions == ["shop20"]
    assert e.message == 'unknown offer "店铺券"; did you mean shop20 (店铺券 满199减20)?'
    with pytest.raises(youhui.RequestError) as info:
        rules.can_stack("shop20", "ghost")
    assert info.value.code == "unknown_offer"
    with pytest.raises(youhui.RequestError, match="unknown offer"):
        rules.eligibility("nope", CART)


def test_conflicting_coupons(rules):
    with pytest.raises(youhui.RequestError) as info:
        rules.quote(CART, CONTEXT, coupons=["shop20", "plat"])
    assert info.value.code == "conflict"
    assert info.value.field is None
    assert info.value.suggestions == []


def test_an_unknown_query_and_a_missing_one(rules):
    with pytest.raises(youhui.RequestError) as info:
        rules.answer({"query": "qoute", "cart": CART})
    assert (info.value.field, info.value.suggestions) == ("query", ["quote"])
    with pytest.raises(youhui.RequestError) as info:
        rules.answer({"cart": CART})
    assert info.value.code == "bad_request"


def test_a_request_that_is_not_a_dict(rules):
    with pytest.raises(youhui.RequestError, match="a request is a JSON object"):
        rules.answer(["quote"])
    answer = rules.answer("quote", raise_errors=False)
    assert answer["error"]["code"] == "bad_request"


def test_a_missing_required_field_is_named(rules):
    with pytest.raises(youhui.RequestError) as info:
        rules.answer({"query": "eligibility", "cart": CART})
    assert info.value.field == "offer"


def test_bad_values_are_refused_by_the_protocol(rules):
    bad_now = dict(CONTEXT, now="2026-11-11 10:00")
    with pytest.raises(youhui.RequestError) as info:
        rules.quote(CART, bad_now)
    assert info.value.code == "bad_request"
    with pytest.raises(youhui.RequestError, match="qty"):
        rules.quote({"lines": [dict(CART["lines"][0], qty=0)]})


def test_exceptions_pickle(rules):
    with pytest.raises(youhui.RequestError) as info:
        rules.quote(CART, CONTEXT, coupons=["店铺券"])
    copy = pickle.loads(pickle.dumps(info.value))
    assert (copy.code, copy.suggestions, str(copy)) == ("unknown_offer", ["shop20"], str(info.value))
    with pytest.raises(youhui.RuleError) as info:
        youhui.RuleSet.parse("activity a { }")
    copy = pickle.loads(pickle.dumps(info.value))
    assert copy.diagnostics == info.value.diagnostics
    assert str(copy) == str(info.value)
