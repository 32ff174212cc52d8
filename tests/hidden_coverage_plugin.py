"""pytest plugin (used by test_corpus_coverage.py): records which hidden cases ever failed."""
import json
import os

from tdgrade import hidden

_seen, _failed = set(), set()
_run = hidden._Case.run


def _recording_run(self, values, profile):
    result = _run(self, values, profile)
    if self.hidden:
        _seen.add(self.name)
        if not result.passed:
            _failed.add(self.name)
    return result


hidden._Case.run = _recording_run


def pytest_sessionfinish(session, exitstatus):
    with open(os.environ["TDGRADE_COVERAGE_OUT"], "w") as f:
        json.dump({"hidden": sorted(_seen), "never_failed": sorted(_seen - _failed)}, f)
