#!/usr/bin/env bash
# One entry point for people and CI.
#   ./run.sh walkthrough   set up, then open notebooks/walkthrough.ipynb in JupyterLab
#   ./run.sh test          set up, then run the whole suite the way CI does:
#                          lint + types, the docs (mkdocs build --strict), build the wheel,
#                          then the tests on Python 3.11, 3.12 and 3.13, each in its own venv
#                          installed from the built wheel (the browser tests once, on the first),
#                          the runs side by side (WSECHO_JOBS=1: one after another)
#   ./run.sh check [args]  quick loop for developers: lint + pytest [args] on the source tree;
#                          with no test paths in [args], the fast tests only, on both cores
#   ./run.sh docs          build the docs site into site/ (mkdocs build --strict)
# Set-up is idempotent: .venv for development, .venvs/ for the matrix, and (as root, when
# missing) Debian's chromium for the browser tests. Environments are made with uv when it is on
# PATH or can be installed with pip (it is on PyPI), else with venv + pip; WSECHO_INSTALLER=pip
# forces pip, WSECHO_INSTALLER=uv fails when uv cannot be had.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
PYTHONS=${PYTHONS:-"3.11 3.12 3.13"}
INSTALLER=${WSECHO_INSTALLER:-auto}
PIP_QUIET=(--quiet --disable-pip-version-check)
export NO_MKDOCS_2_WARNING=1  # Material's banner about MkDocs 2, printed on every build
# Python keeps compiled modules in __pycache__ (gitignored), pytest its assertion-rewritten test
# modules beside them. With PYTHONDONTWRITEBYTECODE set (some sandboxes set it) every process of a
# run compiles its ~2,000 modules again: `check`'s two workers, each kernel and each child pytest.
unset PYTHONDONTWRITEBYTECODE

log() { printf '\n== %s\n' "$*"; }

# pip install into the venv of interpreter $1, without the registry mirror's noise.
pip_install() {
  local python=$1
  shift
  "$python" -m pip install "${PIP_QUIET[@]}" "$@" 2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
}

# A uv that runs: on PATH, in the user site, or in .venvs/uv from an earlier bootstrap.
find_uv() {
  local user_bin candidate
  user_bin=$("$PYTHON" -m site --user-base 2>/dev/null || true)/bin/uv
  for candidate in "$(command -v uv || true)" "$user_bin" "$PWD/.venvs/uv/bin/uv"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" --version >/dev/null 2>&1; then
      echo "$candidate"
      return
    fi
  done
}

# UV is uv's path, or empty for pip. uv makes the five environments of `test` several times
# faster than pip; pip stays the fallback when uv cannot be had.
setup_installer() {
  [ -z "${INSTALLER_READY:-}" ] || return 0
  INSTALLER_READY=1
  UV=
  case "$INSTALLER" in
    pip) log "installer: pip (WSECHO_INSTALLER=pip)"; return ;;
    auto | uv) ;;
    *) echo "WSECHO_INSTALLER must be auto, uv or pip, not '$INSTALLER'" >&2; exit 2 ;;
  esac
  UV=$(find_uv)
  if [ -z "$UV" ]; then
    log "installing uv with pip (user site, else .venvs/uv)"
    # --user fails inside a virtualenv or on an externally managed Python: then a venv of its own.
    pip_install "$PYTHON" --user uv 2>/dev/null \
      || { "$PYTHON" -m venv .venvs/uv && pip_install .venvs/uv/bin/python uv; } \
      || echo "could not install uv: falling back to pip" >&2
    UV=$(find_uv)
  fi
  if [ -z "$UV" ] && [ "$INSTALLER" = uv ]; then
    echo "WSECHO_INSTALLER=uv but uv could not be found or installed" >&2
    exit 1
  fi
  if [ -n "$UV" ]; then
    log "installer: $("$UV" --version) ($UV)"
  else
    log "installer: pip"
  fi
}

# A venv at $1 for interpreter $2, unless one is there; $3=seed puts pip in it with uv too
# (for people who type .venv/bin/pip; run.sh itself never needs it there).
make_venv() {
  local dir=$1 interpreter=$2 seed=()
  [ -x "$dir/bin/python" ] && return
  [ "${3:-}" = seed ] && seed=(--seed)
  if [ -n "$UV" ]; then
    "$UV" venv --quiet "${seed[@]}" --python "$interpreter" "$dir"
  else
    "$interpreter" -m venv "$dir"
    pip_install "$dir/bin/python" --upgrade pip
  fi
}

