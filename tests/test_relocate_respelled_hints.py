"""Every place that reports a library folder not found names the folder a sync tool
respelled it to (NFD `Séville` → NFC `Séville`, or a name changed in case only), with a
relocate command that works as printed, as scan does (test_relocate_respelled): tag's
note, stats' folder list, a photo that cannot be read or taught, and the app's greyed
folder (its tooltip, and Locate folder… opening in that folder)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from types import SimpleNamespace

from app.cli.main import main
from app.core.decode import file_not_found
from app.core.teaching_embedder import missing_photo
from app.core.wording import RELOCATE_HINT
from tests.test_relocate_respelled import NFC, NFD, _relocated, _respelled_library

UNICODE_FORM = "holds a folder of that name spelled in another Unicode form (NFD → NFC"


def _command(text: str) -> str:
    command = re.search(r"`(landmark-tagger --db \S+ relocate [^`]*)`", text)
    assert command, text
    return command.group(1)


def test_tag_names_the_respelled_folder_with_a_command_that_works(tmp_path: Path, capsys) -> None:
    db, new = _respelled_library(tmp_path, NFD, NFC)
    old = str(tmp_path / NFD)
    capsys.readouterr()
    assert main(["--db", str(db), "tag"]) == 2  # none of the library's folders is there
    err = capsys.readouterr().err
    assert f"skipped {old}: folder not found; {tmp_path} {UNICODE_FORM}" in err
    command = _command(err)
    assert command == f"landmark-tagger --db {db} relocate {shlex.quote(old)} {shlex.quote(str(new))}"
    _relocated(db, command, new, capsys)


def test_stats_names_the_folder_renamed_in_case_with_the_command(tmp_path: Path, capsys) -> None:
    db, new = _respelled_library(tmp_path, "Trip", "trip")
    old = str(tmp_path / "Trip")
    capsys.readouterr()
    assert main(["--db", str(db), "stats"]) == 0
    out = capsys.readouterr().out
    assert f"{old}  (not found; {tmp_path} holds a folder of that name spelled in another case. " in out
    assert _command(out) == f"landmark-tagger --db {db} relocate {shlex.quote(old)} {shlex.quote(str(new))}"


def test_a_photo_of_the_respelled_folder_names_it_when_it_cannot_be_read_or_taught(tmp_path: Path) -> None:
    _db, new = _respelled_library(tmp_path, NFD, NFC)
    old = tmp_path / NFD
    command = f"`landmark-tagger relocate {shlex.quote(str(old))} {shlex.quote(str(new))}`"
    for message in (file_not_found(old / "A.jpg"), missing_photo(str(old / "A.jpg"), "cannot learn from it")):
        assert f" {old} is not there; {tmp_path} {UNICODE_FORM}" in message
        assert command in message and "relocate OLD NEW" not in message


def test_a_folder_gone_without_a_twin_keeps_the_plain_hint(tmp_path: Path, capsys) -> None:
    from app.core.relocate import relocate_hint

    db, _new = _respelled_library(tmp_path, "Trip", "Trip 2019")
    assert relocate_hint(tmp_path / "Trip" / "A.jpg") == RELOCATE_HINT
    assert relocate_hint(tmp_path / "Trip 2019" / "A.jpg") == RELOCATE_HINT  # there: nothing to relocate
    capsys.readouterr()
    assert main(["--db", str(db), "stats"]) == 0
    assert f"(not found: drive not connected? `landmark-tagger --db {db} relocate` if it moved)" in capsys.readouterr().out


def test_the_app_says_it_in_its_words(tmp_path: Path) -> None:
    from app.gui.app_words import in_app_words

    _db, _new = _respelled_library(tmp_path, NFD, NFC)
    shown = in_app_words(file_not_found(tmp_path / NFD / "A.jpg"))
    assert UNICODE_FORM in shown and "landmark-tagger" not in shown
    assert shown.endswith("If it is this one, Locate folder… in its menu follows it.")


def test_the_greyed_folder_names_its_twin_and_locate_opens_there(tmp_path: Path, qtbot, monkeypatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    from app.core.library import FolderNode
    from app.gui.library_actions import LibraryActions
    from app.gui.library_tree import LibraryTree

    _db, new = _respelled_library(tmp_path, NFD, NFC)
    old = str(tmp_path / NFD)
    tree = LibraryTree()
    qtbot.addWidget(tree)
    tree.show_folders(1, [FolderNode(old, NFD, 1, present=False)])
    qtbot.waitUntil(lambda: "Locate folder…" in tree.topLevelItem(1).toolTip(0))  # looked up off the GUI thread
    tip = tree.topLevelItem(1).toolTip(0)
    assert tip.startswith(f"{old}\nNot found: {tmp_path} {UNICODE_FORM}") and "Locate folder…" in tip

    opened = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: opened.append(args[2]) or "")
    window = SimpleNamespace(index_read_only=False)  # the window's part locate_folder reads before the picker
    assert not LibraryActions.locate_folder(window, old)  # cancelled
    assert opened == [str(new)]
