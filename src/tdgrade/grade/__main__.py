"""`python -m tdgrade.grade LAB SUBMISSION... -o OUTDIR` (same options as `tdgrade grade`)."""
from tdgrade.cli_grade import main

raise SystemExit(main())
