"""Review of scanning (tester t_scan, findings 1, 2 and 6): moves a killed scan did not
recognise, folders reached through links, and what `stats` says of a scan that did
not finish."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import psutil
import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.index.forget import forget_folder
from app.core.scanner import scan
from app.core.this_computer import computer_id
from tests.test_index_support import write_jpeg

REPO = Path(__file__).resolve().parents[1]

# the scan dies (as kill -9 would) when its walk is over, before it recognises moves
KILLED_SCAN = (
    "import os, signal, sys; from pathlib import Path; from app.core.index import PhotoIndex; "
    "import app.core.scanner as s; "
    "s._Scan._recognise_moves = lambda self: os.kill(os.getpid(), signal.SIGKILL); "
    "ix = PhotoIndex.open(sys.argv[1]); s.scan(ix, [Path(p) for p in sys.argv[2:]])"
)

symlinks = pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")


def killed_scan(db: Path, *roots: Path) -> None:
    done = subprocess.run([sys.executable, "-c", KILLED_SCAN, str(db), *map(str, roots)], cwd=REPO)
    assert done.returncode == -9


def owed(index: PhotoIndex) -> tuple[int, int]:
    """(photos pending, runs with photos to look at): what scans still owe the next one."""
    return (index.conn.execute("SELECT count(*) FROM moves_pending").fetchone()[0],
            index.conn.execute("SELECT count(*) FROM scan_runs WHERE photos_before IS NOT NULL").fetchone()[0])


def labelled_library(tmp_path: Path, with_second: bool = False) -> tuple[Path, Path, Path, int]:
    """lib/inbox/IMG_1.jpg (and IMG_2.jpg) scanned into index.db, IMG_1 labelled
    "Colosseum", and an empty lib/rome to move it to: (lib, db, IMG_1's file, its id)."""
    lib = tmp_path / "lib"
    old = write_jpeg(lib / "inbox" / "IMG_1.jpg", color=(1, 2, 3))
    if with_second:
        write_jpeg(lib / "inbox" / "IMG_2.jpg", color=(4, 5, 6))
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        scan(index, [lib])
        photo_id = index.search("IMG_1")[0].id
        index.set_label(photo_id, "Colosseum")
    (lib / "rome").mkdir()
    return lib, db, old, photo_id


def rescan_finds_it_moved_with_its_label(db: Path, lib: Path, photo_id: int) -> None:
    """The scan the user runs again, to the end: IMG_1, now rome/colosseum.jpg, is the
    same photo with its label, and nothing is left missing."""
    with PhotoIndex.open(db) as index:
        scan(index, [lib])
        (moved,) = index.search("colosseum.jpg")
        assert (moved.id, moved.label) == (photo_id, "Colosseum")
        assert index.count("is:missing") == 0


# -- 1. a scan killed before it recognised the moves -----------------------------------------

def test_a_move_survives_a_scan_killed_before_it_was_recognised(tmp_path: Path) -> None:
    lib, db, old, photo_id = labelled_library(tmp_path, with_second=True)
    old.rename(lib / "rome" / "colosseum.jpg")

    killed_scan(db, lib)

    with PhotoIndex.open(db) as index:
        summary = scan(index, [lib])  # the user runs the scan again, to the end
        (moved,) = index.search("colosseum.jpg")
        assert (moved.id, moved.label) == (photo_id, "Colosseum")
        assert index.search("is:missing") == []
        assert (summary.moved, summary.new, summary.missing) == (1, 0, 0)
        assert owed(index) == (0, 0)
        again = scan(index, [lib])
        assert (again.new, again.changed, again.moved, again.missing) == (0, 0, 0, 0)


def test_a_move_into_a_folder_read_before_survives_a_killed_scan(tmp_path: Path) -> None:
    """The new folder read on its own first (the photo is indexed there, holding nothing
    of the user's), then the library scan that finds the old place empty is killed."""
    lib, db, old, photo_id = labelled_library(tmp_path)
    old.rename(lib / "rome" / "colosseum.jpg")
    with PhotoIndex.open(db) as index:
        scan(index, [lib / "rome"])

    killed_scan(db, lib)

    rescan_finds_it_moved_with_its_label(db, lib, photo_id)


def two_labelled_photos(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    """lib/inbox/IMG_1.jpg "Colosseum" and IMG_2.jpg "Petra" scanned into index.db:
    (lib, db, IMG_1's file, IMG_2's)."""
    lib = tmp_path / "lib"
    first = write_jpeg(lib / "inbox" / "IMG_1.jpg", color=(1, 2, 3))
    second = write_jpeg(lib / "inbox" / "IMG_2.jpg", color=(4, 5, 6))
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        scan(index, [lib])
        ids = {p.path: p.id for p in index.search()}
        index.set_label(ids[str(first)], "Colosseum")
        index.set_label(ids[str(second)], "Petra")
    return lib, db, first, second


def test_moves_survive_two_killed_scans_in_a_row(tmp_path: Path) -> None:
    lib, db, first, second = two_labelled_photos(tmp_path)
    (lib / "rome").mkdir()
    first.rename(lib / "rome" / "colosseum.jpg")
    killed_scan(db, lib)
    (lib / "jordan").mkdir()
    second.rename(lib / "jordan" / "petra.jpg")  # another move before the next (also killed) scan
    killed_scan(db, lib)

    with PhotoIndex.open(db) as index:
        scan(index, [lib])
        assert {Path(p.path).name: p.label for p in index.search()} == {"colosseum.jpg": "Colosseum",
                                                                        "petra.jpg": "Petra"}
        assert index.count("is:missing") == 0 and owed(index) == (0, 0)


def test_a_photo_back_in_the_library_survives_a_killed_scan(tmp_path: Path) -> None:
    """Moved out of the library (missing since an earlier scan), then back at a new place:
    the scan that brings it in as new is killed before it joins the two."""
    lib, db, photo, photo_id = labelled_library(tmp_path, with_second=True)
    photo.rename(tmp_path / "IMG_1.jpg")
    with PhotoIndex.open(db) as index:
        assert scan(index, [lib]).missing == 1
    (tmp_path / "IMG_1.jpg").rename(lib / "rome" / "colosseum.jpg")

    killed_scan(db, lib)

    rescan_finds_it_moved_with_its_label(db, lib, photo_id)


def _sleeper() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def test_a_scan_still_running_in_another_process_keeps_its_work(tmp_path: Path) -> None:
    """Only a scan that no longer runs hands its unrecognised moves over: one running
    beside (its process alive) does them itself."""
    write_jpeg(tmp_path / "lib" / "IMG_1.jpg")
    db = tmp_path / "index.db"
    sleeper = _sleeper()
    try:
        with PhotoIndex.open(db) as index:
            with index.transaction() as conn:
                conn.execute("INSERT INTO scan_runs (started_at, roots, status, pid, host, photos_before, "
                             "pid_started) VALUES ('2020-01-01T00:00:00+00:00', '[]', 'running', ?, ?, 0, ?)",
                             (sleeper.pid, socket.gethostname(), psutil.Process(sleeper.pid).create_time()))
            scan(index, [tmp_path / "lib"])
            assert index.conn.execute("SELECT status, photos_before FROM scan_runs WHERE id = 1").fetchone() == (
                "running", 0)
    finally:
        sleeper.kill()
        sleeper.wait()
    with PhotoIndex.open(db) as index:
        scan(index, [tmp_path / "lib"])
        assert index.conn.execute("SELECT status, photos_before FROM scan_runs WHERE id = 1").fetchone() == (
            "interrupted", None)


# -- 2. folders reached through a link -----------------------------------------------------

@pytest.fixture
def index():
    with PhotoIndex.open(":memory:") as idx:
        yield idx


def present(index: PhotoIndex) -> set[str]:
    return {row[0] for row in index.conn.execute("SELECT primary_path FROM photos WHERE NOT missing")}


def pictures_linking_a_drive(tmp_path: Path) -> Path:
    """Pictures/Trip/DSC_0001.JPG, and Pictures/Italy a link to Drive/Italy (DSC_0002.JPG)."""
    lib = tmp_path / "Pictures"
    write_jpeg(lib / "Trip" / "DSC_0001.JPG")
    write_jpeg(tmp_path / "Drive" / "Italy" / "DSC_0002.JPG", color=(9, 9, 9))
    (lib / "Italy").symlink_to(tmp_path / "Drive" / "Italy")
    return lib


@symlinks
def test_a_linked_in_folder_is_indexed_under_the_link(tmp_path: Path, index: PhotoIndex) -> None:
    lib = pictures_linking_a_drive(tmp_path)
    summary = scan(index, [lib])
    assert (summary.new, summary.photos) == (2, 2)
    assert present(index) == {str(lib / "Trip" / "DSC_0001.JPG"), str(lib / "Italy" / "DSC_0002.JPG")}
    assert [Path(p.path).name for p in index.search(f'folder:"{lib / "Italy"}"')] == ["DSC_0002.JPG"]
    again = scan(index, [lib])
    assert (again.photos, again.new, again.changed, again.missing) == (2, 0, 0, 0)


@symlinks
def test_a_linked_in_folder_leaves_the_library_with_its_link(tmp_path: Path, index: PhotoIndex) -> None:
    lib = pictures_linking_a_drive(tmp_path)
    assert scan(index, [lib]).new == 2
    (lib / "Italy").unlink()
    assert scan(index, [lib]).missing == 1
    assert present(index) == {str(lib / "Trip" / "DSC_0001.JPG")}


@symlinks
def test_forgetting_the_library_folder_takes_its_linked_in_photos(tmp_path: Path, index: PhotoIndex) -> None:
    lib = pictures_linking_a_drive(tmp_path)
    scan(index, [lib])
    forget_folder(index, lib)
    assert index.conn.execute("SELECT count(*) FROM photos").fetchone()[0] == 0


@symlinks
def test_a_link_to_an_ancestor_does_not_index_folders_outside_the_library(tmp_path: Path, index: PhotoIndex) -> None:
    lib = tmp_path / "Pictures"
    write_jpeg(lib / "Trip" / "DSC_0001.JPG")
    write_jpeg(tmp_path / "Documents" / "private" / "scan.jpg", color=(9, 9, 9))
    (lib / "Trip" / "home").symlink_to(tmp_path)  # a loop: up to the user's home
    summary = scan(index, [lib])
    assert present(index) == {str(lib / "Trip" / "DSC_0001.JPG")}
    assert (summary.new, summary.photos, summary.errors) == (1, 1, 0)


@symlinks
@pytest.mark.parametrize("link_name", ["A best of", "zz best of"])  # met before or after the real folder
def test_links_into_the_library_and_loops_index_each_photo_once(tmp_path: Path, index: PhotoIndex,
                                                                link_name: str) -> None:
    lib, archive = tmp_path / "Pictures", tmp_path / "Archive"
    write_jpeg(lib / "Rome" / "DSC_0001.JPG")
    write_jpeg(tmp_path / "Drive" / "Italy" / "DSC_0002.JPG", color=(9, 9, 9))
    write_jpeg(archive / "2019" / "DSC_0003.JPG", color=(90, 9, 9))
    (lib / link_name).symlink_to(lib / "Rome")
    (lib / "old").symlink_to(archive / "2019")  # into a folder scanned with it (after it)
    (lib / "Italy").symlink_to(tmp_path / "Drive" / "Italy")
    (lib / "Italy again").symlink_to(tmp_path / "Drive" / "Italy")  # one outside folder, two links
    (tmp_path / "Drive" / "Italy" / "up").symlink_to(tmp_path / "Drive")  # a loop inside the linked folder
    (tmp_path / "Drive" / "Italy" / "rome").symlink_to(lib / "Rome")  # back into the library
    for _ in range(2):
        summary = scan(index, [lib, archive])
        assert present(index) == {str(lib / "Rome" / "DSC_0001.JPG"), str(lib / "Italy" / "DSC_0002.JPG"),
                                  str(archive / "2019" / "DSC_0003.JPG")}
        assert (summary.photos, summary.errors, summary.missing) == (3, 0, 0)


# -- 3. `stats` on a scan that did not finish ----------------------------------------------

def _last_scan_line(db: Path, capsys) -> str:
    capsys.readouterr()
    assert main(["--db", str(db), "stats"]) == 0
    (last,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("last scan:")]
    return last


def test_stats_calls_a_killed_scan_interrupted(tmp_path: Path, capsys) -> None:
    write_jpeg(tmp_path / "lib" / "IMG_1.jpg")
    db = tmp_path / "index.db"
    killed_scan(db, tmp_path / "lib")
    last = _last_scan_line(db, capsys)
    assert "interrupted" in last and f"run `landmark-tagger --db {db} scan` again" in last, last
    assert "(running)" not in last and "0 photos" not in last
    assert main(["--db", str(db), "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["last_scan"]["status"] == "interrupted"


def test_stats_says_a_scan_running_in_another_process_runs(tmp_path: Path, capsys) -> None:
    db = tmp_path / "index.db"
    write_jpeg(tmp_path / "lib" / "IMG_1.jpg")
    with PhotoIndex.open(db) as index:
        scan(index, [tmp_path / "lib"])
    sleeper = _sleeper()
    try:
        with PhotoIndex.open(db) as index, index.transaction() as conn:
            conn.execute("INSERT INTO scan_runs (started_at, roots, status, pid, host, pid_started) "
                         "VALUES (?, '[]', 'running', ?, ?, ?)",
                         (time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()), sleeper.pid, socket.gethostname(),
                          psutil.Process(sleeper.pid).create_time()))
        assert "running since" in _last_scan_line(db, capsys)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert "interrupted" in _last_scan_line(db, capsys)


def test_stats_during_a_scan_in_this_process_says_it_runs(tmp_path: Path, capsys) -> None:
    db = tmp_path / "index.db"
    write_jpeg(tmp_path / "lib" / "IMG_1.jpg")
    seen: list[str] = []

    def progress(update) -> None:
        if not seen:
            seen.append(_last_scan_line(db, capsys))

    with PhotoIndex.open(db) as index:
        scan(index, [tmp_path / "lib"], progress=progress)
    assert "running since" in seen[0], seen
    assert "(done): 1 photo, 1 new" in _last_scan_line(db, capsys)


def test_stats_help_says_what_it_prints(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["stats", "--help"])
    text = capsys.readouterr().out
    description = text.split("\n\n")[1]
    assert not description.startswith(("options:", "positional")) and "last scan" in description, text


# -- review of these fixes (review_scan.md) ----------------------------------------

def labels_by_name(index: PhotoIndex) -> dict[str, tuple[int, str | None]]:
    return {Path(p.path).name: (p.id, p.label) for p in index.search()}


def test_a_photo_moved_now_is_not_joined_to_a_labelled_copy_a_killed_scan_indexed(tmp_path: Path) -> None:
    """Finding 1: a photo missing in this scan looks for its new place among this scan's
    photos, not among the killed scan's, where a copy the user labelled would lose its label."""
    lib, db, original, original_id = labelled_library(tmp_path, with_second=True)
    (lib / "album").mkdir()
    (lib / "album" / "cover.jpg").write_bytes(original.read_bytes())  # a copy, not a move
    killed_scan(db, lib)
    with PhotoIndex.open(db) as index:
        index.set_label(index.search("cover.jpg")[0].id, "Album cover")
    original.rename(lib / "rome" / "colosseum.jpg")
    with PhotoIndex.open(db) as index:
        scan(index, [lib])
        got = labels_by_name(index)
    assert got["colosseum.jpg"] == (original_id, "Colosseum")
    assert got["cover.jpg"][1] == "Album cover"


def test_an_owed_move_to_one_of_two_labelled_copies_is_left_to_the_user(tmp_path: Path) -> None:
    """Finding 1: a photo a killed scan owes is joined to a copy holding a word of the
    user's only when that copy is the one there is; with two, neither is guessed."""
    lib, db, old, old_id = labelled_library(tmp_path)
    (lib / "rome" / "a.jpg").write_bytes(old.read_bytes())
    old.rename(lib / "rome" / "b.jpg")
    killed_scan(db, lib)
    with PhotoIndex.open(db) as index:
        for name, label in (("a.jpg", "Arch of Titus"), ("b.jpg", "Trevi Fountain")):
            index.set_label(index.search(name)[0].id, label)
        scan(index, [lib])
        got = labels_by_name(index)
        assert index.conn.execute("SELECT label FROM labels WHERE photo_id = ?", (old_id,)).fetchone()[0] \
            == "Colosseum"
    assert (got["a.jpg"][1], got["b.jpg"][1]) == ("Arch of Titus", "Trevi Fountain")


def test_the_users_newer_label_on_the_new_place_stays(tmp_path: Path) -> None:
    """Finding 2: after the kill the user labels the moved photo again at its new place;
    the next scan joins the two rows and keeps that newer label, not the old one."""
    lib, db, old, old_id = labelled_library(tmp_path)
    old.rename(lib / "rome" / "trevi.jpg")
    killed_scan(db, lib)
    time.sleep(1.1)  # labels record the time to the second
    with PhotoIndex.open(db) as index:
        index.set_label(index.search("trevi.jpg")[0].id, "Trevi Fountain")
        scan(index, [lib])
        (photo,) = index.search("trevi.jpg")
    assert (photo.id, photo.label) == (old_id, "Trevi Fountain")


def _killed_scan_still_taken_for_running(tmp_path: Path) -> tuple[Path, Path, int]:
    """A labelled photo moved, and the scan that saw it killed; its row then reads as a
    scan still running (on another computer, started now), so the next scan leaves its
    moves alone."""
    lib, db, old, photo_id = labelled_library(tmp_path, with_second=True)
    old.rename(lib / "rome" / "colosseum.jpg")
    killed_scan(db, lib)
    with PhotoIndex.open(db) as index, index.transaction() as conn:
        conn.execute("UPDATE scan_runs SET host = 'another-computer', computer = 'id-of-another-computer', "
                     "started_at = ? WHERE status = 'running'",
                     (datetime.now(timezone.utc).isoformat(timespec="seconds"),))
    return lib, db, photo_id


def test_forget_missing_keeps_photos_whose_moves_a_scan_still_owes(tmp_path: Path, capsys) -> None:
    """Finding 4: `forget --missing` leaves out the photos a scan that did not finish
    still has to look for, and says so."""
    lib, db, photo_id = _killed_scan_still_taken_for_running(tmp_path)
    with PhotoIndex.open(db) as index:
        scan(index, [lib])
    capsys.readouterr()
    assert main(["--db", str(db), "forget", "--missing", "--yes"]) == 0
    err = capsys.readouterr().err
    with PhotoIndex.open(db) as index:
        assert index.conn.execute("SELECT label FROM labels WHERE photo_id = ?", (photo_id,)).fetchone() \
            == ("Colosseum",)
    assert "kept 1 missing photo: a scan that did not finish still has to look for where they went" in err, err


@pytest.mark.parametrize("recorded_start", [True, False], ids=["start time recorded", "row from before 17"])
def test_a_killed_scan_whose_pid_was_handed_out_again_is_taken_over(tmp_path: Path, capsys,
                                                                       recorded_start: bool) -> None:
    """Finding 3: a live process with the killed scan's pid (after a reboot, or later)
    is not the scan's when it started at another time than the one recorded, or, for a
    row from before start times were recorded, after the scan started."""
    lib, db, photo_id = _killed_scan_still_taken_for_running(tmp_path)
    sleeper = _sleeper()
    try:
        with PhotoIndex.open(db) as index, index.transaction() as conn:
            if recorded_start:  # the pid of this test's parent, which started long before
                conn.execute("UPDATE scan_runs SET host = ?, computer = ?, pid = ? WHERE status = 'running'",
                             (socket.gethostname(), computer_id(), psutil.Process().ppid()))
            else:  # a process started after the scan did
                conn.execute("UPDATE scan_runs SET host = ?, computer = ?, pid = ?, pid_started = NULL, started_at = ? "
                             "WHERE status = 'running'", (socket.gethostname(), computer_id(), sleeper.pid,
                                                          time.strftime("%Y-%m-%dT%H:%M:%S+00:00",
                                                                        time.gmtime(time.time() - 10))))
        assert "interrupted" in _last_scan_line(db, capsys)
        with PhotoIndex.open(db) as index:
            scan(index, [lib])
            (moved,) = index.search("colosseum.jpg")
        assert (moved.id, moved.label) == (photo_id, "Colosseum")
    finally:
        sleeper.kill()
        sleeper.wait()


def test_migration_17_records_the_scans_process_start(tmp_path: Path) -> None:
    """Since boot with the boot's id on Linux (migration 24), else psutil's create_time."""
    write_jpeg(tmp_path / "lib" / "IMG_1.jpg")
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [tmp_path / "lib"])
        pid, started, boot = index.conn.execute("SELECT pid, pid_started, pid_boot FROM scan_runs").fetchone()
    if sys.platform.startswith("linux"):
        since_boot = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
        assert (pid, started, boot) == (
            os.getpid(), since_boot, Path("/proc/sys/kernel/random/boot_id").read_text().strip())
    else:
        assert (pid, started, boot) == (os.getpid(), pytest.approx(psutil.Process().create_time(), abs=1), None)


def _as_killed_before_migration_16(db: Path, earlier_scans_at: str | None = "2026-01-01T00:00:00+00:00") -> None:
    """The index as a version before 16 left it when its last scan was killed before
    recognising moves: schema 15, no record of what the scan owed, its row 'running'
    without a process. `earlier_scans_at`: when the scans and photos before it were."""
    conn = sqlite3.connect(db)
    with conn:
        (killed,) = conn.execute("SELECT max(id) FROM scan_runs").fetchone()
        (before,) = conn.execute("SELECT photos_before FROM scan_runs WHERE id = ?", (killed,)).fetchone()
        if earlier_scans_at is not None:
            conn.execute("UPDATE scan_runs SET started_at = ?, finished_at = ? WHERE id < ?",
                         (earlier_scans_at, earlier_scans_at, killed))
            conn.execute("UPDATE photos SET added_at = ? WHERE id <= ?", (earlier_scans_at, before))
        conn.execute("DROP TABLE moves_pending")
        columns = {row[1] for row in conn.execute("PRAGMA table_info(scan_runs)")}
        for column in ("photos_before", "pid", "host", "pid_started", "pid_boot"):
            if column in columns:
                conn.execute(f"ALTER TABLE scan_runs DROP COLUMN {column}")
        conn.execute("PRAGMA user_version = 15")
    conn.close()


def test_a_scan_killed_before_migration_16_is_completed_after_the_upgrade(tmp_path: Path) -> None:
    """Upgrade finding 2: the scan after the upgrade joins the photos that scan moved."""
    lib, db, old, photo_id = labelled_library(tmp_path, with_second=True)
    old.rename(lib / "rome" / "colosseum.jpg")
    killed_scan(db, lib)
    _as_killed_before_migration_16(db)

    with PhotoIndex.open(db) as index:
        assert owed(index) == (1, 1)  # migration 18: what the old scan owed
        summary = scan(index, [lib])
        (moved,) = index.search("colosseum.jpg")
        assert (moved.id, moved.label) == (photo_id, "Colosseum")
        assert index.count("is:missing") == 0 and owed(index) == (0, 0)
        assert (summary.moved, summary.new, summary.missing) == (1, 0, 0)
        assert index.conn.execute("SELECT status FROM scan_runs ORDER BY id").fetchall()[-2:] == [
            ("interrupted",), ("done",)]


def test_a_scan_killed_before_migration_16_owes_nothing_when_its_times_are_unclear(tmp_path: Path) -> None:
    """The scan before it ended in the same second: which photos it brought in is a guess."""
    lib, db, old, _ = labelled_library(tmp_path, with_second=True)
    old.rename(lib / "rome" / "colosseum.jpg")
    killed_scan(db, lib)
    conn = sqlite3.connect(db)
    with conn:
        (started,) = conn.execute("SELECT started_at FROM scan_runs ORDER BY id DESC LIMIT 1").fetchone()
        conn.execute("UPDATE scan_runs SET finished_at = ? WHERE id = 1", (started,))
    conn.close()
    _as_killed_before_migration_16(db, earlier_scans_at=None)

    with PhotoIndex.open(db) as index:
        assert owed(index) == (0, 0)


def test_stats_tells_to_scan_again_with_the_index_it_was_given(tmp_path: Path, capsys) -> None:
    """Finding 9: the hint to complete an interrupted scan keeps --db."""
    db = tmp_path / "my index.db"
    write_jpeg(tmp_path / "lib" / "IMG_1.jpg")
    killed_scan(db, tmp_path / "lib")
    line = _last_scan_line(db, capsys)
    assert f"run `landmark-tagger --db '{db}' scan` again to complete it" in line, line


@symlinks
@pytest.mark.parametrize("file_link", ["latest.jpg", "A latest.jpg"])  # named before or after the folder link
def test_a_file_link_into_a_linked_folder_beside_it_is_one_photo(tmp_path: Path, index: PhotoIndex,
                                                                 file_link: str) -> None:
    """Finding 5: the folder links of a listing are claimed before its file links, so a
    file link into a linked folder is an alias, whatever the names."""
    lib = tmp_path / "Pictures"
    lib.mkdir()
    photo = write_jpeg(tmp_path / "Drive" / "Italy" / "DSC_0002.JPG", color=(9, 9, 9))
    (lib / "Italy").symlink_to(tmp_path / "Drive" / "Italy")
    (lib / file_link).symlink_to(photo)
    for _ in range(2):
        scan(index, [lib])
        assert present(index) == {str(lib / "Italy" / "DSC_0002.JPG")}


@symlinks
@pytest.mark.parametrize("inner", ["a", "c"])  # the inner link's folder listed before or after the outer link
def test_a_link_to_a_folder_holding_a_linked_folder_walks_the_rest(tmp_path: Path, index: PhotoIndex,
                                                                   inner: str) -> None:
    """Finding 6: a link to a folder that holds a folder walked through another link is
    walked; only that folder is left to the other link, so every photo is indexed once."""
    lib = tmp_path / "Pictures"
    (lib / inner).mkdir(parents=True)
    (lib / "b").mkdir()
    write_jpeg(tmp_path / "Drive" / "Italy" / "DSC_0002.JPG", color=(9, 9, 9))
    write_jpeg(tmp_path / "Drive" / "Spain" / "DSC_0003.JPG", color=(90, 9, 9))
    (lib / inner / "Italy").symlink_to(tmp_path / "Drive" / "Italy")
    (lib / "b" / "Drive").symlink_to(tmp_path / "Drive")
    scan(index, [lib])
    names = sorted(Path(p).name for p in present(index))
    assert names == ["DSC_0002.JPG", "DSC_0003.JPG"], present(index)
    assert str(lib / "b" / "Drive" / "Spain" / "DSC_0003.JPG") in present(index)


@symlinks
def test_a_link_spelled_in_another_case_into_the_library_is_not_walked(tmp_path: Path, index: PhotoIndex,
                                                                       monkeypatch) -> None:
    """Finding 8, on a simulated case-insensitive disk (macOS): a link whose text says
    `…/pictures/Rome` leads into the library folder `…/Pictures`; realpath keeps the
    link's spelling, the library keeps the disk's. Its photos are indexed once."""
    import app.core.path_case as path_case

    lib = tmp_path / "Pictures"
    write_jpeg(lib / "Rome" / "DSC_0001.JPG")
    (lib / "Best of").symlink_to(lib / "Rome")
    real, identity = os.path.realpath, path_case._identity
    # what macOS's realpath returns for the link, and its disk's answer for either spelling
    monkeypatch.setattr(os.path, "realpath",
                        lambda p, *a, **k: real(p, *a, **k).replace("/Pictures/Rome", "/pictures/Rome"))
    monkeypatch.setattr(path_case, "_identity",
                        lambda p: identity(Path(str(p).replace("/pictures", "/Pictures"))))
    scan(index, [lib])
    assert present(index) == {str(lib / "Rome" / "DSC_0001.JPG")}


def test_a_process_that_cannot_be_asked_is_not_taken_for_a_running_scan(monkeypatch) -> None:
    """A killed scan's id handed to a system process (macOS, Windows refuse to tell its
    start time): the scan is not taken for running, so its owed moves are not left for ever."""
    from app.core.index import scan_runs

    class SystemProcess:
        def __init__(self, pid: int) -> None:
            raise psutil.AccessDenied(pid)

    monkeypatch.setattr(scan_runs.psutil, "Process", SystemProcess)
    assert not scan_runs.process_alive(4242, pid_started=1_700_000_000.0)
    assert not scan_runs.process_alive(4242, pid_started=None, run_started=datetime.now(timezone.utc))
