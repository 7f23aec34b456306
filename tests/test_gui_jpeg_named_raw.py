"""A JPEG picture under a RAW name (DSC_0001.NEF holding a JPEG, app.core.jpeg_named_raw)
showed a "RAW" badge on its tile and was counted by `has:raw`: the scan set the photo's
has_raw from the file's extension. It goes by what the scan found in the file now, and
the detail pane says what the file is; a RAW beside it keeps its badge."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtGui import QImage, QPainter  # noqa: E402
from PySide6.QtWidgets import QStyleOptionViewItem  # noqa: E402

from app.core.photo_info import PhotoInfo, read_photo_info  # noqa: E402
from tests.test_gui_support import wait_for_job, wait_for_results, window  # noqa: E402,F401
from tests.test_metadata_support import make_jpeg  # noqa: E402

pytestmark = pytest.mark.gui


def _raw_stand_in_read_as_a_nef(monkeypatch) -> None:
    """DSC_0002.NEF, a TIFF header with no picture, read as the camera's RAW would be."""
    import app.core.scan_folder_sync as scan_folder_sync

    def read(path):
        if str(path).endswith("DSC_0002.NEF"):
            return PhotoInfo(kind="raw", width=6000, height=4000, taken_at="2020-11-03T14:05:01",
                             camera_make="NIKON CORPORATION", camera_model="NIKON D850")
        return read_photo_info(path)

    monkeypatch.setattr(scan_folder_sync, "read_photo_info", read)


def test_a_jpeg_named_nef_has_no_raw_badge_and_the_detail_pane_says_it_is_a_jpeg(
        qtbot, window, tmp_path, monkeypatch):  # noqa: F811
    import app.gui.tile_delegate as tile_delegate
    from app.gui.photo_model import RecordRole

    _raw_stand_in_read_as_a_nef(monkeypatch)
    folder = tmp_path / "photos"
    folder.mkdir()
    make_jpeg(folder / "DSC_0001.NEF")
    (folder / "DSC_0002.NEF").write_bytes(b"II*\x00\x08\x00\x00\x00" + bytes(200))
    assert window.add_folder(folder)
    wait_for_job(qtbot, window)
    window.search_bar.set_text("")
    wait_for_results(qtbot, window)
    model = window.grid_model
    tiles = {model.index(row).data(RecordRole).path.rpartition("/")[2]: model.index(row)
             for row in range(model.rowCount())}
    assert sorted(tiles) == ["DSC_0001.NEF", "DSC_0002.NEF"]

    badges: list[tuple[str, str]] = []  # (the tile's file, a badge drawn on it)
    painting: list[str] = []
    monkeypatch.setattr(tile_delegate, "draw_badge",
                        lambda painter, rect, text, *colours: badges.append((painting[-1], text)))
    delegate = window.grid.itemDelegate()
    for name, index in tiles.items():
        image = QImage(300, 300, QImage.Format.Format_ARGB32)
        painter = QPainter(image)
        painting.append(name)
        option = QStyleOptionViewItem()
        option.rect = image.rect()
        delegate.paint(painter, option, index)
        painter.end()
    assert [name for name, text in badges if text == "RAW"] == ["DSC_0002.NEF"]

    window.grid.setCurrentIndex(tiles["DSC_0001.NEF"])
    qtbot.waitUntil(lambda: "DSC_0001.NEF" in window.detail.fields["Files"].text())
    assert window.detail.fields["Files"].text() == "DSC_0001.NEF   (a JPEG named .NEF)"
    window.grid.setCurrentIndex(tiles["DSC_0002.NEF"])
    qtbot.waitUntil(lambda: "DSC_0002.NEF" in window.detail.fields["Files"].text())
    assert window.detail.fields["Files"].text() == "DSC_0002.NEF"
