"""`teach --json` gave a script only "errors": 1 for a photo it could not teach from
(no path, no reason: only stderr named it), and no line at all when every photo
failed (a GUI tester). Each such photo now gets a line with "path" and "error", as an
unreadable file's line of `tag --json` has."""

from __future__ import annotations

from app.cli.main import main
from tests.test_cli_teach import _photos, run_cli


def test_a_photo_not_taught_gets_its_own_json_line(capsys, tmp_path, tiny_bundle):
    there, = _photos(tmp_path / "Trip", ["IMG_0001.jpg"])
    gone = tmp_path / "Trip" / "IMG_0404.jpg"
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(there.parent)]) == 0
    capsys.readouterr()
    code, lines, _ = run_cli(capsys, "--db", db, "teach", "--model", str(tiny_bundle.path), "--json", "Cabin",
                             str(there), str(gone))
    assert code == 1 and lines[0]["taught"] == 1 and lines[0]["errors"] == 1
    assert lines[1:] == [{"path": str(gone), "error": f"{gone}: does not exist; check the path"}]


def test_every_photo_failing_still_says_which_and_why(capsys, tmp_path, tiny_bundle):
    there, = _photos(tmp_path / "Trip", ["IMG_0001.jpg"])
    gone = [tmp_path / "Trip" / "IMG_0404.jpg", tmp_path / "Trip" / "IMG_0405.jpg"]
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(there.parent)]) == 0
    capsys.readouterr()
    code, lines, err = run_cli(capsys, "--db", db, "teach", "--model", str(tiny_bundle.path), "--json", "Cabin",
                               *map(str, gone))
    assert code == 2 and "cannot teach from" in err
    assert lines == [{"path": str(path), "error": f"{path}: does not exist; check the path"} for path in gone]


def test_photos_that_cannot_be_decoded_give_their_error_lines_alone(capsys, tmp_path, tiny_bundle):
    """Photos the index knows, damaged since the scan, fail only when decoded: taught from
    none, the output is their lines alone, as when every photo is missing."""
    photos = _photos(tmp_path / "Trip", ["IMG_0001.jpg", "IMG_0002.jpg"])
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(tmp_path / "Trip")]) == 0
    for photo in photos:
        photo.write_bytes(photo.read_bytes()[:200])  # cut short: cannot be decoded
    capsys.readouterr()
    code, lines, err = run_cli(capsys, "--db", db, "teach", "--model", str(tiny_bundle.path), "--json", "Cabin",
                               *map(str, photos))
    assert code == 2 and "nothing taught as 'Cabin'" in err
    assert [line["path"] for line in lines] == [str(photo) for photo in photos]
    assert all(line["error"].startswith(f"{photo}: cannot decode the image") for line, photo in zip(lines, photos))
