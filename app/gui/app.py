"""Starting the desktop app: the QApplication, the theme, the index and the window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Platforms that draw without a display server (tests, screenshots, remote sessions).
HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb")


def display_available() -> bool:
    """False on Linux/BSD with no X11 or Wayland display and no headless Qt platform asked for."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return True
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0].strip()
    if platform in HEADLESS_PLATFORMS:
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def create_application(argv: list[str] | None = None):
    """The QApplication (reused when one exists), themed."""
    from PySide6.QtWidgets import QApplication

    from app.gui.icons import icon
    from app.gui.theme import apply_dark_theme

    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationName("Landmark Tagger")
    app.setOrganizationName("landmark-tagger")
    app.setWindowIcon(icon("app"))
    apply_dark_theme(app)
    return app


def preload_job_modules() -> None:
    """Import the tagging stack now, before the window shows.

    Initialising C extensions (numpy, onnxruntime, onnx) holds Python's GIL for up
    to ~100 ms each; done inside a job's worker thread that would freeze the GUI
    thread that long. At start-up it only delays the first paint a little.
    """
    import importlib

    for name in ("numpy", "onnxruntime", "onnx", "model.bundle", "model.predictor", "app.core.tagging",
                 "app.core.metadata"):
        try:
            importlib.import_module(name)
        except ImportError:
            continue  # the job that needs it reports the problem when it runs


def open_main_window(db_path: Path, folder: Path | None = None):
    """Open the index and build the main window (adding `folder` when given).

    Raises IndexStoreError when the index cannot be opened."""
    from app.core.index import PhotoIndex
    from app.core.settings import load_settings_or_defaults
    from app.gui.main_window import MainWindow
    from app.gui.upgrade_window import UpgradeWindow

    preload_job_modules()
    upgrade_window = UpgradeWindow()  # shown only while an older index is upgraded
    try:
        index = PhotoIndex.open(db_path, upgrade_window)
    finally:
        upgrade_window.close()
    # a damaged settings file must not keep the app closed, nor be written over: kept aside
    settings, problem = load_settings_or_defaults()
    window = MainWindow(index, db_path, settings)
    if problem:
        window.errors_panel.add_problem(None, "settings", problem)
    if folder is not None:
        window.add_folder(folder)
    return window


def run_gui(db_path: Path, folder: Path | None = None) -> int:
    """Show the window and run the event loop; returns the exit code. An index that
    cannot be opened is explained in a dialog (started from a desktop icon, nobody
    reads stderr) and on stderr, and the exit code is 2, or 75 (EX_TEMPFAIL, as the
    command line's) when another program holds it: a later try works."""
    from app.core.errors import IndexBusyError, IndexStoreError

    app = create_application()
    try:
        window = open_main_window(db_path, folder)
    except IndexStoreError as error:
        from PySide6.QtWidgets import QMessageBox

        print(f"landmark-tagger: error: {error}", file=sys.stderr)
        QMessageBox.critical(None, "Landmark Tagger cannot open its index", str(error))
        return 75 if isinstance(error, IndexBusyError) else 2
    window.show()
    if folder is None:  # a folder given is read anyway
        window.check_library_folders()
    _in_the_background(prune_thumbnail_cache, "prune-thumbnails")
    _in_the_background(lambda: backup_if_due(db_path), "backup-index")
    return end_of_run(window, app.exec())


def end_of_run(window, code: int) -> int:
    """After the event loop: close the window's index, and where a job's worker is still
    stuck in a file past the close's wait, end the process (quit_leaving_stuck_job);
    else return `code` for a normal exit."""
    window.index.close()
    if not window.jobs.runner.wait(0):
        quit_leaving_stuck_job(code)
    return code


def quit_leaving_stuck_job(code: int) -> None:
    """End the process while a job's worker is still stuck in a file (a write to a network
    share that stopped answering, past the close's wait): Python's exit would wait for that
    thread forever (Qt's pool waits for its threads). Ending here is what a kill does, which
    the journal recovers from: the worker's entry for the file is begun before its rename,
    its connection is its own, and the window's was closed just before."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def prune_thumbnail_cache() -> None:
    """Keep the thumbnail cache under its size limit (app.core.thumbnails); a crash
    mid-way only leaves thumbnails to be made again."""
    from app.core.thumbnails import prune_thumbnail_cache as prune

    prune()


def backup_if_due(db_path: Path) -> None:
    """A weekly copy of the index beside it (app.core.index.backup)."""
    from app.core.index.backup import backup_quietly

    backup_quietly(db_path)


def _in_the_background(task, name: str) -> None:
    """Housekeeping without holding up the window: a plain daemon thread touching no Qt object."""
    import threading

    threading.Thread(target=task, name=name, daemon=True).start()
