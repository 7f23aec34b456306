"""The copy of an index taken before it is upgraded to a newer schema
(app.core.index.backup.backup_before_upgrade, run by PhotoIndex.open's migration):
whatever opens the index first (any command, the app), an older index is kept as it
was, the weekly rule never prunes that copy, and no copy means no upgrade."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.errors import IndexInUseError, IndexStoreError
from app.core.index import PhotoIndex
from app.core.index.backup import backup_folder, backup_if_due, backups, is_upgrade_copy
from app.core.index.schema import LATEST_VERSION
from tests.test_index import _index_at_version

OLD = LATEST_VERSION - 3  # an index from a few versions back


def _version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def _contents(path: Path) -> list[str]:
    """The file's schema and rows (its header changes when an open checks that no other
    process has it open: see app.core.index.upgrade.others_have_it_open)."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def _old_index(tmp_path: Path, monkeypatch, version: int = OLD) -> Path:
    db = tmp_path / "index.db"
    _index_at_version(db, monkeypatch, version, [("/lib/Petra", "DSC_0001", "2020-11-03T10:00:00")],
                      [("Petra", None, "user", "accepted")])
    assert _version(db) == version and backups(db) == []
    return db


@pytest.mark.parametrize("command", [["stats"], ["search", "petra"], ["scan", "photos"]])
def test_the_first_command_after_an_upgrade_keeps_a_copy_of_the_index_as_it_was(tmp_path, monkeypatch, command):
    db = _old_index(tmp_path, monkeypatch)
    (tmp_path / "photos").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["--db", str(db), *command]) == 0
    assert _version(db) == LATEST_VERSION
    copies = backups(db)
    assert len(copies) == 1 and is_upgrade_copy(copies[0])
    assert copies[0].name.endswith(f"-before-upgrade-from-schema-{OLD}.db")
    assert _version(copies[0]) == OLD
    conn = sqlite3.connect(copies[0])
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT label FROM labels").fetchall() == [("Petra",)]
    finally:
        conn.close()
    assert not list(backup_folder(db).glob("*.tmp"))
    assert main(["--db", str(db), *command]) == 0  # nothing to upgrade: no second copy
    assert backups(db) == copies


def test_the_weekly_rule_keeps_the_upgrade_copy_and_a_later_upgrade_keeps_it_too(tmp_path, monkeypatch) -> None:
    new = tmp_path / "new.db"
    PhotoIndex.open(new).close()
    PhotoIndex.open(":memory:").close()
    assert backups(new) == []  # a new index is not upgraded: nothing to keep
    db = _old_index(tmp_path, monkeypatch, OLD - 1)
    PhotoIndex.open(db).close()
    (before_upgrade,) = backups(db)
    os.utime(before_upgrade, (datetime(2026, 10, 1).timestamp(),) * 2)
    start = datetime(2026, 11, 1, 9, 0)
    for week in range(5):
        taken = start + timedelta(days=7 * week)
        copy = backup_if_due(db, now=taken)
        assert copy is not None
        os.utime(copy, (taken.timestamp(), taken.timestamp()))
    weekly = [path for path in backups(db) if not is_upgrade_copy(path)]
    assert len(weekly) == 3 and before_upgrade in backups(db)
    # a later upgrade of another index: both copies stay (each the way back to its own); the weekly ones too
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {OLD}")
    conn.close()
    PhotoIndex.open(db).close()
    upgrade_copies = [path for path in backups(db) if is_upgrade_copy(path)]
    assert len(upgrade_copies) == 2 and upgrade_copies[0] == before_upgrade
    assert upgrade_copies[1].name.endswith(f"-before-upgrade-from-schema-{OLD}.db")
    assert [path for path in backups(db) if not is_upgrade_copy(path)] == weekly


