#!/usr/bin/env python3
"""A customer-service bot that uses youhui's `ask` as its pricing tool.

One `youhui ask` process stays open for the whole conversation: the bot writes one JSON
request per line and reads one JSON answer per line. Every reply to the customer is the
answer's `summary.zh` (the headline, errors included), never written by the bot itself, so
it cannot drift from the numbers.

    cargo build --release
    python3 examples/python/bot.py [path/to/youhui] [rules.promo]

Standard library only (Python 3.8+).
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
YOUHUI = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "target/release/youhui"
RULES = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "examples/double11.promo"


class Youhui:
    """One long-lived `youhui ask` process: `ask(request)` sends a request and returns its
    answer, matched by the request's `id`."""

    def __init__(self, youhui, rules):
        self.next_id = 0
        self.proc = subprocess.Popen(
            [str(youhui), "ask", str(rules)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def ask(self, request):
        self.next_id += 1
        request = dict(request, id=self.next_id)
        self.proc.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("youhui exited")
        answer = json.loads(line)
        if answer.get("id") != self.next_id:
            raise RuntimeError(f"answer for request {answer.get('id')}, expected {self.next_id}")
        return answer

    def close(self):
        self.proc.stdin.close()
        code = self.proc.wait()
        if code != 0:
            raise RuntimeError(f"youhui exited with {code}")

    @staticmethod
    def tools(youhui, rules):
        """The tool definitions to register with an LLM (OpenAI's shape, strict mode)."""
        out = subprocess.run(
            [str(youhui), "tools", str(rules), "--format", "openai"],
            capture_output=True,
            check=True,
        )
        return json.loads(out.stdout)


def reply(answer):
    """The bot's reply: the answer's one-sentence summary (errors have one too)."""
    return answer["summary"]["zh"]


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
    tools = Youhui.tools(YOUHUI, RULES)
    print(f"[工具] {', '.join(t['function']['name'] for t in tools)}")

    bot = Youhui(YOUHUI, RULES)
    turns = []

    def turn(question, request):
        answer = bot.ask(request)
        print(f"顾客：{question}")
        print(f"客服：{reply(answer)}")
        print()
        turns.append(answer)
        return answer

    turn("店铺券和平台券能一起用吗？", {"query": "can_stack", "a": "shop20", "b": "plat"})
    order = turn(
        "跑鞋一双、袜子两双，用店铺券，我最后付多少？",
        {"query": "quote", "cart": CART, "context": CONTEXT, "coupons": ["shop20"]},
    )
    turn(
        "我有店铺券、平台券和新人券，用哪几张最划算？",
        {"query": "best", "cart": CART, "context": CONTEXT, "wallet": WALLET},
    )
    turn(
        "还差多少能再减？",
        {"query": "gap", "cart": CART, "context": CONTEXT, "coupons": ["shop20"]},
    )
    turn(
        "退一双袜子能退多少钱？",
        {
            "query": "refund",
            "order": order,
            "cart": CART,
            "context": CONTEXT,
            "returns": [{"line": "L2", "qty": 1}],
        },
    )
    bot.close()
    errors = [a["error"] for a in turns if "error" in a]
    if errors:
        print("errors:", errors, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
