"""`landmark-tagger scan PATH…`: add folders to the index or bring it up to date."""

from __future__ import annotations

from pathlib import Path

from app.cli.common import (
    add_folders_given, add_json_flag, command_with_index, exit_code_with_missing, not_found, open_index,
    paths_there, print_json_line, print_summary, progress_bar, stop_on_ctrl_c, write_above_bar,
)

EXIT_OK, EXIT_PARTIAL, EXIT_FAILED = 0, 1, 2
STOPPING = "stopping after the files being read… (Ctrl-C again to abort)"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "scan",
        help="index the photos in folders (rescans only look at changed files)",
        description="Walk the folders recursively and index JPEG, RAW, PNG, TIFF and HEIC photos. "
        "A JPEG and a RAW file with the same name form one photo; two images with one name (IMG_1.jpg, "
        "IMG_1.png) are two photos, the RAW pairing with the JPEG. A folder inside a library folder is read "
        "as part of it. Unchanged files are only stat'ed, "
        "moved files keep their labels, deleted ones are marked missing. A folder given that is not there is "
        "named and left out (exit 1); when none is there, nothing is done (exit 2).",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="folders to scan (default: the library's folders)")
    parser.add_argument("--errors", type=int, default=10, metavar="N",
                        help="show at most N file errors (default 10; --json lists every one)")
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args) -> int:
    from app.cli.index_full import said_when_the_index_fills
    from app.core.config import default_db_path
    from app.core.errors import UsageError
    from app.core.index.records import one_line_text
    from app.core.path_case import canonical_path
    from app.core.progress import CancelToken
    from app.core.scan_links import through_walked_link
    from app.core.scanner import scan
    from app.core.wording import shell_quote

    for given in args.paths:  # a file is no folder to add: say what to type (tag takes photos)
        if Path(given).expanduser().is_file():
            folder = shell_quote(str(canonical_path(Path(given).expanduser().parent)))
            raise UsageError(f"{one_line_text(given)} is a file; scan takes folders: `landmark-tagger scan {folder}` "
                             f"(or `landmark-tagger tag {shell_quote(_not_an_option(given))}` to tag that photo)")
    paths = paths_there(args.paths, "folder", db=args.db)  # none there: one line, and no index made
    with open_index(args) as index:
        # a linked folder's real path (`scan X/Drive`, library/d -> X/Drive) is scanned under the link
        under_links = {given: held for given in paths if (held := through_walked_link(index, given)) is not None}
        add_folders_given(index, paths)
        roots = [Path(p) for p in paths] or index.roots()
        if not roots:
            raise UsageError("no folder to scan: give one, e.g. `landmark-tagger scan ~/Pictures`")
        cancel = CancelToken()  # Ctrl-C: the scan stops between files, recorded as cancelled, counts as stored
        newest_before = _newest_photo(index)
        again = " ".join([f"{command_with_index(args.db)} scan", *map(shell_quote, args.paths)])
        with (said_when_the_index_fills("scan", args.db or default_db_path(), again=again,
                                        done=lambda: _new_photos_stored(index, newest_before)),
              progress_bar("scanning") as progress, stop_on_ctrl_c(cancel, STOPPING, write_above_bar) as stop):
            summary = scan(index, roots, progress=progress, cancel=cancel)
        # the cap is for people reading a terminal: a script counting the failed files gets them all
        shown = summary.errors if args.json else max(0, args.errors)
        errors = index.errors(run_id=summary.run_id, limit=shown)
        for given, held in under_links.items():
            print_summary(f"{given} is in the library as {held}; scanned it there")
        if args.json:
            print_json_line({"summary": summary.to_json()})
            for error in errors:
                print_json_line({"error": error.message, "path": error.path})
            for given in args.paths:  # not there: named on stderr already; a script reads it here, as tag's
                if given not in paths:
                    print_json_line({"error": not_found(given, "folder"),
                                     "path": str(Path(given).expanduser().absolute())})
        else:
            for error in reversed(errors):
                print_summary(f"error: {error.message}")
            if summary.errors > len(errors):
                print_summary(f"… and {summary.errors - len(errors)} more errors (see `landmark-tagger stats --errors`)")
        print_summary(f"scanned: {summary.line()}")
    if summary.status == "cancelled":
        print_summary(f"stopped before the end: run `{command_with_index(args.db)} scan` again to complete it")
        return stop.exit_code  # 130 for Ctrl-C, 143 for SIGTERM
    if summary.errors == 0 and summary.unchanged_problems == 0:  # (unchanged bad files: still failed)
        return exit_code_with_missing(EXIT_OK, args.paths, paths)
    # nothing could be scanned at all (every library folder missing) is a failure, not a partial success
    return EXIT_FAILED if summary.photos == 0 and summary.new == 0 and not any(Path(r).is_dir() for r in roots) else EXIT_PARTIAL


def _newest_photo(index) -> int:
    return int(index.conn.execute("SELECT coalesce(max(id), 0) FROM photos").fetchone()[0])


def _new_photos_stored(index, newest_before: int) -> str | None:
    """What a scan stopped by a full index kept: its new photos (ids after the newest
    before it), None when it stored none."""
    from app.core.wording import counted

    stored = int(index.conn.execute("SELECT count(*) FROM photos WHERE id > ?", (newest_before,)).fetchone()[0])
    return f"{counted(stored, 'new photo')} stored" if stored else None


def _not_an_option(path: str) -> str:
    """`path` as a word that argparse takes for a path: `-x.jpg` would be an unknown
    option to `tag`, `./-x.jpg` is the file."""
    import os

    return os.path.join(os.curdir, path) if path.startswith("-") else path
