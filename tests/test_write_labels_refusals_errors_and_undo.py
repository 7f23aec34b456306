"""write_labels and undo_last_write: refusals, per-file errors, cancel, and byte-exact undo."""

from __future__ import annotations

from dataclasses import replace
import errno
import os
import subprocess

import pytest

from app.core.metadata import WriteOptions, plan_writes, undo_last_write, write_labels
from app.core.metadata import atomic
from app.core.metadata.jpeg_fields import read_fields
from app.core.metadata.sidecar import render_sidecar
from app.core.metadata.keywords import KeywordFields
from tests.test_metadata_support import (  # noqa: F401
    add_photo, as_list, exiftool_tags, index, make_jpeg, require_exiftool, with_iptc_block, write_all,
)


def test_changed_file_is_refused_and_the_batch_goes_on(tmp_path, index):
    changed = make_jpeg(tmp_path / "a.jpg")
    fine = make_jpeg(tmp_path / "b.jpg", seed=1)
    add_photo(index, [changed], "Château d'If")
    add_photo(index, [fine], "Château d'If")
    with open(changed, "ab") as handle:
        handle.write(b"\x00")  # edited by someone else after the scan
    edited = changed.read_bytes()
    summary = write_all(index)
    assert (summary.written, summary.failed) == (1, 1)
    assert "changed on disk" in summary.errors[0][1]
    assert changed.read_bytes() == edited
    assert read_fields(fine.read_bytes()).subject == ["Château d'If"]
    assert index.errors(stage="write")[0].path == str(changed.resolve())


@pytest.mark.parametrize("problem", ["read-only file", "read-only folder", "full disk", "vanished"])
def test_per_file_errors_leave_the_original_intact(tmp_path, index, monkeypatch, problem):
    folder = tmp_path / "photos"
    folder.mkdir()
    victim = make_jpeg(folder / "a.jpg")
    other_folder = tmp_path / "other"
    other_folder.mkdir()
    fine = make_jpeg(other_folder / "b.jpg", seed=1)
    add_photo(index, [victim], "Château d'If")
    add_photo(index, [fine], "Château d'If")
    original = victim.read_bytes()
    plan = plan_writes(index)
    if problem == "read-only file":
        victim.chmod(0o444)
    elif problem == "read-only folder":
        folder.chmod(0o555)
    elif problem == "vanished":
        victim.unlink()
    else:
        real_write = os.write

        def write(fd, data):
            if os.readlink(f"/proc/self/fd/{fd}").startswith(str(folder)):
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_write(fd, data)

        monkeypatch.setattr(atomic, "replace_atomically", _with_write(atomic.replace_atomically, write))
    try:
        summary = write_labels(index, plan)
    finally:
        folder.chmod(0o755)
        if victim.exists():
            victim.chmod(0o644)
    assert (summary.written, summary.failed) == (1, 1)
    message = summary.errors[0][1]
    assert str(victim) in message or victim.name in message
    if problem != "vanished":
        assert victim.read_bytes() == original
    assert sorted(p.name for p in folder.iterdir()) == ([] if problem == "vanished" else ["a.jpg"])
    assert read_fields(fine.read_bytes()).subject == ["Château d'If"]
    assert index.errors(stage="write")
    if problem == "full disk":
        monkeypatch.undo()
        assert write_all(index).written == 1  # room again: the retry writes it …
        assert not index.errors(stage="write")  # … and its problem is over


def _with_write(function, write):
    def wrapped(*args, **kwargs):
        kwargs.setdefault("write", write)
        return function(*args, **kwargs)

    return wrapped


def test_undo_restores_the_exact_bytes_and_only_the_last_batch(tmp_path, index):
    first = make_jpeg(tmp_path / "a.jpg")
    original = first.read_bytes()
    photo_id = add_photo(index, [first], "Château d'If")
    write_all(index)
    after_first = first.read_bytes()
    index.set_label(photo_id, "Notre-Dame de la Garde")
    write_all(index)
    assert read_fields(first.read_bytes()).subject == ["Notre-Dame de la Garde"]
    undo_last_write(index)
    assert first.read_bytes() == after_first
    undo_last_write(index)
    assert first.read_bytes() == original
    assert undo_last_write(index).batch_id is None


