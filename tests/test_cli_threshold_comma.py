"""`--threshold 0,8`, as a German or French user types it: read as 0.8 by `tag` and
`suggest` (it printed argparse's usage block and "invalid float value: '0,8'", no hint);
a word that is no number says to use a decimal point."""

from __future__ import annotations

import json

import pytest

from app.cli.main import build_parser, main
from tests.test_cli_tag import folder, photo, run_tag  # noqa: F401  (the fixture)


@pytest.mark.parametrize("command", [["tag", "Rome"], ["suggest"]])
@pytest.mark.parametrize(("typed", "figure"), [("0,8", 0.8), ("0.8", 0.8), (",5", 0.5), ("1", 1.0)])
def test_a_decimal_comma_or_point_gives_the_figure(command, typed, figure) -> None:
    assert build_parser().parse_args([*command, "--threshold", typed]).threshold == pytest.approx(figure)


@pytest.mark.parametrize("typed", ["abc", "0,8,5", "0.8,5"])
def test_a_word_that_is_no_number_says_to_use_a_decimal_point(capsys, typed) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["tag", "Rome", "--threshold", typed])
    assert stopped.value.code == 2
    assert f"--threshold: {typed!r} is not a number from 0 to 1; use a decimal point: --threshold 0.8" in (
        capsys.readouterr().err)


def test_tag_with_a_decimal_comma_tags_at_that_threshold(tmp_path, folder, tiny_bundle, capsys) -> None:  # noqa: F811
    """`--threshold 1,0` is 1.0, as `--threshold 1` is: no photo clears it."""
    assert run_tag(tmp_path, folder, "--model", tiny_bundle.path, "--workers", "0", "--json", "--threshold", "1,0") == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines and all(line["label"] is None and line["top"] for line in lines)


def test_a_comma_figure_outside_0_1_is_refused_in_one_line(tmp_path, capsys) -> None:
    assert main(["--db", str(tmp_path / "index.db"), "suggest", "--threshold", "1,5"]) == 2
    err = capsys.readouterr().err
    assert "--threshold 1.5 must be between 0 and 1" in err and "usage:" not in err


@pytest.mark.parametrize("command", [["evaluate", "--model", "m.ltbundle"], ["export", "runs/x", "--out", "x.ltbundle"]])
def test_landmark_train_takes_a_decimal_comma_too(command) -> None:
    from training.cli import build_parser as training_parser

    assert training_parser().parse_args([*command, "--threshold", "0,8"]).threshold == pytest.approx(0.8)
