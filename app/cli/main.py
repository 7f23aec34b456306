"""Entry point of `landmark-tagger`: builds the parser from the command modules,
runs one command, and turns app errors into one line on stderr.

Exit codes: 0 success, 1 partial (some files failed), 2 usage or fatal error.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sqlite3
import sys
from typing import Sequence

# Subcommand modules under app.cli.commands, in the order `--help` lists them.
COMMAND_MODULES = (
    "scan",
    "forget",
    "relocate",
    "search",
    "stats",
    "tag",
    "models",
    "review",
    "write",
    "undo",
    "teach",
    "rename",
    "suggest",
    "gui",
)

# Commands that change what only the index holds (labels, reviews, taught places, the
# write journal): before them, a weekly copy of the index is taken (app.core.index.backup).
BACKED_UP_COMMANDS = {"forget", "relocate", "tag", "accept", "reject", "label", "write", "undo", "teach", "rename", "suggest"}

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a tool killed by it


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="landmark-tagger",
        description="Find, recognise and tag landmarks in your travel photos.",
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="index file to use (default: $LANDMARK_TAGGER_DB or the user data folder)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"app.cli.commands.{name}")
        module.register(subparsers)
    return parser


def _silence_stdout() -> None:
    """Point stdout at the null device, so flushing it at exit raises nothing more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout replaced (tests) or closed
        pass


def _backup_index_if_due(db: str | None) -> None:
    """The weekly copy of the index, taken before a command that changes it (the app
    takes it at start); one that cannot be made is tried again next time."""
    from app.core.config import default_db_path
    from app.core.index.backup import backup_quietly

    backup_quietly(db or default_db_path())


def _is_negated_word(word: str) -> bool:
    """`search -colosseum`: argparse takes '-colosseum' for an option it does not know;
    in a command that takes a query it is the query's NOT."""
    return len(word) > 1 and word.startswith("-") and not word.startswith("--")


def _with_words(query: str | list[str], words: list[str]) -> str | list[str]:
    if isinstance(query, list):
        return [*query, *words]
    return " ".join([query, *words]).strip()


def main(argv: Sequence[str] | None = None) -> int:
    from app.core.errors import TaggerError, UsageError

    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    from app.core.path_query import path_term, query_with_paths

    if getattr(args, "query", None):
        args.query = query_with_paths(args.query)
    if extras:
        # `search -colosseum` (argparse takes it for an option) or `accept Rome/*.JPG` (a shell glob)
        words = [path_term(word) or word for word in extras]
        if not (getattr(args, "takes_query", False)
                and all(_is_negated_word(word) or word != given for word, given in zip(words, extras))):
            parser.error(f"unrecognized arguments: {' '.join(extras)}")
        args.query = _with_words(args.query, words)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if args.command in BACKED_UP_COMMANDS:
        _backup_index_if_due(args.db)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("landmark-tagger: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `… | head` closed the pipe: stop quietly, as Unix tools do
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except UsageError as error:
        print(f"landmark-tagger: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except sqlite3.DatabaseError as error:  # the index file went bad (or busy) under a command
        from app.core.config import default_db_path
        from app.core.index.connection import index_problem_message

        print(f"landmark-tagger: error: {index_problem_message(args.db or default_db_path(), error)}", file=sys.stderr)
        return EXIT_USAGE
    except TaggerError as error:
        print(f"landmark-tagger: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # errors of the model layer share their own base
        from model.errors import ModelError

        if isinstance(error, ModelError):
            print(f"landmark-tagger: error: {error}", file=sys.stderr)
            return EXIT_USAGE
        raise


if __name__ == "__main__":
    raise SystemExit(main())
