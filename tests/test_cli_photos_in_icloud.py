"""Commands given a photo that "Optimize Mac Storage" moved to iCloud (only its
stand-in, .IMG_0001.jpg.icloud, lies in its place; app/core/cloud_files.py)."""

from __future__ import annotations

import json

from app.cli.main import main
from app.core.cloud_files import IN_ICLOUD
from tests.test_cloud_placeholders import STAND_IN, evict, library  # noqa: F401 (library: a fixture)


def test_tag_of_an_evicted_photo_by_its_file_says_it_is_in_icloud(tmp_path, library, tiny_bundle, capsys) -> None:
    """It said "file or folder not found; check the path (is the drive mounted?)", exit 2."""
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(library)]) == 0
    photo = library / "IMG_0001.jpg"
    evict(photo, tmp_path / "kept.jpg")
    capsys.readouterr()
    tag = ["--db", db, "tag", "--model", str(tiny_bundle.path), "--workers", "0"]
    assert main([*tag, str(photo)]) == 1  # skipped with its note, as `tag` of its folder does
    err = capsys.readouterr().err
    assert f"error: {photo}: {IN_ICLOUD}" in err and "not found" not in err
    assert main([*tag, "--json", str(photo), str(library / "IMG_0002.jpg")]) == 1
    lines = {line["path"]: line for line in map(json.loads, capsys.readouterr().out.splitlines())}
    assert lines[str(photo)]["error"] == f"{photo}: {IN_ICLOUD}" and lines[str(photo)]["id"] is not None
    assert lines[str(library / "IMG_0002.jpg")]["top"]  # the other photo given is tagged
    never_indexed = library / "IMG_0009.jpg"  # only its stand-in was ever here
    never_indexed.with_name(".IMG_0009.jpg.icloud").write_bytes(STAND_IN)
    assert main([*tag, str(never_indexed)]) == 1
    assert f"error: {never_indexed}: {IN_ICLOUD}, then scan again" in capsys.readouterr().err


def test_an_evicted_photo_given_to_scan_is_said_to_be_in_icloud(tmp_path, library, capsys) -> None:
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(library)]) == 0
    photo = library / "IMG_0001.jpg"
    evict(photo, tmp_path / "kept.jpg")
    capsys.readouterr()
    assert main(["--db", db, "scan", str(photo)]) == 2
    assert capsys.readouterr().err == f"landmark-tagger: error: {photo}: {IN_ICLOUD}\n"


def test_forget_missing_json_counts_the_photos_kept_in_icloud(tmp_path, library, capsys) -> None:
    """`awaiting_scan` counted them with the photos a scan that did not finish owes; no key said which."""
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(library)]) == 0
    photo = library / "IMG_0001.jpg"
    evict(photo, tmp_path / "kept.jpg")
    stand_in = photo.with_name(".IMG_0001.jpg.icloud")
    stand_in.rename(tmp_path / "stand-in")  # as an older version saw it: marked missing at its scan
    (library / "IMG_0002.jpg").unlink()  # deleted: this one goes
    assert main(["--db", db, "scan", str(library)]) == 0
    (tmp_path / "stand-in").rename(stand_in)
    capsys.readouterr()
    assert main(["--db", db, "forget", "--missing", "--json"]) == 0
    line = json.loads(capsys.readouterr().out)
    assert (line["missing"], line["awaiting_scan"], line["in_icloud"]) == (1, 1, 1)
    assert main(["--db", db, "forget", "--missing", "--json", "--yes"]) == 0
    line = json.loads(capsys.readouterr().out)
    assert (line["missing"], line["in_icloud"], line["forgotten"]) == (1, 1, True)
