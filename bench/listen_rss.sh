#!/usr/bin/env bash
# What a headless client costs while idle: resident memory (VmRSS) and wake-ups per second.
#
# Starts one `traybeat serve`, then `traybeat listen` on one topic and, beside it, the peer the
# issue names: a Node client on reconnecting-websocket 4.4.0 + ws (bench/peer; installed here
# with `npm ci` when node and npm are present). Both connect to the same server over loopback
# and idle; after the settling time it reads /proc for each over the measuring window. Prints
# one markdown table.
#
# usage: bench/listen_rss.sh [--seconds N] [--settle N] [TRAYBEAT]   (default build/app/traybeat)
set -u
seconds=30 settle=5
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --settle) settle=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
traybeat=${1:-build/app/traybeat}
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$traybeat" ] || { echo "listen_rss: no traybeat at $traybeat (build first)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/traybeat-rss.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

port=$((20000 + RANDOM % 20000))
"$traybeat" serve --listen "127.0.0.1:$port" --db "$work/server.db" >"$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q listening "$work/serve.log" && break; sleep 0.1; done

"$traybeat" listen --server "http://127.0.0.1:$port" --topic idle --state-dir "$work/state" \
  >"$work/listen.out" 2>&1 &
listen_pid=$!; pids+=($listen_pid)
peer_pid=
if command -v node >/dev/null && command -v npm >/dev/null; then
  (cd "$here/peer" && npm ci --no-audit --no-fund --silent) >"$work/npm.log" 2>&1 ||
    echo "listen_rss: npm ci failed, no peer (see $work/npm.log)" >&2
  if [ -d "$here/peer/node_modules/reconnecting-websocket" ]; then
    node "$here/peer/client.js" "ws://127.0.0.1:$port/idle/ws" >"$work/peer.out" 2>&1 &
    peer_pid=$!; pids+=($peer_pid)
  fi
fi
sleep "$settle"

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
switches() { cat /proc/"$1"/task/*/status | awk '/_ctxt_switches/ { s += $2 } END { print s }'; }
declare -A before
for pid in $listen_pid $peer_pid; do before[$pid]=$(switches "$pid"); done
sleep "$seconds"

row() { # NAME PID
  local after; after=$(switches "$2")
  awk -v name="$1" -v rss="$(rss_kb "$2")" -v d="$((after - before[$2]))" -v s="$seconds" \
    'BEGIN { printf "| %s | %.1f | %.2f |\n", name, rss / 1024, d / s }'
}
echo "| client (idle, connected, ${seconds} s) | RSS MB | wake-ups/s |"
echo "|---|---:|---:|"
row "traybeat listen (persisting)" "$listen_pid"
[ -n "$peer_pid" ] && row "reconnecting-websocket 4.4.0 + ws (Node $(node --version))" "$peer_pid"
exit 0
