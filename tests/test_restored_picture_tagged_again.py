"""A damaged JPEG put back from its backup stayed "damaged" for good (review9 F3): `scan`
said "1 changed" but `tag` called the photo "already up to date", as it compared only
the fingerprint (size, first and last 64 KiB), which damage in the middle of a file
keeps. And an undecodable copy swapping names with its good original kept the good
picture's suggestion with "errors: 0". `tag` now also compares the JPEG's picture print
(the image data) with the one it was tagged from; our own `write` leaves it as it was."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import numpy as np
from PIL import Image

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.scanner import scan
from app.core.tag_selection import _CHUNK, select_photos, tagged_as_it_is
from tests.test_gui_support import insert_archive_rows

A_DAY_NS = 86_400 * 10**9


def _large_jpeg(flip: bool = False) -> bytes:
    """A noisy 1280x960 JPEG (~400 KiB): its middle lies outside the first and last 64 KiB."""
    y, x = np.mgrid[0:960, 0:1280]
    pixels = np.stack([x * 255 // 1280, y * 255 // 960, (x + y) * 255 // 2240], -1)
    pixels = (pixels + np.random.default_rng(7).integers(-20, 20, pixels.shape)).clip(0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels[:, ::-1] if flip else pixels).save(out, "JPEG", quality=90)
    return out.getvalue()


def _middle_overwritten(data: bytes, fill: bytes) -> bytes:
    """`data` with 4096 bytes in its middle replaced: same size, head and tail."""
    middle = len(data) // 2
    return data[:middle] + fill * (4096 // len(fill)) + data[middle + 4096:]


def _put(path: Path, data: bytes, day: int) -> None:
    """Write `data` with a date of its own (a copy from a backup brings the backup's)."""
    path.write_bytes(data)
    os.utime(path, ns=(day * A_DAY_NS, day * A_DAY_NS))


def _run(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _two_photos_tagged(tmp_path: Path, capsys) -> tuple[Path, Path]:
    """Rome/DSC_0001.jpg and its mirror image DSC_0002.jpg, tagged: the folder and the index."""
    folder, db = tmp_path / "Rome", tmp_path / "index.db"
    folder.mkdir()
    _put(folder / "DSC_0001.jpg", _large_jpeg(), 1)
    _put(folder / "DSC_0002.jpg", _large_jpeg(flip=True), 1)
    assert _run(capsys, db, "tag", str(folder))[0] == 0
    return folder, db


def _problems(capsys, db: Path) -> list[tuple[str, str]]:
    stats = json.loads(_run(capsys, db, "stats", "--errors", "--json")[1])
    return sorted((p["stage"], Path(p["path"]).name) for p in stats["problems"])


def test_a_damaged_photo_restored_from_its_backup_is_tagged_again(tmp_path: Path, capsys) -> None:
    folder, db = tmp_path / "Rome", tmp_path / "index.db"
    folder.mkdir()
    good = _large_jpeg()
    _put(folder / "DSC_0001.jpg", _middle_overwritten(good, b"\x00"), 1)  # bit rot: decodes, garbled
    _put(folder / "DSC_0002.jpg", _large_jpeg(flip=True), 1)
    code, _, err = _run(capsys, db, "tag", str(folder))
    assert code == 0 and "1 damaged photo labelled from the part that could be read" in err, err
    assert _problems(capsys, db) == [("damaged", "DSC_0001.jpg")]

    _put(folder / "DSC_0001.jpg", good, 2)  # the original camera file put back
    assert "1 changed" in _run(capsys, db, "scan", str(folder))[2]
    code, _, err = _run(capsys, db, "tag", str(folder))
    assert code == 0 and "tagged 1 photo" in err and "1 already up to date" in err, err
    assert "damaged" not in err
    assert _problems(capsys, db) == []


def test_an_undecodable_copy_swapping_names_with_its_original_is_read_again(tmp_path: Path, capsys) -> None:
    folder, db = tmp_path / "Rome", tmp_path / "index.db"
    folder.mkdir()
    good = _large_jpeg()
    _put(folder / "A.jpg", _middle_overwritten(good, b"\xff"), 1)  # erased flash: does not decode
    _put(folder / "B.jpg", good, 2)
    code, _, err = _run(capsys, db, "tag", str(folder))
    assert code == 1 and "tagged 1 photo" in err and "1 failed" in err, err
    assert _problems(capsys, db) == [("decode", "A.jpg")]

    (folder / "A.jpg").rename(folder / "t.jpg")
    (folder / "B.jpg").rename(folder / "A.jpg")
    (folder / "t.jpg").rename(folder / "B.jpg")
    assert "2 changed" in _run(capsys, db, "scan", str(folder))[2]
    code, out, err = _run(capsys, db, "tag", "--json", str(folder))
    lines = {Path(line["path"]).name: line for line in map(json.loads, out.splitlines())}
    assert code == 1 and "tagged 1 photo" in err and "1 failed" in err, err
    assert "cannot decode the image" in lines["B.jpg"]["error"] and lines["A.jpg"]["top"]
    assert _problems(capsys, db) == [("decode", "B.jpg")]
    # the broken file is not decoded again while it stays as it is
    code, _, err = _run(capsys, db, "tag", str(folder))
    assert "tagged 0 photos" in err and "1 already up to date" in err, err


def test_our_own_write_and_a_plain_rescan_tag_nothing_again(tmp_path: Path, capsys) -> None:
    folder, db = _two_photos_tagged(tmp_path, capsys)
    assert _run(capsys, db, "label", "", "Colosseum")[0] == 0
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    code, _, err = _run(capsys, db, "write")
    assert code == 0 and "2 files written" in err, err
    for path in folder.iterdir():  # the keyword written into each: another head, same picture
        assert path.read_bytes()[:65536] != before[path.name][:65536]

    assert "0 changed" in _run(capsys, db, "scan", str(folder))[2]
    code, _, err = _run(capsys, db, "tag", str(folder))
    assert code == 0 and "tagged 0 photos" in err and "2 already up to date" in err, err


def test_our_write_does_not_take_a_change_no_tag_has_read_yet_for_its_own(tmp_path: Path, capsys) -> None:
    """A photo whose tag kept no picture print (tagged before its JPEG was printed, or an
    upgrade that found the file changed since its tag) is told changed by its fingerprint
    alone: our write moves the tagged fingerprint with the file only where it was the one
    tagged, so another picture put there before it is still read by the next tag."""
    import sqlite3

    folder, db = _two_photos_tagged(tmp_path, capsys)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE tagged SET picture_print = NULL")
    conn.commit()
    conn.close()
    other = io.BytesIO()
    Image.open(io.BytesIO(_large_jpeg())).rotate(180).save(other, "JPEG", quality=85)
    _put(folder / "DSC_0001.jpg", other.getvalue(), 2)  # another picture, not tagged yet
    assert "1 changed" in _run(capsys, db, "scan", str(folder))[2]
    assert _run(capsys, db, "label", "", "Colosseum")[0] == 0
    code, _, err = _run(capsys, db, "write")
    assert code == 0 and "2 files written" in err, err

    code, _, err = _run(capsys, db, "tag", str(folder))
    assert code == 0 and "tagged 1 photo" in err and "1 already up to date" in err, err


def test_what_tells_a_photo_tagged_as_it_is() -> None:
    jpeg = ("f", "p")
    assert tagged_as_it_is(*jpeg, "f", "p")  # a JPEG touched, or written by us: same picture
    assert not tagged_as_it_is(*jpeg, "f", "q")  # another picture, same head and tail
    assert not tagged_as_it_is(*jpeg, "g", "p")  # another fingerprint (a metadata edit elsewhere)
    other = ("f", None)  # no picture print: a PNG, TIFF, RAW, or a JPEG not printed yet
    assert tagged_as_it_is(*other, "f", None)  # whatever its mtime did (a copy, a touch, a FAT disk)
    assert not tagged_as_it_is(*other, "g", None)
    assert tagged_as_it_is(*jpeg, "f", None)  # printed by the backfill since
    assert not tagged_as_it_is(*jpeg, "g", None)


def test_the_upgrade_keeps_what_photos_tagged_before_were_tagged_from(tmp_path: Path, capsys) -> None:
    import sqlite3

    from app.core.index.migrations_latest import migration_47

    folder, db = _two_photos_tagged(tmp_path, capsys)
    conn = sqlite3.connect(db)
    kept = conn.execute("SELECT photo_id, picture_print, file_mtime_ns FROM tagged ORDER BY photo_id").fetchall()
    assert len(kept) == 2 and all(row[1] and row[2] is None for row in kept)  # the mtime is not kept
    # as an index tagged before 47 holds them; the second photo's file changed since its tag
    conn.execute("UPDATE tagged SET picture_print = NULL")
    conn.execute("UPDATE tagged SET file_fingerprint = 'older' WHERE photo_id = ?", (kept[1][0],))
    migration_47(conn)
    assert conn.execute("SELECT photo_id, picture_print, file_mtime_ns FROM tagged ORDER BY photo_id").fetchall() \
        == [kept[0], (kept[1][0], None, None)]
    conn.close()


def test_a_photo_restored_before_the_upgrade_is_read_again_by_the_first_tag_after_it(tmp_path: Path, capsys) -> None:
    """review13 F2: an index of the code before migration 47 kept only the fingerprint, so
    a damaged photo put back from its backup there stayed "damaged"; the upgrade must not
    take the restored file's print for the one tagged: the photo is read again once."""
    import sqlite3

    folder, db = tmp_path / "Rome", tmp_path / "index.db"
    folder.mkdir()
    good = _large_jpeg()
    _put(folder / "DSC_0001.jpg", _middle_overwritten(good, b"\x00"), 1)
    _put(folder / "DSC_0002.jpg", _large_jpeg(flip=True), 1)
    assert "1 damaged photo" in _run(capsys, db, "tag", str(folder))[2]
    _put(folder / "DSC_0001.jpg", good, 2)
    assert "1 changed" in _run(capsys, db, "scan", str(folder))[2]
    conn = sqlite3.connect(db)  # the index as the code before 47 left it: no print, no mtime kept
    conn.execute("ALTER TABLE tagged DROP COLUMN picture_print")
    conn.execute("ALTER TABLE tagged DROP COLUMN file_mtime_ns")
    conn.execute("PRAGMA user_version = 46")
    conn.commit()
    conn.close()

    code, _, err = _run(capsys, db, "tag", str(folder))
    assert code == 0 and "tagged 1 photo" in err and "1 already up to date" in err, err
    assert "damaged" not in err
    assert _problems(capsys, db) == []
    code, _, err = _run(capsys, db, "tag", str(folder))
    assert "tagged 0 photos" in err and "2 already up to date" in err, err


def test_a_retag_reads_again_the_photos_tagged_as_they_are_that_it_names(tmp_path: Path) -> None:
    """`tag --retag` (True) classifies every photo again, and a retag resumed after an
    interruption (app.core.retag_marks: the ids it still owes) exactly those it owes."""
    folder = tmp_path / "Rome"
    folder.mkdir()
    for n in range(3):
        Image.new("RGB", (32, 24), (80 * n, 10, 10)).save(folder / f"DSC_000{n}.jpg")
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        ids = [row[0] for row in index.conn.execute("SELECT id FROM photos ORDER BY id")]
        with index.transaction() as tx:  # tagged by model m1 from the files as they are
            tx.execute("INSERT INTO tagged (photo_id, model_id, file_fingerprint, picture_print) "
                       "SELECT p.id, 'm1', f.fingerprint, f.picture_print FROM photos p "
                       "JOIN files f ON f.path = p.primary_path")
        plain, every, owed = (select_photos(index, ids, "m1", retag=retag) for retag in (False, True, ids[::2]))

    assert plain.jobs == [] and plain.up_to_date == 3
    assert [job.photo_id for job in every.jobs] == ids and every.up_to_date == 0
    assert [job.photo_id for job in owed.jobs] == ids[::2] and owed.up_to_date == 1


def test_a_raw_and_jpeg_pair_is_decoded_from_its_jpeg_first(tmp_path: Path, shared_data: Path) -> None:
    """A real Nikon NEF beside its JPEG: the decode job tries the JPEG (the picture the user
    keeps, a fast draft decode) before the RAW, though the RAW's path sorts first here."""
    folder = tmp_path / "Trip"
    folder.mkdir()
    shutil.copy(shared_data / "camera" / "raw" / "Nikon_uncompressed.nef", folder / "DSC_0001.NEF")
    Image.new("RGB", (64, 48), (120, 80, 40)).save(folder / "DSC_0001.jpg")
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        ids = [row[0] for row in index.conn.execute("SELECT id FROM photos")]
        jobs = select_photos(index, ids, "m1").jobs

    assert [[Path(path).name for path in job.paths] for job in jobs] == [["DSC_0001.jpg", "DSC_0001.NEF"]]


def test_a_selection_larger_than_one_query_chunk_gives_every_photo_a_job(tmp_path: Path) -> None:
    """Photos are looked up in chunks of _CHUNK ids: past the first chunks, none is left
    without a job (or a count) — a photo left out would silently never be tagged."""
    count = 2 * _CHUNK + 1
    with PhotoIndex.open(tmp_path / "index.db") as index:
        with index.transaction() as conn:
            insert_archive_rows(conn, count)
        ids = [row[0] for row in index.conn.execute("SELECT id FROM photos ORDER BY id")]
        selection = select_photos(index, ids, "m1")

    assert len(ids) == count
    assert [job.photo_id for job in selection.jobs] == ids
    assert (selection.up_to_date, selection.failed_before) == (0, 0)
