"""Lightroom's stem sidecar DSC_0001.xmp that names another RAW (crs:RawFileName=
"DSC_0001.CR2", a CR2 this app cannot read, from a second body) beside our DSC_0001.DNG
is the CR2's: nothing of it is read back for the DNG (label, date), nothing is written
into it, and the DNG gets a sidecar of its own (sidecar_owner.names_another_file)."""

from __future__ import annotations

import pytest

from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, write_labels
from app.core.metadata.sidecar import fields_of_sidecar
from app.core.metadata.sidecar_owner import owner_by_files
from app.core.scanner import scan
from tests.test_decode_raw import gray_sensor, green_preview, write_dng

CANON_SIDECAR = """<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.0-c000 1.000000">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
   xmp:CreateDate="2004-11-21T21:29:12"
   crs:RawFileName="{named}"
   crs:Exposure2012="+0.35">
   <dc:subject><rdf:Bag><rdf:li>Italy</rdf:li><rdf:li>Big Ben</rdf:li></rdf:Bag></dc:subject>
   <lr:hierarchicalSubject><rdf:Bag><rdf:li>Landmarks|Big Ben</rdf:li></rdf:Bag></lr:hierarchicalSubject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""


def write(index, naming="ext"):
    options = WriteOptions(sidecar_naming=naming)
    return write_labels(index, plan_writes(index, "", False, options), options)


@pytest.fixture(params=["CR2 there", "CR2 deleted"])
def dng_beside_a_canon_sidecar(tmp_path, request):
    """F/DSC_0001.DNG (no date of its own), Lightroom's DSC_0001.xmp naming DSC_0001.CR2,
    and that CR2 unreadable to us (a camera newer than LibRaw), or deleted since."""
    folder = tmp_path / "F"
    folder.mkdir()
    write_dng(folder / "DSC_0001.DNG", green_preview(), gray_sensor())
    if request.param == "CR2 there":
        (folder / "DSC_0001.CR2").write_bytes(b"II*\x00 a Canon RAW this LibRaw cannot open")
    (folder / "DSC_0001.xmp").write_text(CANON_SIDECAR.format(named="DSC_0001.CR2"))
    return folder


def test_a_stem_sidecar_naming_another_raw_is_not_read_back_for_ours(tmp_path, dng_beside_a_canon_sidecar):
    folder = dng_beside_a_canon_sidecar
    with PhotoIndex.open(tmp_path / "index.db") as index:
        summary = scan(index, [folder])
        (photo,) = index.search("")
    assert photo.path == str(folder / "DSC_0001.DNG")
    assert (photo.label, summary.labels_read) == (None, 0)  # not the Canon picture's "Big Ben"
    assert photo.taken_at is None  # nor its capture time


def test_a_write_leaves_a_stem_sidecar_naming_another_raw_and_makes_ours(tmp_path, dng_beside_a_canon_sidecar):
    folder = dng_beside_a_canon_sidecar
    before = (folder / "DSC_0001.xmp").read_bytes()
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        index.set_label(index.search("")[0].id, "Colosseum")
        summary = write(index)
    assert (summary.written, summary.failed) == (1, 0)
    assert (folder / "DSC_0001.xmp").read_bytes() == before  # Lightroom's "Big Ben" on the CR2 stays
    assert fields_of_sidecar((folder / "DSC_0001.DNG.xmp").read_bytes()).hierarchical == ["Landmarks|Colosseum"]


def test_writing_into_a_stem_sidecar_naming_another_raw_is_refused_naming_it(tmp_path, dng_beside_a_canon_sidecar):
    folder = dng_beside_a_canon_sidecar
    before = (folder / "DSC_0001.xmp").read_bytes()
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        index.set_label(index.search("")[0].id, "Colosseum")
        summary = write(index, naming="stem")
    assert (summary.written, summary.failed) == (0, 1)
    assert summary.errors[0][1].endswith("DSC_0001.xmp is DSC_0001.CR2's sidecar (it names that file); "
                                         "write with --sidecar-naming ext (one sidecar a file) instead")
    assert (folder / "DSC_0001.xmp").read_bytes() == before


def test_the_file_a_stem_sidecar_names_decides_before_the_only_photo(tmp_path):
    sidecar, nef = tmp_path / "DSC_0001.xmp", tmp_path / "DSC_0001.NEF"
    photos = {"nef": [nef]}
    sidecar.write_text(CANON_SIDECAR.format(named="DSC_0001.CR2"))
    assert owner_by_files(sidecar, photos) is None  # the CR2's, there or not
    sidecar.write_text(CANON_SIDECAR.format(named="dsc_0001.nef"))
    assert owner_by_files(sidecar, photos) == "nef"  # ours, in another letter case
    sidecar.write_text(CANON_SIDECAR.format(named="C:\\Photos\\Rome_0001.NEF"))
    assert owner_by_files(sidecar, photos) == "nef"  # renamed with its RAW since: the files tell
    (tmp_path / "Rome_0001.NEF").write_bytes(b"raw")
    assert owner_by_files(sidecar, photos) is None  # that file is there: its own


def test_our_stem_sidecar_stays_ours_after_the_nef_became_a_dng_and_a_new_index_reads_it(tmp_path) -> None:
    """Our DSC_0001.xmp (--sidecar-naming stem) names the NEF it was made for; converted
    to DNG and the NEF deleted, the DNG keeps the photo: our journal shows the sidecar
    ours, so it is written (was refused as "DSC_0001.NEF's sidecar" on every write), and
    then names the DNG, so a new index reads the label back."""
    from app.core.metadata.sidecar_owner import names_in
    from tests.test_raw_pictures_of_one_name import D850, raw
    folder = tmp_path / "trip"
    nef = raw(folder / "DSC_0001.NEF", **D850)
    sidecar = folder / "DSC_0001.xmp"
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        (photo,) = index.search("")
        index.set_label(photo.id, "Colosseum")
        assert write(index, "stem").written == 1
        assert names_in(sidecar) == ["DSC_0001.NEF"]
        raw(folder / "DSC_0001.DNG", **D850)  # Adobe DNG Converter's copy; the NEF deleted
        nef.unlink()
        scan(index, [folder])
        index.set_label(photo.id, "Pantheon")
        summary = write(index, "stem")
        assert (summary.written, summary.failed) == (1, 0)
    assert fields_of_sidecar(sidecar.read_bytes()).hierarchical == ["Landmarks|Pantheon"]
    assert names_in(sidecar) == ["DSC_0001.DNG"]
    with PhotoIndex.open(tmp_path / "new.db") as fresh:
        assert scan(fresh, [folder]).labels_read == 1
        assert [p.label for p in fresh.search("")] == ["Pantheon"]


def test_a_stem_sidecar_naming_a_deleted_raw_that_we_did_not_create_stays_refused(tmp_path) -> None:
    """Lightroom's DSC_0001.xmp of a deleted CR2, which a write of ours (an older version)
    put a label into, is still the CR2's: only a sidecar our write created is ours."""
    folder = tmp_path / "trip"
    folder.mkdir()
    write_dng(folder / "DSC_0001.DNG", green_preview(), gray_sensor())
    sidecar = folder / "DSC_0001.xmp"
    sidecar.write_text(CANON_SIDECAR.format(named="DSC_0001.CR2"))
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        (photo,) = index.search("")
        index.set_label(photo.id, "Colosseum")
        with index.transaction() as conn:  # as an older version's write into it recorded it
            conn.execute("INSERT INTO write_batches (id, started_at, finished_at, status) VALUES (99, '2026-01-01T00:00:00', '2026-01-01T00:00:01', 'done')")
            conn.execute("INSERT INTO write_journal (batch_id, photo_id, path, kind, before, after) "
                         "VALUES (99, ?, ?, 'sidecar', '{\"fields\": {}, \"text\": \"\"}', '{}')",
                         (photo.id, str(sidecar)))
        before = sidecar.read_bytes()
        summary = write(index, "stem")
        assert (summary.written, summary.failed) == (0, 1)
    assert sidecar.read_bytes() == before
