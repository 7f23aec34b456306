"""Files other programs left in states our write must cope with: XMP in another
encoding, an EXIF block with no room left, one sidecar two files share, one file
under two paths. Each gets a clear answer of its own and the batch goes on."""

from __future__ import annotations

import os
import subprocess

import piexif
import pytest

from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, undo_last_write, write_labels
from app.core.metadata.exif_keywords import encode_xp_keywords
from app.core.metadata.jpeg_fields import read_fields
from app.core.metadata.jpeg_segments import parse_jpeg
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.sidecar import fields_of_sidecar
from tests.test_metadata_fields import DARKTABLE_SIDECAR
from tests.test_metadata_support import add_photo, make_jpeg, raw_with_sidecar, require_exiftool


@pytest.fixture
def index(tmp_path):
    opened = PhotoIndex.open(tmp_path / "index.db")
    yield opened
    opened.close()


def write_all(index, options=WriteOptions()):
    return write_labels(index, plan_writes(index, "", False, options), options)


@pytest.mark.parametrize("encoding", ["latin-1 bytes", "utf-16", "declared iso-8859-1"])
def test_a_sidecar_not_in_utf8_is_left_alone_and_the_batch_goes_on(tmp_path, index, encoding):
    text = DARKTABLE_SIDECAR.replace('darktable:history_end="', 'dc:title="Caf\u00e9" darktable:history_end="', 1)
    raw, sidecar, _ = raw_with_sidecar(tmp_path / "raw", "DSC_0001.NEF.xmp", text)
    if encoding == "latin-1 bytes":
        sidecar.write_bytes(text.encode("latin-1"))
    elif encoding == "utf-16":
        sidecar.write_bytes(text.encode("utf-16"))
    else:
        sidecar.write_bytes(('<?xml version="1.0" encoding="ISO-8859-1"?>\n' + text).encode("latin-1"))
    original = sidecar.read_bytes()
    add_photo(index, [raw], "Petra")
    other = make_jpeg(tmp_path / "b.jpg")
    add_photo(index, [other], "Petra")
    problems = {item.target: item.problem for item in plan_writes(index)}
    assert problems[other] is None and "UTF-8" in problems[sidecar]
    summary = write_all(index)
    assert (summary.written, summary.failed) == (1, 1)
    assert "UTF-8" in summary.errors[0][1] and str(sidecar) in summary.errors[0][1]
    assert sidecar.read_bytes() == original
    assert read_fields(other.read_bytes()).subject == ["Petra"]


def full_exif_jpeg(path):
    """A JPEG whose EXIF block fills all but a few bytes of its 64 KB segment (a long
    description), as some cameras' maker notes do, holding XPKeywords "Family" (tagged
    in Windows Explorer: a write puts the label into XPKeywords only where it is)."""
    photo = make_jpeg(path)
    exif = piexif.load(photo.read_bytes())
    exif["1st"], exif["thumbnail"] = {}, None
    exif["0th"][piexif.ImageIFD.XPKeywords] = encode_xp_keywords(["Family"])
    exif["0th"][piexif.ImageIFD.ImageDescription] = b"x"
    room = 65533 - 8 - len(piexif.dump(exif))  # segment limit, less a little slack
    exif["0th"][piexif.ImageIFD.ImageDescription] = b"x" * room
    piexif.insert(piexif.dump(exif), str(photo))
    return photo


def test_an_exif_block_with_no_room_still_gets_the_other_fields(tmp_path, index):
    photo = full_exif_jpeg(tmp_path / "a.jpg")
    add_photo(index, [photo], "Petra")
    summary = write_all(index)
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    (path, note), = summary.notes
    assert path == str(photo) and "XPKeywords" in note
    assert "note: a.jpg:" in summary.line()  # the GUI's status bar shows the line only
    fields = read_fields(photo.read_bytes())
    assert (fields.subject, fields.iptc, fields.xp) == (["Petra"], None, ["Family"])  # no IPTC to write into
    assert "written into XMP, which every photo tool reads" in note
    undo_last_write(index)
    assert read_fields(photo.read_bytes()).subject is None


