"""Rejecting a label whose keyword another program kept or laid out anew. A JPEG whose
XMP exiftool had rewritten, holding digiKam:TagsList `Landmarks/Petra` (digiKam's mirror
of ours), could not be rejected: the dry run said "1 file would change", the write
"XMP properties other than the keywords … changed", as the verification kept an emptied
TagsList present in the original while the write took it out. Each keyword field we
write, emptied by a reject, now verifies in the layouts of exiftool, Lightroom, digiKam
and darktable, in a JPEG and in a sidecar; a real change of another property still fails."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from app.core.metadata.jpeg_fields import apply_fields, read_fields
from app.core.metadata.sidecar import fields_of_sidecar
from app.core.metadata.verify import VerificationError, verify_jpeg
from app.core.metadata.xmp import XmpDocument
from app.core.scanner import scan
from tests.test_metadata_support import (add_photo, edited_by_another_program, make_jpeg, require_exiftool,
                                         with_xmp_packet, xmp_packet)
from tests.test_roundtrip_other_tools import a_raw, saved_later
from tests.test_write_keyword_policy import index, write_all  # noqa: F401 (index: a fixture)

FIELDS = ("subject", "hierarchical", "digikam", "microsoft", "taught")
OURS = {"subject": "Petra", "hierarchical": "Landmarks|Petra", "digikam": "Landmarks/Petra",
        "microsoft": "Landmarks/Petra", "taught": "Petra"}
USERS = {"subject": "Family", "hierarchical": "Family", "digikam": "Family", "microsoft": "Family"}
# exiftool's names, for the fields it knows (it keeps our Teaches as it found it)
XMP = "http://ns.adobe.com/xap/1.0/"
EXIFTOOL_TAGS = {"subject": "XMP-dc:Subject", "hierarchical": "XMP-lr:HierarchicalSubject",
                 "digikam": "XMP-digiKam:TagsList", "microsoft": "XMP-microsoft:LastKeywordXMP"}


def holding(emptied: str) -> dict[str, list[str]]:
    """Each field as the other program leaves it: `emptied` with our keyword alone, the
    others with the user's beside ours (our Teaches holds ours alone, and empties too)."""
    return {name: ([OURS[name]] if name == emptied or name == "taught" else [USERS[name], OURS[name]])
            for name in FIELDS}


def _array(tag: str, kind: str, values: list[str], indent: str = "   ") -> str:
    items = "".join(f"{indent}  <rdf:li>{value}</rdf:li>\n" for value in values)
    return f"{indent}<{tag}>\n{indent} <rdf:{kind}>\n{items}{indent} </rdf:{kind}>\n{indent}</{tag}>\n"


def _arrays(fields: dict[str, list[str]]) -> str:
    return "".join(_array(tag, kind, fields[name]) for name, tag, kind in (
        ("subject", "dc:subject", "Bag"), ("hierarchical", "lr:hierarchicalSubject", "Bag"),
        ("digikam", "digiKam:TagsList", "Seq"), ("microsoft", "MicrosoftPhoto:LastKeywordXMP", "Bag"),
        ("taught", "landmarkTagger:Teaches", "Bag")))


NAMESPACES = """    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmlns:digiKam="http://www.digikam.org/ns/1.0/"
    xmlns:MicrosoftPhoto="http://ns.microsoft.com/photo/1.0/"
    xmlns:landmarkTagger="http://ns.landmark-tagger.org/xmp/1.0/"
"""


def lightroom_packet(fields: dict[str, list[str]]) -> bytes:
    """One rdf:Description, simple properties as attributes (Adobe XMP Core)."""
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.0-c000 1.000000">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
{NAMESPACES}    xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/"
   xmp:Rating="3"
   crs:Exposure2012="+1.00">
{_arrays(fields)}  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()


def digikam_packet(fields: dict[str, list[str]]) -> bytes:
    """digiKam's (Exiv2's) layout: one rdf:Description, its colour label an attribute."""
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
{NAMESPACES}   xmp:Rating="3"
   digiKam:ColorLabel="4">
{_arrays(fields)}  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()


