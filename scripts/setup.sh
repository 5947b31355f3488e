#!/usr/bin/env bash
# Create the virtual environment, install the pinned dependencies and the package.
# Usage: scripts/setup.sh VENV_DIR
set -euo pipefail
venv=${1:-.venv}

ok_version() {
  "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] in ((3, 11), (3, 12)) else 1)' 2>/dev/null
}

pick_python() {
  local candidate
  if [ -n "${PYTHON:-}" ]; then
    if ok_version "$PYTHON"; then echo "$PYTHON"; return 0; fi
    echo "error: PYTHON=$PYTHON is not Python 3.11 or 3.12 (durable-rules 2.0.28 does not build on 3.13)." >&2
    return 2
  fi
  for candidate in python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    if ok_version "$candidate"; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

if ! py=$(pick_python); then
  [ -n "${PYTHON:-}" ] && exit 1
  echo "error: appraisal needs Python 3.11 or 3.12 (durable-rules 2.0.28 does not build on 3.13)." >&2
  echo "       Install one of them, or name it with PYTHON=/path/to/python3.12 make ..." >&2
  exit 1
fi
if ! command -v "${CC:-cc}" >/dev/null 2>&1 && ! command -v gcc >/dev/null 2>&1; then
  echo "error: no C compiler found: durable-rules 2.0.28 is source-only and compiles C. Install gcc (Debian: build-essential)." >&2
  exit 1
fi
if ! "$py" -c 'import sysconfig, os, sys; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")) else 1)'; then
  echo "error: the Python headers (Python.h) are missing: durable-rules compiles against them. Install python3-dev." >&2
  exit 1
fi

bash "$(dirname "$0")/system-packages.sh" || exit 1

if [ ! -x "$venv/bin/python" ]; then
  "$py" -m venv "$venv"
fi
export PIP_CONSTRAINT="$PWD/constraints.txt"
export PIP_DISABLE_PIP_VERSION_CHECK=1
"$venv/bin/python" -m pip install --quiet --upgrade "pip>=24"
if ! "$venv/bin/python" -m pip install --quiet -e '.[dev]' > "$venv/install.log" 2>&1; then
  if grep -q durable.rules "$venv/install.log" && grep -qiE 'error: command|gcc|Python.h' "$venv/install.log"; then
    echo "error: durable-rules failed to compile (it needs gcc and the Python headers); the full log is $venv/install.log" >&2
  else
    echo "error: installing the dependencies failed; the full log is $venv/install.log:" >&2
    tail -20 "$venv/install.log" >&2
  fi
  exit 1
fi
echo "set-up done: $venv ($("$venv/bin/python" --version))"
