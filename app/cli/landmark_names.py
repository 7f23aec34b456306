"""The checks of a landmark NAME typed on the command line, which `label`, `teach` and
`rename` share (app.core.label_names, as the app's L, Teach… and Rename… ask them): a word
the app uses for a state is refused with the command that gives that state, and a typo of
a known landmark is named instead of becoming a second place, --new taking it as typed."""

from __future__ import annotations

import argparse
import sys
from typing import Iterable

from app.cli.common import command_with_index


def add_new_flag(parser, what: str) -> None:
    """--new: the name is meant as typed, though close to a known landmark or a state's word."""
    parser.add_argument("--new", action="store_true",
                        help=f"{what} is a new landmark, though it is close to a known one or is a state's word "
                             "such as \"none\" (refused without it)")


def refuse_a_state_as_name(name: str, args: argparse.Namespace, no_landmark_way: str | None = None) -> None:
    """UsageError for a NAME that is one of the app's states: `label Rome/ "no landmark"`,
    `teach none PHOTO…` or `rename X "no landmark"` made a landmark called so, written into
    the files and taught, which `label:` never finds. `no_landmark_way`: how the command
    itself gives "no landmark" (label's --no-landmark); else `label QUERY --no-landmark`."""
    from app.core.errors import UsageError
    from app.core.label_names import NO_LANDMARK, not_a_landmark_name, own_state_named

    state = own_state_named(name, args.new)
    if state is None:
        return
    command = command_with_index(getattr(args, "db", None))
    no_landmark = no_landmark_way or f"`{command} label QUERY --no-landmark` labels the photos that show none"
    way = {NO_LANDMARK: f"{no_landmark}; `{command} reject QUERY` marks a wrong label",
           "rejected": f"`{command} reject QUERY` marks a wrong label",
           "accepted": f"`{command} accept QUERY` accepts the labels shown"}.get(state, "give the landmark's name")
    place = "" if own_state_named(name, new=True) else f" (give --new if a place is called {name!r})"
    raise UsageError(f"{not_a_landmark_name(name, state)}: {way}{place}")


def said_near_landmarks(index, name: str, class_names: Iterable[str], args: argparse.Namespace, verb: str,
                        renamed: str | None = None) -> bool:
    """Whether NAME is probably a typo of a known landmark (`index` None: no index yet, the
    model's alone), said on stderr with the --new that takes it as typed; the command then
    stops (exit 1) with nothing changed. `renamed`: rename's OLD, whose new name close to
    another landmark is a likely merge, made only when typed exactly (app.core.rename)."""
    from app.core.label_names import did_you_mean, merges_only_when_exact, near_landmarks

    if args.new:
        return False
    near = near_landmarks(index, name, class_names, renamed)
    if not near:
        return False
    if renamed is not None:
        text = f"{merges_only_when_exact(name, near)} (give --new to rename {renamed!r} to {name!r} as typed)"
    else:
        doing = "add" if verb == "label" else verb
        text = f"{did_you_mean(name, near)} (give --new to {doing} {name!r} as a new landmark)"
    print(f"{verb}: {text}", file=sys.stderr)
    return True


def known_spelling_note(index, name: str, class_names: Iterable[str]) -> str | None:
    """The note for a NAME the index takes as a known landmark spelt otherwise, beyond
    letter case ("Bahnhofstrasse" for the "Bahnhofstraße" of another photo: case folding
    makes ß "ss", so the two are one landmark to the index, --new or not); None when it is
    kept as typed or differs in case alone (reviewing.md: that takes the known spelling)."""
    from app.core.teaching import canonical_label, check_label
    from model.labels import label_form

    typed = check_label(name)
    known = canonical_label(index, typed, class_names)
    if label_form(known).lower() == typed.lower():
        return None
    return (f"{typed!r} is labelled as the known spelling {known!r}, one landmark to the index with it "
            f"(rename {known!r} to change its spelling on every photo)")
