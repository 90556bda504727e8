#!/usr/bin/env bash
# Schemathesis (PyPI, pinned) against the mock: for each OCP version given (4.3.4 when none), it
# starts `ocp-mock serve` on a free port of 127.0.0.1, reads the document the mock serves at
# /__mock/openapi.json, and fuzzes every operation with the mock's default Basic identity.
# Every check runs: no 5xx, status codes, content types, headers and bodies as documented,
# requests the document allows accepted and requests it forbids refused. It exits non-zero on
# any failure. scripts/schemathesis.toml holds the one rule the document cannot state.
#
#   scripts/schemathesis.sh [VERSION...]
#
# OCP_MOCK_BIN       the binary (default: target/debug/ocp-mock, as `cargo build` leaves it)
# OCP_MOCK_PYENV     the virtual environment Schemathesis is installed in
#                    (default: $CARGO_TARGET_DIR/python, or target/python)
# SCHEMATHESIS_MAX_EXAMPLES  cases per operation and phase (default 5: about a minute a version
#                    on two cores)
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
target_dir=${CARGO_TARGET_DIR:-target}
bin=${OCP_MOCK_BIN:-$target_dir/debug/ocp-mock}
pyenv=${OCP_MOCK_PYENV:-$target_dir/python}
max_examples=${SCHEMATHESIS_MAX_EXAMPLES:-5}
versions=("$@")
if [ ${#versions[@]} -eq 0 ]; then
  versions=(4.3.4)
fi

if [ ! -x "$bin" ]; then
  echo "schemathesis.sh: no binary at $bin (run cargo build, or set OCP_MOCK_BIN)" >&2
  exit 2
fi

# Schemathesis in a virtual environment of its own, installed once per version pin.
if [ ! -x "$pyenv/bin/python" ]; then
  python3 -m venv "$pyenv"
fi
if [ "$("$pyenv/bin/python" -m pip show schemathesis 2>/dev/null | sed -n 's/^Version: //p')" \
     != "$SCHEMATHESIS_VERSION" ]; then
  "$pyenv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "schemathesis==$SCHEMATHESIS_VERSION"
fi

work=$(mktemp -d)
mock_pid=
stop_mock() {
  # Only the mock this script started, by its id.
  if [ -n "$mock_pid" ] && kill -0 "$mock_pid" 2>/dev/null; then
    kill "$mock_pid"
    wait "$mock_pid" 2>/dev/null || true
  fi
  mock_pid=
}
trap 'stop_mock; rm -rf "$work"' EXIT

status=0
for version in "${versions[@]}"; do
  rm -f "$work/port"
  "$bin" serve --addr 127.0.0.1:0 --port-file "$work/port" --ocp-version "$version" --quiet \
    >/dev/null 2>"$work/mock.log" &
  mock_pid=$!
  for _ in $(seq 100); do
    [ -s "$work/port" ] && break
    kill -0 "$mock_pid" 2>/dev/null || { cat "$work/mock.log" >&2; exit 1; }
    sleep 0.1
  done
  if [ ! -s "$work/port" ]; then
    echo "schemathesis.sh: the mock did not announce its port" >&2
    exit 1
  fi
  base=http://127.0.0.1:$(cat "$work/port")
  echo "== OCP $version: Schemathesis $SCHEMATHESIS_VERSION against $base"
  # Bounded: a fixed seed, a few cases per operation, and a time limit on the whole run.
  if ! timeout 900 "$pyenv/bin/schemathesis" --config-file scripts/schemathesis.toml run "$base/__mock/openapi.json" \
       --url "$base" --auth admin:aaAA11__ \
       --checks all --max-examples "$max_examples" --seed 20240601 \
       --request-timeout 30 --no-color --output-truncate true; then
    status=1
  fi
  stop_mock
done
exit $status
