"""Migration 51: labels stored with a pasted zero-width space (or word joiner, BOM) before
labels dropped them (362b8e2) could not be renamed by their name, and a label typed clean
adopted the stored spelling, spreading the invisible keyword to more files. The upgrade
stores them cleaned, merged into the clean spelling where both were in use, the review
journal's labels too."""

from __future__ import annotations

from app.core.index import PhotoIndex
from tests.test_label_forms_upgrade import _ref
from tests.test_metadata_support import add_photo, make_jpeg

CLEAN = "Big Ben"
PASTED = "Big Ben\u200b"
BEFORE = 50  # the schema before migration 51


def test_the_upgrade_cleans_stored_labels_and_the_journals(tmp_path, monkeypatch) -> None:
    from app.core import teaching
    from app.core.index import schema

    monkeypatch.setattr(schema, "LATEST_VERSION", BEFORE)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        pasted = add_photo(index, [make_jpeg(tmp_path / "DSC_0001.JPG", seed=1)], PASTED, state="accepted")
        clean = add_photo(index, [make_jpeg(tmp_path / "DSC_0002.JPG", seed=2)], CLEAN, state="accepted")
        with index.transaction() as conn:
            _ref(conn, PASTED, pasted)
            _ref(conn, CLEAN, clean)
            conn.execute("INSERT INTO review_commands (id, verb, command, at) VALUES (1, 'label', 'label', 'x')")
            conn.execute("INSERT INTO review_changes (command_id, photo_id, label, landmark_id, after_label, "
                         "after_state) VALUES (1, ?, ?, ?, ?, 'accepted')", (clean, PASTED, "taught:" + PASTED, PASTED))
            conn.execute("INSERT INTO review_taught_refs (command_id, photo_id, label, model_id) VALUES (1, ?, ?, 'm')",
                         (clean, PASTED))
    monkeypatch.undo()

    with PhotoIndex.open(tmp_path / "index.db") as index:
        conn = index.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST_VERSION
        assert {index.get(pasted).label, index.get(clean).label} == {CLEAN}
        assert teaching.taught_labels(index) == {CLEAN: 2}  # one place, taught by both photos
        assert conn.execute("SELECT label, landmark_id, after_label FROM review_changes").fetchall() == [
            (CLEAN, "taught:" + CLEAN, CLEAN)]
        assert conn.execute("SELECT label FROM review_taught_refs").fetchall() == [(CLEAN,)]
        assert index.photo_ids('label:"big ben"') and sorted(index.photo_ids("ben")) == sorted([pasted, clean])


def test_a_write_replaces_our_keyword_spelt_with_an_invisible_character() -> None:
    """A file an older version wrote "Big Ben" + U+200B into: the upgraded label "Big Ben"
    matches it as a keyword, and the write left it (a look-alike of the keyword other
    photos get); ours is replaced, the user's own spelt so stays."""
    from app.core.metadata.keywords import KeywordFields, label_fields, revert_fields

    before = KeywordFields(subject=["Family", PASTED], hierarchical=["Trips|London", "Landmarks|" + PASTED],
                           iptc=[PASTED])
    after = label_fields(before, CLEAN, PASTED)
    assert (after.subject, after.hierarchical, after.iptc) == (
        ["Family", CLEAN], ["Trips|London", "Landmarks|" + CLEAN], ["Family", CLEAN])
    assert revert_fields(after, before, after) == before
    users = label_fields(before, CLEAN, PASTED, users_own=before)
    assert (users.subject, users.hierarchical) == (before.subject, before.hierarchical)


def test_a_relabel_takes_out_our_keyword_as_we_spelt_it_and_leaves_the_users_look_alike() -> None:
    """We wrote "Big Ben"; another program then added the user's own "Big Ben" + U+200B
    (and "Holiday"). A relabel takes out only the keyword our write put in, as spelt (in
    any letter case: Lightroom re-cases it): the user's look-alike stays, as "Holiday" does."""
    from app.core.metadata.keywords import KeywordFields, label_fields

    now = KeywordFields(subject=[CLEAN, PASTED, "Holiday"], hierarchical=["Landmarks|" + CLEAN],
                        iptc=[CLEAN.lower(), PASTED])
    after = label_fields(now, "Elizabeth Tower", CLEAN, users_own=KeywordFields(subject=[], hierarchical=[], iptc=[]))
    assert (after.subject, after.hierarchical, after.iptc) == (
        [PASTED, "Holiday", "Elizabeth Tower"], [PASTED, "Holiday", "Landmarks|Elizabeth Tower"],
        [PASTED, "Elizabeth Tower"])  # the hierarchy held ours alone: it starts from the plain keywords