def test_an_undo_that_could_not_restore_a_file_retries_it_before_any_older_batch(tmp_path, index):
    """A photo moved out of its folder during undo (one renamed or moved within it is
    followed: test_undo_follows_renamed_files.py): the batch stays the one undo works on,
    so the next undo (the photo back) restores just it instead of reverting an older
    write; a second failure closes the batch and undo moves on."""
    library = tmp_path / "Pictures"
    library.mkdir()
    older = make_jpeg(library / "older.jpg")
    add_photo(index, [older], "Petra")
    write_all(index)
    older_written = older.read_bytes()
    photos = [make_jpeg(library / f"p{i}.jpg", seed=i + 1) for i in range(3)]
    originals = [p.read_bytes() for p in photos]
    for p in photos:
        add_photo(index, [p], "Château d'If")
    second = write_all(index, query="-petra")
    assert second.written == 3
    away = tmp_path / "elsewhere.jpg"  # out of the folder undo looks in for it
    photos[1].rename(away)
    summary = undo_last_write(index)
    assert (summary.batch_id, summary.written, summary.failed) == (second.batch_id, 2, 1)
    assert "undo again to retry" in summary.line()
    away.rename(photos[1])
    summary = undo_last_write(index)
    assert (summary.batch_id, summary.written, summary.failed) == (second.batch_id, 1, 0)
    assert [p.read_bytes() for p in photos] == originals
    assert older.read_bytes() == older_written  # the older batch was not touched
    # a second failure closes the batch; the next undo goes on to the older one (a read-only
    # file never closes it: test_undo_of_read_only_files_keeps_its_batch.py)
    third = write_all(index, query="-petra")
    photos[0].rename(away)
    assert undo_last_write(index).failed == 1
    summary = undo_last_write(index)
    assert (summary.batch_id, summary.failed) == (third.batch_id, 1) and "this batch is closed" in summary.line()
    assert index.errors(stage="undo") == []  # said once; nothing is left to retry
    away.rename(photos[0])
    assert undo_last_write(index).batch_id not in (second.batch_id, third.batch_id)


