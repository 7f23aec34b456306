"""Windows writes MicrosoftPhoto:LastKeywordXMP with System.Keywords (Explorer, Photo
Gallery), and digiKam reads it before lr:hierarchicalSubject, so a photo tagged in Windows
showed digiKam its Windows keywords and not our landmark. Where the XMP holds one, it gets
`Landmarks/<name>` by the rules of digiKam:TagsList: the user's entries stay, only ours is
replaced or taken out, none is created, undo takes ours back."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

from app.core.metadata import WriteOptions, plan_writes, undo_last_write
from app.core.metadata.jpeg_fields import apply_fields, read_fields, restore_segments
from app.core.metadata.jpeg_segments import XMP_HEADER, parse_jpeg
from app.core.metadata.keywords import KeywordFields, label_fields, revert_fields
from app.core.metadata.sidecar import fields_of_sidecar
from app.core.metadata.xmp import MICROSOFT_PHOTO, XmpDocument
from tests.test_hierarchical_from_plain_keywords import digikam_tags, exiftool_list
from tests.test_metadata_real_jpegs import validate
from tests.test_metadata_support import add_photo, make_jpeg, require_exiftool
from tests.test_write_keyword_policy import index, write_all  # noqa: F401 (index: a fixture)

WINDOWS = ["Family", "Rome"]
ABOUT = "uuid:faf5bdd5-ba3d-11da-ad31-d33d75182f1b"
# As Windows writes it: one line, a Description per namespace, the namespace with its final slash
WINDOWS_PACKET = (
    "<?xpacket begin='\ufeff' id='W5M0MpCehiHzreSzNTczkc9d'?>\r\n"
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    f'<rdf:Description rdf:about="{ABOUT}" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject>'
    '<rdf:Bag xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:li>Family</rdf:li><rdf:li>Rome</rdf:li>'
    f'</rdf:Bag></dc:subject></rdf:Description><rdf:Description rdf:about="{ABOUT}" '
    'xmlns:MicrosoftPhoto="http://ns.microsoft.com/photo/1.0/"><MicrosoftPhoto:LastKeywordXMP>'
    '<rdf:Bag xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:li>Family</rdf:li><rdf:li>Rome</rdf:li>'
    "</rdf:Bag></MicrosoftPhoto:LastKeywordXMP></rdf:Description></rdf:RDF></x:xmpmeta>\r\n"
    "<?xpacket end='w'?>"
).encode()


def windows_jpeg(path: Path) -> Path:
    """A photo tagged in Windows Explorer: dc:subject, LastKeywordXMP and XPKeywords."""
    make_jpeg(path)
    data = restore_segments(path.read_bytes(), {"xmp": XMP_HEADER + WINDOWS_PACKET})
    path.write_bytes(apply_fields(data, replace(read_fields(data), xp=WINDOWS)))
    fields = read_fields(path.read_bytes())
    assert (fields.subject, fields.microsoft, fields.hierarchical) == (WINDOWS, WINDOWS, None)
    return path


def exiftool_jpeg(path: Path) -> Path:
    """LastKeywordXMP as exiftool (and digiKam through it) writes it: its namespace without the slash."""
    make_jpeg(path)
    subprocess.run([require_exiftool(), "-q", "-overwrite_original",
                    *(f"-XMP-dc:Subject={k}" for k in WINDOWS), *(f"-XMP-microsoft:LastKeywordXMP={k}" for k in WINDOWS),
                    str(path)], check=True)
    assert read_fields(path.read_bytes()).microsoft == WINDOWS
    return path


def xmp_of(photo: Path) -> bytes:
    return parse_jpeg(photo.read_bytes()).first("xmp").payload[len(XMP_HEADER):]


def test_digikam_sees_the_landmark_of_a_photo_tagged_in_windows(tmp_path, index):
    photo = windows_jpeg(tmp_path / "a.jpg")
    original = photo.read_bytes()
    warnings = validate(photo)
    assert digikam_tags(read_fields(original)) == WINDOWS
    add_photo(index, [photo], "Colosseum")
    write_all(index)
    fields = read_fields(photo.read_bytes())
    assert fields.microsoft == [*WINDOWS, "Landmarks/Colosseum"]
    assert digikam_tags(fields) == [*WINDOWS, "Landmarks/Colosseum"]  # was ["Family", "Rome"]
    assert exiftool_list(photo, "LastKeywordXMP") == [*WINDOWS, "Landmarks/Colosseum"]
    assert xmp_of(photo).count(b"http://ns.microsoft.com/photo/1.0/") == 1  # Windows' spelling kept
    assert validate(photo) <= warnings
    assert undo_last_write(index).written == 1
    assert photo.read_bytes() == original


def test_exiftools_spelling_of_the_namespace_is_kept(tmp_path, index):
    photo = exiftool_jpeg(tmp_path / "a.jpg")
    original = photo.read_bytes()
    add_photo(index, [photo], "Colosseum")
    write_all(index)
    assert exiftool_list(photo, "LastKeywordXMP") == [*WINDOWS, "Landmarks/Colosseum"]
    packet = xmp_of(photo)
    assert b"'http://ns.microsoft.com/photo/1.0'" in packet or b'"http://ns.microsoft.com/photo/1.0"' in packet
    assert MICROSOFT_PHOTO.encode() not in packet
    assert undo_last_write(index).written == 1
    assert photo.read_bytes() == original


def test_a_photo_without_one_gets_none(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields(subject=WINDOWS)))
    add_photo(index, [photo], "Colosseum")
    write_all(index)
    assert b"LastKeywordXMP" not in xmp_of(photo) and read_fields(photo.read_bytes()).microsoft is None


def test_a_relabel_replaces_ours_and_a_rejection_takes_it_out(tmp_path, index):
    photo = windows_jpeg(tmp_path / "a.jpg")
    photo_id = add_photo(index, [photo], "Colosseum")
    write_all(index)
    index.set_label(photo_id, "Pantheon")
    [item] = plan_writes(index)
    assert item.after.microsoft == [*WINDOWS, "Landmarks/Pantheon"]
    write_all(index)
    assert read_fields(photo.read_bytes()).microsoft == [*WINDOWS, "Landmarks/Pantheon"]
    index.set_label(photo_id, "Pantheon", state="rejected")
    write_all(index)
    assert read_fields(photo.read_bytes()).microsoft == WINDOWS


def test_the_dry_run_names_it_where_it_alone_lacks_the_landmark(tmp_path, index):
    photo = windows_jpeg(tmp_path / "a.jpg")
    data = photo.read_bytes()
    fields = read_fields(data)
    # labelled by an older version: every other field holds the landmark
    photo.write_bytes(apply_fields(data, replace(
        fields, subject=[*WINDOWS, "Colosseum"], hierarchical=["Landmarks|Colosseum"], xp=[*WINDOWS, "Colosseum"])))
    add_photo(index, [photo], "Colosseum")
    [item] = plan_writes(index)
    assert item.describe().endswith("(changes only XMP MicrosoftPhoto:LastKeywordXMP)")


def test_undo_of_a_file_edited_since_takes_out_ours_alone(tmp_path, index):
    photo = windows_jpeg(tmp_path / "a.jpg")
    add_photo(index, [photo], "Colosseum")
    write_all(index)
    written = read_fields(photo.read_bytes())
    # Windows Explorer adds a keyword: System.Keywords goes into dc:subject and LastKeywordXMP
    photo.write_bytes(apply_fields(photo.read_bytes(), replace(
        written, subject=[*written.subject, "Beach"], microsoft=[*written.microsoft, "Beach"])))
    assert undo_last_write(index).written == 1
    assert read_fields(photo.read_bytes()).microsoft == [*WINDOWS, "Beach"]


def test_a_sidecar_digikam_wrote_gets_it_in_both_of_its_lists(tmp_path, index):
    raw = tmp_path / "DSC_0001.NEF"
    raw.write_bytes(b"not really a raw file, never read")
    sidecar = tmp_path / "DSC_0001.NEF.xmp"
    tags = [f"-XMP-digiKam:TagsList={k}" for k in WINDOWS] + [f"-XMP-microsoft:LastKeywordXMP={k}" for k in WINDOWS]
    subprocess.run([require_exiftool(), "-q", "-o", str(sidecar), *tags, str(make_jpeg(tmp_path / "s.jpg"))], check=True)
    original = sidecar.read_bytes()
    add_photo(index, [raw], "Colosseum")
    write_all(index, WriteOptions())
    fields = fields_of_sidecar(sidecar.read_bytes())
    assert fields.digikam == fields.microsoft == [*WINDOWS, "Landmarks/Colosseum"]
    assert undo_last_write(index).written == 1
    assert sidecar.read_bytes() == original


def test_never_created_and_gone_since_not_put_back() -> None:
    assert label_fields(KeywordFields(subject=WINDOWS), "Colosseum", None).microsoft is None
    before = KeywordFields(subject=WINDOWS, microsoft=WINDOWS)
    after = label_fields(before, "AC/DC Tower", None)
    assert after.microsoft == [*WINDOWS, "Landmarks/AC|DC Tower"]  # a tag path, as digiKam splits it at "/"
    assert revert_fields(after, before, after) == before
    gone = replace(after, microsoft=None)  # Windows removed it since
    assert revert_fields(gone, before, after).microsoft is None


def test_the_namespace_spellings_are_one_property() -> None:
    doc = XmpDocument.parse(WINDOWS_PACKET.replace(b"photo/1.0/", b"photo/1.0"))
    assert doc.get_bag(MICROSOFT_PHOTO, "LastKeywordXMP") == WINDOWS
    doc.set_bag(MICROSOFT_PHOTO, "LastKeywordXMP", None)
    assert doc.get_bag(MICROSOFT_PHOTO, "LastKeywordXMP") is None and b"LastKeywordXMP" not in doc.serialize()