def _labels(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [label for (label,) in conn.execute("SELECT label FROM labels ORDER BY label")]
    finally:
        conn.close()


def test_upgrading_a_restored_older_copy_keeps_the_copy_taken_before_the_first_upgrade(
        tmp_path, monkeypatch, capsys) -> None:
    """t_upgrade3-1: an older weekly copy put back by `restore-index` is upgraded again at
    the next command; its copy replaced the one taken before the first upgrade, the only
    file holding the user's latest labels that the older version opens."""
    db = _old_index(tmp_path, monkeypatch)
    weekly = backup_if_due(db)  # the older version's weekly copy, then a label changed
    conn = sqlite3.connect(db)
    conn.execute("UPDATE labels SET label = 'Al-Khazneh'")
    conn.commit()
    conn.close()
    PhotoIndex.open(db).close()  # the new version's first open
    (first,) = [path for path in backups(db) if is_upgrade_copy(path)]
    assert main(["--db", str(db), "restore-index", str(weekly)]) == 0
    PhotoIndex.open(db).close()  # upgrades the weekly copy put in
    upgrade_copies = [path for path in backups(db) if is_upgrade_copy(path)]
    assert len(upgrade_copies) == 2 and upgrade_copies[0] == first
    assert [_labels(path) for path in upgrade_copies] == [["Al-Khazneh"], ["Petra"]]
    assert [_version(path) for path in upgrade_copies] == [OLD, OLD]
    # the same index upgraded once more (that copy put back): the same file is not kept twice
    assert main(["--db", str(db), "restore-index", str(upgrade_copies[1])]) == 0
    PhotoIndex.open(db).close()
    again = [path for path in backups(db) if is_upgrade_copy(path)]
    assert len(again) == 2 and again[0] == first and _labels(again[1]) == ["Petra"]
    # an older version's refusal names the newest and says where the others are
    from app.core.index import schema

    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    capsys.readouterr()
    monkeypatch.setattr(schema, "LATEST_VERSION", OLD)
    assert main(["--db", str(db), "stats"]) == 2
    err = capsys.readouterr().err
    assert f"restore-index {again[1]}`" in err and f"copies it opens are in {backup_folder(db)}" in err


def test_only_the_newest_upgrade_copies_are_kept(tmp_path, monkeypatch) -> None:
    from app.core.index.backup import UPGRADE_KEEP

    db = _old_index(tmp_path, monkeypatch)
    for step in range(UPGRADE_KEEP + 1):
        conn = sqlite3.connect(db)
        conn.execute(f"PRAGMA user_version = {OLD - step}")  # another index each time (its header differs)
        conn.close()
        PhotoIndex.open(db).close()
    kept = [path for path in backups(db) if is_upgrade_copy(path)]
    assert [_version(path) for path in kept] == [OLD - step for step in range(1, UPGRADE_KEEP + 1)]


def test_the_app_keeps_a_copy_of_the_index_as_it_was_before_upgrading_it(tmp_path, monkeypatch) -> None:
    """The app migrates in open_main_window (PhotoIndex.open), before its weekly copy."""
    db = _old_index(tmp_path, monkeypatch)
    with PhotoIndex.open(db):
        pass
    copies = backups(db)
    assert [_version(path) for path in copies] == [OLD]
    assert backup_if_due(db) is None  # the copy just taken counts as this week's


def test_an_index_of_the_very_first_schema_is_copied_before_its_upgrade_too(tmp_path, monkeypatch) -> None:
    """Schema 1, what the first release wrote, has the longest way to go (every migration)."""
    from app.core.index import schema

    db = tmp_path / "index.db"
    monkeypatch.setattr(schema, "LATEST_VERSION", 1)
    with PhotoIndex.open(db) as first:
        with first.transaction() as conn:  # as that release wrote them (today's helpers write today's columns)
            conn.execute("INSERT INTO photos (id, folder, stem, primary_path) VALUES (1, '/lib', 'a', '/lib/a.jpg')")
            conn.execute("INSERT INTO labels (photo_id, label, source, state) VALUES (1, 'Petra', 'user', 'accepted')")
    monkeypatch.undo()
    assert _version(db) == 1 and backups(db) == []

    assert main(["--db", str(db), "stats"]) == 0
    assert _version(db) == LATEST_VERSION
    [copy] = backups(db)
    assert is_upgrade_copy(copy) and copy.name.endswith("-before-upgrade-from-schema-1.db") and _version(copy) == 1
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("SELECT label FROM labels").fetchall() == [("Petra",)]
    finally:
        conn.close()


@pytest.mark.parametrize("made_by", ["an older version", "no one yet"])
def test_an_index_another_process_upgraded_while_this_one_waited_keeps_the_copy_of_the_old_one(
        tmp_path, monkeypatch, made_by) -> None:
    """Two commands opening an index at once (the app starting while a cron `scan` does)
    both read its version, then wait for the write lock, which the first holds while it
    copies and upgrades the index. The second then finds nothing to upgrade: a copy of
    the upgraded index would replace the copy of the old one (the only file the older
    version opens), and a new index would get a 'before upgrade' copy."""
    from app.core.index import schema

    db = _old_index(tmp_path, monkeypatch) if made_by == "an older version" else tmp_path / "index.db"
    read_version = schema.schema_version

    def the_other_process_opens_it_first(conn: sqlite3.Connection) -> int:
        version = read_version(conn)  # this one's read before the lock...
        monkeypatch.setattr(schema, "schema_version", read_version)
        try:
            PhotoIndex.open(db).close()  # ...then the other process's open, while this one waits
        except IndexInUseError:  # an older index this one has open: the other leaves it as it was
            assert made_by == "an older version" and _version(db) == OLD
        return version

    monkeypatch.setattr(schema, "schema_version", the_other_process_opens_it_first)
    PhotoIndex.open(db).close()
    assert _version(db) == LATEST_VERSION
    assert [_version(copy) for copy in backups(db)] == ([OLD] if made_by == "an older version" else [])


def test_no_copy_means_no_upgrade(tmp_path, monkeypatch, capsys) -> None:
    db = _old_index(tmp_path, monkeypatch)
    before = _contents(db)
    blocker = backup_folder(db)
    blocker.write_text("a file where the folder of copies should be")  # the copy cannot be written
    with pytest.raises(IndexStoreError, match=f"cannot keep a copy of the index .* from schema {OLD} "
                                              f"to {LATEST_VERSION}.*left as it was.*then try again"):
        PhotoIndex.open(db)
    assert _version(db) == OLD and _contents(db) == before
    assert main(["--db", str(db), "stats"]) != 0
    assert "cannot keep a copy of the index" in capsys.readouterr().err
    assert _version(db) == OLD
    blocker.unlink()
    PhotoIndex.open(db).close()  # once the copy can be made the upgrade goes ahead
    assert _version(db) == LATEST_VERSION and [_version(path) for path in backups(db)] == [OLD]


def test_a_full_disk_stops_the_upgrade(tmp_path, monkeypatch) -> None:
    from app.core.index import backup

    db = _old_index(tmp_path, monkeypatch)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup, "flush_to_disk", disk_full)
    with pytest.raises(IndexStoreError, match="No space left on device.*Free some space"):
        PhotoIndex.open(db)
    assert _version(db) == OLD and backups(db) == []
    assert not list(backup_folder(db).glob("*.tmp"))  # no half copy left behind


