"""`landmark-tagger tag`: JSON lines, summary, exit codes, the missing-model message."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.cli.main import main
from app.core.photo_names import NOT_A_PHOTO


def photo(path: Path, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8), "RGB").resize((320, 240)).save(path, "JPEG")
    return path


@pytest.fixture
def folder(tmp_path) -> Path:
    trip = tmp_path / "Paris 2019"
    trip.mkdir()
    for i in range(3):
        photo(trip / f"IMG_{i}.jpg", i)
    return trip


def run_tag(tmp_path, *args) -> int:
    return main(["--db", str(tmp_path / "index.db"), "tag", *map(str, args)])


def test_tag_has_help_text(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["tag", "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    for option in ("--model", "--threshold", "--workers", "--json"):
        assert option in text


def test_json_prints_one_line_per_photo(tmp_path, folder, tiny_bundle, capsys):
    code = run_tag(tmp_path, folder, "--model", tiny_bundle.path, "--workers", "0", "--json")
    captured = capsys.readouterr()
    assert code == 0
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert len(lines) == 3
    for line in lines:
        assert set(line) >= {"path", "files", "label", "landmark_id", "score", "top"}
        assert Path(line["path"]).parent == folder.resolve()
        assert line["files"] == [line["path"]]
        assert line["top"] and set(line["top"][0]) == {"label", "landmark_id", "score"}
        assert 0.0 <= line["score"] <= 1.0
    assert "tagged 3 photos" in captured.err


def test_options_may_come_between_the_folders(tmp_path, folder, tiny_bundle, capsys):
    other = tmp_path / "Rome 2020"
    other.mkdir()
    photo(other / "IMG_9.jpg", 9)
    code = run_tag(tmp_path, folder, "--json", other, "--model", tiny_bundle.path, "--workers", "0")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and {Path(line["path"]).parent.name for line in lines} == {"Paris 2019", "Rome 2020"}


def test_json_gives_the_label_the_index_keeps_not_a_rejected_one(tmp_path, folder, tiny_bundle, capsys):
    """A label the user rejected stays rejected when the photo is tagged again: the JSON
    line says what the index holds, with its state, as `search --json` does."""
    tagging = ["--model", tiny_bundle.path, "--workers", "0", "--threshold", "0", "--json"]
    assert run_tag(tmp_path, folder, *tagging) == 0
    capsys.readouterr()
    db = str(tmp_path / "index.db")
    rejected = (folder / "IMG_0.jpg").resolve()
    assert main(["--db", db, "reject", str(rejected)]) == 0
    assert main(["--db", db, "search", "--json", str(rejected)]) == 0
    searched = json.loads(capsys.readouterr().out)
    assert run_tag(tmp_path, folder, "--retag", *tagging) == 0
    lines = {Path(line["path"]).name: line for line in map(json.loads, capsys.readouterr().out.splitlines())}
    stored = {key: searched[key] for key in ("label", "landmark_id", "state")}
    assert {key: lines["IMG_0.jpg"][key] for key in stored} == stored and stored["state"] == "rejected"
    assert lines["IMG_0.jpg"]["score"] == pytest.approx(searched["score"])
    assert lines["IMG_0.jpg"]["top"]  # what the model answered is still there
    assert lines["IMG_1.jpg"]["state"] == "suggested" and lines["IMG_1.jpg"]["label"] is not None


def test_second_run_tags_nothing_new(tmp_path, folder, tiny_bundle, capsys):
    run_tag(tmp_path, folder, "--model", tiny_bundle.path, "--workers", "0")
    capsys.readouterr()
    assert run_tag(tmp_path, folder, "--model", tiny_bundle.path, "--workers", "0", "--json") == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "3 already up to date" in captured.err
    assert "photos/s" not in captured.err  # no rate for nothing tagged


def test_threshold_one_gives_no_landmark(tmp_path, folder, tiny_bundle, capsys):
    run_tag(tmp_path, folder, "--model", tiny_bundle.path, "--workers", "0", "--json", "--threshold", "1")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines and all(line["label"] is None and line["top"] for line in lines)


def test_some_failed_files_exit_1(tmp_path, folder, tiny_bundle, capsys):
    (folder / "broken.jpg").write_bytes(b"not a photo" * 50)
    code = run_tag(tmp_path, folder, "--model", tiny_bundle.path, "--workers", "0")
    assert code == 1
    err = capsys.readouterr().err
    assert "tagged 3 photos" in err and f"error: {(folder / 'broken.jpg').resolve()}: " in err  # named, with why
    assert run_tag(tmp_path, folder, "--model", tiny_bundle.path, "--workers", "0", "--json") == 1
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["path"] for r in records if "error" in r] == [str((folder / "broken.jpg").resolve())]


def test_a_photo_given_by_its_file_answers_for_that_file_alone(tmp_path, folder, tiny_bundle, capsys):
    """Its folder is scanned with it; a broken photo beside it is listed by `stats
    --errors`, not counted against this run (which used to exit 1 for it), while a
    broken photo asked for is named with its reason."""
    broken = folder / "broken.jpg"
    broken.write_bytes(b"not a photo" * 50)
    assert run_tag(tmp_path, folder / "IMG_0.jpg", "--model", tiny_bundle.path, "--workers", "0") == 0
    err = capsys.readouterr().err
    assert "tagged 1 photo," in err and "could not be scanned" not in err and "broken.jpg" not in err
    assert f"added {folder.resolve()} to the library (3 photos; that folder only:" in err
    assert run_tag(tmp_path, broken, "--model", tiny_bundle.path, "--workers", "0") == 1
    err = capsys.readouterr().err
    assert f"error: {broken.resolve()}: not a readable JPEG image" in err and "1 file could not be scanned" in err
    assert "to the library" not in err  # its folder is in the library already
    assert run_tag(tmp_path, folder, "--model", tiny_bundle.path, "--workers", "0") == 1  # the folder: all its problems
    assert "1 file could not be scanned" in capsys.readouterr().err


def test_a_photo_given_by_its_file_brings_its_folder_without_the_folders_in_it(tmp_path, tiny_bundle, capsys):
    """`tag ~/DSC_0042.JPG` must not read the whole home folder: the photo's folder joins
    the library on its own, stays so when the library is tagged again, and becomes whole
    when the user scans it by name; a sub-folder's problem is left alone meanwhile."""
    from app.core.index import PhotoIndex

    home = tmp_path / "home"
    deep = home / "Pictures" / "2019 Rome"
    deep.mkdir(parents=True)
    photo(home / "DSC_0042.JPG", 1)
    photo(deep / "DSC_0001.JPG", 2)
    (deep / "DSC_0002.JPG").write_bytes(b"not a photo" * 50)
    db = tmp_path / "index.db"

    def paths() -> set[str]:
        with PhotoIndex.open(db) as idx:
            return {Path(r.path).name for r in idx.search()}

    assert run_tag(tmp_path, home / "DSC_0042.JPG", "--model", tiny_bundle.path, "--workers", "0") == 0
    assert paths() == {"DSC_0042.JPG"}
    assert f"that folder only: `landmark-tagger --db {db} scan" in capsys.readouterr().err
    assert main(["--db", str(db), "stats"]) == 0
    assert f"{home.resolve()}  (this folder only, not those in it)" in capsys.readouterr().out
    assert run_tag(tmp_path, "--model", tiny_bundle.path, "--workers", "0") == 0  # the library: still that folder
    assert paths() == {"DSC_0042.JPG"}

    assert main(["--db", str(db), "scan", str(home)]) == 1  # by name: the folders in it too
    assert paths() == {"DSC_0042.JPG", "DSC_0001.JPG"}
    assert main(["--db", str(db), "stats"]) == 0
    assert "this folder only" not in capsys.readouterr().out
    capsys.readouterr()
    assert run_tag(tmp_path, home / "DSC_0042.JPG", "--model", tiny_bundle.path, "--workers", "0") == 0
    assert "to the library" not in capsys.readouterr().err
    with PhotoIndex.open(db) as idx:  # the photo's folder alone was read: the problem below it stays
        assert [e.path for e in idx.errors()] == [str((deep / "DSC_0002.JPG").resolve())]
        assert idx.folder_only_roots() == [] and idx.roots() == [home.resolve()]


