"""Whether a path lies on a network share (a NAS over SMB or NFS, a mounted server), or on
a FUSE file system a user-space program serves (user_space_file_system).

SQLite's write-ahead log needs memory shared between the processes using the file, which
a network file system does not give: two computers (or the app and the CLI) writing an
index there in WAL mode can corrupt it (https://sqlite.org/wal.html, "WAL does not work
over a network filesystem"). The index takes the rollback journal there instead. The
answer is a best guess from the system's own table of mounts; when it cannot be had the
path counts as local, as before.
"""

from __future__ import annotations

import ntpath
import subprocess
import sys
import time
from pathlib import Path

# File system types of network mounts, as Linux (/proc/self/mounts) and macOS (`mount`) name them.
NETWORK_FILE_SYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "afpfs", "webdav", "davfs", "ncpfs", "afs", "9p",
    "fuse.sshfs", "sshfs", "fuse.rclone", "fuse.gvfsd-fuse", "ceph", "glusterfs", "fuse.glusterfs",
})


def is_network_path(path: str | Path) -> bool:
    """True when `path` (a file, or the folder it would be created in) is on a network share."""
    if sys.platform == "win32":
        return _is_windows_network_drive(_existing_ancestor(Path(path).expanduser()))
    file_system = mount_type(path)
    return file_system is not None and file_system.lower() in NETWORK_FILE_SYSTEMS


def user_space_file_system(path: str | Path) -> str | None:
    """The type of the FUSE file system holding `path` when a user-space program serves
    it ("fuse.fusefat", "fuse.encfs": /proc/self/mounts' "fuse.NAME"), else None. SQLite's
    WAL needs a shared writable memory map of its -shm file, which many of them do not
    give (fusefat: "disk I/O error" at the index's first write); the index takes the
    rollback journal there, as on a share. "fuseblk" (ntfs-3g, exfat-fuse on a USB disk)
    maps it as a disk does and is not one."""
    file_system = (mount_type(path) or "").lower()
    return file_system if file_system == "fuse" or file_system.startswith("fuse.") else None


def mount_type(path: str | Path) -> str | None:
    """The file system type of the mount holding `path` (a file, or the folder it would
    be created in), as the system's table of mounts names it; None on Windows, or when
    that table cannot be read."""
    if sys.platform == "win32":
        return None
    target = _existing_ancestor(Path(path).expanduser())
    mounts = _linux_mounts() if sys.platform.startswith("linux") else _mount_command_mounts()
    return mount_file_system(str(target), mounts)


def mount_file_system(path: str, mounts: list[tuple[str, str]]) -> str | None:
    """The file system type of the mount holding `path`: the longest mount point that
    is `path` or a folder above it, among (mount point, type) pairs."""
    best: tuple[int, str] | None = None
    for point, file_system in mounts:
        base = point.rstrip("/") or "/"
        if path == base or path.startswith(base if base == "/" else base + "/"):
            if best is None or len(base) > best[0]:
                best = (len(base), file_system)
    return None if best is None else best[1]


def parse_proc_mounts(text: str) -> list[tuple[str, str]]:
    """(mount point, type) from /proc/self/mounts, whose spaces in paths read '\\040'."""
    mounts = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            point = fields[1].replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\")
            mounts.append((point, fields[2]))
    return mounts


def parse_mount_command(text: str) -> list[tuple[str, str]]:
    """(mount point, type) from macOS's `mount`: 'SOURCE on POINT (TYPE, options…)'."""
    mounts = []
    for line in text.splitlines():
        head, sep, options = line.rpartition(" (")
        source_and_point = head.split(" on ", 1)
        if sep and len(source_and_point) == 2:
            mounts.append((source_and_point[1], options.split(",", 1)[0].rstrip(")").strip()))
    return mounts


def _existing_ancestor(path: Path) -> Path:
    try:
        path = path.resolve()
    except (OSError, RuntimeError):  # unreadable, or a loop of links
        path = path.absolute()
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def _linux_mounts() -> list[tuple[str, str]]:
    try:
        return parse_proc_mounts(Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return []


MOUNT_TABLE_FRESH_S = 60.0  # the app opens the index from several threads: run `mount` once a minute at most
_mount_table: tuple[float, list[tuple[str, str]]] | None = None


def _mount_command_mounts() -> list[tuple[str, str]]:
    global _mount_table
    if _mount_table is not None and time.monotonic() - _mount_table[0] < MOUNT_TABLE_FRESH_S:
        return _mount_table[1]
    try:
        result = subprocess.run(["mount"], capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    _mount_table = (time.monotonic(), parse_mount_command(result.stdout))
    return _mount_table[1]


DRIVE_REMOTE = 4  # GetDriveTypeW's answer for a mapped network drive


def _is_windows_network_drive(path: Path) -> bool:
    text = str(path)
    if text.upper().startswith("\\\\?\\UNC\\") or (text.startswith("\\\\") and not text.startswith("\\\\?\\")):
        return True  # \\server\share, or its long-path form \\?\UNC\server\share
    drive = ntpath.splitdrive(text)[0]
    if not drive:
        return False
    try:
        import ctypes

        return ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == DRIVE_REMOTE
    except (AttributeError, OSError):
        return False
