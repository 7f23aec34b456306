"""The file layer of metadata writing: JPEG segments, XMP bags, IPTC keywords,
EXIF XPKeywords, the keyword policy, sidecars and the atomic replace."""

from __future__ import annotations

import errno
import hashlib
import os
from dataclasses import replace

import piexif
import pytest

from app.core.errors import MetadataWriteError, UsageError
from app.core.metadata import atomic, iptc
from app.core.metadata.exif_keywords import decode_xp_keywords, encode_xp_keywords, read_xp_keywords, set_xp_keywords
from app.core.metadata.jpeg_fields import apply_fields, read_fields, restore_segments, shift_mpf_offsets
from app.core.metadata.jpeg_segments import APP13, PHOTOSHOP_HEADER, XMP_HEADER, JpegFormatError, Segment, build_jpeg, parse_jpeg, scan_data
from app.core.metadata.keywords import KeywordFields, label_fields
from app.core.metadata.sidecar import render_sidecar, sidecar_path
from app.core.metadata.xmp import DC, LR, XmpDocument
from tests.test_metadata_support import make_jpeg

LIGHTROOM_SIDECAR = """<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.0-c000 1.000000">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
   xmp:Rating="4"
   crs:Exposure2012="+0.35"
   crs:WhiteBalance="As Shot">
   <dc:subject>
    <rdf:Bag>
     <rdf:li>holiday</rdf:li>
     <rdf:li>Marseille</rdf:li>
    </rdf:Bag>
   </dc:subject>
   <crs:ToneCurvePV2012>
    <rdf:Seq>
     <rdf:li>0, 0</rdf:li>
     <rdf:li>255, 255</rdf:li>
    </rdf:Seq>
   </crs:ToneCurvePV2012>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""

DARKTABLE_SIDECAR = """<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:darktable="http://darktable.sf.net/"
    darktable:xmp_version="5"
    darktable:history_end="2">
   <darktable:history>
    <rdf:Seq>
     <rdf:li darktable:operation="exposure" darktable:enabled="1" darktable:params="0000"/>
    </rdf:Seq>
   </darktable:history>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""


# -- JPEG segments ---------------------------------------------------------------


def test_parse_and_rebuild_gives_the_same_bytes(tmp_path):
    data = make_jpeg(tmp_path / "a.jpg").read_bytes()
    layout = parse_jpeg(data)
    assert layout.first("exif") is not None
    assert build_jpeg(layout.segments, data[layout.scan_offset :]) == data
    assert bytes(scan_data(data)).startswith(b"\xff\xda") and bytes(scan_data(data)).endswith(b"\xff\xd9")


def test_truncated_or_foreign_files_are_refused(tmp_path):
    data = make_jpeg(tmp_path / "a.jpg").read_bytes()
    with pytest.raises(JpegFormatError):
        parse_jpeg(data[:30])
    with pytest.raises(JpegFormatError):
        parse_jpeg(b"\x89PNG\r\n\x1a\n" + data)


def test_oversized_segment_is_refused():
    with pytest.raises(JpegFormatError):
        Segment(0xE1, b"x" * 70000).encode()


# -- XMP -----------------------------------------------------------------------


def test_lightroom_sidecar_keeps_attributes_and_other_properties():
    merged = render_sidecar(LIGHTROOM_SIDECAR.encode(), KeywordFields(["holiday", "Marseille", "Château d'If"], ["Landmarks|Château d'If"]))
    doc = XmpDocument.parse(merged)
    assert doc.get_bag(DC, "subject") == ["holiday", "Marseille", "Château d'If"]
    assert doc.get_bag(LR, "hierarchicalSubject") == ["Landmarks|Château d'If"]
    text = merged.decode()
    for kept in ('xmp:Rating="4"', 'crs:Exposure2012="+0.35"', "<rdf:li>255, 255</rdf:li>", 'x:xmptk="Adobe XMP Core'):
        assert kept in text
    assert "ns0" not in text


def test_darktable_sidecar_keeps_its_history_and_prefixes():
    merged = render_sidecar(DARKTABLE_SIDECAR.encode(), KeywordFields(["Notre-Dame de la Garde"], ["Landmarks|Notre-Dame de la Garde"]))
    text = merged.decode()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert 'darktable:operation="exposure"' in text and 'darktable:history_end="2"' in text
    assert XmpDocument.parse(merged).get_bag(DC, "subject") == ["Notre-Dame de la Garde"]