# -- a copy of the index killed half-way -------------------------------------------------


def test_a_copy_of_the_index_killed_half_way_is_removed_by_a_later_copy(tmp_path: Path) -> None:
    """Each killed copy left its full-size `.db.tmp` in the backups folder for good (the
    `finally` that removes it never runs under SIGKILL)."""
    db = tmp_path / "index.db"
    PhotoIndex.open(db).close()
    # the copy is killed (SIGKILL) right before it would be flushed and renamed
    code = textwrap.dedent(f"""
        import os, sys
        from app.core.index import backup
        backup.flush_to_disk = lambda fd: os.kill(os.getpid(), 9)
        backup.backup_if_due({str(db)!r})
    """)
    for _ in range(2):
        killed = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1])
        assert killed.returncode == -9
    left = sorted(backup_folder(db).glob("*.tmp"))
    assert len(left) == 2  # what the kills left
    old = time.time() - 3600
    for path in left:
        os.utime(path, (old, old))
    fresh = backup_folder(db) / "index-20990101-000000-000000.db.tmp"  # another process's copy in progress
    fresh.write_bytes(b"half")
    journal = backup_folder(db) / "index-20000101-000000-000000.db.tmp-journal"
    journal.write_bytes(b"j")
    os.utime(journal, (old, old))
    notes = backup_folder(db) / "notes.tmp"  # not ours
    notes.write_bytes(b"n")
    os.utime(notes, (old, old))
    assert backup_if_due(db, every=timedelta(0)) is not None
    assert sorted(p.name for p in backup_folder(db).iterdir() if ".tmp" in p.name) == [fresh.name, "notes.tmp"]


