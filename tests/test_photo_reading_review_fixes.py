"""Fixes from a review of reading bad and unusual photos: an impossible date taken
(2019:13:45 from a corrupted camera clock) is no date, and the library panel lists the
dates of an index that already holds one; HEIC content under a .JPG name is read by its
content whatever the process read before; Pillow's warnings about damaged EXIF stay off
the terminal."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from PIL import Image

from app.core import library
from app.core.decode import decode_for_model
from app.core.index import PhotoIndex
from app.core.metadata.xmp import XmpDocument
from app.core.capture_time import exif_timestamp, xmp_timestamp
from app.core.photo_info import read_photo_info
from app.core.scanner import scan
from app.core.thumbnails import load_preview, make_thumbnail
from tests.test_index_support import write_jpeg
from tests.test_photo_info import XMP_DATED


# -- An impossible date taken is no date ---------------------------------------------------
@pytest.mark.parametrize("value", ["2019:13:45 25:61:00", "9999:99:99 99:99:99", "2019:02:30 10:00:00",
                                   "2019:06:00 10:00:00"])
def test_an_impossible_exif_date_is_no_date(value) -> None:
    """Only 0000:00:00 was refused: the rest was stored as the date taken."""
    assert exif_timestamp(value) is None


@pytest.mark.parametrize(("value", "subsec", "offset", "expected"), [
    ("2020:02:29 23:59:59", "25", "+02:00", "2020-02-29T23:59:59.25+02:00"),  # a leap day
    ("2019:06:01T10:00:00", None, None, "2019-06-01T10:00:00"),
    ("2019:06:01 10:00:00.123", None, None, "2019-06-01T10:00:00"),
])
def test_real_exif_dates_are_kept(value, subsec, offset, expected) -> None:
    assert exif_timestamp(value, subsec, offset) == expected


def test_an_impossible_xmp_date_gives_way_to_the_next_one() -> None:
    packet = XMP_DATED.format(attributes='photoshop:DateCreated="2019-13-45T10:00:00" xmp:CreateDate="2019-06-12"',
                              elements="")
    assert xmp_timestamp(XmpDocument.read(packet)) == "2019-06-12"


def test_a_photo_with_an_impossible_date_is_undated_in_the_index(tmp_path: Path) -> None:
    """It matched has:date and after:2019-06-02 (as "2019-13-45") and sorted as the newest."""
    write_jpeg(tmp_path / "trip" / "good.jpg", taken="2019:06:01 10:00:00")
    write_jpeg(tmp_path / "trip" / "broken_clock.jpg", taken="2019:13:45 25:61:00")
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [tmp_path / "trip"])
        assert [Path(r.path).name for r in index.search("has:date")] == ["good.jpg"]
        assert [Path(r.path).name for r in index.search("after:2019-06-02")] == []
        assert [Path(r.path).name for r in index.search("-has:date")] == ["broken_clock.jpg"]
        assert [(node.year, node.months) for node in library.date_counts(index)] == [("2019", ((6, 1),)), ("", (), )]


def index_with_impossible_dates_stored(tmp_path: Path) -> Path:
    """An index made before impossible dates were read as none: it keeps them until the
    files change, as a rescan does not read unchanged files again."""
    folder = tmp_path / "trip"
    write_jpeg(folder / "good.jpg", taken="2019:06:01 10:00:00")
    write_jpeg(folder / "undated.jpg", taken=None)
    write_jpeg(folder / "broken_clock.jpg")
    write_jpeg(folder / "damaged.jpg")
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        with index.conn:
            for name, stored in (("broken_clock.jpg", "2019-13-45T25:61:00"), ("damaged.jpg", "9999-99-99T99:99:99")):
                photo_id = index.conn.execute("SELECT photo_id FROM files WHERE name = ?", (name,)).fetchone()[0]
                index.conn.execute("UPDATE photos SET taken_at = ? WHERE id = ?", (stored, photo_id))
    return tmp_path / "index.db"


def test_the_dates_of_the_library_leave_out_months_that_are_none(tmp_path: Path) -> None:
    with PhotoIndex.open(index_with_impossible_dates_stored(tmp_path)) as index:
        nodes = library.date_counts(index)
    assert [(node.year, node.count, node.months) for node in nodes] == [("2019", 1, ((6, 1),)), ("", 1, ())]


@pytest.mark.gui
def test_the_library_panel_lists_the_dates_of_an_index_holding_an_impossible_one(qtbot, tmp_path) -> None:
    """calendar.month_name[13] raised IndexError while the Dates list was built: it
    showed 2019 without June, and no "No date"."""
    pytest.importorskip("pytestqt")
    from app.gui.app import create_application, open_main_window
    from app.gui.library_tree import DATES_TITLE
    from tests.test_gui_support import wait_for_results
    from tests.test_gui_support import close_main_window

    database = index_with_impossible_dates_stored(tmp_path)
    create_application()
    win = open_main_window(database)
    qtbot.addWidget(win)
    try:
        win.show()
        wait_for_results(qtbot, win)
        tree = win.library_tree
        heading = tree.topLevelItem(tree.topLevelItemCount() - 1)
        assert heading.text(0) == DATES_TITLE
        years = [heading.child(i) for i in range(heading.childCount())]
        assert [year.text(0) for year in years] == ["2019", "No date"]
        assert [years[0].child(i).text(0) for i in range(years[0].childCount())] == ["June"]
    finally:
        close_main_window(win)


# -- HEIC content under a .JPG name is read by its content ---------------------------------
READ_IN_A_FRESH_PROCESS = """
import json, sys
from app.core.decode import decode_for_model
from app.core.photo_info import read_photo_info
from app.core.thumbnails import load_preview, make_thumbnail
steps = {"kind": lambda path: read_photo_info(path).kind, "decoded": lambda path: decode_for_model(path, 224).size,
         "thumbnail": lambda path: make_thumbnail(path, 160).size, "preview": lambda path: load_preview(path).size}
