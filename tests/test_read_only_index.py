"""An index file the user may not write (a backup restored read-only, a NAS share mounted
read-only; found by the upgrade tester): one made by an older version is refused in one
line saying it must be upgraded and cannot be, a current one is searched as it is, and
the -wal and -shm SQLite makes beside it with the file's read-only permissions (empty:
nothing is written) no longer keep the index refusing every write once the user has
made it writable. Permissions are those of an ordinary owner (write access from the owner's
write bit), since root may write any file; the last test checks the real thing."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.errors import IndexStoreError
from app.core.index import PhotoIndex
from app.core.index.backup import backup_if_due, backups, is_upgrade_copy
from app.core.index.schema import LATEST_VERSION
from tests.test_index import _index_at_version
from tests.test_index_disk_trouble import run_cli
from tests.test_index_support import write_jpeg

OLD = LATEST_VERSION - 3
REPO = Path(__file__).resolve().parents[1]


def _version(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def as_owner(monkeypatch):
    """Write access as an ordinary owner has it: the owner's write bit decides."""
    real_access = os.access

    def access(path, mode, **kwargs):
        if mode & os.W_OK and os.path.isfile(path):
            return bool(os.stat(path).st_mode & stat.S_IWUSR) and real_access(path, mode, **kwargs)
        return real_access(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)


def _old_index(tmp_path: Path) -> Path:
    db = tmp_path / "lib" / "index.db"
    db.parent.mkdir()
    with pytest.MonkeyPatch.context() as schema_at_old:  # (its undo leaves the test's own patches)
        _index_at_version(db, schema_at_old, OLD, [("/lib/Petra", "DSC_0001", "2020-11-03T10:00:00")],
                          [("Petra", None, "user", "accepted")])
    return db


def _current_index(tmp_path: Path, capsys) -> Path:
    db = tmp_path / "Trips #1 ?50% off" / "index.db"  # (characters a file URI must encode)
    db.parent.mkdir()
    write_jpeg(tmp_path / "photos" / "DSC_0001.JPG")
    assert run_cli(capsys, "--db", str(db), "scan", str(tmp_path / "photos"))[0] == 0
    assert run_cli(capsys, "--db", str(db), "label", "", "Petra")[0] == 0
    return db


def _beside(db: Path) -> set[str]:
    return {path.name for path in db.parent.iterdir()}


def _nothing_but_an_empty_wal_beside(db: Path, *others: str) -> bool:
    """What a read-only open (`mode=ro`) may leave: SQLite's -wal, holding nothing, and its
    -shm (with the file's read-only permissions, which a later writable open puts right)."""
    wal = Path(f"{db}-wal")
    return (_beside(db) - {"index.db-wal", "index.db-shm"} == {"index.db", *others}
            and (not wal.exists() or wal.stat().st_size == 0))


@pytest.mark.parametrize("command", [["stats"], ["search", "petra"], ["label", "", "Colosseum"], ["open"]])
def test_an_older_index_that_is_read_only_is_refused_as_such_and_nothing_is_made_beside_it(
        tmp_path, capsys, as_owner, command) -> None:
    db = _old_index(tmp_path)
    before = db.read_bytes()
    db.chmod(0o444)
    if command == ["open"]:  # the app's open (its dialog shows the same text)
        with pytest.raises(IndexStoreError) as raised:
            PhotoIndex.open(db)
        err = f"landmark-tagger: error: {raised.value}\n"
    else:
        code, _, err = run_cli(capsys, "--db", str(db), *command)
        assert code == 2
    assert err == (f"landmark-tagger: error: {db} was made by an older version of landmark-tagger (schema {OLD}) "
                   "and must be upgraded, but it is read-only: make it writable (the file's permissions or "
                   "Read-only attribute, or the disk or share it is on) and run the command again\n")
    assert _nothing_but_an_empty_wal_beside(db)  # no folder of copies
    assert db.read_bytes() == before
    db.chmod(0o644)  # the user makes it writable: the next command upgrades it
    code, out, _ = run_cli(capsys, "--db", str(db), "search", "petra")
    assert code == 0 and out
    assert _version(db) == LATEST_VERSION
    assert [is_upgrade_copy(copy) for copy in backups(db)] == [True]


