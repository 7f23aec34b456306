"""Windows' LastKeywordXMP in both spellings of its namespace: Windows' own
(`http://ns.microsoft.com/photo/1.0/`, the one Windows reads) and exiftool's (without the
slash), each holding another program's tags. A reject + write deleted the second list
with "People/Alice" in it (review10 F2), and where the reject emptied the first it
deleted both, the verification passing it (F1). The write now changes only the list it
reads (the first) and keeps the other as it is; one that would take the first out, leaving
the other read in its place, is refused; and the verification refuses a write that drops
either list."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.core.metadata import WriteOptions, plan_writes, write_labels
from app.core.metadata.jpeg_fields import apply_fields, read_fields
from app.core.metadata.sidecar import fields_of_sidecar
from app.core.metadata.verify import VerificationError, verify_jpeg, verify_sidecar
from app.core.metadata.xmp import XmpDocument
from app.core.scanner import scan
from tests.test_metadata_support import make_jpeg, with_xmp_packet, xmp_packet
from tests.test_reject_in_another_tools_layout import labelled_and_written
from tests.test_roundtrip_other_tools import saved_later
from tests.test_write_keyword_policy import index, write_all  # noqa: F401 (index: a fixture)

WINDOWS, EXIFTOOL = "http://ns.microsoft.com/photo/1.0/", "http://ns.microsoft.com/photo/1.0"


def _list(prefix: str, values: list[str]) -> str:
    items = "".join(f"<rdf:li>{value}</rdf:li>" for value in values)
    return f"   <{prefix}:LastKeywordXMP><rdf:Bag>{items}</rdf:Bag></{prefix}:LastKeywordXMP>\n"


def packet(windows: list[str], exiftool: list[str]) -> bytes:
    """Our keywords and both LastKeywordXMP lists, as another program left them."""
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/" xmlns:MicrosoftPhoto="{WINDOWS}" xmlns:MP1="{EXIFTOOL}">
   <dc:subject><rdf:Bag><rdf:li>Petra</rdf:li></rdf:Bag></dc:subject>
   <lr:hierarchicalSubject><rdf:Bag><rdf:li>Landmarks|Petra</rdf:li></rdf:Bag></lr:hierarchicalSubject>
{_list("MicrosoftPhoto", windows)}{_list("MP1", exiftool)}  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()


def _xmp_of(target: Path) -> bytes:
    return xmp_packet(target.read_bytes()) if target.suffix.lower() == ".jpg" else target.read_bytes()


def _saved(target: Path, xmp: bytes) -> None:
    if target.suffix.lower() == ".jpg":
        with_xmp_packet(target, xmp)
    else:
        target.write_bytes(xmp)
    saved_later(target)


def _exiftool_list(xmp: bytes) -> bytes:
    """The second list's element, as bytes."""
    start = xmp.index(b"<MP1:LastKeywordXMP>")
    return xmp[start : xmp.index(b"</MP1:LastKeywordXMP>") + len(b"</MP1:LastKeywordXMP>")]


def _rejected(tmp_path: Path, index, container: str, windows: list[str], exiftool: list[str]):
    photo_id, target = labelled_and_written(tmp_path, index, container)
    _saved(target, packet(windows, exiftool))
    scan(index, [target.parent])
    index.set_state([photo_id], "rejected")
    before = target.read_bytes()
    return target, before, write_labels(index, plan_writes(index, "", False, WriteOptions()), WriteOptions())


@pytest.mark.parametrize("container", ["jpeg", "sidecar"])
def test_a_reject_keeps_the_list_under_the_other_spelling_as_it_is(tmp_path, index, container):
    """review10 F2: the second list, [People/Alice], went out with the write."""
    target, before, summary = _rejected(tmp_path, index, container, ["Family", "Landmarks/Petra"], ["People/Alice"])
    assert (summary.written, summary.failed) == (1, 0)
    doc = XmpDocument.parse(_xmp_of(target))
    assert doc.get_bag(WINDOWS, "LastKeywordXMP") == ["Family"]  # ours out of the list Windows reads
    assert _exiftool_list(_xmp_of(target)) == _exiftool_list(_xmp_of_bytes(before, container))  # byte for byte


