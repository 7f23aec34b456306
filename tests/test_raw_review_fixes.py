"""RAW files as other photo programs leave them: the keywords and landmark a RAW file
holds in its own XMP (a DNG tagged in Lightroom, any RAW exiftool wrote into), the date
and camera of CR3 and RAF files, a sidecar written through a link to a file not there
yet, and the words for a RAW file LibRaw cannot open.

Synthetic RAW headers (TIFF-structured, CR3, RAF) are built here; the real files come
from ../shared/data through the `shared_data` fixture, copied into tmp_path before
anything is written into them."""

from __future__ import annotations

import io
import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from app.core.errors import PhotoReadError
from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, undo_last_write, write_labels
from app.core.metadata import raw_header, writer
from app.core.metadata.file_now import keywords_inside
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.sidecar import fields_of_sidecar
from app.core.metadata.verify import VerificationError
from app.core.photo_info import read_photo_info
from app.core.raw_decode import decode_raw
from app.core.scanner import scan
from tests.test_metadata_support import add_photo, read_back, require_exiftool

MAKE, MODEL, XMP_TAG, EXIF_POINTER = 0x010F, 0x0110, 700, 0x8769
DATETIME_ORIGINAL, SUBSEC_ORIGINAL, OFFSET_ORIGINAL, LENS_MODEL = 0x9003, 0x9291, 0x9011, 0xA434
PIXEL_X, PIXEL_Y = 0xA002, 0xA003
CANON_UUID = bytes.fromhex("85c0b687820f11e08111f4ce462b6a48")
XMP_UUID = bytes.fromhex("be7acfcb97a942e89c71999491e3afac")


def xmp_packet(subject: list[str], hierarchical: list[str]) -> bytes:
    """An XMP packet as Lightroom or exiftool write one into a file."""
    def bag(items: list[str]) -> str:
        return "<rdf:Bag>" + "".join(f"<rdf:li>{item}</rdf:li>" for item in items) + "</rdf:Bag>"

    return (
        "<?xpacket begin='\ufeff' id='W5M0MpCehiHzreSzNTczkc9d'?>\n"
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:lr="http://ns.adobe.com/lightroom/1.0/">'
        f"<dc:subject>{bag(subject)}</dc:subject><lr:hierarchicalSubject>{bag(hierarchical)}</lr:hierarchicalSubject>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>\n" + " " * 200 + "\n<?xpacket end='w'?>"
    ).encode("utf-8")


def tiff_bytes(ifd0: dict, exif: dict | None = None, *, order: str = "<", magic: bytes | None = None,
               far_xmp: tuple[int, bytes] | None = None) -> bytes:
    """A TIFF-structured RAW header: IFD0 and an Exif IFD (tag -> str, int or bytes), and
    optionally an XMP packet at a given byte far into the file (where Lightroom appends
    it to a DNG), what lies between standing for the image data."""
    def entry(tag: int, value, at: int | None = None) -> tuple:
        if isinstance(value, str):
            value = value.encode() + b"\0"
            return tag, 2, len(value), value, at
        if isinstance(value, int):
            return tag, 4, 1, struct.pack(order + "I", value), at
        return tag, 7, len(value), value, at

    def directory(entries: list, start: int) -> bytes:
        """The IFD at `start`; values over 4 bytes follow it, unless placed `at` a given byte."""
        data_at = start + 2 + 12 * len(entries) + 4
        table, extra = struct.pack(order + "H", len(entries)), b""
        for tag, kind, count, data, at in sorted(entries):
            if at is None and len(data) <= 4:
                table += struct.pack(order + "HHI", tag, kind, count) + data.ljust(4, b"\0")
                continue
            table += struct.pack(order + "HHII", tag, kind, count, at if at is not None else data_at + len(extra))
            if at is None:
                extra += data + b"\0" * (len(data) % 2)
        return table + struct.pack(order + "I", 0) + extra

    first = [entry(tag, value) for tag, value in ifd0.items()]
    if far_xmp is not None:
        first.append(entry(XMP_TAG, far_xmp[1], at=far_xmp[0]))
    if exif is not None:  # the pointer's value leaves the IFD's size as it is
        size = len(directory(first + [entry(EXIF_POINTER, 0)], 8))
        first.append(entry(EXIF_POINTER, 8 + size))
    body = directory(first, 8)
    if exif is not None:
        body += directory([entry(tag, value) for tag, value in exif.items()], 8 + len(body))
    data = (magic or (b"II*\x00" if order == "<" else b"MM\x00*")) + struct.pack(order + "I", 8) + body
    if far_xmp is not None:
        data = data.ljust(far_xmp[0], b"\x55") + far_xmp[1]
    return data


