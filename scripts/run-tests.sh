#!/usr/bin/env bash
# The suite in three pytest runs, each spread over PORTAL_TEST_WORKERS processes (default 2, one a
# core here; a test file stays in one process, so its module fixtures are built once):
#  1. the service tests;
#  2. the one test that restarts PostgreSQL, alone, so no other test sees the server go away;
#  3. everything that needs a served portal (security checks over HTTP and the socket, and the
#     browser journeys). Playwright's sync API and async tests cannot share one process.
# Ends with pytest's summaries.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-artifacts
workers=(-n "${PORTAL_TEST_WORKERS:-2}" --dist loadfile --durations=10)

.venv/bin/python -m pytest tests --ignore=tests/browser --ignore=tests/security -q "${workers[@]}" -m "not restarts_postgres" "$@"
services=$?
.venv/bin/python -m pytest tests/services -q -m restarts_postgres "$@"
restart=$?
.venv/bin/python -m pytest tests/security tests/browser -q "${workers[@]}" "$@"
browser=$?

if [ $services -ne 0 ] || [ $restart -ne 0 ] || [ $browser -ne 0 ]; then
  echo "FAILED: service tests exit $services, PostgreSQL restart test exit $restart, browser tests exit $browser"
  exit 1
fi
