"""A landmark keyword of ours that another program kept in some keyword field, or a file
that tells nothing of a decision (its XMP dropped, a backup or our own undo put back),
decides nothing at the scan: the label stays, and `write` never takes out a keyword
another program kept (review 4: F1 deleted them, F2-F4 rejected labels nobody touched).
One scan's decisions are one review command (F6); the dry run of a label taken back to a
"no landmark" suggestion says what is so (F5)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.core.index import PhotoIndex, review_journal
from app.core.metadata import plan_writes, undo_last_write
from app.core.metadata.jpeg_fields import apply_fields, read_fields, restore_segments
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.sidecar import fields_of_sidecar
from app.core.scanner import scan
from tests import test_keywords_changed_elsewhere as elsewhere
from tests.test_cli_core import run_cli
from tests.test_metadata_support import make_jpeg
from tests.test_roundtrip_other_tools import saved_later
from tests.test_write_keyword_policy import write_all

index = elsewhere.index  # the fixture: an index of its own in tmp_path
_state = elsewhere._state


def _saved_by_other_program(photo: Path, **fields) -> None:
    """The photo's keyword fields as another program saved them (the others as they are)."""
    now = read_fields(photo.read_bytes())
    photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields(**{**vars(now), **fields})))
    saved_later(photo)


KEPT_ELSEWHERE = {
    # Windows Explorer, Apple Photos, Google Photos: dc:subject kept, no hierarchy written
    "dc:subject alone": {"hierarchical": None},
    # moved in Lightroom's keyword list under another parent
    "moved hierarchy": {"hierarchical": ["Places|Rome|Colosseum"]},
    # digiKam: its own tag path, no lr:hierarchicalSubject
    "digiKam TagsList": {"subject": None, "hierarchical": None, "digikam": ["Landmarks/Colosseum"]},
    # an IPTC-only tool (older Picasa, Photo Mechanic set to IPTC)
    "IPTC Keywords alone": {"subject": None, "hierarchical": None, "iptc": ["Colosseum"]},
    # re-cased and respaced in the plain keywords, the hierarchy dropped
    "another case": {"subject": ["  COLOSSEUM "], "hierarchical": ["Places|Rome"]},
}


@pytest.mark.parametrize("layout", list(KEPT_ELSEWHERE))
def test_a_landmark_kept_in_any_keyword_field_keeps_its_label_and_write_keeps_the_keyword(tmp_path, index, layout):
    photo, photo_id = elsewhere._written(tmp_path, index)
    _saved_by_other_program(photo, **KEPT_ELSEWHERE[layout])
    kept = read_fields(photo.read_bytes())
    summary = scan(index, [photo.parent])
    assert summary.keywords_changed_elsewhere == []
    assert _state(index, photo_id) == ("Colosseum", "accepted")
    write_all(index)
    after = read_fields(photo.read_bytes())
    for name, values in vars(kept).items():  # nothing another program kept is taken out
        assert set(values or []) <= set(getattr(after, name) or []), name


def test_a_jpeg_saved_without_its_xmp_packet_is_held_not_rejected(tmp_path, index):
    photo, photo_id = elsewhere._written(tmp_path, index)
    data = photo.read_bytes()
    photo.write_bytes(restore_segments(data, {"xmp": None}))  # EXIF (and IPTC) kept, XMP gone
    saved_later(photo)
    summary = scan(index, [photo.parent])
    assert _state(index, photo_id) == ("Colosseum", "accepted")
    assert [change["how"] for change in summary.keywords_changed_elsewhere] == ["stripped"]
    [item] = plan_writes(index)
    assert item.held and "XMP metadata was removed since our write" in item.problem
    before = photo.read_bytes()
    write_all(index)
    assert photo.read_bytes() == before


def _written_over_xmp(tmp_path, index) -> tuple[Path, int, bytes]:
    """A JPEG with an XMP packet of its own ("Rome trip") labelled "Colosseum" and written;
    (photo, id, its bytes before our write)."""
    folder = tmp_path / "Rome"
    folder.mkdir()
    photo = make_jpeg(folder / "DSC_0004.JPG")
    photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields(["Rome trip"])))
    original = photo.read_bytes()
    scan(index, [folder])
    photo_id = index.search("")[0].id
    index.set_label(photo_id, "Colosseum", source="user", state="accepted")
    assert write_all(index).written == 1
    return photo, photo_id, original