def test_a_copy_before_an_upgrade_killed_half_way_is_removed_when_the_index_opens(tmp_path, monkeypatch) -> None:
    """It was removed only by the next copy, up to a week later (found by the upgrade
    tester: a 95 MB `.db.tmp` beside a 168 MB index); only once untouched for
    STALE_TEMP_AGE_S, as a copy another process is writing may be younger."""
    from app.core.metadata.atomic import STALE_TEMP_AGE_S

    db = _old_index(tmp_path, monkeypatch)
    code = textwrap.dedent(f"""
        import os
        from app.core.index import PhotoIndex, backup
        backup.flush_to_disk = lambda fd: os.kill(os.getpid(), 9)
        PhotoIndex.open({str(db)!r})
    """)
    killed = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1])
    assert killed.returncode == -9 and _version(db) == OLD
    (half,) = backup_folder(db).glob("*-before-upgrade-from-schema-*.db.tmp")
    # the rerun upgrades under the write lock, under which alone such a copy is written: it goes at once
    PhotoIndex.open(db).close()
    assert _version(db) == LATEST_VERSION and not half.exists()
    half.write_bytes(b"half")  # one left beside an index that needs no upgrade: the age rule below
    journal = half.with_name(half.name + "-journal")
    journal.write_bytes(b"j")
    notes = backup_folder(db) / "notes.tmp"  # not ours
    notes.write_bytes(b"n")
    stale = time.time() - STALE_TEMP_AGE_S - 60
    for path in (half, journal, notes):
        os.utime(path, (stale, stale))
    fresh = backup_folder(db) / "index-20990101-000000-000000-before-upgrade-from-schema-9.db.tmp"
    fresh.write_bytes(b"another process's copy in progress")
    kept = backups(db)
    PhotoIndex.open(db).close()  # no copy is due: the open alone removes it
    assert not half.exists() and not journal.exists()
    assert fresh.exists() and notes.exists() and backups(db) == kept


def test_a_long_copy_keeps_its_journal_when_another_process_opens_the_index(tmp_path: Path) -> None:
    """A copy writes its -journal once, at its start, and its `.db.tmp` all along: judged
    alone, the journal of a copy running over STALE_TEMP_AGE_S (a slow disk or share) was
    removed by any other open, and the copy failed with "disk I/O error" (found in review)."""
    from app.core.index.backup import remove_stale_half_copies
    from app.core.metadata.atomic import STALE_TEMP_AGE_S

    db = tmp_path / "index.db"
    PhotoIndex.open(db).close()
    backup_folder(db).mkdir()
    half = backup_folder(db) / "index-20260101-000000-000000-before-upgrade-from-schema-9.db.tmp"
    copy = sqlite3.connect(half, isolation_level=None)  # a copy in progress: its write transaction open
    try:
        copy.execute("CREATE TABLE t (x)")
        copy.execute("BEGIN IMMEDIATE")
        copy.execute("INSERT INTO t VALUES (zeroblob(100000))")
        journal = half.with_name(half.name + "-journal")
        assert journal.exists()
        started = time.time() - STALE_TEMP_AGE_S - 60  # as a copy running for 11 minutes left it
        os.utime(journal, (started, started))
        remove_stale_half_copies(db)  # another process opens the index meanwhile
        assert journal.exists()
        copy.execute("COMMIT")
    finally:
        copy.close()
    for path in (half, journal):  # the copy killed then: the group is removed once all of it is old
        if path.exists():
            os.utime(path, (started, started))
    remove_stale_half_copies(db)
    assert not half.exists() and not journal.exists()
