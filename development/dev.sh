#!/usr/bin/env bash
# One entry point for a fresh machine: makes the repo's virtualenv (.venv) with the app and its
# development tools when it is missing or pyproject.toml changed, then runs an invoke task in it.
#   development/dev.sh start      # Nautobot + the app + worker + stand-in Meraki Dashboard
#   development/dev.sh tests      # the test suite
#   development/dev.sh --list     # every task
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"
STAMP="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"

if [ ! -x "$VENV/bin/python" ]; then
  echo "Creating the virtualenv $VENV ..."
  "$PYTHON" -m venv "$VENV"
fi
if [ ! -f "$STAMP" ]; then
  echo "Installing the app and its development tools into $VENV (about a minute the first time) ..."
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  # setuptools always adds an informational "Editable installation ... may take precedence during imports" warning
  # to editable builds (every editable mode has one); it is not a problem of this project, so it is filtered.
  PYTHONWARNINGS="ignore:Editable installation" "$VENV/bin/python" -m pip install --quiet -e ".[dev]"
  rm -f "$VENV"/.installed-*
  touch "$STAMP"
fi
exec "$VENV/bin/invoke" "$@"
