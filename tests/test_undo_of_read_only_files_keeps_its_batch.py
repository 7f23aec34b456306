"""An undo of a write whose files were made read-only since (chmod 444, the folder 555:
copied from a read-only source, a "protect" flag, a share's permissions changed), found
by the media tester (t_media-6): a second try closed the batch for good and the labels
stayed in the photos. The files are there and intact, only a permission is missing, which
the user can give as they unlock a card: the batch stays open however often they try.

The permission bits refuse as they do for a normal user even under root (the app checks
them as well as os.access); the removal of our sidecar from the read-only folder is
simulated as a normal user meets it (EACCES from unlink), since root may remove it."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from PIL import Image

from app.core.metadata import undo_last_write
from tests.test_metadata_support import add_photo, index, make_jpeg, write_all  # noqa: F401


def _refused_in(folder: Path, real):
    """os.remove, refused in `folder` as for a user who may not write into it."""
    def remove(path, *args, **kwargs):
        if os.fsdecode(os.fspath(path)).startswith(str(folder) + os.sep):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real(path, *args, **kwargs)
    return remove


def test_an_undo_of_files_made_read_only_keeps_its_batch_until_they_are_writable(tmp_path, index, monkeypatch):
    folder = tmp_path / "DCIM"
    folder.mkdir()
    photos = [make_jpeg(folder / f"DSC_000{i}.JPG", seed=i) for i in range(2)]
    originals = [photo.read_bytes() for photo in photos]
    png = folder / "shot.png"
    Image.new("RGB", (8, 8)).save(png)
    for photo in [*photos, png]:
        add_photo(index, [photo], "Petra")
    written = write_all(index)
    sidecar = folder / "shot.png.xmp"
    assert written.written == 3 and sidecar.exists()
    for photo in photos:
        photo.chmod(0o444)
    folder.chmod(0o555)
    try:
        with monkeypatch.context() as patch:
            patch.setattr(os, "remove", _refused_in(folder, os.remove))
            for _attempt in range(3):  # however often the user tries before finding the cause
                summary = undo_last_write(index)
                line = summary.line()
                assert (summary.batch_id, summary.written, summary.failed) == (written.batch_id, 0, 3), line
                assert "3 files this app may not change for their permissions" in line, line
                assert "does not close this batch" in line and "closed" not in line and "failure" not in line, line
                removal = next(message for path, message in summary.errors if path == str(sidecar))
                # worded as write words a read-only folder, not the system's bare "Permission denied"
                assert f"the folder {folder} is read-only; make it writable" in removal, removal
    finally:
        folder.chmod(0o755)
        for photo in photos:
            photo.chmod(0o644)
    summary = undo_last_write(index)  # writable again: the batch is undone
    assert (summary.batch_id, summary.written, summary.failed) == (written.batch_id, 3, 0), summary.line()
    assert [photo.read_bytes() for photo in photos] == originals and not sidecar.exists()
    assert undo_last_write(index).batch_id is None