@pytest.mark.gui
def test_the_apps_dialog_says_the_same_line(tmp_path, monkeypatch, capsys, as_owner) -> None:
    pytest.importorskip("pytestqt")
    from PySide6.QtWidgets import QMessageBox

    from app.gui import app as gui_app

    db = _old_index(tmp_path)
    db.chmod(0o444)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    real_open = gui_app.open_main_window

    def opened_instead(*args):  # a window opened would run the event loop until closed by hand
        from tests.test_gui_support import close_main_window

        close_main_window(real_open(*args))
        raise AssertionError("the read-only older index was opened")

    monkeypatch.setattr(gui_app, "open_main_window", opened_instead)
    assert gui_app.run_gui(db) == 2
    assert shown == [f"{db} was made by an older version of landmark-tagger (schema {OLD}) and must be upgraded, "
                     "but it is read-only: make it writable (the file's permissions or Read-only attribute, or the "
                     "disk or share it is on) and run the command again"]
    assert _nothing_but_an_empty_wal_beside(db)


def test_a_current_index_that_is_read_only_is_searched_and_a_change_is_refused_as_such(
        tmp_path, capsys, as_owner) -> None:
    db = _current_index(tmp_path, capsys)
    before = db.read_bytes()
    db.chmod(0o444)
    leftovers = _beside(db)
    assert run_cli(capsys, "--db", str(db), "search", "--count", "label:petra")[1].strip() == "1"
    assert run_cli(capsys, "--db", str(db), "stats")[0] == 0
    for command in (["label", "", "Colosseum"], ["scan", str(tmp_path / "photos")], ["accept", ""]):
        code, _, err = run_cli(capsys, "--db", str(db), *command)
        assert code == 2 and err == (
            f"landmark-tagger: error: the index {db} is read-only, so it cannot be changed (searching it works): "
            "make it writable (the file's permissions or Read-only attribute, or the disk or share it is on) "
            "and run the command again\n"), command
    assert _beside(db) - {"index.db-wal", "index.db-shm"} == leftovers and db.read_bytes() == before
    assert backup_if_due(db) is None  # nothing can change it: no weekly copy of it either
    db.chmod(0o644)
    assert run_cli(capsys, "--db", str(db), "label", "", "Colosseum")[0] == 0


def test_an_open_that_left_a_read_only_wal_and_shm_no_longer_keeps_the_index_from_being_written(
        tmp_path, capsys, as_owner) -> None:
    """What an open of a read-only index by an earlier version left (SQLite gave both the
    file's 0444) once the user made the index writable again."""
    db = _current_index(tmp_path, capsys)
    holder = sqlite3.connect(db)  # keeps the -wal and -shm there, as the earlier open left them
    holder.execute("SELECT count(*) FROM photos").fetchone()
    journals = [Path(f"{db}-wal"), Path(f"{db}-shm")]
    for journal in journals:
        journal.chmod(0o444)
    try:
        assert run_cli(capsys, "--db", str(db), "label", "", "Colosseum")[0] == 0
        assert [stat.S_IMODE(journal.stat().st_mode) for journal in journals] == [stat.S_IMODE(db.stat().st_mode)] * 2
    finally:
        holder.close()
    assert run_cli(capsys, "--db", str(db), "search", "--count", "label:colosseum")[1].strip() == "1"


def test_a_read_only_index_whose_wal_holds_changes_is_read_with_them(tmp_path, capsys, as_owner) -> None:
    """A -wal holding frames (a writer of another user, one cut short) is read, not skipped."""
    db = _current_index(tmp_path, capsys)
    writer = sqlite3.connect(db)
    try:
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        writer.execute("UPDATE labels SET label = 'Colosseum', label_key = 'colosseum'")
        writer.commit()
        assert Path(f"{db}-wal").stat().st_size > 0
        db.chmod(0o444)
        with PhotoIndex.open(db) as index:
            assert [record.label for record in index.search("")] == ["Colosseum"]
    finally:
        writer.close()


