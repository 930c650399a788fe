"""One RuleSet shared by threads: the GIL is released while answering, answers agree."""

import threading
from concurrent.futures import ThreadPoolExecutor

from common import CART, CONTEXT

THREADS = 8
QUOTES = 50


def test_threads_sharing_one_rule_set_get_identical_answers(rules):
    expected = rules.quote(CART, CONTEXT, coupons=["shop20"])
    start = threading.Barrier(THREADS)

    def worker(n):
        start.wait()
        answers = []
        for i in range(QUOTES):
            if i % 5 == n % 5:
                rules.best(CART, CONTEXT, wallet=["shop20", "plat", "newbie"])
            answers.append(rules.quote(CART, CONTEXT, coupons=["shop20"]))
        return answers

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(worker, range(THREADS)))
    assert len(results) == THREADS
    for answers in results:
        assert len(answers) == QUOTES
        assert all(a == expected for a in answers)
    assert expected["payable"] == "537.50"
