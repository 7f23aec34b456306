"""Helpers for the metadata-writing tests: synthetic JPEGs and index rows.
(No tests in here; the module name only keeps it next to the tests that use it.)"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from app.core.fingerprint import fingerprint_file
from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, write_labels

RAW_KINDS = {".nef": "raw", ".dng": "raw", ".cr2": "raw", ".png": "png", ".tif": "tiff", ".heic": "heic"}


def make_jpeg(path: Path, size: tuple[int, int] = (96, 64), exif: bool = True, seed: int = 0, quality: int = 90) -> Path:
    """A small JPEG of its own (blocks of colour with some grain, a scene rather than noise,
    which the app takes for no picture at all) with camera-like EXIF (Make, Model,
    DateTimeOriginal, a thumbnail)."""
    import numpy as np
    import piexif
    from PIL import Image

    rng = np.random.default_rng(seed)
    blocks = Image.fromarray(rng.integers(0, 255, size=(max(2, size[1] // 8), max(2, size[0] // 8), 3), dtype=np.uint8))
    smooth = np.asarray(blocks.resize(size, Image.Resampling.BILINEAR), dtype=np.int16)
    pixels = np.clip(smooth + rng.integers(-12, 13, size=smooth.shape), 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels)
    kwargs = {"quality": quality}
    if exif:
        thumb = io.BytesIO()
        image.resize((16, 12)).save(thumb, "JPEG")
        exif_dict = {
            "0th": {piexif.ImageIFD.Make: b"NIKON CORPORATION", piexif.ImageIFD.Model: b"NIKON D90"},
            "Exif": {piexif.ExifIFD.DateTimeOriginal: b"2020:11:05 10:11:12"},
            "1st": {piexif.ImageIFD.JPEGInterchangeFormat: 0, piexif.ImageIFD.JPEGInterchangeFormatLength: 0},
            "thumbnail": thumb.getvalue(),
        }
        kwargs["exif"] = piexif.dump(exif_dict)
    image.save(path, "JPEG", **kwargs)
    return path


def tagged_photos(folder: Path, count: int, db: Path, options) -> tuple[PhotoIndex, list[int]]:
    """`count` JPEGs DSC_0000.JPG… made in `folder` (seeds 0…) and tagged with `options`
    (a TagOptions) into a new index at `db`: (the open index, its photo ids in order)."""
    from app.core.tagging import tag

    folder.mkdir()
    for number in range(count):
        make_jpeg(folder / f"DSC_{number:04d}.JPG", seed=number)
    index = PhotoIndex.open(db)
    tag(index, [folder], options)
    return index, sorted(photo.id for photo in index.search(""))


def add_photo(index: PhotoIndex, files: list[Path], label: str | None = None, state: str = "accepted") -> int:
    """Index a photo made of `files` (first is primary) as a scan would, with a label."""
    primary = files[0].resolve()
    with index.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO photos (folder, stem, primary_path, taken_at, has_raw, added_at) VALUES (?, ?, ?, ?, ?, ?)",
            (str(primary.parent), primary.stem, str(primary), "2020-11-05T10:11:12",
             int(any(RAW_KINDS.get(f.suffix.lower()) == "raw" for f in files)), "2020-11-05"),
        )
        photo_id = int(cursor.lastrowid)
        for file in files:
            file = file.resolve()
            stat = file.stat()
            kind = "jpeg" if file.suffix.lower() in (".jpg", ".jpeg") else RAW_KINDS.get(file.suffix.lower(), "raw")
            conn.execute(
                "INSERT INTO files (photo_id, path, name, ext, kind, size, mtime_ns, fingerprint, missing) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
                (photo_id, str(file), file.name, file.suffix.lower(), kind, stat.st_size, stat.st_mtime_ns,
                 fingerprint_file(file)),
            )
    if state != "unlabelled":
        index.set_label(photo_id, label, source="user" if state == "accepted" else "model", state=state)
    return photo_id


@pytest.fixture
def index(tmp_path):
    """An empty index in the test's folder, closed after the test (import it with the
    helpers: a fixture of this module, not of conftest.py)."""
    opened = PhotoIndex.open(tmp_path / "index.db")
    yield opened
    opened.close()


def write_all(
    index: PhotoIndex, options: WriteOptions = WriteOptions(), query: str = "", include_suggested: bool = False
):
    """`write` of the accepted labels (and the suggested ones if asked) of the photos `query`
    finds, every photo by default, with the default options: the write's summary."""
    return write_labels(index, plan_writes(index, query, include_suggested, options), options)


