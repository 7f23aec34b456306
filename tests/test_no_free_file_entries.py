"""A disk with free space but no free file entries (ext4 out of inodes, a FAT root folder
holding 512 entries): a write said "No space left on device" while df showed 34 MB
free. Now it says the disk can hold no more files."""

from __future__ import annotations

import errno
import os
from types import SimpleNamespace

import pytest

from app.core.metadata import atomic
from app.core.metadata.disk_problems import OutOfSpaceError

pytestmark = pytest.mark.skipif(not hasattr(os, "statvfs"), reason="statvfs tells free file entries")


def _disk(free_entries: int, files: int = 64):
    return lambda _folder: SimpleNamespace(f_files=files, f_favail=free_entries, f_bavail=34 * 256, f_frsize=4096,
                                           f_flag=0)


def _no_room_to_create(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("free_entries, files, said", [
    (0, 64, "can hold no more files (34 MB free, but no free file entries): delete some files on it"),
    (5, 64, os.strerror(errno.ENOSPC)),  # entries left: the space is what is missing
    (0, 0, os.strerror(errno.ENOSPC)),  # a file system that does not count its files
])
def test_a_write_says_when_the_disk_has_no_free_file_entries(tmp_path, monkeypatch, free_entries, files, said):
    photo = tmp_path / "IMG_1.jpg"
    photo.write_bytes(b"old bytes")
    monkeypatch.setattr(os, "statvfs", _disk(free_entries, files))
    monkeypatch.setattr(os, "open", _no_room_to_create)
    with pytest.raises(OutOfSpaceError) as raised:
        atomic.replace_atomically(photo, b"new bytes")
    assert said in str(raised.value) and str(raised.value).endswith("the original is intact")
    monkeypatch.undo()
    assert photo.read_bytes() == b"old bytes"


def test_undo_on_a_disk_that_can_hold_no_more_files_says_so_in_its_summary(tmp_path, monkeypatch):
    # its lines said the disk can hold no more files; its summary said "free space on the disk"
    from app.core.index import PhotoIndex
    from app.core.metadata import plan_writes, undo_last_write, write_labels
    from tests.test_write_safety_support import _library

    db, _ids = _library(tmp_path, ["a.jpg"], label="Petra")
    with PhotoIndex.open(db) as index:
        assert write_labels(index, plan_writes(index)).written == 1
        with monkeypatch.context() as patch:
            patch.setattr(os, "statvfs", _disk(0))
            patch.setattr(os, "open", _no_room_to_create)
            summary = undo_last_write(index)
    assert (summary.written, summary.failed) == (0, 1)
    assert ("1 file on a disk that can hold no more files: delete some files on it (free space does not help) "
            "and undo again") in summary.line()
    assert "free space on the disk" not in summary.line()
