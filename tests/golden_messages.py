"""Golden file of the messages that reject each known-wrong case.

A case must fail its question *through the check written for it*: failing through another
assertion, or with another message, means the check it was written for is untested (a mutated
checker that fails the case some other way would go unnoticed, issue 23). `expect(results)` compares
the failing test functions and their messages, numbers masked (they may come from trained values),
with the file's entry for the calling test and call; `TDGRADE_UPDATE_GOLDEN=1` rewrites the entries
the run reaches, to be reviewed in the diff like any golden file.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

GOLDEN = Path(__file__).parent / "wrong_case_messages"  # not tests/golden: test_golden_outputs owns that folder
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def masked(message: str) -> str:
    return NUMBER.sub("#", " ".join(message.split()))


class GoldenMessages:
    def __init__(self, file_name: str):
        self.path = GOLDEN / file_name
        self.update = os.environ.get("TDGRADE_UPDATE_GOLDEN") == "1"
        self.calls: dict[str, int] = {}
        self._golden: dict | None = None  # read once, at the first comparison

    def _entries(self) -> dict:
        if self._golden is None:
            self._golden = json.loads(self.path.read_text()) if self.path.exists() else {}
        return self._golden

    def _key(self) -> str:
        test = os.environ.get("PYTEST_CURRENT_TEST", "?").rsplit(" ", 1)[0].split("::", 1)[-1]
        self.calls[test] = self.calls.get(test, 0) + 1
        return f"{test} #{self.calls[test]}"

    def expect(self, results) -> None:
        self.expect_as(self._key(), results)

    def expect_as(self, key: str, results) -> None:
        got = sorted(f"{r.name}.{c.name}: {masked(c.message or '')}" for r in results for c in r.cases if not c.passed)
        golden = self._entries()
        if self.update:
            golden[key] = got
            self.path.write_text(json.dumps(dict(sorted(golden.items())), indent=1, ensure_ascii=False) + "\n")
            return
        assert key in golden, f"{key}: no golden messages (run with TDGRADE_UPDATE_GOLDEN=1 and review the diff)"
        assert got == golden[key], f"{key}: rejected by other checks or messages than reviewed:\n{got}\n!=\n{golden[key]}"
