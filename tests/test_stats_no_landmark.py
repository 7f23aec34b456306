"""`stats` counted a photo tagged "no landmark" neither as labelled nor as unlabelled
("labelled: 5" beside "0 unlabelled" for 8 photos). It is now counted on its own
(`no_landmark`), so that labelled, "no landmark", rejected and unlabelled add up to
the photos, and `stats` names both on its "labelled" line."""

from __future__ import annotations

from pathlib import Path

from app.cli.main import main
from app.core.index import PhotoIndex
from tests.test_index import add_photo, top


def a_library(index: PhotoIndex) -> None:
    """Two photos with a landmark, three tagged "no landmark" (one of them accepted, one
    rejected), one never tagged."""
    colosseum, arch, nothing, nothing_accepted, nothing_rejected, _ = (
        add_photo(index, "/lib", stem) for stem in "abcdef")
    index.set_label(colosseum, "Colosseum")
    index.set_predictions(arch, "m", top(("Arch of Titus", 0.9)), threshold=0.5)
    for photo in (nothing, nothing_accepted, nothing_rejected):
        index.set_predictions(photo, "m", top(("Colosseum", 0.2)), threshold=0.5)
    index.set_state([nothing_accepted], "accepted")
    index.set_state([nothing_rejected], "rejected")


def test_no_landmark_is_counted_and_the_counts_add_up() -> None:
    with PhotoIndex.open(":memory:") as index:
        a_library(index)
        stats = index.stats()
    assert (stats["photos"], stats["labelled"], stats["no_landmark"]) == (6, 2, 2)
    assert stats["by_state"] == {"suggested": 2, "accepted": 2, "rejected": 1, "unlabelled": 1}
    assert (stats["labelled"] + stats["no_landmark"] + stats["by_state"]["rejected"]
            + stats["by_state"]["unlabelled"]) == stats["photos"]


def test_stats_names_the_photos_tagged_no_landmark(tmp_path: Path, capsys) -> None:
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        a_library(index)
    assert main(["--db", str(db), "stats"]) == 0
    assert 'labelled:   2 with a landmark, 2 tagged "no landmark"\n' in capsys.readouterr().out
