#!/usr/bin/env bash
# Installs like an app: checks what `cmake --install` and `cpack -G DEB` produce, with the
# tools a distribution uses (desktop-file-validate, appstreamcli, man, dpkg-deb).
#   packaging.sh install|files|desktop|appstream|man BUILD_DIR   (files… need `install` first)
#   packaging.sh deb BUILD_DIR
set -euo pipefail

action=$1
build=$(cd "$2" && pwd)
root=$build/test-install # the DESTDIR of `install`
app_id=io.github.traybeat.Traybeat

fail() { echo "packaging.sh $action: $*" >&2; exit 1; }

expected_files() {
  echo /usr/bin/traybeat
  echo /usr/libexec/traybeat/traybeat-tray
  echo /usr/share/applications/$app_id.desktop
  echo /usr/share/metainfo/$app_id.metainfo.xml
  echo /usr/share/icons/hicolor/scalable/apps/traybeat.svg
  for size in 16 22 24 32 48 64 128 256; do
    echo /usr/share/icons/hicolor/${size}x${size}/apps/traybeat.png
  done
  for page in traybeat traybeat-listen traybeat-serve traybeat-publish traybeat-user \
      traybeat-access traybeat-token; do
    echo /usr/share/man/man1/$page.1
  done
}

case "$action" in
  install)
    rm -rf "$root"
    DESTDIR=$root cmake --install "$build" --prefix /usr >/dev/null
    ;;
  files)
    actual=$(cd "$root" && find . -type f -o -type l | sed 's|^\.||' | sort)
    expected=$(expected_files | sort)
    if [ "$actual" != "$expected" ]; then
      diff <(echo "$expected") <(echo "$actual") >&2 || true
      fail "installed files differ from the expected ones (< expected, > installed)"
    fi
    # Each PNG is one, of its folder's size: the signature, then width and height in the header.
    for size in 16 22 24 32 48 64 128 256; do
      png=$root/usr/share/icons/hicolor/${size}x${size}/apps/traybeat.png
      [ "$(head -c 4 "$png" | tail -c 3)" = PNG ] || fail "$png is not a PNG"
      read -r width height < <(od -An -tu4 --endian=big -j16 -N8 "$png")
      [ "$width $height" = "$size $size" ] || fail "$png is ${width}x$height"
    done
    ;;
  desktop)
    desktop-file-validate "$root/usr/share/applications/$app_id.desktop"
    ;;
  appstream)
    appstreamcli validate --no-net "$root/usr/share/metainfo/$app_id.metainfo.xml"
    ;;
  man)
    for page in "$root"/usr/share/man/man1/*.1; do
      warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
      [ -z "$warnings" ] || fail "$(basename "$page"): $warnings"
      LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$page" 2>/dev/null | grep -q '^NAME' ||
        fail "$(basename "$page") renders no NAME section"
    done
    ;;
  deb)
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    (cd "$build" && cpack -G DEB -B "$scratch/out" >"$scratch/cpack.log" 2>&1) ||
      { cat "$scratch/cpack.log" >&2; fail "cpack failed"; }
    deb=$(ls "$scratch"/out/traybeat_*.deb)
    dpkg-deb -x "$deb" "$scratch/root"
    # The tray app's help comes from traybeat-tray, found through traybeat's own folder.
    "$scratch/root/usr/bin/traybeat" --help | grep -q -- --demo ||
      fail "traybeat --help from the package did not reach the tray app"
    "$scratch/root/usr/bin/traybeat" listen --help >/dev/null ||
      fail "traybeat listen --help from the package failed"
    # The command-line modes load no GUI library (docs/design.md, "Two executables").
    if readelf -d "$scratch/root/usr/bin/traybeat" | grep -Eq 'libQt6(Gui|Widgets|DBus)'; then
      fail "traybeat links a GUI library"
    fi
    [ -f "$scratch/root/usr/share/applications/$app_id.desktop" ] || fail "no .desktop file in the package"
    depends=$(dpkg-deb -f "$deb" Depends)
    echo "Depends: $depends"
    for package in libqt6core6 libqt6gui6 libqt6widgets6 libqt6network6 libqt6websockets6 \
                   libqt6sql6 libqt6dbus6 libqt6sql6-sqlite libsqlite3-0 qt6-qpa-plugins; do
      grep -Eq "(^|, )$package( \(|,|$)" <<<"$depends" || fail "Depends does not name $package"
    done
    # The tray icons are rendered at build time (app/CMakeLists.txt): nothing runs Qt Svg.
    if readelf -d "$scratch/root/usr/libexec/traybeat/traybeat-tray" | grep -q libQt6Svg; then
      fail "traybeat-tray links Qt Svg"
    fi
    # Qt's PostgreSQL driver is a plugin (shlibdeps cannot see it), needed only by serve --db URL.
    dpkg-deb -f "$deb" Suggests | grep -q libqt6sql6-psql || fail "Suggests does not name libqt6sql6-psql"
    ;;
  *)
    fail "unknown action"
    ;;
esac
