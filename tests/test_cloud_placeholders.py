"""Photos a cloud drive keeps online only (app/core/cloud_files.py). On macOS 13 and
earlier "Optimize Mac Storage" replaced IMG_0001.jpg by a hidden `.IMG_0001.jpg.icloud`:
the scan called the photo missing, its label left search and `write`, and `forget
--missing` dropped it for good. A Windows placeholder (OneDrive Files On-Demand) was read
by the scan, which downloads it. Now such a photo is kept as indexed, never read, and
`tag` and `write` skip it with a note."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

import app.core.scan_folder_sync as scan_folder_sync
from app.core.cloud_files import FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS, IN_ICLOUD, ONLINE_ONLY
from app.core.decode import decode_for_model
from app.core.errors import PhotoNotReadError
from app.core.index import PhotoIndex
from app.core.index.forget import forget_missing, missing_photos
from app.core.metadata.plan import plan_writes
from app.core.scanner import scan
from tests.test_index_support import write_jpeg

# what iCloud leaves: a small binary plist naming the file (its bytes do not matter here)
STAND_IN = b"bplist00\xd3\x01\x02\x03NSURLFileSizeKey_\x10\x0fNSURLNameKeyIMG_0001.jpg" + bytes(120)


@pytest.fixture
def index():
    with PhotoIndex.open(":memory:") as idx:
        yield idx


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "iCloud Drive" / "Trips"
    for number in range(3):
        write_jpeg(root / f"IMG_000{number}.jpg", color=(40 * number, 2, 3))
    return root


def evict(photo: Path, keep: Path) -> None:
    """What "Optimize Mac Storage" does: the file goes (kept aside, to download again), its stand-in comes."""
    photo.rename(keep)
    photo.with_name(f".{photo.name}.icloud").write_bytes(STAND_IN)


def download(photo: Path, kept: Path) -> None:
    photo.with_name(f".{photo.name}.icloud").unlink()
    kept.rename(photo)


def labelled_scan(index: PhotoIndex, library: Path) -> int:
    scan(index, [library])
    photo_id = index.search("IMG_0001")[0].id
    index.set_label(photo_id, "Eiffel Tower")
    return photo_id


def test_a_photo_in_icloud_keeps_its_label_in_search_and_is_not_offered_for_forgetting(
        tmp_path: Path, index: PhotoIndex, library: Path) -> None:
    photo_id = labelled_scan(index, library)
    evict(library / "IMG_0001.jpg", tmp_path / "kept.jpg")
    summary = scan(index, [library])
    assert (summary.photos, summary.missing, summary.errors, summary.not_downloaded) == (3, 0, 0, 1)
    assert "1 file in iCloud or online-only, not downloaded (kept as indexed)" in summary.line()
    assert [photo.id for photo in index.search('label:"Eiffel Tower"')] == [photo_id]
    assert missing_photos(index).photos == 0
    assert forget_missing(index).photos == 0 and index.get(photo_id).label == "Eiffel Tower"
    again = scan(index, [library])  # nothing changes while it stays in iCloud
    assert (again.new, again.changed, again.missing, again.not_downloaded) == (0, 0, 0, 1)


def test_tag_and_write_skip_a_photo_in_icloud_with_a_note(tmp_path: Path, index: PhotoIndex, library: Path) -> None:
    labelled_scan(index, library)
    evict(library / "IMG_0001.jpg", tmp_path / "kept.jpg")
    scan(index, [library])
    with pytest.raises(PhotoNotReadError) as raised:
        decode_for_model(library / "IMG_0001.jpg", 224)
    assert str(raised.value) == f"{library / 'IMG_0001.jpg'}: {IN_ICLOUD}"
    assert "download it in Finder first" in str(raised.value)
    [item] = plan_writes(index)
    assert item.problem == IN_ICLOUD and item.label == "Eiffel Tower"


def test_downloaded_again_the_photo_is_as_before(tmp_path: Path, index: PhotoIndex, library: Path) -> None:
    photo_id = labelled_scan(index, library)
    evict(library / "IMG_0001.jpg", tmp_path / "kept.jpg")
    scan(index, [library])
    download(library / "IMG_0001.jpg", tmp_path / "kept.jpg")
    summary = scan(index, [library])
    assert (summary.new, summary.changed, summary.missing, summary.errors, summary.not_downloaded) == (0, 0, 0, 0, 0)
    [item] = plan_writes(index)
    assert item.photo_id == photo_id and item.problem is None and item.after.subject == ["Eiffel Tower"]


def test_a_photo_an_older_version_marked_missing_comes_back_and_is_kept_by_forget(
        tmp_path: Path, index: PhotoIndex, library: Path) -> None:
    """That version's scan marked the evicted photo missing; `forget --missing` before the
    next scan keeps it, and the next scan brings it back without reading anything."""
    photo_id = labelled_scan(index, library)
    evict(library / "IMG_0001.jpg", tmp_path / "kept.jpg")
    stand_in = library / ".IMG_0001.jpg.icloud"
    stand_in.rename(tmp_path / "stand-in")  # as that version saw it: the file gone, the stand-in skipped
    assert scan(index, [library]).missing == 1
    (tmp_path / "stand-in").rename(stand_in)
    missing = missing_photos(index)
    assert (missing.photos, missing.in_icloud) == (0, 1)
    assert "kept 1 missing photo in iCloud, not downloaded: a scan keeps it with its labels" in missing.kept_line()
    summary = scan(index, [library])
    assert (summary.missing, summary.errors, summary.not_downloaded) == (0, 0, 1)
    assert [photo.id for photo in index.search('label:"Eiffel Tower"')] == [photo_id]
    assert index.stats()["missing"] == 0


def test_a_stand_in_of_a_photo_never_indexed_is_a_note_to_scan_once_downloaded(
        index: PhotoIndex, library: Path) -> None:
    (library / ".IMG_0009.jpg.icloud").write_bytes(STAND_IN)
    (library / ".notes.txt.icloud").write_bytes(STAND_IN)  # no photo: left alone
    summary = scan(index, [library])
    assert (summary.photos, summary.new, summary.errors) == (3, 3, 1)
    [(path, message)] = [(e.path, e.message) for e in index.errors()]
    assert path == str(library / "IMG_0009.jpg")
    assert message == f"{library / 'IMG_0009.jpg'}: {IN_ICLOUD}, then scan again"


# -- Windows placeholders (OneDrive Files On-Demand): their attributes say reading recalls them --------

class _Placeholder:
    """A stat result, or a folder entry, of a file whose data is in the cloud."""

    def __init__(self, real) -> None:
        self._real = real

    def __getattr__(self, name):
        return getattr(self._real, name)

    @property
    def st_file_attributes(self) -> int:
        return getattr(self._real, "st_file_attributes", 0) | FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS

    def stat(self, *args, **kwargs):
        return _Placeholder(self._real.stat(*args, **kwargs))


class _Listing:
    def __init__(self, real, names) -> None:
        self._real, self._names = real, names

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._real.close()

    def __iter__(self):
        return (_Placeholder(entry) if entry.name in self._names else entry for entry in self._real)


@pytest.fixture
def online_only(monkeypatch):
    """Make the files named in `.names` online-only placeholders, as Windows' stat (and
    folder listing) shows them; `.read`: the files the scan reads."""
    names: set[str] = set()
    real_stat, real_scandir = os.stat, os.scandir

    def stat(path, *args, **kwargs):
        result = real_stat(path, *args, **kwargs)
        return _Placeholder(result) if os.path.basename(os.fsdecode(path)) in names else result

    monkeypatch.setattr(os, "stat", stat)
    monkeypatch.setattr(os, "scandir", lambda path=".": _Listing(real_scandir(path), names))
    read: list[str] = []
    real_fingerprint, real_read = scan_folder_sync.fingerprint_file, scan_folder_sync.read_photo_info
    monkeypatch.setattr(scan_folder_sync, "fingerprint_file",
                        lambda path, size: read.append(Path(path).name) or real_fingerprint(path, size))
    monkeypatch.setattr(scan_folder_sync, "read_photo_info",
                        lambda path: read.append(Path(path).name) or real_read(path))
    return SimpleNamespace(names=names, read=read)


def test_a_new_online_only_file_is_not_read_and_is_said_online_only(
        index: PhotoIndex, library: Path, online_only) -> None:
    online_only.names.add("IMG_0002.jpg")
    summary = scan(index, [library])
    assert "IMG_0002.jpg" not in online_only.read
    assert (summary.photos, summary.new, summary.errors) == (2, 2, 1)
    [message] = [e.message for e in index.errors()]
    assert message == f"{library / 'IMG_0002.jpg'}: {ONLINE_ONLY}, then scan again"
    assert "online-only" in message and "not read, as reading it would download it" in message


def test_an_indexed_photo_made_online_only_keeps_its_label_and_tag_and_write_skip_it(
        index: PhotoIndex, library: Path, online_only) -> None:
    photo_id = labelled_scan(index, library)
    photo = library / "IMG_0001.jpg"
    online_only.names.add(photo.name)
    os.utime(photo, ns=(1_600_000_000_000_000_000,) * 2)  # its date changed too: still not read
    online_only.read.clear()
    summary = scan(index, [library])
    assert online_only.read == []
    assert (summary.missing, summary.errors, summary.not_downloaded) == (0, 1, 1)
    assert [photo.id for photo in index.search('label:"Eiffel Tower"')] == [photo_id]
    with pytest.raises(PhotoNotReadError, match="online-only"):
        decode_for_model(photo, 224)
    [item] = plan_writes(index)
    assert item.problem == ONLINE_ONLY


LONG_NAME = "京都旅行の写真" * 11 + "_DSC_0001_edited.JPG"  # 251 bytes: its stand-in's name would be 259


def test_a_missing_photo_whose_stand_in_name_would_be_too_long_is_only_missing(
        index: PhotoIndex, library: Path) -> None:
    """The iCloud check of a missing photo named 248-255 bytes raised "File name too long",
    which ended `write`, `forget --missing` and the app's Forget missing photos… in a
    traceback; a stand-in whose name cannot exist is not there: the photo is missing."""
    from app.core.cloud_files import icloud_stand_in_note, not_downloaded_note

    long_photo = write_jpeg(library / LONG_NAME, color=(9, 9, 9))
    assert len(os.fsencode(LONG_NAME)) == 251
    scan(index, [library])
    for photo in index.search(""):
        index.set_label(photo.id, "Kinkaku-ji")
    long_photo.unlink()
    assert not_downloaded_note(long_photo) is None and icloud_stand_in_note(long_photo) is None
    plans = plan_writes(index)
    problems = {Path(item.target).name: item.problem for item in plans}
    assert problems[LONG_NAME] and "missing" in problems[LONG_NAME]
    assert problems["IMG_0001.jpg"] is None  # the others are written as before
    scan(index, [library])
    missing = missing_photos(index)
    assert (missing.photos, missing.in_icloud) == (1, 0)
    assert forget_missing(index).photos == 1


def test_a_sidecar_in_icloud_is_not_replaced_by_a_new_one(tmp_path: Path, index: PhotoIndex) -> None:
    """Optimize Mac Storage evicts sidecars too: `write` took DSC_0001.NEF.xmp, gone to
    `.DSC_0001.NEF.xmp.icloud`, for no sidecar and made a new one with the keywords only,
    beside the stand-in, so darktable's history was no longer in the sidecar it reads.
    Now that photo is skipped with a note, and the batch goes on."""
    from tests.test_metadata_fields import DARKTABLE_SIDECAR
    from tests.test_metadata_support import add_photo, raw_with_sidecar
    from tests.test_write_odd_files import write_all

    raw, sidecar, _ = raw_with_sidecar(tmp_path / "lib", "DSC_0001.NEF.xmp", DARKTABLE_SIDECAR)
    jpeg = write_jpeg(tmp_path / "lib" / "IMG_0002.jpg", color=(9, 9, 9))
    add_photo(index, [raw], "Colosseum")
    add_photo(index, [jpeg], "Colosseum")
    evict(sidecar, tmp_path / "kept.xmp")
    problems = {Path(item.target).name: item.problem for item in plan_writes(index)}
    assert problems["DSC_0001.NEF.xmp"] == f"its sidecar DSC_0001.NEF.xmp is {IN_ICLOUD}"
    summary = write_all(index)
    assert (summary.written, summary.failed) == (1, 1)
    assert sorted(os.listdir(tmp_path / "lib")) == [".DSC_0001.NEF.xmp.icloud", "DSC_0001.NEF", "IMG_0002.jpg"]


@pytest.mark.parametrize("cloud", ["iCloud stand-in", "online-only"])
def test_undo_of_a_photo_in_the_cloud_waits_for_it(tmp_path: Path, index: PhotoIndex, library: Path,
                                                   online_only, cloud: str) -> None:
    """undo took an evicted photo for a deleted one: the second undo closed the batch
    ("the photo file was deleted since"), and once downloaded the photo kept our keyword.
    Now the photo is not read (that would download it) and the batch stays open."""
    from app.core.metadata import undo_last_write
    from tests.test_write_odd_files import write_all

    labelled_scan(index, library)
    photo = library / "IMG_0001.jpg"
    original = photo.read_bytes()
    assert write_all(index).written == 1
    if cloud == "online-only":
        online_only.names.add(photo.name)
    else:
        evict(photo, tmp_path / "kept.jpg")
    for _attempt in range(2):
        summary = undo_last_write(index)
        assert (summary.written, summary.failed) == (0, 1)
        assert "not downloaded" in summary.errors[0][1] and "disappeared" not in summary.errors[0][1]
        assert "in iCloud or online-only, not downloaded: download it" in summary.next_step
        assert "closed" not in summary.next_step and "that does not close this batch" in summary.next_step
    if cloud == "online-only":
        online_only.names.clear()
    else:
        download(photo, tmp_path / "kept.jpg")
    summary = undo_last_write(index)
    assert (summary.written, summary.failed) == (1, 0) and photo.read_bytes() == original


def test_the_icloud_check_of_forget_missing_lists_each_folder_once(
        tmp_path: Path, monkeypatch) -> None:
    """Forget missing photos… counts them on the app's thread: it made two stats per
    missing photo (1001 for 500), minutes over a share for a deleted folder of thousands.
    Now the file system calls do not grow with the photos; the one in iCloud is still kept."""

    def calls_for(photos: int) -> tuple[int, tuple[int, int]]:
        library = tmp_path / f"lib{photos}"
        write_jpeg(library / "keep.jpg", color=(200, 200, 200))
        for number in range(photos):  # each picture its own (the same one in two files is one photo)
            write_jpeg(library / "Deleted" / f"IMG_{number:04d}.jpg", color=(number, 2, 3))
            write_jpeg(library / "Thinned" / f"IMG_{number:04d}.jpg", color=(number, 90, 3))
        write_jpeg(library / "Thinned" / "IMG_9999.jpg", color=(9, 9, 9))
        with PhotoIndex.open(":memory:") as index:
            scan(index, [library])
            shutil.rmtree(library / "Deleted")
            for number in range(1, photos):
                (library / "Thinned" / f"IMG_{number:04d}.jpg").unlink()
            evict(library / "Thinned" / "IMG_0000.jpg", tmp_path / f"kept{photos}.jpg")  # as an older version saw it:
            (library / "Thinned" / ".IMG_0000.jpg.icloud").rename(tmp_path / "stand-in")  # missing
            scan(index, [library])
            (tmp_path / "stand-in").rename(library / "Thinned" / ".IMG_0000.jpg.icloud")
            counted = {"stat": 0, "lstat": 0, "scandir": 0}
            with monkeypatch.context() as patch:
                for name in counted:
                    real = getattr(os, name)
                    patch.setattr(os, name, lambda *a, _real=real, _name=name, **k:
                                  counted.__setitem__(_name, counted[_name] + 1) or _real(*a, **k))
                missing = missing_photos(index)
        return sum(counted.values()), (missing.photos, missing.in_icloud)

    few, many = calls_for(3), calls_for(40)
    assert few[1] == (3 + 2, 1) and many[1] == (40 + 39, 1)
    assert many[0] == few[0]
