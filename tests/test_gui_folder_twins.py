"""The library panel and a library folder not found whose parent folder does not answer
(a network drive that stopped responding): the folder a sync tool may have respelled it
to (relocate.twin_of_missing lists that parent) is looked up off the GUI thread, so the
panel is built at once with the plain hint, and the twin is named once the listing ends."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
from app.core.library import FolderNode  # noqa: E402

pytestmark = pytest.mark.gui

PLAIN_HINT = "Not found: moved, renamed, or on a drive that is not connected."


@pytest.fixture
def stalled_listing(monkeypatch, tmp_path):
    """os.listdir of tmp_path waits until the test lets it go (or 10 s at most), as on a
    dead network mount; other folders list as usual. Yields (let_go, listed): listed is set
    once that listing has returned."""
    let_go, listed = threading.Event(), threading.Event()
    listdir = os.listdir

    def waiting_listdir(path="."):
        if os.fspath(path) != str(tmp_path):
            return listdir(path)
        let_go.wait(10)
        try:
            return listdir(path)
        finally:
            listed.set()

    monkeypatch.setattr(os, "listdir", waiting_listdir)
    yield let_go, listed
    let_go.set()


def counted_lookups(monkeypatch, module) -> list[str]:
    """The folders `module`'s twin_of_missing is asked about, in order (it still answers)."""
    looked = []
    twin_of_missing = module.twin_of_missing
    monkeypatch.setattr(module, "twin_of_missing", lambda folder: looked.append(folder) or twin_of_missing(folder))
    return looked


def test_the_tree_is_built_without_waiting_for_the_twin_lookup(qtbot, tmp_path: Path, stalled_listing) -> None:
    from app.gui.library_tree import LibraryTree

    let_go, listed = stalled_listing
    (tmp_path / "trip").mkdir()  # "Trip" renamed in case only: its twin
    old = str(tmp_path / "Trip")
    tree = LibraryTree()
    qtbot.addWidget(tree)

    tree.show_folders(3, [FolderNode(old, "Trip", 3, present=False)])

    assert not listed.is_set()  # built while the listing still hangs
    root = tree.topLevelItem(1)
    assert root.text(0) == "Trip"
    assert PLAIN_HINT in root.toolTip(0)
    let_go.set()
    qtbot.waitUntil(lambda: "spelled in another case" in tree.topLevelItem(1).toolTip(0))
    assert "Locate folder…" in tree.topLevelItem(1).toolTip(0)


def test_a_rebuild_while_the_lookup_hangs_starts_no_second_lookup(qtbot, tmp_path: Path, stalled_listing,
                                                                  monkeypatch) -> None:
    from app.gui import folder_twins
    from app.gui.library_tree import LibraryTree

    let_go, _listed = stalled_listing
    looked = counted_lookups(monkeypatch, folder_twins)
    old = str(tmp_path / "Trip")
    tree = LibraryTree()
    qtbot.addWidget(tree)

    for _ in range(3):  # outside changes and jobs rebuild the panel every few seconds
        tree.show_folders(3, [FolderNode(old, "Trip", 3, present=False)])
    qtbot.waitUntil(lambda: looked == [old])
    with qtbot.waitSignal(tree.folder_twins.found, timeout=10000):
        let_go.set()

    assert looked == [old]
    assert PLAIN_HINT in tree.topLevelItem(1).toolTip(0)  # no twin there
