"""Shared helpers of the tests/test_checks_conditions*.py files."""
import re

import pytest


def raises_exactly(message: str):
    """`pytest.raises` of an AssertionError whose message is `message`, whole."""
    return pytest.raises(AssertionError, match="^" + re.escape(message) + "$")
