"""`landmark-tagger forget FOLDER`: take a folder out of the library (the files stay);
`forget --missing`: forget the photos deleted from the library's folders."""

from __future__ import annotations

import argparse
import sys

from app.cli.common import command_with_index, open_index, print_json_line
from app.core.wording import shell_quote


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "forget",
        help="take a folder out of the library: the index forgets its photos (the files are not touched)",
        description=(
            "Remove FOLDER (one given to scan, tag or the app) from the library: the index forgets its photos, "
            "with their labels, reviews and taught references. Nothing on disk changes, and labels already "
            "written into the photos stay there. FOLDER may also be a folder inside one whose photos are all "
            "gone (a lost card's folder) and that a scan looked for since: its photos alone are forgotten; "
            "refused while a photo of it with a label of yours has copies in the library none of which holds "
            "that label (scan first: a scan joins it to a copy holding nothing of yours; else label a copy). "
            "With --missing instead of FOLDER: forget the photos deleted from the library's folders (scan first, "
            "so that photos moved elsewhere are found with their labels; a photo whose file is back on disk since "
            "the last scan (a card plugged in again) stays, as do those of a folder that cannot be read; "
            "a folder not found, or the empty mount point of a card that was mounted on it when its photos were "
            "scanned, is a drive not connected: its photos stay; a plain folder whose photos were all deleted is "
            "no such folder). "
            "Without --yes it only says what would go."
        ),
    )
    parser.add_argument("folder", nargs="?", help="a folder of the library (`landmark-tagger stats` lists them), "
                        "or a lost card's folder in one")
    parser.add_argument("--missing", action="store_true",
                        help="forget the photos missing from the library's folders instead of a folder")
    parser.add_argument("--yes", action="store_true", help="do it (without: only say what would be forgotten)")
    parser.add_argument("--json", action="store_true", help="print the summary as a JSON line on stdout")
    parser.set_defaults(handler=run, takes_paths=True)  # a word after its paths: said as a path


def run(args: argparse.Namespace) -> int:
    from app.core.errors import UsageError
    from app.core.index.forget import folder_contents, forget_folder

    if args.missing == bool(args.folder):
        raise UsageError("give a FOLDER of the library, or --missing for the photos deleted from its folders")
    if args.missing:
        return _run_missing(args)

    with open_index(args) as index:
        contents = (forget_folder if args.yes else folder_contents)(index, args.folder)
        index_path = index.path
    if args.json:
        print_json_line({"folder": contents.folder, "photos": contents.photos, "yours": contents.yours,
                         "taught": contents.taught, "forgotten": args.yes,
                         "library_folder": not contents.gone_below})
    if args.yes and contents.gone_below:
        from app.core.index.backup import going_back_to

        copy = (f"; the index as it was is copied at {contents.backup}{going_back_to(index_path, contents.backup)}"
                if contents.backup else "")
        print(f"forget: {contents.folder}: {contents.line()} forgotten; {_where_they_are(contents)}{copy}",
              file=sys.stderr)
    elif args.yes:
        copy = f"; the index as it was is copied at {contents.backup}" if contents.backup else ""
        print(f"forget: {contents.folder} left the library ({contents.line()} forgotten; the files are "
              f"untouched; `landmark-tagger scan {shell_quote(str(contents.folder))}` adds it again, with the labels written into the "
              f"photos{copy})",
              file=sys.stderr)
    else:
        all_copied = contents.gone_below and contents.copied >= contents.photos
        unwritten = (" (their labels live only in the index unless `write` put them into the files)"
                     if contents.yours and not all_copied else "")
        gone = (f"; {_where_they_are(contents)}; --yes copies the index "
                "first (`landmark-tagger restore-index COPY` goes back to it)" if contents.gone_below else "")
        print(f"forget: would forget {contents.folder}: {contents.line()}{unwritten}{gone}; "
              "add --yes to do it", file=sys.stderr)
    return 0


def _where_they_are(contents) -> str:
    """Where a lost card's photos are: copied into the library (the copies stay, with
    their labels: forget_gone_copies refuses while one would lose the user's word), or
    looked for by a scan and not found."""
    def them(count: int) -> str:
        return "it" if count == 1 else "them"

    if not contents.copied:
        return f"a scan looked for {them(contents.photos)} in the library and did not find {them(contents.photos)}"
    if contents.copied >= contents.photos:
        if contents.photos == 1:
            return "it has a copy in the library, which stays with its labels"
        return f"all {contents.photos:,} have copies in the library, which stay with their labels"
    left = contents.photos - contents.copied
    copied = (f"{contents.copied} has a copy in the library, which stays with its labels" if contents.copied == 1
              else f"{contents.copied:,} have copies in the library, which stay with their labels")
    return (f"{copied}; a scan looked for the other {'one' if left == 1 else f'{left:,}'} in the library "
            f"and did not find {them(left)}")


def _run_missing(args: argparse.Namespace) -> int:
    from app.core.index.forget import forget_missing, missing_photos

    with open_index(args) as index:
        missing = (forget_missing if args.yes else missing_photos)(index)
    if args.json:
        print_json_line({"missing": missing.photos, "yours": missing.yours, "taught": missing.taught,
                         "skipped_folders": list(missing.skipped_folders), "awaiting_scan": missing.awaiting_scan,
                         "in_icloud": missing.in_icloud,  # (of awaiting_scan) kept as their stand-ins are there
                         "back_on_disk": missing.back_on_disk,  # kept: a file of theirs is there again
                         "not_checked": missing.not_checked,  # kept: their folder could not be read
                         "behind_dead_links": missing.behind_dead_links,  # kept: a folder link on the way
                         "dead_links": list(missing.dead_links),  # points nowhere (drive not connected)
                         "forgotten": args.yes})
    skipped = (f"; kept the photos of {', '.join(missing.skipped_folders)} (not found, or an empty mount point: "
               "is its drive connected?)" if missing.skipped_folders else "")
    take_in = f"`{command_with_index(args.db)} scan {' '.join(shell_quote(f) for f in missing.back_in)}`"
    kept = missing.kept_line(take_in=take_in)
    skipped += f"; {kept}" if kept else ""
    if not missing.photos:
        # right after deleting photos the index has not seen it: only a scan marks them missing
        print(f"forget: no missing photo to forget{skipped}; photos deleted since the last scan are found by "
              f"`{command_with_index(args.db)} scan` (run it first: it also finds photos moved, with their labels)",
              file=sys.stderr)
    elif args.yes:
        copy = f"; the index as it was is copied at {missing.backup}" if missing.backup else ""
        print(f"forget: {missing.line()} forgotten{skipped}{copy}", file=sys.stderr)
    else:
        unwritten = (" (their labels live only in the index unless `write` put them into the files)"
                     if missing.yours else "")
        print(f"forget: would forget {missing.line()}{unwritten}{skipped}; add --yes to do it", file=sys.stderr)
    return 0