def test_attribute_form_subject_becomes_a_bag():
    packet = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" dc:subject="old"/>'
        "</rdf:RDF></x:xmpmeta>"
    )
    doc = XmpDocument.parse(packet)
    assert doc.get_bag(DC, "subject") == ["old"]
    doc.set_bag(DC, "subject", ["old", "new"])
    again = XmpDocument.parse(doc.serialize())
    assert again.get_bag(DC, "subject") == ["old", "new"]


def test_removing_a_bag_and_padding():
    doc = XmpDocument.parse(None)
    doc.set_bag(DC, "subject", ["a"])
    packet = doc.serialize(padding=2048)
    assert packet.rstrip().endswith(b'<?xpacket end="w"?>') and len(packet) > 2048
    doc = XmpDocument.parse(packet)
    doc.set_bag(DC, "subject", None)
    assert XmpDocument.parse(doc.serialize()).get_bag(DC, "subject") is None


def test_broken_xml_is_reported():
    with pytest.raises(MetadataWriteError):
        XmpDocument.parse(b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF></x:xmpmeta>")


# -- IPTC ----------------------------------------------------------------------


def _photoshop_block(datasets: list[iptc.DataSet], digest: bool = True) -> bytes:
    block = iptc.build_datasets(datasets)
    resources = [iptc.Resource(0x03ED, b"\x00\x00", b"\x00" * 16), iptc.Resource(iptc.IPTC_RESOURCE, b"\x00\x00", block)]
    if digest:
        resources.append(iptc.Resource(iptc.DIGEST_RESOURCE, b"\x00\x00", hashlib.md5(block).digest()))
    return iptc.build_resources(resources)


def test_iptc_keywords_replace_only_2_25_and_update_the_digest():
    original = _photoshop_block(
        [iptc.DataSet(2, 0, b"\x00\x04"), iptc.DataSet(2, 5, b"Title"), iptc.DataSet(2, 25, b"holiday"), iptc.DataSet(2, 120, b"A caption")]
    )
    new = iptc.set_keywords(original, ["holiday", "Château d'If"])
    assert iptc.read_keywords(new) == ["holiday", "Château d'If"]
    resources = iptc.parse_resources(new)
    datasets = iptc.parse_datasets(next(r.data for r in resources if r.id == iptc.IPTC_RESOURCE))
    keys = [d.key for d in datasets]
    assert keys == [(1, 90), (2, 0), (2, 5), (2, 25), (2, 25), (2, 120)]
    assert datasets[0].value == iptc.UTF8_MARK
    assert next(r for r in resources if r.id == 0x03ED).data == b"\x00" * 16
    block = next(r.data for r in resources if r.id == iptc.IPTC_RESOURCE)
    assert next(r.data for r in resources if r.id == iptc.DIGEST_RESOURCE) == hashlib.md5(block).digest()


def test_iptc_keywords_are_cut_to_64_bytes_on_a_character():
    long = "é" * 40  # 80 bytes in UTF-8
    new = iptc.set_keywords(None, [long])
    assert iptc.read_keywords(new) == ["é" * 32]
    assert iptc.set_keywords(None, []) is None


# -- EXIF XPKeywords -----------------------------------------------------------


def test_xp_keywords_encoding_has_no_bom_and_a_terminator():
    raw = encode_xp_keywords(["Château d'If", "holiday"])
    assert raw == "Château d'If;holiday".encode("utf-16-le") + b"\x00\x00"
    assert not raw.startswith(b"\xff\xfe")
    assert decode_xp_keywords(raw) == ["Château d'If", "holiday"]


def test_xp_keywords_added_replaced_and_removed_without_moving_other_values(tmp_path):
    data = make_jpeg(tmp_path / "a.jpg").read_bytes()
    tiff = parse_jpeg(data).first("exif").payload[6:]
    with_keywords = set_xp_keywords(tiff, ["Notre-Dame de la Garde"])
    assert read_xp_keywords(with_keywords) == ["Notre-Dame de la Garde"]
    # Every byte that was used keeps its place: only the IFD0 pointer and the tail change.
    assert with_keywords[8 : len(tiff)] == tiff[8:]
    shorter = set_xp_keywords(with_keywords, ["Fort"])
    assert len(shorter) == len(with_keywords) and read_xp_keywords(shorter) == ["Fort"]
    removed = set_xp_keywords(shorter, None)
    assert read_xp_keywords(removed) is None
    loaded = piexif.load(b"Exif\x00\x00" + removed)
    assert loaded["0th"][piexif.ImageIFD.Make] == b"NIKON CORPORATION"
    assert loaded["thumbnail"] == piexif.load(b"Exif\x00\x00" + tiff)["thumbnail"]


def test_piexif_reads_our_xp_keywords(tmp_path):
    data = make_jpeg(tmp_path / "a.jpg").read_bytes()
    out = apply_fields(data, KeywordFields(xp=["Château d'If"]))
    raw = bytes(piexif.load(out)["0th"][piexif.ImageIFD.XPKeywords])
    assert raw == "Château d'If".encode("utf-16-le") + b"\x00\x00"


def test_jpeg_without_exif_gets_no_exif_block(tmp_path):
    """XPKeywords goes only into an EXIF block the JPEG has (a scan or an export holds none)."""
    data = make_jpeg(tmp_path / "a.jpg", exif=False).read_bytes()
    out = apply_fields(data, KeywordFields(["x"], ["Landmarks|x"], ["x"], ["x"]))
    assert read_fields(out) == KeywordFields(["x"], ["Landmarks|x"], ["x"], None)
    assert parse_jpeg(out).first("exif") is None
    assert bytes(scan_data(out)) == bytes(scan_data(data))


# -- whole JPEG ----------------------------------------------------------------


def test_apply_then_restore_gives_the_original_bytes(tmp_path):
    data = make_jpeg(tmp_path / "a.jpg").read_bytes()
    wanted = label_fields(read_fields(data), "Château d'If", None)
    out = apply_fields(data, wanted)
    assert read_fields(out) == wanted
    assert bytes(scan_data(out)) == bytes(scan_data(data))
    old = parse_jpeg(data)
    saved = {k: (old.first(k).payload if old.first(k) else None) for k in ("exif", "xmp", "photoshop")}
    assert restore_segments(out, saved) == data


def test_mpf_offsets_follow_a_segment_that_grows():
    import struct

    # MPF: header, II TIFF, one IFD with an MPEntry pointing at two 16-byte entries.
    entries = struct.pack("<IIIHH", 0x20030000, 1000, 0, 0, 0) + struct.pack("<IIIHH", 0x00020000, 500, 4000, 0, 0)
    ifd = struct.pack("<H", 1) + struct.pack("<HHII", 0xB002, 7, 32, 8 + 2 + 12 + 4) + struct.pack("<I", 0)
    payload = b"MPF\x00" + b"II*\x00" + struct.pack("<I", 8) + ifd + entries
    shifted = shift_mpf_offsets(payload, 100)
    assert struct.unpack_from("<I", shifted, 4 + 8 + 2 + 12 + 4 + 16 + 8)[0] == 4100
    assert struct.unpack_from("<I", shifted, 4 + 8 + 2 + 12 + 4 + 8)[0] == 0  # the primary stays 0


# -- keyword policy --------------------------------------------------------------


def test_policy_keeps_user_keywords_and_replaces_only_ours():
    current = KeywordFields(["holiday", "Marseille"], ["Trips|2020"], ["holiday"], None)
    first = label_fields(current, "Château d'If", None)
    assert first.subject == ["holiday", "Marseille", "Château d'If"]
    assert first.hierarchical == ["Trips|2020", "Landmarks|Château d'If"]
    assert first.xp is None  # never created: Windows reads dc:subject first (keywords.ONLY_WHEN_PRESENT)
    second = label_fields(first, "Notre-Dame de la Garde", "Château d'If")
    assert second.subject == ["holiday", "Marseille", "Notre-Dame de la Garde"]
    assert second.hierarchical == ["Trips|2020", "Landmarks|Notre-Dame de la Garde"]
    # A user keyword that equals a label we never wrote stays.
    kept = label_fields(KeywordFields(["Marseille"]), "Notre-Dame de la Garde", None, ("subject",))
    assert kept.subject == ["Marseille", "Notre-Dame de la Garde"]
    older = replace(second, xp=["Notre-Dame de la Garde"])  # XPKeywords an older version created
    cleared = label_fields(older, None, "Notre-Dame de la Garde")
    assert cleared.subject == ["holiday", "Marseille"]
    assert cleared.xp is None  # a field we created goes once empty (an empty one is noise)
    kept_empty = label_fields(older, None, "Notre-Dame de la Garde", existed=frozenset({"xp"}))
    assert kept_empty.xp == []  # the file had it before our first write: it stays, empty
    windows = label_fields(replace(current, xp=["holiday"]), "Château d'If", None)
    assert windows.xp == ["holiday", "Château d'If"]  # one the file holds gets the label


# -- sidecars --------------------------------------------------------------------


def test_sidecar_names(tmp_path):
    raw = tmp_path / "DSC_8188.NEF"
    assert sidecar_path(raw, "ext").name == "DSC_8188.NEF.xmp"
    assert sidecar_path(raw, "stem").name == "DSC_8188.xmp"
    with pytest.raises(UsageError):
        sidecar_path(raw, "dot")


# -- atomic replace --------------------------------------------------------------


def test_atomic_replace_keeps_mtime_and_cleans_up_on_a_full_disk(tmp_path):
    target = tmp_path / "a.jpg"
    target.write_bytes(b"old")
    os.utime(target, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    atomic.replace_atomically(target, b"new")
    assert target.read_bytes() == b"new" and target.stat().st_mtime_ns == 1_600_000_000_000_000_000
    atomic.replace_atomically(target, b"newer", keep_mtime=False)
    assert target.stat().st_mtime_ns != 1_600_000_000_000_000_000

    def full_disk(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(MetadataWriteError, match="No space left"):
        atomic.replace_atomically(target, b"x" * 100, write=full_disk)
    assert target.read_bytes() == b"newer"
    assert [p.name for p in tmp_path.iterdir()] == ["a.jpg"]  # no temp file left


def test_atomic_replace_refuses_read_only_files_and_folders(tmp_path):
    target = tmp_path / "a.jpg"
    target.write_bytes(b"old")
    target.chmod(0o444)
    with pytest.raises(MetadataWriteError, match="read-only"):
        atomic.replace_atomically(target, b"new")
    target.chmod(0o644)
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(MetadataWriteError, match="read-only"):
            atomic.replace_atomically(target, b"new")
    finally:
        tmp_path.chmod(0o755)
    assert target.read_bytes() == b"old"


def test_a_file_windows_holds_open_for_a_moment_is_replaced_on_a_retry(tmp_path, monkeypatch):
    """A virus scanner or sync client holding the photo makes Windows refuse the rename
    (PermissionError); the write retries instead of failing the photo. Elsewhere a
    PermissionError is a real refusal and is not retried."""
    source, target = tmp_path / "new.tmp", tmp_path / "a.jpg"
    target.write_bytes(b"old")
    real_replace, refusals, waits = os.replace, [2], []

    def busy_replace(src, dst):
        if refusals[0]:
            refusals[0] -= 1
            raise PermissionError(13, "The process cannot access the file because it is being used")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", busy_replace)
    source.write_bytes(b"new")
    atomic.replace_file(source, target, windows=True, sleep=waits.append)
    assert target.read_bytes() == b"new" and waits == list(atomic.REPLACE_RETRIES_S[:2])
    refusals[0] = 1
    source.write_bytes(b"newer")
    with pytest.raises(PermissionError):
        atomic.replace_file(source, target, windows=False, sleep=waits.append)
    refusals[0] = len(atomic.REPLACE_RETRIES_S) + 1  # held for good: the error comes through
    with pytest.raises(PermissionError):
        atomic.replace_file(source, target, windows=True, sleep=waits.append)
    assert target.read_bytes() == b"new"


def test_flush_to_disk_asks_macos_for_a_full_sync(monkeypatch):
    """On macOS fsync leaves the data in the drive's cache; F_FULLFSYNC is asked for,
    and fsync is the fallback where the drive refuses it."""
    calls = []

    class FakeFcntl:
        F_FULLFSYNC = 51

        @staticmethod
        def fcntl(fd, command):
            calls.append(("fcntl", command))
            if refuse:
                raise OSError(25, "Inappropriate ioctl for device")

    monkeypatch.setattr(atomic, "fcntl", FakeFcntl)
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: calls.append(("fsync", fd)))
    refuse = False
    atomic.flush_to_disk(7)
    assert calls == [("fcntl", 51)]
    refuse, calls[:] = True, []
    atomic.flush_to_disk(7)
    assert calls == [("fcntl", 51), ("fsync", 7)]
    monkeypatch.setattr(atomic, "fcntl", None)  # Windows has no fcntl
    calls[:] = []
    atomic.flush_to_disk(7)
    assert calls == [("fsync", 7)]


def test_photoshop_segment_is_added_ahead_of_others(tmp_path):
    data = make_jpeg(tmp_path / "a.jpg").read_bytes()
    out = apply_fields(data, KeywordFields(iptc=["x"]))
    markers = [s.marker for s in parse_jpeg(out).segments]
    assert APP13 in markers
    assert parse_jpeg(out).first("photoshop").payload.startswith(PHOTOSHOP_HEADER)
    assert parse_jpeg(out).first("xmp") is None  # untouched fields add no segment
    assert XMP_HEADER not in out


def test_extended_xmp_and_unknown_segments_are_kept_untouched(tmp_path):
    from app.core.metadata.jpeg_segments import EXTENDED_XMP_HEADER

    data = make_jpeg(tmp_path / "a.jpg").read_bytes()
    layout = parse_jpeg(data)
    extended = Segment(0xE1, EXTENDED_XMP_HEADER + b"0123456789ABCDEF0123456789ABCDEF" + b"\x00\x00\x00\x10\x00\x00\x00\x00<x/>")
    app4 = Segment(0xE4, b"vendor data")
    segments = list(layout.segments) + [extended, app4]
    with_extras = build_jpeg(segments, data[layout.scan_offset :])
    out = apply_fields(with_extras, KeywordFields(["x"], ["Landmarks|x"], ["x"], ["x"]))
    kept = [s for s in parse_jpeg(out).segments if s.is_extended_xmp or s.marker == 0xE4]
    assert kept == [extended, app4]
    assert read_fields(out).subject == ["x"]


def test_a_photo_named_near_the_file_system_limit_is_written(tmp_path):
    """The temp file's name is the photo's plus 14 bytes: a 250-byte name (a web download)
    must not make every write fail with 'File name too long'."""
    target = tmp_path / ("é" * 123 + ".jpg")  # 250 bytes in UTF-8
    assert len(os.fsencode(target.name)) == 250
    target.write_bytes(b"old")
    atomic.replace_atomically(target, b"new")
    assert target.read_bytes() == b"new" and [p.name for p in tmp_path.iterdir()] == [target.name]
    stale = atomic.temp_path_for(target)
    assert len(os.fsencode(stale.name)) <= atomic.MAX_NAME_BYTES
    stale.write_bytes(b"half")
    os.utime(stale, (1_000_000_000, 1_000_000_000))
    assert atomic.remove_stale_temps_in(target.parent) == 1  # a crash's leftover is still found


def test_a_photo_deep_in_folders_gets_a_temp_path_windows_accepts(tmp_path, monkeypatch):
    """Windows refuses paths over 259 characters (long paths are off by default): a photo
    whose path fits must not get a temp file whose path does not."""
    monkeypatch.setattr(atomic.sys, "platform", "win32")
    folder = tmp_path / ("Trips 2019 " * 12).strip()
    folder.mkdir()
    target = folder / ("Colosseum at dawn, from the Palatine " * 6 + "DSC_0001.JPG")
    target = target.with_name(target.name[len(str(target)) - atomic.MAX_WINDOWS_PATH:])  # 259 exactly
    assert len(str(target)) == atomic.MAX_WINDOWS_PATH
    temp = atomic.temp_path_for(target)
    assert len(str(temp)) <= atomic.MAX_WINDOWS_PATH and temp.parent == folder
    assert temp.name.startswith(".") and target.name.startswith(temp.name[1:-14])
    target.write_bytes(b"old")
    atomic.replace_atomically(target, b"new")
    assert target.read_bytes() == b"new" and [p.name for p in folder.iterdir()] == [target.name]
    temp.write_bytes(b"half")
    os.utime(temp, (1_000_000_000, 1_000_000_000))
    assert atomic.remove_stale_temps_in(target.parent) == 1  # a crash's leftover is still found


def test_stale_temp_files_from_a_crash_are_removed_but_fresh_ones_kept(tmp_path):
    target = tmp_path / "a.jpg"
    target.write_bytes(b"photo")
    stale = tmp_path / ".a.jpg.0123abcd.tmp"
    fresh = tmp_path / ".a.jpg.89abcdef.tmp"
    foreign = tmp_path / ".a.jpg.notours.tmp"
    for path in (stale, fresh, foreign):
        path.write_bytes(b"half")
    os.utime(stale, (1_000_000_000, 1_000_000_000))
    os.utime(foreign, (1_000_000_000, 1_000_000_000))
    assert atomic.remove_stale_temps_in(target.parent) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [".a.jpg.89abcdef.tmp", ".a.jpg.notours.tmp", "a.jpg"]
