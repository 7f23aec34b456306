"""A keyword array held twice under one name, in two top-level rdf:Descriptions (XMP
forbids it; seen after tools merge packets). exiftool shows the last, Adobe's XMP Toolkit
refuses the whole packet (as Exiv2's copy of it does for digiKam and darktable): the write put our keyword into the
first, verified it, and exiftool showed none. Such a file is now refused with the
duplicate's name and how to tidy it; the verification refuses a written packet holding
one; the scan reads no landmark where the two disagree, and a rescan neither rejects nor
keeps a label on one copy's word (it says so, the label left as it is); undo of a file
merged since leaves it alone rather than taking ours out of one of them."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from app.core.metadata import WriteOptions, plan_writes, undo_last_write, write_labels
from app.core.metadata.jpeg_fields import read_fields
from app.core.metadata.read_back import landmark_in_xmp
from app.core.metadata.sidecar import fields_of_sidecar
from app.core.metadata.verify import VerificationError, verify_jpeg, verify_sidecar
from app.core.scanner import scan
from tests.test_metadata_support import add_photo, make_jpeg, require_exiftool, with_xmp_packet, xmp_packet
from tests.test_reject_in_another_tools_layout import labelled_and_written
from tests.test_roundtrip_other_tools import a_raw, saved_later
from tests.test_write_keyword_policy import index  # noqa: F401 (a fixture)


def _description(subject: list[str], hierarchical: list[str]) -> str:
    def bag(values: list[str]) -> str:
        return "<rdf:Bag>" + "".join(f"<rdf:li>{value}</rdf:li>" for value in values) + "</rdf:Bag>"

    return (f'  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            f'xmlns:lr="http://ns.adobe.com/lightroom/1.0/">\n'
            f"   <dc:subject>{bag(subject)}</dc:subject>\n"
            f"   <lr:hierarchicalSubject>{bag(hierarchical)}</lr:hierarchicalSubject>\n"
            "  </rdf:Description>\n")


def merged(first: tuple[list[str], list[str]], second: tuple[list[str], list[str]]) -> bytes:
    """A packet as a tool merging two leaves it: each Description with its own keywords."""
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
            ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            f"{_description(*first)}{_description(*second)}"
            ' </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end="w"?>').encode()


FAMILY_AND_TRIP = merged((["Family"], ["Family"]), (["Trip"], ["Trip"]))


def _file_holding(folder: Path, container: str, packet: bytes) -> tuple[list[Path], Path]:
    """(the photo's files, the file holding its XMP)."""
    folder.mkdir()
    if container == "jpeg":
        photo = with_xmp_packet(make_jpeg(folder / "DSC_0001.jpg"), packet)
        return [photo], photo
    sidecar = folder / "DSC_0001.NEF.xmp"
    sidecar.write_bytes(packet)
    return [a_raw(folder)], sidecar


def _write(index):
    return write_labels(index, plan_writes(index, "", False, WriteOptions()), WriteOptions())


def _exiftool_subject(path: Path):
    tool = require_exiftool()
    out = subprocess.run([tool, "-j", "-XMP:all", "-a", "-G1", str(path)], capture_output=True, check=True).stdout
    return json.loads(out)[0].get("XMP-dc:Subject")


@pytest.mark.parametrize("container", ["jpeg", "sidecar"])
def test_a_write_into_a_keyword_array_held_twice_is_refused_and_leaves_the_file(tmp_path, index, container):
    files, target = _file_holding(tmp_path / "Jordan", container, FAMILY_AND_TRIP)
    add_photo(index, files, "Petra")
    before = target.read_bytes()
    summary = _write(index)  # was: written, Petra in the first dc:subject only, exiftool showing "Trip"
    assert (summary.written, summary.failed) == (0, 1)
    assert "dc:subject more than once" in summary.errors[0][1]
    assert "merge them into one" in summary.errors[0][1]
    assert target.read_bytes() == before
    assert _exiftool_subject(target) == "Trip"  # exiftool's view: untouched, and no success claimed


def test_the_verification_refuses_a_written_jpeg_holding_a_keyword_array_twice(tmp_path):
    """The bytes the write before this fix made: Petra in the first dc:subject; our read
    (the first) and the rest compared both passed."""
    photo = with_xmp_packet(make_jpeg(tmp_path / "a.jpg"), FAMILY_AND_TRIP)
    original = photo.read_bytes()
    with_xmp_packet(photo, merged((["Family", "Petra"], ["Family"]), (["Trip"], ["Trip"])))
    wanted = replace(read_fields(original), subject=["Family", "Petra"])
    assert read_fields(photo.read_bytes()) == wanted
    with pytest.raises(VerificationError, match="dc:subject more than once"):
        verify_jpeg(photo, original, wanted)


def test_the_verification_refuses_a_written_sidecar_holding_a_keyword_array_twice(tmp_path):
    sidecar = tmp_path / "a.NEF.xmp"
    sidecar.write_bytes(merged((["Family", "Petra"], ["Family"]), (["Trip"], ["Trip"])))
    wanted = replace(fields_of_sidecar(FAMILY_AND_TRIP), subject=["Family", "Petra"])
    with pytest.raises(VerificationError, match="dc:subject more than once"):
        verify_sidecar(sidecar, FAMILY_AND_TRIP, wanted)


def test_the_scan_reads_no_landmark_where_the_two_occurrences_disagree():
    first_only = merged((["Petra"], ["Landmarks|Petra"]), (["Trip"], ["Trip"]))
    assert landmark_in_xmp(first_only) is None  # exiftool shows none; was "Petra"
    both = merged((["Petra"], ["Landmarks|Petra"]), (["Petra", "Trip"], ["Landmarks|Petra", "Trip"]))
    assert landmark_in_xmp(both) == "Petra"  # every reader sees it


@pytest.mark.parametrize("container", ["jpeg", "sidecar"])
def test_undo_of_a_file_merged_since_is_refused_and_leaves_it(tmp_path, index, container):
    """Another tool merged a packet holding Petra too into our write's: undo took Petra out
    of the first dc:subject, said it was done, and exiftool still showed it."""
    _, target = labelled_and_written(tmp_path, index, container)
    packet = merged((["Petra"], ["Landmarks|Petra"]), (["Petra", "Trip"], ["Landmarks|Petra", "Trip"]))
    if container == "jpeg":
        with_xmp_packet(target, packet)
    else:
        target.write_bytes(packet)
    saved_later(target)
    before = target.read_bytes()
    summary = undo_last_write(index)
    assert (summary.written, summary.failed) == (0, 1)
    assert "dc:subject more than once" in summary.errors[0][1]
    assert target.read_bytes() == before
    assert b"Landmarks|Petra" in (xmp_packet(before) if container == "jpeg" else before)


@pytest.mark.parametrize("container", ["jpeg", "sidecar"])
@pytest.mark.parametrize("ours", ["last", "first"])
def test_a_rescan_of_a_file_whose_two_copies_disagree_keeps_the_label_and_says_why(tmp_path, index, container, ours):
    """Another tool merged packets after our write: Petra in one Description, Trip in the
    other. Ours last (exiftool shows Petra): the scan read the first, said "removed" and
    rejected the label; ours first (exiftool shows none): it kept it and said nothing."""
    folder = tmp_path / "Jordan"
    folder.mkdir()
    photo = make_jpeg(folder / "DSC_0001.jpg")
    if container == "sidecar":  # a RAW+JPEG pair: the sidecar merged, the JPEG left holding Petra
        (folder / "DSC_0001.NEF").write_bytes(b"raw data")
    scan(index, [folder])
    photo_id = index.search("")[0].id
    index.set_label(photo_id, "Petra", source="user", state="accepted", landmark_id=None, score=None)
    assert _write(index).written == (1 if container == "jpeg" else 2)
    target = photo if container == "jpeg" else folder / "DSC_0001.NEF.xmp"
    petra, trip = (["Petra"], ["Landmarks|Petra"]), (["Trip"], ["Trip"])
    packet = merged(trip, petra) if ours == "last" else merged(petra, trip)
    if container == "jpeg":
        with_xmp_packet(target, packet)
    else:
        target.write_bytes(packet)
    saved_later(target)
    summary = scan(index, [target.parent])
    assert index.conn.execute("SELECT label, state FROM labels WHERE photo_id = ?", (photo_id,)).fetchone() == (
        "Petra", "accepted")
    assert [change["how"] for change in summary.keywords_changed_elsewhere] == ["held twice"]
    assert "removed in another program" not in summary.line()
    notes = [error.message for error in index.errors(path=target)]
    assert len(notes) == 1 and "dc:subject and lr:hierarchicalSubject more than once" in notes[0]
    assert "the photo's label is left as it is: merge them into one in the program that wrote it" in notes[0]
