#!/usr/bin/env bash
# The whole test suite: lint, types, then pytest on SQLite and (when it can be started) PostgreSQL.
# Called by `./dev test` (after the virtualenv is set up) and so by CI's .ci/run.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
status=0

echo "== ruff"
$PY -m ruff check . || status=1
$PY -m ruff format --check . || status=1
echo "== mypy"
$PY -m mypy || status=1

# the unit-file tests need systemd-analyze (Debian's systemd package); CI machines run as root
if ! command -v systemd-analyze >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "== installing systemd (for systemd-analyze)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd; } >/dev/null 2>&1 \
    || echo "systemd-analyze could not be installed: the unit-file tests will be skipped" >&2
fi

pg_started=""
if [[ -z ${REPLYCLOCK_TEST_POSTGRES_URL:-} && -x scripts/pg-test-server.sh ]]; then
  echo "== postgresql"
  if out=$(scripts/pg-test-server.sh start); then
    eval "$out"
    pg_started=1
  else
    echo "PostgreSQL test server could not be started: PostgreSQL tests will be skipped" >&2
  fi
fi

echo "== pytest"
$PY -m pytest "$@"
rc=$?
[[ -n $pg_started ]] && scripts/pg-test-server.sh stop >/dev/null 2>&1
if [[ $rc -ne 0 ]]; then status=$rc; fi
exit $status
