"""Round trips with Lightroom, digiKam and darktable: what our write and undo do to
keywords and files those programs changed between our scans, writes and undos."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from app.core.metadata import WriteOptions, plan_writes, undo_last_write
from app.core.metadata.jpeg_fields import apply_fields, read_fields
from app.core.metadata.keywords import KeywordFields, label_fields
from app.core.metadata.sidecar import fields_of_sidecar
from app.core.scanner import scan
from tests import test_write_keyword_policy as keyword_policy
from tests.test_metadata_support import add_photo, make_jpeg, read_back

LIGHTROOM_SIDECAR = """<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.0-c000 1.000000">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
   crs:RawFileName="DSC_0001.NEF"
   crs:Exposure2012="+1.00">
   <dc:subject><rdf:Bag>{subject}</rdf:Bag></dc:subject>
   <lr:hierarchicalSubject><rdf:Bag>{hierarchical}</rdf:Bag></lr:hierarchicalSubject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""
SYNCED = 1_700_000_000_000_000_000  # when Lightroom last read the file (in its catalog)


index = keyword_policy.index  # the fixture: an index of its own in tmp_path
write_all = keyword_policy.write_all


def saved_later(path: Path) -> None:
    """Give `path` the time of a save a minute from now: another program changed it
    after the photo got its label in the index."""
    later = time.time_ns() + 60 * 1_000_000_000
    os.utime(path, ns=(later, later))


def lightroom_sidecar(path: Path, *keywords: str) -> Path:
    items = "".join(f"<rdf:li>{keyword}</rdf:li>" for keyword in keywords)
    hierarchy = "".join(f"<rdf:li>Landmarks|{keyword}</rdf:li>" for keyword in keywords)
    path.write_text(LIGHTROOM_SIDECAR.format(subject=items, hierarchical=hierarchy))
    return path


def a_raw(folder: Path) -> Path:
    """A RAW stand-in (never opened by a write)."""
    folder.mkdir(exist_ok=True)
    raw = folder / "DSC_0001.NEF"
    raw.write_bytes(b"not really a raw file, never opened")
    return raw


# 1. A landmark keyword the user typed elsewhere after labelling is theirs.

def test_a_landmark_keyword_typed_in_lightroom_after_labelling_stays(tmp_path, index):
    folder = tmp_path / "Rome"
    folder.mkdir()
    photo = make_jpeg(folder / "DSC_0001.jpg")
    scan(index, [folder])
    index.set_label(index.search("")[0].id, "Colosseum", source="user", state="accepted")
    photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields(
        ["Rome", "Trevi Fountain"], ["Landmarks|Trevi Fountain"], ["Trevi Fountain"], None)))
    saved_later(photo)
    scan(index, [folder])  # the index keeps its word: Colosseum
    [item] = plan_writes(index)
    assert item.previous_label is None
    assert write_all(index).written == 1
    fields = read_fields(photo.read_bytes())
    assert fields.subject == ["Rome", "Trevi Fountain", "Colosseum"]
    assert fields.hierarchical == ["Landmarks|Trevi Fountain", "Landmarks|Colosseum"]
    assert fields.iptc == ["Trevi Fountain", "Colosseum"]


def test_a_lightroom_sidecar_made_after_our_write_keeps_its_landmark_keyword(tmp_path, index):
    raw = a_raw(tmp_path / "Jordan")
    add_photo(index, [raw], "Petra")
    write_all(index)  # DSC_0001.NEF.xmp
    lightroom = lightroom_sidecar(raw.parent / "DSC_0001.xmp", "Treasury")
    saved_later(lightroom)
    assert write_all(index).written == 1
    fields = fields_of_sidecar(lightroom.read_bytes())
    assert fields.subject == ["Treasury", "Petra"]
    assert fields.hierarchical == ["Landmarks|Treasury", "Landmarks|Petra"]


def test_a_landmark_keyword_there_when_the_photo_was_relabelled_is_replaced(tmp_path, index):
    """The Read back rule: a sidecar's keyword (written from another index) read back,
    then relabelled here, is replaced though no write of this index is journalled."""
    raw = a_raw(tmp_path / "Jordan")
    lightroom = lightroom_sidecar(raw.parent / "DSC_0001.xmp", "Treasury")
    photo_id = add_photo(index, [raw], None, state="unlabelled")
    read_back(index, photo_id, "Treasury", [lightroom])
    index.set_label(photo_id, "Petra", source="user", state="accepted")
    assert write_all(index).written == 1
    assert fields_of_sidecar(lightroom.read_bytes()).hierarchical == ["Landmarks|Petra"]


