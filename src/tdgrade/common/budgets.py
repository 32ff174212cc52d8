"""What a notebook may spend in the grader, shared by the grader (`grade.settings`) and the build,
which tells students the budget in the release's README and `selfcheck.py --rendu`."""

DEFAULT_TIMEOUT = {"smoke": 600.0, "full": 1800.0}  # seconds per notebook, by profile