def test_a_backup_from_before_our_write_put_back_is_held_not_rejected(tmp_path, index):
    photo, photo_id, original = _written_over_xmp(tmp_path, index)
    photo.write_bytes(original)
    saved_later(photo)
    summary = scan(index, [photo.parent])
    assert _state(index, photo_id) == ("Colosseum", "accepted")
    assert [change["how"] for change in summary.keywords_changed_elsewhere] == ["restored"]
    assert "changed or removed in another program" not in summary.line()
    [item] = plan_writes(index)
    assert item.held and "back as it was before our write" in item.problem
    write_all(index)
    assert photo.read_bytes() == original


def test_our_own_undo_seen_by_an_older_copy_of_the_index_is_held_not_rejected(tmp_path, index):
    photo, photo_id, original = _written_over_xmp(tmp_path, index)
    copy = sqlite3.connect(tmp_path / "copy.db")
    index.conn.backup(copy)  # the index copied after the write (Time Machine, a weekly copy)
    copy.close()
    undo_last_write(index)
    assert photo.read_bytes() == original
    saved_later(photo)
    older = PhotoIndex.open(tmp_path / "copy.db")  # put back with restore-index: it knows no undo
    try:
        scan(older, [photo.parent])
        assert _state(older, photo_id) == ("Colosseum", "accepted")
        [item] = plan_writes(older)
        assert item.held and "back as it was before our write" in item.problem
    finally:
        older.close()


def test_a_removal_in_lightroom_still_rejects_the_label(tmp_path, index):
    """The packet kept (Lightroom keeps it), the landmark gone from every field."""
    photo, photo_id, _ = _written_over_xmp(tmp_path, index)
    _saved_by_other_program(photo, subject=["Rome trip", "Holiday"], hierarchical=None, iptc=None)
    scan(index, [photo.parent])
    assert _state(index, photo_id) == ("Colosseum", "rejected")


def test_one_scans_decisions_are_taken_back_by_one_undo_review(tmp_path, index):
    folder = tmp_path / "Rome"
    folder.mkdir()
    photos = [make_jpeg(folder / f"DSC_000{n}.JPG", seed=n) for n in range(3)]
    scan(index, [folder])
    for record in index.search(""):
        index.set_label(record.id, "Colosseum", source="user", state="accepted")
    assert write_all(index).written == 3
    for photo in photos:
        _saved_by_other_program(photo, subject=["Rome trip"], hierarchical=None, iptc=None)
    summary = scan(index, [folder])
    assert [change["how"] for change in summary.keywords_changed_elsewhere] == ["removed"] * 3
    assert {record.state for record in index.search("")} == {"rejected"}
    command = review_journal.last_command(index.conn)
    assert command.command == "scan: 3 landmark keywords changed elsewhere"
    review_journal.take_back_last(index)
    assert {record.state for record in index.search("")} == {"accepted"}


def test_a_users_label_taken_back_to_no_landmark_says_so_in_the_dry_run(tmp_path, index):
    """undo --review of a label given over a "no landmark" suggestion, after its write."""
    folder = tmp_path / "Rome"
    folder.mkdir()
    photo = make_jpeg(folder / "DSC_0004.JPG")
    scan(index, [folder])
    photo_id = index.search("")[0].id
    index.set_label(photo_id, None, source="model", state="suggested", score=0.99)
    before = review_journal.labels_before(index.conn, [photo_id])
    with index.transaction() as conn:
        conn.execute("UPDATE labels SET label = 'Colosseum', source = 'user', state = 'accepted', score = NULL "
                     "WHERE photo_id = ?", (photo_id,))
        review_journal.record(conn, "label", "label DSC_0004.JPG Colosseum", before, [photo_id])
    write_all(index)
    review_journal.take_back_last(index)
    [item] = [item for item in plan_writes(index) if item.changes_anything]
    line = item.describe()
    assert line == f'{photo}: keywords "Colosseum" -> none (a "no landmark" suggestion now: the keyword our write put there comes out)'
    assert "the model now says" not in line and "earlier suggestion" not in line


