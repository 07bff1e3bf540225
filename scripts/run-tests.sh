#!/usr/bin/env bash
# The suite in two pytest runs: services/state/security first, then the browser journeys
# (Playwright's sync API and async tests cannot share one process). Ends with pytest's summary.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-artifacts

.venv/bin/python -m pytest tests --ignore=tests/browser -q "$@"
first=$?
.venv/bin/python -m pytest tests/browser -q "$@"
second=$?

if [ $first -ne 0 ] || [ $second -ne 0 ]; then
  echo "FAILED: service tests exit $first, browser tests exit $second"
  exit 1
fi
