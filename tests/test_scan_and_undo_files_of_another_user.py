"""Photos of another user at `scan` and `undo` (review3-3): as `write` does since 465537b,
both name the owner of a file they may not read or change instead of a bare "Permission
denied" or "make it writable" (only the owner or an administrator can). And an undo that
meets such a file keeps its batch open however often it is retried: before, the retry
closed the batch and lost the file's undo. Tests may run as root, whom permissions do not
stop: the read and os.access are faked, and this process is made another user."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core import file_owner, scan_folder_sync
from app.core.file_owner import AnotherUsersFileError
from app.core.metadata import atomic
from app.core.metadata.undo_outcome import passing_cause
from tests.test_cli_core import run_cli
from tests.test_metadata_support import make_jpeg
from tests.test_write_safety_support import _library

pwd = pytest.importorskip("pwd")  # the owner's name is POSIX's


def _as_another_user(monkeypatch, photo: Path) -> str:
    """Make this process someone else than `photo`'s owner; the owner's name."""
    owner = photo.stat().st_uid
    monkeypatch.setattr(file_owner, "_this_users_id", lambda: owner + 1)
    return pwd.getpwuid(owner).pw_name


def _refused(error_path: Path):
    return PermissionError(13, "Permission denied", str(error_path))


def test_scan_names_the_owner_of_a_file_it_may_not_read(tmp_path, capsys, monkeypatch) -> None:
    (tmp_path / "lib").mkdir()
    theirs = make_jpeg(tmp_path / "lib" / "theirs.jpg", size=(64, 48))
    owner = _as_another_user(monkeypatch, theirs)
    real_fingerprint = scan_folder_sync.fingerprint_file

    def may_not_read(path, *args, **kwargs):
        if Path(path) == theirs:
            raise _refused(theirs)
        return real_fingerprint(path, *args, **kwargs)

    monkeypatch.setattr(scan_folder_sync, "fingerprint_file", may_not_read)
    code, _, err = run_cli(capsys, "--db", str(tmp_path / "index.db"), "scan", str(theirs.parent))
    assert code != 0 and (f"{theirs}: cannot read (Permission denied): it belongs to {owner}, another user; "
                          "check its permissions") in err, err


def test_undo_names_the_owner_and_keeps_its_batch_open_for_a_file_of_another_user(tmp_path, capsys,
                                                                                  monkeypatch) -> None:
    db, _ = _library(tmp_path, ["mine.jpg", "theirs.jpg"])
    theirs = tmp_path / "theirs.jpg"
    written = theirs.read_bytes()
    assert run_cli(capsys, "--db", str(db), "write")[0] == 0
    labelled = theirs.read_bytes()
    assert labelled != written
    with monkeypatch.context() as patch:
        owner = _as_another_user(patch, theirs)
        real_read_bytes = Path.read_bytes

        def may_not_read(self: Path) -> bytes:  # rw------- of another user
            if self == theirs:
                raise _refused(self)
            return real_read_bytes(self)

        patch.setattr(Path, "read_bytes", may_not_read)
        code, _, err = run_cli(capsys, "--db", str(db), "undo")
        assert code == 1 and (f"error: {theirs}: cannot read the file (Permission denied): it belongs to {owner}, "
                              "another user; check its permissions") in err, err
        assert "1 file restored, 1 failed" in err and "make it writable)" not in err, err
        assert "1 file of another user (named above) that you may not change" in err, err
        patch.setattr(Path, "read_bytes", real_read_bytes)  # rw-r--r--: read, but not to be changed
        real_access = os.access
        patch.setattr(os, "access", lambda path, mode, **kw: False if Path(path) == theirs and mode & os.W_OK
                      else real_access(path, mode, **kw))
        for _attempt in range(2):  # a retry before the owner acts does not close the batch
            code, _, err = run_cli(capsys, "--db", str(db), "undo")
            assert code == 1 and f"error: {theirs}: the file belongs to {owner}, another user" in err, err
            assert "0 files restored, 1 failed" in err and "that does not close this batch" in err, err
            assert theirs.read_bytes() == labelled
    code, _, err = run_cli(capsys, "--db", str(db), "undo")  # the owner let us in: the undo it kept works
    assert code == 0 and "1 file restored, 0 failed" in err, err
    assert theirs.read_bytes() == written


def test_a_sidecar_in_a_folder_of_another_user_is_not_removed_and_names_the_owner(tmp_path, monkeypatch) -> None:
    """An undo removing a sidecar it created, its folder given to another user since."""
    sidecar = tmp_path / "DSC_0001.NEF.xmp"
    sidecar.write_bytes(b"<x:xmpmeta/>")
    owner = _as_another_user(monkeypatch, tmp_path)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if Path(path) == tmp_path and mode & os.W_OK
                        else real_access(path, mode, **kw))

    def may_not_remove(path) -> None:
        raise _refused(Path(path))

    monkeypatch.setattr(os, "remove", may_not_remove)
    with pytest.raises(AnotherUsersFileError, match=f"the folder {tmp_path} belongs to {owner}, another user"):
        atomic.remove_file(sidecar)
    assert passing_cause(AnotherUsersFileError("")) == "another user's"  # the undo keeps its batch open