def box(kind: bytes, payload: bytes, *, large: bool = False) -> bytes:
    """An ISO-BMFF box (a uuid box when `kind` is 16 bytes); `large` uses the 64-bit size."""
    if len(kind) == 16:
        kind, payload = b"uuid", kind + payload
    if large:
        return struct.pack(">I4sQ", 1, kind, 16 + len(payload)) + payload
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def cr3_bytes(ifd0: dict, exif: dict, xmp: bytes | None) -> bytes:
    """A CR3 as Canon lays it out: ftyp, moov holding Canon's uuid box (CMT1 = IFD0 and
    CMT2 = Exif IFD, each a TIFF of its own), the XMP uuid box, then the image data."""
    canon = box(CANON_UUID, box(b"CNCV", b"CanonCR3_001/00.09.00/00.00.00") + box(b"CMT1", tiff_bytes(ifd0))
                + box(b"CMT2", tiff_bytes(exif)) + box(b"THMB", b"\0" * 64))
    moov = box(b"moov", canon + box(b"mvhd", b"\0" * 100))
    tail = box(b"free", b"\0" * 4096, large=True) + (box(XMP_UUID, xmp) if xmp else b"") + box(b"mdat", b"\0" * 8192)
    return box(b"ftyp", b"crx \x00\x00\x00\x01crx isom") + moov + tail


def raf_bytes(exif: Image.Exif, xmp: bytes | None) -> bytes:
    """A RAF: Fuji's header, whose bytes 84 and 88 give (big-endian) where the embedded
    JPEG preview starts and how long it is; the preview carries the Exif."""
    preview = io.BytesIO()
    options = {"exif": exif.tobytes()} | ({"xmp": xmp} if xmp else {})
    Image.new("RGB", (160, 120), (90, 120, 150)).save(preview, "JPEG", **options)
    jpeg, offset = preview.getvalue(), 148
    header = (b"FUJIFILMCCD-RAW 0201FF383501FinePix S5Pro".ljust(84, b"\0")
              + struct.pack(">II", offset, len(jpeg))).ljust(offset, b"\0")
    return header + jpeg + b"\0" * 4096


def write_all(index, options=WriteOptions()):
    return write_labels(index, plan_writes(index, "", False, options), options)


# 1. A RAW file's own keywords start its new sidecar, and its landmark is read back.

def tagged_dng(dng: Path, shared_data: Path, *tags: str) -> Path:
    """A copy of the real DNG at `dng`, given these XMP tags by exiftool (as Lightroom
    keeps a DNG's metadata inside it)."""
    exiftool = require_exiftool()
    dng.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shared_data / "camera" / "raw" / "Blackmagic.dng", dng)
    os.chmod(dng, 0o644)
    subprocess.run([exiftool, "-q", "-overwrite_original", *tags, str(dng)], check=True)
    return dng


