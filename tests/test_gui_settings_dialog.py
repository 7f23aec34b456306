"""The settings dialog's model-bundle list (pytest-qt, offscreen): the bundles the app
knows are offered by name, corrupt ones are shown disabled with their error, Browse… adds
a file, and the choice is stored as a path (None for the default bundle)."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402

from app.core.config import data_dir  # noqa: E402
from app.core.settings import AppSettings  # noqa: E402
from tests.test_gui_support import close_main_window  # noqa: E402

pytestmark = pytest.mark.gui


def user_models() -> Path:
    folder = data_dir() / "models"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def installed_tiny(tiny_bundle) -> Path:
    """The tiny bundle copied into the user's models folder (LANDMARK_TAGGER_HOME is a temp folder)."""
    return Path(shutil.copy(tiny_bundle.path, user_models() / "tiny.ltbundle")).resolve()


def corrupt_bundle(folder: Path) -> Path:
    path = folder / "broken.ltbundle"
    path.write_bytes(b"this is not a zip file")
    return path


def open_dialog(qtbot, settings: AppSettings):
    from app.gui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.bundle_chooser.is_listed, timeout=20000)
    return dialog


def entry(dialog, text_start: str):
    matches = [item for item in dialog.bundle_chooser.items() if item[0].startswith(text_start)]
    assert len(matches) == 1, dialog.bundle_chooser.items()
    return matches[0]


def test_the_list_shows_the_default_bundle_and_one_in_the_user_models_folder(qtbot, tiny_bundle) -> None:
    from model.bundle import default_bundle_path
    from model.bundle_listing import validate_bundle

    installed_tiny(tiny_bundle)
    dialog = open_dialog(qtbot, AppSettings())
    default = validate_bundle(default_bundle_path())
    assert default.error is None, "the repository's default bundle should be usable"
    items = dialog.bundle_chooser.items()
    text, path, enabled, tooltip = items[0]  # the default comes first and is the current choice
    assert text == (f"{default.name} in {default_bundle_path().name} — {default.num_classes} landmarks, "
                    f"{default.input_size} px ({default.id})  ★ default")
    assert (path, enabled, tooltip) == (None, True, str(default_bundle_path()))
    assert dialog.bundle_chooser.combo.currentIndex() == 0
    assert entry(dialog, "tiny")[:3] == (f"tiny in tiny.ltbundle — 3 landmarks, 64 px ({tiny_bundle.id})",
                                         str(user_models().resolve() / "tiny.ltbundle"), True)
    assert dialog.bundle_chooser.problem.isHidden()


def test_choosing_a_bundle_and_saving_stores_its_path(qtbot, tiny_bundle, tmp_path, monkeypatch) -> None:
    """Through the main window, as a user would: the path lands in settings.json."""
    from app.core.settings import load_settings
    from app.gui import main_window
    from app.gui.app import create_application, open_main_window
    from app.gui.settings_dialog import SettingsDialog

    tiny = installed_tiny(tiny_bundle)

    def choose_tiny(dialog: SettingsDialog) -> int:
        qtbot.waitUntil(lambda: dialog.bundle_chooser.is_listed, timeout=20000)
        assert dialog.bundle_chooser.choose(str(tiny))
        return SettingsDialog.DialogCode.Accepted

    monkeypatch.setattr(main_window.SettingsDialog, "exec", choose_tiny)
    create_application()
    win = open_main_window(tmp_path / "index.db")
    qtbot.addWidget(win)
    try:
        win.settings_action.trigger()
        assert load_settings().model_bundle == str(tiny)
        assert win.settings.model_bundle == str(tiny)
    finally:
        qtbot.waitUntil(lambda: not win.results.busy, timeout=20000)
        close_main_window(win)


def test_choosing_the_default_stores_none_and_an_untouched_choice_is_kept(qtbot, tiny_bundle) -> None:
    tiny = installed_tiny(tiny_bundle)
    settings = AppSettings(model_bundle=str(tiny), threshold=0.3, sidecar_naming="stem", write_into_jpeg=False,
                           check_folders_at_start=False)
    dialog = open_dialog(qtbot, settings)
    assert dialog.bundle_chooser.combo.currentText().startswith("tiny in tiny.ltbundle — ")
    assert dialog.settings() == settings  # nothing touched, nothing changed
    assert dialog.bundle_chooser.choose(None)
    dialog.accept()
    assert dialog.settings() == AppSettings(model_bundle=None, threshold=0.3, sidecar_naming="stem",
                                            write_into_jpeg=False, check_folders_at_start=False)
    dialog.check_folders_at_start.setChecked(True)
    assert dialog.settings().check_folders_at_start


