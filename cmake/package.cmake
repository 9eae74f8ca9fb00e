# `cpack -G DEB` in the build folder makes a Debian package of what `cmake --install` installs.
# Its dependencies are found the Debian way, by dpkg-shlibdeps (package dpkg-dev) from the shared
# libraries the binary links; the Qt plugins loaded at run time (the SQLite driver, the platform
# plugins) are invisible to it and named here.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME traybeat)
set(CPACK_PACKAGE_VENDOR traybeat)
# A placeholder until the project has a public address.
set(CPACK_PACKAGE_CONTACT "traybeat developers <traybeat@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "push notifications in the system tray, none lost")
# One line per line of the package's extended description (Debian wants them under 80 columns).
string(JOIN "\n" CPACK_PACKAGE_DESCRIPTION
    "traybeat keeps a WebSocket open to a push server (ntfy-compatible, Gotify"
    "or plain WebSocket), proves every few seconds that the link is alive,"
    "reconnects by itself, and shows what arrives as pop-up notifications from"
    "the system tray: each message once, none lost. It ships the small server"
    "it talks to and a headless client that prints JSON lines.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite, qt6-qpa-plugins")
# traybeat's own translations are inside the binary; Qt's (its dialogs' standard buttons) come
# from qt6-translations-l10n, which a desktop in another language than English most likely has.
# qt6-wayland: Qt's Wayland platform plugin (loaded, not linked, so shlibdeps cannot see it);
# without it a Wayland session runs traybeat through XWayland.
# libqt6sql6-psql: Qt's PostgreSQL driver, only for `traybeat serve --db postgresql://…`.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-translations-l10n, qt6-wayland")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libqt6sql6-psql")
include(CPack)