def test_a_new_sidecar_of_a_dng_starts_from_the_keywords_inside_it(tmp_path, shared_data) -> None:
    """A DNG tagged in Lightroom (which keeps a DNG's metadata inside it): its own keywords
    go into the new sidecar darktable, digiKam and exiftool read, and the dry run says so."""
    dng = tagged_dng(tmp_path / "Jordan" / "LR_0001.dng", shared_data, "-XMP-dc:Subject=Family",
                     "-XMP-dc:Subject=Beach", "-XMP-lr:HierarchicalSubject=People|Family")
    folder = dng.parent
    before = dng.read_bytes()
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        photo = index.search("LR_0001")[0]
        index.set_label(photo.id, "Petra", source="user", state="accepted")
        [planned] = plan_writes(index)
        assert planned.describe().endswith('keywords "Family", "Beach" -> "Family", "Beach", "Petra"')
        assert write_all(index).written == 1
    written = fields_of_sidecar((folder / "LR_0001.dng.xmp").read_bytes())
    assert written.subject == ["Family", "Beach", "Petra"]
    assert written.hierarchical == ["People|Family", "Landmarks|Petra"]
    assert dng.read_bytes() == before  # RAW files are never modified


def test_a_scan_reads_back_the_landmark_inside_a_raw_file(tmp_path, shared_data) -> None:
    """A RAW file whose own XMP holds `Landmarks|Petra` (written by this app into a copy's
    sidecar, then merged into the DNG by Lightroom or exiftool) comes back labelled, as a
    TIFF or PNG does."""
    dng = tagged_dng(tmp_path / "Jordan" / "LR_0002.dng", shared_data, "-XMP-dc:Subject=Petra",
                     "-XMP-lr:HierarchicalSubject=Landmarks|Petra")
    assert read_photo_info(dng).landmark == "Petra"
    with PhotoIndex.open(tmp_path / "index.db") as index:
        assert scan(index, [dng.parent]).labels_read == 1
        photo = index.search("LR_0002")[0]
        assert (photo.label, photo.state) == ("Petra", "accepted")


@pytest.mark.parametrize(
    ("name", "order", "magic", "far"),
    [
        ("DSC_0001.NEF", "<", None, False),
        ("IMG_0001.DNG", ">", None, False),
        ("LR_0003.dng", "<", None, True),  # Lightroom appended the XMP after the image data
        ("P1000001.ORF", "<", b"IIRO", False),
        ("P1000002.RW2", "<", b"IIU\x00", False),
    ],
)
def test_the_keywords_inside_a_tiff_structured_raw_are_found_wherever_its_xmp_lies(
        tmp_path, name: str, order: str, magic: bytes | None, far: bool) -> None:
    packet = xmp_packet(["Family", "Beach"], ["People|Family"])
    ifd0 = {MAKE: "NIKON CORPORATION", MODEL: "NIKON Z 6"}
    if far:
        data = tiff_bytes(ifd0, order=order, magic=magic, far_xmp=(3 * 1024 * 1024, packet))
    else:
        data = tiff_bytes({**ifd0, XMP_TAG: packet}, order=order, magic=magic) + b"\0" * 65536
    raw = tmp_path / name
    raw.write_bytes(data)
    assert keywords_inside(raw, "raw") == KeywordFields(subject=["Family", "Beach"], hierarchical=["People|Family"])


def test_a_new_sidecar_of_a_raw_file_keeps_its_keywords_and_replaces_its_landmark(tmp_path) -> None:
    """A NEF exiftool tagged with the landmark of an earlier label: the new sidecar keeps
    the user's keywords and holds the new landmark instead of the old; undo removes it."""
    raw = tmp_path / "DSC_0002.NEF"
    raw.write_bytes(tiff_bytes({MAKE: "NIKON CORPORATION", MODEL: "NIKON Z 6",
                                XMP_TAG: xmp_packet(["Family", "Petra"], ["People|Family", "Landmarks|Petra"])}))
    with PhotoIndex.open(tmp_path / "index.db") as index:
        photo_id = add_photo(index, [raw], None, state="unlabelled")
        read_back(index, photo_id, "Petra", [raw])  # the label it was given, read back
        index.set_label(photo_id, "Wadi Rum", source="user", state="accepted")
        [planned] = plan_writes(index)
        assert planned.describe().endswith('keywords "Family", "Petra" -> "Family", "Wadi Rum"')
        assert write_all(index).written == 1
        written = fields_of_sidecar((tmp_path / "DSC_0002.NEF.xmp").read_bytes())
        assert (written.subject, written.hierarchical) == (["Family", "Wadi Rum"], ["People|Family", "Landmarks|Wadi Rum"])
        assert undo_last_write(index).written == 1
    assert not (tmp_path / "DSC_0002.NEF.xmp").exists()


