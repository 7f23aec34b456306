"""A damaged photo's note (stage "damaged") is there to find the photos to restore from
a backup; only a decode of the picture records it again, and tagging skips a photo it has
read. So the note follows the photo: moved or renamed (the scan's move recognition) it
names the file where it is now (review 5 F3), and a `relocate`d folder keeps it, at the
new place (review 5 F4: it was deleted, leaving the damaged photo "up to date")."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_damaged_jpeg_remembered import _folder_with_a_damaged_photo, _run


def _listed(capsys, db: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """`stats --errors`'s damaged lines, and its --json problems (stage, path)."""
    out = _run(capsys, db, "stats", "--errors")[1]
    problems = json.loads(_run(capsys, db, "stats", "--errors", "--json")[1])["problems"]
    return ([row for row in out.splitlines() if row.startswith("damaged: ")],
            [(p["stage"], p["path"]) for p in problems])


def test_a_moved_and_renamed_damaged_photo_keeps_its_note_under_its_new_name(tmp_path: Path, capsys) -> None:
    library, db = tmp_path / "lib", tmp_path / "index.db"
    library.mkdir()
    folder = _folder_with_a_damaged_photo(library)
    assert _run(capsys, db, "tag", str(library))[0] == 0
    (library / "Best").mkdir()
    now = library / "Best" / "Colosseum_best.jpg"
    (folder / "DSC_0002.JPG").rename(now)
    code, out, err = _run(capsys, db, "scan", str(library))
    assert code == 0 and "1 moved" in out + err

    lines, problems = _listed(capsys, db)
    assert problems == [("damaged", str(now))]
    assert len(lines) == 1 and lines[0].startswith(f"damaged: {now}: the picture's data is damaged")
    assert "DSC_0002" not in lines[0]
    code, _, err = _run(capsys, db, "tag", str(library))
    assert code == 0 and "1 unchanged photo labelled before from a damaged picture" in err


def test_relocate_keeps_the_damage_note_at_the_new_place(tmp_path: Path, capsys) -> None:
    library, db = tmp_path / "lib", tmp_path / "index.db"
    library.mkdir()
    _folder_with_a_damaged_photo(library)
    assert _run(capsys, db, "tag", str(library))[0] == 0
    moved = tmp_path / "lib_moved"
    library.rename(moved)
    assert _run(capsys, db, "relocate", str(library), str(moved))[0] == 0

    now = moved / "Rome" / "DSC_0002.JPG"
    lines, problems = _listed(capsys, db)
    assert problems == [("damaged", str(now))]
    assert len(lines) == 1 and lines[0].startswith(f"damaged: {now}: the picture's data is damaged")
    code, _, err = _run(capsys, db, "tag", str(moved))
    assert code == 0 and "1 unchanged photo labelled before from a damaged picture" in err