def _xmp_of_bytes(data: bytes, container: str) -> bytes:
    return xmp_packet(data) if container == "jpeg" else data


@pytest.mark.parametrize("container", ["jpeg", "sidecar"])
def test_a_reject_emptying_the_first_list_is_refused_and_leaves_both(tmp_path, index, container):
    """review10 F1: the first list held our keyword alone; the write took both lists
    out, "People/Alice" with them, and verified."""
    target, before, summary = _rejected(tmp_path, index, container, ["Landmarks/Petra"],
                                        ["People/Alice", "Landmarks/Petra"])
    assert (summary.written, summary.failed) == (0, 1)
    assert "LastKeywordXMP more than once" in summary.errors[0][1]
    assert target.read_bytes() == before
    assert b"People/Alice" in _xmp_of(target)


def _both_lists_dropped(xmp: bytes) -> bytes:
    """The packet as the write before this fix left it: every LastKeywordXMP gone."""
    doc = XmpDocument.parse(xmp)
    for description in doc.descriptions():
        for uri in (WINDOWS, EXIFTOOL):
            for found in description.findall(f"{{{uri}}}LastKeywordXMP"):
                description.remove(found)
    return doc.serialize()


def _second_list_dropped(xmp: bytes) -> bytes:
    doc = XmpDocument.parse(xmp)
    for description in doc.descriptions():
        for found in description.findall(f"{{{EXIFTOOL}}}LastKeywordXMP"):
            description.remove(found)
    return doc.serialize()


@pytest.mark.parametrize("story", ["emptied", "kept"])
def test_the_verification_refuses_a_jpeg_write_that_dropped_the_other_list(tmp_path, story):
    """Both stories' bytes as the write before this fix made them: the emptied first list
    out with the second (F1), the kept first list without the second (F2)."""
    photo = make_jpeg(tmp_path / "a.jpg")
    windows = ["Landmarks/Petra"] if story == "emptied" else ["Family", "Landmarks/Petra"]
    with_xmp_packet(photo, packet(windows, ["People/Alice", "Landmarks/Petra"]))
    original = photo.read_bytes()
    wanted = replace(read_fields(original), subject=None, hierarchical=None,
                     microsoft=None if story == "emptied" else ["Family"])
    written = apply_fields(original, replace(wanted, microsoft=["Family"] if story == "kept" else []))
    drop = _second_list_dropped if story == "kept" else _both_lists_dropped
    with_xmp_packet(photo, drop(xmp_packet(written)))
    assert read_fields(photo.read_bytes()) == wanted  # the keywords read back as wanted
    with pytest.raises(VerificationError, match="other than the keywords"):
        verify_jpeg(photo, original, wanted)


def test_the_verification_refuses_a_sidecar_write_that_dropped_the_other_list(tmp_path):
    sidecar = tmp_path / "a.NEF.xmp"
    original = packet(["Family", "Landmarks/Petra"], ["People/Alice"])
    wanted = replace(fields_of_sidecar(original), subject=None, hierarchical=None, microsoft=["Family"])
    doc = XmpDocument.parse(original)
    doc.set_bag("http://purl.org/dc/elements/1.1/", "subject", None)
    doc.set_bag("http://ns.adobe.com/lightroom/1.0/", "hierarchicalSubject", None)
    doc.set_bag(WINDOWS, "LastKeywordXMP", ["Family"])
    sidecar.write_bytes(doc.serialize())
    verify_sidecar(sidecar, original, wanted)  # the write as it is now verifies
    sidecar.write_bytes(_second_list_dropped(doc.serialize()))
    with pytest.raises(VerificationError, match="other XMP properties"):
        verify_sidecar(sidecar, original, wanted)
