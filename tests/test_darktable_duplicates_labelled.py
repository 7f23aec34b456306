"""darktable's duplicate of a RAW (a second version of the same picture, developed on its
own) has a sidecar of its own, DSC_0100_01.NEF.xmp, and darktable keeps tags per version:
a write gives each version's sidecar the landmark, and undo takes it back out of each
(app/core/metadata/darktable_versions.py). Only a sidecar darktable made for a version
of this file counts: its xmpMM:DerivedFrom names the file, and no photo has its name."""

from __future__ import annotations

import pytest

from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, undo_last_write
from app.core.metadata.sidecar import fields_of_sidecar
from tests.test_metadata_support import add_photo
from tests.test_write_odd_files import write_all

DARKTABLE_VERSION = """<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:darktable="http://darktable.sf.net/"
   xmpMM:DerivedFrom="{original}"
   darktable:xmp_version="5"
   darktable:version_name="{version}">
   <dc:subject><rdf:Bag><rdf:li>Rome</rdf:li></rdf:Bag></dc:subject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""


def test_each_darktable_version_of_a_raw_gets_the_label_and_undo_takes_it_back(tmp_path) -> None:
    folder = tmp_path / "dt"
    folder.mkdir()
    for name in ("DSC_0100.NEF", "DSC_0200.NEF", "DSC_0200_01.NEF"):
        (folder / name).write_bytes(b"not really a raw file, never opened")
    sidecars = {
        "DSC_0100.NEF.xmp": DARKTABLE_VERSION.format(original="DSC_0100.NEF", version=""),
        "DSC_0100_01.NEF.xmp": DARKTABLE_VERSION.format(original="DSC_0100.NEF", version="bw"),
        "DSC_0100_02.NEF.xmp": DARKTABLE_VERSION.format(original="dsc_0100.nef", version="crop"),
        "DSC_0100_03.NEF.xmp": DARKTABLE_VERSION.format(original="IMG_0100.NEF", version="not ours"),
        "DSC_0200_01.NEF.xmp": DARKTABLE_VERSION.format(original="DSC_0200.NEF", version="a photo's own"),
    }
    for name, text in sidecars.items():
        (folder / name).write_text(text)
    before = {name: (folder / name).read_bytes() for name in sidecars}
    with PhotoIndex.open(tmp_path / "index.db") as index:
        add_photo(index, [folder / "DSC_0100.NEF"], "Colosseum")
        add_photo(index, [folder / "DSC_0200.NEF"], "Petra")
        add_photo(index, [folder / "DSC_0200_01.NEF"], state="unlabelled")
        assert write_all(index).written == 4
        labelled = {name for name in sidecars
                    if "Landmarks|Colosseum" in (fields_of_sidecar((folder / name).read_bytes()).hierarchical or [])}
        assert labelled == {"DSC_0100.NEF.xmp", "DSC_0100_01.NEF.xmp", "DSC_0100_02.NEF.xmp"}
        assert (folder / "DSC_0200_01.NEF.xmp").read_bytes() == before["DSC_0200_01.NEF.xmp"]  # another photo's
        assert (folder / "DSC_0200.NEF.xmp").exists()  # DSC_0200 got its own
        assert undo_last_write(index).failed == 0
    assert {name: (folder / name).read_bytes() for name in sidecars} == before


def test_a_duplicate_of_another_picture_named_in_another_case_gets_nothing(tmp_path) -> None:
    """A case-sensitive disk (ext4, a card read on Linux) holds DSC_0100.NEF and
    dsc_0100.nef, two pictures: darktable's duplicate of the lowercase one is not a
    version of the uppercase one, whose label it must not get."""
    folder = tmp_path / "dt"
    folder.mkdir()
    for name in ("DSC_0100.NEF", "dsc_0100.nef"):
        (folder / name).write_bytes(b"not really a raw file, never opened " + name.encode())
    if (folder / "DSC_0100.NEF").read_bytes() == (folder / "dsc_0100.nef").read_bytes():
        pytest.skip("a case-insensitive disk holds one of the two names only")
    other = folder / "dsc_0100_01.nef.xmp"
    other.write_text(DARKTABLE_VERSION.format(original="dsc_0100.nef", version="bw of the other picture"))
    before = other.read_bytes()
    with PhotoIndex.open(tmp_path / "index.db") as index:
        add_photo(index, [folder / "DSC_0100.NEF"], "Colosseum")
        add_photo(index, [folder / "dsc_0100.nef"], state="unlabelled")
        write_all(index)
    assert other.read_bytes() == before
    assert fields_of_sidecar((folder / "DSC_0100.NEF.xmp").read_bytes()).hierarchical == ["Landmarks|Colosseum"]


def test_a_label_taken_back_takes_our_keyword_out_of_the_duplicates_as_of_the_photos_own_sidecar(tmp_path) -> None:
    """A RAW labelled and written (its sidecar and its duplicate's), then its label taken
    back (`undo --review` deletes the labels row): the next write takes our keyword out of
    both sidecars alike, for that reason (52f4758), keeping darktable's own keyword: no
    duplicate loses the keyword alone, with a reason ("written for the photo it was merged
    into") that is not so, nor keeps one the photo's own sidecar loses."""
    folder = tmp_path / "dt"
    folder.mkdir()
    (folder / "DSC_0100.NEF").write_bytes(b"not really a raw file, never opened")
    duplicate = folder / "DSC_0100_01.NEF.xmp"
    duplicate.write_text(DARKTABLE_VERSION.format(original="DSC_0100.NEF", version="bw"))
    with PhotoIndex.open(tmp_path / "index.db") as index:
        photo_id = add_photo(index, [folder / "DSC_0100.NEF"], "Colosseum")
        assert write_all(index).written == 2
        with index.transaction() as conn:
            conn.execute("DELETE FROM labels WHERE photo_id = ?", (photo_id,))  # as review_journal's restore does
        planned = [item for item in plan_writes(index, "", False, WriteOptions()) if item.changes_anything]
        assert sorted(item.target.name for item in planned) == ["DSC_0100.NEF.xmp", "DSC_0100_01.NEF.xmp"]
        assert all("its label taken back" in item.describe() for item in planned)
        assert write_all(index).written == 2
    for sidecar in (folder / "DSC_0100.NEF.xmp", duplicate):
        assert "Landmarks|Colosseum" not in (fields_of_sidecar(sidecar.read_bytes()).hierarchical or [])
    assert "Rome" in fields_of_sidecar(duplicate.read_bytes()).subject
