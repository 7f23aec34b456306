"""`undo --review` right after `rename OLD NEW` took back the step BEFORE the rename (an
unrelated label and its teaching) and said so in one line, the rename staying (t_unicode-6).
A rename leaves a mark in the review journal now (renames_journalled): `undo --review`
meeting it takes nothing back, says how to put the name back, and takes the mark out, so
the next one takes back the step before it."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from tests.test_index_support import write_jpeg


@pytest.fixture
def labelled(tmp_path: Path, capsys) -> str:
    """An index of two photos, IMG_0001 labelled "Qubbat al-Sakhra" then IMG_0002 "Our cabin"."""
    for name in ("IMG_0001.jpg", "IMG_0002.jpg"):
        write_jpeg(tmp_path / "Trip" / name)
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(tmp_path / "Trip")]) == 0
    assert main(["--db", db, "label", "IMG_0001", "Qubbat al-Sakhra", "--new"]) == 0
    assert main(["--db", db, "label", "IMG_0002", "Our cabin", "--new"]) == 0
    capsys.readouterr()
    return db


def labels(db: str) -> dict[str, str | None]:
    with PhotoIndex.open(db) as index:
        return {Path(record.path).stem: record.label for record in index.search("")}


def test_undo_review_after_a_rename_takes_nothing_back_and_says_how(labelled, capsys) -> None:
    assert main(["--db", labelled, "rename", "Qubbat al-Sakhra", "Our dome trip"]) == 0
    said = capsys.readouterr().err
    assert "`undo --review` does not take it back" in said
    assert "rename 'Our dome trip' 'Qubbat al-Sakhra'` puts the name back" in said

    assert main(["--db", labelled, "undo", "--review"]) == 1
    said = capsys.readouterr().err
    assert "nothing taken back: the last review change was `rename 'Qubbat al-Sakhra' 'Our dome trip'`" in said
    assert "rename 'Our dome trip' 'Qubbat al-Sakhra'` puts the name back" in said
    assert "undo --review` again takes back `label IMG_0002 'Our cabin'`" in said
    assert labels(labelled) == {"IMG_0001": "Our dome trip", "IMG_0002": "Our cabin"}

    assert main(["--db", labelled, "undo", "--review"]) == 0  # the mark is gone: the step before it
    assert "took back `label IMG_0002" in capsys.readouterr().err
    assert labels(labelled) == {"IMG_0001": "Our dome trip", "IMG_0002": None}


def test_a_rename_put_back_leaves_no_mark(labelled, capsys) -> None:
    assert main(["--db", labelled, "rename", "Qubbat al-Sakhra", "Our dome trip"]) == 0
    assert main(["--db", labelled, "rename", "Our dome trip", "Qubbat al-Sakhra"]) == 0
    capsys.readouterr()
    assert main(["--db", labelled, "undo", "--review"]) == 0
    assert "took back `label IMG_0002" in capsys.readouterr().err
    assert labels(labelled) == {"IMG_0001": "Qubbat al-Sakhra", "IMG_0002": None}


def test_undo_review_after_a_merge_names_restore_index(labelled, capsys) -> None:
    assert main(["--db", labelled, "rename", "Qubbat al-Sakhra", "Our cabin"]) == 0
    assert "`undo --review` does not take a merge back:" in capsys.readouterr().err
    assert main(["--db", labelled, "undo", "--review"]) == 1
    said = capsys.readouterr().err
    assert "a merge is not taken back by renaming" in said and "restore-index COPY" in said
    assert labels(labelled) == {"IMG_0001": "Our cabin", "IMG_0002": "Our cabin"}


def test_the_rename_back_an_undo_proposed_cancels_the_mark_it_met(labelled, capsys) -> None:
    """review3-3: the undo took the mark out, so the rename back it proposed left a new mark,
    and the next undo --review met that one and proposed the typo again."""
    assert main(["--db", labelled, "rename", "Qubbat al-Sakhra", "Our dome trip"]) == 0
    assert main(["--db", labelled, "undo", "--review"]) == 1
    assert main(["--db", labelled, "rename", "Our dome trip", "Qubbat al-Sakhra"]) == 0
    capsys.readouterr()
    assert main(["--db", labelled, "undo", "--review"]) == 0
    assert "took back `label IMG_0002" in capsys.readouterr().err
    assert labels(labelled) == {"IMG_0001": "Qubbat al-Sakhra", "IMG_0002": None}


def test_the_apps_ctrl_z_meets_the_journals_mark_too(labelled, capsys) -> None:
    """Ctrl+Z on a Rename place… left the journal's mark: a later undo --review met the
    rename again after the app had already said it."""
    from app.core.index import renames_journalled
    from app.gui.review_undo import RenameStep, ReviewUndo

    assert main(["--db", labelled, "rename", "Qubbat al-Sakhra", "Our dome trip"]) == 0
    with PhotoIndex.open(labelled) as index:
        window = type("Window", (ReviewUndo,), {})()
        window.index, window.review_undo, said = index, [RenameStep("Qubbat al-Sakhra", "Our dome trip", False)], []
        window.index_read_only = index.read_only  # as MainWindow keeps it (eb81bdb)
        window.show_message = said.append
        assert window.undo_review() is False and "puts the name back" in said[0]
        assert renames_journalled.newest_rename(index.conn) is None
    capsys.readouterr()
    assert main(["--db", labelled, "undo", "--review"]) == 0
    assert "took back `label IMG_0002" in capsys.readouterr().err


def test_no_rename_back_is_offered_to_a_name_a_label_can_no_longer_hold(tmp_path, capsys) -> None:
    """review3-1: a label an older version stored with direction isolates renamed away was
    told "`rename 'Dome Ma' 'Dome <isolates>'` puts the name back", a rename refused."""
    from app.core.index import renames_journalled

    write_jpeg(tmp_path / "Trip" / "IMG_0001.jpg")
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(tmp_path / "Trip")]) == 0
    with PhotoIndex.open(db) as index:
        index.set_label(index.search("")[0].id, "Dome \u2068Ma\u2069")  # as an older version stored it
    capsys.readouterr()
    assert main(["--db", db, "rename", "Dome \u2068Ma\u2069", "Dome Ma"]) == 0
    said = capsys.readouterr().err
    assert renames_journalled.NO_WAY_BACK in said and "puts the name back" not in said
    assert main(["--db", db, "undo", "--review"]) == 1
    said = capsys.readouterr().err
    assert renames_journalled.NO_WAY_BACK in said and "puts the name back" not in said


def test_a_rename_renamed_again_is_put_back_from_the_name_it_has_now(labelled, capsys) -> None:
    """review4-1: after `rename Lake Lak; rename Lak Lakes`, the second undo --review proposed
    `rename Lak Lake`, refused ("no photo or taught place is called 'Lak'")."""
    assert main(["--db", labelled, "rename", "Qubbat al-Sakhra", "Our dom"]) == 0
    assert main(["--db", labelled, "rename", "Our dom", "Our dome"]) == 0
    assert main(["--db", labelled, "undo", "--review"]) == 1
    capsys.readouterr()
    assert main(["--db", labelled, "undo", "--review"]) == 1
    said = capsys.readouterr().err
    assert "the last review change was `rename 'Qubbat al-Sakhra' 'Our dom'`" in said, said
    assert "rename 'Our dome' 'Qubbat al-Sakhra'` puts the name back" in said, said
    assert main(["--db", labelled, "rename", "Our dome", "Qubbat al-Sakhra"]) == 0  # the way back works
    capsys.readouterr()
    assert main(["--db", labelled, "undo", "--review"]) == 0  # and leaves no mark: the step before them
    assert "took back `label IMG_0002" in capsys.readouterr().err
    assert labels(labelled) == {"IMG_0001": "Qubbat al-Sakhra", "IMG_0002": None}


def test_no_rename_back_is_offered_for_a_name_nothing_holds_any_more(labelled, capsys) -> None:
    """review4-1: the renamed place merged into another since (or its photos forgotten):
    `rename NEW OLD` would be refused, so the undo says there is nothing to rename."""
    assert main(["--db", labelled, "rename", "Qubbat al-Sakhra", "Our dome"]) == 0
    assert main(["--db", labelled, "rename", "Our dome", "Our cabin"]) == 0  # a merge
    assert main(["--db", labelled, "undo", "--review"]) == 1
    capsys.readouterr()
    assert main(["--db", labelled, "undo", "--review"]) == 1
    said = capsys.readouterr().err
    assert "the last review change was `rename 'Qubbat al-Sakhra' 'Our dome'`" in said, said
    assert "puts the name back" not in said and "no photo or taught place is called 'Our dome' now" in said, said


def test_the_apps_ctrl_z_puts_a_rename_renamed_again_back_from_its_name_now(labelled, capsys) -> None:
    from app.gui.review_undo import RenameStep, ReviewUndo

    assert main(["--db", labelled, "rename", "Qubbat al-Sakhra", "Our dom"]) == 0
    assert main(["--db", labelled, "rename", "Our dom", "Our dome"]) == 0
    with PhotoIndex.open(labelled) as index:
        window = type("Window", (ReviewUndo,), {})()
        window.index, said = index, []
        window.review_undo = [RenameStep("Qubbat al-Sakhra", "Our dom", False), RenameStep("Our dom", "Our dome", False)]
        window.index_read_only = index.read_only  # as MainWindow keeps it (eb81bdb)
        window.show_message = said.append
        assert window.undo_review() is False and window.undo_review() is False
        assert "Rename place… “Our dome” to “Qubbat al-Sakhra” puts the name back" in said[1], said
