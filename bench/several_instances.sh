#!/usr/bin/env bash
# Publish → receive through `traybeat serve` on SQLite (one instance), on PostgreSQL (one
# instance) and on PostgreSQL with two instances behind HAProxy: bench_end_to_end's table for
# each (messages/s, lost, doubled, p50/p99/max latency). Starts its own PostgreSQL cluster
# (default settings: fsync on) and HAProxy in a temporary folder, as root or as a normal user.
#   bench/several_instances.sh [BUILD_DIR] [bench_end_to_end arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
bench_args=("$@")
[ ${#bench_args[@]} -eq 0 ] && bench_args=(--messages 20000 --connections 8 --in-flight 16)
binary=$PWD/$build/app/traybeat
bench=$PWD/$build/bench/bench_end_to_end
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
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

# start_serve DB: prints the port of a new serve instance on DB
start_serve() {
  local log=$work/serve.$RANDOM
  "$binary" serve --listen=127.0.0.1:0 --db "$1" >"$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    grep -q 'listening on' "$log" 2>/dev/null && break
    sleep 0.1
  done
  sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log"
}

echo "## SQLite, one instance"
"$bench" "${bench_args[@]}"

echo "## PostgreSQL, one instance"
one=$(start_serve "postgresql://postgres@127.0.0.1:$pg_port/one")
"$bench" --port "$one" "${bench_args[@]}"

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
  sleep 1
  echo "$port"
}

echo "## PostgreSQL, one instance behind HAProxy"
"$bench" --port "$(start_haproxy "$one")" "${bench_args[@]}"

echo "## PostgreSQL, two instances behind HAProxy"
a=$(start_serve "postgresql://postgres@127.0.0.1:$pg_port/two")
b=$(start_serve "postgresql://postgres@127.0.0.1:$pg_port/two")
"$bench" --port "$(start_haproxy "$a" "$b")" "${bench_args[@]}"