def test_the_keywords_inside_cr3_and_raf_files_are_found(tmp_path) -> None:
    """exiftool writes XMP into a CR3 (a uuid box) and into a RAF's preview JPEG."""
    packet = xmp_packet(["Family"], ["People|Family", "Landmarks|Petra"])
    cr3 = tmp_path / "IMG_0001.CR3"
    cr3.write_bytes(cr3_bytes({MAKE: "Canon", MODEL: "Canon EOS R6"}, {DATETIME_ORIGINAL: "2021:03:04 05:06:07"}, packet))
    exif = Image.Exif()
    exif[MAKE], exif[MODEL] = "FUJIFILM", "X-T4"
    raf = tmp_path / "DSCF0001.RAF"
    raf.write_bytes(raf_bytes(exif, packet))
    for path in (cr3, raf):
        assert keywords_inside(path, "raw") == KeywordFields(
            subject=["Family"], hierarchical=["People|Family", "Landmarks|Petra"]), path.name


# 2. CR3 and RAF files give their date taken, camera and lens.

def _padded_stub(shared_data: Path, name: str, pixels: int, folder: Path) -> Path:
    """A raw_stubs file with zero bytes appended so that it passes the 'metadata but no
    image data' size check; its metadata (at the start of the file) is untouched."""
    target = folder / name
    target.write_bytes((shared_data / "camera" / "raw_stubs" / name).read_bytes() + b"\0" * (pixels // 8))
    return target


def test_the_date_camera_and_lens_of_cr3_and_raf_files_are_read(tmp_path, shared_data) -> None:
    """What `exiftool -Make -Model -DateTimeOriginal -SubSecTimeOriginal -OffsetTimeOriginal
    -LensModel` reads from the same files."""
    cr3 = read_photo_info(_padded_stub(shared_data, "CanonRaw.cr3", 6024 * 4020, tmp_path))
    raf = read_photo_info(_padded_stub(shared_data, "FujiFilm.raf", 3552 * 3551, tmp_path))
    assert (cr3.taken_at, cr3.camera_make, cr3.camera_model, cr3.lens, cr3.orientation) == (
        "2018-02-21T12:08:56.21+00:00", "Canon", "Canon EOS M50", "EF-M15-45mm f/3.5-6.3 IS STM", 1)
    assert (raf.taken_at, raf.camera_make, raf.camera_model, raf.orientation) == (
        "2007-05-22T13:58:30", "FUJIFILM", "FinePix S5Pro", 1)


def test_a_scan_dates_cr3_and_raf_files(tmp_path, shared_data) -> None:
    """A RAW-only archive from a Canon R/M or a Fuji body is found by `has:date` and `camera:`."""
    _padded_stub(shared_data, "CanonRaw.cr3", 6024 * 4020, tmp_path)
    _padded_stub(shared_data, "FujiFilm.raf", 3552 * 3551, tmp_path)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [tmp_path])
        assert len(index.search("has:date")) == 2
        assert [Path(photo.path).name for photo in index.search("camera:M50")] == ["CanonRaw.cr3"]


# 3. A sidecar written through a link to a file not there yet.

def _dangling_sidecar_link(tmp_path: Path) -> tuple[Path, Path, Path]:
    folder = tmp_path / "raw"
    folder.mkdir()
    raw = folder / "DSC_0001.NEF"
    raw.write_bytes(b"not really a raw file, never opened")
    target = tmp_path / "elsewhere" / "DSC_0001.NEF.xmp"
    target.parent.mkdir()
    link = folder / "DSC_0001.NEF.xmp"
    link.symlink_to(target)
    return raw, link, target


def test_undo_of_a_sidecar_written_through_a_dangling_link_restores_the_link(tmp_path) -> None:
    """write creates the link's target; undo puts things back as they were: the link
    stays, pointing at nothing again, and the file the write created goes."""
    raw, link, target = _dangling_sidecar_link(tmp_path)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        add_photo(index, [raw], "Petra")
        assert write_all(index).written == 1
        assert link.is_symlink() and fields_of_sidecar(target.read_bytes()).subject == ["Petra"]
        assert undo_last_write(index).written == 1
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert not target.exists()


def test_a_sidecar_created_through_a_dangling_link_that_fails_verification_is_taken_back(
        tmp_path, monkeypatch) -> None:
    raw, link, target = _dangling_sidecar_link(tmp_path)

    def refuse(*args, **kwargs):
        raise VerificationError("the sidecar did not read back as written")

    monkeypatch.setattr(writer, "verify_sidecar", refuse)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        add_photo(index, [raw], "Petra")
        summary = write_all(index)
        assert (summary.written, summary.failed) == (0, 1)
    assert link.is_symlink() and not target.exists()


# 4. The words for a RAW file LibRaw cannot open.

def test_a_cut_short_cr2_is_named_incomplete_and_junk_named_nef_is_no_raw(tmp_path, shared_data) -> None:
    """LibRaw says "Unsupported file format or not RAW file" for both; the header tells
    which. (LibRaw 0.22 opens the CRW stub and the size check names it incomplete; other
    versions refuse it, and it must read the same then.)"""
    for name in ("CanonRaw.cr2", "CanonRaw.crw"):
        with pytest.raises(PhotoReadError) as caught:
            read_photo_info(shared_data / "camera" / "raw_stubs" / name)
        message = str(caught.value)
        assert "not a RAW file" not in message and "incomplete" in message, message
    junk = tmp_path / "DSC_0001.NEF"
    junk.write_bytes(bytes(range(256)) * 64)
    renamed_jpeg = tmp_path / "DSC_0002.NEF"
    Image.new("RGB", (64, 48), (10, 20, 30)).save(renamed_jpeg, "JPEG")
    with pytest.raises(PhotoReadError, match="not a RAW file this app can read"):
        read_photo_info(junk)
    assert read_photo_info(renamed_jpeg).width == 64  # read by its content (test_jpeg_named_raw)
    for path in (junk, renamed_jpeg):
        with pytest.raises(PhotoReadError, match="not a RAW file this app can read"):
            decode_raw(path, min_side=64, max_pixels=10**8)  # the RAW decoder words it as the scan does


def test_a_camera_raw_libraw_refuses_is_named_corrupt_or_unsupported(tmp_path) -> None:
    """A RAW whose header names the camera but whose image LibRaw cannot find: corrupt,
    truncated or from a camera LibRaw does not know, never 'not a RAW file'; with the
    picture size in its EXIF far beyond the file's bytes, incomplete."""
    ifd0 = {MAKE: "Canon", MODEL: "Canon EOS R5"}
    unknown = tmp_path / "IMG_0001.CR2"
    unknown.write_bytes(tiff_bytes(ifd0, {DATETIME_ORIGINAL: "2021:03:04 05:06:07"}) + b"\0" * 65536)
    cut = tmp_path / "IMG_0002.CR2"
    cut.write_bytes(tiff_bytes(ifd0, {PIXEL_X: 8192, PIXEL_Y: 5464}) + b"\0" * 65536)
    with pytest.raises(PhotoReadError) as caught:
        read_photo_info(unknown)
    assert "LibRaw cannot open this Canon EOS R5 RAW file" in str(caught.value)
    assert "corrupt, truncated or from an unsupported camera" in str(caught.value)
    with pytest.raises(PhotoReadError, match="no image data .* 8192x5464 pixels.*the file is incomplete"):
        read_photo_info(cut)
    with pytest.raises(PhotoReadError, match="8192x5464 pixels.*the file is incomplete"):
        decode_raw(cut, min_side=64, max_pixels=10**9)


@pytest.mark.parametrize(("make", "model", "named"), [
    ("Canon", "Canonet QL17", "Canon Canonet QL17"),  # was "Canonet QL17": the make dropped
    ("OM Digital Solutions", "OM-1", "OM-1"),
    ("NIKON CORPORATION", "NIKON Z 6", "Nikon Z 6"),  # as the index, search --json and the app name it
])
def test_a_raw_libraw_refuses_names_its_camera_as_the_index_does(tmp_path, make, model, named) -> None:
    raw = tmp_path / "IMG_0001.CR2"
    raw.write_bytes(tiff_bytes({MAKE: make, MODEL: model}) + b"\0" * 65536)
    with pytest.raises(PhotoReadError) as caught:
        read_photo_info(raw)
    assert f"LibRaw cannot open this {named} RAW file" in str(caught.value)


# 5. A damaged RAW header costs a bounded read and only the metadata past the damage.

MAKER_NOTE = 0x927C


def _reads_counted(monkeypatch) -> list[int]:
    """Counts every byte read_raw_header reads from the file: [total]."""
    total = [0]

    class CountingFile(io.FileIO):
        def read(self, size=-1):
            chunk = super().read(size)
            total[0] += len(chunk)
            return chunk

        def readinto(self, buffer):
            count = super().readinto(buffer)
            total[0] += count or 0
            return count

    monkeypatch.setattr(raw_header, "open", lambda path, mode="rb": CountingFile(path, "r"), raising=False)
    return total


def _sized(path: Path, data: bytes, size: int) -> Path:
    """`data` followed by zeros up to `size` bytes (a sparse file: the image data)."""
    with path.open("wb") as handle:
        handle.write(data)
        handle.truncate(size)
    return path


def test_a_corrupt_count_in_a_tiff_structured_raw_costs_a_bounded_read(tmp_path, monkeypatch) -> None:
    """A bit flipped in the maker note's count of a 40 MB NEF: the header reader stops
    within its budget (it read the whole file, twice, before) and keeps the tags read
    before the damage."""
    data = bytearray(tiff_bytes({MAKE: "NIKON CORPORATION", MODEL: "NIKON Z 6"},
                                {DATETIME_ORIGINAL: "2021:03:04 05:06:07", MAKER_NOTE: b"Nikon\0" * 16}))
    size = 5 * raw_header.MAX_BLOCK_BYTES
    entry = data.index(struct.pack("<HH", MAKER_NOTE, 7))
    struct.pack_into("<I", data, entry + 4, size - 4096)
    raw = _sized(tmp_path / "DSC_0001.NEF", bytes(data), size)
    total = _reads_counted(monkeypatch)
    header = raw_header.read_raw_header(raw)
    assert total[0] <= raw_header.MAX_BLOCK_BYTES + 64 * 1024, total[0]
    assert (header.ifd0.get(MAKE), header.ifd0.get(MODEL)) == ("NIKON CORPORATION", "NIKON Z 6")
    assert header.exif.get(DATETIME_ORIGINAL) == "2021:03:04 05:06:07"
    assert MAKER_NOTE not in header.exif


def test_a_damaged_camera_name_in_a_raw_header_stays_out_of_the_error_text(tmp_path) -> None:
    """A camera name as long as a corrupt count makes it (binary junk, or just too long)
    is not quoted whole in the words for a RAW LibRaw refuses."""
    long_model, junk_make = "Canon EOS R5 " + "X" * 5000, "Canon\x01\x02\x7f\x00junk"
    raw = tmp_path / "IMG_0001.CR2"
    raw.write_bytes(tiff_bytes({MAKE: junk_make, MODEL: long_model}) + b"\0" * 65536)
    with pytest.raises(PhotoReadError) as caught:
        read_photo_info(raw)
    message = str(caught.value)
    assert "LibRaw cannot open this Canon EOS R5 XXX" in message
    assert len(message) < 600 and "junk" not in message, message


def test_camera_and_lens_names_from_a_raw_header_are_capped(tmp_path, shared_data, monkeypatch) -> None:
    """What the index stores from a RAW header: at most 200 characters a name, and none
    made of the binary data a damaged count points at."""
    cr3 = _padded_stub(shared_data, "CanonRaw.cr3", 6024 * 4020, tmp_path)
    header = raw_header.read_raw_header(cr3)
    damaged = raw_header.RawHeader("CR3", ifd0={**header.ifd0, MAKE: "Canon" * 400_000, MODEL: "EOS\x01\x02\x03"},
                                   exif={**header.exif, LENS_MODEL: "EF-M " * 1000}, gps=header.gps)
    monkeypatch.setattr(raw_header, "read_raw_header", lambda path: damaged)
    info = read_photo_info(cr3)
    assert info.camera_make == ("Canon" * 40) and info.camera_model is None
    assert info.lens == ("EF-M " * 40).strip()
    assert info.taken_at == "2018-02-21T12:08:56.21+00:00"


def test_an_oversized_xmp_box_in_a_cr3_costs_only_the_xmp(tmp_path) -> None:
    """A CR3 whose XMP box (after moov) is over the block limit, or has a damaged size
    that still fits the file, keeps the camera and date its CMT blocks gave."""
    data = bytearray(cr3_bytes({MAKE: "Canon", MODEL: "Canon EOS R6"}, {DATETIME_ORIGINAL: "2021:03:04 05:06:07"},
                               xmp_packet(["Family"], [])))
    at = data.index(b"uuid" + XMP_UUID) - 4
    struct.pack_into(">I", data, at, raw_header.MAX_BLOCK_BYTES + 1024)
    cr3 = _sized(tmp_path / "IMG_0001.CR3", bytes(data), at + 2 * raw_header.MAX_BLOCK_BYTES)
    header = raw_header.read_raw_header(cr3)
    assert (header.ifd0.get(MODEL), header.exif.get(DATETIME_ORIGINAL)) == ("Canon EOS R6", "2021:03:04 05:06:07")
    assert header.xmp is None


def test_a_cr3_cut_short_in_a_box_header_keeps_what_its_moov_gave(tmp_path) -> None:
    """A CR3 (without XMP) that ends inside a box's 64-bit size."""
    data = cr3_bytes({MAKE: "Canon", MODEL: "Canon EOS R6"}, {DATETIME_ORIGINAL: "2021:03:04 05:06:07"}, None)
    cr3 = tmp_path / "IMG_0001.CR3"
    cr3.write_bytes(data + struct.pack(">I4s", 1, b"mdat") + b"\0\0\0")
    header = raw_header.read_raw_header(cr3)
    assert (header.ifd0.get(MODEL), header.exif.get(DATETIME_ORIGINAL)) == ("Canon EOS R6", "2021:03:04 05:06:07")


def test_walking_a_crafted_cr3_of_tiny_boxes_is_bounded(tmp_path, monkeypatch) -> None:
    """An 8 MB CR3 of empty 8-byte boxes after ftyp: the walk gives up after a few
    thousand boxes (it read every one of the million box headers before)."""
    ftyp = struct.pack(">I4s4sI4s", 20, b"ftyp", b"crx ", 1, b"crx ")
    cr3 = tmp_path / "IMG_0001.CR3"
    cr3.write_bytes(ftyp + struct.pack(">I4s", 8, b"free") * (1 << 20))
    total = _reads_counted(monkeypatch)
    header = raw_header.read_raw_header(cr3)
    assert header.container == "CR3" and not header.ifd0
    assert total[0] < 256 * 1024, total[0]
