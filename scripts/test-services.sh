#!/usr/bin/env bash
# Make sure what the tests need is on this machine: Chromium (required), PostgreSQL and Redis
# (their runs are skipped without them, except under CI=true, where a missing server fails).
set -uo pipefail

is_root() { [ "$(id -u)" = 0 ]; }
apt_install() {
  is_root || return 1
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq >/dev/null 2>&1; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}

if ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  apt_install chromium || { echo "ERROR: chromium is missing and could not be installed (needs root and apt)."; exit 1; }
fi

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if ! pg_up; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "Installing PostgreSQL for the PostgreSQL test runs..."
    apt_install postgresql postgresql-client
  fi
  if command -v pg_ctlcluster >/dev/null 2>&1 && is_root; then
    version=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
    if [ -n "$version" ]; then
      # A cluster this script installed: let local TCP connections in without a password (test machine only).
      hba=/etc/postgresql/$version/main/pg_hba.conf
      grep -q "portal-tests" "$hba" 2>/dev/null || sed -i '1i host all all 127.0.0.1/32 trust # portal-tests' "$hba"
      pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
      for _ in $(seq 1 20); do pg_up && break; sleep 0.5; done
    fi
  fi
fi
pg_up && echo "PostgreSQL: reachable on 127.0.0.1:5432" || echo "PostgreSQL: NOT reachable; its test runs will be skipped"

redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; }
if ! redis_up; then
  command -v redis-server >/dev/null 2>&1 || { echo "Installing Redis for the scale-out test runs..."; apt_install redis-server; }
  if command -v redis-server >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null 2>&1 || true
    for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
  fi
fi
redis_up && echo "Redis: reachable on 127.0.0.1:6379" || echo "Redis: NOT reachable; its test runs will be skipped"
exit 0
