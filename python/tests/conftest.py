"""Shared fixtures."""

import pytest

import youhui
from common import DOUBLE11


@pytest.fixture(scope="session")
def rules():
    """The 双11 example rules (examples/double11.promo), shared by every test."""
    return youhui.RuleSet.from_file(DOUBLE11)
