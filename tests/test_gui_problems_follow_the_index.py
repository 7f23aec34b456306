"""Once the GUI tester's damaged JPEG was put back from a backup and tagged again, the
Problems panel went on calling it damaged until the app was started again (finding F5):
the panel only ever added rows. After each job the rows the index held and holds no
more now go. The fixtures here serve the other Problems tests too."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

pytest.importorskip("pytestqt")

from app.cli.main import main  # noqa: E402
from tests.test_damaged_jpeg_data import camera_like_jpeg, zeroed_in_the_middle  # noqa: E402
from tests.test_gui_support import close_main_window, shown_window, wait_for_job  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def tagged(tmp_path: Path, capsys):
    """A folder of a good JPEG, a damaged one and a file no reader takes, tagged once."""
    folder = tmp_path / "Rome"
    folder.mkdir()
    good = camera_like_jpeg(folder / "DSC_0001.JPG")
    (folder / "DSC_0002.JPG").write_bytes(zeroed_in_the_middle(good))
    (folder / "DSC_0003.JPG").write_bytes(good[:400])  # cut short: not read at all
    db = tmp_path / "index.db"
    main(["--db", str(db), "tag", str(folder)])
    capsys.readouterr()
    return folder, db


@pytest.fixture
def window(qtbot, tagged):
    win = shown_window(qtbot, tagged[1])
    yield win
    close_main_window(win)


def row_of(window, name: str, stage: str) -> int:
    panel = window.errors_panel
    rows = [row for row in range(panel.rowCount())
            if panel.item(row, 0).text() == name and panel.item(row, 1).text() == stage]
    assert len(rows) == 1, panel.problems()
    return rows[0]


def test_a_photo_put_back_from_a_backup_and_tagged_again_leaves_problems(qtbot, window, tagged) -> None:
    folder, _ = tagged
    damaged = folder / "DSC_0002.JPG"
    row_of(window, "DSC_0002.JPG", "damaged")

    window.jobs.tag([folder], "Tagging Rome")  # nothing changed: the row stays
    wait_for_job(qtbot, window)
    row_of(window, "DSC_0002.JPG", "damaged")

    # put back from a backup (a good picture of the same size), as the message asks
    Image.open(folder / "DSC_0001.JPG").transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(damaged, quality=90)
    window.jobs.tag([folder], "Tagging Rome")
    wait_for_job(qtbot, window)
    assert not [stage for _, stage, _ in window.errors_panel.problems() if stage == "damaged"]
    assert [(Path(path).name, stage) for path, stage, _ in window.errors_panel.problems()] == [
        ("DSC_0003.JPG", "scan")]
    assert window.errors_action.text() == "Problems (1)"  # the cut file is still unreadable: it stays


def test_a_damaged_photo_moved_in_the_library_keeps_its_row_at_its_new_place(qtbot, window, tagged) -> None:
    """Moved and renamed inside the library, the damaged photo's note followed it in the
    index, but its Problems row went at the next Tag and none came for the new path, while
    the closing line said "(see Problems)" (review11 F2): the row now names the file where
    it is now."""
    folder, _ = tagged
    row_of(window, "DSC_0002.JPG", "damaged")
    (folder / "Best").mkdir()
    moved = folder / "Best" / "DSC_0002_best.JPG"
    (folder / "DSC_0002.JPG").rename(moved)
    window.jobs.tag([folder], "Tagging Rome")
    wait_for_job(qtbot, window)
    assert [Path(error.path) for error in window.index.errors(stage="damaged")] == [moved]  # the index's note
    row_of(window, "DSC_0002_best.JPG", "damaged")
    assert sorted((Path(path), stage) for path, stage, _ in window.errors_panel.problems()) == [
        (moved, "damaged"), (folder / "DSC_0003.JPG", "scan")]
    assert window.errors_action.text() == "Problems (2)"