def test_scan_refuses_a_file_and_says_what_to_type(tmp_path, folder, capsys):
    assert main(["--db", str(tmp_path / "index.db"), "scan", str(folder / "IMG_0.jpg")]) == 2
    err = capsys.readouterr().err
    assert "is a file; scan takes folders" in err and f"`landmark-tagger --db {tmp_path / 'index.db'} tag" in err
    assert not (tmp_path / "index.db").exists()  # and no error about it is left in an index


def test_a_file_that_is_no_photo_is_named_and_its_folder_not_scanned(tmp_path, folder, tiny_bundle, capsys):
    from app.core.index import PhotoIndex

    notes = folder / "notes.txt"
    notes.write_text("Paris, day 2")
    assert run_tag(tmp_path, notes, "--model", tiny_bundle.path, "--workers", "0") == 1
    err = capsys.readouterr().err
    assert f"error: {notes}: not a photo file" in err and "tagged 0 photos" in err
    with PhotoIndex.open(tmp_path / "index.db") as index:
        assert index.count("") == 0  # the photos beside it were not scanned for it
    code = run_tag(tmp_path, notes, folder / "IMG_0.jpg", "--model", tiny_bundle.path, "--workers", "0")
    err = capsys.readouterr().err
    assert code == 1 and f"error: {notes}: not a photo file" in err and "tagged 1 photo," in err


