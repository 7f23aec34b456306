"""A `label` that gives a photo the label it already has, accepted, changes who gave it
(the model's label becomes the user's: it teaches now). It said "1 of 1 matching photo
changed; `undo --review` takes it back", yet journalled nothing: the undo said "no accept,
reject, label, teach or teach --forget to take back" (or took back an older command)."""

from __future__ import annotations

from app.core.scanner import scan
from tests.test_cli_core import run_cli
from tests.test_metadata_support import make_jpeg
from tests.test_write_keyword_policy import index  # noqa: F401 (index: a fixture)


def _source(index) -> tuple:
    return tuple(index.conn.execute("SELECT label, source, state, landmark_id FROM labels").fetchone())


def test_a_label_changing_only_its_source_is_taken_back_by_undo_review(tmp_path, index, capsys):
    folder = tmp_path / "Rome"
    folder.mkdir()
    photo = make_jpeg(folder / "DSC_0001.JPG")
    scan(index, [folder])
    photo_id = index.search("")[0].id
    index.set_label(photo_id, "Colosseum", source="model", state="accepted", landmark_id="colosseum", score=0.9)
    db = str(tmp_path / "index.db")

    code, _, err = run_cli(capsys, "--db", db, "label", f'path:"{photo}"', "Colosseum")

    assert code == 0 and "1 of 1 matching photo changed" in err
    assert _source(index)[:3] == ("Colosseum", "user", "accepted")

    code, _, err = run_cli(capsys, "--db", db, "undo", "--review")

    assert code == 0 and "took back `label" in err
    assert _source(index) == ("Colosseum", "model", "accepted", "colosseum")
