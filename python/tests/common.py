"""Paths and data the tests share; the repository is found relative to this file."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DOUBLE11 = EXAMPLES / "double11.promo"


def _bot():
    """examples/python/bot.py as a module (its conversation's cart and context are the
    tests' too, so the two cannot drift apart)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bot", EXAMPLES / "python" / "bot.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The customer's cart and context of the 双11 conversation, at 10:00.
_BOT = _bot()
CART = _BOT.CART
CONTEXT = _BOT.CONTEXT


def jsonl_requests():
    """The requests of the quick start (examples/double11.jsonl), by `id`."""
    import json
    from decimal import Decimal

    lines = (EXAMPLES / "double11.jsonl").read_text(encoding="utf-8").splitlines()
    requests = [json.loads(line, parse_float=Decimal) for line in lines if line.strip()]
    return {r["id"]: r for r in requests}
