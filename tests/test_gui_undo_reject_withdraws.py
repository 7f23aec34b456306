"""The app's Ctrl+Z of an R after a Tag relabelled the photo: the photo is left as the Tag
left it, but the rejection goes, as `undo --review` withdraws it (b459c55); it stayed, and the
next Tag gave the rejection the user took back ("no landmark" rejected, out of Review)."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from app.cli.main import main  # noqa: E402
from app.core.index import PhotoIndex  # noqa: E402
from tests.test_gui_support import wait_for_job  # noqa: E402
from tests.test_rejections_outlive_later_suggestions import UNREACHABLE, label_of, tag, trip  # noqa: E402,F401


def test_ctrl_z_of_an_r_relabelled_by_a_tag_since_withdraws_its_rejection(qtbot, tmp_path, trip, tiny_bundle):
    from tests.test_gui_support import close_main_window, shown_window
    from tests.test_gui_teaching import select

    db = tmp_path / "index.db"
    tag(db, trip, tiny_bundle.path, UNREACHABLE)  # "no landmark" suggested
    with PhotoIndex.open(db) as index:
        [photo_id] = [row.id for row in index.search("")]
    win = shown_window(qtbot, db)
    try:
        wait_for_job(qtbot, win)
        select(win, [photo_id])
        win.reject_selected()
        assert label_of(db) == (None, "rejected")
        tag(db, trip, tiny_bundle.path, "0")  # in a terminal: a landmark suggested over the rejection
        landmark, state = label_of(db)
        assert landmark is not None and state == "suggested"

        win.undo_review()
        wait_for_job(qtbot, win)

        assert label_of(db) == (landmark, "suggested")  # left as the Tag left it
        with PhotoIndex.open(db) as index:
            assert index.conn.execute("SELECT * FROM rejections").fetchall() == []
    finally:
        close_main_window(win)
    tag(db, trip, tiny_bundle.path, UNREACHABLE)
    assert label_of(db) == (None, "suggested")  # back in Review, not rejected again