def test_undo_after_an_edit_restores_only_our_fields(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    add_photo(index, [photo], "Château d'If")
    write_all(index)
    from app.core.metadata.jpeg_fields import apply_fields

    edited = apply_fields(photo.read_bytes(), KeywordFields(["Château d'If", "added later"], ["Landmarks|Château d'If"]))
    photo.write_bytes(edited)
    undo_last_write(index)
    fields = read_fields(photo.read_bytes())
    # our keyword is gone and the fields we created with it; the one typed later stays
    assert fields == KeywordFields(["added later"], None, None, None)


def test_undo_after_an_edit_keeps_keywords_typed_since_and_gives_back_what_we_replaced(tmp_path, index):
    from app.core.metadata.jpeg_fields import apply_fields
    from app.core.metadata.sidecar import fields_of_sidecar, render_sidecar

    photo, raw = with_iptc_block(make_jpeg(tmp_path / "DSC_0001.JPG")), tmp_path / "DSC_0001.NEF"
    raw.write_bytes(b"not really a raw file, never opened")
    photo_id = add_photo(index, [photo, raw], "Château d'If")
    write_all(index)
    index.set_label(photo_id, "Fort Saint-Jean")  # the second batch replaces our first keyword
    write_all(index)
    sidecar = tmp_path / "DSC_0001.NEF.xmp"
    for_lightroom = KeywordFields(["Fort Saint-Jean", "Marseille"], ["Landmarks|Fort Saint-Jean", "Places|Marseille"])
    photo.write_bytes(apply_fields(photo.read_bytes(), replace(read_fields(photo.read_bytes()),
                                                                subject=for_lightroom.subject)))
    sidecar.write_bytes(render_sidecar(sidecar.read_bytes(), for_lightroom))
    undo_last_write(index)
    fields = read_fields(photo.read_bytes())
    assert fields.subject == ["Marseille", "Château d'If"] and fields.iptc == ["Château d'If"]
    assert fields_of_sidecar(sidecar.read_bytes()) == KeywordFields(
        ["Marseille", "Château d'If"], ["Places|Marseille", "Landmarks|Château d'If"])


@pytest.mark.parametrize("where", ["keywords", "history"])
def test_extended_xmp_is_kept_and_keywords_hidden_in_it_are_refused(tmp_path, index, where):
    """XMP over 64 KB continues in extended XMP segments, and readers let a property
    there win over the main packet."""
    tool = require_exiftool()
    photo = make_jpeg(tmp_path / "a.jpg")
    if where == "keywords":  # thousands of keywords: the list itself moves to the extension
        args = [f"-XMP-dc:Subject+=keyword {i:05d} with some padding text" for i in range(2500)]
    else:  # the usual case: a long history moves, the keywords stay in the main packet
        args = [f"-XMP-dc:Description={'history ' * 12_000}", "-XMP-dc:Subject=mine"]
    argfile = tmp_path / "args.txt"
    argfile.write_text("\n".join(args))
    subprocess.run([tool, "-q", "-m", "-overwrite_original", "-@", str(argfile), str(photo)], check=True)
    assert b"http://ns.adobe.com/xmp/extension/" in photo.read_bytes()
    add_photo(index, [photo], "Château d'If")
    before = photo.read_bytes()
    summary = write_all(index)
    if where == "keywords":
        assert (summary.written, summary.failed) == (0, 1) and "extended XMP" in summary.errors[0][1]
        assert photo.read_bytes() == before
    else:
        assert summary.written == 1
        tags = exiftool_tags(photo)
        assert as_list(tags["XMP-dc:Subject"]) == ["mine", "Château d'If"]
        assert tags["XMP-dc:Description"].startswith("history history")


def test_the_plan_says_which_files_cannot_be_written_before_anything_is_written(tmp_path, index):
    locked = make_jpeg(tmp_path / "locked.jpg")
    done = make_jpeg(tmp_path / "done.jpg", seed=1)
    add_photo(index, [locked], "Château d'If")
    add_photo(index, [done], "Château d'If")
    write_labels(index, [item for item in plan_writes(index) if item.target.name == "done.jpg"])
    locked.chmod(0o444)
    done.chmod(0o444)
    try:
        plan = {item.target.name: item for item in plan_writes(index)}
        # the dry run must not promise a write the real one refuses …
        assert "read-only" in plan["locked.jpg"].problem and not plan["locked.jpg"].changes_anything
        # … and a read-only photo that already carries its label needs no write at all
        assert plan["done.jpg"].problem is None and not plan["done.jpg"].changes_anything
        summary = write_labels(index, list(plan.values()))
    finally:
        locked.chmod(0o644)
        done.chmod(0o644)
    assert (summary.written, summary.unchanged, summary.failed) == (0, 1, 1)
    assert summary.errors[0][1].startswith(str(locked))  # the per-file error names the file
    assert read_fields(locked.read_bytes()).subject in (None, [])


def test_nothing_is_written_inside_another_programs_photo_library(tmp_path, index):
    """A user may scan an Apple Photos library by naming it; its files are still never
    written into (the library's database would no longer match them)."""
    folder = tmp_path / "Photos Library.photoslibrary" / "originals" / "0"
    folder.mkdir(parents=True)
    inside = make_jpeg(folder / "IMG_1.jpeg")
    original = inside.read_bytes()
    add_photo(index, [inside], "Château d'If")
    (item,) = plan_writes(index)
    assert "Photos Library.photoslibrary" in item.problem and not item.changes_anything
    summary = write_labels(index, [item])
    assert (summary.written, summary.failed) == (0, 1) and inside.read_bytes() == original


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="symbolic links need privileges on Windows")
def test_a_symbolic_link_is_written_through_and_stays_a_link(tmp_path, index):
    """A "best of" folder of links to the originals: the original gets the label, the
    link stays a link (renaming over it would have made it a copy), undo restores the
    original's bytes."""
    from app.core.scanner import scan

    originals, best = tmp_path / "originals", tmp_path / "best of"
    originals.mkdir()
    best.mkdir()
    photo = make_jpeg(originals / "DSC_0001.JPG")
    original_bytes = photo.read_bytes()
    link = best / "DSC_0001.JPG"
    link.symlink_to(photo)
    scan(index, [best])
    (photo_id,) = index.photo_ids("")
    index.set_label(photo_id, "Pont du Gard")
    summary = write_all(index)
    assert (summary.written, summary.failed) == (1, 0)
    assert link.is_symlink() and os.readlink(link) == str(photo)
    assert read_fields(photo.read_bytes()).subject == ["Pont du Gard"]
    assert not [p for p in best.iterdir() if p.name != "DSC_0001.JPG"]  # no temp left beside the link
    assert plan_writes(index, "", False, WriteOptions())[0].changes_anything is False  # the index saw the write
    undo_last_write(index)
    assert link.is_symlink() and photo.read_bytes() == original_bytes


def test_a_cancelled_plan_stops_before_the_next_photo_and_touches_nothing(tmp_path, index):
    """The app's Cancel during "Preparing write": planning a big library reads every file."""
    from app.core.errors import Cancelled
    from app.core.progress import CancelToken

    photos = [make_jpeg(tmp_path / f"{name}.jpg") for name in ("a", "b")]
    before = [photo.read_bytes() for photo in photos]
    for photo in photos:
        add_photo(index, [photo], "Château d'If")
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        plan_writes(index, cancel=cancel)
    assert [photo.read_bytes() for photo in photos] == before
    assert len(plan_writes(index, cancel=CancelToken())) == 2  # not cancelled: every photo planned
