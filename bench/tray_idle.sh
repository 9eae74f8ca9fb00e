#!/usr/bin/env bash
# What an idle tray app costs all day: wake-ups per second and resident memory.
#
# Starts its own X desktop (Xvfb, a D-Bus session bus, the trayer tray host), one
# `traybeat serve`, and then each given traybeat binary as a tray app with one subscription
# (default heartbeat: ping every 25 s) — side by side, so the binaries share the same machine
# load. After a settling time it counts, over the measuring window, the context switches of
# every thread of each app (voluntary + involuntary, from /proc/PID/task/*/status): each one
# is a time the process woke up or was woken. Prints one markdown table row per binary.
# The settling time (default 45 s) lets start-up finish: about 30 s and 40 s after the tray icon
# is first drawn, Qt's pixmap cache trims itself once or twice and the raster engine's helper
# threads end; an app idling all day pays that once (--settle 15 counts it in the window).
#
# usage: bench/tray_idle.sh [--seconds N] [--settle N] TRAYBEAT [TRAYBEAT...]
#   e.g. bench/tray_idle.sh --seconds 120 build/app/traybeat /tmp/old/traybeat
# Needs: Xvfb (xvfb), dbus-launch (dbus-x11), trayer, xdpyinfo (x11-utils).
set -u
seconds=120 settle=45
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --settle) settle=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "tray_idle: give at least one traybeat binary (see --help)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/traybeat-idle.XXXXXX")
pids=()
cleanup() {
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset 3>"$work/display" \
  >"$work/xvfb.log" 2>&1 & pids+=($!)
for _ in $(seq 50); do [ -s "$work/display" ] && break; sleep 0.1; done
export DISPLAY=":$(cat "$work/display")"
eval "$(dbus-launch --sh-syntax)"; pids+=("$DBUS_SESSION_BUS_PID")
trayer --edge top --align right --widthtype request --height 32 >"$work/trayer.log" 2>&1 & pids+=($!)

port=$((20000 + RANDOM % 20000))
"$1" serve --listen "127.0.0.1:$port" --db "$work/server.db" >"$work/serve.log" 2>&1 & pids+=($!)

# switches PID: one line per live thread, "TID NAME COUNT" (context switches so far).
switches() {
  local task
  for task in /proc/"$1"/task/*; do
    awk -v tid="${task##*/}" '/^Name:/ { name = $2 }
      /^(voluntary|nonvoluntary)_ctxt_switches/ { sum += $2 }
      END { print tid, name, sum + 0 }' "$task/status" 2>/dev/null
  done
}
# wakeups BEFORE AFTER: switches between the two samples, over the threads alive at the end (a
# thread born in between counts from zero; one that ended is not counted).
wakeups() {
  awk 'NR == FNR { start[$1] = $3; next } { total += $3 - start[$1] } END { print total + 0 }' \
    "$1" "$2"
}
rss_mib() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' /proc/"$1"/status; }

apps=()
for binary in "$@"; do
  home="$work/app${#apps[@]}"
  mkdir -p "$home/config/traybeat"
  cat >"$home/config/traybeat/traybeat.conf" <<CONF
[subscriptions]
size=1
1\\name=idle
1\\server=http://127.0.0.1:$port
1\\protocol=ntfy
1\\topics=idle
CONF
  XDG_CONFIG_HOME="$home/config" "$binary" --state-dir "$home/state" >"$home/app.log" 2>&1 &
  pids+=($!); apps+=($!)
done

sleep "$settle"
for pid in "${apps[@]}"; do switches "$pid" >"$work/before.$pid"; done
sleep "$seconds"

echo "| binary | wake-ups/s (idle, connected, ${seconds} s) | RSS MiB |"
echo "|---|---|---|"
i=0
for pid in "${apps[@]}"; do
  binary=${*:$((i + 1)):1}
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "| $binary | exited early (see its log) | - |"
  else
    switches "$pid" >"$work/after.$pid"
    count=$(wakeups "$work/before.$pid" "$work/after.$pid")
    rate=$(awk -v n="$count" -v s="$seconds" 'BEGIN { printf "%.2f", n / s }')
    echo "| $binary | $rate | $(rss_mib "$pid") |"
    [ -n "${TRAYBEAT_IDLE_THREADS:-}" ] && awk 'NR == FNR { start[$1] = $3; next }
      { printf "    thread %s (%s): %d\n", $1, $2, $3 - start[$1] }' \
      "$work/before.$pid" "$work/after.$pid" >&2
  fi
  i=$((i + 1))
done
