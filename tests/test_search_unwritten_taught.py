"""`is:unwritten` and our Teaches field: after `teach --forget` of a place a written photo
taught, `write` empties the field (a new index must not read the place back as taught),
so the photo is unwritten until then, as `write --dry-run` says (t_life3-2)."""

from __future__ import annotations

from pathlib import Path

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.teaching import forget
from tests.test_metadata_support import make_jpeg
from tests.test_search_unwritten import _both_forms, _dry_run_changes

PLACE = "Grandma's House"


def _taught_and_written(tmp_path: Path, bundle) -> tuple[str, int]:
    (tmp_path / "lib").mkdir()
    make_jpeg(tmp_path / "lib" / "house.jpg", size=(64, 48), seed=1)
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(tmp_path / "lib")]) == 0
    assert main(["--db", db, "teach", "--new", PLACE, str(tmp_path / "lib" / "house.jpg"),
                 "--model", str(bundle.path)]) == 0
    assert main(["--db", db, "write"]) == 0
    with PhotoIndex.open(db) as index:
        return db, index.photo_ids("")[0]


def test_a_place_forgotten_after_the_write_leaves_its_photo_unwritten(tmp_path, tiny_bundle, capsys) -> None:
    db, photo = _taught_and_written(tmp_path, tiny_bundle)
    assert _both_forms(db, "is:unwritten") == (set(), set())
    assert main(["--db", db, "teach", "--forget", PLACE]) == 0
    assert _dry_run_changes(capsys, db) == {photo}  # its Teaches field emptied
    assert _both_forms(db, "is:unwritten") == ({photo},) * 2

    assert main(["--db", db, "write", "is:unwritten"]) == 0
    assert _dry_run_changes(capsys, db) == set()
    assert _both_forms(db, "is:unwritten") == (set(), set())


def test_the_kept_list_follows_a_forget_and_its_taking_back_on_one_connection(tmp_path, tiny_bundle,
                                                                             capsys) -> None:
    db, photo = _taught_and_written(tmp_path, tiny_bundle)
    with PhotoIndex.open(db) as index:
        assert index.photo_ids("is:unwritten") == []  # the list built, kept on this connection
        forget(index, PLACE)
        assert index.photo_ids("is:unwritten") == [photo]
        index.conn.execute("DELETE FROM forgotten_places")  # the place taught again
        index.conn.execute("INSERT INTO taught_refs (label, photo_id, model_id) VALUES (?, ?, 'm')", (PLACE, photo))
        index.conn.commit()
        assert index.photo_ids("is:unwritten") == []
    assert _dry_run_changes(capsys, db) == set()
