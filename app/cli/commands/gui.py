"""`landmark-tagger gui [FOLDER]`: open the desktop app on the index."""

from __future__ import annotations

import sys
from pathlib import Path

from app.core.errors import UsageError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "gui",
        help="open the desktop app (browse, search, tag, review, write)",
        description="Open the desktop app on the index; FOLDER is added to the library and read.",
    )
    parser.add_argument("folder", nargs="?", metavar="FOLDER", help="a folder of photos to add to the library")
    parser.set_defaults(handler=run, takes_paths=True)  # a word after its paths: said as a path


def no_display_message(folder: str | None, db: str | None = None) -> str:
    """What to type instead of the app: the same folder, and the index given with --db
    (the commands would otherwise use the default one)."""
    from app.cli.common import command_as_typed, command_with_index
    from app.core.wording import shell_quote

    target = shell_quote(folder) if folder else "FOLDER"
    command = command_as_typed()
    return (f"no display found; use the CLI instead: {command_with_index(db)} tag {target} (reads the folder and tags "
            f"its photos; `{command} --help` lists the other commands)")


def run(args) -> int:
    from app.gui.app import display_available

    folder = Path(args.folder).expanduser() if args.folder else None
    if folder is not None and not folder.is_dir():
        raise UsageError(f"{folder} is not a folder; pass a folder of photos or leave it out")
    if not display_available():
        print(no_display_message(args.folder, args.db), file=sys.stderr)
        return 2
    from app.core.config import default_db_path
    from app.gui.app import run_gui

    db_path = Path(args.db).expanduser() if args.db else default_db_path()
    return run_gui(db_path, folder)
