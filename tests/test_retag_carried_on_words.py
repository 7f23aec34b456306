"""What a run says of the stopped retag it carries on: `tag FILE` outside it said
"carrying on the retag … 5 of 6 photos left" and carried on none of them (review 5 F1);
the app's Tag carried a terminal's retag on without a word, and its Cancel told the user to
type `tag --retag --start-over` (review 5 F2)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from PIL import Image

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.progress import CancelToken
from tests.test_retag_carried_on import PHOTOS, folder, options, read_by, stopped_retag  # noqa: F401 (fixture)


def _cli_tag(capsys, db, bundle, *paths) -> str:
    code = main(["--db", str(db), "tag", *map(str, paths), "--model", str(bundle.path), "--workers", "0"])
    assert code == 0
    return capsys.readouterr().err


def _new_photo(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(99)
    Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)).resize((320, 240)).save(path)
    return path


def test_tag_outside_the_stopped_retag_says_nothing_of_it_and_a_part_says_its_count(tmp_path, folder, tiny_bundle,
                                                                                     capsys):
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        read_by(index, folder, options(tiny_bundle))
        done = stopped_retag(index, folder, tiny_bundle, after=1)
    new = _new_photo(tmp_path / "Elsewhere" / "new1.jpg")
    err = _cli_tag(capsys, db, tiny_bundle, new)
    assert "carrying on" not in err and "tagged 1 photo" in err

    with PhotoIndex.open(db) as index:
        done_names = {index.conn.execute("SELECT name FROM files WHERE photo_id = ?", (i,)).fetchone()[0]
                      for i in done}
    left = [p for p in sorted(folder.iterdir()) if p.name not in done_names]  # photos the retag has left
    err = _cli_tag(capsys, db, tiny_bundle, left[0])
    assert f"with 1 of the {PHOTOS - 1} photos it has left" in err, err
    err = _cli_tag(capsys, db, tiny_bundle, folder)  # the rest: all it has left, said as before
    assert f": {PHOTOS - 2} of {PHOTOS} photos left" in err, err
    assert "carrying on" not in _cli_tag(capsys, db, tiny_bundle, folder)  # finished


def test_the_apps_tag_says_it_carries_a_retag_on_and_its_cancel_names_tag_not_commands(tmp_path, folder, tiny_bundle,
                                                                                       monkeypatch):
    from app.core.retag_marks import RetagCarriedOn
    from app.gui import job_work
    from app.gui.job_host import JobHost
    from app.gui.job_words import cancelled_text, retag_carried_on_text, tag_line

    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        read_by(index, folder, options(tiny_bundle))
        stopped_retag(index, folder, tiny_bundle, after=1)  # in a terminal: 5 left
    monkeypatch.setattr(job_work, "tag_options", lambda settings: options(tiny_bundle))
    cancel, items = CancelToken(), []

    def emit(item) -> None:
        items.append(item)
        if not isinstance(item, RetagCarriedOn):
            cancel.cancel()  # Cancel after the first photo

    summary = job_work.library_tag_work(db, None)(lambda progress: None, cancel, emit)
    assert isinstance(items[0], RetagCarriedOn)
    said = retag_carried_on_text(items[0])
    assert said.startswith("Carrying on the retag started ") and said.endswith(f": {PHOTOS - 1} photos left")
    window = SimpleNamespace(shown=[])
    window.show_message = window.shown.append
    JobHost._on_item(SimpleNamespace(window=window, _pending_refresh=set()), items[0])
    assert window.shown == [said]  # in the status line

    closing = cancelled_text("Tagging library", tag_line(summary))
    assert f"Tag again carries on with the {PHOTOS - 2} photos of the retag left" in closing, closing
    assert "`" not in closing and "start-over" not in closing


def test_the_apps_tag_of_a_part_of_a_stopped_retag_says_the_part_and_what_the_retag_has_left(tmp_path, folder,
                                                                                              tiny_bundle, monkeypatch):
    """Tag selection (or photos dropped) on one photo of the 5 a stopped retag has left said
    "Carrying on the retag started D: 1 photo left", and the 4 still left were never
    mentioned (review 11 F5): it now says the part of the whole, as the CLI does."""
    from app.core.retag_marks import RetagCarriedOn, unfinished_retag
    from app.gui import job_work
    from app.gui.job_words import retag_carried_on_text

    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        read_by(index, folder, options(tiny_bundle))
        done = stopped_retag(index, folder, tiny_bundle, after=1)
        left_ids = [i for i in index.photo_ids("") if i not in done]
    assert len(left_ids) == PHOTOS - 1
    monkeypatch.setattr(job_work, "tag_options", lambda settings: options(tiny_bundle))
    items = []
    job_work.tag_work(db, left_ids[:1], None)(lambda progress: None, CancelToken(), items.append)
    (carried,) = [item for item in items if isinstance(item, RetagCarriedOn)]
    said = retag_carried_on_text(carried)
    assert said.startswith("Carrying on the retag started ")
    assert said.endswith(f" with 1 of the {PHOTOS - 1} photos it has left"), said
    with PhotoIndex.open(db) as index:
        assert unfinished_retag(index.conn).left == PHOTOS - 2  # what the words leave to a later Tag
