"""An index on a read-only disk whose -wal still holds the last changes (a program that
had it open was killed, then the disk came back read-only): SQLite's immutable=1 never
reads a -wal, so the labels in it looked lost. They are read from a copy of the index and
its -wal, which goes when the index is closed, and the command says the disk is read-only."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.errors import IndexStoreError
from app.core.index import PhotoIndex, read_only_files
from tests.test_index_disk_trouble import run_cli
from tests.test_index_support import write_jpeg
from tests.test_read_only_index import as_owner  # noqa: F401 (a fixture)


@pytest.fixture
def on_read_only_disk(tmp_path: Path, capsys, as_owner, monkeypatch) -> Path:  # noqa: F811
    """An index labelled Petra, the label still in its -wal, on a (simulated) read-only disk."""
    db = tmp_path / "index.db"
    write_jpeg(tmp_path / "photos" / "DSC_0001.JPG")
    assert run_cli(capsys, "--db", str(db), "scan", str(tmp_path / "photos"))[0] == 0
    holder = sqlite3.connect(db)  # (the app, open while the label is given: no checkpoint at the CLI's close)
    holder.execute("SELECT count(*) FROM sqlite_master").fetchone()
    assert run_cli(capsys, "--db", str(db), "label", "", "Petra")[0] == 0
    disk = tmp_path / "disk"  # the files as a kill of the holder left them
    disk.mkdir()
    for name in ("index.db", "index.db-wal"):
        shutil.copyfile(tmp_path / name, disk / name)
    holder.close()
    assert (disk / "index.db-wal").stat().st_size > 0
    for path in disk.iterdir():
        path.chmod(0o444)
    monkeypatch.setattr(read_only_files, "_on_read_only_disk", lambda path: True)
    return disk / "index.db"


def test_the_labels_still_in_the_wal_are_shown_and_the_disk_is_said_read_only(on_read_only_disk, capsys) -> None:
    db = on_read_only_disk
    before = {path.name: path.read_bytes() for path in db.parent.iterdir()}
    code, out, err = run_cli(capsys, "--db", str(db), "search", "Petra")
    assert code == 0 and "DSC_0001.JPG" in out
    assert f"read-only disk: showing the index as it is, nothing can be changed ({db})" in err
    code, _, err = run_cli(capsys, "--db", str(db), "label", "", "Colosseum")
    assert code == 2 and f"the index {db} is read-only, so it cannot be changed" in err
    assert {path.name: path.read_bytes() for path in db.parent.iterdir()} == before


def test_the_copy_goes_when_the_index_is_closed(on_read_only_disk) -> None:
    with PhotoIndex.open(on_read_only_disk) as index:
        assert index.read_only
        copy_folder = index.conn.copy_folder
        assert os.path.isdir(copy_folder)
    assert not os.path.exists(copy_folder)


def test_no_copy_that_can_be_made_is_refused_clearly(on_read_only_disk, monkeypatch) -> None:
    def no_space(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(read_only_files.shutil, "copyfile", no_space)
    with pytest.raises(IndexStoreError, match=r"read-only disk and its last changes are in .*index\.db-wal"):
        PhotoIndex.open(on_read_only_disk)


@pytest.fixture
def own_temp_folder(tmp_path: Path, monkeypatch) -> Path:
    """The temp folder the copies go in, this test's own."""
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(read_only_files.tempfile, "tempdir", str(temp))
    return temp


def test_one_copy_serves_every_connection_to_the_unchanged_index(on_read_only_disk, own_temp_folder) -> None:
    with PhotoIndex.open(on_read_only_disk) as first:
        with PhotoIndex.open(on_read_only_disk) as second:
            assert second.conn.copy_folder == first.conn.copy_folder
            assert len(list(own_temp_folder.iterdir())) == 1
            assert second.conn.execute("SELECT count(*) FROM photos").fetchone() == (1,)
        assert os.path.isdir(first.conn.copy_folder)  # still read by the first
        assert first.conn.execute("SELECT count(*) FROM photos").fetchone() == (1,)
    assert list(own_temp_folder.iterdir()) == []


