"""The write list's "Replaces" column named the landmark our last write put into a file,
whatever the file holds now: a JPEG put back from its pre-write backup (or stripped of
its XMP) carries no keyword at all, and its row read Label "Colosseum", Replaces
"Colosseum" (GUI tester, finding F3). It now shows the landmark keyword the file holds
that the write takes out, "—" for none."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from app.cli.main import main  # noqa: E402
from app.core.index import PhotoIndex  # noqa: E402
from app.core.metadata import plan_writes  # noqa: E402
from tests.test_damaged_jpeg_data import camera_like_jpeg  # noqa: E402

pytestmark = pytest.mark.gui


def _cli(capsys, db: Path, *args: str) -> None:
    assert main(["--db", str(db), *args]) == 0, capsys.readouterr()
    capsys.readouterr()


def test_replaces_shows_what_the_file_holds_not_what_we_wrote_last(qtbot, tmp_path: Path, capsys) -> None:
    from app.gui.write_dialog import WritePlanDialog

    folder, db = tmp_path / "Rome", tmp_path / "index.db"
    folder.mkdir()
    relabelled, put_back = folder / "DSC_0001.JPG", folder / "DSC_0002.JPG"
    camera_like_jpeg(relabelled)
    backup = camera_like_jpeg(put_back)  # the copy kept before the write
    _cli(capsys, db, "scan", str(folder))
    _cli(capsys, db, "label", str(folder), "Colosseum")
    _cli(capsys, db, "write")
    put_back.write_bytes(backup)  # the backup put back: no keyword in it
    _cli(capsys, db, "scan", str(folder))
    _cli(capsys, db, "label", str(relabelled), "Petra")  # its file holds Colosseum, which Petra replaces

    with PhotoIndex.open(db) as index:
        plan = plan_writes(index, "")
    dialog = WritePlanDialog(plan, include_suggested=False)
    qtbot.addWidget(dialog)
    table = dialog.table
    headers = [table.horizontalHeaderItem(column).text() for column in range(table.columnCount())]
    rows = {table.item(row, 0).text(): {header: table.item(row, column).text()
                                        for column, header in enumerate(headers)}
            for row in range(table.rowCount())}
    assert rows["DSC_0002.JPG"]["Label"] == "Colosseum"
    assert rows["DSC_0002.JPG"]["Replaces"] == "—"  # not "Colosseum": the file carries no keyword
    assert rows["DSC_0001.JPG"]["Label"] == "Petra"
    assert rows["DSC_0001.JPG"]["Replaces"] == "Colosseum"  # there, and taken out by the write
