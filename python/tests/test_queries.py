"""One test per query method, and how Python values are read."""

import copy
from decimal import Decimal

import pytest

import youhui
from common import CART, CONTEXT, DOUBLE11, jsonl_requests

# The quick start's one pair of running shoes (examples/double11.jsonl, request 3).
SHOES = jsonl_requests()[3]["cart"]
TEN_AM = {"now": "2026-11-11T10:00:00+08:00"}


def test_quote_of_the_quick_start_cart_pays_499():
    rules = youhui.RuleSet.from_file(DOUBLE11)  # examples/double11.promo
    answer = rules.quote(SHOES, TEN_AM)
    assert answer["payable"] == "499.00"
    assert answer["original"] == "699.00"
    assert answer["summary"]["zh"].startswith("应付499.00元")
    assert [a["offer"] for a in answer["applied"]] == ["shoe_drop", "shop300", "towel", "cross", "ship"]


def test_quote_answers_as_the_protocol(rules):
    answer = rules.quote(CART, CONTEXT, coupons=["shop20"])
    assert list(answer)[:4] == ["original", "discount", "shipping", "payable"]
    assert answer["payable"] == "537.50"
    assert answer["summary"] == {
        "zh": "应付537.50元，共优惠239.50元，已免运费，赠送运动毛巾。",
        "en": answer["summary"]["en"],
    }
    assert set(answer["explain"]) == {"zh", "en"}
    assert answer["rules"]["fingerprint"] == rules.fingerprint
    assert answer == rules.answer(
        {"query": "quote", "cart": CART, "context": CONTEXT, "coupons": ["shop20"]}
    )


def test_quote_without_context_or_coupons(rules):
    answer = rules.quote(SHOES, None, None)
    assert answer == rules.answer({"query": "quote", "cart": SHOES})
    assert rules.quote(SHOES, context=None, coupons=[]) == answer


def test_coupons_by_title(rules):
    by_id = rules.quote(CART, CONTEXT, ["shop20"])
    assert rules.quote(CART, CONTEXT, ("店铺券 满199减20",)) == by_id


def test_best(rules):
    answer = rules.best(CART, CONTEXT, wallet=["shop20", "plat", "newbie"])
    assert answer["coupons"] == ["newbie"]
    assert answer["quote"]["payable"] == "492.50"
    assert {n["coupon"] for n in answer["not_chosen"]} == {"shop20", "plat"}


def test_can_stack(rules):
    answer = rules.can_stack("shop20", "plat")
    assert (answer["stack"], answer["rule"]) == (False, "excludes")
    assert answer["summary"]["zh"] == "店铺券 满199减20和平台券 满1000减100 / 满2000减250不能叠加：两者互斥。"
    with_cart = rules.can_stack("shop300", "shop20", cart=CART, context=CONTEXT)
    assert with_cart["stack"] is True
    assert with_cart["both_apply"] is True


def test_eligibility(rules):
    answer = rules.eligibility("plat", SHOES, TEN_AM)
    assert answer["eligible"] is False
    assert answer["reason"] == {
        "code": "threshold_not_met",
        "shortfall": "501.00",
        "next_benefit": "满1000减100",
    }
    assert rules.eligibility("newbie", CART, CONTEXT)["eligible"] is True


def test_gap(rules):
    best = rules.gap(CART, CONTEXT, coupons=["shop20"])
    assert (best["offer"], best["shortfall"], best["unit"]) == ("cross", "12.50", "amount")
    assert best["steps"][0]["offer"] == "cross"
    one = rules.gap(CART, CONTEXT, offer="plat")
    assert one["offer"] == "plat"
    assert "steps" not in one


def test_refund(rules):
    order = rules.quote(CART, CONTEXT, coupons=["shop20"])
    answer = rules.refund(order, CART, [{"line": "L2", "qty": 1}], CONTEXT)
    assert answer["refund"] == "22.22"
    assert [lost["offer"] for lost in answer["lost"]] == ["socks"]
    assert answer["policy"] == "apportioned"
    keywords = rules.refund(
        order=order, cart=CART, context=CONTEXT, returns=[{"line": "L2", "qty": 1}],
        balance_paid=True,
    )
    assert keywords == answer


def test_refund_of_an_edited_order_is_refused(rules):
    order = copy.deepcopy(rules.quote(CART, CONTEXT, coupons=["shop20"]))
    order["lines"][1]["payable"] = "1.00"
    with pytest.raises(youhui.RequestError) as info:
        rules.refund(order, CART, [{"line": "L2", "qty": 1}], CONTEXT)
    assert info.value.code == "order_mismatch"


def test_equivalent(rules):
    same = rules.equivalent("买一送一", "第二件0元")
    assert same["equivalent"] is True
    assert same["counterexample"] is None
    differ = rules.equivalent("第二件半价", "满100减10")
    assert differ["equivalent"] is False
    example = differ["counterexample"]
    assert example["a_payable"] != example["b_payable"]


