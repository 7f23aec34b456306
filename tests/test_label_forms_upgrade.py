"""Migration 28: an index a model trained on macOS tagged before labels had one form
(1d05021) holds its class names decomposed (NFD) beside the composed labels the user
typed (NFC). Exact-name comparisons (forget, rename, the taught places, a correction)
took them for two places; the upgrade rewrites every stored label into
model.labels.label_form, merging what becomes one without losing the user's review."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np

from app.core.index import PhotoIndex
from app.core.index.records import prediction_type
from tests.test_metadata_support import add_photo, make_jpeg

NFC = unicodedata.normalize("NFC", "Château d'If")
NFD = unicodedata.normalize("NFD", "Château d'If")
BRIDGE_NFD = unicodedata.normalize("NFD", "Pont Saint-Bénézet")
PAPES = "Palais des Papes"
TAUGHT_NFD = "taught:" + NFD
MODEL = "macos-model"
BEFORE = 27  # the schema before migration 28


def _ref(conn, label: str, photo_id: int, model_id: str = MODEL) -> None:
    vector = np.ones(4, dtype=np.float32).tobytes()
    conn.execute("INSERT INTO taught_refs (label, photo_id, model_id, vector, created_at) VALUES (?, ?, ?, ?, ?)",
                 (label, photo_id, model_id, vector, "2026-01-01T00:00:00"))


def index_before_one_form(path: Path, photos: Path, monkeypatch) -> dict[str, int]:
    """An index at schema BEFORE as the versions before 1d05021 left it, photo by photo."""
    from app.core.index import schema

    make = prediction_type()
    monkeypatch.setattr(schema, "LATEST_VERSION", BEFORE)
    names = ("suggested", "corrected", "rejected_then_suggested", "rejected", "taught", "taught_suggestion",
             "spaces")
    with PhotoIndex.open(path) as index:
        ids = {name: add_photo(index, [make_jpeg(photos / f"DSC_{n:04d}.JPG", seed=n)],
                                state="unlabelled")
               for n, name in enumerate(names)}
        # today's set_predictions records the picture print a photo was tagged from (migrations
        # 42 and 47, which add these columns only where they are missing): the old index gets
        # them early so that it can be filled photo by photo with today's code
        with index.transaction() as conn:
            conn.execute("ALTER TABLE files ADD COLUMN picture_print TEXT")
            conn.execute("ALTER TABLE tagged ADD COLUMN picture_print TEXT")
        for name in names:
            index.set_predictions(ids[name], MODEL, [make(landmark_id="q42", label=NFD, score=0.9),
                                                     make(landmark_id="q7", label="Colosseum", score=0.05)], 0.5)
        # typing the composed name rejected the model's decomposed one (the old bug)
        index.set_label(ids["corrected"], NFC, source="user", state="accepted")
        # the user rejected the composed name; the model then suggested it again, decomposed
        index.set_label(ids["rejected_then_suggested"], NFC, source="user", state="rejected")
        index.set_label(ids["rejected_then_suggested"], NFD, source="model", state="suggested", landmark_id="q42",
                        score=0.9, model_id=MODEL)
        index.set_state([ids["rejected"]], "rejected")
        # a place taught under the model's decomposed name, and its suggestion
        index.set_label(ids["taught"], NFD, source="user", state="accepted")
        index.set_label(ids["taught_suggestion"], NFD, source="taught", state="suggested", landmark_id=TAUGHT_NFD,
                        score=0.8, model_id=MODEL)
        index.set_label(ids["spaces"], "Palais  des\tPapes", source="model", state="suggested", landmark_id="q9",
                        score=0.7, model_id=MODEL)
        with index.transaction() as conn:
            conn.execute("UPDATE predictions SET landmark_id = ? WHERE photo_id = ? AND rank = 1",
                         (TAUGHT_NFD, ids["taught_suggestion"]))
            _ref(conn, NFD, ids["taught"])
            _ref(conn, NFC, ids["corrected"])
            _ref(conn, NFD, ids["corrected"])  # the same photo and model under both names: one reference
            _ref(conn, NFD, ids["corrected"], "older-model")
            conn.execute("INSERT INTO forgotten_places (label, forgotten_at) VALUES (?, ?)",
                         (BRIDGE_NFD, "2026-01-02T00:00:00"))
    monkeypatch.undo()
    return ids


def stored_labels(conn) -> set[str]:
    """Every label (and taught landmark id's name) the index stores, in any table."""
    found = set()
    for sql in ("SELECT label FROM labels", "SELECT label FROM rejections", "SELECT label FROM predictions",
                "SELECT label FROM taught_refs", "SELECT label FROM forgotten_places",
                "SELECT substr(landmark_id, 8) FROM labels WHERE landmark_id LIKE 'taught:%'",
                "SELECT substr(landmark_id, 8) FROM predictions WHERE landmark_id LIKE 'taught:%'"):
        found.update(row[0] for row in conn.execute(sql) if row[0] is not None)
    return found


def test_the_upgrade_stores_every_label_in_one_form_and_keeps_the_users_review(tmp_path, monkeypatch) -> None:
    from app.core import teaching
    from app.core.index import schema
    from app.core.index.time_order import words_sql

    (tmp_path / "photos").mkdir()
    ids = index_before_one_form(tmp_path / "index.db", tmp_path / "photos", monkeypatch)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        conn = index.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST_VERSION
        assert stored_labels(conn) == {NFC, "Colosseum", PAPES, unicodedata.normalize("NFC", BRIDGE_NFD)}
        review = {name: (index.get(i).label, index.get(i).source, index.get(i).state) for name, i in ids.items()}
        assert review == {
            "suggested": (NFC, "model", "suggested"),
            "corrected": (NFC, "user", "accepted"),
            "rejected_then_suggested": (NFC, "model", "rejected"),  # the user rejected that place for it
            "rejected": (NFC, "model", "rejected"),
            "taught": (NFC, "user", "accepted"),
            "taught_suggestion": (NFC, "taught", "suggested"),
            "spaces": (PAPES, "model", "suggested"),
        }
        rejections = sorted(conn.execute("SELECT photo_id, label FROM rejections"))
        # the correction rejected a look-alike of the label the user chose: no rejection of it now
        assert rejections == sorted([(ids["rejected_then_suggested"], NFC), (ids["rejected"], NFC)])
        assert index.get(ids["taught_suggestion"]).landmark_id == "taught:" + NFC
        assert sorted(conn.execute("SELECT label, photo_id, model_id FROM taught_refs")) == sorted([
            (NFC, ids["taught"], MODEL), (NFC, ids["corrected"], MODEL), (NFC, ids["corrected"], "older-model")])
        assert teaching.taught_labels(index) == {NFC: 2}  # one place, taught by both photos
        assert [row[0] for row in conn.execute("SELECT label FROM forgotten_places")] == [
            unicodedata.normalize("NFC", BRIDGE_NFD)]
        # the rejected photo is not found by its label's words; the others are
        assert sorted(index.photo_ids("chateau")) == sorted(
            ids[name] for name in ("suggested", "corrected", "taught", "taught_suggestion"))
        assert dict(conn.execute("SELECT rowid, words FROM photos_by_time")) == dict(conn.execute(
            f"SELECT p.sort_key, {words_sql('p.search_text', 'l.state')} FROM photos p "
            "LEFT JOIN labels l ON l.photo_id = p.id"))  # newest-first searches find the same
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

        # what compared names exactly now takes the place as one
        assert teaching.forget(index, NFC).photos == 2
        assert teaching.taught_labels(index) == {}


def test_an_index_with_labels_in_one_form_is_left_as_it_was(tmp_path, monkeypatch) -> None:
    from app.core.index import schema

    monkeypatch.setattr(schema, "LATEST_VERSION", BEFORE)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        photo = add_photo(index, [make_jpeg(tmp_path / "DSC_0001.JPG")], NFC, state="rejected")
        before = index.conn.execute("SELECT * FROM labels").fetchall()
    monkeypatch.undo()
    with PhotoIndex.open(tmp_path / "index.db") as index:
        assert index.conn.execute("SELECT * FROM labels").fetchall() == before
        assert index.conn.execute("SELECT photo_id, label FROM rejections").fetchall() == [(photo, NFC)]