def read_back(index: PhotoIndex, photo_id: int, label: str, files: list[Path]) -> None:
    """The photo's label read back from `label`'s keyword in `files`, as a scan of a
    photo the index held no word about does (labels.adopt_written_label)."""
    from app.core.index.labels import adopt_written_label

    with index.transaction() as conn:
        assert adopt_written_label(conn, photo_id, label, [str(file.resolve()) for file in files])


def require_exiftool() -> str:
    """The exiftool command; skips the test when it is not installed."""
    tool = shutil.which("exiftool")
    if tool is None:
        pytest.skip("exiftool is not installed (Debian: libimage-exiftool-perl)")
    return tool


def exiftool_tags(path: Path, *tags: str) -> dict:
    """exiftool's view of a file (`-j -G1 -a`), as a dict; list values stay lists."""
    import json

    result = subprocess.run(
        ["exiftool", "-j", "-G1", "-a", "-struct", *[f"-{t}" for t in tags], os.fspath(path)],
        capture_output=True, check=True,
    )
    return json.loads(result.stdout)[0]


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def with_iptc_block(path: Path, caption: bytes = b"Rome, spring 2019") -> Path:
    """The JPEG at `path` given an IPTC block holding a caption and no keyword (as a
    newsroom tool or Photo Mechanic leaves one): a write puts IPTC Keywords only into a
    JPEG that holds IPTC already."""
    from app.core.metadata import iptc
    from app.core.metadata.jpeg_fields import restore_segments

    block = iptc.build_datasets([iptc.DataSet(2, 0, b"\x00\x04"), iptc.DataSet(2, 120, caption)])
    payload = iptc.build_resources([iptc.Resource(iptc.IPTC_RESOURCE, b"\x00\x00", block)])
    path.write_bytes(restore_segments(path.read_bytes(), {"photoshop": payload}))
    return path


def with_xp_keywords(path: Path, keywords: tuple[str, ...] = ()) -> Path:
    """The JPEG at `path` (with EXIF) given XPKeywords holding `keywords` (none: an empty
    one), as Windows Explorer leaves a photo it tagged: a write puts the label into
    XPKeywords only where the JPEG holds it already."""
    from dataclasses import replace

    from app.core.metadata.jpeg_fields import apply_fields, read_fields

    data = path.read_bytes()
    path.write_bytes(apply_fields(data, replace(read_fields(data), xp=list(keywords))))
    assert read_fields(path.read_bytes()).xp == list(keywords)
    return path


