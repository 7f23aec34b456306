"""The `teach` and `suggest` commands: help text, exit codes, JSON lines, and taught
labels in `tag --json`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.cli.main import main
from app.core.teaching import teach
from tests.test_teaching import library  # noqa: F401 (a fixture, used by the suggest tests)


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
    assert "missing.jpg: file or folder not found" in capsys.readouterr().err  # as scan and tag say it


def test_suggest_refuses_a_threshold_outside_0_1(capsys, tmp_path):
    assert main(["--db", str(tmp_path / "index.db"), "suggest", "--threshold", "2"]) == 2
    assert "--threshold" in capsys.readouterr().err


def noise_photos(tmp_path: Path, count: int, seed: int) -> Path:
    """A folder `photos` of `count` small random JPEGs IMG_0.jpg…: what the tiny model tags."""
    folder = tmp_path / "photos"
    folder.mkdir()
    rng = np.random.default_rng(seed)
    for i in range(count):
        Image.fromarray(rng.integers(0, 255, size=(40, 56, 3), dtype=np.uint8)).save(folder / f"IMG_{i}.jpg")
    return folder


def test_teach_then_suggest_then_tag_shows_the_taught_label(capsys, tmp_path, tiny_bundle):
    """The tiny model embeds every photo alike, so what is taught from one photo wins
    everywhere: suggest proposes it for the others and tag --json lists it in label/top."""
    folder = noise_photos(tmp_path, 4, seed=0)
    db, model = str(tmp_path / "index.db"), str(tiny_bundle.path)

    code, lines, _ = run_cli(capsys, "--db", db, "tag", "--model", model, "--workers", "0", "--json", str(folder))
    assert code == 0 and len(lines) == 4

    code, lines, err = run_cli(capsys, "--db", db, "teach", "--model", model, "--json", "Our cabin", str(folder / "IMG_0.jpg"))
    assert code == 0
    assert lines == [{"label": "Our cabin", "model_id": tiny_bundle.id, "taught": 1, "embedded": 0, "errors": 0,
                      "photo_ids": lines[0]["photo_ids"], "place_photos": 1, "left_held": 0, "looks_like": [],
                      "unlike_the_others": []}]
    assert "taught 'Our cabin' from 1 photo" in err and "in all" not in err
    assert main(["--db", db, "stats"]) == 0  # the CLI's list of taught places
    assert "taught:     Our cabin (1 photo)" in capsys.readouterr().out
    code, lines, _ = run_cli(capsys, "--db", db, "stats", "--json")
    assert lines[0]["taught"] == {"Our cabin": 1}

    # a reject taken back by accept: the photo teaches again (its reference was set aside)
    assert main(["--db", db, "reject", str(folder / "IMG_0.jpg")]) == 0
    assert run_cli(capsys, "--db", db, "stats", "--json")[1][0]["taught"] == {}
    assert main(["--db", db, "accept", str(folder / "IMG_0.jpg")]) == 0
    assert run_cli(capsys, "--db", db, "stats", "--json")[1][0]["taught"] == {"Our cabin": 1}

    code, [*lines, summary], err = run_cli(capsys, "--db", db, "suggest", "--model", model, "--json")
    assert code == 0 and summary["summary"]["suggested"] == 3, summary
    assert sorted(Path(s["path"]).name for s in lines) == ["IMG_1.jpg", "IMG_2.jpg", "IMG_3.jpg"]
    assert {s["label"] for s in lines} == {"Our cabin"} and "3 new suggestions" in err

    # a photo added since is not looked at until tagged, and suggest says so; a search
    # matching no photo fails like accept/reject
    Image.fromarray(np.random.default_rng(9).integers(0, 255, size=(40, 56, 3), dtype=np.uint8)).save(folder / "IMG_9.jpg")
    assert main(["--db", db, "scan", str(folder)]) == 0
    code, lines, err = run_cli(capsys, "--db", db, "suggest", "--model", model, "--dry-run", "--json")
    assert code == 0 and "1 photo is not tagged by this model yet" in err
    code, lines, err = run_cli(capsys, "--db", db, "suggest", "--model", model, "--json", "nosuchphoto")
    assert code == 1 and "no photo matches the search" in err
    assert [(line["summary"]["matched"], line["summary"]["suggested"]) for line in lines] == [(0, 0)], lines

    code, lines, err = run_cli(capsys, "--db", db, "tag", "--model", model, "--workers", "0", "--retag", "--json", str(folder))
    assert code == 0
    for line in lines:
        assert line["label"] == "Our cabin" or Path(line["path"]).name == "IMG_0.jpg"
        assert line["top"][0]["label"] == "Our cabin" and line["top"][0]["landmark_id"] == "taught:Our cabin"

    code, lines, _ = run_cli(capsys, "--db", db, "teach", "--forget", "--json", "our CABIN")  # any case
    assert code == 0 and lines == [{"label": "Our cabin", "forgotten": 1, "withdrawn": 4, "kept": 0}]
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


def _photos(folder: Path, names: list[str], seed: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for name in names:
        Image.fromarray(rng.integers(0, 255, size=(40, 56, 3), dtype=np.uint8)).save(folder / name)
    return [folder / name for name in names]


def test_teaching_a_photo_from_outside_the_library_says_its_folder_joined(capsys, tmp_path, tiny_bundle):
    """The photos beside it join the library too: say so, as `tag FILE` does."""
    loose = tmp_path / "loose"
    first, *_ = _photos(loose, ["IMG_1.jpg", "IMG_2.jpg", "IMG_3.jpg"])
    code, _, err = run_cli(capsys, "--db", str(tmp_path / "index.db"), "teach", "--model", str(tiny_bundle.path),
                           "Our cabin", str(first))
    assert code == 0
    assert f"added {loose.resolve()} to the library (3 photos; that folder only: `landmark-tagger --db {tmp_path / 'index.db'} scan" in err
    code, _, err = run_cli(capsys, "--db", str(tmp_path / "index.db"), "teach", "--model", str(tiny_bundle.path),
                           "Our cabin", str(first))
    assert code == 0 and "to the library" not in err  # in the library already: no news


def test_teaching_a_photo_another_name_says_what_it_taught_before(capsys, tmp_path, tiny_bundle):
    """A photo teaches one place: the move is said, and a place left with no photo too."""
    db, model = str(tmp_path / "index.db"), str(tiny_bundle.path)
    porch, other = _photos(tmp_path / "cabin", ["IMG_0001.jpg", "IMG_0002.jpg"])
    assert main(["--db", db, "scan", str(tmp_path / "cabin")]) == 0
    assert run_cli(capsys, "--db", db, "teach", "--model", model, "Cabin porch", str(porch))[0] == 0
    code, _, err = run_cli(capsys, "--db", db, "teach", "--model", model, "Our cabin", str(tmp_path / "cabin"))
    assert code == 0
    assert f"{porch.resolve()} was taught as 'Cabin porch', now 'Our cabin'" in err
    assert "'Cabin porch' has no photos left and is no longer taught" in err
    assert str(other.resolve()) not in err  # it taught nothing before: no news
    code, _, err = run_cli(capsys, "--db", db, "teach", "--model", model, "Our cabin", str(porch))
    assert code == 0 and "was taught as" not in err  # the same name again: nothing moved


def test_many_photos_taught_another_name_are_counted(capsys, tmp_path, tiny_bundle):
    db, model = str(tmp_path / "index.db"), str(tiny_bundle.path)
    photos = _photos(tmp_path / "cabin", [f"IMG_{i}.jpg" for i in range(7)])
    assert main(["--db", db, "scan", str(tmp_path / "cabin")]) == 0
    assert run_cli(capsys, "--db", db, "teach", "--model", model, "Cabin porch", *map(str, photos[:6]))[0] == 0
    code, _, err = run_cli(capsys, "--db", db, "teach", "--model", model, "Our cabin", *map(str, photos[1:]))
    assert code == 0
    assert "5 photos taught as 'Cabin porch' now teach 'Our cabin'" in err and "was taught as" not in err
    assert "no longer taught" not in err  # IMG_0 still teaches it


def test_teach_takes_options_between_its_photos(capsys, tmp_path, tiny_bundle):
    first, second = _photos(tmp_path / "cabin", ["IMG_1.jpg", "IMG_2.jpg"])
    code, lines, _ = run_cli(capsys, "--db", str(tmp_path / "index.db"), "teach", "Our cabin", str(first),
                             "--json", str(second), "--model", str(tiny_bundle.path))
    assert code == 0 and lines[0]["taught"] == 2


def test_suggest_with_nothing_taught_says_only_that(capsys, tmp_path, tiny_bundle):
    _photos(tmp_path / "photos", ["IMG_1.jpg"])
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(tmp_path / "photos")]) == 0
    capsys.readouterr()
    code, lines, err = run_cli(capsys, "--db", db, "suggest", "--model", str(tiny_bundle.path))
    assert code == 0 and lines == []
    assert err.startswith("nothing is taught yet") and "suggestion" not in err


def test_suggest_says_which_labels_of_the_model_fall_to_no_landmark(capsys, library, tiny_bundle, tmp_path):
    """Teaching lowers the model's scores (docs/TEACHING.md): a model label that falls
    under the threshold is listed by the dry run and counted by the summary."""
    from tests.test_teaching import unsure_model_label

    index, paths, ids = library
    unsure = ids["other"][0]
    name = unsure_model_label(index, tiny_bundle, unsure)
    teach(index, "Our cabin", paths["cabin"][:2], bundle=tiny_bundle)
    path = index.get(unsure).path
    db, model = str(tmp_path / "index.db"), str(tiny_bundle.path)
    suggest = ["--db", db, "suggest", "--model", model, "--threshold", "1"]  # its joint score is under 1

    code, lines, err = run_cli(capsys, *suggest, "--dry-run", "--json")
    assert code == 0
    withdrawn = [line for line in lines if line.get("withdrawn")]
    assert [(w["photo_id"], w["path"], w["previous"], w["label"], w["landmark_id"]) for w in withdrawn] == [
        (unsure, path, name, None, None)] and 0 <= withdrawn[0]["score"] < 1
    assert ("dry run: would suggest 0 labels; 1 suggestion of the model would be withdrawn (now under the "
            "threshold: no landmark); nothing stored (run it again without --dry-run, with the same --threshold, "
            "to store them)") in err, err
    code = main([*suggest, "--dry-run"])
    out, err = capsys.readouterr()
    assert code == 0 and f"{path}: {name} -> no landmark" in out
    assert index.get(unsure).label == name  # a dry run changes nothing

    code = main(suggest)
    out, err = capsys.readouterr()
    assert code == 0 and f"{path}: {name} -> no landmark" in out
    assert "0 new suggestions, stored as suggested labels; 1 suggestion of the model withdrawn" in err
    assert index.get(unsure).label is None


def test_teaching_a_photo_icloud_evicted_says_it_is_in_icloud(capsys, tmp_path, tiny_bundle):
    """`teach NAME PHOTO` of a photo "Optimize Mac Storage" moved to iCloud (its stand-in
    .NAME.icloud in its place) said "does not exist; check the path"; it now says what
    `tag` says of it, and the other photos given are taught."""
    from app.core.cloud_files import IN_ICLOUD
    from tests.test_cloud_placeholders import STAND_IN

    evicted, kept = _photos(tmp_path / "iCloud Drive" / "Trip", ["IMG_0001.jpg", "IMG_0002.jpg"])
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(evicted.parent)]) == 0
    evicted.rename(tmp_path / "kept.jpg")
    evicted.with_name(f".{evicted.name}.icloud").write_bytes(STAND_IN)
    capsys.readouterr()
    code, lines, err = run_cli(capsys, "--db", db, "teach", "--model", str(tiny_bundle.path), "--json", "Cabin",
                               str(evicted), str(kept))
    assert code == 1 and lines[0]["taught"] == 1
    assert f"{evicted}: {IN_ICLOUD}" in err and "check the path" not in err


def test_a_teach_into_a_place_that_has_photos_says_its_new_total(capsys, tmp_path, tiny_bundle):
    """(teaching tester) "taught 'Our cabin' from 1 photo" read as if the place had one photo
    when two more taught it already: the line gives the total too."""
    folder = noise_photos(tmp_path, 3, seed=1)
    db, model = str(tmp_path / "index.db"), str(tiny_bundle.path)
    assert run_cli(capsys, "--db", db, "teach", "--model", model, "Our cabin",
                   str(folder / "IMG_0.jpg"), str(folder / "IMG_1.jpg"))[0] == 0

    code, lines, err = run_cli(capsys, "--db", db, "teach", "--model", model, "--json", "Our cabin",
                               str(folder / "IMG_2.jpg"))

    assert code == 0 and "taught 'Our cabin' from 1 photo (3 in all)" in err
    assert (lines[0]["taught"], lines[0]["place_photos"]) == (1, 3)
