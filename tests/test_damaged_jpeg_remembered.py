"""A photo labelled from a damaged JPEG (6d5311f) was said so once, on stderr, by the
`tag` that read it: the note was not kept, so a later `tag` of the up-to-date photo,
`stats --errors`, the app's Problems panel and its detail pane never named it again, and
a photographer could not find the photos to restore from a backup. The note is now kept
per photo with the index's other problems (stage "damaged"), listed and counted where
they are, and gone once a good file replaces the damaged one and is tagged again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from app.cli.main import main
from tests.test_damaged_jpeg_data import camera_like_jpeg, zeroed_in_the_middle

def _folder_with_a_damaged_photo(tmp_path: Path) -> Path:
    folder = tmp_path / "Rome"
    folder.mkdir()
    good = camera_like_jpeg(folder / "DSC_0001.JPG")
    (folder / "DSC_0002.JPG").write_bytes(zeroed_in_the_middle(good))
    return folder


def _run(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_damage_note_is_kept_listed_and_cleared_by_a_good_copy(tmp_path: Path, capsys) -> None:
    folder, db = _folder_with_a_damaged_photo(tmp_path), tmp_path / "index.db"
    damaged = folder / "DSC_0002.JPG"
    assert _run(capsys, db, "tag", str(folder))[0] == 0

    # a later plain tag: nothing to decode, the damaged photo still said
    code, _, err = _run(capsys, db, "tag", str(folder))
    assert code == 0 and "2 already up to date" in err
    assert "1 unchanged photo labelled before from a damaged picture (`landmark-tagger --db" in err
    assert "stats --errors` lists them)" in err
    code, out, _ = _run(capsys, db, "tag", "--json", str(damaged))
    line = json.loads(out.splitlines()[0])
    assert line["up_to_date"] is True and "the picture's data is damaged (Corrupt JPEG data" in line["damage"]

    code, out, _ = _run(capsys, db, "stats", "--errors")
    assert "errors:     1 (1 damaged)" in out
    listed = [row for row in out.splitlines() if row.startswith("damaged: ")]
    assert len(listed) == 1 and "DSC_0002.JPG: the picture's data is damaged" in listed[0]
    assert "check the file against a backup" in listed[0]
    stats = json.loads(_run(capsys, db, "stats", "--errors", "--json")[1])
    assert [(p["stage"], Path(p["path"]).name) for p in stats["problems"]] == [("damaged", "DSC_0002.JPG")]
    assert stats["errors_by_stage"] == {"damaged": 1}

    # restored from a backup (another good picture of the same size): rescanned, tagged again, note gone
    Image.open(folder / "DSC_0001.JPG").transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(damaged, quality=90)
    assert _run(capsys, db, "scan", str(folder))[0] == 0
    code, _, err = _run(capsys, db, "tag", str(folder))
    assert code == 0 and "tagged 1 photo" in err and "damaged" not in err
    stats = json.loads(_run(capsys, db, "stats", "--errors", "--json")[1])
    assert stats["problems"] == [] and stats["errors"] == 0


def test_a_retag_of_a_still_damaged_photo_keeps_one_note(tmp_path: Path, capsys) -> None:
    folder, db = _folder_with_a_damaged_photo(tmp_path), tmp_path / "index.db"
    _run(capsys, db, "tag", str(folder))
    code, _, err = _run(capsys, db, "tag", "--retag", str(folder))
    assert code == 0 and "1 damaged photo labelled from the part that could be read" in err
    stats = json.loads(_run(capsys, db, "stats", "--errors", "--json")[1])
    assert [p["stage"] for p in stats["problems"]] == ["damaged"]


def test_the_detail_pane_names_the_damage(qtbot, tmp_path: Path, capsys) -> None:
    pytest.importorskip("pytestqt")
    from tests.test_gui_support import shown_window
    from tests.test_gui_support import close_main_window

    folder, db = _folder_with_a_damaged_photo(tmp_path), tmp_path / "index.db"
    _run(capsys, db, "tag", str(folder))
    window = shown_window(qtbot, db)
    try:
        shown = {}
        for row in range(window.grid_model.rowCount()):
            window.current_photo.show_record(window.grid_model.photo_id(row))
            shown[Path(window.detail.record.path).name] = (
                window.detail.problem_line.isVisibleTo(window.detail), window.detail.problem_line.text())
        assert shown["DSC_0001.JPG"] == (False, "")
        visible, text = shown["DSC_0002.JPG"]
        assert visible and "DSC_0002.JPG: the picture's data is damaged" in text
        assert any(stage == "damaged" for _, stage, _ in window.errors_panel.problems())  # the Problems panel
    finally:
        close_main_window(window)
