"""Shared fixtures. Real files come from ../shared/data through `shared_data` only,
which skips the test cleanly when that folder is absent (a user's clone)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

# `make test` runs two test processes on CI's two cores: BLAS and torch's OpenMP each
# starting a thread per core oversubscribe them, and their spinning threads made the
# tests' small linear algebra many times slower (a 1280-axis eigh under load: 7.5 s, on
# one thread 0.5 s). Set before any test module imports numpy or torch, and inherited
# by the processes tests start; a value the caller set is kept.
for _threads in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")


def pytest_configure(config) -> None:
    """Qt must be offscreen before pytest-qt's session-wide QApplication exists,
    which is earlier than any function-scoped fixture runs."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real photos in ../shared/data (read-only); skips when absent."""
    if not (SHARED_DATA / "README.md").is_file():
        pytest.skip("../shared/data is not present on this machine")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _isolated_user_folders(tmp_path_factory):
    """Keep every test away from the real user data and cache folders (with a patcher
    of its own: a test's `monkeypatch.undo()` leaves them isolated, and the computer id
    of app.core.this_computer the same all through the test)."""
    home = tmp_path_factory.mktemp("tagger-home")
    with pytest.MonkeyPatch.context() as isolated:
        isolated.setenv("LANDMARK_TAGGER_HOME", str(home))
        isolated.delenv("LANDMARK_TAGGER_DB", raising=False)
        isolated.setenv("QT_QPA_PLATFORM", os.environ.get("QT_QPA_PLATFORM", "offscreen"))
        # and from the machine's mount table: a test lists its mounts in a file of its own
        isolated.setattr("app.core.emptied_folders.MOUNTINFO", home / "mountinfo-of-no-mount")
        yield


@pytest.fixture(scope="session")
def qapp(qapp):
    """pytest-qt's QApplication themed as the app always is (create_application: Fusion,
    a 10 pt font, the style sheet). Unthemed, a GUI test run alone saw other widths than
    after a test that had opened the window: the write list's Status column was 280 px
    alone and 221 px in file order."""
    from app.gui.app import create_application

    return create_application()


@pytest.fixture(autouse=True)
def _app_theme_kept(request):
    """Every GUI test starts and ends in the app's theme: one that changes the
    application's font or style sheet (a larger system font, a system palette)
    and does not put it back is put back in it before the next test."""
    if "qapp" not in request.fixturenames:
        yield
        return
    from PySide6.QtGui import QFont

    app = request.getfixturevalue("qapp")
    font, sheet = QFont(app.font()), app.styleSheet()
    yield
    if (app.font(), app.styleSheet()) != (font, sheet):
        from app.gui.app import create_application

        app.setFont(font)
        create_application()


@pytest.fixture(scope="session")
def tiny_bundle(tmp_path_factory):
    """A real ONNX model bundle with 3 classes at 64 px, random weights, built once per
    session by model.testing.make_tiny_bundle (needs torch)."""
    pytest.importorskip("torch")
    from model.testing import make_tiny_bundle

    folder = tmp_path_factory.mktemp("tiny-bundle")
    return make_tiny_bundle(folder / "tiny.ltbundle", ["Eiffel Tower", "Colosseum", "Taj Mahal"], input_size=64)


@pytest.fixture
def one_torch_thread():
    """torch on one thread for the test (small models: threads only add overhead and noise)."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
