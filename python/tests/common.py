"""Paths and data the tests share; the repository is found relative to this file."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DOUBLE11 = EXAMPLES / "double11.promo"

# The customer's cart of the 双11 conversation (examples/python/bot.py), at 10:00.
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


def jsonl_requests():
    """The requests of the quick start (examples/double11.jsonl), by `id`."""
    import json
    from decimal import Decimal

    lines = (EXAMPLES / "double11.jsonl").read_text(encoding="utf-8").splitlines()
    requests = [json.loads(line, parse_float=Decimal) for line in lines if line.strip()]
    return {r["id"]: r for r in requests}
