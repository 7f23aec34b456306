"""The `teach` and `suggest` commands: help text, exit codes, JSON lines, and taught
labels in `tag --json`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.cli.main import main


def run_cli(capsys, *argv: str) -> tuple[int, list[dict], str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines() if line.strip()], err


@pytest.mark.parametrize("command, words", [("teach", ["NAME", "PATH", "--forget"]),
                                             ("suggest", ["QUERY", "--dry-run", "rejected"])])
def test_help_text(capsys, command, words):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: landmark-tagger {command}")
    assert all(word in out for word in words)


def test_teach_without_photos_or_with_a_missing_one_is_a_usage_error(capsys, tmp_path):
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "teach", "Our cabin"]) == 2
    assert "give the photos" in capsys.readouterr().err
    assert main(["--db", db, "teach", "Our cabin", str(tmp_path / "missing.jpg")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_suggest_refuses_a_threshold_outside_0_1(capsys, tmp_path):
    assert main(["--db", str(tmp_path / "index.db"), "suggest", "--threshold", "2"]) == 2
    assert "--threshold" in capsys.readouterr().err


def test_teach_then_suggest_then_tag_shows_the_taught_label(capsys, tmp_path, tiny_bundle):
    """The tiny model embeds every photo alike, so what is taught from one photo wins
    everywhere: suggest proposes it for the others and tag --json lists it in label/top."""
    folder = tmp_path / "photos"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(4):
        Image.fromarray(rng.integers(0, 255, size=(40, 56, 3), dtype=np.uint8)).save(folder / f"IMG_{i}.jpg")
    db, model = str(tmp_path / "index.db"), str(tiny_bundle.path)

    code, lines, _ = run_cli(capsys, "--db", db, "tag", "--model", model, "--workers", "0", "--json", str(folder))
    assert code == 0 and len(lines) == 4

    code, lines, err = run_cli(capsys, "--db", db, "teach", "--model", model, "--json", "Our cabin", str(folder / "IMG_0.jpg"))
    assert code == 0
    assert lines == [{"label": "Our cabin", "model_id": tiny_bundle.id, "taught": 1, "embedded": 0, "errors": 0,
                      "photo_ids": lines[0]["photo_ids"]}]
    assert "taught 'Our cabin' from 1 photo" in err
    assert main(["--db", db, "stats"]) == 0  # the CLI's list of taught places
    assert "taught:     Our cabin (1 photo)" in capsys.readouterr().out
    code, lines, _ = run_cli(capsys, "--db", db, "stats", "--json")
    assert lines[0]["taught"] == {"Our cabin": 1}

    # a reject taken back by accept: the photo teaches again (its reference was set aside)
    assert main(["--db", db, "reject", str(folder / "IMG_0.jpg")]) == 0
    assert run_cli(capsys, "--db", db, "stats", "--json")[1][0]["taught"] == {}
    assert main(["--db", db, "accept", str(folder / "IMG_0.jpg")]) == 0
    assert run_cli(capsys, "--db", db, "stats", "--json")[1][0]["taught"] == {"Our cabin": 1}

    code, lines, err = run_cli(capsys, "--db", db, "suggest", "--model", model, "--json")
    assert code == 0
    assert sorted(Path(s["path"]).name for s in lines) == ["IMG_1.jpg", "IMG_2.jpg", "IMG_3.jpg"]
    assert {s["label"] for s in lines} == {"Our cabin"} and "3 new suggestions" in err

    # a photo added since is not looked at until tagged, and suggest says so; a search
    # matching no photo fails like accept/reject
    Image.fromarray(rng.integers(0, 255, size=(40, 56, 3), dtype=np.uint8)).save(folder / "IMG_9.jpg")
    assert main(["--db", db, "scan", str(folder)]) == 0
    code, lines, err = run_cli(capsys, "--db", db, "suggest", "--model", model, "--dry-run", "--json")
    assert code == 0 and "1 photo is not tagged by this model yet" in err
    code, lines, err = run_cli(capsys, "--db", db, "suggest", "--model", model, "--json", "nosuchphoto")
    assert code == 1 and lines == [] and "no photo matches the search" in err

    code, lines, err = run_cli(capsys, "--db", db, "tag", "--model", model, "--workers", "0", "--retag", "--json", str(folder))
    assert code == 0
    for line in lines:
        assert line["label"] == "Our cabin" or Path(line["path"]).name == "IMG_0.jpg"
        assert line["top"][0]["label"] == "Our cabin" and line["top"][0]["landmark_id"] == "taught:Our cabin"

    code, lines, _ = run_cli(capsys, "--db", db, "teach", "--forget", "--json", "our CABIN")  # any case
    assert code == 0 and lines == [{"label": "Our cabin", "forgotten": 1}]
    code, lines, err = run_cli(capsys, "--db", db, "teach", "--forget", "Our cabin")  # gone already
    assert code == 1 and "nothing was taught as 'Our cabin'; nothing is taught" in err


def test_teaching_from_a_photo_outside_the_library_reads_its_folder_alone(capsys, tmp_path, tiny_bundle):
    """`teach "Home" ~/DSC_0001.JPG` read every folder below the home folder; like `tag
    FILE`, it now brings in the photo's folder without the folders in it."""
    from app.core.index import PhotoIndex

    home = tmp_path / "home"
    (home / "Pictures").mkdir(parents=True)
    rng = np.random.default_rng(1)
    for path in (home / "DSC_0001.JPG", home / "Pictures" / "DSC_0002.JPG"):
        Image.fromarray(rng.integers(0, 255, size=(40, 56, 3), dtype=np.uint8)).save(path)
    db = str(tmp_path / "index.db")
    code, lines, _ = run_cli(capsys, "--db", db, "teach", "--model", str(tiny_bundle.path), "--json", "Home",
                             str(home / "DSC_0001.JPG"))
    assert code == 0 and lines[0]["taught"] == 1
    with PhotoIndex.open(db) as index:
        assert [Path(record.path).name for record in index.search()] == ["DSC_0001.JPG"]
        assert index.folder_only_roots() == [home.resolve()]
