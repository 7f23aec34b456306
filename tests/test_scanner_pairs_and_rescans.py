"""The scanner on synthetic libraries: JPEG and RAW pairs, rescans, moved, renamed and deleted photos."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import app.core.scan_details as scan_details
import app.core.scan_folder_sync as scan_folder_sync
from app.core.index import PhotoIndex
from app.core.photo_info import PhotoInfo, read_photo_info
from app.core.scanner import scan
from tests.test_index_support import write_jpeg
from tests.test_scan_support import index  # noqa: F401


@pytest.fixture
def fake_raw(monkeypatch):
    """RAW files in these tests are placeholders: report them as valid RAW
    without rawpy (real RAW parsing is tested in test_photo_info)."""
    def read(path):
        if str(path).lower().endswith((".nef", ".cr2")):
            return PhotoInfo(kind="raw", width=6000, height=4000, camera_make="NIKON CORPORATION", camera_model="NIKON D850")
        return read_photo_info(path)

    monkeypatch.setattr(scan_folder_sync, "read_photo_info", read)


def test_jpeg_and_raw_with_the_same_stem_are_one_photo(tmp_path: Path, index: PhotoIndex, fake_raw) -> None:
    write_jpeg(tmp_path / "trip" / "DSC_8188.JPG", taken="2021:07:14 09:30:00", subsec="25", offset="+02:00")
    (tmp_path / "trip" / "DSC_8188.NEF").write_bytes(b"raw" * 1000)
    (tmp_path / "trip" / "DSC_8189.NEF").write_bytes(b"raw" * 1001)
    summary = scan(index, [tmp_path])
    assert (summary.photos, summary.new, summary.errors) == (2, 2, 0)
    pair = index.search("DSC_8188")[0]
    assert pair.path.endswith("DSC_8188.JPG")
    assert [Path(f).name for f in pair.files] == ["DSC_8188.JPG", "DSC_8188.NEF"]
    assert pair.has_raw and pair.taken_at == "2021-07-14T09:30:00.25+02:00" and pair.camera == "Nikon D850"
    raw_only = index.search("DSC_8189")[0]
    assert raw_only.path.endswith("DSC_8189.NEF") and raw_only.width == 6000
    assert index.stats()["raw_pairs"] == 1
    assert index.count("has:raw") == 2


def test_a_jpeg_exported_without_metadata_takes_the_shot_details_of_its_raw(
    tmp_path: Path, index: PhotoIndex, monkeypatch
) -> None:
    """A JPEG whose metadata was stripped (a privacy export) beside its NEF: date, camera,
    lens and GPS come from the RAW, so date and camera searches still find the pair;
    size stays the JPEG's. A camera's own JPEG keeps its details, the RAW is not read."""
    raw_info = PhotoInfo(kind="raw", width=6000, height=4000, taken_at="2021-07-14T09:30:00",
                         camera_make="NIKON CORPORATION", camera_model="NIKON D850", lens="24-70mm",
                         gps_lat=43.28, gps_lon=5.37)
    # DSC_8189.NEF is the Z 6's own RAW of the JPEG beside it (a D850's would be another picture)
    z6_raw = PhotoInfo(kind="raw", width=6000, height=4000, taken_at="2022-01-02T03:04:05",
                       camera_make="NIKON CORPORATION", camera_model="NIKON Z 6")
    reads: list[str] = []

    def read(path):
        reads.append(Path(path).name)
        if str(path).endswith(".NEF"):
            return raw_info if Path(path).name == "DSC_8188.NEF" else z6_raw
        return read_photo_info(path)

    monkeypatch.setattr(scan_folder_sync, "read_photo_info", read)
    monkeypatch.setattr(scan_details, "read_photo_info", read)  # the RAW sibling's read
    write_jpeg(tmp_path / "DSC_8188.JPG", size=(300, 200), taken=None, make=None, model=None)
    (tmp_path / "DSC_8188.NEF").write_bytes(b"raw" * 1000)
    write_jpeg(tmp_path / "DSC_8189.JPG", taken="2022:01:02 03:04:05", model="NIKON Z 6")
    (tmp_path / "DSC_8189.NEF").write_bytes(b"raw" * 1001)
    scan(index, [tmp_path])
    stripped = index.search("DSC_8188")[0]
    assert stripped.path.endswith("DSC_8188.JPG") and (stripped.width, stripped.height) == (300, 200)
    assert (stripped.taken_at, stripped.camera, stripped.lens) == ("2021-07-14T09:30:00", "Nikon D850", "24-70mm")
    assert (stripped.gps_lat, stripped.gps_lon) == (43.28, 5.37)
    assert [p.path for p in index.search("date:2021-07 camera:D850")] == [stripped.path]
    own = index.search("DSC_8189")[0]
    assert own.taken_at == "2022-01-02T03:04:05" and own.camera == "Nikon Z 6" and own.gps_lat is None
    reads.clear()
    write_jpeg(tmp_path / "DSC_8188.JPG", size=(300, 200), taken=None, make=None, model=None, color=(1, 2, 3))
    write_jpeg(tmp_path / "DSC_8189.JPG", taken="2022:01:02 03:04:05", model="NIKON Z 6", color=(1, 2, 3))
    assert scan(index, [tmp_path]).changed == 2
    assert sorted(reads) == ["DSC_8188.JPG", "DSC_8188.NEF", "DSC_8189.JPG"]  # the unchanged RAW read only when needed
    assert index.search("DSC_8188")[0].camera == "Nikon D850"


def test_a_raw_file_the_decoder_cannot_read_still_pairs_with_its_jpeg(tmp_path: Path, index: PhotoIndex) -> None:
    """A camera newer than LibRaw (or a damaged RAW): its JPEG stands for the photo and
    the RAW still gets the label in a sidecar; a RAW alone is left out, as before."""
    from app.core.metadata import plan_writes, write_labels

    write_jpeg(tmp_path / "DSC_8188.JPG", taken="2021:07:14 09:30:00")
    (tmp_path / "DSC_8188.NEF").write_bytes(b"not a raw file LibRaw knows" * 100)
    (tmp_path / "DSC_8189.NEF").write_bytes(b"not a raw file LibRaw knows" * 101)
    summary = scan(index, [tmp_path])
    assert (summary.photos, summary.errors) == (1, 2)
    pair = index.search("DSC_8188")[0]
    assert [Path(f).name for f in pair.files] == ["DSC_8188.JPG", "DSC_8188.NEF"] and pair.has_raw
    assert pair.taken_at == "2021-07-14T09:30:00"
    messages = {Path(e.path).name: e.message for e in index.errors(run_id=summary.run_id, limit=10)}
    assert "DSC_8188.JPG stands for the photo" in messages["DSC_8188.NEF"]
    assert "stands for" not in messages["DSC_8189.NEF"] and not index.search("DSC_8189")
    index.set_label(pair.id, "Château d'If")
    written = write_labels(index, plan_writes(index))
    assert (written.written, written.failed) == (2, 0)
    assert "Château d'If" in (tmp_path / "DSC_8188.NEF.xmp").read_text(encoding="utf-8")
    again = scan(index, [tmp_path])
    # the RAWs are unchanged, so not read again (a card of RAW files LibRaw cannot read
    # would be on every rescan), and their problems stay, the lone one's too
    assert (again.new, again.changed, again.missing, again.errors, again.unchanged_problems) == (0, 0, 0, 0, 2)
    assert {Path(e.path).name for e in index.errors(stage="scan")} == {"DSC_8188.NEF", "DSC_8189.NEF"}
    assert index.search("DSC_8188")[0].taken_at == "2021-07-14T09:30:00"  # the JPEG's metadata stays
    (tmp_path / "DSC_8188.NEF").unlink()  # the problem is gone with the file
    final = scan(index, [tmp_path])
    assert (final.changed, final.errors, final.unchanged_problems) == (1, 0, 1)
    assert {Path(e.path).name for e in index.errors(stage="scan")} == {"DSC_8189.NEF"}


@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system that takes any bytes as a name")
def test_a_kept_raw_keeps_its_problem_in_a_non_utf8_folder(tmp_path: Path, index: PhotoIndex) -> None:
    folder = tmp_path / os.fsdecode(b"caf\xe9")
    write_jpeg(folder / "DSC_0001.JPG")
    (folder / "DSC_0001.NEF").write_bytes(b"not a raw file" * 100)
    assert scan(index, [tmp_path]).errors == 1
    again = scan(index, [tmp_path])
    assert (again.photos, again.changed, again.errors) == (1, 0, 0)
    assert [Path(e.path).name for e in index.errors(stage="scan")] == ["DSC_0001.NEF"]  # kept, not re-met


def test_rescan_of_unchanged_files_only_stats_them(tmp_path: Path, index: PhotoIndex, monkeypatch) -> None:
    for n in range(5):
        write_jpeg(tmp_path / f"f{n % 2}" / f"p{n}.jpg", color=(n * 40, 0, 0))
    assert scan(index, [tmp_path]).new == 5

    def must_not_read(path):
        raise AssertionError(f"unchanged file was opened: {path}")

    monkeypatch.setattr(scan_folder_sync, "read_photo_info", must_not_read)
    monkeypatch.setattr(scan_folder_sync, "fingerprint_file", must_not_read)
    summary = scan(index, [tmp_path])
    assert (summary.photos, summary.new, summary.changed, summary.missing, summary.errors) == (5, 0, 0, 0, 0)


def test_a_changed_file_is_read_again(tmp_path: Path, index: PhotoIndex) -> None:
    photo = write_jpeg(tmp_path / "a.jpg", lens="AF-S 18-55mm")
    scan(index, [tmp_path])
    write_jpeg(photo, lens="AF-S 70-300mm", size=(40, 30))  # the same camera's: another would be another frame
    os.utime(photo, ns=(1, 2_000_000_000_000_000_000))
    summary = scan(index, [tmp_path])
    assert (summary.new, summary.changed) == (0, 1)
    assert index.search()[0].lens == "AF-S 70-300mm"


def test_moved_and_renamed_photos_keep_their_labels(tmp_path: Path, index: PhotoIndex) -> None:
    old = write_jpeg(tmp_path / "inbox" / "IMG_1.jpg", color=(1, 2, 3))
    write_jpeg(tmp_path / "inbox" / "IMG_2.jpg", color=(4, 5, 6))
    scan(index, [tmp_path])
    photo_id = index.search("IMG_1")[0].id
    index.set_label(photo_id, "Colosseum")
    (tmp_path / "rome").mkdir()
    old.rename(tmp_path / "rome" / "colosseum.jpg")
    summary = scan(index, [tmp_path])
    assert (summary.moved, summary.new, summary.missing) == (1, 0, 0)
    moved = index.get(photo_id)
    assert moved.path == str(tmp_path / "rome" / "colosseum.jpg") and moved.label == "Colosseum"
    assert moved.files == [moved.path] and not moved.missing
    assert index.photo_ids("rome colosseum") == [photo_id]
    assert index.count("inbox") == 1 and index.count() == 2


def test_a_photo_moved_between_folders_read_apart_keeps_its_labels(tmp_path: Path, index: PhotoIndex) -> None:
    """Moved from one library folder to another and the two read one at a time (`tag
    FOLDER`, a photo given by its file), in either order: it used to become a new photo
    without labels, the old one staying missing with them."""
    inbox, italy = tmp_path / "Inbox", tmp_path / "Italy 2008"
    first, second = write_jpeg(inbox / "a.jpg"), write_jpeg(inbox / "b.jpg", color=(9, 9, 9))
    italy.mkdir()
    scan(index, [inbox])
    ids = {Path(p.path).name: p.id for p in index.search("")}
    a_id, b_id = ids["a.jpg"], ids["b.jpg"]
    index.set_label(a_id, "Arezzo")
    index.set_label(b_id, "Duomo")

    first.rename(italy / "a.jpg")
    assert (scan(index, [inbox]).missing, scan(index, [italy]).moved) == (1, 1)  # the old folder read first
    second.rename(italy / "b.jpg")
    summary = scan(index, [italy])  # the new folder first: its photo's old folder is read for it
    assert (summary.new, summary.moved, summary.missing) == (0, 1, 0)
    assert scan(index, [inbox]).moved == 0
    assert index.count("is:missing") == 0 and index.count("") == 2
    assert {index.get(a_id).label, index.get(b_id).label} == {"Arezzo", "Duomo"}
    assert index.get(b_id).path == str((italy / "b.jpg").resolve())


def test_a_copy_with_labels_of_its_own_is_not_taken_for_the_moved_photo(tmp_path: Path, index: PhotoIndex) -> None:
    original = write_jpeg(tmp_path / "Inbox" / "a.jpg")
    copy = tmp_path / "Backup" / "a.jpg"
    copy.parent.mkdir()
    copy.write_bytes(original.read_bytes())
    scan(index, [tmp_path / "Inbox"])
    scan(index, [tmp_path / "Backup"])
    ids = {Path(p.path).parent.name: p.id for p in index.search("")}
    index.set_label(ids["Inbox"], "Arezzo")
    index.set_label(ids["Backup"], "Cortona")  # the user's word on the copy
    original.unlink()
    assert scan(index, [tmp_path / "Inbox"]).moved == 0
    assert index.get(ids["Backup"]).label == "Cortona" and index.get(ids["Inbox"]).missing


def test_deleted_photos_are_missing_with_labels_kept_and_come_back(tmp_path: Path, index: PhotoIndex) -> None:
    photo = write_jpeg(tmp_path / "a" / "x.jpg")
    write_jpeg(tmp_path / "b" / "y.jpg", color=(9, 9, 9))
    scan(index, [tmp_path])
    photo_id = index.search("x")[0].id
    index.set_label(photo_id, "Petra")
    data = photo.read_bytes()
    photo.unlink()
    (tmp_path / "b" / "y.jpg").unlink()
    (tmp_path / "b").rmdir()  # a whole folder deleted
    summary = scan(index, [tmp_path])
    assert (summary.missing, summary.photos) == (2, 0)
    assert index.count() == 0 and index.count("is:missing") == 2
    assert index.get(photo_id).label == "Petra" and index.get(photo_id).missing
    photo.write_bytes(data)
    summary = scan(index, [tmp_path])
    assert summary.photos == 1
    assert index.get(photo_id).label == "Petra" and not index.get(photo_id).missing


def test_a_folder_read_alone_leaves_the_folders_below_it_as_they_are(tmp_path: Path, index: PhotoIndex) -> None:
    """The folder of a photo given by its file is read without its sub-folders: they are
    not read, not taken for deleted, and their problems stay, in whichever order the
    folder and a library folder holding it come."""
    write_jpeg(tmp_path / "2019" / "a.jpg")
    write_jpeg(tmp_path / "2019" / "day 1" / "b.jpg", color=(9, 9, 9))
    (tmp_path / "2019" / "day 1" / "bad.jpg").write_bytes(b"not a photo" * 20)
    scan(index, [tmp_path])
    assert index.count() == 2 and len(index.errors()) == 1
    write_jpeg(tmp_path / "2019" / "day 1" / "c.jpg", color=(40, 40, 40))

    summary = scan(index, [tmp_path / "2019"], folder_only=[tmp_path / "2019"])
    assert (summary.new, summary.missing, summary.photos) == (0, 0, 1)  # day 1 not read
    assert len(index.errors()) == 1 and index.count("is:missing") == 0
    assert index.roots() == [tmp_path.resolve()] and index.folder_only_roots() == []  # inside the library already

    summary = scan(index, [tmp_path / "2019", tmp_path], folder_only=[tmp_path / "2019"])
    assert (summary.new, summary.missing) == (1, 0) and index.count() == 3

    elsewhere = tmp_path.parent / f"{tmp_path.name} downloads"
    write_jpeg(elsewhere / "d.jpg", color=(80, 80, 80))
    write_jpeg(elsewhere / "old" / "e.jpg", color=(120, 120, 120))
    summary = scan(index, [elsewhere], folder_only=[elsewhere])
    assert (summary.new, summary.photos) == (1, 1) and index.folder_only_roots() == [elsewhere.resolve()]
    summary = scan(index, [elsewhere])  # the library folder is read as it was added
    assert summary.new == 0 and index.count() == 4
