"""Keywords with qualifiers or a language (valid XMP another tool may write) keep their
element, attributes and qualifiers through a write, the dry run shows them by their
rdf:value, and the check after the write notices one that lost them."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.metadata import plan_writes, undo_last_write
from app.core.metadata.jpeg_fields import apply_fields, read_fields
from app.core.metadata.jpeg_segments import XMP_HEADER, parse_jpeg
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.sidecar import fields_of_sidecar, render_sidecar
from app.core.metadata.verify import VerificationError, verify_jpeg, verify_sidecar
from app.core.metadata.xmp import DC, XmpDocument
from tests.test_metadata_support import add_photo
from tests.test_write_digikam import jpeg_with_xmp
from tests.test_write_keyword_policy import index, write_all  # noqa: F401 (index: a fixture)

QUALIFIED = '<rdf:li rdf:parseType="Resource"><rdf:value>Rome</rdf:value><ai:confidence>0.9</ai:confidence></rdf:li>'
LANGUAGE = '<rdf:li xml:lang="it">Roma</rdf:li>'
PACKET = (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:ai="http://example.com/ai/">'
    f"<dc:subject><rdf:Bag>{QUALIFIED}{LANGUAGE}<rdf:li>Plain</rdf:li></rdf:Bag></dc:subject>"
    '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


def qualified_jpeg(path: Path, packet: str = PACKET) -> Path:
    """A JPEG whose dc:subject holds the items of `packet` (by default: qualified, in Italian, plain)."""
    return jpeg_with_xmp(path, packet)


def xmp_text(data: bytes) -> str:
    return parse_jpeg(data).first("xmp").payload[len(XMP_HEADER) :].decode("utf-8")


@pytest.mark.parametrize("item", [
    QUALIFIED,
    '<rdf:li><rdf:Description><rdf:value>Rome</rdf:value><ai:confidence>0.9</ai:confidence></rdf:Description></rdf:li>',
    '<rdf:li><rdf:Description rdf:value="Rome" ai:confidence="0.9"/></rdf:li>',
    '<rdf:li rdf:value="Rome" ai:confidence="0.9"/>',
])
def test_an_item_with_qualifiers_reads_as_its_rdf_value(item: str) -> None:
    doc = XmpDocument.parse(PACKET.replace(QUALIFIED, item))
    assert doc.get_bag(DC, "subject") == ["Rome", "Roma", "Plain"]


def test_a_write_keeps_items_with_qualifiers_and_languages_and_undo_gives_the_file_back(tmp_path, index):
    photo = qualified_jpeg(tmp_path / "a.jpg")
    original = photo.read_bytes()
    add_photo(index, [photo], "Trevi Fountain")
    [item] = plan_writes(index)
    assert item.before.subject == ["Rome", "Roma", "Plain"]
    assert 'keywords "Rome", "Roma", "Plain" -> "Rome", "Roma", "Plain", "Trevi Fountain"' in item.describe()
    write_all(index)
    packet = xmp_text(photo.read_bytes())
    assert QUALIFIED in packet and LANGUAGE in packet and "<ai:confidence>" in packet
    assert read_fields(photo.read_bytes()).subject == ["Rome", "Roma", "Plain", "Trevi Fountain"]
    assert undo_last_write(index).written == 1
    assert photo.read_bytes() == original


def test_a_relabel_takes_out_our_keyword_and_keeps_the_qualified_ones(tmp_path, index):
    photo = qualified_jpeg(tmp_path / "a.jpg")
    photo_id = add_photo(index, [photo], "Trevi Fountain")
    write_all(index)
    index.set_label(photo_id, "Pantheon")
    write_all(index)
    packet = xmp_text(photo.read_bytes())
    assert QUALIFIED in packet and LANGUAGE in packet and "Trevi Fountain" not in packet
    assert read_fields(photo.read_bytes()).subject == ["Rome", "Roma", "Plain", "Pantheon"]


def test_verification_notices_a_qualified_item_that_lost_its_qualifiers(tmp_path) -> None:
    photo = qualified_jpeg(tmp_path / "a.jpg")
    original = photo.read_bytes()
    wanted = read_fields(original)
    wanted = KeywordFields(wanted.subject + ["Trevi Fountain"], ["Landmarks|Trevi Fountain"], None, None)
    written = apply_fields(original, wanted)
    photo.write_bytes(written)
    verify_jpeg(photo, original, wanted)  # our own write passes
    for stripped in (QUALIFIED, LANGUAGE):
        plain = "<rdf:li>" + ("Rome" if stripped == QUALIFIED else "Roma") + "</rdf:li>"
        broken = qualified_jpeg(tmp_path / "b.jpg", PACKET.replace(stripped, plain))
        broken.write_bytes(apply_fields(broken.read_bytes(), wanted))
        assert read_fields(broken.read_bytes()) == wanted  # the values alone read back as written
        with pytest.raises(VerificationError, match="qualifiers"):
            verify_jpeg(broken, original, wanted)


def test_a_sidecar_keeps_qualified_items_and_its_check_notices_one_stripped(tmp_path) -> None:
    sidecar = tmp_path / "DSC_0001.NEF.xmp"
    existing = PACKET.encode("utf-8")
    wanted = KeywordFields(["Rome", "Roma", "Plain", "Trevi Fountain"], ["Landmarks|Trevi Fountain"])
    written = render_sidecar(existing, wanted)
    assert QUALIFIED.encode() in written and LANGUAGE.encode() in written
    sidecar.write_bytes(written)
    verify_sidecar(sidecar, existing, wanted)
    sidecar.write_bytes(render_sidecar(PACKET.replace(LANGUAGE, "<rdf:li>Roma</rdf:li>").encode(), wanted))
    assert fields_of_sidecar(sidecar.read_bytes()).subject == wanted.subject
    with pytest.raises(VerificationError, match="qualifiers"):
        verify_sidecar(sidecar, existing, wanted)
