#!/usr/bin/env bash
# Set up evaluatie in a local virtual environment (.venv): the exact versions of
# requirements/lock.txt (hash-checked), the package itself (editable, without dependencies) and
# the Jupyter kernel "evaluatie" of .venv. Needs Python >= 3.11 (PYTHON=... picks the interpreter).
# Idempotent: a second run installs only what is missing or differs from the lock (it removes
# nothing), in a few seconds and without network access.
#
#   bash scripts/setup.sh                 set up from the lock
#   bash scripts/setup.sh --refresh-lock  first re-resolve the lock: the newest versions within
#                                         pyproject.toml's ranges (with uv, installed into .venv)
set -euo pipefail
cd "$(dirname "$0")/.."

LOCK=requirements/lock.txt
UV_VERSION=0.13.9  # the uv that writes the lock; a newer one may format it differently
refresh=0
case "${1:-}" in
  "") ;;
  --refresh-lock) refresh=1 ;;
  *) echo "usage: bash scripts/setup.sh [--refresh-lock]" >&2; exit 2 ;;
esac
step() { echo "==> $*"; }

PY="${PYTHON:-python3}"
"$PY" - <<'PYCHECK'
import sys
if sys.version_info < (3, 11):
    sys.exit(f"evaluatie needs Python >= 3.11, found {sys.version.split()[0]}")
PYCHECK
if [ ! -x .venv/bin/python ]; then
  step "creating .venv with $("$PY" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
  "$PY" -m venv .venv
fi
pip() { .venv/bin/python -m pip --disable-pip-version-check "$@"; }

if [ "$refresh" = 1 ]; then
  step "refreshing $LOCK with uv $UV_VERSION (every supported Python and platform, with hashes)"
  pip install --quiet "uv==$UV_VERSION"
  .venv/bin/uv pip compile pyproject.toml --extra test --universal --fork-strategy fewest \
    --python-version 3.11 --generate-hashes --upgrade --quiet \
    --custom-compile-command "bash scripts/setup.sh --refresh-lock" --output-file "$LOCK"
fi

installed() {  # name==version of every distribution in .venv
  .venv/bin/python -c 'import importlib.metadata as m; print(*sorted({f"{d.name}=={d.version}" for d in m.distributions()}), sep="\n")'
}
before=$(installed)
step "installing the exact versions of $LOCK, hash-checked (a first run downloads them all: minutes)"
pip install --quiet --require-hashes -r "$LOCK"
changed=$(LC_ALL=C comm -13 <(echo "$before") <(installed) | grep -c . || true)
if [ "$changed" = 0 ]; then echo "    nothing to do: .venv has them all"; else echo "    installed or changed: $changed"; fi

# The package itself, editable: new modules need no reinstall, a changed pyproject.toml does. The
# build runs in an isolated environment that downloads setuptools (4 s), so it is skipped while
# pyproject.toml is unchanged and evaluatie is installed editable.
stamp=.venv/evaluatie-pyproject.sha256
hash=$(.venv/bin/python -c 'import hashlib; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')
if [ "$(cat "$stamp" 2>/dev/null)" = "$hash" ] && .venv/bin/python -c '
import json, importlib.metadata as m
url = json.loads(m.distribution("evaluatie").read_text("direct_url.json") or "{}")
raise SystemExit(not url.get("dir_info", {}).get("editable"))' 2>/dev/null; then
  step "evaluatie is installed from src/ (editable); pyproject.toml unchanged"
else
  step "installing evaluatie from src/ (editable, no dependencies)"
  pip install --quiet --no-deps -e .
  echo "$hash" > "$stamp"
fi

# The kernel JupyterLab offers for the notebooks (their metadata names "evaluatie"). It lives in
# .venv, so another clone's setup cannot re-point it.
step "registering the Jupyter kernel 'evaluatie'"
.venv/bin/python -m ipykernel install --sys-prefix --name evaluatie --display-name "Python (evaluatie)" | sed 's/^/    /'
# The accessibility audit of the reports (tests/test_accessibility.py): axe-core and puppeteer-core
# (node >= 18) from npm (scripts/axe/package-lock.json) driving Debian's Chromium. `evaluatie run
# --pdf` (WeasyPrint) needs the Pango library, which Debian's python images carry (libpango-1.0-0). Chromium comes from apt when this
# runs as root (CI, a fresh machine); elsewhere install it yourself (`apt-get install chromium`) or
# set CHROMIUM to a Chromium or Chrome binary. Without node/npm or a browser the audit cannot run,
# and its test says so.
if command -v npm >/dev/null 2>&1; then
  if [ ! -d scripts/axe/node_modules ] || [ scripts/axe/package-lock.json -nt scripts/axe/node_modules ]; then
    step "installing the accessibility audit (axe-core, puppeteer-core) with npm ci"
    if (cd scripts/axe && npm ci --silent --no-audit --no-fund); then
      touch scripts/axe/node_modules
    else
      echo "    npm ci failed: the accessibility audit (tests/test_accessibility.py) cannot run" >&2
    fi
  fi
else
  echo "    npm not found: the accessibility audit (tests/test_accessibility.py) cannot run"
fi
if [ -z "${CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    step "installing Debian's chromium for the accessibility audit (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    (apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }) \
      || echo "    chromium could not be installed: the accessibility audit cannot run" >&2
  else
    echo "    chromium not found: install it (apt-get install chromium) or set CHROMIUM for the accessibility audit"
  fi
fi
echo "evaluatie is set up in .venv (${SECONDS} s)."
