#!/usr/bin/env bash
# End-to-end check of the tray app in a real X session, from the X server's point of view.
#
# Starts its own Xvfb, D-Bus session bus, tray host (trayer) and notification daemon (dunst),
# runs `traybeat --demo` with private settings and state folders, and asserts:
#   1. a tray icon of traybeat is embedded in trayer's window (XEmbed system tray);
#   2. a pop-up window ("traybeat notification") is shown for a demo message; the demo's message
#      with two actions, tags and a camera picture (an attachment served on 127.0.0.1) shows the
#      thumbnail (its colour counted in a screen grab of the pop-up window, by e2e_windowcolor)
#      and both buttons (the pop-up's account of itself in the debug log);
#   3. a second launch does not start a second client: it exits 0 and brings the running
#      one's history window forward;
#   4. with the platform's pop-ups chosen, the demo's messages reach the notification daemon;
#   5. SIGTERM ends each instance like Quit does, with exit status 0 (under the sanitizers, a
#      leak or error report at exit would change it).
#   6. Tokens go to the desktop keyring: a gnome-keyring-daemon, unlocked from a password on
#      standard input, runs on the session bus; a first start without subscriptions opens the
#      settings, where a subscription with a token is added with the keyboard alone (xdotool).
#      The token is then found with `secret-tool lookup` and is absent from traybeat.conf, and
#      "Start at login" (on by default after the first subscription) wrote an autostart entry
#      that desktop-file-validate accepts.
#   7. Without a keyring (a bus that has no org.freedesktop.secrets and activates nothing) a
#      plain-text token stays in traybeat.conf, and the log says so.
# Every process it started is stopped on exit, whatever happens. Waits poll with deadlines
# (a loaded 2-core machine may need seconds), never fixed long sleeps.
#
# usage: desktop.sh PATH/TO/traybeat PATH/TO/e2e_windowcolor
# Needs: Xvfb (xvfb), dbus-launch and dbus-send (dbus-x11), trayer, dunst, xdotool,
#        xwininfo and xdpyinfo (x11-utils), gnome-keyring-daemon (gnome-keyring), secret-tool
#        (libsecret-tools), desktop-file-validate (desktop-file-utils).
set -u

app=${1:-}
pixels=${2:-}
[ -n "$app" ] && [ -x "$app" ] && [ -x "$pixels" ] \
  || { echo "e2e_desktop: usage: $0 PATH/TO/traybeat PATH/TO/e2e_windowcolor" >&2; exit 2; }
timeout_s=${TRAYBEAT_E2E_TIMEOUT:-20}

