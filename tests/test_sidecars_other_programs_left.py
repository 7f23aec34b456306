"""Sidecars and keywords other programs left, as a mixed archive holds them: an upper-
case `.XMP` (Photo Mechanic), keywords inside a TIFF or PNG (Lightroom, exiftool), a
name too long to add `.xmp` to. Each photo gets its label where those programs look,
and one odd file never stops the batch."""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image, PngImagePlugin

from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, undo_last_write, write_labels
from app.core.metadata.jpeg_fields import read_fields
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.read_back import landmark_in_sidecars
from app.core.metadata.sidecar import fields_of_sidecar, render_sidecar
from app.core.scanner import scan
from tests.test_metadata_fields import DARKTABLE_SIDECAR
from tests.test_metadata_support import add_photo, make_jpeg, raw_with_sidecar
from tests.test_write_odd_files import write_all


def test_an_uppercase_xmp_sidecar_is_written_into_not_beside(tmp_path) -> None:
    raw, sidecar, _ = raw_with_sidecar(tmp_path / "raw", "DSC_0001.XMP", DARKTABLE_SIDECAR)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        add_photo(index, [raw], "Pont d'Avignon")
        assert [item.target for item in plan_writes(index)] == [sidecar]
        assert write_all(index).written == 1
    assert sorted(p.name for p in raw.parent.iterdir()) == ["DSC_0001.NEF", "DSC_0001.XMP"]
    assert fields_of_sidecar(sidecar.read_bytes()).subject[-1] == "Pont d'Avignon"
    assert "darktable:history" in sidecar.read_text()  # the editor's own properties stay
    assert landmark_in_sidecars([raw]) == "Pont d'Avignon"  # a new index reads it back


def test_a_name_too_long_for_its_sidecar_is_that_files_problem_and_the_batch_goes_on(tmp_path) -> None:
    folder = tmp_path / "Kyoto"
    folder.mkdir()
    name = "清水寺と八坂の塔を背景にした家族旅行の写真" * 4
    name = name[:83] + ".png"  # 253 bytes: `.png.xmp` would make 257, `.xmp` alone 253
    assert len(os.fsencode(name)) == 253
    long_png = folder / name
    Image.new("RGB", (64, 48), (120, 80, 40)).save(long_png)
    other = make_jpeg(folder / "DSC_0001.JPG")
    with PhotoIndex.open(tmp_path / "index.db") as index:
        add_photo(index, [long_png], "Kiyomizu-dera")
        add_photo(index, [other], "Kiyomizu-dera")
        problems = {item.source.name: item.problem for item in plan_writes(index)}
        assert problems["DSC_0001.JPG"] is None
        assert "over the 255" in problems[name] and "--sidecar-naming stem" in problems[name]
        summary = write_all(index)
        assert (summary.written, summary.failed) == (1, 1)
        assert read_fields(other.read_bytes()).subject == ["Kiyomizu-dera"]
        stem = WriteOptions(sidecar_naming="stem")  # the way out it names
        assert write_labels(index, plan_writes(index, name[:10], False, stem), stem).written == 1
    assert landmark_in_sidecars([long_png]) == "Kiyomizu-dera"


def png_with_keywords(path: Path, subject: list[str], hierarchical: list[str]) -> Path:
    """A PNG whose XMP holds keywords (Lightroom's export, exiftool), none in a sidecar."""
    packet = render_sidecar(None, KeywordFields(subject=subject, hierarchical=hierarchical)).decode()
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", packet)
    Image.new("RGB", (80, 60), (30, 90, 160)).save(path, pnginfo=info)
    return path


def test_a_relabel_of_a_file_with_keywords_inside_keeps_them_and_outlives_the_index(tmp_path) -> None:
    folder = tmp_path / "Scans"
    folder.mkdir()
    scan_png = png_with_keywords(folder / "scan.png", ["Family", "Petra"], ["Landmarks|Petra"])
    original = scan_png.read_bytes()
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        photo = index.search("scan")[0]
        assert (photo.label, photo.state) == ("Petra", "accepted")  # read from the file
        index.set_label(photo.id, "Hagia Sophia", source="user", state="accepted")
        [item] = plan_writes(index)
        assert item.target == folder / "scan.png.xmp" and item.previous_label == "Petra"
        assert (item.before.subject, item.after.subject) == (["Family", "Petra"], ["Family", "Hagia Sophia"])
        assert "Petra" in item.describe() and "Family" in item.describe()
        assert write_all(index).written == 1
    written = fields_of_sidecar(item.target.read_bytes())
    # the hierarchy held the keyword replaced alone: it starts from the plain keywords, as a new one
    assert written.subject == ["Family", "Hagia Sophia"]
    assert written.hierarchical == ["Family", "Landmarks|Hagia Sophia"]
    assert scan_png.read_bytes() == original  # the photo itself is not touched
    with PhotoIndex.open(tmp_path / "new.db") as fresh:  # another computer, a lost index
        scan(fresh, [folder])
        assert fresh.search("scan")[0].label == "Hagia Sophia"
    with PhotoIndex.open(tmp_path / "index.db") as index:
        assert undo_last_write(index).written == 1
    assert not item.target.exists() and scan_png.read_bytes() == original


def test_a_file_whose_own_keywords_already_say_the_label_gets_no_sidecar(tmp_path) -> None:
    folder = tmp_path / "Scans"
    folder.mkdir()
    png_with_keywords(folder / "scan.png", ["Petra"], ["Landmarks|Petra"])
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        [item] = plan_writes(index)
        assert not item.changes_anything and "already there" in item.describe()
        assert write_all(index).written == 0
    assert sorted(p.name for p in folder.iterdir()) == ["scan.png"]
