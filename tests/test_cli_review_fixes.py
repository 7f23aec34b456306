"""The CLI and documentation defects the testers found: several files and folders
typed as the query meaning any of them; `label` taking the files a shell glob gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.cli.main import main


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
