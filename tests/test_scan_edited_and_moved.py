"""A photo edited in another program (Lightroom or digiKam adding a keyword rewrites the
JPEG's head) and moved or renamed before the next scan: its move fingerprint (the first
and last 64 KiB) changed, so the scan saw a new photo and left the labels, reviews,
rejections and taught places on a "missing" ghost. A move is recognised by the picture
now (app/core/picture_moves.py), only when one photo matches one; and a RAW byte-identical
to another photo's (a backup copy) no longer decides which photo moved where."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.scanner import scan
from tests.test_decode_raw import gray_sensor, green_preview, write_dng
from tests.test_index_support import write_jpeg

COLOURS = {1: (200, 10, 10), 2: (10, 200, 10), 3: (10, 10, 200)}


@pytest.fixture
def index(tmp_path):
    with PhotoIndex.open(tmp_path / "index.db") as opened:
        yield opened


def edit_in_lightroom(path: Path, keyword: str = "Jordan") -> None:
    """Add an XMP packet to the JPEG's head, as Lightroom or digiKam saving a keyword does:
    the image data stays byte for byte, the size and the first 64 KiB change."""
    xmp = (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           f'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag>'
           f'<rdf:li>{keyword}</rdf:li></rdf:Bag></dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>').encode()
    payload = b"http://ns.adobe.com/xap/1.0/\x00" + xmp
    data = path.read_bytes()
    assert data[:2] == b"\xff\xd8"
    path.write_bytes(data[:2] + b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload + data[2:])


def trip(folder: Path) -> dict[int, Path]:
    return {n: write_jpeg(folder / f"DSC_000{n}.JPG", color=colour, size=(40 + n, 30),
                          taken=f"2026:04:12 09:30:0{n}", subsec="25", make="NIKON CORPORATION", model="NIKON Z 6")
            for n, colour in COLOURS.items()}


def photo_at(index: PhotoIndex, path: Path):
    found = index.search(f'path:"{path}"')
    assert len(found) == 1, f"{path}: {found}"
    return found[0]


def words(index: PhotoIndex, photo_id: int) -> tuple:
    conn = index.conn
    record = index.get(photo_id)
    rejected = sorted(r[0] for r in conn.execute("SELECT label FROM rejections WHERE photo_id = ?", (photo_id,)))
    taught = sorted(r[0] for r in conn.execute("SELECT label FROM taught_refs WHERE photo_id = ?", (photo_id,)))
    return record.label, record.state, rejected, taught


def review(index: PhotoIndex, photos: dict[int, Path]) -> dict[int, int]:
    """Photo 1 accepted, 2 labelled "Our hotel" and taught, 3 rejected; their ids."""
    ids = {n: photo_at(index, path).id for n, path in photos.items()}
    index.set_label(ids[1], "Petra", source="model", state="suggested", score=0.9)
    index.set_state([ids[1]], "accepted")
    index.set_label(ids[2], "Our hotel")
    index.conn.execute("INSERT INTO taught_refs (label, photo_id, model_id, vector, created_at) "
                       "VALUES ('Our hotel', ?, 'm', NULL, '2026-04-13')", (ids[2],))
    index.conn.commit()
    index.set_label(ids[3], "Petra", source="model", state="suggested", score=0.8)
    index.set_state([ids[3]], "rejected")
    return ids


def test_photos_edited_elsewhere_and_moved_keep_their_labels_reviews_rejections_and_taught_places(
        tmp_path, index) -> None:
    library = tmp_path / "lib"
    photos = trip(library / "Trip")
    scan(index, [library])
    ids = review(index, photos)
    before = {n: words(index, photo_id) for n, photo_id in ids.items()}
    for n, path in photos.items():
        edit_in_lightroom(path)
        path.rename(path.with_name(f"2026-04-12_Trip_000{n}.JPG"))  # a new stem: only the picture tells
    (library / "2026" / "05").mkdir(parents=True)
    shutil.move(str(library / "Trip"), str(library / "2026" / "05" / "Trip"))

    summary = scan(index, [library])

    assert (summary.moved, summary.new, summary.missing) == (3, 0, 0)
    assert index.search("is:missing") == []
    for n, photo_id in ids.items():
        moved = photo_at(index, library / "2026" / "05" / "Trip" / f"2026-04-12_Trip_000{n}.JPG")
        assert moved.id == photo_id
        assert words(index, photo_id) == before[n]
        assert [Path(f).name for f in moved.files] == [f"2026-04-12_Trip_000{n}.JPG"]
    assert before[3][2] == ["Petra"] and before[2][3] == ["Our hotel"]


def test_a_photo_edited_elsewhere_and_renamed_in_its_folder_keeps_its_label(tmp_path, index) -> None:
    library = tmp_path / "lib"
    photos = trip(library / "Trip")
    scan(index, [library])
    ids = review(index, photos)
    edit_in_lightroom(photos[2])
    photos[2].rename(library / "Trip" / "2026-04-12_Petra_0002.JPG")

    summary = scan(index, [library])

    assert (summary.moved, summary.new, summary.missing) == (1, 0, 0)
    renamed = photo_at(index, library / "Trip" / "2026-04-12_Petra_0002.JPG")
    assert renamed.id == ids[2]
    assert words(index, ids[2]) == ("Our hotel", "accepted", [], ["Our hotel"])
    assert index.search("is:missing") == []


def test_a_photo_edited_elsewhere_while_its_folder_was_away_a_scan_long_is_joined_when_it_is_back(
        tmp_path, index) -> None:
    library, away = tmp_path / "lib", tmp_path / "away"
    photos = trip(library / "Trip")
    scan(index, [library])
    ids = review(index, photos)
    edit_in_lightroom(photos[2])
    away.mkdir()
    shutil.move(str(library / "Trip"), str(away / "Trip_2026"))
    assert scan(index, [library]).missing == 3  # the folder taken away: a scan sees its photos missing
    shutil.move(str(away / "Trip_2026"), str(library / "Trip_2026"))  # back, under another name

    summary = scan(index, [library])

    assert (summary.moved, summary.new, summary.missing) == (3, 0, 0)
    assert photo_at(index, library / "Trip_2026" / "DSC_0002.JPG").id == ids[2]
    assert words(index, ids[2]) == ("Our hotel", "accepted", [], ["Our hotel"])
    assert index.search("is:missing") == []


def _labelled_copies_one_edited(index: PhotoIndex, library: Path) -> tuple[Path, Path]:
    """A/DSC_0001.JPG labelled Petra and its copy B/DSC_0001.JPG labelled Our hotel,
    scanned; then the first edited in Lightroom: (first, second)."""
    first = write_jpeg(library / "A" / "DSC_0001.JPG", color=(200, 10, 10), taken="2026:04:12 09:30:01")
    second = library / "B" / "DSC_0001.JPG"
    second.parent.mkdir()
    shutil.copyfile(first, second)  # a copy kept elsewhere, labelled otherwise
    scan(index, [library])
    index.set_label(photo_at(index, first).id, "Petra")
    index.set_label(photo_at(index, second).id, "Our hotel")
    edit_in_lightroom(first)
    return first, second


def test_two_photos_missing_since_an_earlier_scan_with_one_picture_are_not_guessed_between(tmp_path, index) -> None:
    library = tmp_path / "lib"
    first, second = _labelled_copies_one_edited(index, library)
    shutil.move(str(library / "A"), str(tmp_path / "A"))
    second.unlink()
    assert scan(index, [library]).missing == 2
    shutil.move(str(tmp_path / "A"), str(library / "C"))

    summary = scan(index, [library])

    assert (summary.moved, summary.new) == (0, 1)
    assert photo_at(index, library / "C" / "DSC_0001.JPG").state == "unlabelled"
    assert sorted(r.label for r in index.search("is:missing")) == ["Our hotel", "Petra"]


def test_two_photos_gone_with_the_same_picture_are_not_guessed_between(tmp_path, index) -> None:
    library = tmp_path / "lib"
    first, second = _labelled_copies_one_edited(index, library)
    (library / "C").mkdir()
    first.rename(library / "C" / "Petra_0001.JPG")
    second.unlink()

    summary = scan(index, [library])

    assert (summary.moved, summary.new, summary.missing) == (0, 1, 2)
    assert photo_at(index, library / "C" / "Petra_0001.JPG").state == "unlabelled"
    assert sorted(r.label for r in index.search("is:missing")) == ["Our hotel", "Petra"]
    assert any("Petra_0001.JPG" in note and "not joined" in note for note in summary.split_notes), summary.line()


def test_a_raw_byte_identical_to_a_backup_does_not_swap_the_labels_of_two_photos(tmp_path, index) -> None:
    library = tmp_path / "lib"
    shot = dict(make="NIKON CORPORATION", model="NIKON D850", taken="2026:04:12 09:30:01")
    rome = library / "Rome"
    rome.mkdir(parents=True)
    write_dng(rome / "DSC_0001.NEF", green_preview(), gray_sensor(), **shot)
    write_jpeg(rome / "DSC_0001.JPG", color=(200, 10, 10), size=(480, 320), taken=shot["taken"],
               make=shot["make"], model=shot["model"])
    (library / "Backup").mkdir()
    shutil.copyfile(rome / "DSC_0001.NEF", library / "Backup" / "DSC_0001.NEF")  # the same bytes
    scan(index, [library])
    colosseum = photo_at(index, rome / "DSC_0001.JPG")
    assert sorted(Path(f).name for f in colosseum.files) == ["DSC_0001.JPG", "DSC_0001.NEF"]
    backup = photo_at(index, library / "Backup" / "DSC_0001.NEF")
    index.set_label(colosseum.id, "Colosseum")
    index.set_label(backup.id, "Pont d'Avignon")
    for ext in ("JPG", "NEF"):
        (rome / f"DSC_0001.{ext}").rename(rome / f"2026-05-01_Rome_0001.{ext}")
    (library / "2026").mkdir()
    shutil.move(str(library / "Backup"), str(library / "2026" / "Backup"))

    summary = scan(index, [library])

    assert (summary.moved, summary.new, summary.missing) == (2, 0, 0)
    renamed = photo_at(index, rome / "2026-05-01_Rome_0001.JPG")
    assert (renamed.id, renamed.label) == (colosseum.id, "Colosseum")
    assert sorted(Path(f).name for f in renamed.files) == ["2026-05-01_Rome_0001.JPG", "2026-05-01_Rome_0001.NEF"]
    moved_backup = photo_at(index, library / "2026" / "Backup" / "DSC_0001.NEF")
    assert (moved_backup.id, moved_backup.label) == (backup.id, "Pont d'Avignon")
    assert index.conn.execute("SELECT count(*) FROM files WHERE missing = 1").fetchone()[0] == 0
    assert index.search("is:missing") == []


def test_a_raw_moved_while_its_backup_copy_was_deleted_is_joined_to_neither_by_a_guess(tmp_path, index) -> None:
    """Two byte-identical RAWs (a backup copy made later, labelled otherwise): one deleted,
    the other moved. Which one moved cannot be told, so the new photo joins neither: a
    guess could give the moved photo the backup's label, Petra left on a ghost."""
    library = tmp_path / "lib"
    trip = library / "trip" / "DSC_0001.NEF"
    trip.parent.mkdir(parents=True)
    write_dng(trip, green_preview(), gray_sensor(), make="NIKON CORPORATION", model="NIKON D850",
              taken="2026:04:12 09:30:01")
    scan(index, [library])
    backup = library / "backup" / "DSC_0001.NEF"
    backup.parent.mkdir()
    shutil.copyfile(trip, backup)
    scan(index, [library])
    ids = {photo_at(index, trip).id, photo_at(index, backup).id}
    index.set_label(photo_at(index, trip).id, "Petra")
    index.set_label(photo_at(index, backup).id, "Our hotel")
    backup.unlink()
    (library / "best").mkdir()
    best = trip.rename(library / "best" / trip.name)

    summary = scan(index, [library])

    assert (summary.moved, summary.new, summary.missing) == (0, 1, 2)
    moved = photo_at(index, best)
    assert moved.id not in ids and moved.label is None
    assert sorted(r.label for r in index.search("is:missing")) == ["Our hotel", "Petra"]