def test_a_corrupt_bundle_is_listed_disabled_with_its_error_and_the_dialog_still_works(qtbot, tiny_bundle) -> None:
    tiny = installed_tiny(tiny_bundle)
    broken = corrupt_bundle(user_models())
    dialog = open_dialog(qtbot, AppSettings())
    text, path, enabled, tooltip = entry(dialog, "broken.ltbundle")
    assert (text, enabled) == ("broken.ltbundle — unusable", False)
    assert tooltip == f"This file is not a Landmark Tagger model ({broken})."
    assert not dialog.bundle_chooser.choose(str(broken))
    assert dialog.settings().model_bundle is None
    assert dialog.bundle_chooser.choose(str(tiny))
    assert dialog.settings().model_bundle == str(tiny)


def test_a_corrupt_current_bundle_stays_chosen_and_is_explained(qtbot, tmp_path) -> None:
    """A setting is never changed behind the user's back, but its problem is visible."""
    broken = corrupt_bundle(tmp_path)
    dialog = open_dialog(qtbot, AppSettings(model_bundle=str(broken)))
    chooser = dialog.bundle_chooser
    assert chooser.combo.currentText() == "broken.ltbundle — unusable"
    assert not chooser.problem.isHidden() and "not a Landmark Tagger model" in chooser.problem.text()
    assert dialog.settings().model_bundle == str(broken)
    assert chooser.choose(None)
    assert chooser.problem.isHidden()


def test_browse_adds_a_bundle_file_and_refuses_a_corrupt_one(qtbot, tiny_bundle, tmp_path, monkeypatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    elsewhere = Path(shutil.copy(tiny_bundle.path, tmp_path / "my-model.ltbundle"))
    broken = corrupt_bundle(tmp_path)
    dialog = open_dialog(qtbot, AppSettings())
    chosen = [str(elsewhere)]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (chosen.pop(0), ""))
    qtbot.mouseClick(dialog.bundle_chooser.browse_button, Qt.MouseButton.LeftButton)
    assert dialog.settings().model_bundle == str(elsewhere.resolve())
    assert dialog.bundle_chooser.combo.currentText() == (  # its own name, and its file
        f"tiny in my-model.ltbundle — 3 landmarks, 64 px ({tiny_bundle.id})")

    chosen.append(str(broken))
    dialog.bundle_chooser.browse()
    assert dialog.settings().model_bundle == str(elsewhere.resolve())  # the corrupt file is not chosen
    assert entry(dialog, "broken.ltbundle")[2] is False
    assert "not a Landmark Tagger model" in dialog.bundle_chooser.problem.text()


def test_the_current_choice_holds_until_the_slow_listing_arrives(qtbot, tiny_bundle, monkeypatch) -> None:
    """Listing reads every bundle whole, so it runs in a worker; the dialog answers meanwhile."""
    from app.core import bundle_choices

    tiny = installed_tiny(tiny_bundle)
    release = threading.Event()
    real = bundle_choices.known_bundles

    def slow_listing(extra=()):
        release.wait(20)
        return real(extra)

    monkeypatch.setattr(bundle_choices, "known_bundles", slow_listing)
    from app.gui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(AppSettings(model_bundle=str(tiny)))
    qtbot.addWidget(dialog)
    qtbot.wait(60)  # several polls while the worker is blocked
    chooser = dialog.bundle_chooser
    assert not chooser.is_listed and not chooser.combo.isEnabled()
    assert dialog.settings().model_bundle == str(tiny)
    with qtbot.waitSignal(chooser.listed, timeout=20000):
        release.set()
    assert chooser.combo.isEnabled() and chooser.combo.count() >= 2
    assert dialog.settings().model_bundle == str(tiny)


def test_a_missing_default_bundle_is_listed_as_not_installed(qtbot, tmp_path, monkeypatch) -> None:
    import app.core.config
    import model.bundle

    empty_assets = tmp_path / "assets"
    empty_assets.mkdir()
    monkeypatch.setattr(app.core.config, "assets_dir", lambda: empty_assets)
    monkeypatch.setattr(model.bundle, "default_bundle_path", lambda: empty_assets / "default.ltbundle")
    dialog = open_dialog(qtbot, AppSettings())
    assert dialog.bundle_chooser.items() == [
        ("The default bundle — not installed", None, False,
         f"{empty_assets / 'default.ltbundle'} is not installed; choose another bundle or reinstall the app"),
    ]
    assert dialog.settings().model_bundle is None
    assert not dialog.bundle_chooser.problem.isHidden()


