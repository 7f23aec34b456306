"""`tag --json` gave a "no landmark" photo its best guess's score (0.996 for a photo
0.4 % sure of no landmark), where `search --json` gives 1 - that (the score `score>` compares) with the guess
under "best_guess" (40cb83e): the two disagreed on the same photo. Now they agree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from app.cli.main import main
from app.core.index import PhotoIndex
from tests.test_image_detail import scene

KEYS = ("label", "landmark_id", "score", "state")


def _lines(capsys, *argv: str) -> dict[int, dict]:
    assert main(list(argv)) == 0
    return {line["id"]: line for line in map(json.loads, capsys.readouterr().out.splitlines())}


def _agree(tagged: dict[int, dict], searched: dict[int, dict]) -> None:
    assert set(tagged) == set(searched)
    for photo_id, line in tagged.items():
        found = searched[photo_id]
        assert {key: line[key] for key in KEYS} == pytest.approx({key: found[key] for key in KEYS}, abs=1e-6), photo_id
        assert ("best_guess" in line) == ("best_guess" in found), photo_id
        if found.get("best_guess") is not None:
            assert line["best_guess"] == {**found["best_guess"], "score": pytest.approx(found["best_guess"]["score"], abs=1e-6)}
        else:
            assert line.get("best_guess") is None


def test_tag_json_scores_no_landmark_as_search_json_does(tmp_path: Path, tiny_bundle, capsys) -> None:
    folder = tmp_path / "Rome"
    folder.mkdir()
    for number in range(4):
        pixels = scene(number)  # not a blank frame
        Image.fromarray(pixels).save(folder / f"IMG_{number}.jpg", "JPEG", quality=90)
    db = str(tmp_path / "index.db")
    tag = ["--db", db, "tag", "--json", "--workers", "0", "--model", str(tiny_bundle.path), "--threshold", "0.999"]
    tagged = _lines(capsys, *tag, str(folder))
    assert len(tagged) == 4 and all(line["label"] is None for line in tagged.values())
    for line in tagged.values():  # "score" is how sure it is of no landmark, the guess named
        guess = line["best_guess"]
        assert guess["label"] == line["top"][0]["label"] and guess["landmark_id"] == line["top"][0]["landmark_id"]
        assert line["score"] == pytest.approx(1 - guess["score"], abs=1e-6) and guess["score"] == line["top"][0]["score"]
    _agree(tagged, _lines(capsys, "--db", db, "search", "--json"))

    first, second, *_ = sorted(tagged)
    with PhotoIndex.open(db) as index:
        index.set_label(first, "Colosseum", source="user", state="accepted")  # a landmark line: as it was
        index.set_label(second, None, source="user", state="accepted")  # the user's: no score, no guess
    searched = _lines(capsys, "--db", db, "search", "--json")
    files = [str(path) for path in sorted(folder.iterdir())]  # named: a line even when up to date
    _agree(_lines(capsys, *tag, *files), searched)  # what the index keeps, nothing classified
    _agree(_lines(capsys, *tag, "--retag", str(folder)), searched)  # classified again, the user's word kept
    assert "best_guess" not in searched[first] and searched[first]["label"] == "Colosseum"
    assert (searched[second]["score"], searched[second]["best_guess"]) == (None, None)