def test_different_pictures_of_one_name_date_camera_and_size_stay_apart(tmp_path, index) -> None:
    """A camera clock never set (every shot 2000:01:01 00:00:00) or a second body of the
    model: a deleted DSC_0001's labels do not go to another card's DSC_0001."""
    library = tmp_path / "lib"
    shot = dict(size=(64, 48), taken="2000:01:01 00:00:00", make="NIKON CORPORATION", model="NIKON D3100")
    deleted = write_jpeg(library / "CardA" / "DSC_0001.JPG", color=(200, 10, 10), **shot)
    kept = write_jpeg(library / "CardA" / "DSC_0002.JPG", color=(10, 200, 10), **shot)
    alone = write_jpeg(library / "Body1" / "DSC_0007.JPG", color=(200, 200, 10), **{**shot, "taken": "2023:06:10 15:02:11"})
    scan(index, [library])
    index.set_label(photo_at(index, deleted).id, "Colosseum")
    index.set_label(photo_at(index, kept).id, "Taj Mahal")
    index.set_label(photo_at(index, alone).id, "Petra")
    deleted.unlink()
    alone.unlink()
    other = write_jpeg(library / "CardB" / "DSC_0001.JPG", color=(10, 10, 200), **shot)
    other_body = write_jpeg(library / "Body2" / "DSC_0007.JPG", color=(10, 200, 200),
                            **{**shot, "taken": "2023:06:10 15:02:11"})  # the only other photo of that second

    summary = scan(index, [library])

    assert (summary.moved, summary.new, summary.missing) == (0, 2, 2)
    assert photo_at(index, other).state == photo_at(index, other_body).state == "unlabelled"
    assert sorted(r.label for r in index.search("is:missing")) == ["Colosseum", "Petra"]
    assert "2 new photos with the date taken, camera and size of one gone missing" in summary.line()


