"""SQLite gives a forgotten photo's id to the next photo added (photos is no AUTOINCREMENT
table): the write journal's rows of the forgotten photo, kept for undo, must then not
count as the new photo's, or the files our write labelled for the old photo read as the
new one's (keywords_changed_elsewhere rejected its label when the user took the keyword
out of the old photo's sidecar)."""

from __future__ import annotations

import os
from pathlib import Path

from app.core.index import sidecar_states
from app.core.index.forget import forget_folder
from app.core.scanner import scan
from tests import test_sidecar_keywords_changed_elsewhere as lightroom

index = lightroom.index  # the fixture: an index of its own in tmp_path


def _forgotten_and_id_given_again(tmp_path: Path, index) -> tuple[Path, Path, int]:
    """Rome's written pair forgotten (its files stay), then Paris's photo added, with the
    id Rome's had: (Paris's JPEG, Rome's sidecar, the id)."""
    photo, sidecar, old_id = lightroom._written_pair(tmp_path, index)
    assert forget_folder(index, photo.parent).photos == 1
    paris = tmp_path / "Paris"
    paris.mkdir()
    other = lightroom.make_jpeg(paris / "IMG_0002.JPG", seed=5)
    scan(index, [paris])
    new_id = index.search("")[0].id
    assert new_id == old_id  # (what this test is about: the id is given again)
    index.set_label(new_id, "Colosseum", source="user", state="accepted")
    return other, sidecar, new_id


def test_a_forgotten_photos_sidecar_edited_elsewhere_leaves_the_label_of_the_photo_given_its_id(tmp_path, index):
    other, sidecar, new_id = _forgotten_and_id_given_again(tmp_path, index)
    lightroom._lightroom_saved(sidecar, "<rdf:li>Rome trip</rdf:li>", "<rdf:li>Places|Rome</rdf:li>")
    touched = os.stat(other).st_mtime_ns - 10 * 1_000_000_000  # Paris's photo changed too: read again
    os.utime(other, ns=(touched, touched))
    summary = scan(index, [other.parent])
    assert summary.changed == 1
    assert summary.keywords_changed_elsewhere == []
    assert lightroom._state(index, new_id) == ("Colosseum", "accepted")


def test_the_write_journal_credits_no_file_of_a_forgotten_photo_to_the_photo_given_its_id(tmp_path, index):
    from app.core.keywords_changed_elsewhere import files_that_held
    from app.core.metadata.journal import photos_written, sidecar_writers

    _other, sidecar, new_id = _forgotten_and_id_given_again(tmp_path, index)
    assert files_that_held(index.conn, new_id, "Colosseum") == {}
    assert new_id not in sidecar_writers(index).get(str(sidecar), frozenset())
    assert new_id not in photos_written(index)
    assert not sidecar_states.known_sidecars(index.conn)
    # the journal keeps the rows, for undo: Rome's files get their original bytes back
    from app.core.metadata.undo import undo_last_write

    assert undo_last_write(index).written == 2
    assert not sidecar.exists()


def test_the_upgrade_marks_the_journal_rows_of_photos_an_older_version_forgot(tmp_path, index):
    """Migration 43: rows an older `forget` left with the photo's id, before a new photo gets it."""
    from app.core.index import PhotoIndex

    photo, _sidecar, kept_id = lightroom._written_pair(tmp_path, index)
    index.conn.execute("INSERT INTO write_journal (batch_id, photo_id, path, kind) VALUES (1, ?, ?, 'sidecar')",
                       (kept_id + 1, str(photo.parent / "DSC_0002.NEF.xmp")))  # a photo forgotten before
    index.conn.execute("PRAGMA user_version = 42")
    index.conn.commit()
    index.close()
    upgraded = PhotoIndex.open(tmp_path / "index.db")
    try:
        assert sorted(row[0] for row in upgraded.conn.execute("SELECT photo_id FROM write_journal")) == [
            -(kept_id + 1), kept_id, kept_id]
    finally:
        upgraded.close()


def test_a_keyword_removed_in_lightroom_after_the_folder_was_added_back_is_followed(tmp_path, index):
    """Rome forgotten and scanned again (its label read back from the files our write
    labelled): the journal's newest write of its files is the forgotten photo's (negated),
    which is no other photo's, so the user's removal in Lightroom is followed and `write`
    does not put the keyword back."""
    photo, sidecar, _old_id = lightroom._written_pair(tmp_path, index)
    assert forget_folder(index, photo.parent).photos == 1
    scan(index, [photo.parent])
    photo_id = index.search("")[0].id
    assert lightroom._state(index, photo_id) == ("Colosseum", "accepted")  # read back from the files
    lightroom._lightroom_saved(sidecar, "<rdf:li>Holiday</rdf:li>", "<rdf:li>Places|Rome</rdf:li>")
    edited = sidecar.read_bytes()
    summary = scan(index, [photo.parent])
    assert [(Path(change["path"]).name, change["how"]) for change in summary.keywords_changed_elsewhere] == [
        ("DSC_0001.NEF.xmp", "removed")]
    assert lightroom._state(index, photo_id) == ("Colosseum", "rejected")
    lightroom.write_all(index)
    assert sidecar.read_bytes() == edited  # the user's edit, not overwritten
    assert "Landmarks|Colosseum" not in (lightroom.read_fields(photo.read_bytes()).hierarchical or [])


def test_a_held_file_of_a_folder_forgotten_and_added_back_is_released_by_accept_and_by_label(tmp_path, index,
                                                                                            capsys):
    """Rome written "Colosseum", forgotten and added back (its label read back), then the JPEG's XMP
    taken out: `write` held it through the forgotten photo's journal row (its id negated), but
    `accept` and `label` of it looked for rows of the photo's new id and released nothing, so
    only `reject` ended the hold."""
    from PIL import Image

    from app.core.metadata import plan_writes
    from app.core.metadata.jpeg_fields import read_fields
    from tests.test_cli_core import run_cli
    from tests.test_keywords_changed_elsewhere import _written, write_all
    from tests.test_roundtrip_other_tools import saved_later

    photo, _ = _written(tmp_path, index, "user")
    assert forget_folder(index, photo.parent).photos == 1
    scan(index, [photo.parent])
    [row] = index.search("")
    assert (row.label, row.state) == ("Colosseum", "accepted")  # read back from the file
    with Image.open(photo) as image:
        image.load()
        image.save(photo, quality=90)  # saved without EXIF, XMP or IPTC
    saved_later(photo)
    scan(index, [photo.parent])
    held = lambda: [item.held for item in plan_writes(index) if item.target == photo]  # noqa: E731
    assert held() == [True]
    db = str(tmp_path / "index.db")

    for command in (["accept", "--release-held", str(photo)], ["label", "--release-held", str(photo), "Colosseum"]):
        code, _, err = run_cli(capsys, "--db", db, *command)
        assert code == 0 and "1 file released for the next `write`" in err, err
        assert held() == [False]
        code, _, err = run_cli(capsys, "--db", db, "undo", "--review")
        assert code == 0 and held() == [True], err

    assert run_cli(capsys, "--db", db, "accept", f"id:{row.id}")[0] == 0
    assert held() == [True]  # no --release-held: still held
    assert run_cli(capsys, "--db", db, "accept", "--release-held", f"id:{row.id}")[0] == 0
    write_all(index)
    assert read_fields(photo.read_bytes()).hierarchical == ["Landmarks|Colosseum"]
