#!/usr/bin/env bash
# Install everything tdgrade needs on a Debian machine, then fill the offline data caches.
# Idempotent: on a machine that has it all, it only verifies.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
need=()
[ -d /usr/share/datasets/fashion-mnist ] || need+=(dataset-fashion-mnist)
command -v bwrap >/dev/null || need+=(bubblewrap)
# headless browser for the review page's tests (playwright drives Debian's chromium, tests/test_review_browser.py)
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "apt-get install ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
echo "pip install -e .[test] ($($PY --version))"
$PY -m pip install -q --disable-pip-version-check -e ".[test]" 2>&1 | grep -vE "^WARNING: (Location|Running pip)" || true
# dependency conflicts fail the install, those of tdgrade's own requirement tree only (the image ships
# unrelated tools, awscli among them, whose pins conflict with nothing tdgrade uses)
$PY scripts/check_requirements.py test
$PY -m tdgrade.cli data