def test_a_photo_gone_before_it_had_a_print_is_not_joined_by_its_name(tmp_path, index) -> None:
    """A name, date, camera and size cannot tell two bodies' cards apart: a photo without a
    print joins nothing, its labels stay on the missing one and the scan names the new one."""
    library = tmp_path / "lib"
    shot = dict(size=(64, 48), make="NIKON CORPORATION", model="NIKON D3100")
    own = write_jpeg(library / "A" / "DSC_0001.JPG", color=(200, 10, 10), taken="2023:06:10 15:02:11", **shot)
    scan(index, [library])
    index.set_label(photo_at(index, own).id, "Colosseum")
    index.conn.execute("UPDATE files SET picture_print = NULL")  # indexed before migration 42
    index.conn.commit()
    own.unlink()
    other = write_jpeg(library / "B" / "DSC_0001.JPG", color=(90, 90, 90), taken="2023:06:10 15:02:11", **shot)

    summary = scan(index, [library])

    assert (summary.moved, summary.new, summary.missing) == (0, 1, 1)
    assert photo_at(index, other).state == "unlabelled"
    assert [r.label for r in index.search("is:missing")] == ["Colosseum"]
    assert "1 new photo with the date taken, camera and size of one gone missing" in summary.line()


def index_of_schema_41(tmp_path: Path, monkeypatch, library: Path, photos) -> Path:
    """An index as a scan before migration 42 left it (no picture prints) of `photos`."""
    from app.core.fingerprint import fingerprint_file
    from app.core.index import catalog, schema
    from app.core.photo_info import read_photo_info

    db = tmp_path / "index.db"
    monkeypatch.setattr(schema, "LATEST_VERSION", schema.MIGRATIONS.index(schema.migration_42))
    with PhotoIndex.open(db) as old, old.transaction() as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 41
        for photo in photos:
            info = read_photo_info(photo)
            photo_id, _ = catalog.save_photo(conn, str(photo.parent), photo.stem, str(photo), False, info)
            stat = photo.stat()
            conn.execute("INSERT INTO files (photo_id, path, name, ext, kind, size, mtime_ns, fingerprint, missing, "
                         "last_scan_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0)",
                         (photo_id, str(photo), photo.name, photo.suffix.lower(), info.kind, stat.st_size,
                          stat.st_mtime_ns, fingerprint_file(photo, stat.st_size)))
            catalog.refresh_fts(conn, photo_id)
        conn.execute("INSERT INTO library_roots (path, added_at, recursive) VALUES (?, '2024-01-01', 1)",
                     (str(library),))
    monkeypatch.undo()
    return db


