"""`forget --missing` acted on the last scan's missing mark alone: a labelled photo whose
card was plugged in again (its folder put back) since that scan was forgotten, its label
and taught reference with it. Now each missing photo's files are looked up on disk right
before it goes (each folder listed once): one with a file there again stays, and so does
one whose folder cannot be read; a photo deleted, or whose folder is gone, goes as before,
and the photos of a card not connected stay as before (test_emptied_library_folder)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from app.core.index import PhotoIndex
from app.core.index.forget import forget_missing, missing_photos
from tests.test_cli_core import run_cli
from tests.test_cli_first_hour import photo
from tests.test_emptied_library_folder import mounts, unplug  # noqa: F401 (a fixture)
from tests.test_renumbering_support import raw_jpeg_pairs_scanned, scan


def card_out_and_back(tmp_path: Path, capsys) -> tuple[str, Path]:
    """lib/card/a.jpg labelled Giralda, the card taken out, a scan marking a.jpg missing,
    then the card put back (no scan since): (db, lib)."""
    lib = tmp_path / "lib"
    photo(lib / "card" / "a.jpg", 1)
    photo(lib / "b.jpg", 2)
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(lib))[0] == 0
    assert run_cli(capsys, "--db", db, "label", str(lib / "card" / "a.jpg"), "Giralda", "--new")[0] == 0
    (lib / "card").rename(tmp_path / "away")
    code, _out, err = run_cli(capsys, "--db", db, "scan", str(lib))
    assert "1 missing" in err, err
    (tmp_path / "away").rename(lib / "card")
    return db, lib


def labels(db: str) -> dict[str, str | None]:
    """{file name: label} of every photo the index at `db` holds, missing ones too."""
    with PhotoIndex.open(db) as index:
        return {Path(record.path).name: record.label for query in ("", "is:missing") for record in index.search(query)}


def test_forget_missing_keeps_a_labelled_photo_whose_card_is_back(tmp_path, capsys) -> None:
    db, lib = card_out_and_back(tmp_path, capsys)
    code, out, err = run_cli(capsys, "--db", db, "forget", "--missing", "--yes", "--json")
    assert code == 0 and labels(db) == {"a.jpg": "Giralda", "b.jpg": None}, (out, err)
    assert (json.loads(out)["missing"], json.loads(out)["back_on_disk"]) == (0, 1), out
    assert f"1 photo is back on disk (kept): `landmark-tagger --db {db} scan {lib}` takes it in" in err, err


def test_the_dry_run_says_the_photo_back_on_disk_stays(tmp_path, capsys) -> None:
    db, lib = card_out_and_back(tmp_path, capsys)
    (lib / "b.jpg").unlink()
    assert run_cli(capsys, "--db", db, "scan", str(lib))[0] == 0
    (lib / "card").rename(tmp_path / "away")  # a scan now would mark a.jpg missing again:
    code, _out, err = run_cli(capsys, "--db", db, "forget", "--missing")  # the dry run's disk look says so
    assert code == 0 and "would forget 1 missing photo;" in err, err
    (tmp_path / "away").rename(lib / "card")
    with PhotoIndex.open(db) as index:  # (marked missing as the first scan left it)
        index.conn.execute("UPDATE photos SET missing = 1")
        index.conn.execute("UPDATE files SET missing = 1")
        index.conn.commit()
    code, _out, err = run_cli(capsys, "--db", db, "forget", "--missing")
    assert code == 0 and "would forget 1 missing photo;" in err, err
    assert "1 photo is back on disk (kept)" in err and "add --yes to do it" in err, err
    assert labels(db) == {"a.jpg": "Giralda", "b.jpg": None}


def test_a_raw_jpeg_pair_stays_when_one_half_is_back(tmp_path, monkeypatch) -> None:
    with PhotoIndex.open(":memory:") as index:
        trip, ids = raw_jpeg_pairs_scanned(tmp_path, index, monkeypatch)
        index.set_label(ids["DSC_0001.JPG"], "Petra")
        drawer = tmp_path / "drawer"
        drawer.mkdir()
        for name in ("DSC_0001.JPG", "DSC_0001.NEF", "DSC_0002.JPG", "DSC_0002.NEF"):
            (trip / name).rename(drawer / name)
        photo(trip / "keep.jpg", 4)  # (a library folder with a photo there: not a card unplugged)
        assert scan(index, [trip]).missing == 2
        (drawer / "DSC_0001.NEF").rename(trip / "DSC_0001.NEF")  # the RAW alone is back
        preview = missing_photos(index)
        assert (preview.photos, preview.back_on_disk, preview.yours) == (1, 1, 0)
        gone = forget_missing(index)
        assert (gone.photos, gone.back_on_disk, gone.back_in) == (1, 1, (str(trip),))
        left = {Path(r.path).name: r.label for q in ("", "is:missing") for r in index.search(q)}
        assert left["DSC_0001.JPG"] == "Petra" and "DSC_0002.JPG" not in left, left


def test_a_folder_gone_or_a_card_not_connected_is_dealt_with_as_before(tmp_path, capsys, mounts) -> None:  # noqa: F811
    lib, card = tmp_path / "lib", tmp_path / "CARD"
    photo(lib / "Culled" / "DSC_0001.JPG", 1)
    photo(lib / "DSC_0003.JPG", 3)
    for name in ("DSC_0001.JPG", "DSC_0002.JPG"):  # the names unplug moves
        photo(card / name, 0 if name.endswith("1.JPG") else 2)
    mounts.mount(card)
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(lib), str(card))[0] == 0
    shutil.rmtree(lib / "Culled")
    assert "1 missing" in run_cli(capsys, "--db", db, "scan", str(lib))[2]
    unplug(card, tmp_path / "drawer", mounts)
    assert f"{card}: not found (drive not connected?)" in run_cli(capsys, "--db", db, "scan")[2]
    code, out, err = run_cli(capsys, "--db", db, "forget", "--missing", "--yes", "--json")
    summary = json.loads(out)
    assert code == 0 and (summary["missing"], summary["back_on_disk"], summary["not_checked"]) == (1, 0, 0), err
    assert "back on disk" not in err and "could not be checked" not in err, err
    assert sorted(labels(db)) == ["DSC_0001.JPG", "DSC_0002.JPG", "DSC_0003.JPG"]  # the card's two, kept


def test_a_folder_that_cannot_be_read_or_a_name_the_disk_cannot_spell_keeps_its_photos(
        tmp_path, monkeypatch) -> None:
    lib = tmp_path / "lib"
    for number, name in enumerate(("Locked/a.jpg", "Café/b.jpg", "Gone/c.jpg", "d.jpg")):
        photo(lib / name, number)
    with PhotoIndex.open(":memory:") as index:
        scan(index, [lib])
        for folder in ("Locked", "Café", "Gone"):
            (lib / folder).rename(tmp_path / folder)
        assert scan(index, [lib]).missing == 3
        for folder in ("Locked", "Café"):
            (tmp_path / folder).rename(lib / folder)
        real_scandir, real_fsencode = os.scandir, os.fsencode

        def scandir(path="."):
            if os.path.basename(path) == "Locked":
                raise PermissionError(13, "Permission denied", path)
            return real_scandir(path)

        def fsencode(path):
            if "Café" in os.fspath(path):  # as in a POSIX locale (LC_ALL=C, an ASCII file system encoding)
                raise UnicodeEncodeError("ascii", os.fspath(path), 0, 1, "ordinal not in range(128)")
            return real_fsencode(path)

        with monkeypatch.context() as patch:
            patch.setattr(os, "scandir", scandir)
            patch.setattr(os, "fsencode", fsencode)
            gone = forget_missing(index)
        assert (gone.photos, gone.not_checked, gone.back_on_disk) == (1, 2, 0)
        assert "kept 2 missing photos that could not be checked on disk" in gone.kept_line()
        left = sorted(Path(r.path).name for query in ("", "is:missing") for r in index.search(query))
        assert left == ["a.jpg", "b.jpg", "d.jpg"]
