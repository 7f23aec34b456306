"""A folder the scan cannot list (its permissions changed, a network share hiccuped)
hides the folders below it too: their photos were not looked at, so they must not be
marked missing, nor be one `forget --missing --yes` away from losing their labels."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import app.core.scanner as scanner_module
from app.cli.main import main
from app.core.index import PhotoIndex
from tests.test_index_support import write_jpeg


def _labelled_library(tmp_path: Path, capsys) -> tuple[Path, Path]:
    """Photos/2019/top.jpg and Photos/2019/Rome/{a,b}.jpg, the Rome ones labelled, scanned into index.db."""
    library, db = tmp_path / "Photos", tmp_path / "index.db"
    write_jpeg(library / "2019" / "top.jpg", color=(1, 2, 3))
    write_jpeg(library / "2019" / "Rome" / "a.jpg", color=(200, 10, 10))
    write_jpeg(library / "2019" / "Rome" / "b.jpg", color=(10, 200, 10))
    assert main(["--db", str(db), "scan", str(library)]) == 0
    assert main(["--db", str(db), "label", str(library / "2019" / "Rome"), "Colosseum"]) == 0
    capsys.readouterr()
    return library, db


def _assert_rescan_keeps_rome(library: Path, db: Path, capsys) -> None:
    """Rescan while Photos/2019 cannot be listed: the scan names it, nothing goes missing,
    and `forget --missing` would take nothing."""
    main(["--db", str(db), "scan", str(library)])
    said = capsys.readouterr().err
    assert "cannot list the folder" in said and str(library / "2019") in said, said
    with PhotoIndex.open(db) as index:
        assert index.count("is:missing") == 0
        assert index.count("label:Colosseum") == 2
    assert main(["--db", str(db), "forget", "--missing"]) == 0
    assert "no missing photo to forget" in capsys.readouterr().err


def test_the_photos_below_a_folder_the_scan_cannot_list_are_not_missing(tmp_path: Path, capsys, monkeypatch) -> None:
    """Injected PermissionError, so that it runs as root too (CI often does)."""
    library, db = _labelled_library(tmp_path, capsys)
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) == library / "2019":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(scanner_module.os, "scandir", scandir)
    _assert_rescan_keeps_rome(library, db, capsys)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="chmod 000 does not stop root (or Windows)")
def test_a_folder_made_unlistable_with_chmod_keeps_the_labels_below_it(tmp_path: Path, capsys) -> None:
    library, db = _labelled_library(tmp_path, capsys)
    locked = library / "2019"
    os.chmod(locked, 0)
    try:
        _assert_rescan_keeps_rome(library, db, capsys)
    finally:
        os.chmod(locked, 0o755)
