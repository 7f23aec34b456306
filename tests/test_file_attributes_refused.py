"""A file system that refuses chmod or utime (FUSE: fusefat, MTP through gvfs, some
sshfs answer ENOSYS, EPERM or ENOTSUP) made every JPEG write and undo fail with
"Function not implemented", though keeping the mode and times is best effort: the
photo's own data is what counts."""

from __future__ import annotations

import errno
import os
import stat

import pytest

from app.core.errors import MetadataWriteError
from app.core.metadata.atomic import replace_atomically


def _refuse(code: int):
    def refused(*args, **kwargs):
        raise OSError(code, os.strerror(code))
    return refused


@pytest.mark.parametrize("call", ["chmod", "utime"])
@pytest.mark.parametrize("code", [errno.ENOSYS, errno.EPERM, errno.ENOTSUP])
def test_a_disk_that_refuses_permissions_or_times_still_takes_the_write(tmp_path, monkeypatch, call, code) -> None:
    photo = tmp_path / "IMG_1.jpg"
    photo.write_bytes(b"old bytes")
    monkeypatch.setattr(os, call, _refuse(code))
    replace_atomically(photo, b"new bytes")
    assert photo.read_bytes() == b"new bytes"
    assert [p.name for p in tmp_path.iterdir()] == ["IMG_1.jpg"]  # no temp left


def test_another_error_setting_the_mode_still_stops_the_write(tmp_path, monkeypatch) -> None:
    photo = tmp_path / "IMG_1.jpg"
    photo.write_bytes(b"old bytes")
    monkeypatch.setattr(os, "chmod", _refuse(errno.EIO))  # the disk itself failing
    with pytest.raises(MetadataWriteError):
        replace_atomically(photo, b"new bytes")
    assert photo.read_bytes() == b"old bytes"
    assert [p.name for p in tmp_path.iterdir()] == ["IMG_1.jpg"]


@pytest.mark.skipif(os.name == "nt", reason="no umask-cut modes on Windows")
def test_an_eperm_chmod_that_would_narrow_the_photo_s_permissions_stops_the_write(tmp_path, monkeypatch) -> None:
    # an sshfs server refusing setstat: the temp keeps the mode the umask cut (0644 -> 0600)
    photo = tmp_path / "IMG_1.jpg"
    photo.write_bytes(b"old bytes")
    os.chmod(photo, 0o644)
    monkeypatch.setattr(os, "chmod", _refuse(errno.EPERM))
    old_umask = os.umask(0o077)
    try:
        with pytest.raises(MetadataWriteError, match="permissions"):
            replace_atomically(photo, b"new bytes")
    finally:
        os.umask(old_umask)
    assert photo.read_bytes() == b"old bytes" and stat.S_IMODE(photo.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["IMG_1.jpg"]
