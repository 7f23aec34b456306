"""The write list's "Written into" column (review 9, F4): every sidecar read "Into a
sidecar file (.xmp) beside the RAW", a PNG scan's and a JPEG's too, cut in its 120 px
column to "…(.xmp) beside th…"; and the status bar named a cancelled write "batch 1"."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

pytest.importorskip("pytestqt")

from PIL import Image  # noqa: E402

from app.core.metadata import WriteOptions, plan_writes  # noqa: E402
from app.core.metadata.journal import CancelledBatch  # noqa: E402
from tests import test_write_keyword_policy  # noqa: E402
from tests.test_gui_support import window  # noqa: E402,F401
from tests.test_metadata_support import add_photo, make_jpeg  # noqa: E402

pytestmark = pytest.mark.gui

index = test_write_keyword_policy.index  # the fixture: an index of its own in tmp_path


def _rows(dialog) -> dict[str, tuple[str, str, int]]:
    """By file written: the Written into cell's text, its tooltip, and whether it fits its column."""
    table = dialog.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    column = headers.index("Written into")
    # what the view leaves for the text: its margins either side (QCommonStyle's item text rect)
    room = table.columnWidth(column) - 2 * (table.style().pixelMetric(table.style().PixelMetric.PM_FocusFrameHMargin) + 1)
    rows = {}
    for row in range(table.rowCount()):
        cell = table.item(row, column)
        fits = table.fontMetrics().horizontalAdvance(cell.text()) <= room
        rows[table.item(row, 0).text()] = (cell.text(), cell.toolTip(), fits)
    return rows


@pytest.mark.parametrize("into_jpeg", [True, False])
def test_the_write_list_says_sidecar_in_the_column_and_names_the_photo_type_in_the_tooltip(
        tmp_path, index, qtbot, into_jpeg) -> None:
    from app.gui.write_dialog import WritePlanDialog

    make_jpeg(tmp_path / "DSCN0010.jpg")
    Image.new("RGB", (64, 48), (120, 30, 30)).save(tmp_path / "scan_of_postcard.png")
    Image.new("RGB", (64, 48), (20, 90, 30)).save(tmp_path / "panorama.tif")
    (tmp_path / "DSC_0100.NEF").write_bytes(b"raw bytes the write never touches")
    for name in ("DSCN0010.jpg", "scan_of_postcard.png", "panorama.tif", "DSC_0100.NEF"):
        add_photo(index, [tmp_path / name], "Colosseum")
    plan = plan_writes(index, options=WriteOptions(write_into_jpeg=into_jpeg))
    dialog = WritePlanDialog(plan, include_suggested=False, jpegs_left_unchanged=not into_jpeg)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    rows = _rows(dialog)
    beside = "Into a sidecar file (.xmp) beside the"
    assert rows["scan_of_postcard.png.xmp"][:2] == ("Into a sidecar (.xmp)", f"{beside} PNG file")
    assert rows["panorama.tif.xmp"][:2] == ("Into a sidecar (.xmp)", f"{beside} TIFF file")
    assert rows["DSC_0100.NEF.xmp"][:2] == ("Into a sidecar (.xmp)", f"{beside} NEF file")
    if into_jpeg:
        assert rows["DSCN0010.jpg"][:2] == ("Into the photo", "Into the photo file itself (its XMP keywords)")
    else:
        assert rows["DSCN0010.jpg.xmp"][:2] == (
            "Into a sidecar (.xmp)", f"{beside} JPEG file, because Settings leave JPEGs unchanged")
    assert all(fits for _text, _tip, fits in rows.values()), rows  # whole in the column, nothing elided
    assert not any("RAW" in text for text, _tip, _fits in rows.values())
    status = dialog.table.columnCount() - 1
    assert dialog.table.horizontalHeader().sectionSize(status) >= 250


def test_the_app_takes_the_jpeg_setting_into_the_write_lists_tooltip(window, qtbot, monkeypatch) -> None:
    from app.core.settings import AppSettings
    from app.gui import job_controller

    shown = []

    class Recorded(job_controller.WritePlanDialog):
        def __init__(self, *args, **kwargs) -> None:
            shown.append(kwargs)
            super().__init__(*args, **kwargs)

        def exec(self) -> int:
            return 0

    monkeypatch.setattr(job_controller, "WritePlanDialog", Recorded)
    for into_jpeg in (False, True):
        monkeypatch.setattr(window, "settings", AppSettings(write_into_jpeg=into_jpeg))
        assert window.jobs.plan_write("", False)
        qtbot.waitUntil(lambda: len(shown) == (1 if not into_jpeg else 2), timeout=10000)
    assert [kwargs["jpegs_left_unchanged"] for kwargs in shown] == [True, False]


def test_the_status_bar_names_a_cancelled_write_by_when_it_was_made_not_by_batch_number() -> None:
    from types import SimpleNamespace

    from app.gui.job_words import cancelled_batch_text, write_moment

    made = datetime.now(timezone.utc).replace(microsecond=0)
    left = CancelledBatch(1, 9, made.isoformat())
    after_write = SimpleNamespace(cancelled_before=left, done_word="written", batch_id=2, undone_meanwhile=False)
    after_undo = SimpleNamespace(cancelled_before=left, done_word="restored", batch_id=2, undone_meanwhile=False)
    when = write_moment(made.isoformat())
    assert when.startswith("today at ")
    assert cancelled_batch_text(after_write) == f"; a write you cancelled {when} still holds 9 files: a second Undo takes them back"
    assert cancelled_batch_text(after_undo) == f"; a write you cancelled {when} still holds 9 files: Undo again takes them back"
    unknown = SimpleNamespace(cancelled_before=CancelledBatch(1, 1), done_word="restored", batch_id=2,
                              undone_meanwhile=False)
    assert cancelled_batch_text(unknown) == "; a write you cancelled still holds 1 file: Undo again takes them back"


def test_with_long_paths_and_a_sidecar_the_status_column_keeps_its_room(qtbot) -> None:
    """The wider Written into column takes its room from the first columns, not from Status."""
    from dataclasses import replace
    from pathlib import Path

    from app.gui.write_dialog import WritePlanDialog
    from tests.test_gui_write_dialog import DEEP, planned

    plan = [replace(planned(f"{DEEP}/DSC_0100.NEF.xmp", "Notre-Dame de la Garde", [], ["Notre-Dame de la Garde"]),
                    source=Path(f"{DEEP}/DSC_0100.NEF"), kind="sidecar"),
            planned(f"{DEEP}/10951c5784e7.jpg", "Vieux Port de Marseille", [], ["Vieux Port de Marseille"],
                    problem="the file is read-only; make it writable for this app to change it")]
    dialog = WritePlanDialog(plan, include_suggested=False)
    qtbot.addWidget(dialog)
    dialog.resize(900, 560)  # its size on a laptop's screen (the test's offscreen one is 800 px wide)
    dialog.show()
    qtbot.waitExposed(dialog)
    rows = _rows(dialog)
    assert rows["DSC_0100.NEF.xmp"] == ("Into a sidecar (.xmp)", "Into a sidecar file (.xmp) beside the NEF file", True)
    table = dialog.table
    status = table.columnCount() - 1
    assert table.horizontalHeader().sectionSize(status) >= 250
    assert table.horizontalHeader().sectionViewportPosition(status) + 40 <= table.viewport().width()
