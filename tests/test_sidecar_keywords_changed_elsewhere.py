"""A landmark keyword of ours that the user took out of a RAW's sidecar in Lightroom (which
writes keywords into DSC_0001.NEF.xmp or DSC_0001.xmp, never into the NEF, and for a
RAW+JPEG shot kept as one into that sidecar alone): the next scan notices the changed
sidecar though the photo's own files are untouched, the label follows it, and the next
`write` brings the photo's other files in line instead of putting the keyword back."""

from __future__ import annotations

import os
from pathlib import Path

from app.core.metadata import plan_writes
from app.core.metadata.jpeg_fields import apply_fields, read_fields
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.sidecar import fields_of_sidecar
from app.core.scanner import scan
from tests import test_write_keyword_policy as keyword_policy
from tests.test_metadata_support import make_jpeg
from tests.test_roundtrip_other_tools import saved_later

index = keyword_policy.index  # the fixture: an index of its own in tmp_path
write_all = keyword_policy.write_all

OUR_SUBJECT = "<rdf:li>Colosseum</rdf:li>"
OUR_HIERARCHY = "<rdf:li>Landmarks|Colosseum</rdf:li>"


def _written_pair(tmp_path: Path, index) -> tuple[Path, Path, int]:
    """(JPEG, the NEF's sidecar, photo id): a JPEG+NEF pair labelled "Colosseum" and written."""
    folder = tmp_path / "Rome"
    folder.mkdir()
    photo = make_jpeg(folder / "DSC_0001.JPG")
    (folder / "DSC_0001.NEF").write_bytes(b"raw data")
    scan(index, [folder])
    photo_id = index.search("")[0].id
    index.set_label(photo_id, "Colosseum", source="model", state="accepted", landmark_id="colosseum", score=0.99)
    assert write_all(index).written == 2
    sidecar = folder / "DSC_0001.NEF.xmp"
    assert read_fields(photo.read_bytes()).hierarchical == ["Landmarks|Colosseum"]
    assert fields_of_sidecar(sidecar.read_bytes()).hierarchical == ["Landmarks|Colosseum"]
    return photo, sidecar, photo_id


def _lightroom_saved(sidecar: Path, subject: str, hierarchy: str) -> None:
    """What Lightroom saves into the sidecar after the user edited the photo's keywords."""
    text = sidecar.read_text(encoding="utf-8").replace(OUR_SUBJECT, subject).replace(OUR_HIERARCHY, hierarchy)
    sidecar.write_text(text, encoding="utf-8")
    saved_later(sidecar)


def _state(index, photo_id: int) -> tuple[str | None, str]:
    record = next(photo for photo in index.search("") if photo.id == photo_id)
    return record.label, record.state


def test_a_keyword_removed_from_the_raws_sidecar_alone_rejects_the_label_and_leaves_the_jpeg_in_line(tmp_path, index):
    photo, sidecar, photo_id = _written_pair(tmp_path, index)
    _lightroom_saved(sidecar, "<rdf:li>Rome trip</rdf:li>", "<rdf:li>Places|Rome</rdf:li>")
    edited = sidecar.read_bytes()
    summary = scan(index, [photo.parent])
    assert summary.changed == 1
    assert _state(index, photo_id) == ("Colosseum", "rejected")
    assert [(Path(change["path"]).name, change["how"]) for change in summary.keywords_changed_elsewhere] == [
        ("DSC_0001.NEF.xmp", "removed")]
    assert "1 landmark keyword was changed or removed in another program since our write" in summary.line()
    write_all(index)
    assert sidecar.read_bytes() == edited  # the file the user edited is left as they saved it
    assert "Landmarks|Colosseum" not in (read_fields(photo.read_bytes()).hierarchical or [])  # the JPEG in line
    assert scan(index, [photo.parent]).keywords_changed_elsewhere == []


def test_a_keyword_replaced_in_the_raws_sidecar_becomes_the_label_and_is_written_into_the_jpeg(tmp_path, index):
    photo, sidecar, photo_id = _written_pair(tmp_path, index)
    _lightroom_saved(sidecar, "<rdf:li>Roman Forum</rdf:li>", "<rdf:li>Landmarks|Roman Forum</rdf:li>")
    summary = scan(index, [photo.parent])
    assert _state(index, photo_id) == ("Roman Forum", "accepted")
    assert summary.keywords_changed_elsewhere[0]["label"] == "Roman Forum"
    write_all(index)
    assert read_fields(photo.read_bytes()).hierarchical == ["Landmarks|Roman Forum"]
    assert fields_of_sidecar(sidecar.read_bytes()).hierarchical == ["Landmarks|Roman Forum"]