def as_an_older_version_wrote_it(index: PhotoIndex, photo: Path, payload_of=None, digest: bool = False) -> bytes:
    """Turn our newest write of `photo`, a JPEG without EXIF, into what a version before
    2026-12-05 left: an EXIF segment it created for XPKeywords after the leading APP0
    segments (`payload_of(keywords)`; by default XPKeywords alone, as until 2026-12-04),
    and a journal entry saying so (that segment created: no saved payload; XPKeywords
    written), with the SHA-256 of the bytes (`digest`, as versions since 2026-12-04 21:13
    recorded it) or none. The file keeps its time; a second call stands for another
    program's edit of that segment (exiftool -P), its size and time in the entry."""
    import json

    from app.core.metadata import journal, recovery
    from app.core.metadata.exif_keywords import older_creations
    from app.core.metadata.jpeg_fields import restore_segments, with_created_exif
    from app.core.metadata.keywords import field_keyword

    entry = journal.file_history(index, photo).last_entry
    keywords = [field_keyword("xp", entry.after["label"])]
    payload = (payload_of or (lambda xp: older_creations(xp, None)[0]))(keywords)
    data, stat = photo.read_bytes(), photo.stat()
    new = with_created_exif(restore_segments(data, {"exif": None}), payload)
    photo.write_bytes(new)
    os.utime(photo, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    stat = photo.stat()
    before = {**entry.before, "segments": {**entry.before["segments"], "exif": None}}
    after = {key: value for key, value in entry.after.items() if key not in ("sha256", "size", "fingerprint")}
    after["fields"] = {**after["fields"], "xp": keywords}
    if digest:
        after.update(sha256=recovery.file_digest(new), size=len(new), fingerprint=journal.fingerprint_of(new))
    with index.transaction() as conn:
        conn.execute("UPDATE write_journal SET before = ?, after = ?, size_after = ?, mtime_ns_after = ? WHERE id = ?",
                     (json.dumps(before), json.dumps(after), stat.st_size, stat.st_mtime_ns, entry.id))
    journal.update_indexed_file(index, photo, stat, new)
    return new


def with_xmp_packet(path: Path, packet: bytes) -> Path:
    """The JPEG at `path` with its XMP segment holding `packet` (a packet as another
    program left it, byte for byte)."""
    from app.core.metadata.jpeg_fields import restore_segments
    from app.core.metadata.jpeg_segments import XMP_HEADER

    path.write_bytes(restore_segments(path.read_bytes(), {"xmp": XMP_HEADER + packet}))
    return path


def xmp_packet(data: bytes) -> bytes:
    """The XMP packet of the JPEG `data` (its XMP segment past the header)."""
    from app.core.metadata.jpeg_segments import XMP_HEADER, parse_jpeg

    return parse_jpeg(data).first("xmp").payload[len(XMP_HEADER):]


def edited_by_another_program(photo: Path, name: str, value: str) -> Path:
    """The JPEG `photo` with xmp:`name` set to `value` in its XMP, as another program's
    edit since our write leaves it (undo must then revert our fields alone)."""
    from app.core.metadata.xmp import XmpDocument

    data = photo.read_bytes()
    doc = XmpDocument.parse(xmp_packet(data))
    doc.set_text("http://ns.adobe.com/xap/1.0/", name, value)
    return with_xmp_packet(photo, doc.serialize())


def description_holding(packet: bytes, tag: str) -> int:
    """Which rdf:Description of `packet` (counted from 0) holds the element `tag`
    ("{namespace}name"): a write keeps an element where it was."""
    from app.core.metadata.xmp import RDF, XmpDocument

    descriptions = XmpDocument.parse(packet).root.iter(f"{{{RDF}}}Description")
    return next(at for at, description in enumerate(descriptions) if description.find(tag) is not None)


def raw_with_sidecar_packet(folder: Path, packet: bytes) -> tuple[Path, Path]:
    """(RAW, sidecar): a RAW stand-in (never read) and a DSC_0001.NEF.xmp holding `packet`."""
    raw = folder / "DSC_0001.NEF"
    raw.write_bytes(b"not really a raw file, never read")
    sidecar = folder / "DSC_0001.NEF.xmp"
    sidecar.write_bytes(packet)
    return raw, sidecar


def raw_with_sidecar(folder: Path, sidecar_name: str, text: str) -> tuple[Path, Path, bytes]:
    """A RAW stand-in (never opened) and a sidecar an editor left beside it."""
    folder.mkdir(exist_ok=True)
    raw = folder / "DSC_0001.NEF"
    raw.write_bytes(b"not really a raw file, never opened")
    sidecar = folder / sidecar_name
    sidecar.write_text(text)
    return raw, sidecar, sidecar.read_bytes()
