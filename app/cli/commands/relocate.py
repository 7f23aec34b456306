"""`landmark-tagger relocate OLD NEW`: the library folder OLD is at NEW now."""

from __future__ import annotations

import argparse

from app.cli.common import add_json_flag, open_index, print_json_line, print_summary, progress_bar


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "relocate",
        help="a library folder moved (a drive under another letter or name, a renamed folder): follow it",
        description=(
            "The library folder OLD is at NEW now: its photos keep their labels, reviews and taught places. "
            "Checks that NEW holds the indexed files first (their sizes, and the content of a sample), and "
            "refuses when OLD is still there with its files or NEW holds under half of them (--follow-copy goes "
            "ahead), then reads NEW as a rescan does (files not found there become missing; new ones are added)."
        ),
    )
    parser.add_argument("old", metavar="OLD", help="the library folder as the index knows it (`landmark-tagger stats`)")
    parser.add_argument("new", metavar="NEW", help="the folder that holds its photos now")
    parser.add_argument(
        "--follow-copy", action="store_true",
        help="go ahead although OLD is still there or NEW holds under half of its files: NEW is a copy "
             "(whole or partial) the library should follow; the files not in NEW are marked missing")
    add_json_flag(parser)
    parser.set_defaults(handler=run, takes_paths=True)  # a word after its paths: said as a path


def run(args: argparse.Namespace) -> int:
    from app.core.errors import UsageError
    from app.core.relocate import NotMovedError, relocate_folder
    from app.core.wording import counted

    try:
        with open_index(args) as index, progress_bar("reading the new place") as progress:
            summary = relocate_folder(index, args.old, args.new, progress=progress, follow_copy=args.follow_copy)
    except NotMovedError as error:
        missing = error.would_go_missing
        then = f"the {counted(missing, 'file')} not in it would be marked missing" if missing else "it holds every file"
        stop = " " if str(error).endswith("?") else ". "
        raise UsageError(f"{error}{stop}Nothing changed; if {args.new} is a copy (whole or partial) the library should "
                         f"follow, add --follow-copy ({then})") from error
    if args.json:
        print_json_line({"old": summary.old, "new": summary.new, "photos": summary.photos,
                         "files_found": summary.files_found, "files_not_found": summary.files_not_found,
                         "scan": summary.scan.to_json() if summary.scan is not None else None})
    print_summary(f"relocate: {summary.line()}")
    return 0
