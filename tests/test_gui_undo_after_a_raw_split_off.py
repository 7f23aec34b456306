"""Ctrl+Z of an A, R or L made on a card's RAW+JPEG pair before its JPEG alone was copied
into the library and the card ejected: the scan splits the RAW off as a photo of its own,
holding a copy of the pair's review journal rows (moved_photos.split_off_what_was_not_copied),
so `undo --review` takes the step back on both halves. The app's Ctrl+Z knew only the pair's
id: the RAW kept the rejection (or the accept), and the step stayed in the journal, so the
next `undo --review` took it back again instead of the command before it."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.test_card_imported_then_ejected import (  # noqa: E402
    _jpeg_alone_copied_in_and_card_ejected, _labels_of, _raw_jpeg_pair_on_a_card)
from tests.test_cli_core import run_cli  # noqa: E402
from tests.test_emptied_library_folder import mounts  # noqa: E402,F401
from tests.test_gui_support import close_main_window, shown_window, wait_for_job, wait_for_results  # noqa: E402
from tests.test_gui_undo_label import labelled_with_l  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.mark.parametrize("key", ["R", "A", "L", "R in the worker"])
def test_ctrl_z_after_the_raw_was_split_off_takes_the_step_back_on_both_halves(
        qtbot, tmp_path, capsys, mounts, tiny_bundle, monkeypatch, key):
    from app.gui.main_window import PAGE_REVIEW

    db, pictures, card, shot = _raw_jpeg_pair_on_a_card(tmp_path, capsys, mounts)
    assert run_cli(capsys, "--db", db, "tag", "--model", str(tiny_bundle.path), "--workers", "0")[0] == 0
    (suggested,) = _labels_of(db, shot / "DSC_0001.NEF")
    # the command before the app's step, which the next `undo --review` must take back
    assert run_cli(capsys, "--db", db, "label", str(pictures / "home.jpg"), "Bakery", "--new")[0] == 0
    if key == "R in the worker":
        monkeypatch.setattr("app.gui.label_actions.BULK_IN_WORKER", 0)
    win = shown_window(qtbot, tmp_path / "index.db")
    try:
        win.show_page(PAGE_REVIEW)
        wait_for_results(qtbot, win)
        if key == "L":
            labelled_with_l(qtbot, win, monkeypatch, [0], "Bakery")
        else:
            win.review.list.selectAll()
            win.accept_selected() if key == "A" else win.reject_selected()
            wait_for_job(qtbot, win)
        assert _labels_of(db, shot / "DSC_0001.NEF")[0] != suggested
        trip = _jpeg_alone_copied_in_and_card_ejected(pictures, shot, card, tmp_path / "drawer", mounts)
        code, out, err = run_cli(capsys, "--db", db, "scan")
        assert "1 moved" in err and "the 1 other photo is left" in err, err
        assert win.undo_review()
        wait_for_job(qtbot, win)
        for picture in (trip / "DSC_0001.JPG", shot / "DSC_0001.NEF"):
            assert _labels_of(db, picture) == [suggested], picture
        if key != "R in the worker":  # (the job's own line follows it there)
            assert "2 photos" in win.statusBar().currentMessage()
        # the step left the journal: `undo --review` takes back the label before it
        code, out, err = run_cli(capsys, "--db", db, "undo", "--review")
        assert code == 0 and "Bakery" in err, err
        assert _labels_of(db, pictures / "home.jpg")[0][1] == "suggested"
    finally:
        close_main_window(win)
