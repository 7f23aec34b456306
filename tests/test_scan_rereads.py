"""An index made before the reader found the lens beyond EXIF's LensModel gets it at
the next scan after the upgrade (migration 23, app/core/index/rereads.py): the headers
of the photos without a lens are read once more, nothing is fingerprinted, decoded or
tagged again, and labels and review states stay as they are."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import piexif
from PIL import Image, PngImagePlugin

from app.core import scan_folder_sync
from app.core.fingerprint import fingerprint_file
from app.core.index import PhotoIndex, Prediction, catalog
from app.core.lens import LENS_SPECIFICATION
from app.core.photo_info import read_photo_info
from app.core.scanner import scan
from tests.test_capture_time import dated_jpeg
from tests.test_index_support import write_jpeg
from tests.test_lens import EXIFTOOL_LENS
from tests.test_photo_info import XMP_OF_AN_EDITOR


def index_before_the_lens_reading(path: Path, folder: Path, monkeypatch, lens_read: tuple[str, ...] = ()) -> dict[str, int]:
    """An index at schema 22 holding the photos in `folder` as a scan of that version
    stored them: their metadata without a lens, but those named in `lens_read` (an EXIF
    LensModel, which it read). Returns {file name: photo id}."""
    from app.core.index import schema

    monkeypatch.setattr(schema, "LATEST_VERSION", schema.MIGRATIONS.index(schema.migration_23))
    ids: dict[str, int] = {}
    with PhotoIndex.open(path) as index, index.transaction() as conn:
        for photo in sorted(p for p in folder.resolve().rglob("*") if p.is_file()):
            info = read_photo_info(photo)
            info = info if photo.name in lens_read else replace(info, lens=None)
            ids[photo.name], _ = catalog.save_photo(conn, str(photo.parent), photo.stem, str(photo), False, info)
            stat = photo.stat()
            conn.execute(  # the columns every schema version has
                "INSERT INTO files (photo_id, path, name, ext, kind, size, mtime_ns, fingerprint, missing, "
                "last_scan_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0)",
                (ids[photo.name], str(photo), photo.name, photo.suffix.lower(), info.kind, stat.st_size,
                 stat.st_mtime_ns, fingerprint_file(photo, stat.st_size)))
            catalog.refresh_fts(conn, ids[photo.name])
        conn.execute("INSERT INTO library_roots (path, added_at, recursive) VALUES (?, '2024-01-01', 1)",
                     (str(folder.resolve()),))
    monkeypatch.undo()
    return ids


def lenses(index: PhotoIndex) -> dict[str, str | None]:
    return {Path(path).name: lens for path, lens in index.conn.execute("SELECT primary_path, lens FROM photos")}


def counting_header_reads(monkeypatch) -> list[str]:
    """The files whose header the scan reads (one item per read), fingerprinting refused:
    an unchanged file is never hashed again."""
    reads: list[str] = []
    read = scan_folder_sync.read_photo_info

    def counted(path):
        reads.append(Path(path).name)
        return read(path)

    def no_fingerprint(path, size=None):
        raise AssertionError(f"{path} was fingerprinted: taken for a changed file")

    monkeypatch.setattr(scan_folder_sync, "read_photo_info", counted)
    monkeypatch.setattr(scan_folder_sync, "fingerprint_file", no_fingerprint)
    return reads


def test_an_upgraded_index_gets_the_lens_of_unchanged_photos_at_the_next_scan(tmp_path: Path, monkeypatch) -> None:
    trip = tmp_path / "trip"
    trip.mkdir()
    exif = Image.Exif()
    exif.get_ifd(0x8769)[LENS_SPECIFICATION] = (24.0, 70.0, 2.8, 2.8)
    Image.new("RGB", (64, 48), (90, 120, 150)).save(trip / "DSC_0001.JPG", exif=exif)
    text = PngImagePlugin.PngInfo()
    text.add_itxt("XML:com.adobe.xmp", XMP_OF_AN_EDITOR)  # aux:Lens, and the keyword Landmarks|Eiffel Tower
    Image.new("RGB", (40, 30)).save(trip / "export.png", pnginfo=text)
    Image.new("RGB", (40, 30)).save(trip / "screenshot.png")  # no lens at all
    write_jpeg(trip / "IMG_0003.JPG", lens="RF24-105mm F4 L IS USM")  # LensModel: read before too
    database = tmp_path / "index.db"
    ids = index_before_the_lens_reading(database, trip, monkeypatch, lens_read=("IMG_0003.JPG",))
    from app.core.index import schema

    # migration 23's marks alone: 31 marks every photo (for its date taken), so it does
    # nothing here; the index is brought up to date otherwise, as every open does (a scan
    # uses tables of later migrations: mount_points_seen, 35)
    monkeypatch.setattr(schema, "MIGRATIONS", tuple(
        (lambda conn: None) if step is schema.migration_31 else step for step in schema.MIGRATIONS))
    with PhotoIndex.open(database) as index:
        index.set_predictions(ids["export.png"], "m1", [Prediction("colosseum", "Colosseum", 0.9)], 0.5)
        index.set_label(ids["DSC_0001.JPG"], "Pont du Gard", source="user", state="rejected")
        labels_before = index.conn.execute("SELECT * FROM labels ORDER BY photo_id").fetchall()
        files_before = index.conn.execute("SELECT id, fingerprint, contents_scan_id FROM files").fetchall()
        assert lenses(index)["DSC_0001.JPG"] is None and lenses(index)["export.png"] is None
        reads = counting_header_reads(monkeypatch)
        summary = scan(index, [trip])
        assert sorted(reads) == ["DSC_0001.JPG", "export.png", "screenshot.png"]
        assert lenses(index) == {"DSC_0001.JPG": "24-70mm f/2.8", "export.png": "AF-S DX Zoom-Nikkor 18-55mm f/3.5-5.6G",
                                 "screenshot.png": None, "IMG_0003.JPG": "RF24-105mm F4 L IS USM"}
        assert (summary.new, summary.changed, summary.labels_read, summary.errors) == (0, 0, 0, 0)
        assert index.conn.execute("SELECT * FROM labels ORDER BY photo_id").fetchall() == labels_before
        assert index.conn.execute("SELECT id, fingerprint, contents_scan_id FROM files").fetchall() == files_before

        reads.clear()
        scan(index, [trip])
        assert reads == []  # read once: a photo that names no lens is not read at every scan
        assert index.conn.execute("SELECT count(*) FROM photos_to_reread").fetchone()[0] == 0


def test_a_marked_photo_of_a_folder_not_scanned_keeps_its_mark(tmp_path: Path, monkeypatch) -> None:
    for folder in ("a", "b"):
        write_jpeg(tmp_path / "photos" / folder / "DSC_0001.JPG")
    database = tmp_path / "index.db"
    index_before_the_lens_reading(database, tmp_path / "photos", monkeypatch)
    with PhotoIndex.open(database) as index:
        reads = counting_header_reads(monkeypatch)
        scan(index, [tmp_path / "photos" / "a"])
        assert reads == ["DSC_0001.JPG"]
        reads.clear()
        scan(index, [tmp_path / "photos"])
        assert reads == ["DSC_0001.JPG"]  # b's, read only now


def test_the_real_nikon_jpegs_of_an_upgraded_index_get_their_lens(tmp_path: Path, shared_data: Path,
                                                                   monkeypatch) -> None:
    trip = tmp_path / "trip"
    trip.mkdir()
    for name in EXIFTOOL_LENS:
        shutil.copy2(shared_data / "camera" / "jpeg" / name, trip / name)
    database = tmp_path / "index.db"
    index_before_the_lens_reading(database, trip, monkeypatch)
    with PhotoIndex.open(database) as index:
        assert set(lenses(index).values()) == {None}
        summary = scan(index, [trip])
        assert lenses(index) == EXIFTOOL_LENS
        assert (summary.new, summary.changed, summary.errors) == (0, 0, 0)


def test_forgetting_a_folder_drops_the_marks_of_its_photos(tmp_path: Path, monkeypatch) -> None:
    from app.core.index.forget import forget_folder

    write_jpeg(tmp_path / "photos" / "DSC_0001.JPG")
    database = tmp_path / "index.db"
    index_before_the_lens_reading(database, tmp_path / "photos", monkeypatch)
    with PhotoIndex.open(database) as index:
        assert index.conn.execute("SELECT count(*) FROM photos_to_reread").fetchone()[0] == 1
        forget_folder(index, (tmp_path / "photos").resolve())
        assert index.conn.execute("SELECT count(*) FROM photos_to_reread").fetchone()[0] == 0


def test_an_upgraded_index_gets_the_date_taken_the_reader_now_finds_at_the_next_scan(tmp_path: Path,
                                                                                     monkeypatch) -> None:
    """An older version took ModifyDate (the last edit) where DateTimeOriginal is missing
    and no date where it is zero: the files are unchanged, so only migration 31's marks
    have the next scan read them again. Each photo has a lens, which migration 23's
    marks (photos without one) would read again too."""
    trip = tmp_path / "trip"
    trip.mkdir()
    lens = {piexif.ExifIFD.LensModel: b"NIKKOR 24-70mm f/2.8"}
    dated_jpeg(trip / "edited.jpg", digitized="2008:10:22 16:44:01", modified="2008:11:01 21:15:09", exif_ifd=lens)
    dated_jpeg(trip / "zero.jpg", original="0000:00:00 00:00:00", digitized="2008:10:22 16:45:00", exif_ifd=lens)
    database = tmp_path / "index.db"
    ids = index_before_the_lens_reading(database, trip, monkeypatch, lens_read=("edited.jpg", "zero.jpg"))
    with sqlite3.connect(database) as conn:  # as the older reader stored them
        conn.execute("UPDATE photos SET taken_at = '2008-11-01T21:15:09' WHERE id = ?", (ids["edited.jpg"],))
        conn.execute("UPDATE photos SET taken_at = NULL WHERE id = ?", (ids["zero.jpg"],))
    conn.close()
    with PhotoIndex.open(database) as index:
        index.set_label(ids["edited.jpg"], "Pont du Gard", source="user", state="accepted")
        summary = scan(index, [trip])
        taken = dict(index.conn.execute("SELECT primary_path, taken_at FROM photos"))
        assert {Path(path).name: when for path, when in taken.items()} == {
            "edited.jpg": "2008-10-22T16:44:01", "zero.jpg": "2008-10-22T16:45:00"}
        assert (summary.new, summary.changed) == (0, 0)
        assert index.get(ids["edited.jpg"]).label == "Pont du Gard"
        assert index.count("date:2008-10-22") == 2
