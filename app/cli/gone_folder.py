"""A command started in a folder that no longer exists (deleted or unmounted while the
terminal sat in it): Python's os.getcwd() fails. A relative path (`scan .`) cannot be
found any more, and `tag`'s decode workers could not start (multiprocessing's spawn
asks for the current folder), both as a traceback. Now a relative path is refused in one
line, and a job given absolute paths runs from a folder that exists."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from app.core.errors import UsageError

GONE_MESSAGE = "the current folder no longer exists (deleted or unmounted); cd to another folder"

# The arguments that name files or folders, whatever the command.
_PATH_ARGUMENTS = ("paths", "folder", "old", "new", "copy", "db")
# The arguments that may be a word (a search, a model's name: `--model default`), a path
# only when written as one.
_WORDS_OR_PATHS = ("query", "model")
# Commands whose `old` is a name, not a folder (`rename OLD NEW`).
_OLD_IS_A_NAME = {"rename"}
# The query's field terms holding a path (the longer spelling first).
_PATH_FIELDS = ("path:=", "folder:=", "path:", "folder:")


def current_folder_gone() -> bool:
    """Whether the current folder was removed (or its disk unmounted) under this process."""
    try:
        os.getcwd()
    except FileNotFoundError:
        return True
    except OSError:  # another reason (permissions of a parent): the folder is there
        return False
    return False


def leave_a_gone_current_folder(args: argparse.Namespace, db_path: Path) -> None:
    """When the current folder is gone: UsageError if a path typed is relative (it named
    something in that folder), else move to a folder that exists, the index's (`db_path`)
    or the file system's root, so that worker processes can start."""
    if not current_folder_gone():
        return
    if any(not Path(os.path.expanduser(_the_path(given))).is_absolute() for given in _paths_typed(args)) \
            or not db_path.expanduser().is_absolute():
        raise UsageError(GONE_MESSAGE)
    for folder in (db_path.expanduser().parent, Path(Path.home().anchor or os.sep)):
        try:
            os.chdir(folder)
            return
        except OSError:
            continue


def _paths_typed(args: argparse.Namespace) -> list[str]:
    """The paths given on the command line, and the query words written as a path
    (`write ./Petra`, `search lib/Rome`): a word without a separator is a word. The query
    is judged as typed: a photo's path typed has become a `path:="…"` term by now."""
    found: list[str] = []
    for name in _PATH_ARGUMENTS:
        if name == "old" and getattr(args, "command", None) in _OLD_IS_A_NAME:
            continue
        found.extend(_strings(getattr(args, name, None)))
    separators = {os.sep, os.altsep or os.sep}
    for name in _WORDS_OR_PATHS:
        typed = getattr(args, "query_as_typed", None) if name == "query" else None
        found.extend(word for word in _strings(typed or getattr(args, name, None))
                     if word in (".", "..") or any(sep in word for sep in separators))
    return found


def _the_path(word: str) -> str:
    """The path a word names: `path:="/a/b.jpg"`, `folder:/a` and `-/a/b.jpg` (a NOT term)
    name /a/b.jpg and /a, absolute, not relative words."""
    word = word[1:] if word.startswith("-") and not word.startswith("--") else word
    for field in _PATH_FIELDS:
        if word.lower().startswith(field):
            return word[len(field):].strip('"')
    return word


def _strings(value) -> list[str]:
    """The texts an argument holds; a flag (`teach --new`: args.new is False) holds none."""
    items = value if isinstance(value, (list, tuple)) else [value]
    return [str(item) for item in items if isinstance(item, (str, os.PathLike)) and str(item)]
