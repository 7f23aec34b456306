"""A RAW+JPEG pair whose JPEG changed is split only by a rename over in its own folder in
this very scan (DSC_0002.JPG renamed DSC_0001.JPG), never by a copy deleted or moved away
earlier, an edit moved back from another folder, or a JPEG that records the RAW's own
moment and camera; and a split pair rejoins when its JPEG is put back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from app.cli.main import main
from app.core.photo_info import PhotoInfo, read_photo_info
from tests.test_index_support import write_jpeg
from tests.test_renumbering_support import COLOURS, rename_all, two_raw_jpeg_pairs


def run(capsys, db: str, *argv: str) -> str:
    assert main(["--db", db, *argv]) in (0, 1)
    out, err = capsys.readouterr()
    return out + err


def labels(capsys, db: str) -> dict[str, str | None]:
    main(["--db", db, "search", "--json", ""])
    out, _ = capsys.readouterr()
    return {Path(row["path"]).relative_to(Path(db).parent / "lib").as_posix(): row["label"]
            for row in map(json.loads, out.splitlines())}


def labelled_pair(tmp_path, capsys, *, copies=()) -> tuple[Path, str]:
    lib = tmp_path / "lib"
    write_jpeg(lib / "Trip" / "DSC_0001.JPG", color=COLOURS[1], taken="2020:11:03 14:05:01")
    (lib / "Trip" / "DSC_0001.NEF").write_bytes(b"\x01" * 5000)
    for copy in copies:
        (lib / copy).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(lib / "Trip" / "DSC_0001.JPG", lib / copy)
    db = str(tmp_path / "index.db")
    run(capsys, db, "scan", str(lib))
    run(capsys, db, "label", f'path:"{lib / "Trip" / "DSC_0001.JPG"}"', "Colosseum")
    return lib, db


def moved_over_the_pairs_jpeg(capsys, lib: Path, db: str, edit: str) -> str:
    """Scan with the edit `edit` beside, move it over Trip/DSC_0001.JPG, scan and write:
    what that last scan said."""
    run(capsys, db, "scan", str(lib))
    (lib / edit).replace(lib / "Trip" / "DSC_0001.JPG")
    said = run(capsys, db, "scan", str(lib))
    run(capsys, db, "write")
    return said


def test_the_cards_jpeg_copied_back_stays_in_its_pair_though_a_deleted_import_held_it(tmp_path, capsys) -> None:
    lib, db = labelled_pair(tmp_path, capsys, copies=["Inbox/DSC_0001.JPG"])
    original = (lib / "Trip" / "DSC_0001.JPG").read_bytes()
    shutil.rmtree(lib / "Inbox")
    run(capsys, db, "scan", str(lib))
    write_jpeg(lib / "Trip" / "DSC_0001.JPG", color=(1, 2, 3), taken="2020:11:03 14:05:01")  # edited
    run(capsys, db, "scan", str(lib))
    (lib / "Trip" / "DSC_0001.JPG").write_bytes(original)  # the card's original copied back

    said = run(capsys, db, "scan", str(lib))
    run(capsys, db, "write")

    assert "left" not in said
    assert labels(capsys, db) == {"Trip/DSC_0001.JPG": "Colosseum"}
    assert b"Colosseum" in (lib / "Trip" / "DSC_0001.JPG").read_bytes()


def test_an_edit_moved_back_from_another_folder_stays_in_the_pair(tmp_path, capsys) -> None:
    lib, db = labelled_pair(tmp_path, capsys)
    write_jpeg(lib / "Edits" / "DSC_0001.JPG", color=(7, 8, 9), taken=None, make=None, model=None)

    said = moved_over_the_pairs_jpeg(capsys, lib, db, "Edits/DSC_0001.JPG")

    assert "left" not in said
    assert labels(capsys, db)["Trip/DSC_0001.JPG"] == "Colosseum"
    assert b"Colosseum" in (lib / "Trip" / "DSC_0001.JPG").read_bytes()


def test_an_edit_recording_the_raws_own_moment_stays_in_the_pair_when_moved_over(tmp_path, capsys,
                                                                                  monkeypatch) -> None:
    import app.core.scan_folder_sync as scan_folder_sync

    def read(path):  # the NEF stand-in's header: the moment and camera the JPEGs record
        if str(path).lower().endswith(".nef"):
            return PhotoInfo(kind="raw", width=6000, height=4000, taken_at="2020-11-03T14:05:01",
                             camera_make="NIKON CORPORATION", camera_model="NIKON D850")
        return read_photo_info(path)

    monkeypatch.setattr(scan_folder_sync, "read_photo_info", read)
    lib, db = labelled_pair(tmp_path, capsys)
    write_jpeg(lib / "Trip" / "DSC_0001-Edit.JPG", color=(7, 8, 9), taken="2020:11:03 14:05:01")  # an export

    said = moved_over_the_pairs_jpeg(capsys, lib, db, "Trip/DSC_0001-Edit.JPG")

    assert "left" not in said
    assert labels(capsys, db)["Trip/DSC_0001.JPG"] == "Colosseum"
    assert b"Colosseum" in (lib / "Trip" / "DSC_0001.JPG").read_bytes()


def test_a_split_pair_rejoins_when_the_renumbering_is_undone(tmp_path, capsys) -> None:
    trip = tmp_path / "lib" / "Trip"
    two_raw_jpeg_pairs(trip, timed=True)
    db = str(tmp_path / "index.db")
    run(capsys, db, "scan", str(trip))
    run(capsys, db, "label", f'path:"{trip / "DSC_0001.JPG"}"', "Colosseum")
    run(capsys, db, "label", f'path:"{trip / "DSC_0002.JPG"}"', "Petra")
    backup = (trip / "DSC_0001.JPG").read_bytes()
    (trip / "DSC_0001.JPG").unlink()
    rename_all(trip, [("DSC_0002.JPG", "DSC_0001.JPG")])
    assert "DSC_0001.JPG left DSC_0001.NEF's photo" in run(capsys, db, "scan", str(trip))
    rename_all(trip, [("DSC_0001.JPG", "DSC_0002.JPG")])  # put back as it was
    (trip / "DSC_0001.JPG").write_bytes(backup)

    run(capsys, db, "scan", str(trip))
    run(capsys, db, "write")

    assert labels(capsys, db) == {"Trip/DSC_0001.JPG": "Colosseum", "Trip/DSC_0002.JPG": "Petra"}
    assert b"Colosseum" in (trip / "DSC_0001.JPG").read_bytes()
    assert b"Petra" in (trip / "DSC_0002.JPG").read_bytes()


def test_an_edit_without_metadata_saved_beside_and_moved_over_stays_in_the_pair(tmp_path, capsys) -> None:
    """Save for Web beside the camera JPEG (no EXIF), scanned, then moved over it: the edit
    was a photo of its own, with no RAW left standing alone as a renumbering leaves one."""
    lib, db = labelled_pair(tmp_path, capsys)
    write_jpeg(lib / "Trip" / "DSC_0001-edit.jpg", color=(7, 8, 9), taken=None, make=None, model=None)

    said = moved_over_the_pairs_jpeg(capsys, lib, db, "Trip/DSC_0001-edit.jpg")

    assert "left" not in said
    assert labels(capsys, db) == {"Trip/DSC_0001.JPG": "Colosseum"}
    assert b"Colosseum" in (lib / "Trip" / "DSC_0001.JPG").read_bytes()