def test_a_card_swapped_before_the_first_scan_after_the_upgrade_gets_none_of_the_labels(
        tmp_path, monkeypatch) -> None:
    """Body A's card, indexed and labelled before picture prints, replaced by body B's card
    (same file names, seconds, model and size, other pictures) before the upgrade's scan."""
    library = tmp_path / "lib"
    shot = dict(size=(64, 48), make="NIKON CORPORATION", model="NIKON D3100")
    body_a = [write_jpeg(library / "BodyA" / f"DSC_000{n}.JPG", color=colour, taken=f"2023:06:10 15:02:1{n}", **shot)
              for n, colour in COLOURS.items()]
    db = index_of_schema_41(tmp_path, monkeypatch, library, body_a)
    with PhotoIndex.open(db) as index:
        for photo in body_a:
            index.set_label(photo_at(index, photo).id, "Colosseum")
        shutil.rmtree(library / "BodyA")
        body_b = [write_jpeg(library / "BodyB" / f"DSC_000{n}.JPG", color=tuple(255 - c for c in colour),
                             taken=f"2023:06:10 15:02:1{n}", **shot) for n, colour in COLOURS.items()]

        summary = scan(index, [library])

        assert (summary.moved, summary.new, summary.missing) == (0, 3, 3)
        assert [photo_at(index, photo).state for photo in body_b] == ["unlabelled"] * 3
        assert [r.label for r in index.search("is:missing")] == ["Colosseum"] * 3


