"""The command line as typed: NOT terms of a query that look like options (`-has:gps`),
global options after the command, negative counts, a missing index, and the wording
of suggest's hint, its help and undo's JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.cli.main import build_parser, main
from app.core.index import PhotoIndex
from app.core.teaching_suggest import SuggestReport, close_hint
from tests.test_index_support import write_jpeg
from tests.test_metadata_support import add_photo, make_jpeg


@pytest.fixture
def db(tmp_path: Path) -> str:
    """An index of three photos: one with GPS (Paris), two without (Rome, Hawaii)."""
    root = tmp_path / "photos"
    write_jpeg(root / "2020 Paris" / "DSC_0001.JPG", taken="2020:11:03 10:00:00", gps=(48.858, 2.294))
    write_jpeg(root / "2021 Rome" / "IMG_0002.jpg", taken="2021:05:01 09:00:00", color=(1, 2, 3))
    write_jpeg(root / "2022 Haleakala" / "IMG_0003.jpg", taken="2022:02:01 09:00:00", color=(9, 8, 7))
    path = str(tmp_path / "index.db")
    assert main(["--db", path, "scan", str(root)]) == 0
    return path


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def refused(capsys, *argv: str) -> str:
    """The message of a command line argparse refuses (exit 2)."""
    with pytest.raises(SystemExit) as stopped:
        main(list(argv))
    assert stopped.value.code == 2
    return capsys.readouterr().err


# -- NOT terms ----------------------------------------------------------------------

def test_a_not_term_starting_with_h_is_no_help_option(db: str, capsys) -> None:
    capsys.readouterr()
    code, out, _ = run_cli(capsys, "--db", db, "search", "-has:gps", "--count")
    assert (code, out.strip()) == (0, "2")
    code, out, _ = run_cli(capsys, "--db", db, "search", "--json", "-haleakala")
    assert code == 0 and sorted(Path(json.loads(line)["path"]).name for line in out.splitlines()) == [
        "DSC_0001.JPG", "IMG_0002.jpg"]
    code, out, _ = run_cli(capsys, "--db", db, "search", "-has:gps", "-haleakala", "--count")
    assert (code, out.strip()) == (0, "1")
    code, out, _ = run_cli(capsys, "--db", db, "search", "--count", "--", "-has:gps")  # `--` still works
    assert (code, out.strip()) == (0, "2")
    code, out, _ = run_cli(capsys, "--db", db, "search", "--limit", "1", "-has:gps")
    assert code == 0 and len(out.splitlines()) == 1


@pytest.mark.parametrize("command", [["accept"], ["reject"], ["label", "--no-landmark"]])
def test_the_review_verbs_take_a_not_term_as_their_query(db: str, capsys, command) -> None:
    capsys.readouterr()
    verb, *options = command
    code, out, _ = run_cli(capsys, "--db", db, verb, "-has:gps", *options, "--json")
    assert code == 0 and json.loads(out)["matched"] == 2
    code, out, _ = run_cli(capsys, "--db", db, verb, "-has:gps rome", *options, "--json")  # quoted, as one word
    assert code == 0 and json.loads(out)["matched"] == 1
    if verb != "label":  # (label's next word is NAME)
        code, out, _ = run_cli(capsys, "--db", db, verb, "-has:gps", "rome", "--json")
        assert code == 0 and json.loads(out)["matched"] == 1  # the query's word after its NOT term


def test_label_takes_a_not_term_in_its_query_only(db: str, capsys) -> None:
    capsys.readouterr()
    code, _, err = run_cli(capsys, "--db", db, "label", "-has:gps", "Somewhere")
    assert code == 0 and "2 matching photos" in err
    assert "-has:gps" in refused(capsys, "--db", db, "label", "Somewhere", "-has:gps")  # no such NAME
    with PhotoIndex.open(db) as index:
        assert sorted(record.label or "" for record in index.search("")) == ["", "Somewhere", "Somewhere"]


def test_write_and_suggest_take_a_not_term(db: str, capsys) -> None:
    from app.cli.command_line import shield_negated_words, unshield

    capsys.readouterr()
    code, _, err = run_cli(capsys, "--db", db, "write", "--dry-run", "-has:gps")
    assert code == 0 and "dry run:" in err
    parser = build_parser()  # (suggest would load the default model: its command line only)
    args = parser.parse_args(shield_negated_words(parser, ["suggest", "-has:gps", "--dry-run", "--threshold", "0.5"]))
    assert (unshield(args.query), args.dry_run, args.threshold) == ("-has:gps", True, 0.5)


def test_help_and_real_options_still_win(db: str, capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--db", db, "search", "-has:gps", "-h"])
    assert stopped.value.code == 0 and capsys.readouterr().out.startswith("usage: landmark-tagger search")
    assert "--colour" in refused(capsys, "--db", db, "search", "-has:gps", "--colour")
    assert "-has:gps" not in refused(capsys, "--db", db, "stats", "-x")  # no query: refused as before


# -- global options, counts, a missing index ----------------------------------------

def test_db_is_taken_after_the_command_too(db: str, tmp_path: Path, capsys) -> None:
    capsys.readouterr()
    code, out, _ = run_cli(capsys, "stats", "--json", "--db", db)
    assert code == 0 and json.loads(out)["photos"] == 3
    code, out, _ = run_cli(capsys, "search", "--count", "--db", db, "-has:gps")
    assert (code, out.strip()) == (0, "2")
    other = str(tmp_path / "other.db")
    code, out, _ = run_cli(capsys, "--db", other, "search", "--count", "--db", db)  # the later one wins
    assert (code, out.strip()) == (0, "3") and not Path(other).exists()


@pytest.mark.parametrize("argv", [["scan", "--errors", "-1"], ["stats", "--errors", "-3"],
                                  ["tag", "--errors", "-1"], ["search", "--limit", "-1"],
                                  ["search", "--offset", "-2"]])
def test_a_negative_count_is_refused(tmp_path: Path, capsys, argv) -> None:
    err = refused(capsys, "--db", str(tmp_path / "i.db"), *argv)
    assert f"argument {argv[1]}: must be 0 or more, not {argv[2]}" in err
    assert not (tmp_path / "i.db").exists()


@pytest.mark.parametrize("argv", [["stats"], ["search", "-has:gps"], ["accept", "rome"], ["undo"],
                                  ["write", "--dry-run"], ["relocate", "a", "b"], ["rename", "A", "B"]])
def test_a_command_that_adds_no_photo_needs_an_index(tmp_path: Path, capsys, argv) -> None:
    missing = tmp_path / "x.db"
    code, out, err = run_cli(capsys, "--db", str(missing), *argv)
    assert code == 2 and out == ""
    (line,) = err.splitlines()
    assert f"no index at {missing}" in line and "scan FOLDER` creates it" in line
    assert list(tmp_path.iterdir()) == []


def test_scan_creates_the_default_index_on_a_first_run(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("LANDMARK_TAGGER_DB", raising=False)
    monkeypatch.setenv("LANDMARK_TAGGER_HOME", str(tmp_path / "home"))
    write_jpeg(tmp_path / "photos" / "a.jpg")
    code, _, err = run_cli(capsys, "stats")
    assert code == 2 and "no index at" in err and not (tmp_path / "home").exists()
    assert run_cli(capsys, "scan", str(tmp_path / "photos"))[0] == 0
    code, out, _ = run_cli(capsys, "stats", "--json")
    assert code == 0 and json.loads(out)["photos"] == 1


# -- wording ------------------------------------------------------------------------

def _listed_by_each_command(hint: str, scores: list[float]) -> list[tuple[float, int]]:
    """(threshold, photos the hint says it lists) for every `--threshold T` in the hint."""
    claims = []
    for threshold, claim in re.findall(r"--threshold (\d\.\d\d)` (lists (?:it|them|\d+ of them)|all \d+)", hint):
        count = len(scores) if claim in ("lists it", "lists them") else int(re.search(r"\d+", claim).group())
        claims.append((float(threshold), count))
    return claims


@pytest.mark.parametrize("scores", [[0.44, 0.37, 0.32], [0.44], [0.43, 0.41], [0.42, 0.05]])
def test_suggests_hint_lists_the_photos_it_counts(scores: list[float]) -> None:
    report = SuggestReport(threshold=0.79, close=len(scores), best_close=max(scores), taught=3, tagged=10,
                           scored=10, close_scores=scores)
    hint = close_hint(report)
    assert hint.startswith(f"{len(scores)} photo{'s' if len(scores) != 1 else ''} came close")
    claims = _listed_by_each_command(hint, scores)
    assert claims and all(sum(score >= threshold for score in scores) == count for threshold, count in claims)
    assert max(count for _, count in claims) == len(scores)  # some command lists every photo counted


@pytest.mark.parametrize("best", [0.03, 0.39])
def test_suggests_hint_says_far_under_not_came_close(best: float) -> None:
    """0.03 against a threshold of 0.79 did not "come close": the CLI words it as the app
    does (teaching_suggest.far_under_words), and lists no threshold low enough to show it."""
    report = SuggestReport(threshold=0.79, close=6, best_close=best, taught=3, tagged=10, scored=10,
                           close_scores=[best, 0.01, 0.01, 0.01, 0.01, 0.01])
    assert close_hint(report) == (f"the best match scored {best:.2f}, far under the threshold (0.79); "
                                  "teach more photos of your places")


def test_suggests_hint_keeps_the_query_and_model() -> None:
    report = SuggestReport(threshold=0.8, close=1, best_close=0.5, taught=3, tagged=10, scored=10, close_scores=[0.5])
    hint = close_hint(report, "folder:'Greenland 2019'", Path("/m/my model.ltbundle"))
    assert "`landmark-tagger suggest 'folder:'\"'\"'Greenland 2019'\"'\"'' --model '/m/my model.ltbundle' " \
           "--dry-run --threshold 0.50` lists it" in hint


def test_suggest_help_names_commands_that_exist(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["suggest", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    commands = set(build_parser()._subparsers._group_actions[0].choices)
    named = set(re.findall(r"`(\w+)`", text))
    assert named and named <= commands and {"accept", "reject", "label"} <= named


def test_undo_json_counts_the_files_restored(tmp_path: Path, capsys) -> None:
    db = tmp_path / "index.db"
    photo = make_jpeg(tmp_path / "a.jpg")
    original = photo.read_bytes()
    with PhotoIndex.open(db) as index:
        add_photo(index, [photo], "Château d'If", state="accepted")
    assert main(["--db", str(db), "write"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "undo", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["restored"] == 1 and "written" not in summary
    assert photo.read_bytes() == original
