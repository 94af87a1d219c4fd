#!/usr/bin/env bash
# The test command: the whole suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL
# is set (CI sets it). Both runs always happen; the command fails if either failed.
# Browser tests need Debian's chromium; they are skipped without it.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
# Tests run in parallel, one process per core (each has its own databases and ports).
PARALLEL=(-n "${PYTEST_WORKERS:-auto}")

echo "== Tests on SQLite"
env -u TEST_DATABASE_URL "$BIN/pytest" "${PARALLEL[@]}" "$@"
sqlite=$?

postgres=0
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "== Tests on PostgreSQL ($TEST_DATABASE_URL)"
  "$BIN/pytest" "${PARALLEL[@]}" -m "not browser" "$@"
  postgres=$?
fi

echo "== SQLite: $([ $sqlite -eq 0 ] && echo passed || echo "FAILED ($sqlite)")"
[ -n "${TEST_DATABASE_URL:-}" ] && echo "== PostgreSQL: $([ $postgres -eq 0 ] && echo passed || echo "FAILED ($postgres)")"
[ $sqlite -eq 0 ] && [ $postgres -eq 0 ]
