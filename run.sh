#!/usr/bin/env bash
# One entry point for people and CI.
#   ./run.sh walkthrough   set up, then open notebooks/walkthrough.ipynb in JupyterLab
#   ./run.sh test          set up, then run the whole test suite (what .ci/run runs)
# Set-up is idempotent: a venv in .venv, the package with its test extras, and
# (as root, when missing) Debian's chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

log() { printf '\n== %s\n' "$*"; }

setup_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV with $($PYTHON --version)"
    "$PYTHON" -m venv "$VENV"
  fi
  log "installing wsecho-widget with its test, browser and dev extras"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[test,browser,dev]"
}

setup_chromium() {
  if [ -x /usr/bin/chromium ]; then
    return
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing Debian's chromium for the browser tests"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
  else
    echo "chromium is missing and I cannot apt-get it: the browser tests will skip (and fail under CI=true)" >&2
  fi
}

case "${1:-}" in
  walkthrough)
    setup_venv
    port=${PORT:-8888}
    log "opening the walkthrough in JupyterLab on http://127.0.0.1:$port (Ctrl-C stops it)"
    browser_flag=()
    if [ -z "${DISPLAY:-}" ] && [ "$(uname)" = Linux ]; then
      browser_flag=(--no-browser)
      echo "no screen here: open the URL that JupyterLab prints below (with its token) in a browser"
    fi
    exec "$VENV/bin/python" -m jupyter lab "${browser_flag[@]}" --ip=127.0.0.1 --port="$port" \
      --ServerApp.root_dir="$PWD" --allow-root notebooks/walkthrough.ipynb
    ;;
  test)
    shift
    setup_venv
    setup_chromium
    log "ruff"
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    log "mypy --strict"
    "$VENV/bin/mypy" wsecho_widget
    log "pytest"
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  *)
    echo "usage: ./run.sh walkthrough | ./run.sh test [pytest args]" >&2
    exit 2
    ;;
esac
