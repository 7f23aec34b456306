"""The commands our messages suggest on Windows reach the program as intended from Windows
PowerShell 5.1, the one Windows 10/11 ship (t_crossplat-1): 5.1 builds an .exe's command line
without escaping the " inside an argument, and wraps an argument in "…" only where it has
white space outside such quotes, so `'path:"D:\\Trips 2019\\x.JPG"'` reached the program as
`path:D:\\Trips 2019\\x.JPG`, split by the query at its space ("0 files written"). PowerShell
is not installed here: its single-quote rule, 5.1's command line and the C runtime's split
(CommandLineToArgvW) are modelled below; PowerShell 7.3+ hands each argument as it is."""

from __future__ import annotations

import re

from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest

from app.core import wording
from app.core.metadata.plan import PlannedWrite
from app.core.metadata.plan_jpeg_hold import this_photo_into_its_jpeg
from app.core.metadata.plan_stripped_hold import _held
from app.core.scanner import scan
from tests.test_advised_commands_quoted_for_the_shell import powershell_words
from tests.test_cli_core import run_cli
from tests.test_metadata_support import make_jpeg


def _needs_quotes_in_51(arg: str) -> bool:
    """5.1's rule: white space outside "…" (a " after a backslash is no quote) asks for quotes."""
    quotes, after_backslash = 0, False
    for char in arg:
        if char == '"' and not after_backslash:
            quotes += 1
        elif char.isspace() and quotes % 2 == 0:
            return True
        after_backslash = char == "\\"
    return False


def _c_runtime_argv(line: str) -> list[str]:
    """The program's argv from its command line (MSVCRT: 2n backslashes and " are n and a
    quote, 2n+1 and " are n and a plain "; "" inside quotes is one ")."""
    out, word, quoted, at, started = [], [], False, 0, False
    while at < len(line):
        char = line[at]
        if char == "\\":
            count = len(line[at:]) - len(line[at:].lstrip("\\"))
            at += count
            if line[at:at + 1] == '"':
                word.append("\\" * (count // 2) + ('"' if count % 2 else ""))
                at += count % 2
            else:
                word.append("\\" * count)
            started = True
        elif char == '"':
            if quoted and line[at + 1:at + 2] == '"':
                word.append('"')
                at += 2
                continue
            quoted, started, at = not quoted, True, at + 1
        elif char in " \t" and not quoted:
            if started:
                out.append("".join(word))
            word, started, at = [], False, at + 1
        else:
            word.append(char)
            started, at = True, at + 1
    if started:
        out.append("".join(word))
    return out


def argv_from_51(pasted: str) -> list[str]:
    """The program's arguments when `pasted` (a command we suggest) is run in PowerShell 5.1."""
    words = powershell_words(pasted)[1:]  # PowerShell's own reading: each as 7.3+ hands it
    return _c_runtime_argv(" ".join(f'"{word}"' if _needs_quotes_in_51(word) else word for word in words))


def test_the_model_of_51_loses_the_quotes_the_old_suggestion_held():
    """The model shows the finding: what 5.1 made of the old `'path:"…"'` form."""
    assert argv_from_51("""landmark-tagger write --jpeg 'path:"D:\\Trips 2019\\DSC_0001.JPG"'""") == \
        ["write", "--jpeg", "path:D:\\Trips 2019\\DSC_0001.JPG"]


WINDOWS_PHOTOS = ["C:\\Photos\\Rome & Petra\\DSC_0001.JPG", "D:\\Trips 2019\\DSC_0001.JPG",
                  "C:\\Chloé's trip\\a $x.JPG", "\\\\nas\\photos\\Rome\\DSC_0001.JPG"]


def _commands_in(note: str) -> list[str]:
    return re.findall(r"`(landmark-tagger [^`]+)`", note)


@pytest.mark.parametrize("photo", WINDOWS_PHOTOS)
def test_the_suggested_commands_reach_the_program_whole_from_51_and_7(monkeypatch, photo):
    monkeypatch.setattr(wording, "ON_WINDOWS", True)
    item = PlannedWrite(1, PureWindowsPath(photo), PureWindowsPath(photo), "jpeg", "Colosseum", None, None, None)
    note = _held(item, "stripped", "Colosseum").problem
    commands = [this_photo_into_its_jpeg(PureWindowsPath(photo)).strip("`"), *_commands_in(note)]
    assert len(commands) == 4, note
    for command in commands:
        assert argv_from_51(command) == powershell_words(command)[1:], command
        assert photo in powershell_words(command)  # the file named alone: the CLI makes it a path term


def test_a_label_holding_a_quote_is_left_to_the_app_on_windows_alone(monkeypatch):
    item = PlannedWrite(1, PureWindowsPath("D:\\Trips 2019\\DSC_0001.JPG"), PureWindowsPath("D:\\x.xmp"),
                        "sidecar", 'Café "Le Procope"', None, None, None)
    monkeypatch.setattr(wording, "ON_WINDOWS", True)
    note = _held(item, "stripped", "Colosseum").problem
    assert "(or L on it in the app: Windows PowerShell 5.1 drops the \" of its label)" in note, note
    for command in _commands_in(note):
        assert argv_from_51(command) == powershell_words(command)[1:], command
    monkeypatch.setattr(wording, "ON_WINDOWS", False)  # a POSIX shell keeps it: the command stays
    item = PlannedWrite(1, PurePosixPath("/p/Trips 2019/D.JPG"), PurePosixPath("/p/x.xmp"), "sidecar",
                        'Café "Le Procope"', None, None, None)
    note = _held(item, "stripped", "Colosseum").problem
    assert """`landmark-tagger label --release-held 'path:"/p/Trips 2019/D.JPG"' 'Café "Le Procope"'`""" in note


def test_the_pasted_command_finds_the_photo_in_a_folder_named_with_a_space_and_an_ampersand(
        monkeypatch, tmp_path, capsys):
    """End to end: the argv 5.1 hands over, given to the CLI, finds that photo and no other."""
    from app.core.index import PhotoIndex

    for folder in ("Rome & Petra", "Rome"):
        (tmp_path / folder).mkdir()
    photo = make_jpeg(tmp_path / "Rome & Petra" / "DSC_0001.JPG")
    make_jpeg(tmp_path / "Rome" / "DSC_0001.JPG", seed=1)
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        scan(index, [tmp_path])
    monkeypatch.setattr(wording, "ON_WINDOWS", True)
    argv = argv_from_51(this_photo_into_its_jpeg(photo).strip("`"))

    code, out, err = run_cli(capsys, "--db", str(db), "search", *argv[2:])

    assert code == 0 and [Path(line.split("\t")[0].split("  ")[-1]) for line in out.splitlines()] == [photo], out + err


def test_the_suggest_hint_names_a_query_holding_a_quote_as_query_on_windows_alone(monkeypatch):
    from app.core.teaching_suggest import SuggestReport, close_hint

    report = SuggestReport(threshold=0.6, close=1, best_close=0.52, taught=3, tagged=5, scored=5, matched=5,
                           close_scores=[0.52])
    monkeypatch.setattr(wording, "ON_WINDOWS", True)
    assert "`landmark-tagger suggest QUERY --dry-run --threshold 0.5" in close_hint(report, 'folder:"Trips 2019"')
    assert "`landmark-tagger suggest Rome --dry-run --threshold 0.5" in close_hint(report, "Rome")
    monkeypatch.setattr(wording, "ON_WINDOWS", False)
    assert """`landmark-tagger suggest 'folder:"Trips 2019"' --dry-run""" in close_hint(report, 'folder:"Trips 2019"')