def test_a_keyword_removed_from_the_jpeg_alone_is_the_users_latest_edit(tmp_path, index):
    photo, sidecar, photo_id = _written_pair(tmp_path, index)
    fields = read_fields(photo.read_bytes())
    photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields(
        ["Rome trip"], ["Places|Rome"], fields.iptc, fields.xp, fields.digikam, fields.microsoft, fields.taught)))
    saved_later(photo)
    summary = scan(index, [photo.parent])
    assert _state(index, photo_id) == ("Colosseum", "rejected")
    assert [change["how"] for change in summary.keywords_changed_elsewhere] == ["removed"]
    write_all(index)
    assert "Landmarks|Colosseum" not in (fields_of_sidecar(sidecar.read_bytes()).hierarchical or [])
    assert read_fields(photo.read_bytes()).hierarchical == ["Places|Rome"]


def test_a_file_edited_after_the_removal_and_still_holding_the_keyword_keeps_the_label(tmp_path, index):
    photo, sidecar, photo_id = _written_pair(tmp_path, index)
    _lightroom_saved(sidecar, "", "")
    photo.write_bytes(photo.read_bytes())  # edited later elsewhere, our keyword still in it
    later = os.stat(sidecar).st_mtime_ns + 60 * 1_000_000_000
    os.utime(photo, ns=(later, later))
    summary = scan(index, [photo.parent])
    assert summary.keywords_changed_elsewhere == []
    assert _state(index, photo_id) == ("Colosseum", "accepted")


def test_a_sidecar_changed_with_the_keyword_still_in_it_is_read_once(tmp_path, index):
    photo, sidecar, photo_id = _written_pair(tmp_path, index)
    _lightroom_saved(sidecar, OUR_SUBJECT + "<rdf:li>Rome trip</rdf:li>", OUR_HIERARCHY)
    first = scan(index, [photo.parent])
    assert first.changed == 1 and first.keywords_changed_elsewhere == []
    assert _state(index, photo_id) == ("Colosseum", "accepted")
    assert scan(index, [photo.parent]).changed == 0  # its state is recorded: not read at every scan


def test_a_raw_that_cannot_be_read_is_counted_once_when_its_sidecar_changed(tmp_path, index):
    photo, sidecar, photo_id = _written_pair(tmp_path, index)  # (its stand-in NEF: no RAW LibRaw reads)
    _lightroom_saved(sidecar, "<rdf:li>Rome trip</rdf:li>", "<rdf:li>Places|Rome</rdf:li>")
    summary = scan(index, [photo.parent])
    assert _state(index, photo_id) == ("Colosseum", "rejected")  # the sidecar was read
    assert (summary.changed, summary.errors, summary.unchanged_problems) == (1, 0, 1)
    assert "0 errors, 1 unchanged file still unreadable" in summary.line()  # HEAD: "1 error, 1 unchanged file…"
    problem = index.conn.execute("SELECT message FROM errors WHERE path = CAST(? AS TEXT)",
                                 (str(photo.with_suffix(".NEF")),)).fetchone()
    assert problem is not None and "DSC_0001.JPG stands for the photo" in problem[0]  # the problem stands


def test_our_own_write_of_a_sidecar_is_not_taken_for_a_change(tmp_path, index):
    photo, sidecar, photo_id = _written_pair(tmp_path, index)
    assert scan(index, [photo.parent]).changed <= 1  # (the JPEG our write changed, as before)
    assert scan(index, [photo.parent]).changed == 0


def test_a_deleted_sidecar_decides_nothing_and_write_makes_it_again(tmp_path, index):
    photo, sidecar, photo_id = _written_pair(tmp_path, index)
    sidecar.unlink()
    summary = scan(index, [photo.parent])
    assert summary.keywords_changed_elsewhere == []
    assert _state(index, photo_id) == ("Colosseum", "accepted")
    assert [item.target.name for item in plan_writes(index) if item.changes_anything] == ["DSC_0001.NEF.xmp"]
    write_all(index)
    assert fields_of_sidecar(sidecar.read_bytes()).hierarchical == ["Landmarks|Colosseum"]


def test_the_apps_scan_line_says_the_labels_followed_the_files(tmp_path, index):
    from app.gui.job_words import scan_line

    photo, sidecar, photo_id = _written_pair(tmp_path, index)
    _lightroom_saved(sidecar, "", "")
    line = scan_line(scan(index, [photo.parent]))
    assert line.startswith("1 photo, 1 changed")  # (and the stand-in NEF still unreadable)
    assert line.endswith("; 1 landmark keyword was changed or removed in another program since our write: "
                         f"its label follows the file (`search id:{photo_id}` lists it)")


