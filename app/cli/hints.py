"""How the command line's messages quote a command to run next: `landmark-tagger --db
X scan FOLDER`, the program as the user can type it (common.command_as_typed) and the
index this run used. A hint followed without the --db given would act on, or create,
the default index instead.

Every quoted command is built by one helper, command_with_index. The CLI's own
messages call it; messages made elsewhere (the core, and the problems stored in the
index, which cannot know the --db of a later run that shows them) quote
`landmark-tagger …`, and the run's output gives them the same form on the way out
(hints_keep_the_index), so a hint written anywhere cannot leave the index out."""

from __future__ import annotations

import re
import sys
from contextlib import contextmanager
from typing import Iterator, TextIO

from app.cli.common import command_with_index

PROGRAM = "landmark-tagger"  # how the core and stored problems quote a command
# Commands that never read the index: their hint needs no --db.
WITHOUT_INDEX = frozenset({"models"})
# A quoted command as written outside the CLI: the program, then its next word.
_QUOTED = re.compile(r"`landmark-tagger ([^\s`]+)")


def keep_the_index(text: str, db: str | None) -> str:
    """`text` with every quoted `landmark-tagger …` command run as this run was: the
    program as typed and the --db given. One that names an index already is left as
    it is, so a message the CLI built itself passes unchanged."""
    if "`" + PROGRAM not in text:
        return text
    with_index = command_with_index(db)
    without_index = command_with_index(None)

    def respelled(match: re.Match) -> str:
        word = match.group(1)
        program = without_index if word.startswith("--db") or word in WITHOUT_INDEX else with_index
        return f"`{program} {word}"

    return _QUOTED.sub(respelled, text)


class HintsKeepTheIndex:
    """A text stream (stderr, or stdout for human output) whose writes pass through
    keep_the_index; everything else is the wrapped stream's."""

    def __init__(self, stream: TextIO, db: str | None) -> None:
        self._stream = stream
        self._db = db

    def write(self, text: str) -> int:
        self._stream.write(keep_the_index(text, self._db))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str):  # flush, isatty, fileno, encoding…
        return getattr(self._stream, name)


@contextmanager
def hints_keep_the_index(db: str | None, json_output: bool) -> Iterator[None]:
    """While a command runs, its messages on stderr, and its human output on stdout,
    quote commands as this run was typed. JSON lines on stdout are left as they are
    (a path written into them must not change)."""
    streams = ("stderr",) if json_output else ("stderr", "stdout")
    originals = {name: getattr(sys, name) for name in streams}
    for name, stream in originals.items():
        if stream is not None:
            setattr(sys, name, HintsKeepTheIndex(stream, db))
    try:
        yield
    finally:
        for name, stream in originals.items():
            setattr(sys, name, stream)