def test_a_macos_resource_file_given_by_name_is_no_photo_and_says_so(tmp_path, folder, tiny_bundle, capsys):
    """`._IMG_0.jpg` (the Finder's data on a card or NAS) was scanned for, skipped as the
    hidden file it is, and `tag` said "tagged 0 photos" with success."""
    from app.cli.main import main

    apple_double = folder / "._IMG_0.jpg"
    apple_double.write_bytes(b"\x00\x05\x16\x07" + bytes(60))
    hidden = folder / ".IMG_1.jpg"
    hidden.write_bytes((folder / "IMG_1.jpg").read_bytes())
    assert run_tag(tmp_path, apple_double, hidden, "--model", tiny_bundle.path, "--workers", "0") == 1
    err = capsys.readouterr().err
    assert f"error: {apple_double}: a macOS resource file that belongs to IMG_0.jpg, not a photo" in err
    assert f"error: {hidden}: a hidden file, which the library leaves out" in err
    assert main(["--db", str(tmp_path / "index.db"), "teach", "--model", str(tiny_bundle.path), "Our cabin",
                 str(apple_double)]) == 2
    assert "a macOS resource file that belongs to IMG_0.jpg" in capsys.readouterr().err


def test_missing_default_model_says_to_use_model(tmp_path, folder, monkeypatch, capsys):
    monkeypatch.setattr("model.bundle.default_bundle_path", lambda: tmp_path / "absent.ltbundle")
    assert run_tag(tmp_path, folder, "--workers", "0") == 2
    assert "--model" in capsys.readouterr().err


def test_bad_threshold_is_a_usage_error(tmp_path, folder, tiny_bundle, capsys):
    assert run_tag(tmp_path, folder, "--model", tiny_bundle.path, "--threshold", "2") == 2
    assert "threshold" in capsys.readouterr().err


