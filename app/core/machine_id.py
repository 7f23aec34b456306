"""The id the operating system keeps for this machine, where it keeps one.

app/core/this_computer.py tells a computer by it: unlike a file in the user's data
folder, it does not travel with that folder (macOS Migration Assistant, a restore from
a backup, a copied %LOCALAPPDATA%), and unlike the host name it does not change with
the network. Linux: systemd's /etc/machine-id (or D-Bus's copy); macOS: the
IOPlatformUUID of the hardware (`ioreg`, with a timeout: a hung ioreg must not hang a
write); Windows: the MachineGuid made when Windows was installed (read from the 64-bit
registry view, which a 32-bit Python is otherwise redirected away from). A system disk
cloned whole carries the Linux and Windows ids with it unless the clone is prepared
(`systemd-machine-id-setup`, sysprep); a Mac's id is its hardware's.

A Linux container that shares its host's id (a bind-mounted /etc/machine-id, or the
D-Bus id baked into an image) has a process table of its own: linux_pid_namespace tells
the two apart (this_computer mixes it into the id outside the init namespace).

(py-machineid does the same but runs its commands through a shell with no timeout,
falls back to PowerShell and wmic, which take seconds, and needs winregistry on
Windows: these few lines read only what the OS keeps, and fail quietly to None.)
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Callable

# systemd's id first; D-Bus keeps the same one (a link or a copy) where systemd is absent
LINUX_ID_FILES = (Path("/etc/machine-id"), Path("/var/lib/dbus/machine-id"))
MAC_IOREG = ("/usr/sbin/ioreg", "-rd1", "-c", "IOPlatformExpertDevice")
MAC_IOREG_TIMEOUT_S = 5.0
WINDOWS_KEY = r"SOFTWARE\Microsoft\Cryptography"

LINUX_PID_NAMESPACE = Path("/proc/self/ns/pid")
LINUX_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")

_MAC_UUID = re.compile(r'"IOPlatformUUID"\s*=\s*"([0-9A-Fa-f-]{32,36})"')
_LINUX_ID = re.compile(r"[0-9a-f]{32}")  # "uninitialized" (first boot) and an empty file are no id
_NO_ID = re.compile(r"[0-]*")  # all zeros: a firmware that fills in none


def linux_machine_id() -> str | None:
    """systemd's (or D-Bus's) machine id; None where neither file holds one."""
    for path in LINUX_ID_FILES:
        try:
            text = path.read_text(encoding="ascii", errors="replace").strip()
        except OSError:
            continue
        if _LINUX_ID.fullmatch(text):
            return text
    return None


def linux_pid_namespace() -> str | None:
    """The pid namespace this process sees others in ('pid:[4026531836]'); None where it
    cannot be read (not Linux, /proc not mounted)."""
    try:
        return os.readlink(LINUX_PID_NAMESPACE)
    except (OSError, NotImplementedError, AttributeError):
        return None


def linux_boot_id() -> str | None:
    """This boot's id: a namespace number is unique on one running kernel only; None where
    it cannot be read."""
    try:
        return LINUX_BOOT_ID.read_text(encoding="ascii", errors="replace").strip() or None
    except OSError:
        return None


def mac_platform_uuid() -> str | None:
    """The hardware's IOPlatformUUID, from ioreg; None when ioreg fails or takes too long."""
    try:
        shown = subprocess.run(MAC_IOREG, capture_output=True, text=True, timeout=MAC_IOREG_TIMEOUT_S,
                               check=False).stdout
    except (OSError, subprocess.SubprocessError, UnicodeDecodeError):
        return None
    found = _MAC_UUID.search(shown or "")
    return found.group(1).upper() if found else None


def windows_machine_guid() -> str | None:
    """HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MachineGuid; None when it cannot be read."""
    try:
        import winreg
    except ImportError:
        return None
    try:
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, WINDOWS_KEY, 0,
                            winreg.KEY_READ | winreg.KEY_WOW64_64KEY) as key:
            value, _ = winreg.QueryValueEx(key, "MachineGuid")
    except OSError:
        return None
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


# which reader serves which sys.platform (by its start); tests replace it
READERS: dict[str, Callable[[], str | None]] = {
    "linux": linux_machine_id, "darwin": mac_platform_uuid, "win32": windows_machine_guid,
}


def os_machine_id() -> str | None:
    """This machine's id as its operating system keeps it; None on a system with no
    reader here, or when the id cannot be read (then a random id stands in)."""
    for platform, reader in READERS.items():
        if sys.platform.startswith(platform):
            found = reader()
            return None if found is None or _NO_ID.fullmatch(found) else found
    return None
