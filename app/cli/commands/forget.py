"""`landmark-tagger forget FOLDER`: take a folder out of the library (the files stay)."""

from __future__ import annotations

import argparse
import json
import sys

from app.cli.common import open_index


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "forget",
        help="take a folder out of the library: the index forgets its photos (the files are not touched)",
        description=(
            "Remove FOLDER (one given to scan, tag or the app) from the library: the index forgets its photos, "
            "with their labels, reviews and taught references. Nothing on disk changes, and labels already "
            "written into the photos stay there. Without --yes it only says what would go."
        ),
    )
    parser.add_argument("folder", help="a folder of the library (`landmark-tagger stats` lists them)")
    parser.add_argument("--yes", action="store_true", help="do it (without: only say what would be forgotten)")
    parser.add_argument("--json", action="store_true", help="print the summary as a JSON line on stdout")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.core.index.forget import folder_contents, forget_folder

    with open_index(args) as index:
        contents = (forget_folder if args.yes else folder_contents)(index, args.folder)
    if args.json:
        print(json.dumps({"folder": contents.folder, "photos": contents.photos, "yours": contents.yours,
                          "taught": contents.taught, "forgotten": args.yes}, ensure_ascii=False))
    if args.yes:
        copy = f"; the index as it was is copied at {contents.backup}" if contents.backup else ""
        print(f"forget: {contents.folder} left the library ({contents.line()} forgotten; the files are "
              f"untouched; `landmark-tagger scan` adds it again, with the labels written into the photos{copy})",
              file=sys.stderr)
    else:
        unwritten = (" (their labels live only in the index unless `write` put them into the files)"
                     if contents.yours else "")
        print(f"forget: would forget {contents.folder}: {contents.line()}{unwritten}; "
              "add --yes to do it", file=sys.stderr)
    return 0
