"""write_labels / undo_last_write through the index: keywords seen by exiftool,
sidecars, refusals and per-file errors, and byte-exact undo."""

from __future__ import annotations

from dataclasses import replace

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, undo_last_write, write_labels
from app.core.metadata import atomic
from app.core.metadata.jpeg_fields import read_fields
from app.core.metadata.jpeg_segments import scan_data
from app.core.metadata.sidecar import render_sidecar
from app.core.metadata.keywords import KeywordFields
from tests.test_metadata_support import add_photo, as_list, exiftool_tags, make_jpeg, require_exiftool, with_iptc_block, with_xp_keywords
from tests.test_metadata_fields import DARKTABLE_SIDECAR


@pytest.fixture
def index(tmp_path):
    opened = PhotoIndex.open(tmp_path / "index.db")
    yield opened
    opened.close()


def write_all(index, options=WriteOptions(), query="", include_suggested=False):
    return write_labels(index, plan_writes(index, query, include_suggested, options), options)


def test_exiftool_sees_all_four_fields_in_a_jpeg(tmp_path, index):
    require_exiftool()
    # IPTC Keywords and XPKeywords go only where the photo holds them
    photo = with_xp_keywords(with_iptc_block(make_jpeg(tmp_path / "a.jpg")))
    photo_id = add_photo(index, [photo], "Château d'If")
    index.set_label(photo_id, "Château d'If", source="model", state="accepted", score=0.87, model_id="effnet-b0-1234")
    summary = write_all(index)
    assert (summary.written, summary.failed) == (1, 0)
    tags = exiftool_tags(photo)
    assert as_list(tags["XMP-dc:Subject"]) == ["Château d'If"]
    assert as_list(tags["XMP-lr:HierarchicalSubject"]) == ["Landmarks|Château d'If"]
    assert as_list(tags["IPTC:Keywords"]) == ["Château d'If"]
    assert tags["IFD0:XPKeywords"] == "Château d'If"
    assert "0.87" not in str(tags) and "effnet" not in str(tags)  # confidence and model stay in the index


