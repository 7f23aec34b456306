"""A `label QUERY NAME` typed in a terminal that waited for the app's bulk L (or another
`label`) relabelled the photos its query had matched before the wait, though none matched
it any more: the app user's fresh "Roman Forum" was overwritten, "3 of 3 matching photos
changed", exit 0 (review6 F3). The query is checked again once the wait is over, in the
transaction that labels: a photo that stopped matching is left as it is, and said."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from app.cli.main import main
from app.core import journalled_labels
from app.core.index import PhotoIndex
from app.core.index.search_text import label_key
from tests.test_cli_label_after_app_job import scan_suggested_colosseum


@pytest.fixture
def scanned(tmp_path: Path, capsys) -> str:
    return scan_suggested_colosseum(tmp_path, capsys, ("IMG_0001.jpg", "IMG_0002.jpg", "IMG_0003.jpg"))


def _labels(db: str) -> dict[str, tuple[str | None, str]]:
    with PhotoIndex.open(db) as index:
        return {Path(record.path).name: (record.label, record.state) for record in index.search("")}


def _app_relabels_while_label_waits(db: str, monkeypatch, names: tuple[str, ...]) -> threading.Thread:
    """The app's bulk L: another connection holds the write lock and relabels `names`
    "Roman Forum"; it commits once `label` has matched its query and waits for the lock."""
    with PhotoIndex.open(db) as index:
        ids = [record.id for record in index.search("") if Path(record.path).name in names]
    app = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    app.execute("BEGIN IMMEDIATE")
    app.execute("UPDATE labels SET label = 'Roman Forum', label_key = ?, source = 'user', state = 'accepted' "
                f"WHERE photo_id IN ({','.join('?' * len(ids))})", [label_key("Roman Forum"), *ids])
    matched = threading.Event()

    def commit_after_the_match() -> None:
        matched.wait(30)
        app.execute("COMMIT")
        app.close()

    place_named = journalled_labels._place_named

    def label_matched(*args, **kwargs):  # called after the query matched, before the transaction
        matched.set()
        return place_named(*args, **kwargs)

    monkeypatch.setattr(journalled_labels, "_place_named", label_matched)
    app_job = threading.Thread(target=commit_after_the_match)
    app_job.start()
    return app_job


def _label_while_the_app_relabels(db: str, monkeypatch, capsys, names: tuple[str, ...],
                                  *label_args: str) -> tuple[int, str]:
    """`label *label_args` run while the app relabels `names`: its exit code and stderr."""
    app_job = _app_relabels_while_label_waits(db, monkeypatch, names)
    try:
        code = main(["--db", db, "label", *label_args])
    finally:
        app_job.join(30)
    return code, capsys.readouterr().err


def test_a_label_that_waited_leaves_the_photos_the_app_relabelled_meanwhile(scanned, monkeypatch, capsys) -> None:
    code, err = _label_while_the_app_relabels(scanned, monkeypatch, capsys, ("IMG_0001.jpg", "IMG_0002.jpg"),
                                              "label:Colosseum", "Colosseo", "--new")
    assert code == 1, err
    assert "2 photos no longer match `label:Colosseum` (changed by another job while this waited); " \
           "left as they are" in err
    assert "1 of 1 matching photo changed" in err
    assert _labels(scanned) == {"IMG_0001.jpg": ("Roman Forum", "accepted"),
                                "IMG_0002.jpg": ("Roman Forum", "accepted"),
                                "IMG_0003.jpg": ("Colosseo", "accepted")}
    monkeypatch.undo()
    assert main(["--db", scanned, "undo", "--review"]) == 0  # takes back the one photo it labelled
    assert _labels(scanned)["IMG_0003.jpg"] == ("Colosseum", "suggested")
    assert _labels(scanned)["IMG_0001.jpg"] == ("Roman Forum", "accepted")


def test_a_label_whose_every_photo_stopped_matching_changes_none(scanned, monkeypatch, capsys) -> None:
    code, err = _label_while_the_app_relabels(scanned, monkeypatch, capsys,
                                              ("IMG_0001.jpg", "IMG_0002.jpg", "IMG_0003.jpg"),
                                              "label:Colosseum", "Colosseo", "--new")
    assert code == 1, err
    assert "3 photos no longer match `label:Colosseum`" in err
    assert set(_labels(scanned).values()) == {("Roman Forum", "accepted")}


def test_a_photo_named_by_its_file_is_labelled_as_the_other_job_left_it(scanned, monkeypatch, capsys) -> None:
    code, err = _label_while_the_app_relabels(scanned, monkeypatch, capsys, ("IMG_0001.jpg",),
                                              "IMG_0001", "Colosseo", "--new")
    assert code == 0, err
    assert "1 of 1 matching photo changed" in err
    assert _labels(scanned)["IMG_0001.jpg"] == ("Colosseo", "accepted")