# Install into the venv of interpreter $1.
install() {
  local python=$1
  shift
  if [ -n "$UV" ]; then
    "$UV" pip install --quiet --python "$python" "$@"
  else
    pip_install "$python" "$@"
  fi
}

# What the venv of interpreter $1 holds, as name==version lines.
installed() {
  if [ -n "$UV" ]; then
    "$UV" pip list --quiet --python "$1" --format=freeze
  else
    "$1" -m pip list --format=freeze
  fi
}

# The editable install is redone only when pyproject.toml changed (its checksum is kept in the
# venv): the code itself is read from the tree, and reinstalling took 4 s of every `check`.
setup_venv() {
  local stamp=$VENV/.installed-from want
  setup_installer
  want=$(cksum < pyproject.toml)
  if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV with $($PYTHON --version)"
    make_venv "$VENV" "$PYTHON" seed
  fi
  log "installing wsecho-widget (editable) with its test, browser, dev and docs extras into $VENV"
  install "$VENV/bin/python" -e ".[test,browser,dev,docs]"
  echo "$want" > "$stamp"
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

lint() {
  log "ruff check, ruff format --check"
  "$VENV/bin/ruff" check .
  "$VENV/bin/ruff" format --check .
  log "mypy --strict"
  "$VENV/bin/mypy" wsecho_widget
  log "lint-imports: the layer contracts of pyproject.toml"
  "$VENV/bin/lint-imports" --no-cache | sed -n '/^Contracts/,$p'
}

# The page's code (wsecho_widget/ui/js): its JSDoc types checked by tsc, its unit tests run by
# Node's own runner on jsdom. `npm ci` installs the pinned tools of tests/ui/js/package-lock.json
# into tests/ui/js/node_modules, again only when the lock changes.
node_tests() {
  local dir=tests/ui/js out status=0
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "node and npm are missing: the page's unit tests are skipped" >&2
    [ -z "${CI:-}" ] || exit 1
    return
  fi
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    log "npm ci: the page tests' tools (jsdom, axe-core, typescript)"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  fi
  log "tsc: the page code's JSDoc types (// @ts-check)"
  "$dir/node_modules/.bin/tsc" -p "$dir/tsconfig.json"
  log "node --test: the page code's unit tests (jsdom)"
  out=$(cd "$dir" && node --test 2>&1) || status=$?
  [ "$status" = 0 ] || printf '%s\n' "$out" | grep -vE '^ *(duration_ms|\.\.\.|---)' >&2
  # Node's runner closes with its counts: "# tests 15 / # pass 15 / # fail 0".
  printf '%s\n' "$out" | grep -E '^# (tests|pass|fail) ' | tr '\n' ' ' | sed 's/ $/\n/'
  [ "$status" = 0 ] || exit 1
}

# The docs site: a broken link, a missing anchor or a docstring that does not render fails it.
# Offline: the theme loads no web fonts (mkdocs.yml), and no plugin fetches anything.
docs() {
  log "docs: mkdocs build --strict into site/"
  "$VENV/bin/mkdocs" build --strict --site-dir site 2>&1 | { grep -v '^INFO    -  Cleaning site directory' || true; }
}

# The interpreter for a minor version ("3.12"): pyenv's build if there is one, else PATH.
find_python() {
  local minor=$1 candidate
  for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$minor".*/bin/python"$minor"; do
    [ -x "$candidate" ] && { echo "$candidate"; return; }
  done
  if candidate=$(command -v "python$minor") && "$candidate" --version >/dev/null 2>&1; then
    echo "$candidate"
  fi
}

build() {
  log "building the sdist and the wheel"
  rm -rf dist
  if [ -n "$UV" ]; then
    "$UV" build --quiet --out-dir dist .
  else
    "$VENV/bin/python" -m build --outdir dist . >/dev/null
  fi
  ls dist
  WHEEL=$(ls dist/*.whl)
  log "the wheel's files"
  "$VENV/bin/python" -m zipfile -l "$WHEEL" | awk 'NR > 1 { print "  " $1 }'
  # grep without -q reads to the end: with -q it can exit first, and under pipefail
  # the writer's broken pipe would fail the check although py.typed is there.
  "$VENV/bin/python" -m zipfile -l "$WHEEL" | grep 'wsecho_widget/py.typed' >/dev/null \
    || { echo "the wheel has no py.typed" >&2; exit 1; }
}

# The wheel alone, no extras, in an empty venv: it imports, and brings no test tools.
check_wheel_alone() {
  local venv=.venvs/wheel-only
  log "the wheel alone in an empty venv"
  rm -rf "$venv"
  make_venv "$venv" "$PYTHON"
  install "$venv/bin/python" "$WHEEL"
  "$venv/bin/python" -I -c "import wsecho_widget, sys; print('imports', wsecho_widget.__version__, 'from', wsecho_widget.__file__)"
  local extra
  extra=$(installed "$venv/bin/python" | grep -iE '^(pytest|nbclient|playwright|jupyterlab|pillow|trustme|ruff|mypy)=' || true)
  if [ -n "$extra" ]; then
    echo "the wheel pulls in test-only packages: $extra" >&2
    exit 1
  fi
}

# Python $1's venv (.venvs/pyX.Y) from the wheel with extras $2; false when that Python is missing.
matrix_venv() {
  local minor=$1 extras=$2 interpreter venv
  interpreter=$(find_python "$minor")
  if [ -z "$interpreter" ]; then
    echo "MISSING: Python $minor was not found on this machine" | tee -a .venvs/matrix.txt
    MISSING+=("$minor")
    return 1
  fi
  venv=.venvs/py$minor
  log "Python $minor ($interpreter): venv from the wheel with [$extras]"
  make_venv "$venv" "$interpreter"
  # The version stays 0.1.0 from build to build: reinstall this wheel over the last one.
  if [ -n "$UV" ]; then
    install "$venv/bin/python" --reinstall-package wsecho-widget "$WHEEL[$extras]"
  else
    pip_install "$venv/bin/python" --force-reinstall --no-deps "$WHEEL"
    pip_install "$venv/bin/python" "$WHEEL[$extras]"
  fi
}

# One pytest run of the matrix, in the background: name $1, Python $2, niceness $3, then pytest's
# arguments. The tests (and the benchmarks they import) are copied out of the source tree so that
# `import wsecho_widget` can only find the installed wheel; the output goes to
# .venvs/work-NAME/pytest.log. At most $JOBS runs at once.
start_run() {
  local name=$1 minor=$2 niceness=$3 work
  shift 3
  work=.venvs/work-$name
  # (Counted by PID: `jobs` inside $(...) does not see this shell's jobs.)
  while [ "$(running)" -ge "$JOBS" ]; do wait -n || true; done
  rm -rf "$work"
  mkdir -p "$work"
  cp -r tests notebooks benchmarks docs pyproject.toml "$work"/
  log "$name: pytest $* ${PYTEST_ARGS[*]} (Python $minor, in the background)"
  (
    local start=$SECONDS status=0
    cd "$work"
    # Browser screenshots land in the checkout.
    WSECHO_EXPECT_INSTALLED=1 WSECHO_ARTIFACTS="$OLDPWD/test-artifacts" nice -n "$niceness" "../py$minor/bin/python" -m pytest \
      -p no:cacheprovider --durations=10 "$@" "${PYTEST_ARGS[@]}" > pytest.log 2>&1 || status=$?
    echo "$status $((SECONDS - start))" > status
  ) &
  PIDS+=($!)
  RUNS+=("$name")
}

# How many of the matrix's runs are still going.
running() {
  local pid count=0
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then count=$((count + 1)); fi
  done
  echo "$count"
}

# After every run ended: each one's output in turn, its row in .venvs/matrix.txt, the totals.
report_runs() {
  local name work status seconds summary
  for name in "${RUNS[@]}"; do
    work=.venvs/work-$name
    log "$name: pytest's output"
    cat "$work/pytest.log"
    read -r status seconds < "$work/status" || { status=1; seconds=0; }
    summary=$(grep -E '[0-9]+ (passed|failed|error).* in [0-9.]+s' "$work/pytest.log" | tail -1 | tr -d '=' | sed 's/^ *//; s/ *$//' || true)
    printf '%-12s %-60s %4ss  exit %s\n' "$name" "${summary:-no summary}" "$seconds" "$status" >> .venvs/matrix.txt
    [ "$status" = 0 ] || FAILED+=("$name")
    PASSED_TOTAL=$((PASSED_TOTAL + $(count passed "$summary")))
    FAILED_TOTAL=$((FAILED_TOTAL + $(count failed "$summary") + $(count error "$summary")))
  done
}

# "12 passed, 1 failed" -> count passed -> 12
count() { { grep -oE "[0-9]+ $1" <<< "$2" || true; } | awk '{ s += $1 } END { print s + 0 }'; }

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
    PYTEST_ARGS=("$@")
    phase() { PHASES+=("$1 $((SECONDS - phase_start))s"); phase_start=$SECONDS; }
    PHASES=()
    phase_start=$SECONDS
    setup_chromium
    setup_venv
    phase "set-up"
    lint
    node_tests
    phase "lint"
    docs
    phase "docs"
    build
    phase "build"
    mkdir -p .venvs
    : > .venvs/matrix.txt
    check_wheel_alone
    phase "wheel-alone"
    MISSING=()
    FAILED=()
    RUNS=()
    PIDS=()
    PASSED_TOTAL=0
    FAILED_TOTAL=0
    # The runs are mostly waiting (on sockets, kernels, the browser: about 40 % of a core each),
    # so they share the two cores: the browser tests as a run of their own on the first Python,
    # first and a little ahead in the queue for the CPU (their steps wait up to 30 s on a page),
    # and each Python's other tests (nice 2: more would starve them on a machine shared with
    # other work). Three at once by default: from a clean clone on a quiet 2-core machine the
    # matrix took 472 s that way and passed whole (the browser run 308 s, then the last Python);
    # on a machine loaded to 10 and more by other work the browser tests' waits timed out now and
    # then (WSECHO_JOBS=2 there). WSECHO_JOBS=N runs at most N at once (1: one after another).
    JOBS=${WSECHO_JOBS:-3}
    FOUND=()
    extras=test,browser
    for minor in $PYTHONS; do
      matrix_venv "$minor" "$extras" && FOUND+=("$minor")
      extras=test
    done
    phase "venvs"
    for minor in "${FOUND[@]}"; do
      if [ "$minor" = "${PYTHONS%% *}" ]; then
        start_run "py$minor-browser" "$minor" 0 -m browser
      fi
      start_run "py$minor" "$minor" 2 -m "not browser"
    done
    wait
    report_runs
    phase "matrix"
    log "matrix (run, pytest summary, time, exit)"
    cat .venvs/matrix.txt
    echo "installer: $([ -n "$UV" ] && echo uv || echo pip); times: ${PHASES[*]}; total ${SECONDS}s"
    # The closing line CI reads: every test run of the matrix, added up.
    echo "matrix: $PASSED_TOTAL passed, $FAILED_TOTAL failed"
    if [ ${#FAILED[@]} -gt 0 ]; then
      echo "FAILED: ${FAILED[*]}" >&2
      exit 1
    fi
    if [ ${#MISSING[@]} -gt 0 ] && [ -n "${CI:-}" ]; then
      echo "CI needs every Python of the matrix; missing: ${MISSING[*]}" >&2
      exit 1
    fi
    ;;
  docs)
    setup_venv
    docs
    echo "docs: open site/index.html"
    ;;
  check)
    shift
    setup_venv
    # With no test paths given: the fast tests (no browser, no kernel, none marked slow) on both
    # cores (pytest-xdist; a module's tests stay in one worker, with its module fixtures). Your
    # own -m or -n comes later, so it wins: `./run.sh check -m ""` runs every test there.
    # With paths (tests/x.py, tests/x.py::test_y): exactly those, in one process.
    select=(-n 2 --dist loadfile -m "not browser and not kernel and not slow")
    for arg in "$@"; do
      if [[ $arg != -* && -e ${arg%%::*} ]]; then
        select=()
        break
      fi
    done
    # Lint and the page's tests run beside pytest (one core's work, while pytest's workers mostly
    # wait on sockets); their output follows pytest's, and a failure of either fails the check.
    lint_out=$(mktemp)
    (
      lint
      node_tests
    ) > "$lint_out" 2>&1 &
    lint_pid=$!
    log "pytest on the source tree ${select[*]} $*"
    status=0
    "$VENV/bin/python" -m pytest "${select[@]}" "$@" || status=$?
    lint_status=0
    wait "$lint_pid" || lint_status=$?
    cat "$lint_out"
    rm -f "$lint_out"
    if [ "$lint_status" != 0 ]; then
      echo "lint or the page's tests failed (above)" >&2
    fi
    [ "$status" = 0 ] || exit "$status"
    exit "$lint_status"
    ;;
  *)
    echo "usage: ./run.sh walkthrough | ./run.sh test [pytest args] | ./run.sh check [pytest args] | ./run.sh docs" >&2
    exit 2
    ;;
esac
