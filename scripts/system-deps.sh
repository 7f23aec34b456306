#!/usr/bin/env bash
# Installs the system packages the app and its tests need, when they are missing
# (--venv: also Python's venv module, for a fresh Debian/Ubuntu):
# exiftool (an independent metadata reader) and the libraries Qt's offscreen platform loads.
set -euo pipefail

missing=()
if [ "${1:-}" = "--venv" ]; then
    # Debian and Ubuntu ship python3 without its venv module.
    missing+=("python3-venv")
    [ "$(python3 -c 'import sys; print(sys.version_info[:2] >= (3, 11))')" = True ] || {
        echo "system-deps: Python 3.11 or newer is needed (found $(python3 --version))" >&2; exit 1; }
fi
command -v exiftool >/dev/null 2>&1 || missing+=(libimage-exiftool-perl)
# libglib-2.0 is linked by QtCore and is not in a minimal Debian; the libxcb-* ones are
# what Qt's xcb plugin needs to open a window on an X11 desktop (the app, not the tests).
# Checked in a fresh `debootstrap --variant=minbase bookworm` chroot: after this script,
# ldd finds every library of QtCore/Gui/Widgets/Svg/DBus and the offscreen, xcb, svg
# and jpeg plugins of the PySide6 wheel (before it: EGL, GL, X11, dbus, fontconfig,
# freetype, glib, gthread and xkbcommon were missing).
# The library cache is read once: `ldconfig -p | grep -q` under pipefail reports a
# present library as missing whenever grep's early exit hits ldconfig with SIGPIPE.
# ldconfig is in /sbin, not on a normal user's PATH on Debian: looked for there too, or
# every library would look missing and each `make test` would run sudo apt-get.
LDCONFIG="$(command -v ldconfig 2>/dev/null || true)"
for candidate in /sbin/ldconfig /usr/sbin/ldconfig; do
    if [ -z "$LDCONFIG" ] && [ -x "$candidate" ]; then LDCONFIG="$candidate"; fi
done
LIBRARY_CACHE=""
if [ -n "$LDCONFIG" ]; then LIBRARY_CACHE="$("$LDCONFIG" -p 2>/dev/null || true)"; fi
installed() {  # $1: a library, $2: the Debian package that holds it
    if [ -n "$LIBRARY_CACHE" ]; then [[ "$LIBRARY_CACHE" == *"$1"* ]]; return; fi
    # no library cache to read: ask dpkg; without dpkg either this is no Debian, leave it be
    if command -v dpkg-query >/dev/null 2>&1; then
        [ "$(dpkg-query -W -f='${Status}' "$2" 2>/dev/null || true)" = "install ok installed" ]; return
    fi
    return 0
}
for pair in libEGL.so.1:libegl1 libxkbcommon.so.0:libxkbcommon0 libfontconfig.so.1:libfontconfig1 \
            libGL.so.1:libgl1 libdbus-1.so.3:libdbus-1-3 libglib-2.0.so.0:libglib2.0-0 \
            libxcb-cursor.so.0:libxcb-cursor0 libxcb-icccm.so.4:libxcb-icccm4 libxcb-keysyms.so.1:libxcb-keysyms1 \
            libxcb-shape.so.0:libxcb-shape0 libxkbcommon-x11.so.0:libxkbcommon-x11-0; do
    installed "${pair%%:*}" "${pair#*:}" || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: please install: ${missing[*]} (no apt-get here)" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "system-deps: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
