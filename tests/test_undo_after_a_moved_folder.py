"""Undo of a write after the folder written into was moved: the scan that recognises the
move (moved_photos.adopt_moved_photo) or `relocate` points the write journal at the
files' new place, sidecars moved with them too, so undo restores the photos there
rather than reporting them gone and closing the batch with our keywords still in them."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.core.index import PhotoIndex
from app.core.metadata import undo_last_write
from app.core.relocate import relocate_folder
from app.core.scanner import scan
from tests.test_metadata_support import make_jpeg
from tests.test_raw_pictures_of_one_name import photo_of, raw, write

D90 = dict(make="NIKON CORPORATION", model="NIKON D90", taken="2020:11:05 10:11:12")  # make_jpeg's EXIF


def labelled_and_written(index: PhotoIndex, library: Path, folder: Path) -> dict[str, bytes]:
    """Two JPEGs of `folder` scanned, labelled and written; their bytes before the write."""
    folder.mkdir(parents=True)
    before = {name: make_jpeg(folder / name, seed=seed).read_bytes()
              for seed, name in enumerate(("IMG_0001.JPG", "IMG_0002.JPG"))}
    scan(index, [library])
    for name, landmark in zip(before, ("Colosseum", "Pantheon")):
        index.set_label(photo_of(index, folder / name).id, landmark)
    assert write(index).written == 2
    assert all((folder / name).read_bytes() != old for name, old in before.items())
    return before


def test_undo_restores_the_jpegs_of_a_folder_renamed_and_rescanned_since_the_write(tmp_path) -> None:
    library = tmp_path / "lib"
    with PhotoIndex.open(tmp_path / "index.db") as index:
        before = labelled_and_written(index, library, library / "trip")
        (library / "trip").rename(library / "rome")
        assert scan(index, [library]).moved == 2
        undone = undo_last_write(index)
        assert (undone.written, undone.failed) == (2, 0), undone.line()
        assert undo_last_write(index).written == 0  # the batch is done with, not left open
    for name, old in before.items():
        assert (library / "rome" / name).read_bytes() == old
    assert not (library / "trip").exists()  # nothing written back at the old place


def test_undo_restores_the_jpegs_of_a_library_relocated_since_the_write(tmp_path) -> None:
    library = tmp_path / "drive E" / "Photos"
    with PhotoIndex.open(tmp_path / "index.db") as index:
        before = labelled_and_written(index, library, library / "trip")
        moved = tmp_path / "drive F" / "Photos"
        moved.parent.mkdir()
        shutil.move(library, moved)
        relocate_folder(index, library, moved)
        undone = undo_last_write(index)
        assert (undone.written, undone.failed) == (2, 0), undone.line()
    assert {name: (moved / "trip" / name).read_bytes() for name in before} == before
    assert not library.exists()


def test_undo_takes_back_the_sidecar_it_created_for_a_raw_moved_with_it_and_rescanned(tmp_path) -> None:
    library = tmp_path / "lib"
    folder = library / "trip"
    jpeg_bytes = make_jpeg(raw(folder / "DSC_0001.NEF", **D90).with_suffix(".JPG")).read_bytes()
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [library])
        index.set_label(photo_of(index, folder / "DSC_0001.JPG").id, "Colosseum")
        assert write(index).written == 2  # into the JPEG, and a new DSC_0001.NEF.xmp
        assert (folder / "DSC_0001.NEF.xmp").is_file()
        folder.rename(library / "rome")
        assert scan(index, [library]).moved == 1
        undone = undo_last_write(index)
        assert (undone.written, undone.failed) == (2, 0), undone.line()
    assert (library / "rome" / "DSC_0001.JPG").read_bytes() == jpeg_bytes
    assert not (library / "rome" / "DSC_0001.NEF.xmp").exists()  # ours, created by the write: taken back
