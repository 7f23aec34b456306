"""Another program renames its file over a photo or sidecar right after `write` renamed
ours in, before the read-back check (review3-1): the check then fails on THEIR file, and
putting our original back would destroy it (an editor's new picture replaced by the old
one, a sidecar Lightroom just saved deleted). Their file survives byte for byte, the
error says it changed right after our write rather than that ours did not read back,
and no write of it stays journalled, so undo leaves it alone too."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, undo_last_write, write_labels, writer
from tests.test_metadata_fields import DARKTABLE_SIDECAR
from tests.test_metadata_support import add_photo, make_jpeg

RIGHT_AFTER = "changed on disk right after our write"


@pytest.fixture
def index(tmp_path):
    opened = PhotoIndex.open(tmp_path / "index.db")
    yield opened
    opened.close()


def _renamed_over_before_the_check(monkeypatch, theirs: dict[Path, bytes]) -> list[Path]:
    """Just before write reads a file in `theirs` back, another program renames a file
    holding its bytes over it (as an editor's save or a sync client's download does)."""
    done: list[Path] = []

    def hooked(real):
        def verify(path, *args, **kwargs):
            if path in theirs and path not in done:
                staged = path.parent / "staging" / path.name
                staged.parent.mkdir(exist_ok=True)
                staged.write_bytes(theirs[path])
                os.replace(staged, path)
                done.append(path)
            return real(path, *args, **kwargs)
        return verify

    monkeypatch.setattr(writer, "verify_jpeg", hooked(writer.verify_jpeg))
    monkeypatch.setattr(writer, "verify_sidecar", hooked(writer.verify_sidecar))
    return done


def _write(index: PhotoIndex):
    options = WriteOptions(workers=1)
    return write_labels(index, plan_writes(index, "", False, options), options)


def test_a_jpeg_renamed_over_right_after_our_rename_keeps_the_other_programs_picture(tmp_path, index, monkeypatch):
    photos = [make_jpeg(tmp_path / f"{name}.jpg", size=(64, 48), seed=seed) for seed, name in enumerate("ab")]
    for photo in photos:
        add_photo(index, [photo], "Petra")
    replacement = photos[1].read_bytes()[:-2] + b"\x00\xff\xd9"  # the editor's picture: not ours, no keyword
    done = _renamed_over_before_the_check(monkeypatch, {photos[1]: replacement})

    summary = _write(index)

    assert done == [photos[1]]
    assert photos[1].read_bytes() == replacement
    assert (summary.written, summary.failed) == (1, 1)
    [(path, message)] = summary.errors
    assert path == str(photos[1]) and RIGHT_AFTER in message and "did not read back" not in message
    monkeypatch.undo()
    undone = undo_last_write(index)
    assert (undone.written, undone.failed) == (1, 0), undone.errors
    assert photos[1].read_bytes() == replacement


@pytest.mark.parametrize("existed", [True, False], ids=["updated", "created"])
def test_a_sidecar_renamed_over_right_after_our_rename_is_left_as_the_other_program_saved_it(
        tmp_path, index, monkeypatch, existed):
    raw = tmp_path / "DSC_0001.NEF"
    raw.write_bytes(b"not really a raw file, never opened")
    add_photo(index, [raw], "Petra")
    sidecar = tmp_path / "DSC_0001.NEF.xmp"
    if existed:
        sidecar.write_text(DARKTABLE_SIDECAR)
    theirs = DARKTABLE_SIDECAR.replace('history_end="2"', 'history_end="3"').encode()
    done = _renamed_over_before_the_check(monkeypatch, {sidecar: theirs})

    summary = _write(index)

    assert done == [sidecar]
    assert sidecar.read_bytes() == theirs
    assert (summary.written, summary.failed) == (0, 1)
    [(path, message)] = summary.errors
    assert path == str(sidecar) and RIGHT_AFTER in message and "did not read back" not in message
    monkeypatch.undo()
    undo_last_write(index)
    assert sidecar.read_bytes() == theirs
