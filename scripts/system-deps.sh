#!/usr/bin/env bash
# Installs the system packages the tests need, when they are missing:
# exiftool (an independent metadata reader) and the libraries Qt's offscreen platform loads.
set -euo pipefail

missing=()
command -v exiftool >/dev/null 2>&1 || missing+=(libimage-exiftool-perl)
for lib in libEGL.so.1 libxkbcommon.so.0 libfontconfig.so.1 libGL.so.1 libdbus-1.so.3; do
    if ! ldconfig -p 2>/dev/null | grep -q "$lib"; then
        case "$lib" in
            libEGL.so.1) missing+=(libegl1) ;;
            libxkbcommon.so.0) missing+=(libxkbcommon0) ;;
            libfontconfig.so.1) missing+=(libfontconfig1) ;;
            libGL.so.1) missing+=(libgl1) ;;
            libdbus-1.so.3) missing+=(libdbus-1-3) ;;
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
