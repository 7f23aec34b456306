"""review14 F2: a whole temp of ours beside a missing sidecar is renamed to
NAME.before-landmark-tagger-<date>.bak before a write creates the sidecar; when that write
then failed (a full disk), it said "the original is intact" (there was none) and never named
the .bak; the next write made a fresh sidecar and said nothing of the .bak either. Now a
failed write renames the copy back to its temp name, so the folder is as before it and the
next write sets the copy aside again, saying so; only where that rename back fails is the
.bak kept, and the failure, and the error recorded for the file, name it."""

from __future__ import annotations

import errno
import os

from app.cli.main import main
from app.core.metadata import atomic, temps_set_aside
from tests.test_only_copy_temp_kept import _temps
from tests.test_whole_temps_set_aside import _failed_windows_write, _history_kept_beside


def _disk_full_for_sidecars(monkeypatch) -> None:
    real = atomic.replace_file

    def fail(source, target, *args, **kwargs):
        if str(target).endswith(".xmp"):
            raise OSError(errno.ENOSPC, "No space left on device (simulated)", str(target))
        return real(source, target, *args, **kwargs)
    monkeypatch.setattr(atomic, "replace_file", fail)


def _only_copy_left_unrecorded(tmp_path, monkeypatch, capsys, shared_data):
    """The temp is the sidecar's only copy, its record cleared, and the photo labelled anew."""
    db, sidecar, temp = _failed_windows_write(tmp_path, monkeypatch, capsys, shared_data)
    assert main([*db, "label", "", "--no-landmark"]) == 0
    assert main([*db, "write"]) == 0  # "1 unchanged": clears the record of the temp as its only copy
    assert main([*db, "label", "", "Petra"]) == 0
    capsys.readouterr()
    return db, sidecar, temp


def _aside_copies(sidecar):
    return [path for path in sidecar.parent.iterdir() if path.name.startswith(sidecar.name + ".")]


def test_a_write_failing_after_setting_the_copy_aside_puts_it_back(tmp_path, monkeypatch, capsys, shared_data):
    db, sidecar, temp = _only_copy_left_unrecorded(tmp_path, monkeypatch, capsys, shared_data)
    held = temp.read_bytes()
    with monkeypatch.context() as patched:
        _disk_full_for_sidecars(patched)
        assert main([*db, "write"]) != 0
    err = capsys.readouterr().err
    assert not sidecar.exists() and _aside_copies(sidecar) == []
    assert _temps(sidecar.parent) == [temp] and temp.read_bytes() == held  # as before the write
    assert "No space left on device" in err and f"is back as {temp.name} beside it" in err
    assert "the original is intact" not in err and ".bak" not in err
    assert main([*db, "write"]) == 0  # the next write sets it aside and says so
    err = capsys.readouterr().err
    kept = _history_kept_beside(sidecar)
    assert "1 file written" in err and f"kept the earlier copy of it a write of ours had left as {kept.name}" in err
    assert not temp.exists() and "Petra" in sidecar.read_text(encoding="utf-8")


def test_a_copy_that_cannot_be_put_back_stays_aside_and_is_named(tmp_path, monkeypatch, capsys, shared_data):
    db, sidecar, temp = _only_copy_left_unrecorded(tmp_path, monkeypatch, capsys, shared_data)
    real_rename = os.rename

    def no_rename_back(source, target):
        if str(source).endswith(".bak"):
            raise PermissionError(errno.EACCES, "Permission denied (simulated)", str(source))
        return real_rename(source, target)
    with monkeypatch.context() as patched:
        _disk_full_for_sidecars(patched)
        patched.setattr(temps_set_aside.os, "rename", no_rename_back)
        assert main([*db, "write"]) != 0
    err = capsys.readouterr().err
    kept = _history_kept_beside(sidecar)
    assert not sidecar.exists() and not temp.exists()
    told = f"the earlier copy is kept as {kept.name} beside it"
    assert "No space left on device" in err and told in err
    assert "the original is intact" not in err  # there was none: its copy was set aside
    assert main([*db, "stats", "--errors"]) == 0
    out = capsys.readouterr().out
    assert told in out and "the original is intact" not in out
