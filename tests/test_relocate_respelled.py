"""A library folder respelled by a sync tool (NFD `Séville` → NFC `Séville`, which look
alike) or renamed in case only, on a disk that tells the spellings apart: scan names the
folder it finds and a relocate command that works as printed, or pasted in NFC."""

from __future__ import annotations

import os
import re
import shlex
import unicodedata
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from tests.test_index_support import write_jpeg

NFD, NFC = unicodedata.normalize("NFD", "Séville"), unicodedata.normalize("NFC", "Séville")


def _respelled_library(tmp_path: Path, old: str, new: str) -> tuple[Path, Path]:
    """A library folder `old` with a labelled photo, renamed `new` since; skips where the
    disk takes both spellings for one name (macOS, or a case-insensitive disk)."""
    db, folder = tmp_path / "index.db", tmp_path / old
    write_jpeg(folder / "A.jpg", color=(200, 30, 30))
    if os.path.lexists(tmp_path / new):
        pytest.skip("this disk takes the two spellings for one name (nothing to relocate there)")
    assert main(["--db", str(db), "scan", str(folder)]) == 0
    assert main(["--db", str(db), "label", str(folder / "A.jpg"), "Alcázar"]) == 0
    folder.rename(tmp_path / new)
    return db, tmp_path / new


def _scan_says(db: Path, capsys) -> tuple[str, str]:
    capsys.readouterr()
    assert main(["--db", str(db), "scan"]) == 1
    err = capsys.readouterr().err
    command = re.search(r"`(landmark-tagger --db \S+ relocate [^`]*)`", err)
    assert command, err
    return err, command.group(1)


def _relocated(db: Path, command: str, new: Path, capsys) -> str:
    assert main(shlex.split(command)[1:]) == 0  # as printed, the index given with it
    out = capsys.readouterr().err
    with PhotoIndex.open(db) as index:
        assert index.roots() == [new]
        assert [(p.label, p.path) for p in index.search("")] == [("Alcázar", str(new / "A.jpg"))]
    return out


def test_a_folder_respelled_from_nfd_to_nfc_is_named_with_a_command_that_works(tmp_path: Path, capsys) -> None:
    db, new = _respelled_library(tmp_path, NFD, NFC)
    err, command = _scan_says(db, capsys)
    old = str(tmp_path / NFD)
    assert f"{old}: folder not found; {tmp_path} holds a folder of that name spelled in another Unicode form " \
           "(NFD → NFC" in err
    assert command == f"landmark-tagger --db {db} relocate {shlex.quote(old)} {shlex.quote(str(new))}"
    said = _relocated(db, command, new, capsys)
    assert f"relocate: {old} is now {new} (NFD → NFC): 1 photo kept its labels" in said


def test_the_command_pasted_in_nfc_relocates_the_folder_too(tmp_path: Path, capsys) -> None:
    """A terminal or clipboard may normalise what it copies: both names then read NFC."""
    db, new = _respelled_library(tmp_path, NFD, NFC)
    _err, command = _scan_says(db, capsys)
    _relocated(db, unicodedata.normalize("NFC", command), new, capsys)


def test_a_folder_renamed_in_case_only_on_a_case_sensitive_disk(tmp_path: Path, capsys) -> None:
    db, new = _respelled_library(tmp_path, "Trip", "trip")
    err, command = _scan_says(db, capsys)
    assert "holds a folder of that name spelled in another case." in err
    assert f"is now {new} (case):" in _relocated(db, command, new, capsys)


def test_a_missing_folder_without_a_twin_keeps_the_plain_hint(tmp_path: Path, capsys) -> None:
    db, _new = _respelled_library(tmp_path, "Trip", "Trip 2019")
    capsys.readouterr()
    assert main(["--db", str(db), "scan"]) == 1
    err = capsys.readouterr().err
    assert "folder not found; check the path (is the drive mounted?)" in err
    assert f"`landmark-tagger --db {db} relocate OLD NEW`" in err
