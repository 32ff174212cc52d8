"""Shared helpers of the checker tests (tests/test_checks_conditions*.py, test_checks_mapped.py,
test_hidden_memory.py)."""
import re

import pytest


def raises_exactly(message: str):
    """`pytest.raises` of an AssertionError whose message is `message`, whole."""
    return pytest.raises(AssertionError, match="^" + re.escape(message) + "$")


def preprocessing_outcome(x_train, prep_train, x_test, prep_test) -> str | None:
    """The message `images.check_preprocessed` fails with on these four arrays, or None when it passes."""
    from tdgrade_checks import images

    try:
        images.check_preprocessed(x_train, prep_train, x_test, prep_test,
                                  ("x_train", "x_train_prep", "x_test", "x_test_prep"), 784)
    except AssertionError as exc:
        return str(exc)
    return None