def test_one_sidecar_two_files_of_a_photo_share_is_written_once(tmp_path, index):
    raw, sidecar, _ = raw_with_sidecar(tmp_path, "DSC_0001.xmp", DARKTABLE_SIDECAR)
    tiff = tmp_path / "DSC_0001.tif"
    tiff.write_bytes(b"II*\x00 not really a tiff, never read")
    add_photo(index, [raw, tiff], "Petra")
    options = WriteOptions(sidecar_naming="stem")
    assert [item.target for item in plan_writes(index, options=options)] == [sidecar]
    summary = write_all(index, options)
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    assert fields_of_sidecar(sidecar.read_bytes()).subject == ["Petra"]


def test_a_dry_run_says_what_a_no_landmark_photo_gets(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    add_photo(index, [photo], None)
    (item,) = plan_writes(index)
    assert "None" not in item.describe() and "no landmark" in item.describe()


@pytest.mark.skipif(not hasattr(os, "setxattr"), reason="extended attributes through os need Linux")
def test_extended_attributes_and_owner_survive_the_write_and_the_undo(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    try:
        os.setxattr(photo, "user.xdg.tags", b"favourite,print")
    except OSError:
        pytest.skip("this file system keeps no user extended attributes")
    other_owner = os.getuid() == 0
    if other_owner:
        os.chown(photo, 1234, 1234)
    add_photo(index, [photo], "Petra")
    for step in (write_all, undo_last_write):
        step(index)
        assert os.getxattr(photo, "user.xdg.tags") == b"favourite,print"
        if other_owner:
            assert (photo.stat().st_uid, photo.stat().st_gid) == (1234, 1234)


def test_a_jpeg_keeps_its_time_and_a_sidecar_gets_a_new_one_unless_told(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    raw, sidecar, _ = raw_with_sidecar(tmp_path / "raw", "DSC_0001.NEF.xmp", DARKTABLE_SIDECAR)
    old = 1_600_000_000_000_000_000
    for path in (photo, sidecar):
        os.utime(path, ns=(old, old))
    add_photo(index, [photo], "Petra")
    add_photo(index, [raw], "Petra")
    write_all(index)
    assert photo.stat().st_mtime_ns == old and sidecar.stat().st_mtime_ns > old
    undo_last_write(index)  # the photo as it was, its old time too
    write_all(index, WriteOptions(keep_mtime=False))
    assert photo.stat().st_mtime_ns > old


def test_a_jpeg_without_exif_gets_no_exif_block_and_exiftool_finds_it_valid(tmp_path, index):
    """A scan or an export without EXIF got a whole EXIF block made to hold XPKeywords,
    which Windows reads after dc:subject (and merges with it) and exiftool's MWG writes
    never: the label goes into XMP alone, and undo gives the bytes back."""
    require_exiftool()
    photo = make_jpeg(tmp_path / "a.jpg", exif=False)
    original = photo.read_bytes()
    add_photo(index, [photo], "Petra")
    assert write_all(index).written == 1
    assert parse_jpeg(photo.read_bytes()).first("exif") is None
    assert read_fields(photo.read_bytes()) == KeywordFields(["Petra"], ["Landmarks|Petra"])
    result = subprocess.run(["exiftool", "-validate", "-warning", "-a", "-s3", str(photo)],
                            capture_output=True, text=True, check=True)
    assert result.stdout.splitlines()[0] == "OK", result.stdout
    assert undo_last_write(index).written == 1
    assert photo.read_bytes() == original


def test_a_sidecar_two_photos_would_share_is_left_to_the_first(tmp_path, index):
    from PIL import Image

    from app.core.scanner import scan

    Image.new("RGB", (40, 30), (10, 200, 10)).save(tmp_path / "IMG_0100.png")
    Image.new("RGB", (40, 30), (200, 10, 10)).save(tmp_path / "IMG_0100.tif")
    scan(index, [tmp_path])
    photos = index.search("")
    assert len(photos) == 2  # two pictures with one name are two photos
    for photo, label in zip(photos, ("Petra", "Taj Mahal")):
        index.set_label(photo.id, label)
    summary = write_all(index, WriteOptions(sidecar_naming="stem"))
    assert (summary.written, summary.failed) == (1, 1)
    assert "--sidecar-naming ext" in summary.errors[0][1]
    assert len(fields_of_sidecar((tmp_path / "IMG_0100.xmp").read_bytes()).subject) == 1



def test_the_way_out_of_a_shared_sidecar_works(tmp_path, index):
    """The refusal for IMG_0100.xmp (of IMG_0100.png and of IMG_0100.tif) names
    --sidecar-naming ext: taken, the second photo gets its own IMG_0100.tif.xmp and the
    shared sidecar stays the first one's."""
    from PIL import Image

    from app.core.scanner import scan

    Image.new("RGB", (40, 30), (10, 200, 10)).save(tmp_path / "IMG_0100.png")
    Image.new("RGB", (40, 30), (200, 10, 10)).save(tmp_path / "IMG_0100.tif")
    scan(index, [tmp_path])
    for photo, label in zip(index.search(""), ("Petra", "Taj Mahal")):
        index.set_label(photo.id, label)
    refused = write_all(index, WriteOptions(sidecar_naming="stem"))
    assert "--sidecar-naming ext" in refused.errors[0][1]
    kept = fields_of_sidecar((tmp_path / "IMG_0100.xmp").read_bytes()).subject

    summary = write_all(index, WriteOptions(sidecar_naming="ext"))
    assert (summary.written, summary.unchanged, summary.failed) == (1, 1, 0), summary.errors
    theirs = [fields_of_sidecar(sidecar.read_bytes()).subject for sidecar in sorted(tmp_path.glob("*.*.xmp"))]
    assert len(theirs) == 1 and theirs[0] != kept and len(theirs[0]) == 1
    assert fields_of_sidecar((tmp_path / "IMG_0100.xmp").read_bytes()).subject == kept


def test_a_shared_sidecar_stays_the_photo_it_was_written_for_whatever_the_query(tmp_path, index):
    """IMG_0100.xmp got IMG_0100.png's label: a later write of IMG_0100.tif alone (its
    path as the query) must not take it over and put its own landmark in its place."""
    from PIL import Image

    from app.core.scanner import scan

    Image.new("RGB", (40, 30), (10, 200, 10)).save(tmp_path / "IMG_0100.png")
    Image.new("RGB", (40, 30), (200, 10, 10)).save(tmp_path / "IMG_0100.tif")
    scan(index, [tmp_path])
    png, tif = (index.search(f'path:"{tmp_path / name}"')[0] for name in ("IMG_0100.png", "IMG_0100.tif"))
    index.set_label(png.id, "Petra")
    options = WriteOptions(sidecar_naming="stem")
    assert write_all(index, options).written == 1
    index.set_label(tif.id, "Taj Mahal")

    for naming in ("stem", "ext"):
        options = WriteOptions(sidecar_naming=naming)
        write_labels(index, plan_writes(index, f'path:"{tmp_path / "IMG_0100.tif"}"', False, options), options)
        assert fields_of_sidecar((tmp_path / "IMG_0100.xmp").read_bytes()).hierarchical == ["Landmarks|Petra"]
    assert fields_of_sidecar((tmp_path / "IMG_0100.tif.xmp").read_bytes()).hierarchical == ["Landmarks|Taj Mahal"]

@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
@pytest.mark.parametrize("name", ["DSC_0001.jpg", "IMG_0002.png"])
def test_a_folder_linked_into_two_library_folders_gets_one_write_a_file(tmp_path, index, name):
    """An index an older version made, libA and libB scanned one at a time, holds the
    folder linked into both under each link: two photos a file. Their two labels would race
    into that one file; the photo indexed first is written, the other refused, naming the
    path its file is written under. (A scan now skips the second link: linked_folders.)"""
    from PIL import Image

    from app.core.scanner import scan

    shared = tmp_path / "drive" / "Shared"
    shared.mkdir(parents=True)
    photo = shared / name
    make_jpeg(photo) if name.endswith(".jpg") else Image.new("RGB", (40, 30), (10, 200, 10)).save(photo)
    original = photo.read_bytes()
    for library in ("libA", "libB"):
        (tmp_path / library).mkdir()
        (tmp_path / library / "Shared").symlink_to(shared, target_is_directory=True)
        scan(index, [tmp_path / library])
        index.conn.execute("DELETE FROM linked_folders")  # as before migration 29: the link walked is not known
    first, second = sorted(index.search(""), key=lambda found: found.id)  # one file, under each link
    index.set_label(first.id, "Duomo")
    index.set_label(second.id, "Pieve")

    refused = [item for item in plan_writes(index) if item.problem]
    assert [item.photo_id for item in refused] == [second.id]
    assert str(tmp_path / "libA" / "Shared" / name) in refused[0].problem
    summary = write_all(index)
    assert (summary.written, summary.failed) == (1, 1)
    written = photo if name.endswith(".jpg") else shared / f"{name}.xmp"
    fields = read_fields(written.read_bytes()) if written == photo else fields_of_sidecar(written.read_bytes())
    assert fields.hierarchical == ["Landmarks|Duomo"]
    undone = undo_last_write(index)
    assert (undone.written, undone.failed) == (1, 0)
    assert photo.read_bytes() == original and not (shared / f"{name}.xmp").exists()

def test_undo_finds_the_files_a_rescan_saw_moved(tmp_path, index):
    from PIL import Image

    from app.core.scanner import scan

    inbox, trip = tmp_path / "library" / "Inbox", tmp_path / "library" / "Jordan 2019"
    inbox.mkdir(parents=True)
    trip.mkdir()
    photo = make_jpeg(inbox / "DSC_0001.jpg")
    original = photo.read_bytes()
    Image.new("RGB", (40, 30), (10, 200, 10)).save(inbox / "DSC_0002.png")
    scan(index, [tmp_path / "library"])
    for found in index.search(""):
        index.set_label(found.id, "Petra")
    assert write_all(index).written == 2
    for name in ("DSC_0001.jpg", "DSC_0002.png", "DSC_0002.png.xmp"):
        (inbox / name).rename(trip / name)
    (trip / "DSC_0001.jpg").rename(trip / "Petra_0001.jpg")
    assert scan(index, [tmp_path / "library"]).moved == 2
    summary = undo_last_write(index)
    assert (summary.written, summary.failed) == (2, 0), summary.errors
    assert (trip / "Petra_0001.jpg").read_bytes() == original
    assert not (trip / "DSC_0002.png.xmp").exists()


def test_a_dry_run_names_a_file_changed_since_the_scan_as_the_write_would(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    add_photo(index, [photo], "Petra")
    photo.write_bytes(photo.read_bytes() + b"edited elsewhere")  # after it was indexed
    (item,) = plan_writes(index)
    assert "changed on disk since the scan" in item.describe()
    summary = write_all(index)
    assert summary.failed == 1 and "changed on disk" in summary.errors[0][1]


def test_a_dry_run_with_a_file_that_cannot_be_written_exits_1_as_the_write(tmp_path, capsys):
    """`write --dry-run` said "1 cannot be written" and exited 0 while the write itself
    exited 1: a script running the dry run first could not tell."""
    from app.cli.main import main

    text = DARKTABLE_SIDECAR
    raw, sidecar, _ = raw_with_sidecar(tmp_path / "raw", "DSC_0001.NEF.xmp", text)
    sidecar.write_bytes(text.encode("utf-16"))  # not UTF-8: left alone, named
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as opened:
        add_photo(opened, [raw], "Petra")
        add_photo(opened, [make_jpeg(tmp_path / "b.jpg")], "Petra")
    assert main(["--db", str(db), "write", "--dry-run"]) == 1
    assert "1 file would change, 0 unchanged, 1 cannot be written" in capsys.readouterr().err
    with PhotoIndex.open(db) as opened:  # the RAW never labelled: its sidecar is not planned
        opened.conn.execute("DELETE FROM labels WHERE photo_id IN (SELECT photo_id FROM files WHERE path = ?)",
                            (str(raw.resolve()),))
        opened.conn.commit()
    assert main(["--db", str(db), "write", "--dry-run"]) == 0  # nothing in the way: 0