missing=()
for pair in Xvfb:xvfb dbus-launch:dbus-x11 dbus-send:dbus-bin trayer:trayer dunst:dunst \
            xdotool:xdotool xwininfo:x11-utils xdpyinfo:x11-utils \
            gnome-keyring-daemon:gnome-keyring secret-tool:libsecret-tools \
            desktop-file-validate:desktop-file-utils dbus-daemon:dbus-daemon; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair%%:*} (Debian package ${pair#*:})")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "e2e_desktop: FAIL: missing programs: ${missing[*]}" >&2
  echo "e2e_desktop: install them with: apt-get install xvfb dbus-x11 trayer dunst xdotool x11-utils gnome-keyring libsecret-tools desktop-file-utils" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/traybeat-e2e.XXXXXX")
pids=()       # helpers, stopped in reverse order
app_pid=''
second_pid=''

stop() { # stop PID [GROUP]: TERM, wait up to 5 s, then KILL
  local pid=$1 target=$1
  [ "${2:-}" = group ] && target="-$1"
  kill -TERM -- "$target" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "$target" 2>/dev/null
}
cleanup() {
  [ -n "$second_pid" ] && stop "$second_pid" group
  [ -n "$app_pid" ] && stop "$app_pid" group
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop "${pids[i]}"; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  echo "e2e_desktop: FAIL: $*" >&2
  if [ -n "${DISPLAY:-}" ]; then
    echo "--- X window tree (top):" >&2
    xwininfo -root -tree 2>/dev/null | head -40 >&2
  fi
  for log in app second keyring-app keyring trayer dunst xvfb; do
    [ -s "$work/$log.log" ] && { echo "--- $log.log:" >&2; tail -20 "$work/$log.log" >&2; }
  done
  exit 1
}

# poll SECONDS COMMAND...: runs COMMAND every 0.2 s until it succeeds or the time is up.
poll() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

# ends_cleanly PID NAME: SIGTERM, then the process must end by itself with status 0.
gone() { ! kill -0 "$1" 2>/dev/null; }
ends_cleanly() {
  kill -TERM "$1" 2>/dev/null || fail "$2 ended before it was asked to"
  poll "$timeout_s" gone "$1" || fail "$2 did not end within ${timeout_s} s of SIGTERM"
  local status=0
  wait "$1" || status=$?
  [ "$status" -eq 0 ] || fail "$2 exited with status $status after SIGTERM"
}

# --- X server: Xvfb picks a free display itself and writes its number to fd 3.
# -noreset: otherwise the server resets whenever its last client leaves (xdpyinfo, below), and a
# client connecting during that reset is refused.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset 3>"$work/display" >"$work/xvfb.log" 2>&1 &
pids+=($!)
poll "$timeout_s" test -s "$work/display" || fail "Xvfb did not start"
export DISPLAY=":$(head -n1 "$work/display")"
poll "$timeout_s" xdpyinfo >/dev/null 2>&1 || fail "X server $DISPLAY does not answer"

# --- private session: bus, runtime, settings and state folders of its own.
eval "$(dbus-launch --sh-syntax)" || fail "dbus-launch failed"
pids+=("$DBUS_SESSION_BUS_PID")
export XDG_RUNTIME_DIR="$work/run" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"
chmod 700 "$XDG_RUNTIME_DIR"
export QT_QPA_PLATFORM=xcb
unset QT_LOGGING_RULES

# --- the desktop keyring, as a login would leave it: unlocked (here from a password on standard
# input). It keeps its files under XDG_DATA_HOME and HOME, both in the test's folder.
mkdir -p "$work/home"
printf 'e2e password' | HOME="$work/home" \
  gnome-keyring-daemon --foreground --unlock --components=secrets >"$work/keyring.log" 2>&1 &
pids+=($!)
has_owner() { # has_owner NAME: the session bus has a process that owns NAME
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner "string:$1" 2>/dev/null | grep -q 'boolean true'
}
poll "$timeout_s" has_owner org.freedesktop.secrets || fail "gnome-keyring-daemon did not take org.freedesktop.secrets"

# --- tray host
trayer --edge top --align right --widthtype request --height 32 --transparent false \
  >"$work/trayer.log" 2>&1 &
pids+=($!)
trayer_windows() { tray_wins=$(xdotool search --class '^trayer$' 2>/dev/null); [ -n "$tray_wins" ]; }
poll "$timeout_s" trayer_windows || fail "trayer's window did not appear"

# --- notification daemon
cat >"$work/dunstrc" <<RC
[global]
    font = DejaVu Sans 10
[logger]
    summary = "*"
    script = $work/log-notification
RC
# dunst runs this for every notification: appname, summary, body, icon, urgency.
cat >"$work/log-notification" <<SH
#!/bin/sh
printf '%s\t%s\t%s\t%s\n' "\$1" "\$2" "\$3" "\$5" >>"$work/notifications.log"
SH
chmod +x "$work/log-notification"
: >"$work/notifications.log"
dunst -config "$work/dunstrc" >"$work/dunst.log" 2>&1 &
pids+=($!)
poll "$timeout_s" has_owner org.freedesktop.Notifications || fail "dunst did not take org.freedesktop.Notifications"

# --- the app, in its own process group so that everything it starts stops with it
QT_LOGGING_RULES='traybeat.ui.debug=true' setsid "$app" --demo --state-dir "$work/state" \
  >"$work/app.log" 2>&1 &
app_pid=$!

alive() { kill -0 "$app_pid" 2>/dev/null || fail "traybeat ended early"; }

# 1. The tray icon: a window of traybeat (WM_CLASS) inside one of trayer's window trees
#    (xdotool prints ids in decimal, xwininfo in hex).
icon_embedded() {
  alive
  trayer_windows || return 1
  local id hex tw
  for id in $(xdotool search --class '^traybeat$' 2>/dev/null); do
    hex=$(printf '0x%x' "$id")
    for tw in $tray_wins; do
      if xwininfo -tree -id "$tw" 2>/dev/null | grep -q "^ *$hex "; then
        icon_win=$hex tray_win=$(printf '0x%x' "$tw")
        return 0
      fi
    done
  done
  return 1
}
poll "$timeout_s" icon_embedded || fail "no traybeat icon embedded in trayer's windows ($tray_wins)"
echo "e2e_desktop: tray icon $icon_win is embedded in trayer's window $tray_win"

# 2. A pop-up for a demo message, visible (mapped).
popup_shown() {
  alive
  # Qt appends the application's display name: "traybeat notification — traybeat".
  popup_win=$(xdotool search --onlyvisible --name '^traybeat notification' 2>/dev/null | head -n1)
  [ -n "$popup_win" ]
}
poll "$timeout_s" popup_shown || fail "no pop-up window named \"traybeat notification\" appeared"
geometry=$(xwininfo -id "$popup_win" | awk '/Absolute upper-left X/{x=$NF} /Absolute upper-left Y/{y=$NF} /Width/{w=$NF} /Height/{h=$NF} END{print w "x" h "+" x "+" y}')
echo "e2e_desktop: pop-up window $(printf '0x%x' "$popup_win") shown at $geometry"

# 2b. The demo's garage message: two actions, tags, and a camera picture fetched from the demo's
#     picture server. Its garage door has a colour of its own (Demo::pictureMarkerColor); the
#     door is 140 x 100 pixels, so thousands of them in a grab of a pop-up mean the thumbnail.
marker=d68a12
thumbnail_shown() {
  alive
  local id count
  for id in $(xdotool search --onlyvisible --name '^traybeat notification' 2>/dev/null); do
    count=$("$pixels" "$id" "$marker" 2>>"$work/pixels.log") || continue
    if [ "${count:-0}" -ge 5000 ]; then thumb_win=$id thumb_pixels=$count; return 0; fi
  done
  return 1
}
poll "$timeout_s" thumbnail_shown || fail "no pop-up showed the demo's camera picture (#$marker)"
buttons_line='shows a thumbnail of 320x180 and 2 button\(s\): Close it \| Open camera$'
grep -qE "$buttons_line" "$work/app.log" \
  || fail "the pop-up with the picture does not say it shows the two buttons"
echo "e2e_desktop: pop-up $(printf '0x%x' "$thumb_win") shows the camera picture ($thumb_pixels pixels of #$marker) and the buttons Close it, Open camera"

# 3. A second launch hands over to the first and exits 0; the history window comes forward.
setsid "$app" --demo --state-dir "$work/state" >"$work/second.log" 2>&1 &
second_pid=$!
second_done() { ! kill -0 "$second_pid" 2>/dev/null; }
poll "$timeout_s" second_done || fail "a second launch kept running (a second client?)"
wait "$second_pid"; status=$?; second_pid=''
[ "$status" -eq 0 ] || fail "the second launch exited with status $status"
history_shown() {
  alive
  [ -n "$(xdotool search --onlyvisible --pid "$app_pid" --name 'History' 2>/dev/null)" ]
}
poll "$timeout_s" history_shown || fail "the second launch did not bring the history window forward"
echo "e2e_desktop: a second launch exited 0 and brought the history window forward"
alive

# 4. Platform pop-ups (setting popups/native=true): the demo's messages reach the notification
#    daemon over D-Bus. A separate instance: own settings and state, so its own single-instance key.
native_config="$work/config-native"
mkdir -p "$native_config/traybeat"
printf '[popups]\nnative=true\n' >"$native_config/traybeat/traybeat.conf"
XDG_CONFIG_HOME="$native_config" setsid "$app" --demo --state-dir "$work/state-native" \
  >"$work/second.log" 2>&1 &
second_pid=$!
daemon_got_one() {
  kill -0 "$second_pid" 2>/dev/null || fail "traybeat (native pop-ups) ended early"
  grep -q '^traybeat	.*Welcome to traybeat' "$work/notifications.log"
}
poll "$timeout_s" daemon_got_one || fail "no demo notification reached the notification daemon"
echo "e2e_desktop: platform pop-ups reach the notification daemon: $(grep -c '^traybeat' "$work/notifications.log") so far"

# 5. Both end cleanly on SIGTERM.
ends_cleanly "$second_pid" "traybeat (native pop-ups)"; second_pid=''
ends_cleanly "$app_pid" "traybeat"; app_pid=''
echo "e2e_desktop: SIGTERM ends traybeat with exit status 0"

# 6. A token typed into the settings goes to the keyring, not into traybeat.conf.
keyring_config="$work/config-keyring"
keyring_conf="$keyring_config/traybeat/traybeat.conf"
mkdir -p "$keyring_config"
XDG_CONFIG_HOME="$keyring_config" setsid "$app" --state-dir "$work/state-keyring" \
  >"$work/keyring-app.log" 2>&1 &
second_pid=$!
# window_named TITLE-REGEX: a visible window of the app with that title. (xdotool's own --name
# also matched the settings window for the editor's title, so the names are compared here.)
window_named() {
  kill -0 "$second_pid" 2>/dev/null || fail "traybeat (keyring) ended early"
  local id
  for id in $(xdotool search --onlyvisible --pid "$second_pid" --name '.*' 2>/dev/null); do
    if xdotool getwindowname "$id" 2>/dev/null | grep -qE "$1"; then found_win=$id; return 0; fi
  done
  return 1
}
# Without a window manager nothing gets the keyboard by itself: each window is given the focus.
poll "$timeout_s" window_named '^traybeat Settings' || fail "a first start did not open the settings"
settings_win=$found_win
xdotool windowfocus --sync "$settings_win" key --clearmodifiers alt+a
poll "$timeout_s" window_named '^Add Subscription' || fail "Add… did not open the subscription editor"
xdotool windowfocus --sync "$found_win"
# Name, server URL, protocol (kept), topics, token, in tab order; Return is OK.
xdotool type --delay 15 'Keyed'; xdotool key Tab
xdotool type --delay 15 'http://127.0.0.1:9'; xdotool key Tab Tab
xdotool type --delay 15 'alerts'; xdotool key Tab
xdotool type --delay 15 'tk_e2e_secret'; xdotool key Return
editor_closed() { ! window_named '^Add Subscription'; }
poll "$timeout_s" editor_closed || fail "the subscription editor did not accept the subscription"
# "Start at login" is proposed (checked) with the first subscription; switched off and on again
# it is the user's choice, and it holds the focus, so Return is the dialog's OK.
xdotool windowfocus --sync "$settings_win" key --clearmodifiers alt+t alt+t Return
settings_closed() { ! window_named '^traybeat Settings'; }
poll "$timeout_s" settings_closed || fail "the settings dialog did not close on OK"
# The sanitizer builds do not use the keyring (see SecretStore::runNext); the app says so.
if grep -q 'not used in sanitizer builds' "$work/keyring-app.log"; then
  echo "e2e_desktop: sanitizer build: the keyring is not used, its checks are skipped"
else
  token_in_keyring() { grep -q '^1\\tokenInKeyring=' "$keyring_conf" 2>/dev/null; }
  poll "$timeout_s" token_in_keyring || fail "traybeat.conf has no reference to a keyring entry: $(cat "$keyring_conf" 2>&1)"
  key=$(sed -n 's/^1\\tokenInKeyring=//p' "$keyring_conf")
  secret=$(secret-tool lookup server traybeat user "$key")
  [ "$secret" = tk_e2e_secret ] || fail "secret-tool lookup server traybeat user $key gave \"$secret\""
  ! grep -q tk_e2e_secret "$keyring_conf" || fail "the token is in traybeat.conf"
  grep -q 'moved 1 secret(s) from .* into the desktop keyring' "$work/keyring-app.log" \
    || fail "no log line about the token moved into the keyring"
  echo "e2e_desktop: a token saved in the settings is in the keyring (entry $key), not in traybeat.conf"
fi
autostart_entry="$keyring_config/autostart/io.github.traybeat.Traybeat.desktop"
[ -f "$autostart_entry" ] || fail "no autostart entry $autostart_entry"
grep -qx "Exec=$app" "$autostart_entry" || fail "the autostart entry does not run $app: $(grep Exec "$autostart_entry")"
validation=$(desktop-file-validate "$autostart_entry" 2>&1) && [ -z "$validation" ] \
  || fail "desktop-file-validate: $validation"
echo "e2e_desktop: start at login wrote $autostart_entry (desktop-file-validate: no complaints)"
ends_cleanly "$second_pid" "traybeat (keyring)"; second_pid=''

# 7. No keyring: a bus of its own that has no org.freedesktop.secrets and activates nothing.
dbus-daemon --nofork --print-address=3 --config-file="$(dirname "$0")/../data/session-bus.conf" \
  3>"$work/bare-bus" >/dev/null 2>&1 &
pids+=($!)
poll "$timeout_s" test -s "$work/bare-bus" || fail "a bus without a keyring did not start"
plain_config="$work/config-plain"
mkdir -p "$plain_config/traybeat"
printf '[subscriptions]\nsize=1\n1\\name=Plain\n1\\server=http://127.0.0.1:9\n1\\topics=alerts\n1\\token=tk_plain_e2e\n' \
  >"$plain_config/traybeat/traybeat.conf"
DBUS_SESSION_BUS_ADDRESS=$(head -n1 "$work/bare-bus") XDG_CONFIG_HOME="$plain_config" \
  setsid "$app" --state-dir "$work/state-plain" >"$work/plain-app.log" 2>&1 &
second_pid=$!
said_no_keyring() {
  kill -0 "$second_pid" 2>/dev/null || fail "traybeat (no keyring) ended early"
  grep -q 'tokens and passwords are kept in .*traybeat.conf .*no desktop keyring' "$work/plain-app.log"
}
poll "$timeout_s" said_no_keyring || fail "without a keyring, the log does not say where tokens are kept"
grep -q '^1\\token=tk_plain_e2e$' "$plain_config/traybeat/traybeat.conf" \
  || fail "without a keyring the token did not stay in traybeat.conf"
echo "e2e_desktop: without a keyring: $(grep -o 'tokens and passwords are kept in.*' "$work/plain-app.log")"
ends_cleanly "$second_pid" "traybeat (no keyring)"; second_pid=''
echo "e2e_desktop: PASS"