def _as_an_ordinary_user() -> list[str]:
    """The command prefix that runs a program without root's power to write any file."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("runs as root and setpriv is not there to drop the right to write any file")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner,-linux_immutable", "--"]


def test_with_real_permissions_an_older_read_only_index_works_once_made_writable(tmp_path, monkeypatch) -> None:
    db = _old_index(tmp_path)
    prefix = _as_an_ordinary_user()
    env = {**os.environ, "PYTHONPATH": str(REPO), "LANDMARK_TAGGER_HOME": str(tmp_path / "home")}

    def cli(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run([*prefix, sys.executable, "-m", "app", "--db", str(db), *argv], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=120)

    db.chmod(0o444)
    refused = cli("stats")
    assert refused.returncode == 2 and "must be upgraded, but it is read-only" in refused.stderr
    assert _nothing_but_an_empty_wal_beside(db)
    db.chmod(0o644)
    upgraded = cli("stats")
    assert upgraded.returncode == 0, upgraded.stderr
    db.chmod(0o444)  # the upgraded index read-only again: read, and nothing left beside it
    assert cli("search", "--count", "petra").stdout.strip() == "1"
    assert _nothing_but_an_empty_wal_beside(db, "index.db.backups")
    db.chmod(0o644)
    labelled = cli("label", "petra", "Colosseum")
    assert labelled.returncode == 0, labelled.stderr


def test_the_app_on_a_read_only_index_says_so_instead_of_a_failed_folder_check(qtbot, tmp_path, capsys,
                                                                               as_owner) -> None:
    from app.gui.app import create_application, open_main_window
    from tests.test_gui_support import wait_for_results
    from tests.test_gui_support import close_main_window

    db = _current_index(tmp_path, capsys)
    db.chmod(0o444)
    create_application()
    window = open_main_window(db)
    qtbot.addWidget(window)
    wait_for_results(qtbot, window)
    assert not window.check_library_folders()  # no job that could only fail with "read-only"
    assert "index is read-only: you can browse and search it" in window.statusBar().currentMessage()
    assert not any("read-only" in str(problem) for problem in window.errors_panel.problems())
    close_main_window(window)


def test_the_app_on_a_read_only_index_greys_out_every_change_and_refuses_the_other_ways_in_its_words(
        qtbot, tmp_path, capsys, monkeypatch, as_owner) -> None:
    """L on such an index said "Labelled …; learning from it…", then the command line's
    "… and run the command again", and each try of L, A, Tag, Write… left a row in Problems."""
    from app.gui.label_dialog import LabelDialog
    from app.gui.read_only_index import changing_actions
    from tests.test_gui_support import close_main_window, shown_window

    db = _current_index(tmp_path, capsys)
    db.chmod(0o444)
    window = shown_window(qtbot, db)
    monkeypatch.setattr(LabelDialog, "exec", lambda dialog: pytest.fail("a dialog for a change that cannot be kept"))
    window.grid.setCurrentIndex(window.grid_model.index(0))
    photo, earlier = window.grid_model.photo_id(0), window.errors_panel.problems()
    for action in changing_actions(window):
        assert not action.isEnabled(), action.text()
        assert "read-only" in action.toolTip(), action.text()
    assert window.similar_action.isEnabled() and window.find_action.isEnabled()  # browsing stays
    for change in (window.relabel_selected, window.accept_selected, window.write_labels, window.tag_folder,
                   window.jobs_undo, window.teach_selected, window.find_suggestions,
                   lambda: window.add_folder(tmp_path)):
        window.statusBar().clearMessage()
        assert not change()
        assert not window.jobs.busy
        said = window.statusBar().currentMessage()
        assert said.startswith("This library's index is read-only: you can browse and search it"), said
        assert "command" not in said and "Labelled" not in said
    assert window.errors_panel.problems() == earlier  # (the CLI label's, of a blank frame)
    assert window.index.get(photo).label == "Petra"
    close_main_window(window)


def test_the_taught_places_dialog_on_a_read_only_index_greys_out_rename_and_forget(qtbot, tmp_path, capsys,
                                                                                  as_owner) -> None:
    """Forget… there stayed clickable: it asked "Stop recognising …?", then showed the
    command line's "… and run the command again"."""
    from tests.test_gui_support import close_main_window, shown_window

    db = _current_index(tmp_path, capsys)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("INSERT INTO taught_refs (label, photo_id, model_id) SELECT 'Lakeview', id, 'm' FROM photos")
    conn.close()
    db.chmod(0o444)
    window = shown_window(qtbot, db)
    dialog = window.taught_places_dialog()
    qtbot.addWidget(dialog)
    assert dialog.current_label() == "Lakeview"
    assert dialog.show_button.isEnabled()  # browsing stays
    for button in (dialog.rename_button, dialog.forget_button):
        assert not button.isEnabled(), button.text()
        assert "read-only" in button.toolTip(), button.text()
    window.jobs.job_stopped.disconnect(dialog.reload_after_job)
    close_main_window(window)