def test_a_label_with_a_bar_kept_in_the_spelling_of_our_hierarchy_keeps_its_label_and_keyword(tmp_path, index):
    """review 8 F1: our write's `Landmarks|AC/DC Tower` read by a hierarchy-aware program,
    dc:subject saved as "AC/DC Tower", the hierarchy then dropped by a dc:subject-only tool."""
    photo, photo_id = elsewhere._written(tmp_path, index)
    index.set_label(photo_id, "AC|DC Tower", source="user", state="accepted")
    assert write_all(index).written == 1
    assert read_fields(photo.read_bytes()).hierarchical == ["Landmarks|AC/DC Tower"]
    _saved_by_other_program(photo, subject=["AC/DC Tower", "Vienna"], hierarchical=None, iptc=["AC/DC Tower"],
                            xp=None, digikam=None, microsoft=None)
    summary = scan(index, [photo.parent])
    assert summary.keywords_changed_elsewhere == []
    assert _state(index, photo_id) == ("AC|DC Tower", "accepted")
    assert write_all(index).written == 1  # review 10 F1: the other program's keywords keep their bytes and places
    after = read_fields(photo.read_bytes())
    assert after.subject == ["AC/DC Tower", "Vienna"] and after.iptc == ["AC/DC Tower"]
    assert after.hierarchical == ["Vienna", "Landmarks|AC/DC Tower"]  # only the hierarchy comes back
    assert write_all(index).written == 0  # and the next write finds nothing to do


def test_undoing_the_reject_the_hold_names_leaves_the_photo_held(tmp_path, index, capsys):
    """review 8 F2: `undo --review` of the note's `reject` puts the photo back as it was:
    held, not "labelled again" (an undo's new updated_at released it before)."""
    photo, photo_id = elsewhere._written(tmp_path, index)
    photo.write_bytes(restore_segments(photo.read_bytes(), {"xmp": None}))
    saved_later(photo)
    scan(index, [photo.parent])
    with index.transaction() as conn:  # the write was made a day before the reject and its undo
        conn.execute("UPDATE write_journal SET at = '2000-01-01T00:00:00+00:00'")
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "reject", f'path:"{photo}"')[0] == 0
    assert run_cli(capsys, "--db", db, "undo", "--review")[0] == 0
    assert _state(index, photo_id) == ("Colosseum", "accepted")
    [item] = plan_writes(index)
    assert item.held and "XMP metadata was removed since our write" in item.problem


def test_a_raw_sidecar_back_as_before_our_write_is_held_as_a_jpeg_is(tmp_path, index, capsys):
    """review 8 F5: Lightroom's sidecar put back from a backup after our write added ours."""
    folder = tmp_path / "Rome"
    folder.mkdir()
    make_jpeg(folder / "DSC_0001.JPG")
    (folder / "DSC_0001.NEF").write_bytes(b"raw data")
    sidecar = folder / "DSC_0001.NEF.xmp"
    sidecar.write_text(LIGHTROOM_SIDECAR, encoding="utf-8")
    original = sidecar.read_bytes()
    scan(index, [folder])
    photo_id = index.search("")[0].id
    index.set_label(photo_id, "Colosseum", source="user", state="accepted")
    assert write_all(index).written == 2
    assert "Landmarks|Colosseum" in fields_of_sidecar(sidecar.read_bytes()).hierarchical
    sidecar.write_bytes(original)
    saved_later(sidecar)
    scan(index, [folder])
    assert _state(index, photo_id) == ("Colosseum", "accepted")
    [item] = [item for item in plan_writes(index) if item.target == sidecar]
    assert item.held and f"its sidecar {sidecar.name} is back as it was before our write" in item.problem
    write_all(index)
    assert sidecar.read_bytes() == original
    code, _, err = run_cli(capsys, "--db", str(tmp_path / "index.db"), "label", "--release-held",
                           f'path:"{folder / "DSC_0001.NEF"}"', "Colosseum")
    assert code == 0 and f"label: {sidecar}: no longer left alone" in err
    write_all(index)
    assert "Landmarks|Colosseum" in fields_of_sidecar(sidecar.read_bytes()).hierarchical


LIGHTROOM_SIDECAR = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
    '<dc:subject><rdf:Bag><rdf:li>Rome</rdf:li></rdf:Bag></dc:subject>'
    '</rdf:Description></rdf:RDF></x:xmpmeta>\n')
