"""A label holding "/" ("AC/DC Tower") goes into digiKam's TagsList as `Landmarks/AC|DC Tower`
(a "/" there would add a level) and into lr:hierarchicalSubject as `Landmarks|AC/DC Tower`.
Read back, the scan split a moved tag path at every sign, `Places/AC|DC Tower` mirrored by
digiKam as `Places|AC|DC Tower` reading "DC Tower": the keyword was "removed" and the label
rejected. Now the label's last levels are compared whole, whichever sign split them."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.metadata import plan_writes
from app.core.metadata.jpeg_fields import apply_fields, read_fields
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.sidecar import fields_of_sidecar
from app.core.metadata.verify import exiftool_fields
from app.core.scanner import scan
from tests.test_metadata_support import as_list, make_jpeg, require_exiftool
from tests.test_roundtrip_other_tools import saved_later
from tests.test_write_digikam import digikam_packet, jpeg_with_xmp
from tests.test_write_keyword_policy import index, write_all  # noqa: F401 (index: a fixture)

LABEL = "AC/DC Tower"


def _written(tmp_path: Path, index) -> tuple[Path, Path]:
    """(a JPEG digiKam tagged, the sidecar digiKam made for a RAW+JPEG pair), both photos
    labelled "AC/DC Tower" and written by our writer."""
    folder = tmp_path / "Vienna"
    folder.mkdir()
    jpeg = jpeg_with_xmp(folder / "IMG_0001.JPG", digikam_packet(["People/Anna"]))
    make_jpeg(folder / "DSC_0002.JPG")
    (folder / "DSC_0002.NEF").write_bytes(b"raw data")
    sidecar = folder / "DSC_0002.NEF.xmp"
    sidecar.write_text(digikam_packet(["People/Anna"], sidecar=True), encoding="utf-8")
    scan(index, [folder])
    for row in index.search(""):
        index.set_label(row.id, LABEL, source="user", state="accepted")
    write_all(index)
    for fields in (read_fields(jpeg.read_bytes()), fields_of_sidecar(sidecar.read_bytes())):
        assert fields.digikam == ["People/Anna", "Landmarks/AC|DC Tower"]
        assert fields.hierarchical == ["People|Anna", "Landmarks|AC/DC Tower"]
    return jpeg, sidecar


def _labels_stay(index, folder: Path) -> None:
    summary = scan(index, [folder])
    assert summary.keywords_changed_elsewhere == []
    assert {(row.label, row.state) for row in index.search("")} == {(LABEL, "accepted")}
    assert [item.target.name for item in plan_writes(index) if item.held or item.rejected] == []


def test_a_label_with_a_slash_written_into_digikams_tags_round_trips_through_a_scan(tmp_path, index):
    jpeg, sidecar = _written(tmp_path, index)
    for path in (jpeg, sidecar):
        saved_later(path)  # saved again by digiKam, our keywords as they are
    _labels_stay(index, jpeg.parent)


MOVED_IN_DIGIKAM = {
    # the tag moved under Places; TagsList alone (the other fields not written)
    "TagsList": {"digikam": ["People/Anna", "Places/AC|DC Tower"]},
    # digiKam's mirror of it in lr:hierarchicalSubject, "|" for its "/"
    "its hierarchy mirror": {"hierarchical": ["People|Anna", "Places|AC|DC Tower"]},
    # a tool that copied lr:hierarchicalSubject into TagsList, "|" made "/"
    "a copied hierarchy": {"digikam": ["People/Anna", "Places/AC/DC Tower"]},
}


@pytest.mark.parametrize("layout", list(MOVED_IN_DIGIKAM))
def test_a_slash_label_moved_under_another_tag_is_still_there(tmp_path, index, layout):
    jpeg, sidecar = _written(tmp_path, index)
    kept = {"subject": None, "hierarchical": None, "digikam": None, **MOVED_IN_DIGIKAM[layout]}
    fields = read_fields(jpeg.read_bytes())
    jpeg.write_bytes(apply_fields(jpeg.read_bytes(), KeywordFields(**{**vars(fields), **kept})))
    tags = {"digikam": "digiKam:TagsList", "hierarchical": "lr:hierarchicalSubject"}
    text = sidecar.read_text(encoding="utf-8")
    for name, values in MOVED_IN_DIGIKAM[layout].items():
        ours = "Landmarks/AC|DC Tower" if name == "digikam" else "Landmarks|AC/DC Tower"
        assert ours in text, tags[name]
        text = text.replace(f"<rdf:li>{ours}</rdf:li>", f"<rdf:li>{values[-1]}</rdf:li>")
    for other in {"digikam", "hierarchical"} - set(MOVED_IN_DIGIKAM[layout]):  # dropped, as in the JPEG
        text = text.replace("<rdf:li>Landmarks/AC|DC Tower</rdf:li>" if other == "digikam"
                            else "<rdf:li>Landmarks|AC/DC Tower</rdf:li>", "")
    sidecar.write_text(text.replace("<rdf:li>AC/DC Tower</rdf:li>", ""), encoding="utf-8")
    for path in (jpeg, sidecar):
        saved_later(path)
    _labels_stay(index, jpeg.parent)


def test_exiftool_reads_the_slash_label_as_written(tmp_path, index):
    require_exiftool()
    jpeg, sidecar = _written(tmp_path, index)
    for path in (jpeg, sidecar):
        fields = exiftool_fields(path)
        assert as_list(fields["XMP-digiKam:TagsList"]) == ["People/Anna", "Landmarks/AC|DC Tower"]
        assert as_list(fields["XMP-lr:HierarchicalSubject"]) == ["People|Anna", "Landmarks|AC/DC Tower"]
