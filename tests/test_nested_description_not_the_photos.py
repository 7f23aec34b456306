"""An rdf:Description nested in a property (an xmpMM:Pantry item: the metadata of a file
InDesign or Illustrator placed) describes that file, not the photo. The app took the
pantry's dc:subject [LogoAsset] for the photo's: the label went into it, never into the
photo's own dc:subject, "LogoAsset" was copied into the photo's lr:hierarchicalSubject,
and with no top-level dc:subject none was ever made (review12 F1). Only the top-level
Descriptions, children of rdf:RDF, are the photo's; the pantry stays as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.metadata.jpeg_fields import read_fields
from app.core.metadata.sidecar import fields_of_sidecar
from app.core.metadata.xmp import DC, LR, XmpDocument
from tests.test_metadata_support import add_photo, make_jpeg, with_xmp_packet, xmp_packet
from tests.test_roundtrip_other_tools import a_raw
from tests.test_write_keyword_policy import index, write_all  # noqa: F401 (index: a fixture)

PANTRY = """  <rdf:Description rdf:about="" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">
   <xmpMM:Pantry><rdf:Bag><rdf:li><rdf:Description xmpMM:InstanceID="uuid:1" xmlns:dc="http://purl.org/dc/elements/1.1/">
     <dc:subject><rdf:Bag><rdf:li>LogoAsset</rdf:li></rdf:Bag></dc:subject>
   </rdf:Description></rdf:li></rdf:Bag></xmpMM:Pantry>
  </rdf:Description>
"""
PHOTOS_OWN = """  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:subject><rdf:Bag><rdf:li>Family</rdf:li></rdf:Bag></dc:subject>
  </rdf:Description>
"""


def packet(with_photos_own_subject: bool) -> bytes:
    """The pantry first (as the old nested form has it), then the photo's dc:subject or nothing."""
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
{PANTRY}{PHOTOS_OWN if with_photos_own_subject else ""} </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()


def _labelled_and_written(tmp_path: Path, index, container: str, xmp: bytes) -> Path:
    """A photo whose XMP is `xmp`, labelled Petra and written: the file holding its XMP."""
    folder = tmp_path / "Jordan"
    folder.mkdir()
    if container == "jpeg":
        target = make_jpeg(folder / "DSC_0001.jpg")
        with_xmp_packet(target, xmp)
        files = [target]
    else:
        files = [a_raw(folder)]
        target = folder / "DSC_0001.NEF.xmp"
        target.write_bytes(xmp)
    add_photo(index, files, "Petra")
    assert write_all(index).written == 1
    return target


def _xmp_of(target: Path) -> bytes:
    return xmp_packet(target.read_bytes()) if target.suffix.lower() == ".jpg" else target.read_bytes()


def _pantry_subject(xmp: bytes) -> list[str]:
    """The pantry item's dc:subject, read from the nested Description itself."""
    doc = XmpDocument.parse(xmp)
    nested = [d for top in doc.descriptions() for d in top.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description")
              if d is not top]
    assert len(nested) == 1
    return [li.text for li in nested[0].iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}li")]


@pytest.mark.parametrize("container", ["jpeg", "sidecar"])
@pytest.mark.parametrize("photos_own", [True, False], ids=["pantry_first", "nested_only"])
def test_the_label_goes_into_the_photos_own_keywords_and_the_pantry_stays(tmp_path, index, container, photos_own):
    target = _labelled_and_written(tmp_path, index, container, packet(photos_own))
    doc = XmpDocument.parse(_xmp_of(target))
    assert doc.get_bag(DC, "subject") == (["Family", "Petra"] if photos_own else ["Petra"])
    assert "LogoAsset" not in (doc.get_bag(LR, "hierarchicalSubject") or [])
    assert "Landmarks|Petra" in doc.get_bag(LR, "hierarchicalSubject")
    assert _pantry_subject(_xmp_of(target)) == ["LogoAsset"]


@pytest.mark.parametrize("photos_own", [True, False], ids=["pantry_first", "nested_only"])
def test_a_scan_does_not_read_the_pantrys_keywords_as_the_photos(tmp_path, photos_own):
    expected = ["Family"] if photos_own else None
    assert fields_of_sidecar(packet(photos_own)).subject == expected
    photo = make_jpeg(tmp_path / "a.jpg")
    with_xmp_packet(photo, packet(photos_own))
    assert read_fields(photo.read_bytes()).subject == expected


def test_an_rdf_root_one_wrapper_deeper_is_still_the_photos() -> None:
    """x:xmpmeta > a wrapper > rdf:RDF: its Descriptions are the photo's (before 4ae8241 they
    were read; that commit looked for rdf:RDF only at the top, so no keyword was found and a
    write said "XMP has no rdf:Description to hold keywords", review15 F2)."""
    wrapped = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<x:wrap>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
{own}</rdf:RDF>
</x:wrap>
</x:xmpmeta>
<?xpacket end="w"?>""".format(own=PHOTOS_OWN).encode()
    document = XmpDocument.parse(wrapped)
    assert len(document.descriptions()) == 1
    assert document.get_bag(DC, "subject") == ["Family"]
    document.set_bag(DC, "subject", ["Family", "Petra"])
    assert XmpDocument.parse(document.serialize()).get_bag(DC, "subject") == ["Family", "Petra"]


def test_a_wrapper_around_rdf_keeps_its_closing_tag_when_written() -> None:
    """rdf:RDF inside a wrapper that is not x:xmpmeta: a write cut the text after rdf:RDF down
    to the end marker, dropping `</meta>`, so the sidecar was no longer XML (review15 F1)."""
    wrapped = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<meta>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
{own}</rdf:RDF>
</meta>
<?xpacket end="w"?>""".format(own=PHOTOS_OWN).encode()
    document = XmpDocument.parse(wrapped)
    document.set_bag(DC, "subject", ["Family", "Petra"])
    written = document.serialize(padding=300).decode("utf-8")
    assert "</meta>" in written and written.rstrip().endswith('<?xpacket end="w"?>')
    body = written[written.index("<meta>"): written.index("<?xpacket end")]
    import xml.etree.ElementTree as ET
    ET.fromstring(body)  # well-formed again
    assert XmpDocument.parse(written).get_bag(DC, "subject") == ["Family", "Petra"]
