"""A rename's mark in the review journal goes only with the rename that is its way back
(renames_journalled): a merge renamed back by hand, or a mark other than the one an undo
showed, stays, so `undo --review` never takes back the unrelated step before it
(t_unicode-6)."""

from __future__ import annotations

from app.cli.main import main
from app.core.index import PhotoIndex, renames_journalled
from tests.test_undo_review_after_rename import labelled, labels  # noqa: F401  (the fixture)


def test_a_merge_renamed_back_by_hand_keeps_its_mark(labelled, capsys) -> None:  # noqa: F811
    """`rename B A` after a merge of A into B renames every B photo (those that were B
    before too): no way back, so the merge's mark and the rename's own stay."""
    assert main(["--db", labelled, "rename", "Qubbat al-Sakhra", "Our cabin"]) == 0  # a merge
    assert main(["--db", labelled, "rename", "Our cabin", "Qubbat al-Sakhra"]) == 0
    capsys.readouterr()
    assert main(["--db", labelled, "undo", "--review"]) == 1
    assert "the last review change was `rename 'Our cabin' 'Qubbat al-Sakhra'`" in capsys.readouterr().err
    assert main(["--db", labelled, "undo", "--review"]) == 1
    assert "a merge is not taken back by renaming" in capsys.readouterr().err
    assert labels(labelled) == {"IMG_0001": "Qubbat al-Sakhra", "IMG_0002": "Qubbat al-Sakhra"}


def test_an_undo_takes_out_only_the_mark_it_showed(labelled, capsys) -> None:  # noqa: F811
    """The app showed the mark of `rename A B`; a rename made in the CLI meanwhile is the
    newest mark now: it stays, and the undo takes nothing out."""
    assert main(["--db", labelled, "rename", "Qubbat al-Sakhra", "Our dome"]) == 0
    with PhotoIndex.open(labelled) as index:
        shown = renames_journalled.newest_rename(index.conn)
    assert main(["--db", labelled, "rename", "Our cabin", "Our hut"]) == 0
    with PhotoIndex.open(labelled) as index:
        newest = renames_journalled.newest_rename(index.conn)
        assert renames_journalled.take_out_newest_rename(index, met=shown) is None
        assert renames_journalled.newest_rename(index.conn) == newest and newest.old == "Our cabin"


def test_a_rename_back_that_merges_keeps_the_marks(labelled, capsys) -> None:  # noqa: F811
    """`rename A B`, then A on a photo again without a review step (a scan reading another
    program's keyword), then `rename B A`: a merge of the two, no way back, so it cancels
    nothing: the next undo --review meets the merge, not the label step before them."""
    assert main(["--db", labelled, "rename", "Qubbat al-Sakhra", "Our dome"]) == 0
    with PhotoIndex.open(labelled) as index:
        index.set_label(next(r.id for r in index.search("") if r.path.endswith("IMG_0002.jpg")), "Qubbat al-Sakhra")
    assert main(["--db", labelled, "rename", "Our dome", "Qubbat al-Sakhra"]) == 0
    assert "`undo --review` does not take a merge back:" in capsys.readouterr().err
    assert main(["--db", labelled, "undo", "--review"]) == 1
    assert "a merge is not taken back by renaming" in capsys.readouterr().err
    assert labels(labelled) == {"IMG_0001": "Qubbat al-Sakhra", "IMG_0002": "Qubbat al-Sakhra"}


def test_a_rename_chain_back_to_its_first_name_offers_no_rename_to_itself(labelled, capsys) -> None:  # noqa: F811
    """`rename A B`, a label, `rename B C`, `rename C A`: the undo meeting `rename A B` proposed
    `rename A A`, which rename refuses. It says the place has its name again, and the next
    undo takes back the step before it."""
    for argv in (["rename", "Qubbat al-Sakhra", "Dome"], ["label", "IMG_0002", "Hut", "--new"],
                 ["rename", "Dome", "Domes"], ["rename", "Domes", "Qubbat al-Sakhra"]):
        assert main(["--db", labelled, *argv]) == 0
    for _ in range(3):  # the two renames met, the label taken back
        main(["--db", labelled, "undo", "--review"])
    capsys.readouterr()
    assert main(["--db", labelled, "undo", "--review"]) == 1
    said = capsys.readouterr().err
    assert "the last review change was `rename 'Qubbat al-Sakhra' Dome`" in said
    assert "is called 'Qubbat al-Sakhra' again" in said and "'Qubbat al-Sakhra' 'Qubbat al-Sakhra'" not in said
    assert main(["--db", labelled, "undo", "--review"]) == 0
    assert "took back `label IMG_0002 'Our cabin'`" in capsys.readouterr().err
    assert labels(labelled) == {"IMG_0001": "Qubbat al-Sakhra", "IMG_0002": None}


def test_the_apps_ctrl_z_says_so_too(labelled, capsys) -> None:  # noqa: F811
    from app.gui.review_undo import RenameStep, ReviewUndo

    for argv in (["rename", "Qubbat al-Sakhra", "Dome"], ["label", "IMG_0002", "Hut", "--new"],
                 ["rename", "Dome", "Qubbat al-Sakhra"], ["undo", "--review"], ["undo", "--review"]):
        main(["--db", labelled, *argv])
    with PhotoIndex.open(labelled) as index:
        window = type("Window", (ReviewUndo,), {})()
        window.index, window.review_undo, said = index, [RenameStep("Qubbat al-Sakhra", "Dome", False)], []
        window.index_read_only = index.read_only
        window.show_message = said.append
        assert window.undo_review() is False
        assert "the place is called “Qubbat al-Sakhra” again since: there is no name to rename back" in said[0], said
        assert renames_journalled.newest_rename(index.conn) is None
