#!/bin/sh
# Regenerates shortcodes.tsv (short code <TAB> emoji, one a line, sorted by short code) from
# Debian's node-emoji package: its lib/emoji.json maps gemoji short codes (the names ntfy's tags
# use: warning, rotating_light, +1, tada, ...) to emoji. node-emoji is MIT (Expat) licensed,
# copyright 2014 Daniel Bugl; see /usr/share/doc/node-emoji/copyright in the package.
# Shipped file generated from node-emoji 1.11.0+~1.8.2-1 (Debian 12 bookworm).
set -eu
out=$(cd "$(dirname "$0")" && pwd)/shortcodes.tsv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download node-emoji
dpkg -x node-emoji_*.deb root
python3 - root/usr/share/nodejs/node-emoji/lib/emoji.json "$out" <<'PY'
import json, sys
table = json.load(open(sys.argv[1], encoding="utf-8"))
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for name in sorted(table):
        out.write(f"{name}\t{table[name]}\n")
PY
