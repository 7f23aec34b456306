"""Review 2 (R2, R5, R6): an undo killed after its rename is recognised by the bytes it
noted, also on a file edited since our write; a temp killed between its time and its
rename is swept in the end; a temp's age is judged by the folder's own clock."""

from __future__ import annotations

import os
import time
from pathlib import Path

from app.core.index import PhotoIndex
from app.core.metadata import atomic, journal, plan_writes, undo_last_write, write_labels
from app.core.metadata.jpeg_fields import read_fields
from app.core.metadata.plan import WriteOptions
from tests.test_metadata_support import make_jpeg
from tests.test_write_safety_support import _edited_elsewhere, _index_describes, _library, _temps, killed

HOUR_NS = 3600 * 10**9


def _written_then_edited_elsewhere(tmp_path: Path) -> tuple[Path, Path, dict[Path, int]]:
    """A photo we labelled, given a keyword by another program since (keeping its time),
    and rescanned; then an undo of our write killed after its rename: only our keyword
    came out, the other program's stays."""
    db, ids = _library(tmp_path, ["a.jpg"])
    [photo] = ids
    with PhotoIndex.open(db) as index:
        assert write_labels(index, plan_writes(index), WriteOptions(workers=1)).written == 1
    _edited_elsewhere(photo)
    with PhotoIndex.open(db) as index:  # what a scan records
        journal.update_indexed_file(index, photo, photo.stat(), photo.read_bytes())
    killed(db, "undo", "atomic.replace_atomically")
    assert read_fields(photo.read_bytes()).subject == ["Holiday"]
    return db, photo, ids


def test_a_killed_undo_of_a_file_edited_since_our_write_is_recorded_by_the_rerun(tmp_path):
    db, photo, ids = _written_then_edited_elsewhere(tmp_path)
    undone = photo.read_bytes()
    with PhotoIndex.open(db) as index:
        assert not _index_describes(index, photo)
        rerun = undo_last_write(index)
        assert (rerun.written, rerun.failed) == (1, 0) and journal.last_batch_id(index) is None
        assert photo.read_bytes() == undone and _index_describes(index, photo)
        index.set_label(ids[photo], "Louvre")  # so the next write is not refused as changed on disk
        summary = write_labels(index, plan_writes(index), WriteOptions(workers=1))
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    assert read_fields(photo.read_bytes()).subject == ["Holiday", "Louvre"]


def test_the_bytes_a_killed_undo_noted_put_back_over_another_photo_the_index_describes_are_left_to_the_scan(tmp_path):
    """Another photo was put at the path and scanned after the kill, then a backup
    restore brought the undone bytes back: the index no longer describes the file the
    undo started from, so the rerun does not take them for its own."""
    db, photo, _ = _written_then_edited_elsewhere(tmp_path)
    undone = photo.read_bytes()
    other = make_jpeg(photo, size=(640, 480), seed=9)
    with PhotoIndex.open(db) as index:
        journal.update_indexed_file(index, other, other.stat(), other.read_bytes())  # the rescan
        described = journal.indexed_stat(index, photo)
        photo.write_bytes(undone)
        undo_last_write(index)
        assert journal.indexed_stat(index, photo) == described


def _temp_killed_before_its_rename(folder: Path) -> Path:
    """The temp of a write killed right after giving it its photo's (old) time."""
    photo = make_jpeg(folder / "a.jpg")
    photo_time = 1_450_000_000_000_000_000  # a photo from 2015
    os.utime(photo, ns=(photo_time, photo_time))
    temp = atomic.temp_path_for(photo)
    temp.write_bytes(photo.read_bytes())
    os.utime(temp, ns=(photo_time, photo_time))
    return temp


def _an_hour_later(folder: Path) -> int:
    return atomic.folder_clock_ns(folder) + HOUR_NS


def test_a_temp_killed_between_getting_its_photos_time_and_the_rename_is_swept_once_that_is_old(tmp_path):
    temp = _temp_killed_before_its_rename(tmp_path)
    assert atomic.remove_stale_temps_in(tmp_path) == 0  # now: maybe a write in its last instant
    assert atomic.remove_stale_temps_in(tmp_path, clock=_an_hour_later) == 1
    assert not temp.exists() and _temps(tmp_path) == []


def test_on_windows_a_temp_with_its_photos_time_is_kept(tmp_path, monkeypatch):
    """Windows' ctime is the creation time, which says nothing of when the temp got its
    photo's time: a slow write may have created it long before its last instant."""
    monkeypatch.setattr(atomic, "ON_WINDOWS", True)
    temp = _temp_killed_before_its_rename(tmp_path)
    assert atomic.remove_stale_temps_in(tmp_path, clock=_an_hour_later) == 0 and temp.exists()


def test_a_temp_is_aged_by_the_folders_clock_not_ours(tmp_path, monkeypatch):
    """Our clock 15 minutes ahead of the file system's (a network share whose server is
    behind): another process's temp written this second is not taken for a stale one,
    so its write goes through; one untouched for an hour by the file system's clock goes."""
    photo = make_jpeg(tmp_path / "a.jpg")
    before = photo.read_bytes()
    stale = atomic.temp_path_for(photo)
    stale.write_bytes(before)
    hour_ago = time.time() - 3600
    os.utime(stale, (hour_ago, hour_ago))
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 900)
    swept = []

    def write_while_another_process_sweeps(fd, data):
        written = os.write(fd, data)
        swept.append(atomic.remove_stale_temps_in(tmp_path))
        return written

    atomic.replace_atomically(photo, before + b"ours", write=write_while_another_process_sweeps)
    assert swept == [1] and photo.read_bytes() == before + b"ours"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jpg"]  # the clock probe is gone too


def test_a_scan_names_an_old_temp_it_keeps_and_says_what_to_do(tmp_path: Path) -> None:
    """A temp an older version named before tags (a long name, cut; 8 random hex) beside
    its photo cannot be told from a photo's only copy, so it is kept; the scan of its
    folder says so, naming it and what to do, rather than keep it for ever unsaid."""
    from app.core.scanner import scan

    name = "京都旅行の写真" * 11 + "_DSC_0001.JPG"  # 244 bytes: its temp's name is cut
    (tmp_path / "Kyoto").mkdir()
    photo = make_jpeg(tmp_path / "Kyoto" / name)
    stem = name
    while len(os.fsencode(stem)) > 241:
        stem = stem[:-1]
    old = photo.with_name(f".{stem}.1a2b3c4d.tmp")
    old.write_bytes(b"a half-written copy")
    os.utime(old, (1_000_000_000, 1_000_000_000))
    with PhotoIndex.open(tmp_path / "index.db") as index:
        summary = scan(index, [photo.parent])
    assert old.exists() and summary.kept_temps == [str(old)]
    assert (f"in {photo.parent}, {old.name} is a hidden copy of a photo or sidecar an earlier write left, kept as "
            "it may be the only copy: if the file it copies is there unharmed, delete it; else rename it to "
            "that file's name") in summary.line()
    assert summary.to_json()["kept_temps"] == [str(old)]
