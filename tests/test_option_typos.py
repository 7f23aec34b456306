"""A mistyped option of a command (`write --dryrun`, `scan --jsno`) was refused with
the tool's usage line, which lists none of that command's options, and no hint. It is
now refused by the command's own parser, its usage line listing its options, with
"did you mean" for an option close to a real one; exit 2 as before."""

from __future__ import annotations

import pytest

from app.cli.main import main


def refused(capsys, tmp_path, *argv: str) -> str:
    """stderr of a command line argparse refuses (exit 2)."""
    with pytest.raises(SystemExit) as stop:
        main(["--db", str(tmp_path / "index.db"), *argv])
    out, err = capsys.readouterr()
    assert stop.value.code == 2 and out == ""
    return err


@pytest.mark.parametrize("argv, usage, meant", [
    (["write", "--dryrun"], "usage: landmark-tagger write", "--dry-run"),
    (["scan", "--jsno", "lib"], "usage: landmark-tagger scan", "--json"),
    (["search", "--limt", "3", "rome"], "usage: landmark-tagger search", "--limit"),
    (["accept", "rome", "--relase-held"], "usage: landmark-tagger accept", "--release-held"),
])
def test_a_mistyped_option_is_refused_by_its_command_with_the_option_meant(capsys, tmp_path, argv, usage, meant):
    err = refused(capsys, tmp_path, *argv)
    assert err.startswith(usage)
    assert err.endswith(f"error: unrecognized arguments: {argv[1 if argv[1].startswith('--') else 2]}; "
                        f"did you mean {meant}?\n")


def test_an_option_like_none_of_the_commands_has_no_guess(capsys, tmp_path):
    err = refused(capsys, tmp_path, "accept", "rome", "--dry-run")
    assert err.startswith("usage: landmark-tagger accept")
    assert err.endswith("landmark-tagger accept: error: unrecognized arguments: --dry-run\n")