def test_a_copy_left_by_a_process_gone_is_removed_at_the_next_open(on_read_only_disk, own_temp_folder) -> None:
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    left = own_temp_folder / f"landmark-tagger-ro-{ended.pid}-abc"
    running = own_temp_folder / f"landmark-tagger-ro-{os.getppid()}-def"  # (a process that started before it)
    for folder in (left, running):
        folder.mkdir()
        (folder / "index.db").write_bytes(b"copy")
    with PhotoIndex.open(on_read_only_disk) as index:
        assert index.read_only
    assert not left.exists() and running.is_dir()


def _labels(index: PhotoIndex) -> list[str]:
    return [row[0] for row in index.conn.execute("SELECT label FROM labels ORDER BY label")]


def test_a_connection_opened_after_the_index_changed_reads_a_new_copy(
        on_read_only_disk, own_temp_folder, tmp_path, capsys) -> None:
    """Another computer relabelled the index on the share meanwhile (its -wal and the
    index changed): a connection opened since reads them, not the first copy."""
    disk = on_read_only_disk.parent
    with PhotoIndex.open(on_read_only_disk) as first:
        assert _labels(first) == ["Petra"]
        holder = sqlite3.connect(tmp_path / "index.db")  # (the other computer's, left with its -wal)
        holder.execute("SELECT count(*) FROM sqlite_master").fetchone()
        assert run_cli(capsys, "--db", str(tmp_path / "index.db"), "label", "", "Colosseum")[0] == 0
        for name in ("index.db", "index.db-wal"):
            (disk / name).chmod(0o644)
            shutil.copyfile(tmp_path / name, disk / name)
            (disk / name).chmod(0o444)
        holder.close()
        with PhotoIndex.open(on_read_only_disk) as second:
            assert second.conn.copy_folder != first.conn.copy_folder
            assert _labels(second) == ["Colosseum"]
        assert _labels(first) == ["Petra"]  # (its own copy, still there)


@pytest.mark.skipif(os.name == "nt", reason="Windows keeps an open file from being removed")
def test_a_copy_a_temp_cleaner_removed_is_made_again(on_read_only_disk, own_temp_folder) -> None:
    """systemd-tmpfiles, macOS's periodic cleaning: the copy folder of a long-running app goes."""
    with PhotoIndex.open(on_read_only_disk) as first:
        shutil.rmtree(first.conn.copy_folder)
        with PhotoIndex.open(on_read_only_disk) as second:
            assert os.path.isdir(second.conn.copy_folder)
            assert _labels(second) == ["Petra"]


def test_a_copy_whose_pid_a_later_process_took_is_removed(on_read_only_disk, own_temp_folder) -> None:
    """The copy's process was killed long ago and its pid is in use again: the process
    with it started after the folder last changed, so the copy is not its."""
    later = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        left = own_temp_folder / f"landmark-tagger-ro-{later.pid}-abc"
        left.mkdir()
        (left / "index.db").write_bytes(b"copy")
        an_hour_ago = time.time() - 3600
        os.utime(left, (an_hour_ago, an_hour_ago))
        with PhotoIndex.open(on_read_only_disk) as index:
            assert index.read_only
        assert not left.exists()
    finally:
        later.communicate(b"")


def test_an_older_versions_copy_goes_after_a_day(on_read_only_disk, own_temp_folder) -> None:
    """Copies of an older version carry no pid: one a day old goes, a newer one (that
    version may be running) stays."""
    old, fresh = own_temp_folder / "landmark-tagger-read-only-abc", own_temp_folder / "landmark-tagger-read-only-def"
    for folder in (old, fresh):
        folder.mkdir()
        (folder / "index.db").write_bytes(b"copy")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    with PhotoIndex.open(on_read_only_disk) as index:
        assert index.read_only
    assert not old.exists() and fresh.is_dir()