def test_without_a_path_it_tags_the_library_and_skips_an_unplugged_drive(tmp_path, folder, tiny_bundle, capsys):
    assert run_tag(tmp_path, "--model", tiny_bundle.path) == 2  # nothing in the library yet
    assert "no folder to tag" in capsys.readouterr().err
    unplugged = tmp_path / "Drive" / "Rome 2021"
    unplugged.mkdir(parents=True)
    photo(unplugged / "IMG_9.jpg", 9)
    main(["--db", str(tmp_path / "index.db"), "scan", str(folder), str(unplugged)])
    (unplugged / "IMG_9.jpg").unlink()  # the drive is gone: its photos must not be decoded
    unplugged.rmdir()
    photo(folder / "IMG_new.jpg", 7)
    capsys.readouterr()
    assert run_tag(tmp_path, "--model", tiny_bundle.path, "--workers", "0", "--json") == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 4  # every photo of the folder that is there
    assert f"skipped {unplugged}: folder not found" in captured.err


def test_json_gives_every_file_given_its_line(tmp_path, folder, tiny_bundle, capsys):
    """A script pairing the files it gives with the JSON lines finds each: a photo up to
    date (what the index keeps, marked up_to_date), a file that is no photo (its error), one
    not found; a folder given lists only the photos classified now."""
    tagging = ["--model", tiny_bundle.path, "--workers", "0", "--json"]
    assert run_tag(tmp_path, folder, *tagging) == 0
    first = {line["path"]: line for line in map(json.loads, capsys.readouterr().out.splitlines())}
    notes = folder / "readme.txt"
    notes.write_text("not a photo")
    done, missing = folder / "IMG_1.jpg", folder / "none.jpg"
    assert run_tag(tmp_path, notes, done, missing, *tagging) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 3
    by_name = {Path(line["path"]).name: line for line in lines}
    assert set(by_name) == {"readme.txt", "IMG_1.jpg", "none.jpg"}
    up_to_date = by_name["IMG_1.jpg"]
    assert up_to_date["up_to_date"] is True and "error" not in up_to_date
    tagged = first[up_to_date["path"]]
    assert {key: up_to_date[key] for key in ("files", "label", "landmark_id", "state", "top")} == \
        {key: tagged[key] for key in ("files", "label", "landmark_id", "state", "top")}
    assert up_to_date["score"] == pytest.approx(tagged["score"])
    assert "up_to_date" not in tagged
    assert by_name["readme.txt"]["error"] == f"{notes}: {NOT_A_PHOTO}"  # as its error line on stderr says
    assert by_name["readme.txt"]["label"] is None and by_name["readme.txt"]["files"] == []
    assert "not found" in by_name["none.jpg"]["error"]


def test_a_folder_joined_for_damaged_photos_alone_leaves_the_library_again(tmp_path, capsys) -> None:
    """`tag broken.jpg empty.jpg` (or the app's drop of them) added their folder to the
    library: "added run to the library (0 photos; that folder only …)", an empty library
    folder the user never asked for (found by a tester). A folder a photo given by its file
    brought in that holds no photo that could be read leaves the library again."""
    from app.core.index import PhotoIndex
    from tests.test_metadata_support import make_jpeg

    run = tmp_path / "run"
    run.mkdir()
    (run / "broken.jpg").write_bytes(make_jpeg(tmp_path / "good.jpg").read_bytes()[:300])
    (run / "empty.jpg").write_bytes(b"")
    db = str(tmp_path / "index.db")
    code = main(["--db", db, "tag", str(run / "broken.jpg"), str(run / "empty.jpg")])
    err = capsys.readouterr().err
    assert code == 1 and "2 files could not be scanned" in err and "added" not in err, err
    with PhotoIndex.open(db) as index:
        assert index.roots() == []
    (run / "good.jpg").write_bytes((tmp_path / "good.jpg").read_bytes())
    assert main(["--db", db, "tag", str(run / "good.jpg")]) in (0, 1)
    with PhotoIndex.open(db) as index:
        assert index.roots() == [run.resolve()]  # a folder with a photo joins as before
