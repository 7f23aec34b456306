"""review14 F2: a whole temp of ours beside a missing sidecar is renamed to
NAME.before-landmark-tagger-<date>.bak before a write creates the sidecar; when that write
then failed (a full disk), it said "the original is intact" (there was none) and never named
the .bak, nor did `stats --errors`: the only copy of darktable's history sat in a file the
user was never told of. Now the failure, and the error recorded for the file, name it."""

from __future__ import annotations

import errno

from app.cli.main import main
from app.core.metadata import atomic
from tests.test_whole_temps_set_aside import _failed_windows_write, _history_kept_beside


def _disk_full_for_sidecars(monkeypatch) -> None:
    real = atomic.replace_file

    def fail(source, target, *args, **kwargs):
        if str(target).endswith(".xmp"):
            raise OSError(errno.ENOSPC, "No space left on device (simulated)", str(target))
        return real(source, target, *args, **kwargs)
    monkeypatch.setattr(atomic, "replace_file", fail)


def test_a_write_failing_after_setting_the_copy_aside_names_it(tmp_path, monkeypatch, capsys, shared_data):
    db, sidecar, temp = _failed_windows_write(tmp_path, monkeypatch, capsys, shared_data)
    assert main([*db, "label", "", "--no-landmark"]) == 0
    assert main([*db, "write"]) == 0  # "1 unchanged": clears the record of the temp as its only copy
    assert main([*db, "label", "", "Petra"]) == 0
    capsys.readouterr()
    with monkeypatch.context() as patched:
        _disk_full_for_sidecars(patched)
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