def darktable_packet(fields: dict[str, list[str]]) -> bytes:
    """darktable's layout (Exiv2's, with its history stack and DerivedFrom)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
{NAMESPACES}    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:darktable="http://darktable.sf.net/"
   xmp:Rating="3"
   xmpMM:DerivedFrom="DSC_0001.NEF"
   darktable:xmp_version="5"
   darktable:history_end="1">
   <darktable:history>
    <rdf:Seq>
     <rdf:li darktable:operation="exposure" darktable:enabled="1" darktable:params="0000"/>
    </rdf:Seq>
   </darktable:history>
{_arrays(fields)}  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
""".encode()


def exiftool_rewrites(path: Path, fields: dict[str, list[str]]) -> None:
    """exiftool sets the fields it knows, laying the whole packet out anew: one
    rdf:Description per namespace, our Teaches kept in one of its own."""
    tool = require_exiftool()
    args = [f"-{tag}={value}" for name, tag in EXIFTOOL_TAGS.items() for value in fields[name]]
    subprocess.run([tool, "-q", "-overwrite_original", "-XMP-xmp:Rating=3", *args, str(path)], check=True)


def _xmp_file(path: Path) -> bytes:
    return xmp_packet(path.read_bytes()) if path.suffix.lower() == ".jpg" else path.read_bytes()


def saved_by(tool: str, path: Path, fields: dict[str, list[str]]) -> None:
    """`path` (a JPEG or a sidecar) as `tool` saves it after our write, holding `fields`."""
    if tool == "exiftool":
        exiftool_rewrites(path, fields)
    else:
        packet = {"lightroom": lightroom_packet, "digikam": digikam_packet, "darktable": darktable_packet}[tool](fields)
        if path.suffix.lower() == ".jpg":
            with_xmp_packet(path, packet)
        else:
            path.write_bytes(packet)
    saved_later(path)


def labelled_and_written(tmp_path: Path, index, container: str) -> tuple[int, Path]:
    """A photo labelled Petra and written: (its id, the file holding its XMP)."""
    folder = tmp_path / "Jordan"
    folder.mkdir()
    if container == "jpeg":
        files = [make_jpeg(folder / "DSC_0001.jpg")]
    else:
        files = [a_raw(folder)]
    photo_id = add_photo(index, files, "Petra")
    assert write_all(index).written == 1
    target = files[0] if container == "jpeg" else folder / "DSC_0001.NEF.xmp"
    assert target.is_file()
    return photo_id, target


@pytest.mark.parametrize("container", ["jpeg", "sidecar"])
@pytest.mark.parametrize("tool", ["exiftool", "lightroom", "digikam", "darktable"])
@pytest.mark.parametrize("emptied", ["subject", "hierarchical", "digikam", "microsoft", "taught"])
def test_a_reject_takes_our_last_keyword_out_of_a_field_another_tool_laid_out(tmp_path, index, container, tool, emptied):
    photo_id, target = labelled_and_written(tmp_path, index, container)
    saved_by(tool, target, holding(emptied))
    scan(index, [target.parent])
    index.set_state([photo_id], "rejected")
    summary = write_all(index)  # was "XMP properties other than the keywords … changed"
    assert (summary.written, summary.failed) == (1, 0)
    fields = read_fields(target.read_bytes()) if container == "jpeg" else fields_of_sidecar(target.read_bytes())
    assert getattr(fields, emptied) is None  # the field we emptied is taken out
    for name in set(USERS) - {emptied}:
        assert getattr(fields, name) == [USERS[name]]  # ours out, the user's kept
    assert XmpDocument.parse(_xmp_file(target)).get_text(XMP, "Rating") == "3"  # the tool's own kept


def test_a_write_taking_a_tag_list_out_still_fails_when_another_property_changed(tmp_path):
    """The check still compares everything else once it leaves the emptied TagsList out
    of both packets."""
    photo = make_jpeg(tmp_path / "a.jpg")
    with_xmp_packet(photo, digikam_packet(holding("digikam")))
    original = photo.read_bytes()
    current = read_fields(original)
    wanted = replace(current, subject=["Family"], hierarchical=["Family"], digikam=None,
                     microsoft=["Family"], taught=None)
    photo.write_bytes(apply_fields(original, wanted))
    verify_jpeg(photo, original, wanted)  # the write alone verifies
    edited_by_another_program(photo, "Rating", "5")  # xmp:Rating 3 becomes 5 beside it
    with pytest.raises(VerificationError, match="other than the keywords"):
        verify_jpeg(photo, original, wanted)
