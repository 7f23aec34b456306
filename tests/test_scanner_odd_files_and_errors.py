"""The scanner on files that must not trip it up: hidden, private, linked, odd names, unreadable or huge; cancel."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import app.core.scan_folder_sync as scan_folder_sync
import app.core.scanner as scanner_module
from app.core.index import PhotoIndex
from app.core.progress import CancelToken
from app.core.scanner import scan
from tests.test_index_support import write_jpeg
from tests.test_scan_support import index  # noqa: F401


def test_hidden_sidecar_and_temp_files_are_skipped(tmp_path: Path, index: PhotoIndex) -> None:
    write_jpeg(tmp_path / "keep.jpg")
    write_jpeg(tmp_path / ".hidden.jpg")
    write_jpeg(tmp_path / ".keep.jpg.1234.tmp")
    write_jpeg(tmp_path / "download.jpg.part")
    write_jpeg(tmp_path / "backup.jpg~")
    write_jpeg(tmp_path / ".thumbnails" / "t.jpg")
    (tmp_path / "keep.xmp").write_text("<x/>")
    (tmp_path / "keep.jpg.xmp").write_text("<x/>")
    (tmp_path / "notes.txt").write_text("hello")
    summary = scan(index, [tmp_path])
    assert (summary.photos, summary.errors) == (1, 0)


def test_other_programs_private_folders_are_not_walked_into(tmp_path: Path, index: PhotoIndex) -> None:
    """An Apple Photos library in ~/Pictures (writing into it would break its database),
    Lightroom's Smart Previews (DNG files), a NAS's thumbnails, recycle bins."""
    write_jpeg(tmp_path / "2023 Rome" / "DSC_0001.JPG")
    write_jpeg(tmp_path / "Photos Library.photoslibrary" / "originals" / "0" / "IMG_1.jpeg")
    write_jpeg(tmp_path / "Catalog Smart Previews.lrdata" / "1" / "DSC_0001.jpg")
    write_jpeg(tmp_path / "2023 Rome" / "@eaDir" / "DSC_0001.JPG" / "SYNOPHOTO_THUMB_XL.jpg")
    write_jpeg(tmp_path / "#recycle" / "old.jpg")
    write_jpeg(tmp_path / "$RECYCLE.BIN" / "S-1-5-21" / "old.jpg")
    summary = scan(index, [tmp_path])
    assert (summary.photos, summary.errors) == (1, 0)
    assert [Path(p.path).name for p in index.search()] == ["DSC_0001.JPG"]
    library = tmp_path / "Photos Library.photoslibrary"
    assert scan(index, [library]).photos == 1  # a folder the user names is scanned


def test_symlink_cycles_do_not_loop(tmp_path: Path, index: PhotoIndex) -> None:
    write_jpeg(tmp_path / "lib" / "a" / "x.jpg")
    (tmp_path / "lib" / "a" / "loop").symlink_to(tmp_path / "lib")
    (tmp_path / "lib" / "self").symlink_to(tmp_path / "lib" / "a")
    summary = scan(index, [tmp_path / "lib"])
    assert (summary.photos, summary.errors) == (1, 0)


def test_a_link_to_a_photo_that_is_gone_is_named_and_the_scan_goes_on(tmp_path: Path, index: PhotoIndex) -> None:
    """A link into an unplugged drive used to vanish without a word; links that are not
    named like photos (a link to a notes file) are still none of our business."""
    write_jpeg(tmp_path / "lib" / "x.jpg")
    (tmp_path / "lib" / "DSC_0001.JPG").symlink_to(tmp_path / "drive" / "DSC_0001.JPG")
    (tmp_path / "lib" / "notes.txt").symlink_to(tmp_path / "drive" / "notes.txt")
    summary = scan(index, [tmp_path / "lib"])
    assert (summary.photos, summary.errors) == (1, 1)
    (message,) = [row[0] for row in index.conn.execute("SELECT message FROM errors")]
    assert "DSC_0001.JPG: a link to" in message and "which does not exist (is its drive connected?)" in message
    write_jpeg(tmp_path / "drive" / "DSC_0001.JPG", color=(9, 9, 9))  # the drive is back
    summary = scan(index, [tmp_path / "lib"])
    assert (summary.photos, summary.errors) == (2, 0)
    assert index.conn.execute("SELECT count(*) FROM errors").fetchone()[0] == 0


def test_a_link_to_a_photo_of_the_library_is_not_a_second_photo(tmp_path: Path, index: PhotoIndex) -> None:
    """"latest.jpg" linking to DSC_0001.JPG beside it, or a "Best of" folder of links,
    made each linked photo two photos, and `write` then failed the second one ("changed
    on disk since it was indexed"). A link to a photo outside the library stays a photo."""
    write_jpeg(tmp_path / "lib" / "2019" / "DSC_0001.JPG")
    write_jpeg(tmp_path / "lib" / "2019" / "DSC_0002.JPG", color=(9, 9, 9))
    (tmp_path / "lib" / "2019" / "latest.jpg").symlink_to("DSC_0001.JPG")
    (tmp_path / "lib" / "Best of").mkdir()
    (tmp_path / "lib" / "Best of" / "two.jpg").symlink_to(tmp_path / "lib" / "2019" / "DSC_0002.JPG")
    write_jpeg(tmp_path / "drive" / "DSC_0100.JPG", color=(90, 9, 9))
    (tmp_path / "lib" / "Best of" / "from the drive.jpg").symlink_to(tmp_path / "drive" / "DSC_0100.JPG")
    summary = scan(index, [tmp_path / "lib"])
    assert (summary.photos, summary.errors) == (3, 0)
    assert sorted(Path(p.path).name for p in index.search()) == ["DSC_0001.JPG", "DSC_0002.JPG", "from the drive.jpg"]
    assert scan(index, [tmp_path / "lib"]).photos == 3  # and again on a rescan


@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system that takes any bytes as a name")
def test_non_utf8_and_very_long_names(tmp_path: Path, index: PhotoIndex) -> None:
    folder = os.path.join(os.fsencode(tmp_path), b"caf\xe9")
    os.mkdir(folder)
    write_jpeg(Path(os.fsdecode(os.path.join(folder, b"\xff\xfephoto.jpg"))))
    long_name = "L" * 240 + ".jpg"
    write_jpeg(tmp_path / long_name, color=(3, 3, 3))
    summary = scan(index, [tmp_path])
    assert (summary.photos, summary.errors) == (2, 0)
    paths = {os.fsencode(r.path) for r in index.search()}
    assert os.path.join(folder, b"\xff\xfephoto.jpg") in paths
    assert os.fsencode(str(tmp_path / long_name)) in paths
    assert scan(index, [tmp_path]).changed == 0  # stored names match the disk exactly
    with open(os.path.join(folder, b"bad\xff.jpg"), "wb"):
        pass  # an empty file with a non-UTF-8 name: its error must be recorded too
    summary = scan(index, [tmp_path])
    assert summary.errors == 1
    error = index.errors(run_id=summary.run_id)[0]
    assert os.fsencode(error.path).endswith(b"bad\xff.jpg") and "empty file" in error.message


def test_bad_files_are_recorded_and_the_scan_goes_on(tmp_path: Path, index: PhotoIndex) -> None:
    good = write_jpeg(tmp_path / "good.jpg")
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "garbage.jpg").write_bytes(b"not a jpeg at all" * 50)
    data = good.read_bytes()
    (tmp_path / "truncated.jpg").write_bytes(data[: len(data) // 2])
    (tmp_path / "stub.nef").write_bytes(b"II*\x00" + b"\x00" * 200)
    summary = scan(index, [tmp_path, tmp_path / "not-there"])
    assert (summary.photos, summary.errors) == (1, 5)
    messages = " ".join(e.message for e in index.errors(run_id=summary.run_id))
    for expected in ("empty file", "garbage.jpg", "truncated.jpg: truncated", "stub.nef", "folder not found"):
        assert expected in messages
    assert index.stats()["last_scan"]["errors"] == 5


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read anything")
def test_unreadable_folders_and_files_are_reported(tmp_path: Path, index: PhotoIndex) -> None:
    write_jpeg(tmp_path / "open" / "a.jpg")
    locked = write_jpeg(tmp_path / "locked" / "b.jpg", color=(7, 7, 7))
    unreadable = write_jpeg(tmp_path / "open" / "c.jpg", color=(8, 8, 8))
    scan(index, [tmp_path])
    assert index.count() == 3
    os.chmod(unreadable, 0)
    os.utime(unreadable, ns=(1, 1))
    os.chmod(locked.parent, 0)
    try:
        summary = scan(index, [tmp_path])
    finally:
        os.chmod(locked.parent, 0o755)
        os.chmod(unreadable, 0o644)
    assert summary.errors == 2
    # a folder we could not list is not taken for deleted
    assert not index.search("b")[0].missing


def test_a_rescan_replaces_its_errors_and_clears_the_fixed_ones(tmp_path: Path, index: PhotoIndex, monkeypatch) -> None:
    trip, other = tmp_path / "trip", tmp_path / "other"
    write_jpeg(trip / "good.jpg")
    broken = trip / "broken.jpg"
    (trip / "later").mkdir()
    other.mkdir()
    for bad in (broken, trip / "later" / "bad.jpg", other / "bad.jpg"):
        bad.write_bytes(b"not a jpeg" * 50)
    scan(index, [other])
    assert scan(index, [trip]).errors == 2
    for _ in range(2):  # unchanged: not read again, their problems stand
        assert (scan(index, [trip]).errors, scan(index, [trip]).unchanged_problems) == (0, 2)
    assert index.stats()["errors"] == 3  # three broken files, however often they were scanned

    write_jpeg(broken)  # mended
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) == trip / "later":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    summary = scan(index, [trip])
    assert summary.errors == 1  # the folder it could not list
    problems = sorted(str(Path(e.path).relative_to(tmp_path)) for e in index.errors())
    # mended: gone; below the unlisted folder: not looked at, kept; another root: kept
    assert problems == ["other/bad.jpg", "trip/later", "trip/later/bad.jpg"]


def test_a_file_deleted_during_the_scan(tmp_path: Path, index: PhotoIndex, monkeypatch) -> None:
    write_jpeg(tmp_path / "a.jpg")
    doomed = write_jpeg(tmp_path / "b.jpg", color=(5, 5, 5))
    real = scan_folder_sync.fingerprint_file

    def delete_first(path, size=None):
        if Path(path) == doomed and doomed.exists():
            doomed.unlink()
        return real(path, size)

    monkeypatch.setattr(scan_folder_sync, "fingerprint_file", delete_first)
    summary = scan(index, [tmp_path])
    assert (summary.photos, summary.errors) == (1, 1)
    assert "disappeared during the scan" in index.errors(run_id=summary.run_id)[0].message


def test_cancel_keeps_what_is_done(tmp_path: Path, index: PhotoIndex) -> None:
    for n in range(4):
        write_jpeg(tmp_path / f"d{n}" / "x.jpg", color=(n, n, n))
    token = CancelToken()
    reports = []

    def progress(report):
        reports.append(report)
        if report.done >= 2:
            token.cancel()

    summary = scan(index, [tmp_path], progress=progress, cancel=token)
    assert summary.status == "cancelled"
    assert 2 <= index.count() < 4 and summary.missing == 0
    assert scan(index, [tmp_path]).photos == 4
    assert reports and reports[-1].done >= 2


def test_permission_errors_are_reported_even_as_root(tmp_path: Path, index: PhotoIndex, monkeypatch) -> None:
    """The same paths as the chmod test above, with the errors injected (CI often runs as root)."""
    write_jpeg(tmp_path / "open" / "a.jpg")
    locked = write_jpeg(tmp_path / "locked" / "b.jpg", color=(7, 7, 7))
    scan(index, [tmp_path])
    unreadable = write_jpeg(tmp_path / "open" / "c.jpg", color=(8, 8, 8))
    real_scandir, real_fingerprint = os.scandir, scan_folder_sync.fingerprint_file

    def scandir(path):
        if Path(path) == locked.parent:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    def fingerprint(path, size=None):
        if Path(path) == unreadable:
            raise PermissionError(13, "Permission denied", str(path))
        return real_fingerprint(path, size)

    monkeypatch.setattr(scanner_module.os, "scandir", scandir)
    monkeypatch.setattr(scan_folder_sync, "fingerprint_file", fingerprint)
    summary = scan(index, [tmp_path])
    messages = [e.message for e in index.errors(run_id=summary.run_id)]
    assert summary.errors == 2 and summary.missing == 0
    assert any("locked" in m and "cannot list the folder" in m for m in messages)
    assert any("c.jpg" in m and "Permission denied" in m for m in messages)
    assert not index.search("b")[0].missing  # an unlistable folder is not taken for deleted


def test_a_known_photo_that_turns_unreadable_keeps_its_row(tmp_path: Path, index: PhotoIndex) -> None:
    photo = write_jpeg(tmp_path / "a.jpg")
    scan(index, [tmp_path])
    photo_id = index.search()[0].id
    index.set_label(photo_id, "Alhambra")
    photo.write_bytes(photo.read_bytes()[:100])  # damaged in place
    summary = scan(index, [tmp_path])
    assert (summary.errors, summary.missing) == (1, 0)
    assert index.get(photo_id).label == "Alhambra" and not index.get(photo_id).missing


@pytest.mark.integration
def test_scanning_the_real_camera_files(shared_data: Path, index: PhotoIndex) -> None:
    camera = shared_data / "camera"
    stubs = sorted(p.name for p in (camera / "raw_stubs").iterdir())
    summary = scan(index, [camera])
    assert summary.photos == 11 + 9 + 3  # JPEGs, the GPS series, the RAW files that decode
    assert summary.errors == len(stubs)  # every stub gets its own clear error, the scan goes on
    failed = {Path(e.path).name for e in index.errors(run_id=summary.run_id, limit=100)}
    assert failed == set(stubs)
    d40 = index.search("Nikon_D40")[0]
    assert (d40.orientation, d40.camera) == (6, "Nikon D40")
    assert index.search("Nikon_D5000")[0].gps_lat is None
    with_gps = {Path(r.path).name for r in index.search("has:gps")}
    assert {"FujiFilm_FinePixS2Pro.jpg", "Panasonic_DMC-LX3_(Lumix).jpg",
            "Samsung_SM-G935L_(Galaxy_S7_Edge).jpg"} <= with_gps and len(with_gps) == 12
    assert index.count("has:raw") == 3
    again = scan(index, [camera])
    assert (again.new, again.changed, again.missing) == (0, 0, 0)


def test_a_stitched_panorama_over_pillows_guard_is_indexed(tmp_path: Path, index: PhotoIndex) -> None:
    """A baseline JPEG is decoded DCT-scaled, so 288 MP (12 frames of 24 MP) is a photo,
    not a bomb; Pillow's 179 MP guard used to keep it out of the library."""
    from tests.test_decode import jpeg_with_header_size

    jpeg_with_header_size(tmp_path, 24_000, 12_000)
    summary = scan(index, [tmp_path])
    assert (summary.photos, summary.errors) == (1, 0)
    assert (index.search()[0].width, index.search()[0].height) == (24_000, 12_000)


@pytest.mark.parametrize("kind", ["png", "jpeg", "tiff"])
def test_a_huge_header_is_a_per_file_error_not_a_crash(tmp_path: Path, index: PhotoIndex, kind: str) -> None:
    from tests.test_decode import jpeg_with_header_size, png_with_header_size, tiff_with_header_size

    make = {"png": png_with_header_size, "jpeg": jpeg_with_header_size, "tiff": tiff_with_header_size}[kind]
    write_jpeg(tmp_path / "good.jpg")
    bomb = make(tmp_path, 50_000, 50_000)
    summary = scan(index, [tmp_path])
    assert summary.photos == 1 and summary.errors == 1
    (error,) = index.errors(run_id=summary.run_id)
    assert error.path == str(bomb) and "too many pixels" in error.message
