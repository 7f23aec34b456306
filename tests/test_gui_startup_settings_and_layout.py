"""Starting the app (no display, damaged index or settings), its settings, window layout, status line, wording."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from app.core.index import PhotoIndex  # noqa: E402
from tests.test_gui_support import close_main_window, make_photo_folder, window  # noqa: E402,F401

pytestmark = pytest.mark.gui


def test_gui_command_without_a_display_prints_one_line_and_exits_2(monkeypatch, capsys) -> None:
    from app.cli.main import main

    monkeypatch.setattr("sys.platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert main(["gui"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["no display found; use the CLI instead: landmark-tagger tag FOLDER (reads the folder and tags "
                   "its photos; `landmark-tagger --help` lists the other commands)"]
    # `make run` starts .venv/bin/landmark-tagger, which no shell finds by its bare name
    monkeypatch.setattr("sys.argv", [".venv/bin/landmark-tagger", "gui", "My Photos"])
    monkeypatch.setenv("PATH", "/nonexistent")
    assert main(["gui"]) == 2
    assert capsys.readouterr().err.startswith(
        "no display found; use the CLI instead: .venv/bin/landmark-tagger tag FOLDER")


def test_a_damaged_index_is_explained_in_a_dialog(qtbot, tmp_path, monkeypatch, capsys) -> None:
    """Started from a desktop icon, nobody reads stderr."""
    from PySide6.QtWidgets import QMessageBox

    from app.cli.main import main

    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append((title, text)))
    damaged = tmp_path / "index.db"
    damaged.write_bytes(b"SQLite format 3\x00" + b"not an index" * 100)
    assert main(["--db", str(damaged), "gui"]) == 2
    ((title, text),) = shown
    assert "cannot open its index" in title and str(damaged) in text and "scan your folders again" in text
    assert str(damaged) in capsys.readouterr().err


def test_settings_are_saved_from_the_dialog(qtbot, window, monkeypatch) -> None:
    from app.core.settings import load_settings
    from app.gui import main_window
    from app.gui.settings_dialog import SettingsDialog

    def choose(dialog: SettingsDialog) -> int:
        dialog.use_bundle_threshold.setChecked(False)
        dialog.threshold.setValue(0.35)
        dialog.sidecar.setCurrentIndex(dialog.sidecar.findData("stem"))
        dialog.write_into_jpeg.setChecked(False)
        return SettingsDialog.DialogCode.Accepted

    monkeypatch.setattr(main_window.SettingsDialog, "exec", choose)
    messages = []
    monkeypatch.setattr(window, "show_message", messages.append)
    window.settings_action.trigger()
    saved = load_settings()
    assert (saved.threshold, saved.sidecar_naming, saved.write_into_jpeg) == (0.35, "stem", False)
    assert window.settings == saved
    assert "Tag your folders again" in messages[-1]  # a new threshold reaches tagged photos at the next Tag
    window.settings_action.trigger()  # the same choices again: nothing to re-apply
    assert messages[-1] == "Settings saved."


def test_jobs_take_their_options_from_the_settings(tmp_path) -> None:
    from app.core.decode_workers import usable_cpus
    from app.core.settings import AppSettings
    from app.gui.job_work import tag_options, write_options

    settings = AppSettings(model_bundle=str(tmp_path / "m.ltbundle"), threshold=0.4, sidecar_naming="stem",
                           write_into_jpeg=False)
    tag = tag_options(settings)
    assert (tag.model, tag.threshold, tag.retag) == (tmp_path / "m.ltbundle", 0.4, False)
    assert tag.workers == tag.threads == max(1, usable_cpus() - 1)  # a core stays free for the GUI
    write = write_options(settings)
    assert (write.sidecar_naming, write.write_into_jpeg, write.keep_mtime) == ("stem", False, True)
    assert tag_options(AppSettings()).model is None  # the default bundle


def test_a_damaged_settings_file_opens_the_app_with_defaults_and_says_so(qtbot, tmp_path) -> None:
    from app.core.settings import AppSettings, settings_path
    from app.gui.app import create_application, open_main_window

    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text("{broken")
    create_application()
    win = open_main_window(tmp_path / "index.db")
    qtbot.addWidget(win)
    try:
        assert win.settings == AppSettings()
        assert any("settings.json" in message for _path, _stage, message in win.errors_panel.problems())
    finally:
        close_main_window(win)


def test_the_window_layout_is_remembered(qtbot, tmp_path) -> None:
    from app.core.settings import load_settings
    from app.gui.app import create_application, open_main_window

    create_application()
    first = open_main_window(tmp_path / "index.db")
    qtbot.addWidget(first)
    first.show()
    first.resize(1300, 700)
    first.errors_dock.show()
    size = (first.width(), first.height())
    first.close()
    assert load_settings().window_state
    second = open_main_window(tmp_path / "index.db")
    qtbot.addWidget(second)
    second.show()
    try:
        # the offscreen screen is small, so Qt may narrow a restored window to fit it
        assert second.height() == size[1] and second.width() <= size[0]
        assert second.errors_dock.isVisible()
    finally:
        for win in (first, second):
            close_main_window(win)


def test_a_long_status_message_is_not_cut_under_the_counts_they_make_room_until_it_goes(qtbot, window) -> None:
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.status_label.text() != "")
    long_message = ("Wrote labels into 12 photos (3 sidecar files); 2 files changed on disk since the scan were left "
                    "alone: read their folders again and write once more")
    window.show_message(long_message)
    assert window.statusBar().currentMessage() == long_message
    assert not window.status_label.isVisible()  # the counts were drawn over the message's end
    assert window.statusBar().toolTip() == long_message
    window.statusBar().clearMessage()
    assert window.status_label.isVisible()
    window.show_message("Accepted 1 photo")  # a short one fits beside them
    assert window.status_label.isVisible()


def test_the_window_fits_a_small_laptop_screen(qtbot, window) -> None:
    """It opened at 1400 × 900 whatever the screen, and could not be narrower than about
    1,060 px (a long line of text here and there held it), Settings falling off the
    toolbar; now it opens within the screen, narrows to under 1,024 px, and the toolbar
    shows icons only when narrow."""
    from PySide6.QtCore import QSize

    from app.gui.job_runner import JobProgress
    from app.gui.main_window import first_window_size

    assert first_window_size(QSize(1280, 760)) == QSize(1177, 699)
    assert first_window_size(QSize(2560, 1400)) == QSize(1400, 900)
    assert first_window_size(None) == QSize(1400, 900)
    for page in (window.grid_action, window.review_action):
        page.trigger()
        assert window.minimumSizeHint().width() <= 1024
    window.job_bar.begin("Tagging the library's folders")
    window.job_bar.update_progress(JobProgress(done=12_345, total=100_000, message="", rate=35.2, eta_s=7_560.0))
    assert window.minimumSizeHint().width() <= 1024  # a job's bar with its figures (it reached 1,059)
    assert window.job_bar.detail.full_text().startswith("12,345 / 100,000  ·  ETA 2:06:00")
    window.job_bar.end()
    window.resize(1000, 700)
    qtbot.waitUntil(lambda: window.toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly, timeout=3000)
    window.resize(1400, 900)
    qtbot.waitUntil(lambda: window.toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon,
                    timeout=3000)
    settings_button = window.toolbar.widgetForAction(window.settings_action)
    assert settings_button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly


def test_the_cores_messages_name_the_apps_actions_not_commands(tmp_path, monkeypatch) -> None:
    """The Problems panel and the status bar said "run 'scan' again, then 'write'" or
    "`landmark-tagger relocate OLD NEW`": commands the app's user has no shell for."""
    import shutil

    from app.core.metadata import WriteOptions, plan_writes, write_labels
    from app.core.scanner import scan
    from PIL import Image

    from app.gui.app_words import in_app_words
    from tests.test_metadata_support import add_photo, make_jpeg

    with PhotoIndex.open(tmp_path / "index.db") as index:
        photo = make_jpeg(tmp_path / "a.jpg")
        add_photo(index, [photo], "Petra")
        photo.write_bytes(photo.read_bytes() + b"edited elsewhere")  # after it was indexed
        summary = write_labels(index, plan_writes(index, "", False, WriteOptions()), WriteOptions())
        (_path, message), = summary.errors
        assert "`landmark-tagger scan" in message  # the core's words, for the terminal
        shown = in_app_words(message)
        assert shown.endswith("read its folder again (Tag folder), then Write labels… again")

        library = tmp_path / "library"
        make_photo_folder(library, 1)
        scan(index, [library])
        shutil.rmtree(library)  # a drive not connected, or a folder that moved
        scan(index, [library])
        message = index.errors(stage="scan")[0].message
        assert "landmark-tagger relocate" in message
        shown = in_app_words(message)
        assert "landmark-tagger" not in shown and shown.endswith("Locate folder… in its menu follows it.")
        assert in_app_words("run `landmark-tagger tag FOLDER` first (suggest compares …)").startswith(
            "tag the folders first (Tag folder)")

        named = tmp_path / "names"  # a name too long to add `.xmp` to; two photos sharing a sidecar
        named.mkdir()
        long_png = named / ("长城" * 41 + "xy.png")  # 252 bytes
        Image.new("RGB", (40, 30)).save(long_png)
        Image.new("RGB", (40, 30)).save(named / "IMG_1.png")
        Image.new("RGB", (40, 30), (9, 9, 9)).save(named / "IMG_1.tif")
        scan(index, [named])
        for record in index.search("folder:names"):
            index.set_label(record.id, "Great Wall of China", source="user", state="accepted")
        problems = [item.problem for item in plan_writes(index, "folder:names", False, WriteOptions(sidecar_naming="stem"))
                    + plan_writes(index, "folder:names", False, WriteOptions()) if item.problem]
        assert len(problems) == 2 and all("--sidecar-naming" in problem for problem in problems)
        assert all("--" not in in_app_words(problem) and "in Settings" in in_app_words(problem) for problem in problems)

        # a model bundle gone since it was chosen, no default bundle, relocating onto a library folder
        import model.bundle
        from app.core import tagging
        from app.core.errors import TaggerError
        from app.core.relocate import relocate_folder
        from model.errors import ModelError

        other = tmp_path / "other"
        make_photo_folder(other, 1)
        scan(index, [other])
        monkeypatch.setattr(model.bundle, "default_bundle_path", lambda: tmp_path / "no" / "default.ltbundle")
        failures = []
        for attempt in (lambda: model.bundle.load_bundle(tmp_path / "usb" / "landmarks-v2.ltbundle"),
                        lambda: tagging.load_tag_bundle(None),
                        lambda: relocate_folder(index, library, other)):
            with pytest.raises((TaggerError, ModelError)) as raised:
                attempt()
            failures.append(str(raised.value))
        assert "landmark-tagger" in failures[0] and "--model" in failures[1]  # the CLI's words, in the core
        for failure in failures:
            shown = in_app_words(failure)
            assert "landmark-tagger" not in shown and "--" not in shown, shown
        assert "Remove from library…" in in_app_words(failures[2])


def test_file_pickers_are_the_systems_own_on_macos_and_windows(monkeypatch) -> None:
    """The app forced Qt's own dialog everywhere: on a Mac or a PC no Finder or Explorer
    sidebar, iCloud, OneDrive or network places. Linux keeps Qt's (the desktop's dialog
    needs a portal that is not always there)."""
    from PySide6.QtWidgets import QFileDialog

    from app.gui import file_dialogs

    for platform, native in (("darwin", True), ("win32", True), ("linux", False)):
        monkeypatch.setattr(file_dialogs.sys, "platform", platform)
        options = file_dialogs.picker_options(folders_only=True)
        assert bool(options & QFileDialog.Option.DontUseNativeDialog) is not native, platform
        assert options & QFileDialog.Option.ShowDirsOnly
    assert not file_dialogs.picker_options() & QFileDialog.Option.ShowDirsOnly
