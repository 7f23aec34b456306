"""A problem of a photo whose file was deleted since (review2 F3): `stats --errors` and the
Problems panel list its row, but every search term leaves missing photos out unless
is:missing is given, so `search is:damaged` said "0 photos" with no hint. The rows say the
file is missing and which search finds it; `search` names the missing photos it left out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from tests.test_index import add_photo

NAMES = ("damaged", "gone", "lost", "fine")


def _fill(index: PhotoIndex) -> dict[str, int]:
    """A damaged photo, a damaged one missing, a missing one whose scan problem names only
    its file, and one without a problem."""
    ids = {name: add_photo(index, "/lib/Paris", f"DSC_{n:04d}", f"2020-11-{n + 1:02d}T10:00:00")
           for n, name in enumerate(NAMES)}
    path = lambda name: f"/lib/Paris/DSC_{NAMES.index(name):04d}.JPG"  # noqa: E731
    index.record_error(path("damaged"), "damaged", "3 extraneous bytes before marker", photo_id=ids["damaged"])
    index.record_error(path("gone"), "damaged", "premature end of data", photo_id=ids["gone"])
    index.record_error(path("lost"), "scan", "not a readable JPEG image")
    index.record_error(None, "teach", "'Petra' is not taught: too few photos", photo_id=ids["fine"])
    index.conn.execute("UPDATE photos SET missing = 1 WHERE id IN (?, ?)", (ids["gone"], ids["lost"]))
    index.conn.commit()
    return ids


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "index.db")
    with PhotoIndex.open(path) as index:
        _fill(index)
    return path


def test_error_records_say_whether_their_photo_is_missing(db: str) -> None:
    with PhotoIndex.open(db) as index:
        missing = {Path(e.path).name if e.path else e.stage: e.missing for e in index.errors()}
        assert missing == {"DSC_0000.JPG": False, "DSC_0001.JPG": True, "DSC_0002.JPG": True, "teach": False}
        gone = index.photo_ids("is:missing id:2")
        assert [e.missing for e in index.photo_problems(gone[0])] == [True]


def test_stats_errors_says_the_file_is_missing_and_which_search_finds_it(db: str, capsys) -> None:
    from app.cli.main import main

    assert main(["--db", db, "stats", "--errors"]) == 0
    lines = capsys.readouterr().out.splitlines()
    [gone] = [line for line in lines if "DSC_0001.JPG" in line]
    assert gone == "damaged: /lib/Paris/DSC_0001.JPG: premature end of data " \
                   "(file missing: `is:missing is:damaged` finds it)"
    [lost] = [line for line in lines if "DSC_0002.JPG" in line]
    assert lost.endswith("(file missing: `is:missing is:unreadable` finds it)")
    [present] = [line for line in lines if "DSC_0000.JPG" in line]
    assert "missing" not in present
    assert main(["--db", db, "stats", "--errors", "--json"]) == 0
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert {Path(p["path"]).name: p["missing"] for p in problems if p["path"]} == {
        "DSC_0000.JPG": False, "DSC_0001.JPG": True, "DSC_0002.JPG": True}
    assert all(set(p) == {"stage", "path", "photo_id", "message", "at", "missing"} for p in problems)


@pytest.mark.parametrize(("query", "hint"), [
    ("is:damaged paris", None),  # finds the present one: no hint
    ("is:damaged date:2020-11-02", "1 missing photo matches too: add is:missing"),
    ("is:unreadable", "1 missing photo matches too: add is:missing"),
    ("is:damaged|unreadable -id:1", "2 missing photos match too: add is:missing"),
    ("is:unreadable|write-failed", "1 missing photo matches too: add is:missing"),
    ("-is:damaged date:2020-11-02", None),  # no problem asked for
    ("is:missing is:teach-failed", None),  # is:missing given
    ("is:teach-failed -id:4", None),  # no missing photo would match either
])
def test_search_names_the_missing_photos_a_problem_term_left_out(db: str, capsys, query: str, hint) -> None:
    from app.cli.main import main

    assert main(["--db", db, "search", query]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[1:] == ([hint] if hint else [])
    assert main(["--db", db, "search", "--json", query]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines()[1:] == ([hint] if hint else [])
    assert all(json.loads(line) for line in captured.out.splitlines())  # stdout stays JSON lines


def test_the_problems_panel_says_the_file_is_missing_in_the_apps_words(db: str, qtbot) -> None:
    from app.gui.errors_panel import ErrorsPanel

    panel = ErrorsPanel()
    qtbot.addWidget(panel)
    with PhotoIndex.open(db) as index:
        for error in reversed(index.errors()):
            panel.add_recorded(error)
        shown = {panel.item(row, 0).text(): panel.item(row, 2).text() for row in range(panel.rowCount())}
        assert shown["DSC_0001.JPG"] == ("premature end of data "
                                         "(file missing: searching is:missing is:damaged finds it)")
        assert shown["DSC_0000.JPG"] == "3 extraneous bytes before marker"
        assert "landmark-tagger" not in shown["DSC_0002.JPG"] and "is:missing is:unreadable" in shown["DSC_0002.JPG"]
        # the present damaged photo's file deleted, then a scan: its row says so, without a restart
        index.conn.execute("UPDATE photos SET missing = 1 WHERE id = 1")
        index.conn.commit()
        panel.refresh_recorded(index.errors())
        rows = {panel.item(row, 0).text(): row for row in range(panel.rowCount())}
        assert panel.item(rows["DSC_0000.JPG"], 2).text().endswith("(file missing: searching is:missing is:damaged finds it)")
        assert panel.rowCount() == 4
