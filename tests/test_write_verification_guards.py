"""The guards behind every JPEG write that no other test switched off: the folder fsync
after the rename, verify_jpeg's image-data, other-segment and keyword checks, the
"keywords changed since the plan" refusal and undo's read-back."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from app.core.metadata import WriteOptions, atomic, plan_writes, undo_last_write, write_labels
from app.core.metadata.jpeg_fields import apply_fields, read_fields
from app.core.metadata.jpeg_segments import Segment, build_jpeg, parse_jpeg
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.verify import VerificationError, verify_jpeg
from tests.test_metadata_support import add_photo, index, make_jpeg, write_all  # noqa: F401 (index: a fixture)


@pytest.fixture
def disk_steps(monkeypatch):
    """Every rename into place and every folder fsync, in the order they happen."""
    steps: list[tuple[str, Path]] = []
    real_replace, real_fsync_folder = atomic.replace_file, atomic.fsync_folder

    def replace_file(temp, path, *args, **kwargs):
        result = real_replace(temp, path, *args, **kwargs)
        steps.append(("rename", Path(path).resolve()))
        return result

    def fsync_folder(folder):
        steps.append(("fsync folder", Path(folder).resolve()))
        real_fsync_folder(folder)

    monkeypatch.setattr(atomic, "replace_file", replace_file)
    monkeypatch.setattr(atomic, "fsync_folder", fsync_folder)
    return steps


# -- F2: the rename is made durable -------------------------------------------------


def test_replace_atomically_fsyncs_the_folder_after_the_rename(tmp_path, disk_steps):
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"old")
    atomic.replace_atomically(photo, b"new")
    assert photo.read_bytes() == b"new"
    assert disk_steps == [("rename", photo.resolve()), ("fsync folder", tmp_path.resolve())]


def test_a_write_batch_fsyncs_each_written_folder_after_its_renames(tmp_path, index, disk_steps):
    photos = []
    for seed, folder in enumerate(("rome", "paris")):
        (tmp_path / folder).mkdir()
        photos.append(make_jpeg(tmp_path / folder / "a.jpg", seed=seed))
    for photo in photos:
        add_photo(index, [photo], "Colosseum")
    assert write_all(index).written == 2
    for photo in photos:
        renamed = disk_steps.index(("rename", photo.resolve()))
        synced = [i for i, step in enumerate(disk_steps) if step == ("fsync folder", photo.parent.resolve())]
        assert synced and synced[-1] > renamed, f"{photo.parent} not fsynced after its rename: {disk_steps}"


# -- F3: what verify_jpeg refuses ---------------------------------------------------------


OTHER_PROGRAMS_SEGMENTS = {
    "APP11 (JPEG XT)": Segment(0xEB, b"JP\x00\x01another program's data"),
    "APP13 that is not Photoshop's": Segment(0xED, b"Adobe_CM\x00\x01another program's data"),
}


@pytest.fixture
def labelled(tmp_path):
    """A JPEG holding both segments of other programs, and the fields a label write wants."""
    data = make_jpeg(tmp_path / "source.jpg").read_bytes()
    layout = parse_jpeg(data)
    original = build_jpeg([*layout.segments, *OTHER_PROGRAMS_SEGMENTS.values()], memoryview(data)[layout.scan_offset:])
    wanted = replace(read_fields(original), subject=["Colosseum"], hierarchical=["Landmarks|Colosseum"])
    return original, wanted, apply_fields(original, wanted)


def test_verify_accepts_a_correct_write(tmp_path, labelled):
    original, wanted, written = labelled
    (tmp_path / "a.jpg").write_bytes(written)
    verify_jpeg(tmp_path / "a.jpg", original, wanted)


def test_verify_refuses_image_data_that_differ_by_one_byte(tmp_path, labelled):
    original, wanted, written = labelled
    damaged = bytearray(written)
    damaged[(parse_jpeg(written).scan_offset + len(written)) // 2] ^= 0x01
    (tmp_path / "a.jpg").write_bytes(damaged)
    with pytest.raises(VerificationError, match="the image data changed"):
        verify_jpeg(tmp_path / "a.jpg", original, wanted)


@pytest.mark.parametrize("lost", OTHER_PROGRAMS_SEGMENTS)
def test_verify_refuses_a_write_that_lost_another_programs_segment(tmp_path, labelled, lost):
    original, wanted, written = labelled
    layout = parse_jpeg(written)
    kept = [s for s in layout.segments if s != OTHER_PROGRAMS_SEGMENTS[lost]]
    assert len(kept) == len(layout.segments) - 1
    (tmp_path / "a.jpg").write_bytes(build_jpeg(kept, memoryview(written)[layout.scan_offset:]))
    with pytest.raises(VerificationError, match="a metadata segment we do not own changed"):
        verify_jpeg(tmp_path / "a.jpg", original, wanted)


def test_verify_refuses_a_write_whose_keywords_did_not_change(tmp_path, labelled):
    original, wanted, _ = labelled
    (tmp_path / "a.jpg").write_bytes(original)
    with pytest.raises(VerificationError, match="the keywords did not read back as written"):
        verify_jpeg(tmp_path / "a.jpg", original, wanted)


# -- F4: keywords edited in place after the plan -----------------------------------------


def test_keywords_changed_in_place_since_the_plan_are_kept(tmp_path, index):
    """Another program retypes a keyword in place (same size) and keeps the file's time, as
    `exiftool -P` does: size and time say unchanged, the keywords read anew do not."""
    photo = make_jpeg(tmp_path / "a.jpg")
    photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields(["Roma"], ["Trips|2020"])))
    add_photo(index, [photo], "Colosseum")
    plan = plan_writes(index, "", False, WriteOptions())
    before = os.stat(photo)
    edited = photo.read_bytes().replace(b"<rdf:li>Roma</rdf:li>", b"<rdf:li>Rome</rdf:li>")
    photo.write_bytes(edited)
    os.utime(photo, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert read_fields(edited).subject == ["Rome"] and os.stat(photo).st_size == before.st_size
    summary = write_labels(index, plan, WriteOptions())
    assert (summary.written, summary.failed) == (0, 1)
    assert "its keywords changed since the plan was made" in summary.errors[0][1]
    assert photo.read_bytes() == edited


# -- F5: an undo that did not take -----------------------------------------------------


def test_an_undo_whose_replace_did_not_take_is_a_failure_kept_for_a_retry(tmp_path, index, monkeypatch):
    photo = make_jpeg(tmp_path / "a.jpg")
    original = photo.read_bytes()
    add_photo(index, [photo], "Colosseum")
    batch = write_all(index).batch_id
    written = photo.read_bytes()
    real_replace = atomic.replace_atomically

    def dropped(path, data, **kwargs):  # a share that acknowledges the write and keeps the old bytes
        return real_replace(path, Path(path).read_bytes(), **kwargs)

    monkeypatch.setattr(atomic, "replace_atomically", dropped)
    summary = undo_last_write(index)
    assert (summary.batch_id, summary.written, summary.failed) == (batch, 0, 1)
    assert "did not read back as intended after undoing the write" in summary.errors[0][1]
    assert photo.read_bytes() == written
    monkeypatch.undo()
    retried = undo_last_write(index)
    assert (retried.batch_id, retried.written, retried.failed) == (batch, 1, 0)
    assert photo.read_bytes() == original
