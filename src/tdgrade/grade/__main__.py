"""`python -m tdgrade.grade LAB SUBMISSION... -o OUTDIR` (same options as `tdgrade grade`)."""
from . import main

raise SystemExit(main())
