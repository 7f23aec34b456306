"""How undo looks for a file renamed or moved outside the app (undo_follow.py): the walk of
its folder never opens a file in the cloud (reading an online-only placeholder downloads
it), gets past folders it cannot list and folder links that loop, never enters a recycle
bin nor takes a hidden file for the photo, and is made once per undo, only when a file
is not at its path."""

from __future__ import annotations

import builtins
import io
import os
import shutil
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.metadata import undo_last_write
from tests.test_cloud_placeholders import online_only  # noqa: F401  (a fixture)
from tests.test_metadata_support import add_photo, make_jpeg, write_all


@pytest.fixture
def index(tmp_path):
    opened = PhotoIndex.open(tmp_path / "index.db")
    yield opened
    opened.close()


def _written(index: PhotoIndex, folder: Path, count: int) -> tuple[list[Path], list[bytes]]:
    """`count` photos in `folder`, labelled and written: their paths and original bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    photos = [make_jpeg(folder / f"IMG_{i:04d}.jpg", seed=i + 1) for i in range(count)]
    originals = [photo.read_bytes() for photo in photos]
    for photo in photos:
        add_photo(index, [photo], "Colosseum")
    assert write_all(index).written == count
    return photos, originals


def _opened(monkeypatch) -> list[str]:
    """The names of the files opened from now on (Path.read_bytes opens through io.open)."""
    names: list[str] = []
    real = io.open

    def recording(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)):
            names.append(os.path.basename(os.fsdecode(file)))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", recording)
    monkeypatch.setattr(builtins, "open", recording)
    return names


def test_a_file_of_the_right_size_online_only_is_never_opened(tmp_path, index, online_only, monkeypatch) -> None:
    """A cloud drive's placeholder of the moved file's size lies in the library: reading
    it would download it. It is not read, and the moved file is followed."""
    library = tmp_path / "lib"
    [photo], [original] = _written(index, library, 1)
    (library / "picked").mkdir()
    moved = photo.rename(library / "picked" / "best.jpg")
    shutil.copyfile(moved, library / "in the cloud.jpg")  # same size: would be hashed
    online_only.names.add("in the cloud.jpg")
    opened = _opened(monkeypatch)
    undone = undo_last_write(index)
    assert "in the cloud.jpg" not in opened
    assert (undone.written, undone.failed) == (1, 0), undone.errors
    assert moved.read_bytes() == original


def test_an_undo_gets_past_a_folder_it_cannot_list_and_a_link_that_loops(tmp_path, index, monkeypatch) -> None:
    library = tmp_path / "lib"
    [photo], [original] = _written(index, library, 1)
    for name in ("a", "locked", "z"):
        (library / name).mkdir()
    try:
        (library / "a" / "back up").symlink_to(library, target_is_directory=True)
    except OSError:
        pytest.skip("no folder links here")
    moved = photo.rename(library / "z" / "moved.jpg")
    real_scandir = os.scandir

    def scandir(path="."):
        if os.path.basename(os.fsdecode(path)) == "locked":
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    undone = undo_last_write(index)
    assert (undone.written, undone.failed) == (1, 0), undone.errors
    assert moved.read_bytes() == original


def _listings(monkeypatch) -> list[str]:
    """The names of the folders listed from now on."""
    listed: list[str] = []
    real_scandir = os.scandir
    monkeypatch.setattr(os, "scandir", lambda path=".": listed.append(os.path.basename(os.fsdecode(path)))
                        or real_scandir(path))
    return listed


def test_the_folder_is_walked_once_per_undo_and_only_when_a_file_moved(tmp_path, index, monkeypatch) -> None:
    library = tmp_path / "lib"
    photos, originals = _written(index, library, 3)
    (library / "other").mkdir()  # holds none of the batch's files: listed only by a walk
    listed = _listings(monkeypatch)
    assert undo_last_write(index).written == 3
    assert "other" not in listed  # every file where it was: no walk
    assert [photo.read_bytes() for photo in photos] == originals
    assert write_all(index).written == 3
    moved = [photo.rename(library / "other" / f"moved {photo.name}") for photo in photos]
    listed.clear()
    undone = undo_last_write(index)
    assert (undone.written, undone.failed) == (3, 0), undone.errors
    assert listed.count("other") == 1  # three files followed, one walk
    assert [path.read_bytes() for path in moved] == originals


def test_a_file_found_twice_is_named_not_guessed_and_the_batch_stays_open(tmp_path, index) -> None:
    library = tmp_path / "lib"
    [photo], [original] = _written(index, library, 1)
    (library / "picked").mkdir()
    (library / "backup").mkdir()
    moved = photo.rename(library / "picked" / photo.name)
    copy = library / "backup" / photo.name
    shutil.copyfile(moved, copy)
    for _ in range(2):  # a retry does not close the batch either
        undone = undo_last_write(index)
        assert (undone.written, undone.failed) == (0, 1)
        assert "found 2 times under other names" in undone.errors[0][1]
        assert str(moved) in undone.errors[0][1] and str(copy) in undone.errors[0][1]
        assert "that does not close this batch" in undone.next_step
    copy.unlink()  # the copy settled: the photo is followed
    assert undo_last_write(index).written == 1
    assert moved.read_bytes() == original


def _recorded_paths(index: PhotoIndex) -> list[str]:
    return [os.fsdecode(row[0]) if isinstance(row[0], bytes) else row[0]
            for row in index.conn.execute("SELECT path FROM files")]


def test_a_photo_deleted_into_a_nas_recycle_bin_is_never_followed_there(tmp_path, index) -> None:
    """Deleted over SMB on a Synology, the photo lands in lib/#recycle: an undo that
    followed it there would write into the bin and point the photo's record at it, the
    deleted photo seeming back."""
    library = tmp_path / "lib"
    [photo], _ = _written(index, library, 1)
    (library / "#recycle").mkdir()
    binned = photo.rename(library / "#recycle" / photo.name)
    written_bytes = binned.read_bytes()
    undo_last_write(index)
    assert binned.read_bytes() == written_bytes
    assert not [path for path in _recorded_paths(index) if "#recycle" in path]


def test_a_hidden_copy_is_never_taken_for_the_deleted_photo(tmp_path, index) -> None:
    """A sync tool's hidden temp holding our bytes is not the photo: restoring it would
    point the photo's record at a file the tool deletes."""
    library = tmp_path / "lib"
    [photo], [original] = _written(index, library, 1)
    hidden = library / f".syncthing.{photo.name}.tmp"
    shutil.copyfile(photo, hidden)
    photo.unlink()
    undo_last_write(index)
    assert hidden.read_bytes() != original
    assert not [path for path in _recorded_paths(index) if ".syncthing" in path]


def test_a_hidden_copy_does_not_stop_the_renamed_photo_being_followed(tmp_path, index) -> None:
    """Counted as a second copy, the hidden temp would make the undo refuse the renamed
    photo ("found 2 times") and leave our keyword in it."""
    library = tmp_path / "lib"
    [photo], [original] = _written(index, library, 1)
    shutil.copyfile(photo, library / f".syncthing.{photo.name}.tmp")
    moved = photo.rename(library / "best.jpg")
    undone = undo_last_write(index)
    assert (undone.written, undone.failed) == (1, 0), undone.errors
    assert moved.read_bytes() == original