def _split_after_an_older_version_merged(tmp_path: Path):
    """(folder, IMG_0001.CR2's photo, IMG_0001.CR3's): two bodies' RAWs an older version
    merged, labelled "Colosseum" and written into both sidecars, then told apart by the
    scan after migration 38. IMG_0001.CR3.xmp still holds the merged photo's keyword."""
    from app.core.index import PhotoIndex
    from app.core.index.migrations_latest import migration_38
    from tests.test_raw_pictures_of_one_name import R5, R6, merged_like_an_older_version, photo_of, raw, write

    folder = tmp_path / "trip"
    cr2, cr3 = raw(folder / "IMG_0001.CR2", **R5), raw(folder / "IMG_0001.CR3", **R6)
    index = PhotoIndex.open(tmp_path / "index.db")
    scan(index, [folder])
    merged_like_an_older_version(index, cr2, cr3)
    index.set_label(photo_of(index, cr2).id, "Colosseum")
    assert write(index).written == 2
    with index.transaction() as conn:
        migration_38(conn)
    scan(index, [folder])
    kept, split = photo_of(index, cr2), photo_of(index, cr3)
    assert (kept.label, split.label) == ("Colosseum", None)
    return index, folder, kept.id, split.id


def _replaced_in(sidecar: Path, old: str, new: str) -> None:
    """Lightroom renamed the sidecar's landmark keyword (subject and hierarchy alike)."""
    sidecar.write_text(sidecar.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    saved_later(sidecar)


def test_a_split_raws_sidecar_edited_elsewhere_is_its_own_photos_not_the_one_it_left(tmp_path):
    index, folder, kept_id, split_id = _split_after_an_older_version_merged(tmp_path)
    with index:
        _replaced_in(folder / "IMG_0001.CR3.xmp", "Colosseum", "Petra")  # Lightroom, before any write of ours
        summary = scan(index, [folder])
        assert summary.keywords_changed_elsewhere == []  # not a change of the CR2's keyword
        assert (index.get(kept_id).label, index.get(kept_id).state) == ("Colosseum", "accepted")
        assert (index.get(split_id).label, summary.labels_read) == ("Petra", 1)  # read back as the CR3's own


def test_a_split_raws_sidecar_our_write_gave_it_then_edited_elsewhere_changes_its_label_alone(tmp_path):
    index, folder, kept_id, split_id = _split_after_an_older_version_merged(tmp_path)
    with index:
        from tests.test_raw_pictures_of_one_name import write

        index.set_label(split_id, "Petra")
        assert write(index).written == 1
        assert scan(index, [folder]).line().startswith("2 photos, 0 new, 0 changed")  # our write: no change
        _replaced_in(folder / "IMG_0001.CR3.xmp", "Petra", "Roman Forum")
        summary = scan(index, [folder])
        assert [(change["photo_id"], change["keyword"], change["label"])
                for change in summary.keywords_changed_elsewhere] == [(split_id, "Petra", "Roman Forum")]
        assert (index.get(kept_id).label, index.get(split_id).label) == ("Colosseum", "Roman Forum")


def test_a_sidecar_that_cannot_be_read_decides_nothing_though_it_was_saved_last(tmp_path, index):
    """mutation M38: one file that held the keyword cannot tell (its XML broken, saved half by a program):
    nothing is decided, even where the JPEG could; the label is not rejected on a file nobody can read."""
    photo, sidecar, photo_id = _written_pair(tmp_path, index)
    sidecar.write_bytes(b"\x00\xffnot XML <<<")
    saved_later(sidecar)

    summary = scan(index, [photo.parent])

    assert summary.keywords_changed_elsewhere == []
    assert _state(index, photo_id) == ("Colosseum", "accepted")


def test_on_a_tie_of_saved_times_the_file_that_lost_the_keyword_is_the_users_latest_edit(tmp_path, index):
    """mutation M39: the JPEG edited in another program and the sidecar at the very same saved time (a card
    or share with 2-second times): the file that lost the keyword was edited, so the label is rejected."""
    photo, sidecar, photo_id = _written_pair(tmp_path, index)
    fields = read_fields(photo.read_bytes())
    photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields(
        ["Rome trip"], ["Places|Rome"], fields.iptc, fields.xp, fields.digikam, fields.microsoft, fields.taught)))
    saved_later(photo)
    same = os.stat(photo).st_mtime_ns
    os.utime(sidecar, ns=(same, same))

    summary = scan(index, [photo.parent])

    assert [(Path(change["path"]).name, change["how"]) for change in summary.keywords_changed_elsewhere] == [
        ("DSC_0001.JPG", "removed")]
    assert _state(index, photo_id) == ("Colosseum", "rejected")
