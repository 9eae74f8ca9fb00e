#!/usr/bin/env bash
# Publish → receive through `traybeat serve` on SQLite (one instance), on PostgreSQL (one
# instance) and on PostgreSQL with two instances behind HAProxy: bench_end_to_end's table for
# each (messages/s, lost, doubled, p50/p99/max latency), then the CPU seconds the servers,
# PostgreSQL and HAProxy used during it. Starts its own PostgreSQL cluster (default settings:
# fsync on) and HAProxy in a temporary folder, as root or as a normal user.
#   bench/several_instances.sh [BUILD_DIR] [bench_end_to_end arguments...]
# HAProxy does not pipeline to the servers: it needs many client connections (the default).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
bench_args=("$@")
[ ${#bench_args[@]} -eq 0 ] && bench_args=(--messages 10000 --connections 64 --in-flight 2)
binary=$PWD/$build/app/traybeat
bench=$PWD/$build/bench/bench_end_to_end
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

work=$(mktemp -d)
pids=()
cleanup() {
  # start_serve and start_haproxy run in $(…): their PIDs come back through files
  for pid in "${pids[@]}" $(cat "$work"/*.pid 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
  as_postgres "$pg_bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres "$work"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

pg_port=$(free_port)
as_postgres "$pg_bin/initdb" -D "$work/data" -U postgres --auth=trust --no-instructions >/dev/null
as_postgres "$pg_bin/pg_ctl" -D "$work/data" -l "$work/pg.log" -w \
  -o "-c port=$pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work" start >/dev/null
for db in one two; do
  as_postgres "$pg_bin/psql" -h "$work" -p "$pg_port" -U postgres -qc "CREATE DATABASE $db"
done

# cpu_seconds PID...: user + system CPU seconds of these processes and their children
cpu_seconds() {
  python3 - "$@" <<'PY'
import os, sys
tick = os.sysconf('SC_CLK_TCK')
parent, ticks = {}, {}
for d in filter(str.isdigit, os.listdir('/proc')):
    try:
        rest = open(f'/proc/{d}/stat').read().rsplit(')', 1)[1].split()
    except OSError:
        continue
    parent[int(d)], ticks[int(d)] = int(rest[1]), int(rest[11]) + int(rest[12])
todo, seen = [int(p) for p in sys.argv[1:]], set()
while todo:
    pid = todo.pop()
    if pid not in seen:
        seen.add(pid)
        todo += [child for child, pp in parent.items() if pp == pid]
print(f'{sum(ticks.get(p, 0) for p in seen) / tick:.2f}')
PY
}
# run_bench PORT LABEL=PIDS...: bench_end_to_end against PORT, then CPU seconds per label
run_bench() {
  local port=$1 entry before=() i=0
  shift
  for entry in "$@"; do before+=("$(cpu_seconds ${entry#*=})"); done
  "$bench" --port "$port" "${bench_args[@]}"
  printf 'CPU seconds during the run:'
  for entry in "$@"; do
    awk -v label="${entry%%=*}" -v after="$(cpu_seconds ${entry#*=})" -v before="${before[i]}" \
      'BEGIN { printf " %s %.2f", label, after - before }'
    i=$((i + 1))
  done
  echo
}

# start_serve DB: prints the port of a new serve instance on DB (its PID goes to $work/PORT.pid).
# Behind HAProxy every connection comes from 127.0.0.1, hence the per-address cap.
start_serve() {
  local log=$work/serve.$RANDOM port
  "$binary" serve --listen=127.0.0.1:0 --max-connections-per-address 10000 --db "$1" >"$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    grep -q 'listening on' "$log" 2>/dev/null && break
    sleep 0.1
  done
  port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log")
  echo "${pids[-1]}" >"$work/$port.pid"
  echo "$port"
}

echo "## SQLite, one instance"
"$bench" "${bench_args[@]}"

postmaster=$(head -1 "$work/data/postmaster.pid")
echo "## PostgreSQL, one instance"
one=$(start_serve "postgresql://postgres@127.0.0.1:$pg_port/one")
run_bench "$one" serve="$(cat "$work/$one.pid")" postgres="$postmaster"

# start_haproxy PORT...: prints the port of a new HAProxy in front of the serve instances
start_haproxy() {
  local port config=$work/haproxy.$RANDOM.cfg
  port=$(free_port)
  cat >"$config" <<CFG
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout tunnel 1h
    retries 3
    option redispatch 1
frontend push
    bind 127.0.0.1:$port
    default_backend serve
backend serve
    balance roundrobin
    option httpchk GET /v1/health
CFG
  for backend in "$@"; do echo "    server s$backend 127.0.0.1:$backend check" >>"$config"; done
  haproxy -db -f "$config" >"$config.log" 2>&1 &
  pids+=($!)
  echo "${pids[-1]}" >"$work/$port.pid"
  sleep 1
  echo "$port"
}

echo "## PostgreSQL, one instance behind HAProxy"
proxy=$(start_haproxy "$one")
run_bench "$proxy" serve="$(cat "$work/$one.pid")" postgres="$postmaster" \
  haproxy="$(cat "$work/$proxy.pid")"

echo "## PostgreSQL, two instances behind HAProxy"
a=$(start_serve "postgresql://postgres@127.0.0.1:$pg_port/two")
b=$(start_serve "postgresql://postgres@127.0.0.1:$pg_port/two")
proxy=$(start_haproxy "$a" "$b")
run_bench "$proxy" serve="$(cat "$work/$a.pid") $(cat "$work/$b.pid")" postgres="$postmaster" \
  haproxy="$(cat "$work/$proxy.pid")"
