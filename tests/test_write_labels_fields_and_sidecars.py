"""write_labels through the index: the fields exiftool sees in a JPEG, and sidecars for RAW, PNG and JPEG."""

from __future__ import annotations

import os
import shutil

import pytest

from app.core.metadata import WriteOptions, plan_writes, undo_last_write
from app.core.metadata.jpeg_fields import read_fields
from app.core.metadata.jpeg_segments import scan_data
from app.core.metadata.sidecar import render_sidecar
from app.core.metadata.keywords import KeywordFields
from tests.test_metadata_support import (  # noqa: F401
    add_photo, as_list, exiftool_tags, index, make_jpeg, raw_with_sidecar, require_exiftool, with_iptc_block,
    with_xp_keywords, write_all,
)
from tests.test_metadata_fields import DARKTABLE_SIDECAR


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
