#!/usr/bin/env bash
# Check the pinned versions in constraints.txt against the known vulnerabilities that PyPI
# publishes (pip-audit). Where that service cannot be reached (a closed network), say so and
# stop without failing: the audit is for a machine that can reach it, not a gate offline.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
SERVICE=https://pypi.org/pypi/flask/3.1.1/json

if ! "$BIN/python" - "$SERVICE" <<'PY'
import sys
import urllib.request

try:
    with urllib.request.urlopen(sys.argv[1], timeout=10) as response:
        sys.exit(0 if b'"vulnerabilities"' in response.read() else 1)
except Exception:
    sys.exit(1)
PY
then
  echo "== Audit skipped: PyPI's vulnerability data ($SERVICE) cannot be reached from here."
  echo "   Run 'make audit' on a machine with internet access to check constraints.txt."
  exit 0
fi

"$BIN/pip" install --quiet -c constraints.txt 'pip-audit>=2.7,<3'
# Every version is pinned, so pip-audit reads the file as it is (no resolver, no new venv).
"$BIN/pip-audit" --requirement constraints.txt --no-deps --disable-pip --progress-spinner off
