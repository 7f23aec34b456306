"""An index on a drive that is not connected (--db or $LANDMARK_TAGGER_DB under an empty
mount point): its folder is not made, nor a new empty index in it, which would lie hidden
under the drive once it is mounted; the command says to check the drive. A new index made
where its folder is there is said once. Only the app's own data folder is made."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import IndexStoreError
from app.core.index import PhotoIndex
from tests.test_index_disk_trouble import run_cli
from tests.test_index_support import write_jpeg


@pytest.fixture
def unplugged(tmp_path: Path) -> tuple[Path, Path]:
    """(index path under an empty mount point, a folder of one photo)."""
    mount_point = tmp_path / "ext"
    mount_point.mkdir()
    write_jpeg(tmp_path / "photos" / "a.jpg")
    return mount_point / "Photos" / "landmarks.sqlite", tmp_path / "photos"


@pytest.mark.parametrize("by_env", [False, True])
def test_scan_refuses_an_index_whose_folder_is_missing_and_makes_nothing(
        unplugged, capsys, monkeypatch, by_env) -> None:
    db, photos = unplugged
    if by_env:
        monkeypatch.setenv("LANDMARK_TAGGER_DB", str(db))
    code, _, err = run_cli(capsys, *([] if by_env else ["--db", str(db)]), "scan", str(photos))
    assert code == 2
    assert err == (f"landmark-tagger: error: the index folder {db.parent} does not exist (is its drive "
                   "connected?); to start a new index there, create the folder first\n")
    assert list(db.parent.parent.iterdir()) == []


def test_stats_on_an_index_whose_folder_is_missing_suggests_the_drive(unplugged, capsys) -> None:
    db, _ = unplugged
    code, out, err = run_cli(capsys, "--db", str(db), "stats")
    assert code == 2 and out == ""
    assert err == (f"landmark-tagger: error: no index at {db}: its folder {db.parent} does not exist "
                   "(is its drive connected?)\n")


def test_the_apps_open_refuses_it_too(unplugged) -> None:
    db, _ = unplugged
    with pytest.raises(IndexStoreError, match="is its drive connected"):
        PhotoIndex.open(db)
    assert not db.parent.exists()


def test_a_new_index_is_said_once_when_its_folder_is_there(unplugged, capsys) -> None:
    db, photos = unplugged
    db.parent.mkdir()
    code, _, err = run_cli(capsys, "--db", str(db), "scan", str(photos))
    assert code == 0 and err.splitlines()[0] == f"landmark-tagger: created a new index at {db}"
    code, _, err = run_cli(capsys, "--db", str(db), "scan", str(photos))
    assert code == 0 and "created a new index" not in err