def test_an_index_of_schema_41_gets_the_prints_of_its_jpegs_at_the_next_scan_once(
        tmp_path, monkeypatch) -> None:
    library = tmp_path / "lib"
    photos = trip(library / "Trip")
    db = index_of_schema_41(tmp_path, monkeypatch, library, photos.values())
    with PhotoIndex.open(db) as index:
        ids = review(index, photos)
        first = scan(index, [library])
        prints = index.conn.execute("SELECT count(picture_print) FROM files").fetchone()[0]
        again = scan(index, [library])
        for n, path in photos.items():
            edit_in_lightroom(path)
            path.rename(path.with_name(f"Trip_{n}.JPG"))
        edited = scan(index, [library])

        assert "read the picture of 3 JPEGs once after the upgrade" in first.line()
        assert prints == 3 and "read the picture" not in again.line()
        assert (edited.moved, edited.new, edited.missing) == (3, 0, 0)
        assert photo_at(index, library / "Trip" / "Trip_2.JPG").id == ids[2]


def test_a_jpeg_in_the_cloud_or_locked_at_the_upgrade_s_scan_is_printed_by_a_later_one(
        tmp_path, monkeypatch) -> None:
    """Reading DSC_0001 (kept in iCloud: its stand-in only) would download it, and DSC_0003
    is locked by another program: both keep their mark, and the scan after DSC_0001 is
    downloaded and DSC_0003 let go prints them (an unchanged file is never read again)."""
    import app.core.picture_backfill as picture_backfill

    library = tmp_path / "lib"
    photos = trip(library / "Trip")
    db = index_of_schema_41(tmp_path, monkeypatch, library, photos.values())
    in_icloud, kept_aside = photos[1].with_name(f".{photos[1].name}.icloud"), tmp_path / "downloaded.JPG"
    photos[1].rename(kept_aside)
    in_icloud.write_bytes(b"bplist00" + bytes(120))  # what "Optimize Mac Storage" leaves

    def locked(path, size=None):
        if Path(path).name == "DSC_0003.JPG":
            raise PermissionError(13, "The process cannot access the file", str(path))
        return real_print(path, size)

    real_print = picture_backfill.picture_print
    with PhotoIndex.open(db) as index:
        ids = review(index, photos)
        with monkeypatch.context() as patch:
            patch.setattr(picture_backfill, "picture_print", locked)
            first = scan(index, [library])
        marked = sorted(r[0] for r in index.conn.execute("SELECT photo_id FROM photos_to_print"))
        in_icloud.unlink()
        kept_aside.rename(photos[1])
        later = scan(index, [library])
        for n, path in photos.items():
            edit_in_lightroom(path)
            path.rename(path.with_name(f"Trip_{n}.JPG"))
        edited = scan(index, [library])
        back = {n: photo_at(index, library / "Trip" / f"Trip_{n}.JPG").id for n in photos}

    assert "read the picture of 1 JPEG once after the upgrade" in first.line(), first.line()
    assert marked == [ids[1], ids[3]]
    assert "read the picture of 2 JPEGs once after the upgrade" in later.line(), later.line()
    assert (edited.moved, edited.new, edited.missing) == (3, 0, 0) and back == ids