out = {}
for name, step in steps.items():
    try:
        out[name] = step(sys.argv[1])
    except Exception as error:
        out[name] = f"error: {error}"
print(json.dumps(out))
"""


def test_heic_content_under_a_jpg_name_is_read_by_its_content(tmp_path: Path) -> None:
    """pillow-heif was registered for .heic names only: such a file was "not a readable
    JPEG image" unless a real .heic had been read earlier in the process. A fresh
    interpreter, since the registration is process-wide."""
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    path = tmp_path / "IMG_0001.JPG"
    try:
        Image.new("RGB", (640, 480), (200, 100, 50)).save(path, "HEIF")
    except (OSError, KeyError, ValueError) as error:
        pytest.skip(f"this pillow-heif build cannot encode HEIF: {error}")
    done = subprocess.run([sys.executable, "-c", READ_IN_A_FRESH_PROCESS, str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"kind": "heic", "decoded": [320, 240], "thumbnail": [160, 120], "preview": [640, 480]}


# -- Pillow's warnings about damaged EXIF stay off the terminal ----------------------------
BAD_IFD0_OFFSET = b"II*\x00" + struct.pack("<I", 0x7FFFFFFF)
TAG_LARGER_THAN_FILE = (b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1)
                        + struct.pack("<HHII", 0x010F, 2, 0xFFFFFFF0, 0x100) + struct.pack("<I", 0))


def jpeg_with_exif(path: Path, tiff: bytes) -> Path:
    """A JPEG whose APP1 EXIF block is `tiff` (a damaged one)."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 80, 40)).save(buffer, "JPEG")
    data = buffer.getvalue()
    app1 = b"Exif\x00\x00" + tiff
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + data[2:])
    return path


READERS = {"info": lambda path: (read_photo_info(path).kind, read_photo_info(path).width),
           "decode": lambda path: decode_for_model(path, 32).size,
           "thumbnail": lambda path: make_thumbnail(path, 32).size,
           "preview": lambda path: load_preview(path).size}


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("tiff", [BAD_IFD0_OFFSET, TAG_LARGER_THAN_FILE], ids=["bad_offset", "huge_tag"])
def test_reading_a_jpeg_with_damaged_exif_raises_no_pillow_warning(tmp_path: Path, tiff: bytes, reader: str) -> None:
    """Pillow parses the EXIF inside Image.open, which ran before catch_warnings() was
    entered; decoding, thumbnails and previews did not silence them at all. Each reader
    alone: the filters are as the test set them, whatever another reader did before."""
    path = jpeg_with_exif(tmp_path / "DSC_0001.JPG", tiff)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = READERS[reader](path)
    assert result == {"info": ("jpeg", 64), "decode": (64, 48), "thumbnail": (32, 24), "preview": (64, 48)}[reader]
    assert [str(warning.message) for warning in caught] == []


def test_scan_of_a_jpeg_with_damaged_exif_prints_no_python_warning(tmp_path: Path) -> None:
    jpeg_with_exif(tmp_path / "trip" / "DSC_0001.JPG", BAD_IFD0_OFFSET)
    done = subprocess.run([sys.executable, "-m", "app", "--db", str(tmp_path / "index.db"), "scan",
                           str(tmp_path / "trip")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "scanned: 1 photo" in done.stderr
    assert "Warning" not in done.stderr, done.stderr


def test_an_index_upgraded_from_one_holding_impossible_dates_calls_them_no_date(tmp_path: Path) -> None:
    """The rows an older version stored (its files unchanged, so never read again) lose
    their impossible dates at the upgrade: has:date and after: no longer find them."""
    from app.core.index import schema

    database = index_with_impossible_dates_stored(tmp_path)
    with PhotoIndex.open(database) as index:
        assert len(index.search("has:date")) == 3
        # the schema of a version before 21 (its later steps only add what is missing, or redo the same)
        index.conn.execute(f"PRAGMA user_version = {schema.MIGRATIONS.index(schema.migration_21)}")
    with PhotoIndex.open(database) as index:
        assert [Path(r.path).name for r in index.search("has:date")] == ["good.jpg"]
        assert [Path(r.path).name for r in index.search("after:2019-06-02")] == []
        assert [(node.year, node.count) for node in library.date_counts(index)] == [("2019", 1), ("", 3)]
