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
LIBRARY_CACHE="$(ldconfig -p 2>/dev/null || true)"
for lib in libEGL.so.1 libxkbcommon.so.0 libfontconfig.so.1 libGL.so.1 libdbus-1.so.3 libglib-2.0.so.0 \
           libxcb-cursor.so.0 libxcb-icccm.so.4 libxcb-keysyms.so.1 libxcb-shape.so.0 libxkbcommon-x11.so.0; do
    if [[ "$LIBRARY_CACHE" != *"$lib"* ]]; then
        case "$lib" in
            libEGL.so.1) missing+=(libegl1) ;;
            libxkbcommon.so.0) missing+=(libxkbcommon0) ;;
            libfontconfig.so.1) missing+=(libfontconfig1) ;;
            libGL.so.1) missing+=(libgl1) ;;
            libdbus-1.so.3) missing+=(libdbus-1-3) ;;
            libglib-2.0.so.0) missing+=(libglib2.0-0) ;;
            libxcb-cursor.so.0) missing+=(libxcb-cursor0) ;;
            libxcb-icccm.so.4) missing+=(libxcb-icccm4) ;;
            libxcb-keysyms.so.1) missing+=(libxcb-keysyms1) ;;
            libxcb-shape.so.0) missing+=(libxcb-shape0) ;;
            libxkbcommon-x11.so.0) missing+=(libxkbcommon-x11-0) ;;
        esac
    fi
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
