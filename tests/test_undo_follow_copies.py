"""Undo's follow of a file moved with no scan since (undo_follow.py) never takes a byte
for byte copy that the index keeps as a photo of its own (a backup folder inside the
library) for the photo's file, says "cannot tell" where a RAW edited in place cannot be
told to be the photo's rather than "another picture", and names a sidecar we created that
left with its photo instead of counting it restored without a word (review8 F1-F3)."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.core.index import PhotoIndex
from app.core.metadata import plan_writes, undo_last_write, write_labels
from app.core.metadata.plan import WriteOptions
from app.core.metadata.undo_outcome import GONE_WITH_ITS_PHOTO
from app.core.scanner import scan
from tests.test_raw_pictures_of_one_name import photo_of, write

RATED = b'<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="5" '


def _write_only(index: PhotoIndex, target: Path):
    plan = [item for item in plan_writes(index, "", False, WriteOptions()) if item.target == target]
    return write_labels(index, plan, WriteOptions())


def _library(tmp_path, shared_data, names: dict[str, str]) -> tuple[PhotoIndex, Path, Path]:
    """lib/ with the camera files `names` (name -> file of shared_data/camera), scanned, all
    labelled Petra; and a folder outside the library."""
    library, away = tmp_path / "lib", tmp_path / "elsewhere"
    away.mkdir()
    for name, source in names.items():
        (library / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared_data / "camera" / source, library / name)
    index = PhotoIndex.open(tmp_path / "index.db")
    scan(index, [library])
    for name in names:
        index.set_label(photo_of(index, library / name).id, "Petra")
    return index, library, away


def _rated(sidecar: Path) -> None:
    """The sidecar edited in another program (a rating added), our keywords kept."""
    sidecar.write_bytes(sidecar.read_bytes().replace(b"<rdf:Description ", RATED, 1))


def test_a_backup_copy_of_the_raw_that_is_a_photo_of_its_own_never_gets_its_sidecar_undone(
        tmp_path, shared_data) -> None:
    nef = "raw/Nikon_uncompressed.nef"
    index, library, away = _library(tmp_path, shared_data, {"DSC_0001.NEF": nef, "backup/DSC_0001.NEF": nef})
    try:
        backup = library / "backup" / "DSC_0001.NEF.xmp"
        assert _write_only(index, backup).written == 1  # batch 1: the copy's sidecar
        _rated(backup)  # edited in another program since: an undo would take our keywords out of it
        backup_bytes = backup.read_bytes()
        assert write(index).written == 1  # batch 2: lib/DSC_0001.NEF.xmp
        for name in ("DSC_0001.NEF", "DSC_0001.NEF.xmp"):
            (library / name).rename(away / name)  # taken out of the library with its RAW
        undone = undo_last_write(index)
        assert (undone.written, undone.failed) == (0, 1), undone.errors
        assert "lib/backup/DSC_0001.NEF holds its RAW DSC_0001.NEF byte for byte, but it is another photo's" \
            in undone.errors[0][1] and undone.errors[0][1].endswith("scan, then undo again")
        assert "second failure closes this batch" in undone.next_step  # kept open
        assert backup.read_bytes() == backup_bytes  # batch 1's, the copy's: untouched
        assert photo_of(index, library / "backup" / "DSC_0001.NEF").files == [str(library / "backup/DSC_0001.NEF")]
    finally:
        index.close()


def test_a_backup_copy_of_a_written_jpeg_that_is_a_photo_of_its_own_is_never_restored_for_it(
        tmp_path, shared_data) -> None:
    index, library, away = _library(tmp_path, shared_data, {"DSC_0001.JPG": "jpeg/Nikon_D90.jpg"})
    try:
        assert write(index).written == 1
        (library / "backup").mkdir()
        shutil.copyfile(library / "DSC_0001.JPG", library / "backup" / "DSC_0001.JPG")  # our bytes, copied
        scan(index, [library])  # the copy: a photo of its own
        copy = library / "backup" / "DSC_0001.JPG"
        copy_bytes = copy.read_bytes()
        (library / "DSC_0001.JPG").rename(away / "DSC_0001.JPG")
        undone = undo_last_write(index)
        assert (undone.written, undone.failed) == (0, 1), undone.errors
        assert "has disappeared" in undone.errors[0][1]
        assert copy.read_bytes() == copy_bytes  # the copy keeps Petra: it was never written as the photo
        assert photo_of(index, copy).files == [str(copy)]
    finally:
        index.close()


def test_a_raw_edited_in_place_beside_its_edited_sidecar_is_said_cannot_be_told_not_another_picture(
        tmp_path, shared_data) -> None:
    index, library, _ = _library(tmp_path, shared_data, {"DSC_0001.NEF": "raw/Nikon_uncompressed.nef"})
    try:
        assert write(index).written == 1
        raw, sidecar = library / "DSC_0001.NEF", library / "DSC_0001.NEF.xmp"
        raw.write_bytes(raw.read_bytes() + b"a tool wrote into the RAW")  # its fingerprint changes
        _rated(sidecar)
        edited = sidecar.read_bytes()
        undone = undo_last_write(index)
        assert (undone.written, undone.failed) == (0, 1), undone.errors
        message = undone.errors[0][1]
        assert f"cannot tell whether {raw} is still this photo's RAW (it changed since our write)" in message
        assert "another picture" not in message and message.endswith("scan, then undo again")
        assert sidecar.read_bytes() == edited
        scan(index, [library])
        again = undo_last_write(index)
        assert (again.written, again.failed) == (1, 0), again.errors
        assert b"Petra" not in sidecar.read_bytes() and b'xmp:Rating="5"' in sidecar.read_bytes()
    finally:
        index.close()


def test_a_raw_moved_and_copied_twice_gets_neither_sidecar_undone_by_a_guess(tmp_path, shared_data) -> None:
    """NEF and sidecar copied into two folders of the library, the originals deleted, no
    scan: undoing one copy's sidecar by a guess would close the batch with the other
    copy still saying Petra, and point the photo at whichever the walk met first."""
    index, library, _ = _library(tmp_path, shared_data, {"DSC_0001.NEF": "raw/Nikon_uncompressed.nef"})
    try:
        assert write(index).written == 1
        for name in ("DSC_0001.NEF", "DSC_0001.NEF.xmp"):
            for copy in ("a", "b"):
                (library / copy).mkdir(exist_ok=True)
                shutil.copyfile(library / name, library / copy / name)
            (library / name).unlink()
        undone = undo_last_write(index)
        assert (undone.written, undone.failed) == (0, 1), undone.errors
        assert "its RAW DSC_0001.NEF was found 2 times under other names" in undone.errors[0][1]
        assert all(b"Petra" in (library / copy / "DSC_0001.NEF.xmp").read_bytes() for copy in ("a", "b"))
        assert "second failure closes this batch" in undone.next_step  # kept open
    finally:
        index.close()


def test_a_sidecar_we_created_gone_with_its_raw_is_named_as_maybe_still_holding_the_label(
        tmp_path, shared_data) -> None:
    index, library, away = _library(tmp_path, shared_data, {"DSC_0001.NEF": "raw/Nikon_uncompressed.nef"})
    try:
        assert write(index).written == 1
        for name in ("DSC_0001.NEF", "DSC_0001.NEF.xmp"):
            (library / name).rename(away / name)  # to another disk: undo cannot tell it from deleted
        undone = undo_last_write(index)
        assert (undone.written, undone.failed) == (1, 0), undone.errors  # counted as a deleted one is
        assert undone.notes == [(str(library / "DSC_0001.NEF.xmp"), GONE_WITH_ITS_PHOTO)]
        assert "note: DSC_0001.NEF.xmp: gone with its photo (if you moved it out of the library" in undone.line()
    finally:
        index.close()


def test_a_backup_copy_stays_refused_after_a_scan_marked_the_photos_own_file_missing(tmp_path, shared_data) -> None:
    """The copy is the only file holding our bytes, as the JPEG renamed over a pair's is
    (tests/test_relabel_of_a_jpeg_renamed_over_a_pair.py, followed): but the photo still
    records its own file, missing, so the copy is another photo's and is never restored."""
    index, library, away = _library(tmp_path, shared_data, {"DSC_0001.JPG": "jpeg/Nikon_D90.jpg"})
    try:
        assert write(index).written == 1
        copy = library / "backup" / "DSC_0001.JPG"
        copy.parent.mkdir()
        shutil.copyfile(library / "DSC_0001.JPG", copy)
        scan(index, [library])  # the copy: a photo of its own
        (library / "DSC_0001.JPG").rename(away / "DSC_0001.JPG")
        scan(index, [library])  # the photo's file: missing
        copy_bytes = copy.read_bytes()
        undone = undo_last_write(index)
        assert (undone.written, undone.failed) == (0, 1), undone.errors
        assert copy.read_bytes() == copy_bytes
    finally:
        index.close()
