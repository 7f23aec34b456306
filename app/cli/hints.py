"""How the command line's messages quote a command to run next: `landmark-tagger --db
X scan FOLDER`, the program as the user can type it (common.command_as_typed) and the
index this run used. A hint followed without the --db given would act on, or create,
the default index instead.

Every quoted command is built by one helper, command_with_index. The CLI's own
messages call it; messages made elsewhere (the core, and the problems stored in the
index, which cannot know the --db of a later run that shows them) quote
`landmark-tagger …`, and the run's output gives them the same form on the way out
(hints_keep_the_index), so a hint written anywhere cannot leave the index out: on
stderr, on stdout, and in the message fields of `--json` lines (an `error` quoting
`landmark-tagger relocate OLD NEW`), whose other fields, paths above all, stay as they
are. The app quotes the commands its messages keep the same way (app/gui/app_words.py)."""

from __future__ import annotations

import json
import re
import sys
from contextlib import contextmanager
from typing import Any, Callable, Iterator, TextIO

from app.cli.common import command_with_index

PROGRAM = "landmark-tagger"  # how the core and stored problems quote a command
# Commands that never read the index: their hint needs no --db.
WITHOUT_INDEX = frozenset({"models"})
# A quoted command as written outside the CLI: the program, then its next word.
_QUOTED = re.compile(r"`landmark-tagger ([^\s`]+)")
# The fields of a --json line that hold words to read; any other (a path, a label) is data.
MESSAGE_FIELDS = frozenset({"error", "message", "problem", "note"})


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


def keep_the_index_in_json(text: str, db: str | None) -> str:
    """`text`, a --json line, with the commands its MESSAGE_FIELDS quote respelled as
    keep_the_index does, and every other field as it was; text that is no JSON line
    (a part of one, a plain line) is left as it is."""
    if "`" + PROGRAM not in text:
        return text
    line = text.rstrip("\n")
    try:
        data = json.loads(line)
    except ValueError:
        return text
    # print_json_line's form (its strings printable already), so what is not respelled stays byte for byte
    return json.dumps(_messages_respelled(data, db), ensure_ascii=False) + text[len(line):]


def _messages_respelled(value: Any, db: str | None, field: str | None = None) -> Any:
    if isinstance(value, dict):
        return {key: _messages_respelled(item, db, key) for key, item in value.items()}
    if isinstance(value, list):
        return [_messages_respelled(item, db, field) for item in value]
    if isinstance(value, str) and field in MESSAGE_FIELDS:
        return keep_the_index(value, db)
    return value


class HintsKeepTheIndex:
    """A text stream (stderr, or stdout) whose writes pass through `respell`
    (keep_the_index, or keep_the_index_in_json for --json lines); everything else is
    the wrapped stream's."""

    def __init__(self, stream: TextIO, db: str | None,
                 respell: Callable[[str, str | None], str] = keep_the_index) -> None:
        self._stream = stream
        self._db = db
        self._respell = respell

    def write(self, text: str) -> int:
        self._stream.write(self._respell(text, self._db))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str):  # flush, isatty, fileno, encoding…
        return getattr(self._stream, name)


@contextmanager
def hints_keep_the_index(db: str | None, json_output: bool) -> Iterator[None]:
    """While a command runs, its messages on stderr, and its human output on stdout,
    quote commands as this run was typed; so do the message fields of its JSON lines
    on stdout, whose other fields (a path written into them) must not change."""
    respelling = {"stderr": keep_the_index, "stdout": keep_the_index_in_json if json_output else keep_the_index}
    originals = {name: getattr(sys, name) for name in respelling}
    for name, stream in originals.items():
        if stream is not None:
            setattr(sys, name, HintsKeepTheIndex(stream, db, respelling[name]))
    try:
        yield
    finally:
        for name, stream in originals.items():
            setattr(sys, name, stream)
