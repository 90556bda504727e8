#!/usr/bin/env bash
# Instructions per request, counted by valgrind's callgrind: for one build and one list of
# requests the count is the same whatever else the machine is doing, so two builds compare
# within a fraction of a percent where wall-clock rates on a shared 2-core machine move by 10%.
#
#   bash benches/instructions.sh [N]      N requests of each kind (default 5000)
#
# Builds the release binary (or measures OCP_MOCK_BIN when set), installs valgrind (Debian) when
# missing, and for each request kind starts the mock under callgrind on 127.0.0.1 with the load
# benchmark's inventory (1000 OBProxy servers, `--task-pace time:0 --respawn-deleted`), sends N
# requests on one keep-alive connection with Basic authentication, stops the mock by its PID and
# prints, per request: the mock's own work (`App::handle_until_written`, from the credentials to
# the written envelope), handing the answer to hyper, and the connection's whole user-space work
# (hyper's dispatcher, which includes both).
set -euo pipefail
bin="${OCP_MOCK_BIN:-}"
if [ -n "$bin" ]; then bin="$(realpath "$bin")"; fi
cd "$(dirname "$0")/.."
n="${1:-5000}"
case "$n" in
  [1-9] | [1-9]*[0-9]) case "$n" in *[!0-9]*) n="" ;; esac ;;
  *) n="" ;;
esac
if [ -z "$n" ]; then
  echo "usage: bash benches/instructions.sh [N]   (N: a whole number of requests, at least 1)" >&2
  exit 2
fi
if ! command -v valgrind >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends valgrind
fi
if [ -z "$bin" ]; then
  cargo build --release --quiet --bin ocp-mock
  bin="${CARGO_TARGET_DIR:-target}/release/ocp-mock"
fi
dir="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

python3 - "$dir/inventory.json" <<'EOF'
import json, sys
n = 1000
hosts = [{"id": i, "ip": f"192.0.2.{i % 250 + 1}", "name": f"h{i}"} for i in range(1, n + 1)]
servers = [{"id": i, "clusterId": 1, "hostId": i, "sqlPort": 2883, "exporterPort": 2884,
            "version": "4.2.1.0", "status": "RUNNING", "operateStatus": "NORMAL"}
           for i in range(1, n + 1)]
cluster = {"id": 1, "name": "test", "address": "192.0.2.1", "port": 2883, "workMode": "RS_LIST"}
json.dump({"clusters": [cluster], "hosts": hosts, "obproxies": servers}, open(sys.argv[1], "w"))
EOF

# Sends N requests of one kind on one connection; fails on any answer but a 200.
cat > "$dir/client.py" <<'EOF'
import http.client, sys
port, n, kind = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
auth = {"Authorization": "Basic YWRtaW46YWFBQTExX18="}
for i in range(n):
    if kind == "delete":
        conn.request("DELETE", f"/api/v2/obproxy/clusters/1/obproxies/{i % 1000 + 1}", headers=auth)
    else:
        conn.request("GET", "/api/v2/compute/hostTypes", headers=auth)
    answer = conn.getresponse()
    answer.read()
    if answer.status != 200:
        sys.exit(f"{kind} {i}: status {answer.status}")
EOF

# Inclusive instructions of the first function matching $2 in callgrind's output $1, per request;
# fails, naming the function, when the output has none.
per_request() {
  local ir
  ir=$(callgrind_annotate --inclusive=yes "$1" | grep -E -m1 "$2" |
    awk '{ gsub(",", "", $1); print $1 }') || true
  if [ -z "$ir" ]; then
    echo "no $2 in callgrind's output: was the binary built with its symbols?" >&2
    return 1
  fi
  echo $(((ir + n / 2) / n))
}

echo "instructions per request (callgrind; $n requests of each kind, one keep-alive connection)"
echo
echo "| request | mock's own work | handing the answer to hyper | connection, user space |"
echo "|---|---|---|---|"
for kind in delete get; do
  out="$dir/callgrind.$kind"
  valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" serve --addr 127.0.0.1:0 \
    --quiet --task-pace time:0 --respawn-deleted --inventory "$dir/inventory.json" \
    --worker-threads 1 >/dev/null 2>"$dir/serve.err" &
  pid=$!
  port=""
  for _ in $(seq 300); do
    port=$(grep -o -m1 'http://127.0.0.1:[0-9]*' "$dir/serve.err" 2>/dev/null | sed 's/.*://' || true)
    [ -n "$port" ] && break
    sleep 0.1
  done
  if [ -z "$port" ]; then
    echo "the mock did not start under valgrind:" >&2
    cat "$dir/serve.err" >&2
    exit 1
  fi
  python3 "$dir/client.py" "$port" "$n" "$kind"
  kill -INT "$pid"
  wait "$pid" || true
  pid=""
  own=$(per_request "$out" 'App::handle_until_written') || exit 1
  handing=$(per_request "$out" 'mock::http::into_hyper') || exit 1
  connection=$(per_request "$out" 'Dispatcher<.*>::poll_catch') || exit 1
  case "$kind" in
    delete) name="documented DELETE, a real task" ;;
    *) name="GET /api/v2/compute/hostTypes (replayed sample)" ;;
  esac
  echo "| $name | $own | $handing | $connection |"
done
