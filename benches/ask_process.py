#!/usr/bin/env python3
"""Measures the real `youhui ask` process (issue: ≥ 100,000 quote requests/s on one core, peak
memory ≤ 50 MB with 10,000 offers loaded).

    cargo build --release --features serve
    python3 benches/ask_process.py [N]        # N request lines, default 200000

1. Throughput: N quote requests (varied 1–6 line carts against examples/double11.promo)
   piped through one `ask` process; wall time from start to the last answer, so process
   start and rule loading count too. `ask` is single-threaded: this is one core.
2. Memory: `ask` with a generated rule file of 10,000 offers, answering 1,000 requests;
   peak resident set size (ru_maxrss) of the process.
Standard library only.
"""

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASK = ROOT / "target/release/youhui"
N = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000

SKUS = [("SHOE-1", "699.00"), ("SOCK-1", "39.00"), ("CUP-1", "399.00"), ("TEE-1", "129.00"),
        ("BAG-1", "259.00"), ("CAP-1", "89.00")]


def quote_line(rng):
    lines = []
    for i in range(rng.randint(1, 6)):
        sku, price = SKUS[rng.randrange(len(SKUS))]
        lines.append({"id": f"L{i}", "sku": sku, "shop": "nike", "tags": ["双11"],
                      "price": price, "qty": rng.randint(1, 3)})
    req = {"query": "quote", "cart": {"lines": lines},
           "context": {"now": "2026-11-11T10:00:00+08:00", "user": {"id": "u1", "level": 3},
                       "channel": "app", "shipping_fee": "10.00"},
           "coupons": ["shop20"] if rng.random() < 0.5 else []}
    return json.dumps(req, ensure_ascii=False)


def run(rules, requests):
    """Runs ask on the request file; returns (seconds, answers, peak RSS in MB).

    The answers are counted as they stream by (nothing is kept), and the peak RSS is that
    of this one child (wait4), not of every child this script ever ran."""
    start = time.perf_counter()
    with open(requests, "rb") as stdin:
        proc = subprocess.Popen([str(ASK), "ask", str(rules)], stdin=stdin, stdout=subprocess.PIPE)
        answers = 0
        while chunk := proc.stdout.read(1 << 20):
            answers += chunk.count(b"\n")
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        sys.exit(f"ask failed: status {status}")
    return seconds, answers, usage.ru_maxrss / 1024


def rules_10k(path):
    with open(path, "w", encoding="utf-8") as f:
        f.write('ruleset "10k" {\n  stages 单品, 店铺, 跨店, 平台券\n  stage 店铺 max 2\n}\n')
        for i in range(10_000):
            stage = ["单品", "店铺", "跨店", "平台券"][i % 4]
            benefit = ["满300减50 / 满500减100", "每满300减50 封顶150", "95折", "直降20",
                       "第二件半价", "满99包邮"][i % 6]
            kind = "coupon" if i % 3 == 0 else "activity"
            f.write(f'{kind} o{i} "offer {i}" {{\n  stage {stage}\n  benefit {benefit}\n'
                    f'  scope shop "shop{i % 500}"\n  audience user.level >= {i % 4}\n}}\n')


def main():
    if not ASK.exists():
        sys.exit("build it first: cargo build --release --features serve")
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        requests = Path(tmp) / "requests.jsonl"
        with open(requests, "w", encoding="utf-8") as f:
            for _ in range(N):
                f.write(quote_line(rng) + "\n")
        seconds, answers, _ = run(ROOT / "examples/double11.promo", requests)
        assert answers == N, f"{answers} answers for {N} requests"
        print(f"ask throughput: {N} quote requests in {seconds:.2f} s = {N / seconds:,.0f} requests/s")

        big = Path(tmp) / "10k.promo"
        rules_10k(big)
        small = Path(tmp) / "small.jsonl"
        with open(small, "w", encoding="utf-8") as f:
            for i in range(1_000):
                f.write(quote_line(rng).replace('"nike"', f'"shop{i % 500}"') + "\n")
        seconds, answers, peak = run(big, small)
        assert answers == 1_000
        print(f"ask with 10,000 offers: loaded and answered 1,000 requests in {seconds:.2f} s, "
              f"peak RSS {peak:.1f} MB")


if __name__ == "__main__":
    main()
