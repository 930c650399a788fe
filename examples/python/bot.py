#!/usr/bin/env python3
"""A customer-service bot that uses the `youhui` Python package as its pricing tool.

The rule file is loaded once into a `youhui.RuleSet` (immutable, shared by every thread of
a real bot); the bot asks it the questions of a scripted 双11 conversation. Every reply to
the customer is the answer's `summary.zh` (the headline, errors included), never written by
the bot itself, so it cannot drift from the numbers.

    pip install ./python
    python3 examples/python/bot.py [rules.promo]

Python 3.9+.
"""

import sys
from pathlib import Path

try:
    import youhui
except ImportError:
    sys.exit("the youhui package is not installed: pip install ./python")

ROOT = Path(__file__).resolve().parents[2]
RULES = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "examples/double11.promo"


def reply(answer):
    """The bot's reply: the answer's one-sentence summary (errors have one too)."""
    return answer["summary"]["zh"]


def call_tool(rules, name, arguments):
    """Answers an LLM's tool call (a tool of `rules.tools()`). An error is returned as the
    protocol's error answer, not raised, so the model reads its `summary`, `error.message`
    and `suggestions` and can try again."""
    return rules.answer(dict(arguments, query=name), raise_errors=False)


# The customer's cart and context during 双11 (10:00, after the flash sale ended).
CART = {
    "lines": [
        {"id": "L1", "sku": "SHOE-1", "shop": "nike", "category": "鞋",
         "tags": ["双11"], "price": "699.00", "qty": 1},
        {"id": "L2", "sku": "SOCK-1", "shop": "nike", "category": "袜",
         "tags": ["双11"], "price": "39.00", "qty": 2},
    ]
}
CONTEXT = {
    "now": "2026-11-11T10:00:00+08:00",
    "user": {"id": "u1", "level": 3, "new": True},
    "channel": "app",
    "shipping_fee": "10.00",
}
WALLET = ["shop20", "plat", "newbie"]


def main():
    rules = youhui.RuleSet.from_file(RULES)
    tools = rules.tools("openai")  # what to register with the model
    print(f"[工具] {', '.join(t['function']['name'] for t in tools)}")

    errors = []

    def turn(question, query, *args, **kwargs):
        try:
            answer = query(*args, **kwargs)
        except youhui.RequestError as e:
            answer = e.answer  # a refused request still has a summary to send
        if "error" in answer:
            errors.append(answer["error"])
        print(f"顾客：{question}")
        print(f"客服：{reply(answer)}")
        print()
        return answer

    # As a model would call the tool: strict mode sends null for every optional argument.
    turn(
        "店铺券和平台券能一起用吗？",
        call_tool, rules, "can_stack", {"a": "shop20", "b": "plat", "cart": None, "context": None},
    )
    order = turn(
        "跑鞋一双、袜子两双，用店铺券，我最后付多少？",
        rules.quote, CART, CONTEXT, coupons=["shop20"],
    )
    turn(
        "我有店铺券、平台券和新人券，用哪几张最划算？",
        rules.best, CART, CONTEXT, wallet=WALLET,
    )
    turn("还差多少能再减？", rules.gap, CART, CONTEXT, coupons=["shop20"])
    turn(
        "退一双袜子能退多少钱？",
        rules.refund, order, CART, [{"line": "L2", "qty": 1}], CONTEXT,
    )
    if errors:
        print("errors:", errors, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
