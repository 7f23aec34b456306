"""PhotoIndex: schema, labels and their rules, errors, stats, two processes."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from pathlib import Path

import pytest

from app.core.errors import UsageError
from app.core.index import PhotoIndex, Prediction
from app.core.index import catalog
from app.core.index.connection import db_text
from app.core.index.records import printable_path
from app.core.index.schema import LATEST_VERSION
from app.core.photo_info import PhotoInfo
from app.core.scanner import scan
from tests.test_index_support import write_jpeg

TABLES = {
    "photos", "files", "labels", "predictions", "tagged", "embeddings", "errors", "scan_runs",
    "library_roots", "write_batches", "write_journal", "taught_refs", "rejections", "photos_fts",
}


def add_photo(index: PhotoIndex, folder: str, stem: str, taken_at: str | None = None, model: str = "NIKON D850",
              lens: str | None = None) -> int:
    """A photo row (and its file) without touching the disk."""
    with index.transaction() as conn:
        info = PhotoInfo(kind="jpeg", taken_at=taken_at, camera_make="NIKON CORPORATION", camera_model=model, lens=lens)
        photo_id, _ = catalog.save_photo(conn, folder, stem, f"{folder}/{stem}.JPG", False, info)
        conn.execute(  # the columns every schema version has (older indexes are built with this too)
            "INSERT INTO files (photo_id, path, name, ext, kind, size, mtime_ns, fingerprint, missing, last_scan_id) "
            "VALUES (?, CAST(? AS TEXT), CAST(? AS TEXT), '.jpg', 'jpeg', 10, 1, ?, 0, 0)",
            (photo_id, db_text(f"{folder}/{stem}.JPG"), db_text(f"{stem}.JPG"), printable_path(f"fp-{folder}-{stem}")))
        catalog.refresh_fts(conn, photo_id)
    return photo_id


@pytest.fixture
def index():
    with PhotoIndex.open(":memory:") as idx:
        yield idx


def top(*pairs: tuple[str, float]) -> list[Prediction]:
    return [Prediction(landmark_id=label.lower().replace(" ", "_"), label=label, score=score) for label, score in pairs]


def test_new_index_has_every_table_of_migration_1(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "index.db"
    path.parent.mkdir()
    with PhotoIndex.open(path) as idx:
        names = {r[0] for r in idx.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert TABLES <= names
        assert idx.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        assert idx.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert idx.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
    with PhotoIndex.open(path) as again:  # reopening does not migrate twice
        assert again.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION


def test_default_location_and_env_override(tmp_path: Path, monkeypatch) -> None:
    with PhotoIndex.open() as idx:
        assert Path(idx.path).parent == Path(os.environ["LANDMARK_TAGGER_HOME"]) / "data"
    monkeypatch.setenv("LANDMARK_TAGGER_DB", str(tmp_path / "env.db"))
    with PhotoIndex.open() as idx:
        assert idx.path == str(tmp_path / "env.db")
    assert (tmp_path / "env.db").exists()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    PhotoIndex.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(Exception, match="newer version"):
        PhotoIndex.open(path)


def test_a_file_that_is_not_a_database_gives_a_clear_error(tmp_path: Path) -> None:
    from app.core.errors import IndexStoreError

    path = tmp_path / "garbage.db"
    path.write_bytes(b"SQLite format 3\x00" + b"this is not sqlite" * 100)  # a damaged index
    with pytest.raises(IndexStoreError, match="garbage.db is damaged or is not a landmark-tagger index") as caught:
        PhotoIndex.open(path)
    assert "scan your folders again" in str(caught.value)
    path.write_bytes(b"this is not sqlite" * 100)  # no SQLite file at all (a photo named by mistake)
    with pytest.raises(IndexStoreError, match=r"garbage.db is not a landmark-tagger index \(it is not an SQLite "
                       r"file\)") as caught:
        PhotoIndex.open(path)
    assert "scan your folders again" not in str(caught.value)
    with pytest.raises(IndexStoreError, match="check the path and its permissions"):
        PhotoIndex.open(tmp_path)  # a folder: SQLite cannot open it at all


def test_model_suggestion_then_threshold_then_user_label_is_kept(index: PhotoIndex) -> None:
    pid = add_photo(index, "/lib", "a", "2020-01-01T10:00:00")
    index.set_predictions(pid, "m1", top(("Eiffel Tower", 0.9), ("Louvre", 0.05)), threshold=0.5)
    photo = index.get(pid)
    assert (photo.label, photo.state, photo.source, photo.model_id) == ("Eiffel Tower", "suggested", "model", "m1")
    assert [p.label for p in index.predictions(pid)] == ["Eiffel Tower", "Louvre"]
    assert index.conn.execute("SELECT file_fingerprint FROM tagged WHERE photo_id = ?", (pid,)).fetchone()[0] == "fp-/lib-a"

    index.set_predictions(pid, "m2", top(("Louvre", 0.3)), threshold=0.5)
    photo = index.get(pid)
    assert photo.label is None and photo.state == "suggested" and photo.score == pytest.approx(0.3)

    index.set_label(pid, "Notre Dame")
    index.set_predictions(pid, "m3", top(("Eiffel Tower", 0.99)), threshold=0.5)
    photo = index.get(pid)
    assert (photo.label, photo.state, photo.source) == ("Notre Dame", "accepted", "user")
    assert [p.label for p in index.predictions(pid, "m1")] == ["Eiffel Tower", "Louvre"]


def test_a_rejected_suggestion_is_not_suggested_again(index: PhotoIndex) -> None:
    pid = add_photo(index, "/lib", "a")
    index.set_predictions(pid, "m1", top(("Eiffel Tower", 0.9)), threshold=0.5)
    assert index.set_state([pid], "rejected") == 1
    assert index.count("eiffel") == 0  # a rejected label is not found by its words
    index.set_predictions(pid, "m1", top(("Eiffel Tower", 0.95)), threshold=0.5)
    assert index.get(pid).state == "rejected"
    index.set_predictions(pid, "m1", top(("Louvre", 0.95)), threshold=0.5)
    assert (index.get(pid).label, index.get(pid).state) == ("Louvre", "suggested")
    index.set_state([pid], "accepted")
    assert index.count('label:"louvre" state:accepted') == 1


def test_an_accepted_suggestion_does_not_follow_another_photo_saved_under_its_name(tmp_path: Path) -> None:
    """Accepting "Colosseum", then saving a Taj Mahal photo under the same file name,
    then tagging kept "Colosseum" accepted, so `write` put it into the Taj Mahal photo.
    The acceptance was about the picture the model saw: when the file holds another
    picture (the tagger compares the embeddings) and the model sees another landmark,
    the photo gets that as a fresh suggestion. An edit the model still sees as the same
    landmark, the same picture with another answer, and a label the user typed keep
    their label."""
    folder = tmp_path / "photos"
    replaced = write_jpeg(folder / "DSC_0001.JPG", color=(200, 30, 30))
    edited = write_jpeg(folder / "DSC_0002.JPG", color=(30, 200, 30))
    typed = write_jpeg(folder / "DSC_0003.JPG", color=(30, 30, 200))
    retagged = write_jpeg(folder / "DSC_0004.JPG", color=(90, 90, 90))
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        ids = {p.path: p.id for p in index.search("")}
        a, b, c, d = (ids[str(p)] for p in (replaced, edited, typed, retagged))
        for pid in (a, b, c, d):
            index.set_predictions(pid, "m1", top(("Colosseum", 0.9)), threshold=0.5)
        index.set_state([a, b, d], "accepted")
        index.set_label(c, "Colosseo")
        write_jpeg(replaced, color=(10, 10, 10), model="Another camera")  # another photo, the same name
        write_jpeg(edited, color=(31, 200, 30), model="Edited elsewhere")
        write_jpeg(typed, color=(10, 10, 10), model="Another camera")
        write_jpeg(retagged, color=(90, 90, 90), model="Rated elsewhere")  # the same picture, its metadata edited
        scan(index, [folder])
        index.set_predictions(a, "m1", top(("Taj Mahal", 0.97), ("Colosseum", 0.01)), threshold=0.5,
                              image_changed=True)
        index.set_predictions(b, "m1", top(("Colosseum", 0.8)), threshold=0.5, image_changed=True)
        index.set_predictions(c, "m1", top(("Taj Mahal", 0.97)), threshold=0.5, image_changed=True)
        # the same picture (its metadata edited), the model's answer changed since (a
        # place taught, a GPS position added): what was accepted stays
        index.set_predictions(d, "m1", top(("Taj Mahal", 0.97)), threshold=0.5)
        assert (index.get(a).label, index.get(a).state, index.get(a).source) == ("Taj Mahal", "suggested", "model")
        assert (index.get(b).label, index.get(b).state) == ("Colosseum", "accepted")
        assert (index.get(c).label, index.get(c).state, index.get(c).source) == ("Colosseo", "accepted", "user")
        assert (index.get(d).label, index.get(d).state) == ("Colosseum", "accepted")
        assert index.count("state:accepted label:colosseum") == 2


def test_review_states_keep_the_words_and_the_state_searchable(index: PhotoIndex) -> None:
    """Accepting leaves the label's words alone; rejecting hides them; taking a rejection
    back shows them again, and state: follows every change."""
    pid = add_photo(index, "/lib", "a", "2020-01-01T10:00:00")
    index.set_predictions(pid, "m1", top(("Eiffel Tower", 0.9)), threshold=0.5)
    for state, findable in (("accepted", True), ("rejected", False), ("suggested", True), ("accepted", True)):
        index.set_state([pid], state)
        assert index.photo_ids("eiffel") == ([pid] if findable else []), state
        assert index.count(f"state:{state}") == 1 and index.count(f"state:{state} eiffel", limit=5) == int(findable)
        assert [r.id for r in index.search(f"state:{state}", limit=5)] == [pid]  # the time-ordered table


def test_labels_reach_full_text_search(index: PhotoIndex) -> None:
    a = add_photo(index, "/lib/Paris 2019", "DSC_0001", "2019-05-01T10:00:00")
    b = add_photo(index, "/lib/Rome", "DSC_0002", "2019-06-01T10:00:00", model="NIKON D40")
    index.set_label(a, "Eiffel Tower")
    assert index.photo_ids("eiffel") == [a]
    assert index.photo_ids("tower") == [a]
    assert index.photo_ids("paris") == [a]
    assert index.photo_ids("DSC_0002") == [b]
    assert index.photo_ids("camera:D40") == [b]
    index.set_label(a, "Louvre")
    assert index.photo_ids("eiffel") == []
    assert index.known_labels() == ["Louvre"]


def test_set_label_checks_its_arguments(index: PhotoIndex) -> None:
    pid = add_photo(index, "/lib", "a")
    with pytest.raises(UsageError, match="state"):
        index.set_label(pid, "X", state="maybe")
    with pytest.raises(UsageError, match="source"):
        index.set_label(pid, "X", source="oracle")
    with pytest.raises(UsageError, match="12345"):
        index.get(12345)
    with pytest.raises(UsageError):
        index.set_label(12345, "X")


def test_errors_are_recorded_and_listed(index: PhotoIndex) -> None:
    index.record_error("/lib/bad.jpg", "decode", "truncated", run_id=7)
    index.record_error("/lib/other.jpg", "scan", "empty")
    assert [e.message for e in index.errors(run_id=7)] == ["truncated"]
    assert [e.path for e in index.errors(stage="scan")] == ["/lib/other.jpg"]
    with pytest.raises(UsageError):
        index.record_error("/x", "dreaming", "no")
    assert index.stats()["errors"] == 2


def test_each_problem_is_kept_once_with_its_newest_message(index: PhotoIndex) -> None:
    pid = add_photo(index, "/lib", "a")
    index.record_error("/lib/a.jpg", "decode", "truncated", photo_id=pid)
    first = index.errors()[0].id
    index.record_error("/lib/a.jpg", "decode", "truncated again", photo_id=pid)
    index.record_error("/lib/a.jpg", "write", "read-only", photo_id=pid)
    index.record_error("/lib/a.xmp", "write", "disk full", photo_id=pid)
    index.record_error(None, "teach", "no embedding", photo_id=pid)
    index.record_error(None, "teach", "still no embedding", photo_id=pid)
    assert sorted((e.stage, e.message) for e in index.errors()) == [
        ("decode", "truncated again"), ("teach", "still no embedding"), ("write", "disk full"), ("write", "read-only"),
    ]
    assert min(e.id for e in index.errors()) > first  # a replaced row gets a new, larger id
    assert index.stats()["errors_by_stage"] == {"write": 2, "decode": 1, "teach": 1}

    index.clear_errors(("write",), path="/lib/a.jpg")  # the JPEG was written; its sidecar still failed
    index.set_predictions(pid, "m1", top(("Colosseum", 0.9)), threshold=0.5)  # decoded and tagged at last
    assert sorted((e.stage, e.path) for e in index.errors()) == [("teach", None), ("write", "/lib/a.xmp")]
    with pytest.raises(UsageError):
        index.clear_errors(("write",))


def test_ids_of_problems_are_never_handed_out_twice(index: PhotoIndex) -> None:
    """The GUI shows the problems newer than the id it saw when a job started."""
    index.record_error("/lib/a.jpg", "scan", "empty file")
    seen = index.errors()[0].id
    index.record_error("/lib/a.jpg", "scan", "empty file")  # deletes the newest row, inserts again
    assert index.errors()[0].id > seen


def test_an_index_from_migration_8_keeps_the_newest_error_of_each_problem(tmp_path: Path, monkeypatch) -> None:
    from app.core.index import schema

    path = tmp_path / "v8.db"
    monkeypatch.setattr(schema, "LATEST_VERSION", 8)
    with PhotoIndex.open(path) as idx:
        rows = [("/lib/a.nef", None, "scan", "stub", 1), ("/lib/a.nef", None, "scan", "stub", 2),
                ("/lib/a.nef", 5, "decode", "cannot decode", 3), (None, 5, "teach", "old", 3),
                (None, 5, "teach", "new", 4), (None, 6, "teach", "other photo", 4)]
        with idx.transaction() as conn:
            conn.executemany("INSERT INTO errors (path, photo_id, stage, message, run_id) VALUES (?, ?, ?, ?, ?)", rows)
    monkeypatch.undo()
    with PhotoIndex.open(path) as idx:
        assert idx.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        kept = sorted(((e.path, e.photo_id, e.stage, e.message, e.run_id) for e in idx.errors()), key=str)
        assert kept == sorted([
            ("/lib/a.nef", None, "scan", "stub", 2), ("/lib/a.nef", 5, "decode", "cannot decode", 3),
            (None, 5, "teach", "new", 4), (None, 6, "teach", "other photo", 4),
        ], key=str)
        newest = max(e.id for e in idx.errors())
        idx.record_error("/lib/b.jpg", "scan", "empty file")
        assert idx.errors(stage="scan", limit=1)[0].id == newest + 1


def test_folders_nest_on_the_platforms_separator(index: PhotoIndex) -> None:
    """Windows paths: 'C:\\Photos' holds 'C:\\Photos\\2020' but not 'C:\\Photos-old'."""
    from app.core.index.query import folder_condition

    for folder, stem in [("C:\\Photos", "a"), ("C:\\Photos\\2020", "b"), ("C:\\Photos\\2020\\Rome", "c"),
                         ("C:\\Photos-old", "d"), ("C:\\Photos0", "e")]:
        add_photo(index, folder, stem)
    assert sorted(catalog.folders_under(index.conn, "C:\\Photos", sep="\\")) == [
        "C:\\Photos", "C:\\Photos\\2020", "C:\\Photos\\2020\\Rome"]
    assert catalog.count_photos_under(index.conn, "C:\\Photos\\", sep="\\") == 3
    sql, params = folder_condition("C:\\Photos\\2020", sep="\\")
    stems = {r[0] for r in index.conn.execute(f"SELECT stem FROM photos p WHERE {sql}", params)}
    assert stems == {"b", "c"}


def test_stats_count_states_pairs_and_missing(tmp_path: Path, index: PhotoIndex) -> None:
    a = add_photo(index, "/lib", "a")
    add_photo(index, "/lib", "b")
    c = add_photo(index, "/lib", "c")
    index.set_label(a, "Colosseum")
    index.set_predictions(c, "m", top(("Colosseum", 0.2)), threshold=0.5)
    stats = index.stats()
    assert stats["photos"] == 3 and stats["labelled"] == 1
    assert stats["by_state"] == {"suggested": 1, "accepted": 1, "rejected": 0, "unlabelled": 1}
    assert stats["last_scan"] is None


def test_roots_are_remembered(tmp_path: Path, index: PhotoIndex) -> None:
    index.add_root(tmp_path)
    index.add_root(tmp_path)
    assert index.roots() == [tmp_path.resolve()]
    index.remove_root(tmp_path)
    assert index.roots() == []


def test_transaction_rolls_back_on_error(index: PhotoIndex) -> None:
    pid = add_photo(index, "/lib", "a")
    with pytest.raises(RuntimeError):
        with index.transaction():
            index.set_label(pid, "Colosseum")
            raise RuntimeError("boom")
    assert index.get(pid).state == "unlabelled"


def test_non_utf8_paths_round_trip(index: PhotoIndex) -> None:
    folder = os.fsdecode(b"/lib/caf\xe9")
    pid = add_photo(index, folder, os.fsdecode(b"\xff\xfe"))
    photo = index.get(pid)
    assert photo.folder == folder
    assert os.fsencode(photo.path) == b"/lib/caf\xe9/\xff\xfe.JPG"
    assert "\ufffd" in photo.to_json()["path"]


def _label_many(path: str, worker: int, count: int) -> None:
    with PhotoIndex.open(path) as idx:
        for photo_id in idx.photo_ids():
            if photo_id % 2 == worker:
                for n in range(count):
                    idx.set_label(photo_id, f"label {worker} {n}")


def test_two_processes_write_at_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    for n in range(6):
        write_jpeg(tmp_path / "lib" / f"p{n}.jpg", color=(n * 30, 0, 0))
    with PhotoIndex.open(path) as idx:
        scan(idx, [tmp_path / "lib"])
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_label_many, args=(str(path), w, 15)) for w in (0, 1)]
    for w in workers:
        w.start()
    with PhotoIndex.open(path) as idx:  # a reader (the GUI) at the same time
        for _ in range(20):
            assert idx.count() == 6
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    with PhotoIndex.open(path) as idx:
        assert idx.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert sorted(r.label for r in idx.search()) == sorted(f"label {i % 2} 14" for i in range(1, 7))


def _index_at_version(path: Path, monkeypatch, version: int, photos: list[tuple], labels: list[tuple]) -> list[int]:
    """An index file at schema `version` with `photos` (folder, stem, taken_at) and their
    labels (label, score, source, state) inserted as that version wrote them (set_label
    writes today's columns). Returns the photo ids."""
    from app.core.index import schema
    from app.core.index.search_text import refresh_search_text

    monkeypatch.setattr(schema, "LATEST_VERSION", version)
    with PhotoIndex.open(path) as idx:
        ids = [add_photo(idx, *photo) for photo in photos]
        with idx.transaction() as conn:
            for photo_id, row in zip(ids, labels):
                conn.execute("INSERT INTO labels (photo_id, label, score, source, state) VALUES (?, ?, ?, ?, ?)",
                             (photo_id, *row))
                refresh_search_text(conn, photo_id)
        assert idx.conn.execute("PRAGMA user_version").fetchone()[0] == version
    monkeypatch.undo()
    return ids


def test_an_index_from_migration_9_gets_folded_label_keys(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "v9.db"
    first, second = _index_at_version(
        path, monkeypatch, 9,
        [("/lib/Marseille", "DSC_0001", "2020-11-03T10:00:00"), ("/lib/Roma", "DSC_0002", "2021-05-01T09:00:00")],
        [("Château d'If", None, "user", "accepted"), (None, 0.2, "model", "suggested")],
    )
    with PhotoIndex.open(path) as idx:
        assert idx.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        assert idx.photo_ids("label:\"chateau d'if\"") == [first]
        assert dict(idx.conn.execute("SELECT photo_id, label_key FROM labels")) == {first: "chateau d if", second: None}


def test_an_index_from_migration_1_is_upgraded_in_place(tmp_path: Path) -> None:
    from app.core.index.schema import MIGRATION_1, _statements

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for statement in _statements(MIGRATION_1):
        conn.execute(statement)
    conn.execute("INSERT INTO photos (id, folder, stem, primary_path, taken_at, missing) "
                 "VALUES (1, '/lib/Côte', 'a', '/lib/Côte/a.jpg', '2020-01-01', 0)")
    conn.execute("INSERT INTO photos_fts (rowid, label, folder, names, camera) VALUES (1, '', '/lib/Côte', 'a.jpg', '')")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with PhotoIndex.open(path) as idx:
        assert idx.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        assert idx.photo_ids("cote") == [1]
        assert [r.id for r in idx.search("cote", limit=10)] == [1]


def test_an_index_from_migration_3_gets_time_ordered_search(tmp_path: Path, monkeypatch) -> None:
    from app.core.index.time_order import words_sql

    path = tmp_path / "v3.db"
    first, second = _index_at_version(
        path, monkeypatch, 3,
        [("/lib/2020/Paris", "DSC_0001", "2020-11-03T10:00:00"), ("/lib/2021/Roma", "DSC_0002", "2021-05-01T09:00:00")],
        [("Eiffel Tower", 0.9, "model", "suggested"), ("Colosseum", 0.6, "model", "rejected")],
    )
    with PhotoIndex.open(path) as idx:
        assert idx.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        rows = dict(idx.conn.execute("SELECT rowid, words FROM photos_by_time"))
        rebuilt = dict(idx.conn.execute(
            f"SELECT p.sort_key, {words_sql('p.search_text', 'l.state')} FROM photos p LEFT JOIN labels l ON l.photo_id = p.id"
        ))
        assert rows == rebuilt and len(rows) == 2
        assert {r[0] for r in idx.conn.execute("SELECT word FROM search_words")} >= {"paris", "roma", "eiffel", "dsc"}
        assert [r.id for r in idx.search("eiff", limit=5)] == [first]
        assert [r.id for r in idx.search("state:rejected", limit=5)] == [second]
        assert [r.id for r in idx.search("dsc", limit=5)] == [second, first]


def test_library_folders_of_an_older_index_keep_their_sub_folders(tmp_path: Path, monkeypatch) -> None:
    """Migration 12: a library folder is whole unless a photo given by its file brought it
    in alone; adding it as a folder later makes it whole, adding it alone again does not undo that."""
    path, old = tmp_path / "v11.db", tmp_path / "Pictures"
    _index_at_version(path, monkeypatch, 11, [], [])
    with PhotoIndex.open(path) as idx:
        with idx.transaction() as conn:  # as version 11 wrote it
            conn.execute("INSERT INTO library_roots (path, added_at) VALUES (?, '2026-01-01')", (str(old),))
    with PhotoIndex.open(path) as idx:
        assert idx.roots() == [old] and idx.folder_only_roots() == []
        idx.add_root(tmp_path / "Downloads", recursive=False)
        idx.add_root(old, recursive=False)  # an existing library folder stays as it is
        assert idx.folder_only_roots() == [tmp_path / "Downloads"]
        idx.add_root(tmp_path / "Downloads")
        assert idx.folder_only_roots() == []
        assert idx.roots() == sorted([old, tmp_path / "Downloads"])


def test_photos_come_oldest_first_when_asked_with_the_undated_last(tmp_path: Path) -> None:
    with PhotoIndex.open(tmp_path / "i.db") as idx:
        undated = add_photo(idx, "/trip", "DSC_0009")
        day2 = add_photo(idx, "/trip", "DSC_0002", "2019-05-02T09:00:00")
        day1 = add_photo(idx, "/trip", "DSC_0001", "2019-05-01T09:00:00")
        assert idx.photo_ids("") == [day2, day1, undated]
        assert idx.photo_ids("", oldest_first=True) == [day1, day2, undated]
        assert [r.id for r in idx.search("trip", oldest_first=True)] == [day1, day2, undated]
        assert [r.id for r in idx.search("", limit=1, offset=1, oldest_first=True)] == [day2]


@pytest.mark.parametrize("column_there", [False, True])
def test_an_index_from_migration_13_gets_the_contents_scan_of_its_files(tmp_path: Path, monkeypatch, column_there) -> None:
    """Migration 14 adds files.contents_scan_id, also to an index a development build made
    with the column already in migration 13."""
    from app.core.index import schema

    path = tmp_path / "v13.db"
    monkeypatch.setattr(schema, "LATEST_VERSION", 13)
    with PhotoIndex.open(path) as idx:
        add_photo(idx, "/lib/Rome", "DSC_0001")
        if column_there:
            with idx.transaction() as conn:
                conn.execute("ALTER TABLE files ADD COLUMN contents_scan_id INTEGER")
    monkeypatch.undo()
    with PhotoIndex.open(path) as idx:
        assert idx.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        assert "contents_scan_id" in {row[1] for row in idx.conn.execute("PRAGMA table_info(files)")}
        assert idx.count("") == 1
