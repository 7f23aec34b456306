"""`landmark-tagger restore-index COPY`: put a copy of the index back in its place."""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "restore-index",
        help="put a copy of the index (from INDEX.backups, `stats` names them) back in its place",
        description=(
            "Make the index hold what COPY holds: the copy taken before an upgrade (the file an older version "
            "can still open) or a weekly one. The index as it is now is kept beside the other copies first "
            "(…-before-restore.db). Refused while another program has the index open, where that can be checked: "
            "an index in the rollback journal (on a network share) shows no sign of a program that has it open "
            "and idle, so there it asks for --yes once every Landmark Tagger window on it is closed (one left "
            "open refuses its next change: restart it). Copying the file by hand is not enough: the index's "
            "-wal and -shm beside it would be read into the copy."
        ),
    )
    parser.add_argument("copy", metavar="COPY", help="the copy to put back (a .db file in the index's .backups folder)")
    parser.add_argument("--yes", action="store_true",
                        help="every Landmark Tagger window on the index is closed (needed where that cannot be "
                             "checked: an index on a network share)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.cli.common import command_with_index, print_summary, require_index
    from app.core.config import default_db_path
    from app.core.index.restore import restore_copy
    from app.core.index.schema import LATEST_VERSION

    require_index(args.db)
    restored = restore_copy(args.db or default_db_path(), args.copy, others_closed=args.yes)
    then = (f"this version upgrades it again at its next command (`{command_with_index(args.db)} stats`); "
            f"versions that know schema {restored.schema} open it as it is"
            if restored.schema < LATEST_VERSION else "this version opens it as it is")  # (never newer: refused)
    print_summary(f"restore-index: the index holds {restored.copy} now (schema {restored.schema}); {then}; "
                  f"the index as it was is kept at {restored.kept}")
    return 0
