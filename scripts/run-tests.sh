#!/usr/bin/env bash
# The suite in two pytest runs: the service tests first, then everything that needs the served
# portal (security checks over HTTP and the socket, and the browser journeys), which share one
# build. Playwright's sync API and async tests cannot share one process. Ends with pytest's summary.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-artifacts

.venv/bin/python -m pytest tests --ignore=tests/browser --ignore=tests/security -q "$@"
first=$?
.venv/bin/python -m pytest tests/security tests/browser -q "$@"
second=$?

if [ $first -ne 0 ] || [ $second -ne 0 ]; then
  echo "FAILED: service tests exit $first, browser tests exit $second"
  exit 1
fi
