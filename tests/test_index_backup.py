"""Weekly copies of the index beside it (app.core.index.backup), and the damaged-index
message that points at the newest one."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

from app.core.index import PhotoIndex
from app.core.index.backup import backup_folder, backup_if_due, backup_quietly, backups
from app.core.index.connection import damaged_index_message
from tests.test_index import add_photo


def test_a_copy_is_taken_weekly_and_the_newest_three_are_kept(tmp_path: Path) -> None:
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        photo = add_photo(index, "/photos/Rome", "DSC_0001", "2019-05-01T10:00:00")
        index.set_label(photo, "Colosseum")
        start = datetime(2026, 11, 1, 9, 0)
        first = backup_if_due(db, now=start)  # while the index is open: a consistent snapshot
        assert first is not None and first.parent == backup_folder(db)
        os.utime(first, (start.timestamp(), start.timestamp()))
        assert backup_if_due(db, now=start + timedelta(days=3)) is None  # not due yet
        for week in range(1, 5):
            taken = start + timedelta(days=7 * week)
            copy = backup_if_due(db, now=taken)
            os.utime(copy, (taken.timestamp(), taken.timestamp()))
    kept = backups(db)
    assert [path.name for path in kept] == [f"index-2026{day}-090000-000000.db" for day in ("1115", "1122", "1129")]
    assert not list(backup_folder(db).glob("*.tmp"))
    with PhotoIndex.open(kept[-1]) as copy:
        assert copy.get(photo).label == "Colosseum"


def test_the_damaged_index_message_points_at_the_newest_copy(tmp_path: Path) -> None:
    db = tmp_path / "index.db"
    PhotoIndex.open(db).close()
    assert "a copy of the index" not in damaged_index_message(db, ValueError("file is not a database"))
    copy = backup_quietly(db)
    message = damaged_index_message(db, ValueError("file is not a database"))
    assert f"is at {copy} (`landmark-tagger restore-index {copy}` goes back to it; copied over {db} by hand, " \
           "index.db-wal and index.db-shm must be moved away with the old file)" in message
    assert backup_quietly(tmp_path / "missing.db") is None and backup_quietly(":memory:") is None


def test_a_copy_that_cannot_be_made_is_skipped_quietly_and_leaves_no_temp_file(tmp_path: Path, monkeypatch) -> None:
    from app.core.index import backup

    db = tmp_path / "index.db"
    PhotoIndex.open(db).close()

    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup.os, "replace", full_disk)
    assert backup_quietly(db) is None
    assert backups(db) == [] and not backup_folder(db).exists()  # (no empty folder left either)


def test_commands_that_change_the_index_take_the_weekly_copy_first(tmp_path: Path, capsys) -> None:
    from app.cli.main import main

    db = tmp_path / "index.db"
    PhotoIndex.open(db).close()  # an index there: only `scan`, `tag` and `teach` create one
    assert main(["--db", str(db), "search", "anything"]) == 0  # reads only: no copy
    assert backups(db) == []
    assert main(["--db", str(db), "accept", "nothing-matches"]) == 1
    assert len(backups(db)) == 1
    assert main(["--db", str(db), "accept", "nothing-matches"]) == 1  # not due again within the week
    assert len(backups(db)) == 1
    capsys.readouterr()
    assert main(["--db", str(db), "stats"]) == 0
    assert f"copies:     1 copy of the index, the newest {backups(db)[0]}" in capsys.readouterr().out


def test_two_copies_within_a_second_are_both_kept(tmp_path: Path) -> None:
    """Two merges by rename a moment apart: each copy holds the index as it was before its merge."""
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        add_photo(index, "/lib", "a")
    moment = datetime(2026, 12, 4, 6, 3, 34)
    first = backup_if_due(db, now=moment, every=timedelta(0))
    os.utime(first, (moment.timestamp() - 1, moment.timestamp() - 1))  # taken at that moment
    with PhotoIndex.open(db) as index:
        add_photo(index, "/lib", "b")
    second = backup_if_due(db, now=moment, every=timedelta(0))
    assert first != second and backups(db) == [first, second]
    with PhotoIndex.open(first) as copy:
        assert copy.count("") == 1


def test_stats_names_the_newest_of_several_copies(tmp_path: Path, capsys) -> None:
    """The copy to restore from is the newest: `stats` must not name an older one as that."""
    from app.cli.main import main

    db = tmp_path / "index.db"
    PhotoIndex.open(db).close()
    older = backup_if_due(db)
    newer = backup_if_due(db, now=datetime.now() + timedelta(days=8))  # a week on
    assert older and newer and backups(db) == [older, newer]
    capsys.readouterr()
    assert main(["--db", str(db), "stats"]) == 0
    assert f"copies:     2 copies of the index, the newest {newer}\n" in capsys.readouterr().out


def test_the_weekly_copy_is_skipped_when_it_would_leave_the_command_no_room(tmp_path: Path, capsys,
                                                                            monkeypatch) -> None:
    """On a nearly full disk the copy taken just before `label` used the room `label` then
    lacked ("disk full"), where it fitted without the copy (t_media-10): the copy is skipped,
    said in one line, while the disk cannot hold it and as much again besides 1 MB."""
    import shutil

    from app.cli.main import main
    from app.core.index.open_failures import NEARLY_FULL_BYTES

    db = tmp_path / "index.db"
    PhotoIndex.open(db).close()
    usage = shutil.disk_usage(tmp_path)
    room = 2 * (db.stat().st_size + (Path(f"{db}-wal").stat().st_size if Path(f"{db}-wal").exists() else 0))
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage._replace(free=room + NEARLY_FULL_BYTES - 1))
    assert main(["--db", str(db), "accept", "nothing-matches"]) == 1
    err = capsys.readouterr().err
    assert "landmark-tagger: this week's copy of the index was skipped for lack of room: " in err
    assert backups(db) == []
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage._replace(free=room + NEARLY_FULL_BYTES))
    assert main(["--db", str(db), "accept", "nothing-matches"]) == 1
    assert "skipped" not in capsys.readouterr().err and len(backups(db)) == 1
