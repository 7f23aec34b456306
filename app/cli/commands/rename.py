"""`landmark-tagger rename OLD NEW`: a place of the user's gets another name (or is
merged into a place already named NEW)."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.common import add_json_flag, open_index, print_json_line, print_summary
from app.cli.landmark_names import add_new_flag, refuse_a_state_as_name, said_near_landmarks

EXIT_ASKED = 1  # NEW is a likely typo of another landmark: said, nothing renamed (as `label` does)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "rename",
        help="rename a landmark of yours on every photo and taught place (or merge it into another)",
        description=(
            "Every photo labelled OLD (any case) is labelled NEW, in whatever review state it is; what was "
            "taught as OLD teaches NEW, and suggestions rejected as OLD stay rejected as NEW. When NEW is in "
            "use already (one of your places, or a landmark of the model), OLD is merged into it. The photos' "
            "files change at the next `landmark-tagger write`. The model's own landmark names cannot be renamed. "
            "A NEW close to another landmark but not typed as it (\"Our cabn\" beside \"Our cabin\") is refused, "
            "naming it: a merge is made only into a name typed exactly. So is a word the app uses for a state "
            "(\"no landmark\", \"rejected\"). Give --new to rename as typed."
        ),
    )
    parser.add_argument("old", metavar="OLD", help="the name on the photos now, e.g. \"Our cabbin\"")
    parser.add_argument("new_name", metavar="NEW", help="the name they should carry, e.g. \"Our cabin\"")
    parser.add_argument("--model", metavar="BUNDLE", type=Path,
                        help="the model whose landmark names are its own (default: the one chosen in the app's Settings, "
                             "else the bundled default model)")
    add_new_flag(parser, "NEW")
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.core.errors import UsageError
    from app.core.index.released_holds import left_held_line
    from app.core.library import bundle_landmark_ids
    from app.core.rename import plan_rename, rename_place

    refuse_a_state_as_name(args.new_name, args)
    landmarks = bundle_landmark_ids(args.model)  # names only; no default model: every name is the user's
    if args.model is not None and not landmarks and not getattr(args, "model_from_settings", False):
        raise UsageError(f"cannot read the model bundle {args.model}; `landmark-tagger models` lists those it knows")
    with open_index(args) as index:
        plan = plan_rename(index, args.old, args.new_name, landmarks)  # OLD unknown, no change...: said first
        if said_near_landmarks(index, args.new_name, landmarks, args, "rename", renamed=plan.spellings[0]):
            return EXIT_ASKED
        summary = rename_place(index, args.old, args.new_name, landmarks)
    if args.json:
        print_json_line({"old": summary.old, "new": summary.new, "merged": summary.merged, "photos": summary.photos,
                         "accepted": summary.accepted, "references": summary.references,
                          "left_held": summary.left_held})
    print_summary(f"rename: {summary.line()}; {_way_back(summary, args)}")
    if summary.left_held:  # the new name does not go into them at the next `write`, as after `accept`
        print_summary(left_held_line("rename", summary.left_held))
    return 0


def _way_back(summary, args: argparse.Namespace) -> str:
    """How to take the rename back: `undo --review` does not (renames_journalled)."""
    from app.cli.common import command_with_index
    from app.core.index import renames_journalled
    from app.core.wording import shell_quote

    command = command_with_index(getattr(args, "db", None))
    if summary.merged:
        copy = f" {shell_quote(str(summary.backup))}" if summary.backup is not None else " COPY"
        return f"`undo --review` does not take a merge back: `{command} restore-index{copy}` does"
    if not renames_journalled.can_be_put_back(summary.old):
        return f"`undo --review` does not take it back, and {renames_journalled.NO_WAY_BACK}"
    return (f"`undo --review` does not take it back: `{command} rename {shell_quote(summary.new)} "
            f"{shell_quote(summary.old)}` puts the name back")
