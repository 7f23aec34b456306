"""Another program (a sync client, a camera import, an editor's save) renames a new
file over a photo or sidecar while `write` or `undo` builds its temp: our temp, made
from the old bytes, must not be renamed over it (hostile-4: the new picture was lost
for good, and undo then put the old one back). The other program's file survives byte
for byte, the error names it, the other files are written, and the journal records
no write of it, so undo leaves it alone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, atomic, journal, plan_writes, undo_last_write, write_labels
from app.core.metadata.jpeg_fields import read_fields
from tests.test_metadata_fields import DARKTABLE_SIDECAR
from tests.test_metadata_support import add_photo, make_jpeg

CHANGED = "changed on disk while being written"


@pytest.fixture
def index(tmp_path):
    opened = PhotoIndex.open(tmp_path / "index.db")
    yield opened
    opened.close()


def _renamed_over_while_written(monkeypatch, theirs: dict[Path, bytes]) -> list[Path]:
    """Once our temp of a file in `theirs` is written and fsynced (before its rename),
    another program renames a file holding its bytes there over it (or creates it)."""
    real_flush, done = atomic.flush_to_disk, []

    def flush_then_replaced(fd: int) -> None:
        real_flush(fd)
        for target, new_bytes in theirs.items():
            temps = target.parent.glob(f".{target.name}.*.tmp")
            if target not in done and any(os.path.samestat(p.stat(), os.fstat(fd)) for p in temps):
                staged = target.parent / "staging" / target.name
                staged.parent.mkdir(exist_ok=True)
                staged.write_bytes(new_bytes)
                os.replace(staged, target)
                done.append(target)

    monkeypatch.setattr(atomic, "flush_to_disk", flush_then_replaced)
    return done


def _write(index: PhotoIndex):
    options = WriteOptions(workers=1)
    return write_labels(index, plan_writes(index, "", False, options), options)


def _no_temps(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_a_jpeg_renamed_over_during_write_keeps_the_other_programs_picture(tmp_path, index, monkeypatch):
    photos = [make_jpeg(tmp_path / f"{name}.jpg", size=(160, 120), seed=seed) for seed, name in enumerate("abc")]
    for photo in photos:
        add_photo(index, [photo], "Petra")
    replacement = make_jpeg(tmp_path / "new.jpg", size=(160, 120), seed=9).read_bytes()
    (tmp_path / "new.jpg").unlink()
    done = _renamed_over_while_written(monkeypatch, {photos[1]: replacement})

    summary = _write(index)

    assert done == [photos[1]]
    assert photos[1].read_bytes() == replacement
    assert (summary.written, summary.failed) == (2, 1)
    [(path, message)] = summary.errors
    assert path == str(photos[1]) and str(photos[1]) in message and CHANGED in message
    assert [read_fields(p.read_bytes()).subject for p in (photos[0], photos[2])] == [["Petra"], ["Petra"]]
    assert _no_temps(tmp_path)
    monkeypatch.undo()
    undone = undo_last_write(index)
    assert (undone.written, undone.failed) == (2, 0), undone.errors
    assert photos[1].read_bytes() == replacement  # no write of it journalled: undo leaves it alone


def test_a_sidecar_renamed_over_or_created_during_write_is_left_as_the_other_program_made_it(
        tmp_path, index, monkeypatch):
    for folder in ("edited", "new", "other"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "DSC_0001.NEF").write_bytes(b"not really a raw file, never opened")
        add_photo(index, [tmp_path / folder / "DSC_0001.NEF"], "Petra")
    edited, created = tmp_path / "edited" / "DSC_0001.NEF.xmp", tmp_path / "new" / "DSC_0001.NEF.xmp"
    edited.write_text(DARKTABLE_SIDECAR)
    theirs = DARKTABLE_SIDECAR.replace('history_end="2"', 'history_end="3"').encode()

    done = _renamed_over_while_written(monkeypatch, {edited: theirs, created: theirs})

    summary = _write(index)

    assert sorted(done) == sorted([edited, created])
    assert edited.read_bytes() == theirs and created.read_bytes() == theirs
    assert (summary.written, summary.failed) == (1, 2), summary.errors
    assert all(path in message for path, message in summary.errors)
    assert b"Petra" in (tmp_path / "other" / "DSC_0001.NEF.xmp").read_bytes()
    assert all(_no_temps(tmp_path / folder) for folder in ("edited", "new"))
    messages = dict(summary.errors)
    assert CHANGED in messages[str(edited)] and "another program created" in messages[str(created)]
    monkeypatch.undo()
    undone = undo_last_write(index)
    assert (undone.written, undone.failed) == (1, 0), undone.errors
    assert edited.read_bytes() == theirs and created.read_bytes() == theirs


def test_undo_leaves_a_photo_another_program_renamed_over_while_it_ran(tmp_path, index, monkeypatch):
    photos = [make_jpeg(tmp_path / f"{name}.jpg", size=(160, 120), seed=seed) for seed, name in enumerate("abc")]
    originals = [p.read_bytes() for p in photos]
    for photo in photos:
        add_photo(index, [photo], "Petra")
    assert _write(index).written == 3
    replacement = originals[1][:-2] + b"\x00\xff\xd9"  # another program's picture, not ours
    done = _renamed_over_while_written(monkeypatch, {photos[1]: replacement})

    undone = undo_last_write(index)

    assert done == [photos[1]] and photos[1].read_bytes() == replacement
    assert (undone.written, undone.failed) == (2, 1)
    [(path, message)] = undone.errors
    assert path == str(photos[1]) and CHANGED in message
    assert [photos[0].read_bytes(), photos[2].read_bytes()] == [originals[0], originals[2]]
    assert _no_temps(tmp_path)
    monkeypatch.undo()
    undo_last_write(index)  # its rerun finds nothing of ours in it
    assert photos[1].read_bytes() == replacement


def test_a_jpeg_renamed_over_after_write_read_it_is_not_overwritten(tmp_path, index, monkeypatch):
    """The window before replace_atomically's own first look (the journal's commit) is
    covered by the stat taken before the photo's bytes were read."""
    photo = make_jpeg(tmp_path / "b.jpg", size=(160, 120), seed=1)
    add_photo(index, [photo], "Petra")
    (tmp_path / "staging").mkdir()
    theirs = make_jpeg(tmp_path / "staging" / "b.jpg", size=(160, 120), seed=5)
    replacement, real_begin = theirs.read_bytes(), journal.begin_entry

    def begun_then_replaced(*args, **kwargs):
        os.replace(theirs, photo)
        return real_begin(*args, **kwargs)

    monkeypatch.setattr(journal, "begin_entry", begun_then_replaced)
    summary = _write(index)
    assert photo.read_bytes() == replacement
    assert summary.failed == 1 and CHANGED in summary.errors[0][1]
