#!/usr/bin/env bash
# Set up evaluatie in a local virtual environment (.venv) and register its Jupyter kernel.
# Idempotent: running it again only installs what changed. Needs Python >= 3.11.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
"$PY" - <<'PYCHECK'
import sys
if sys.version_info < (3, 11):
    sys.exit(f"evaluatie needs Python >= 3.11, found {sys.version.split()[0]}")
PYCHECK
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
# The kernel JupyterLab offers for the notebooks (their metadata names "evaluatie").
.venv/bin/python -m ipykernel install --user --name evaluatie --display-name "Python (evaluatie)" >/dev/null
echo "evaluatie is set up in .venv (kernel 'evaluatie' registered)."
