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
            "Checks that NEW holds the indexed files first (their sizes, and the content of a sample), then "
            "reads NEW as a rescan does (files not found there become missing; new ones are added)."
        ),
    )
    parser.add_argument("old", metavar="OLD", help="the library folder as the index knows it (`landmark-tagger stats`)")
    parser.add_argument("new", metavar="NEW", help="the folder that holds its photos now")
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from app.core.relocate import relocate_folder

    with open_index(args) as index, progress_bar("reading the new place") as progress:
        summary = relocate_folder(index, args.old, args.new, progress=progress)
    if args.json:
        print_json_line({"old": summary.old, "new": summary.new, "photos": summary.photos,
                         "files_found": summary.files_found, "files_not_found": summary.files_not_found,
                         "scan": asdict(summary.scan) if summary.scan is not None else None})
    print_summary(f"relocate: {summary.line()}")
    return 0
