"""The CLI and documentation defects the testers found: an empty argument (an unset
shell variable) refused; several folders typed as the query meaning any of them;
`label` taking the files a shell glob gives; `tag --json | head` exiting 141; `gui`
without a display keeping --db; a folder given that is not there; every field on
every `tag --json` line; every training config key documented."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from dataclasses import fields, is_dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.cli.main import main
from app.core.index import PhotoIndex

REPO = Path(__file__).resolve().parents[1]
TAG_JSON_FIELDS = {"path", "files", "label", "landmark_id", "score", "state", "top"}


def photo(path: Path, seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8), "RGB").resize((320, 240)).save(path, "JPEG")
    return path


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(word) for word in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def archive(tmp_path: Path, monkeypatch) -> Path:
    """A scanned library of two photos in each of four folders, the current folder."""
    root = tmp_path / "archive"
    for number, folder in enumerate(("2019 Rome", "2019 Paris", "trip", "other")):
        for stem in ("DSC_0041", "DSC_0042"):
            photo(root / folder / f"{stem}.JPG", seed=number * 10 + int(stem[-1]))
    assert main(["--db", str(tmp_path / "index.db"), "scan", str(root)]) == 0
    monkeypatch.chdir(root)
    return root


# -- an empty argument (scan "$PHOTOS" with the variable unset) -------------------------

@pytest.mark.parametrize("argv", [
    ["scan", ""],
    ["tag", ""],
    ["scan", "photos", ""],
    ["relocate", "", "photos"],
    ["forget", ""],
    ["teach", "Our cabin", ""],
    ["gui", ""],
    ["models", ""],
    ["--db", "", "stats"],
])
def test_an_empty_argument_is_a_usage_error_that_names_it(tmp_path: Path, monkeypatch, capsys, argv) -> None:
    """It used to mean the current folder: `scan ""` indexed all of it (from $HOME, the
    whole home folder) and made it a library folder, with exit 0."""
    monkeypatch.setattr("sys.platform", "linux")  # `gui ""`: no display, whatever happens
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    photo(tmp_path / "photos" / "IMG_1.jpg")
    photo(tmp_path / "Documents" / "passport scan.jpg")
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "index.db"
    assert main(["--db", str(db), "scan", "photos"]) == 0
    capsys.readouterr()
    words = argv if argv[0] == "--db" else ["--db", str(db), *argv]
    code, out, err = run_cli(capsys, *words)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("landmark-tagger: error: the ") and '("",' in err, err
    with PhotoIndex.open(str(db)) as index:
        assert index.roots() == [(tmp_path / "photos").resolve()]
        assert index.count("") == 1


# -- several files and folders typed as the query ----------------------------------------

def test_several_folders_given_as_the_query_mean_any_of_them(archive: Path, capsys) -> None:
    db = archive.parent / "index.db"
    code, out, _ = run_cli(capsys, "--db", db, "search", "2019 Paris/", "2019 Rome/")  # what `2019*/` gives
    assert code == 0 and len(out.splitlines()) == 4
    code, _, err = run_cli(capsys, "--db", db, "accept", "trip/", "other/")
    assert code == 0 and "of 4 matching photos" in err  # (none labelled, none changed)
    code, out, _ = run_cli(capsys, "--db", db, "search", "trip/DSC_0041.JPG", "other/", "DSC_0042")
    assert code == 0 and sorted(line.split("\t")[0] for line in out.splitlines()) == [
        str(archive / "other" / "DSC_0042.JPG")]
    code, out, _ = run_cli(capsys, "--db", db, "search", "trip/DSC_0041.JPG", "other/")
    assert code == 0 and len(out.splitlines()) == 3
    code, _, err = run_cli(capsys, "--db", db, "accept", "")  # an empty query is no empty path
    assert code == 0 and "of 8 matching photos" in err


def test_too_many_files_given_with_a_folder_are_refused_in_one_line(archive: Path, capsys) -> None:
    """Files and folders together are one OR, each its own SQL condition: past SQLite's
    depth limit the command failed as if the index were damaged ("check the disk")."""
    for number in range(1000):
        (archive / "trip" / f"IMG_{number:04}.jpg").write_bytes(b"")
    files = sorted(str(path.relative_to(archive)) for path in (archive / "trip").iterdir())
    code, out, err = run_cli(capsys, "--db", archive.parent / "index.db", "search", *files, "other/")
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert err.startswith(f"landmark-tagger: error: {len(files) + 1} files and folders at once (other/ among them)")


def test_too_many_folders_alone_are_told_to_give_the_folder_above_them(archive: Path, capsys) -> None:
    for number in range(600):
        (archive / "trips" / f"day {number:03}").mkdir(parents=True)
    days = sorted(str(path.relative_to(archive)) for path in (archive / "trips").iterdir())  # `trips/*/`
    code, out, err = run_cli(capsys, "--db", archive.parent / "index.db", "search", *days)
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert err.startswith("landmark-tagger: error: 600 folders at once (trips/day 000, trips/day 001, trips/day 002, …): "
                          "give the folder that holds them instead")


def test_a_linked_photo_among_several_files_is_found_with_them(archive: Path, capsys) -> None:
    (archive / "best").mkdir()
    (archive / "best" / "pick.jpg").symlink_to(archive / "trip" / "DSC_0041.JPG")
    db = archive.parent / "index.db"
    code, out, _ = run_cli(capsys, "--db", db, "search", "best/pick.jpg", "other/DSC_0041.JPG")
    assert code == 0 and sorted(line.split("\t")[0] for line in out.splitlines()) == sorted(
        [str(archive / "trip" / "DSC_0041.JPG"), str(archive / "other" / "DSC_0041.JPG")])


# -- label FILE… NAME ---------------------------------------------------------------------

def test_label_takes_the_files_a_shell_glob_gives(archive: Path, capsys) -> None:
    """`landmark-tagger label Rome/DSC_00*.JPG Colosseum` was refused, blaming the name."""
    db = archive.parent / "index.db"
    code, _, err = run_cli(capsys, "--db", db, "label", "2019 Rome/DSC_0041.JPG", "2019 Rome/DSC_0042.JPG", "Colosseum")
    assert code == 0 and "2 of 2 matching photos changed" in err
    code, out, _ = run_cli(capsys, "--db", db, "search", "label:Colosseum")
    assert len(out.splitlines()) == 2
    code, _, err = run_cli(capsys, "--db", db, "label", "trip/", "other/", "Eiffel Tower")
    assert code == 0 and "4 of 4 matching photos changed" in err
    code, _, err = run_cli(capsys, "--db", db, "label", "trip/DSC_0041.JPG", "other/DSC_0041.JPG", "--no-landmark")
    assert code == 0 and "2 of 2 matching photos changed" in err
    # label QUERY NAME and label QUERY --no-landmark as before
    assert run_cli(capsys, "--db", db, "label", "folder:trip", "Petra")[0] == 0
    assert run_cli(capsys, "--db", db, "label", "label:Petra", "--no-landmark")[0] == 0
    code, _, err = run_cli(capsys, "--db", db, "label", "trip/DSC_0041.JPG", "Colosseum", "--no-landmark")
    assert code == 2 and "not both" in err
    code, _, err = run_cli(capsys, "--db", db, "label", "trip/DSC_0041.JPG", "trip/DSC_0042.JPG")  # no NAME
    assert code == 2 and "not a landmark name" in err
    with pytest.raises(SystemExit):
        main(["--db", str(db), "label", "Petra", "-rome"])  # NOT terms belong to the query, not to NAME


def test_label_help_says_it_takes_files_before_the_name(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["label", "--help"])
    help_text = capsys.readouterr().out
    assert "QUERY [PATH ...]" in help_text and "Rome/DSC_00*.JPG Colosseum" in " ".join(help_text.split())


# -- a folder given that is not there ---------------------------------------------------------

@pytest.mark.parametrize("command", ["scan", "tag"])
def test_only_missing_folders_given_is_one_line_and_no_index(tmp_path: Path, capsys, command) -> None:
    db = tmp_path / "index.db"
    code, out, err = run_cli(capsys, "--db", db, command, tmp_path / "nonexist")
    assert code == 2 and out == ""
    assert err == f"landmark-tagger: error: {tmp_path / 'nonexist'}: {'folder' if command == 'scan' else 'file or folder'} " \
                  "not found; check the path (is the drive mounted?)\n"
    assert not db.exists()


def test_teach_from_photos_none_of_which_is_there_leaves_no_index(tmp_path: Path, capsys) -> None:
    db = tmp_path / "index.db"
    code, out, err = run_cli(capsys, "--db", db, "teach", "Our cabin", tmp_path / "DSC_0412.JPG")
    assert code == 2 and out == ""
    assert err == f"landmark-tagger: error: {tmp_path / 'DSC_0412.JPG'}: file or folder not found; " \
                  "check the path (is the drive mounted?)\n"
    assert not db.exists()


def test_tag_names_a_missing_folder_among_others_and_does_the_rest(tmp_path: Path, capsys, tiny_bundle):
    """As scan does (it refused the whole run): exit 1, the one not there named."""
    there = tmp_path / "Trip"
    photo(there / "IMG_1.jpg")
    db = tmp_path / "index.db"
    code, _, err = run_cli(capsys, "--db", db, "tag", there, tmp_path / "nonexist", "--model", tiny_bundle.path,
                           "--workers", "0")
    assert code == 1 and "tagged 1 photo" in err
    assert f"error: {tmp_path / 'nonexist'}: file or folder not found" in err
    code, _, scan_err = run_cli(capsys, "--db", db, "scan", there, tmp_path / "nonexist")
    assert code == 1 and f"error: {tmp_path / 'nonexist'}: folder not found" in scan_err
    with PhotoIndex.open(str(db)) as index:
        assert index.roots() == [there.resolve()] and index.count("") == 1


# -- tag --json ----------------------------------------------------------------------------

def test_tag_json_lines_of_files_that_could_not_be_scanned_have_every_field(tmp_path, tiny_bundle, capsys):
    folder = tmp_path / "Trip"
    photo(folder / "IMG_1.jpg")
    (folder / "empty.jpg").write_bytes(b"")
    code, out, _ = run_cli(capsys, "--db", tmp_path / "i.db", "tag", folder, "--model", tiny_bundle.path,
                           "--workers", "0", "--json")
    assert code == 1
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 2 and all(TAG_JSON_FIELDS <= set(line) for line in lines), lines
    (failed,) = [line for line in lines if "error" in line]
    assert failed["path"] == str((folder / "empty.jpg").resolve())
    assert (failed["files"], failed["label"], failed["score"], failed["top"]) == ([], None, None, [])


def test_tag_json_whose_reader_stops_early_exits_141(tmp_path, tiny_bundle):
    """README: 141 when the reader of the output stops early. `tag --json | head -1`
    cancelled the job and exited 0, the code of success."""
    folder = tmp_path / "Trip"
    for i in range(40):
        photo(folder / f"IMG_{i:03}.jpg", i)
    db = tmp_path / "i.db"
    command = [sys.executable, "-c", "import sys; from app.cli.main import main; sys.exit(main())",
               "--db", str(db), "tag", str(folder), "--model", str(tiny_bundle.path),
               "--workers", "0", "--batch-size", "1", "--json"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    first = process.stdout.readline()
    process.stdout.close()  # what `head -1` does after its line
    _, err = process.communicate(timeout=300)
    assert json.loads(first)["path"]
    assert process.returncode == 141, err.decode()
    assert b"cancelled, the rest is left for the next run" in err
    assert b"Traceback" not in err and b"BrokenPipe" not in err
    tagged = int(re.search(rb"tagged (\d+) photo", err).group(1))
    assert 1 <= tagged < 40  # the rest is left for the next run
    with PhotoIndex.open(str(db)) as index:
        assert index.count("") == 40


# -- gui without a display ---------------------------------------------------------------------

def test_gui_without_a_display_names_the_index_given(monkeypatch, capsys, tmp_path) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    db = tmp_path / "my trips.db"
    code, _, err = run_cli(capsys, "gui", "--db", db)
    assert code == 2
    assert f"use the CLI instead: landmark-tagger --db {shlex.quote(str(db))} tag FOLDER" in err


# -- training config keys ---------------------------------------------------------------------

def _config_keys(cls, prefix: str = "") -> list[str]:
    keys = []
    for item in fields(cls):
        default = item.default_factory() if callable(item.default_factory) else item.default
        keys += _config_keys(type(default), f"{item.name}.") if is_dataclass(default) else [prefix + item.name]
    return keys


def test_train_config_keys_are_all_documented_in_the_training_readme() -> None:
    """example.toml says every key is documented there; a dozen were not."""
    from training.config import TrainConfig

    readme = (REPO / "training" / "README.md").read_text(encoding="utf-8")
    undocumented = [key for key in _config_keys(TrainConfig) if f"| `{key}` |" not in readme]
    assert undocumented == []
    example = (REPO / "training" / "configs" / "example.toml").read_text(encoding="utf-8")
    assert "open problem" not in example and "grad_clip" in example