def test_user_keywords_are_kept_and_only_our_label_is_replaced(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    data = photo.read_bytes()
    from app.core.metadata.jpeg_fields import apply_fields

    photo.write_bytes(apply_fields(data, KeywordFields(["holiday", "Marseille"], ["Trips|2020"], ["holiday"], ["holiday"])))
    photo_id = add_photo(index, [photo], "Notre-Dame de la Garde")
    write_all(index)
    index.set_label(photo_id, "Château d'If")
    write_all(index)
    fields = read_fields(photo.read_bytes())
    assert fields.subject == ["holiday", "Marseille", "Château d'If"]
    assert fields.hierarchical == ["Trips|2020", "Landmarks|Château d'If"]
    assert fields.iptc == ["holiday", "Château d'If"]
    assert fields.xp == ["holiday", "Château d'If"]


def test_only_accepted_labels_unless_suggested_are_included(tmp_path, index):
    accepted = make_jpeg(tmp_path / "a.jpg")
    suggested = make_jpeg(tmp_path / "b.jpg", seed=1)
    add_photo(index, [accepted], "Château d'If")
    add_photo(index, [suggested], "Fort Saint-Jean", state="suggested")
    plan = plan_writes(index)
    assert [p.target.name for p in plan] == ["a.jpg"]
    assert {p.target.name for p in plan_writes(index, include_suggested=True)} == {"a.jpg", "b.jpg"}


def test_dry_run_plan_touches_nothing(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    before = photo.read_bytes()
    add_photo(index, [photo], "Château d'If")
    plan = plan_writes(index)
    assert plan[0].changes_anything and "Château d'If" in plan[0].describe()
    assert photo.read_bytes() == before


def test_raw_gets_a_sidecar_and_is_never_modified(tmp_path, index, shared_data):
    require_exiftool()
    raw = tmp_path / "DSC_8188.NEF"
    shutil.copy(shared_data / "camera" / "raw" / "Nikon_uncompressed.nef", raw)
    jpeg = make_jpeg(tmp_path / "DSC_8188.JPG")
    raw_bytes = raw.read_bytes()
    add_photo(index, [jpeg, raw], "Notre-Dame de la Garde")
    summary = write_all(index)
    assert summary.written == 2
    assert raw.read_bytes() == raw_bytes
    sidecar = tmp_path / "DSC_8188.NEF.xmp"
    tags = exiftool_tags(sidecar)
    assert as_list(tags["XMP-dc:Subject"]) == ["Notre-Dame de la Garde"]
    assert as_list(tags["XMP-lr:HierarchicalSubject"]) == ["Landmarks|Notre-Dame de la Garde"]
    undo_last_write(index)
    assert not sidecar.exists() and raw.read_bytes() == raw_bytes


def raw_with_sidecar(folder: Path, sidecar_name: str, text: str) -> tuple[Path, Path, bytes]:
    """A RAW stand-in (never opened) and a sidecar an editor left beside it."""
    folder.mkdir(exist_ok=True)
    raw = folder / "DSC_0001.NEF"
    raw.write_bytes(b"not really a raw file, never opened")
    sidecar = folder / sidecar_name
    sidecar.write_text(text)
    return raw, sidecar, sidecar.read_bytes()


def test_stem_naming_and_merging_into_a_darktable_sidecar(tmp_path, index):
    raw, sidecar, original = raw_with_sidecar(tmp_path, "DSC_0001.xmp", DARKTABLE_SIDECAR)
    add_photo(index, [raw], "Château d'If")
    options = WriteOptions(sidecar_naming="stem")
    assert write_all(index, options).written == 1
    text = sidecar.read_text()
    assert 'darktable:operation="exposure"' in text and "Château d'If" in text
    assert not (tmp_path / "DSC_0001.NEF.xmp").exists()
    undo_last_write(index)
    assert sidecar.read_bytes() == original


def test_a_damaged_sidecar_is_left_alone_and_named_once(tmp_path, index):
    """Another program's sidecar we cannot parse is never overwritten (it may hold the
    user's edits); the error names it once and says what is wrong."""
    raw, sidecar, original = raw_with_sidecar(tmp_path, "DSC_0001.NEF.xmp", DARKTABLE_SIDECAR[:120])
    add_photo(index, [raw], "Château d'If")
    summary = write_all(index)
    assert summary.failed == 1 and sidecar.read_bytes() == original
    (path, message), = summary.errors
    assert message.count(str(sidecar)) == 1 and "not closed" in message


@pytest.mark.parametrize("naming", ["ext", "stem"])
def test_an_existing_sidecar_of_either_name_is_written_into_not_shadowed(tmp_path, index, naming):
    """Lightroom reads DSC_0001.xmp and darktable DSC_0001.NEF.xmp, each only its own: a
    new sidecar beside an existing one would hide the label from that app."""
    from tests.test_metadata_fields import LIGHTROOM_SIDECAR

    folder = tmp_path / "photos"
    raw, lightroom, original = raw_with_sidecar(folder, "DSC_0001.xmp", LIGHTROOM_SIDECAR)
    add_photo(index, [raw], "Château d'If")
    assert write_all(index, WriteOptions(sidecar_naming=naming)).written == 1
    assert sorted(p.name for p in folder.iterdir()) == ["DSC_0001.NEF", "DSC_0001.xmp"]
    assert read_sidecar(lightroom).subject == ["holiday", "Marseille", "Château d'If"]
    darktable = folder / "DSC_0001.NEF.xmp"  # both apps in use: both sidecars get it
    darktable.write_text(DARKTABLE_SIDECAR)
    index.set_label(1, "Fort Saint-Jean")
    assert write_all(index, WriteOptions(sidecar_naming=naming)).written == 2
    assert read_sidecar(lightroom).subject == ["holiday", "Marseille", "Fort Saint-Jean"]
    assert "Fort Saint-Jean" in read_sidecar(darktable).subject
    undo_last_write(index)
    undo_last_write(index)
    assert lightroom.read_bytes() == original and darktable.read_text() == DARKTABLE_SIDECAR


def read_sidecar(path):
    from app.core.metadata.sidecar import fields_of_sidecar

    return fields_of_sidecar(path.read_bytes(), str(path))


def test_png_without_embedding_gets_a_sidecar(tmp_path, index):
    from PIL import Image

    png = tmp_path / "shot.png"
    Image.new("RGB", (8, 8)).save(png)
    add_photo(index, [png], "Château d'If")
    write_all(index)
    assert "Château d'If" in (tmp_path / "shot.png.xmp").read_text()


def test_a_png_named_jpg_gets_a_sidecar_and_is_never_rewritten(tmp_path, index):
    """The scanner records what the file holds; the JPEG writer never parses a PNG."""
    from PIL import Image

    from app.core.scanner import scan

    web = tmp_path / "download.jpg"
    Image.new("RGB", (8, 8), (9, 99, 199)).save(web, format="PNG")
    original = web.read_bytes()
    scan(index, [tmp_path])
    (record,) = index.search("")
    index.set_label(record.id, "Château d'If")
    summary = write_all(index)
    assert summary.failed == 0
    assert web.read_bytes() == original
    assert "Château d'If" in (tmp_path / "download.jpg.xmp").read_text()


def test_no_jpeg_option_writes_sidecars_for_jpegs(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    before = photo.read_bytes()
    add_photo(index, [photo], "Château d'If")
    write_all(index, WriteOptions(write_into_jpeg=False))
    assert photo.read_bytes() == before
    assert (tmp_path / "a.jpg.xmp").exists()


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
    # a second failure closes the batch; the next undo goes on to the older one
    third = write_all(index, query="-petra")
    photos[0].chmod(0o444)
    assert undo_last_write(index).failed == 1
    summary = undo_last_write(index)
    assert (summary.batch_id, summary.failed) == (third.batch_id, 1) and "this batch is closed" in summary.line()
    assert index.errors(stage="undo") == []  # said once; nothing is left to retry
    photos[0].chmod(0o644)
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


def test_write_keeps_the_image_data_and_mtime_and_updates_the_index(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    os.utime(photo, ns=(1_500_000_000_000_000_000, 1_500_000_000_000_000_000))
    data = photo.read_bytes()
    add_photo(index, [photo], "Château d'If")
    write_all(index)
    assert bytes(scan_data(photo.read_bytes())) == bytes(scan_data(data))
    assert photo.stat().st_mtime_ns == 1_500_000_000_000_000_000
    size = index.conn.execute("SELECT size FROM files").fetchone()[0]
    assert size == photo.stat().st_size
    # A second batch is not refused as "changed": the index knows our own write.
    index.set_label(1, "Fort Saint-Jean")
    assert write_all(index).failed == 0


def test_unicode_labels_round_trip_through_every_field(tmp_path, index):
    photos = [with_xp_keywords(with_iptc_block(make_jpeg(tmp_path / f"{i}.jpg", seed=i))) for i in range(2)]
    for photo, label in zip(photos, ["Château d'If", "Notre-Dame de la Garde"]):
        add_photo(index, [photo], label)
    write_all(index)
    for photo, label in zip(photos, ["Château d'If", "Notre-Dame de la Garde"]):
        assert read_fields(photo.read_bytes()) == KeywordFields([label], [f"Landmarks|{label}"], [label], [label])


def test_sidecar_rendering_is_stable():
    once = render_sidecar(None, KeywordFields(["a"], ["Landmarks|a"]))
    assert render_sidecar(once, KeywordFields(["a"], ["Landmarks|a"])) == once


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