# 2. Undo gives a sidecar, and a JPEG written with --touch, a new modification time.

@pytest.mark.parametrize("lightroom_rewrote_it", [False, True])
def test_undo_gives_a_sidecar_a_new_modification_time(tmp_path, index, lightroom_rewrote_it):
    raw = a_raw(tmp_path / "Jordan")
    sidecar = lightroom_sidecar(raw.parent / "DSC_0001.xmp", "holiday")
    add_photo(index, [raw], "Petra")
    write_all(index)
    if lightroom_rewrote_it:  # new develop settings, our keyword kept
        sidecar.write_text(sidecar.read_text().replace("+1.00", "+1.20"))
    os.utime(sidecar, ns=(SYNCED, SYNCED))
    summary = undo_last_write(index)
    assert (summary.written, summary.failed) == (1, 0)
    assert "Petra" not in fields_of_sidecar(sidecar.read_bytes()).subject
    assert sidecar.stat().st_mtime_ns > SYNCED


def test_undo_gives_a_jpeg_written_with_touch_a_new_time(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    add_photo(index, [photo], "Petra")
    write_all(index, WriteOptions(keep_mtime=False))
    os.utime(photo, ns=(SYNCED, SYNCED))
    assert undo_last_write(index).written == 1
    assert not read_fields(photo.read_bytes()).subject
    assert photo.stat().st_mtime_ns > SYNCED


def test_undo_gives_a_jpeg_written_without_touch_its_time_back(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    os.utime(photo, ns=(SYNCED, SYNCED))
    add_photo(index, [photo], "Petra")
    write_all(index)
    assert undo_last_write(index).written == 1
    assert photo.stat().st_mtime_ns == SYNCED


# 3. A keyword of ours re-cased elsewhere counts as the label.

def test_a_keyword_recased_in_lightroom_gets_no_case_twin_and_keeps_its_spelling(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    photo_id = add_photo(index, [photo], "Colosseum")
    write_all(index)
    recased = KeywordFields(["colosseum"], ["Landmarks|colosseum"], ["colosseum"], ["colosseum"])
    photo.write_bytes(apply_fields(photo.read_bytes(), recased))
    scan(index, [tmp_path])
    [item] = plan_writes(index)
    assert not item.changes_anything, item.describe()
    index.set_label(photo_id, "Pantheon", source="user", state="accepted")
    write_all(index)  # still ours: replaced by the new label
    assert read_fields(photo.read_bytes()) == KeywordFields(["Pantheon"], ["Landmarks|Pantheon"], ["Pantheon"],
                                                            ["Pantheon"])


def test_a_label_recased_in_the_index_recases_our_keyword() -> None:
    ours = KeywordFields(["Trip", "colosseum"], ["Landmarks|colosseum"])
    # the hierarchy holding our keyword alone (an older version's) starts from the plain keywords too
    assert label_fields(ours, "Colosseum", "colosseum", ("subject", "hierarchical")) == KeywordFields(
        ["Trip", "Colosseum"], ["Trip", "Landmarks|Colosseum"])
    users = KeywordFields(["Trip", "COLOSSEUM"], ["Landmarks|COLOSSEUM"])
    assert label_fields(users, "Colosseum", "Colosseum", ("subject", "hierarchical")) == users


# 4. Undo's closing line for a sidecar the user deleted.

def test_undo_of_a_sidecar_deleted_since_says_so_when_it_closes_the_batch(tmp_path, index):
    raw = a_raw(tmp_path / "Jordan")
    sidecar = lightroom_sidecar(raw.parent / "DSC_0001.xmp", "holiday")
    add_photo(index, [raw], "Petra")
    write_all(index)
    sidecar.unlink()
    first = undo_last_write(index)
    assert first.failed == 1 and "undo again to retry" in first.line()
    closing = undo_last_write(index)
    assert closing.failed == 1
    assert "the sidecar was deleted since, and our keyword with it" in closing.line(), closing.line()
    assert "keeps the label" not in closing.line()


def _moved_with_an_edit(tmp_path, index, to):
    """A RAW with a Lightroom sidecar, written, then moved with its sidecar to `to`,
    where Lightroom saved an edit into the sidecar: (RAW, sidecar) where they went."""
    raw = a_raw(tmp_path / "Jordan")
    sidecar = lightroom_sidecar(raw.parent / "DSC_0001.NEF.xmp", "holiday")
    add_photo(index, [raw], "Petra")
    assert write_all(index).written == 1
    to.mkdir()
    moved_raw = raw.rename(to / raw.name)
    moved = sidecar.rename(to / sidecar.name)
    moved.write_bytes(moved.read_bytes().replace(b'crs:Exposure2012="+1.00"', b'crs:Exposure2012="+1.50"'))
    return moved_raw, moved


def test_undo_of_a_raw_moved_with_its_sidecar_does_not_say_the_sidecar_was_deleted(tmp_path, index):
    """The usual way to move a RAW takes its sidecar along, which keeps our keyword: the
    closing line said "the sidecar was deleted since, and our keyword with it". Undo
    follows a RAW moved within its folder (the next test); this one went out of it."""
    _, moved = _moved_with_an_edit(tmp_path, index, tmp_path / "elsewhere")
    assert undo_last_write(index).failed == 1
    closing = undo_last_write(index)
    assert closing.next_step == (
        "this batch is closed: the sidecar is no longer there, nor its photo file (deleted, renamed or moved "
        "away): if you renamed or moved them, the sidecar keeps the label written (scan, then give the photo a "
        "new label to change it)"), closing.line()
    assert "Landmarks|Petra" in fields_of_sidecar(moved.read_bytes()).hierarchical


def test_undo_follows_a_raw_moved_with_its_sidecar_edited_since_by_the_raw(tmp_path, index):
    """The sidecar's bytes are no longer those our write left, but its RAW's are: undo
    finds the RAW by the fingerprint the index keeps and takes our keyword out of the
    sidecar beside it, Lightroom's edit kept."""
    _, moved = _moved_with_an_edit(tmp_path, index, tmp_path / "Jordan" / "best")
    undone = undo_last_write(index)
    assert (undone.written, undone.failed) == (1, 0), undone.errors
    assert "Landmarks|Petra" not in fields_of_sidecar(moved.read_bytes()).hierarchical
    assert b'crs:Exposure2012="+1.50"' in moved.read_bytes()


def test_undo_of_the_jpeg_of_a_pair_deleted_since_says_the_file_is_gone_when_it_closes_the_batch(tmp_path, index):
    raw = a_raw(tmp_path / "Jordan")
    jpeg = make_jpeg(raw.with_suffix(".JPG"))
    add_photo(index, [jpeg, raw], "Petra")
    assert write_all(index).written == 2  # into the JPEG, and DSC_0001.NEF.xmp
    jpeg.unlink()  # the RAW stands for the photo from now on
    first = undo_last_write(index)
    assert (first.written, first.failed) == (1, 1) and "undo again to retry" in first.line()
    closing = undo_last_write(index)
    assert closing.failed == 1
    assert closing.next_step == GONE_PHOTO_FILE, closing.line()


GONE_PHOTO_FILE = ("this batch is closed: the photo file is no longer there (deleted, renamed or moved away): "
                   "if you renamed or moved it, it keeps the label written (scan, then give the photo a new "
                   "label to change it)")


def test_undo_of_the_jpeg_of_a_pair_renamed_since_does_not_say_our_keyword_went_with_it(tmp_path, index):
    """A JPEG renamed since the write still holds our keyword: the closing line said it
    "was deleted since, and our keyword with it". Undo follows one renamed as our write
    left it (test_undo_follows_renamed_files.py); this one was edited since (a keyword
    typed), which only a scan lets undo follow."""
    raw = a_raw(tmp_path / "Jordan")
    jpeg = make_jpeg(raw.with_suffix(".JPG"))
    add_photo(index, [jpeg, raw], "Petra")
    assert write_all(index).written == 2
    kept = jpeg.rename(jpeg.with_name("DSC_0001 keep.JPG"))
    written = read_fields(kept.read_bytes())
    kept.write_bytes(apply_fields(kept.read_bytes(), KeywordFields(written.subject + ["keep"], written.hierarchical)))
    assert undo_last_write(index).failed == 1
    closing = undo_last_write(index)
    assert closing.next_step == GONE_PHOTO_FILE, closing.line()
    assert "our keyword with it" not in closing.line()
    assert read_fields(kept.read_bytes()).hierarchical == ["Landmarks|Petra"]  # what the line says: still there