def test_offers(rules):
    answer = rules.offers()
    ids = [o["id"] for o in answer["offers"]]
    assert ids[:3] == ["flash", "socks", "shoe_drop"]
    assert len(ids) == 10
    shop20 = answer["offers"][ids.index("shop20")]
    assert shop20["kind"] == "coupon"
    assert set(shop20["benefit"]) == {"zh", "en"}


def test_answer_echoes_the_id(rules):
    assert rules.answer({"id": "r1", "query": "offers"})["id"] == "r1"
    assert rules.answer({"id": 7, "query": "offers"})["id"] == 7
    # A number that is not an integer comes back as a Decimal, exactly as written.
    echoed = rules.answer({"id": Decimal("1.50"), "query": "offers"})["id"]
    assert isinstance(echoed, Decimal) and str(echoed) == "1.50"


def test_answer_reads_none_as_absent(rules):
    strict = {"query": "quote", "cart": SHOES, "context": None, "coupons": None}
    assert rules.answer(strict) == rules.quote(SHOES)


def test_explain_through_answer(rules):
    answer = rules.answer({"query": "explain", "request": {"query": "can_stack", "a": "shop20", "b": "plat"}})
    assert answer["explain"]["zh"]


# ------------------------------------------------------------------ numbers on input


def line(price, qty=1):
    return {"lines": [{"id": "L1", "sku": "SHOE-1", "shop": "nike", "tags": ["双11"],
                       "price": price, "qty": qty}]}


@pytest.mark.parametrize(
    "price",
    ["699.00", "699", 699, Decimal("699.00"), Decimal("699"), Decimal("6.99E+2"),
     Decimal("699.00").normalize(), 699.0],
)
def test_a_price_may_be_str_int_decimal_or_float(rules, price):
    assert rules.quote(line(price), TEN_AM)["payable"] == "499.00"


def test_decimal_everywhere_a_number_is(rules):
    context = dict(CONTEXT, shipping_fee=Decimal("10.00"), user={"id": "u1", "level": Decimal(3)})
    cart = {"lines": [dict(CART["lines"][0], price=Decimal("699.00"), qty=Decimal(1)),
                      dict(CART["lines"][1], price=Decimal("39"), qty=Decimal("2"))]}
    assert rules.quote(cart, context, ["shop20"]) == rules.quote(
        CART, dict(context, shipping_fee="10.00", user={"id": "u1", "level": 3}), ["shop20"]
    )


def test_floats_are_read_as_their_repr(rules):
    assert rules.quote(line(698.5), TEN_AM) == rules.quote(line("698.50"), TEN_AM)
    # 0.1 + 0.2 is 0.30000000000000004: refused, never rounded.
    with pytest.raises(youhui.RequestError, match="more than two decimals"):
        rules.quote(line(0.1 + 0.2), TEN_AM)


def test_amounts_are_never_rounded(rules):
    with pytest.raises(youhui.RequestError) as info:
        rules.quote(line(Decimal("699.001")), TEN_AM)
    assert info.value.code == "bad_request"
    assert "more than two decimals" in info.value.message
    with pytest.raises(youhui.RequestError, match="qty"):
        rules.quote(line("699", qty=1.5), TEN_AM)


def test_big_ints_reach_the_protocol(rules):
    # Beyond 64 bits an int is sent with all its digits, for the protocol to refuse.
    with pytest.raises(youhui.RequestError) as info:
        rules.quote(line(10**30), TEN_AM)
    assert info.value.code == "bad_request"
    assert "1000000000000000000000000000000" in info.value.message


@pytest.mark.parametrize("value", [float("nan"), float("inf"), Decimal("NaN"), Decimal("-Infinity")])
def test_non_finite_numbers_are_value_errors(rules, value):
    with pytest.raises(ValueError, match=r"^cart\.lines\[0\]\.price: "):
        rules.quote(line(value), TEN_AM)


@pytest.mark.parametrize(
    "cart, where",
    [
        (line({1, 2}), r"cart\.lines\[0\]\.price: set is not supported"),
        (line(b"699"), r"cart\.lines\[0\]\.price: bytes is not supported"),
        ({"lines": [{1: "x"}]}, r"cart\.lines\[0\]: dict keys must be str, found int 1"),
        ({"lines": ({"id": object()},)}, r"cart\.lines\[0\]\.id: object is not supported"),
        ({"lines": [], "my key": [None, 1j]}, r'cart\["my key"\]\[1\]: complex is not supported'),
    ],
)
def test_unsupported_values_are_type_errors_naming_the_path(rules, cart, where):
    with pytest.raises(TypeError, match=where):
        rules.quote(cart)


def test_a_list_that_contains_itself_is_refused(rules):
    lines = []
    lines.append(lines)
    with pytest.raises(ValueError, match="nested more than"):
        rules.quote({"lines": lines})


def test_answer_paths_start_at_request(rules):
    with pytest.raises(TypeError, match=r"^request\.cart: set"):
        rules.answer({"query": "quote", "cart": set()})
