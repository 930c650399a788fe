"""youhui (优惠): promotion rules for e-commerce, checked, compiled and answered
deterministically, with explanations in Chinese and English a bot can quote word for word.

    import youhui

    rules = youhui.RuleSet.from_file("examples/double11.promo")
    cart = {"lines": [{"id": "L1", "sku": "SHOE-1", "shop": "nike",
                       "tags": ["双11"], "price": "699.00", "qty": 1}]}
    answer = rules.quote(cart, {"now": "2026-11-11T10:00:00+08:00"})
    answer["payable"]        # '499.00'
    answer["summary"]["zh"]  # '应付499.00元，共优惠200.00元，赠送运动毛巾。'

Every query returns the JSON protocol's answer as plain dicts and lists (money as `str`),
the same answer `youhui ask` gives. A rule file with errors raises `RuleError`; a refused
request raises `RequestError`; both are `youhui.Error`.
"""

from ._errors import Error, RequestError, RuleError
from ._youhui import RuleSet, __version__

__all__ = ["RuleSet", "Error", "RuleError", "RequestError", "__version__"]
