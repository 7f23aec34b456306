"""The commands our messages advise survive the shell a user of that system pastes them
into: a POSIX shell on macOS and Linux, PowerShell on Windows (review10 F2: cmd-style
`"path:\\"…\\""` split at a folder named "Rome & Petra"). Each is parsed back, by shlex or
by PowerShell's single-quote rule (PowerShell is not installed here), into the exact
arguments."""

from __future__ import annotations

import shlex
from pathlib import PurePosixPath, PureWindowsPath

import pytest

from app.core import wording
from app.core.metadata.plan_jpeg_hold import this_photo_into_its_jpeg
from app.gui.app_words import in_app_words

_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"  # PowerShell's tokenizer takes each as a single quote
# Outside quotes PowerShell gives these a meaning of their own (or expands them)
_POWERSHELL_SPECIAL = set("$`&;|(){}@#<>,\"\u201c\u201d\u201e") | set(_SINGLE_QUOTES)


def powershell_words(command: str) -> list[str]:
    """`command` split as PowerShell passes it to a program: words apart at blanks, each
    bare or one single-quoted string ('' inside for '); a bare word with a character
    PowerShell would act on is refused, as a word it would not pass as typed."""
    words, at = [], 0
    while at < len(command):
        if command[at] == " ":
            at += 1
        elif command[at] in _SINGLE_QUOTES:
            word, at = [], at + 1
            while True:
                if at == len(command):
                    raise ValueError(f"unterminated quote in {command!r}")
                if command[at] in _SINGLE_QUOTES:
                    if at + 1 < len(command) and command[at + 1] in _SINGLE_QUOTES:
                        word.append(command[at + 1])
                        at += 2
                        continue
                    at += 1
                    break
                word.append(command[at])
                at += 1
            if at < len(command) and command[at] != " ":
                raise ValueError(f"a quoted word runs on in {command!r}")
            words.append("".join(word))
        else:
            end = command.find(" ", at)
            word = command[at:] if end < 0 else command[at:end]
            if _POWERSHELL_SPECIAL.intersection(word) or (word.startswith("-") and "." in word):
                raise ValueError(f"PowerShell would not pass {word!r} as typed")
            words.append(word)
            at += len(word)
    return words


FOLDER_NAMES = ["My Photos", "Rome & Petra", "Chloé's trip", 'the "best" ones', "a`b", "$money",
                "Sun; Moon", "it\u2019s", "-x.y", "100%", "(2024) {old}", "über", "plain"]


@pytest.mark.parametrize("name", FOLDER_NAMES)
def test_a_quoted_word_is_read_back_whole_by_powershell(monkeypatch, name):
    monkeypatch.setattr(wording, "ON_WINDOWS", True)
    path = f"C:\\Users\\Chloé\\{name}\\DSC_0001.JPG"
    assert powershell_words(f"landmark-tagger scan {wording.shell_quote(path)}") == ["landmark-tagger", "scan", path]
    assert powershell_words(wording.shell_quote(name)) == [name]


@pytest.mark.parametrize("name", FOLDER_NAMES)
def test_a_quoted_word_is_read_back_whole_by_a_posix_shell(monkeypatch, name):
    monkeypatch.setattr(wording, "ON_WINDOWS", False)
    path = f"/Users/chloé/{name}/DSC_0001.JPG"
    assert shlex.split(f"landmark-tagger scan {wording.shell_quote(path)}") == ["landmark-tagger", "scan", path]


def test_the_one_jpeg_command_keeps_its_query_in_powershell_and_says_so(monkeypatch):
    monkeypatch.setattr(wording, "ON_WINDOWS", True)
    for name in FOLDER_NAMES:
        photo = PureWindowsPath(f"C:\\Users\\Chloé\\{name}\\DSC_0001.JPG")
        command = this_photo_into_its_jpeg(photo)
        # the file alone, which the CLI makes its path term: a " inside is lost in PowerShell 5.1
        assert powershell_words(command.strip("`")) == ["landmark-tagger", "write", "--jpeg", str(photo)]
    assert this_photo_into_its_jpeg(PureWindowsPath("C:\\Rome & Petra\\D.JPG")) == \
        "`landmark-tagger write --jpeg 'C:\\Rome & Petra\\D.JPG'`"
    note = _hold_note(PureWindowsPath("C:\\Rome & Petra\\D.JPG"))
    assert "(Settings or --no-jpeg): in PowerShell, `landmark-tagger write --jpeg '" in note
    assert "writes): in PowerShell, `landmark-tagger write --jpeg 'C:" in in_app_words(note)


def test_the_app_words_the_one_jpeg_command_of_a_path_with_a_backtick(monkeypatch):
    """A backtick in a path ended the `…` the app looked for, and the app showed the
    command line's "(Settings or --no-jpeg)" instead of its own words."""
    monkeypatch.setattr(wording, "ON_WINDOWS", False)
    photo = PurePosixPath("/photos/a`b/DSC_0001.JPG")
    command = this_photo_into_its_jpeg(photo)
    shown = in_app_words(_hold_note(photo))
    assert "Settings or --no-jpeg" not in shown
    assert f"writes): in a terminal, {command} updates this photo alone" in shown
    assert shlex.split(command.strip("`"))[-1] == f'path:"{photo}"'


def _hold_note(photo) -> str:
    """The hold note of plan_jpeg_hold as a write plan says it (its index-free end)."""
    return (f"{photo.name} holds “Colosseum”, written into it earlier, and JPEGs are left untouched (Settings or "
            f"--no-jpeg): {wording.in_which_shell()}{this_photo_into_its_jpeg(photo)} updates this photo alone")
