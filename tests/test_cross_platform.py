"""What would break on Windows or macOS, simulated on Linux: the error the other
platform raises (or the attribute it lacks) is put in place with monkeypatch."""

from __future__ import annotations

import errno
import fcntl
import os
import sqlite3
import stat
import types
from datetime import datetime
from pathlib import Path

import pytest

from app.core.errors import MetadataWriteError
from app.core.index import backup
from app.core.metadata import atomic, file_attributes


def _windows_fsync(real_fsync):
    """os.fsync as on Windows: FlushFileBuffers needs a handle with write access, so a
    file opened for reading only fails with EBADF."""

    def fsync(fd: int) -> None:
        if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY:
            raise OSError(errno.EBADF, "Bad file descriptor")
        real_fsync(fd)

    return fsync


def test_index_backup_is_kept_where_fsync_needs_a_writable_handle(tmp_path, monkeypatch):
    index = tmp_path / "index.db"
    with sqlite3.connect(index) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (1)")
    conn.close()
    monkeypatch.setattr(os, "fsync", _windows_fsync(os.fsync))
    copy = backup.backup_if_due(index, now=datetime(2024, 5, 1, 12, 30, 45))
    assert copy is not None and copy.is_file()
    assert ":" not in copy.name  # a name Windows accepts
    assert sqlite3.connect(copy).execute("SELECT x FROM t").fetchall() == [(1,)]
    assert not list(copy.parent.glob("*.tmp"))


def test_photo_held_open_on_windows_is_retried_then_reported_clearly_and_left_intact(tmp_path, monkeypatch):
    photo = tmp_path / "DSC_0001.JPG"
    photo.write_bytes(b"old bytes")
    calls = []

    def replace(source, target):
        calls.append(target)
        raise PermissionError(errno.EACCES, "Access is denied")

    monkeypatch.setattr(atomic.os, "replace", replace)
    monkeypatch.setattr(atomic, "ON_WINDOWS", True, raising=False)
    monkeypatch.setattr(atomic.replace_file, "__kwdefaults__", {"windows": True, "sleep": lambda _s: None})
    with pytest.raises(MetadataWriteError) as raised:
        atomic.replace_atomically(photo, b"new bytes")
    message = str(raised.value)
    assert len(calls) == len(atomic.REPLACE_RETRIES_S) + 1
    assert str(photo) in message and "another program has it open" in message
    assert "the original is intact" in message
    assert photo.read_bytes() == b"old bytes"
    assert [p.name for p in tmp_path.iterdir()] == ["DSC_0001.JPG"]  # no temp file left


def test_refused_replace_elsewhere_is_not_blamed_on_another_program(tmp_path):
    message = atomic._refused_replace_message(tmp_path / "a.jpg", PermissionError(errno.EPERM, "Operation not permitted"),
                                              windows=False)
    assert "another program" not in message and "Operation not permitted" in message


def test_a_file_locked_in_finder_is_refused_before_writing(tmp_path):
    photo = tmp_path / "DSC_0001.JPG"
    photo.write_bytes(b"x")
    real = os.stat(photo)
    locked = types.SimpleNamespace(st_mode=real.st_mode, st_flags=stat.UF_IMMUTABLE)  # macOS `chflags uchg`
    reason = atomic.unwritable_reason(photo, locked)
    assert reason is not None and "locked" in reason
    assert atomic.unwritable_reason(photo, types.SimpleNamespace(st_mode=real.st_mode, st_flags=0)) is None


def test_thumbnail_another_process_holds_open_on_windows_is_used(tmp_path, monkeypatch):
    from PIL import Image

    from app.core import thumbnails

    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (64, 48), (200, 10, 10)).save(photo)
    cache = tmp_path / "cache"
    target = thumbnails.thumbnail_cache_path(photo, 32, cache)
    real_replace = os.replace

    def replace(source, dest):
        # another window made the same thumbnail a moment ago and is showing it
        if Path(dest) == target:
            Path(dest).parent.mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (32, 24)).save(dest)
            raise PermissionError(errno.EACCES, "Access is denied")
        real_replace(source, dest)

    monkeypatch.setattr(thumbnails.os, "replace", replace)
    found = thumbnails.cached_thumbnail(photo, 32, cache)
    assert found == target and found.is_file()
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".thumb-")]


def test_commands_we_suggest_are_quoted_for_the_windows_shell(tmp_path, monkeypatch, capsys):
    """On Windows a command is quoted for PowerShell: single quotes only where a word needs
    them (shlex would quote every path for its backslashes), inside which & and $ are plain."""
    from app.cli.main import main
    from app.core import wording

    folder = tmp_path / "Ann Lee" / "Photos"
    folder.mkdir(parents=True)
    (folder / "IMG_0.jpg").write_bytes(b"")
    monkeypatch.setattr(wording, "ON_WINDOWS", True, raising=False)
    assert main(["--db", str(tmp_path / "index.db"), "scan", str(folder / "IMG_0.jpg")]) == 2
    err = capsys.readouterr().err
    assert f"`landmark-tagger --db {tmp_path / 'index.db'} scan '{folder}'`" in err  # PowerShell's quotes
    assert wording.shell_quote("C:\\Photos") == "C:\\Photos"  # PowerShell takes it bare
    assert wording.shell_quote("C:\\Rock&Roll") == "'C:\\Rock&Roll'"  # & taken literally, not cmd's "…"
    assert wording.shell_quote("C:\\Chloé's") == "'C:\\Chloé''s'"
    monkeypatch.setattr(wording, "ON_WINDOWS", False)
    assert wording.shell_quote("/Users/ann lee") == "'/Users/ann lee'"


def test_windows_filetime_counts_100_ns_ticks_from_1601() -> None:
    assert file_attributes.filetime(0) == 116_444_736_000_000_000
    assert file_attributes.filetime(1_577_836_800 * 10**9) == 132_223_104_000_000_000  # 2020-01-01 00:00 UTC


def test_a_rewritten_photo_keeps_its_creation_time_on_windows(tmp_path, monkeypatch):
    """Explorer's "Date created": the new file a write makes would otherwise say today."""
    photo = tmp_path / "DSC_0001.JPG"
    photo.write_bytes(b"old bytes")
    before = os.stat(photo)
    calls = []
    monkeypatch.setattr(file_attributes, "ON_WINDOWS", True)
    monkeypatch.setattr(file_attributes, "_set_creation_time_windows", lambda path, ticks: calls.append((path, ticks)))
    atomic.replace_atomically(photo, b"new bytes")
    assert photo.read_bytes() == b"new bytes"
    (temp, ticks), = calls
    assert temp.parent == photo.parent and temp.name.startswith(".DSC_0001.JPG.")  # set before the rename
    created = getattr(before, "st_birthtime_ns", None) or before.st_ctime_ns
    assert ticks == file_attributes.filetime(created)


def test_a_creation_time_windows_refuses_does_not_fail_the_write(tmp_path, monkeypatch):
    photo = tmp_path / "DSC_0001.JPG"
    photo.write_bytes(b"old bytes")

    def refuse(path, ticks):
        raise OSError(5, "access denied")

    monkeypatch.setattr(file_attributes, "ON_WINDOWS", True)
    monkeypatch.setattr(file_attributes, "_set_creation_time_windows", refuse)
    atomic.replace_atomically(photo, b"new bytes")
    assert photo.read_bytes() == b"new bytes"
    assert [p.name for p in tmp_path.iterdir()] == ["DSC_0001.JPG"]  # no temp left behind
