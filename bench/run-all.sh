#!/usr/bin/env bash
# Every benchmark of issue 13, one after the other, each printing its markdown table: the burst
# into one client beside the Node peer, serve's fan-out, serve → listen end to end, the idle
# headless client beside the peer, the idle tray app (its own X desktop) and the tray under a
# burst. Run from the source folder after `scripts/dev build`; bench/RESULTS.md says what each
# table measured. The Node peer is installed by the benches themselves (npm ci in bench/peer).
#
# usage: bench/run-all.sh [BUILD-DIR]   (default build)
set -u
cd "$(dirname "$0")/.."
build=${1:-build}
traybeat=$build/app/traybeat
status=0
section() { printf '\n## %s\n\n' "$1"; }

section "10,000 frames over one WebSocket: listen (persisting) beside the Node peer"
"$build/bench/bench_listen_burst" --messages 10000 --rounds 5 || status=1
section "serve fan-out: 1,000 subscribers × 1,000 publishes"
"$build/bench/bench_fanout" --subscribers 1000 --messages 1000 --rounds 3 || status=1
section "serve → listen end to end, both persisting"
"$build/bench/bench_end_to_end" --messages 100000 --connections 8 --in-flight 128 || status=1
section "idle headless client beside the Node peer"
bench/listen_rss.sh --seconds 20 "$traybeat" || status=1
section "idle tray app (wake-ups, RSS)"
bench/tray_idle.sh --seconds 90 "$traybeat" || status=1
section "tray app under a burst of 10,000"
QT_QPA_PLATFORM=offscreen "$build/bench/bench_tray_burst" || status=1
exit "$status"
