"""`suggest --dry-run` ended with "5 new suggestions", a real run's words, so a user went
to `accept state:suggested` and found none of them (t_newuser2-3). The dry run's summary
now says what it would suggest and that nothing was stored; a real run's is unchanged."""

from __future__ import annotations

from app.cli.commands.suggest import _summary


def test_a_dry_runs_summary_says_nothing_was_stored() -> None:
    assert _summary(5, 0, dry_run=True, threshold_given=True) == (
        "dry run: would suggest 5 labels; nothing stored "
        "(run it again without --dry-run, with the same --threshold, to store them)")
    assert _summary(1, 2, dry_run=True) == (
        "dry run: would suggest 1 label; 2 suggestions of the model would be withdrawn "
        "(now under the threshold: no landmark); nothing stored (run it again without --dry-run to store them)")
    assert _summary(0, 0, dry_run=True) == "dry run: would suggest 0 labels; nothing stored"


def test_a_real_runs_summary_says_they_were_stored() -> None:
    assert _summary(5, 0, dry_run=False, threshold_given=True) == "5 new suggestions, stored as suggested labels"
    assert _summary(0, 1, dry_run=False) == (
        "0 new suggestions, stored as suggested labels; 1 suggestion of the model withdrawn "
        "(now under the threshold: no landmark)")