def test_a_failed_listing_keeps_the_current_choice_and_says_why(qtbot, tmp_path, monkeypatch) -> None:
    from app.core import bundle_choices

    def failing(extra=()):
        raise PermissionError(f"[Errno 13] Permission denied: '{tmp_path}'")

    monkeypatch.setattr(bundle_choices, "known_bundles", failing)
    current = str(tmp_path / "mine.ltbundle")
    dialog = open_dialog(qtbot, AppSettings(model_bundle=current))
    chooser = dialog.bundle_chooser
    assert chooser.items() == [(current, current, True, current)]
    assert "could not be listed" in chooser.problem.text() and "Permission denied" in chooser.problem.text()
    assert chooser.browse_button.isEnabled()
    assert dialog.settings().model_bundle == current


def test_the_threshold_box_shows_the_chosen_bundles_own_threshold(qtbot, tiny_bundle) -> None:
    from model.bundle import default_bundle_path, load_bundle

    installed_tiny(tiny_bundle)
    dialog = open_dialog(qtbot, AppSettings())
    own = load_bundle(default_bundle_path()).threshold
    assert dialog.use_bundle_threshold.isChecked() and not dialog.threshold.isEnabled()
    assert dialog.threshold.value() == pytest.approx(round(own, 2))
    assert f"({own:.2f})" in dialog.use_bundle_threshold.text()
    assert dialog.bundle_chooser.choose(str(user_models().resolve() / "tiny.ltbundle"))
    assert dialog.threshold.value() == pytest.approx(round(tiny_bundle.threshold, 2))
    assert dialog.settings().threshold is None  # still the bundle's own, whichever it is
    dialog.use_bundle_threshold.setChecked(False)  # the user's own starts from the figure shown
    dialog.threshold.setValue(0.6)
    assert dialog.settings().threshold == pytest.approx(0.6)
    dialog.bundle_chooser.choose(None)
    assert dialog.threshold.value() == pytest.approx(0.6)  # a chosen threshold is not overwritten


def test_a_missing_or_foreign_bundle_is_explained_in_the_apps_words(qtbot, tmp_path) -> None:
    """It said "…does not exist; check the path or run `landmark-tagger models`" and
    "…is not a zip file; it is corrupt or not a bundle": a command and a file format."""
    photo = tmp_path / "IMG_0001.ltbundle"  # a JPEG renamed
    photo.write_bytes(b"\xff\xd8\xff\xe0 a photo, not a model")
    dialog = open_dialog(qtbot, AppSettings())
    chooser = dialog.bundle_chooser
    assert not chooser.add_file(str(tmp_path / "gone.ltbundle"))
    shown = chooser.problem.text()
    assert "landmark-tagger" not in shown and "`" not in shown, shown
    assert "gone.ltbundle does not exist" in shown and "choose a model bundle here" in shown, shown
    assert not chooser.add_file(str(photo))
    assert chooser.problem.text() == f"Not usable: This file is not a Landmark Tagger model ({photo})."
    assert entry(dialog, "IMG_0001.ltbundle")[3] == f"This file is not a Landmark Tagger model ({photo})."


def test_two_bundles_of_one_model_are_told_apart_by_their_file(qtbot, tiny_bundle, tmp_path) -> None:
    """A copy of a bundle chosen with Browse… read exactly as the original."""
    installed_tiny(tiny_bundle)
    copy = Path(shutil.copy(tiny_bundle.path, tmp_path / "tiny-copy.ltbundle"))
    same_name = tmp_path / "usb"
    same_name.mkdir()
    same_name = Path(shutil.copy(tiny_bundle.path, same_name / "tiny.ltbundle"))
    dialog = open_dialog(qtbot, AppSettings())
    chooser = dialog.bundle_chooser
    assert chooser.add_file(str(copy)) and chooser.add_file(str(same_name))
    texts = [text for text, *_ in chooser.items() if text.startswith("tiny in ")]
    assert len(texts) == len(set(texts)) == 3, texts
    assert texts[0] == f"tiny in tiny.ltbundle — 3 landmarks, 64 px ({tiny_bundle.id})"
    assert texts[1].startswith("tiny in tiny-copy.ltbundle — ") and texts[2].startswith("tiny in usb/tiny.ltbundle — ")


def test_an_unusable_saved_bundle_shows_no_threshold_figure(qtbot, tmp_path) -> None:
    """The box read 0.50 under "Use the bundle's own threshold", a figure no bundle gave."""
    broken = corrupt_bundle(tmp_path)
    dialog = open_dialog(qtbot, AppSettings(model_bundle=str(broken)))
    assert dialog.use_bundle_threshold.isChecked() and not dialog.threshold.isEnabled()
    assert dialog.threshold.text() == "—"
    dialog.use_bundle_threshold.setChecked(False)  # the user's own figure: one to start from
    assert dialog.threshold.isEnabled() and dialog.threshold.text() == "0.50"
    assert dialog.settings().threshold == pytest.approx(0.5)
    dialog.use_bundle_threshold.setChecked(True)
    assert dialog.threshold.text() == "—" and dialog.settings().threshold is None
