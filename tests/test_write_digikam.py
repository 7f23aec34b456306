"""digiKam reads a photo's tags from XMP digiKam:TagsList first and looks at
lr:hierarchicalSubject, dc:subject and IPTC only when it is absent: a photo or sidecar
digiKam has tagged gets our `Landmarks/<name>` in its TagsList too, by the same keyword
policy as the other fields; a file without one gets none."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

from app.core.metadata import plan_writes, undo_last_write
from app.core.metadata.jpeg_fields import apply_fields, read_fields
from app.core.metadata.jpeg_segments import APP1, XMP_HEADER, Segment, build_jpeg, insertion_index, parse_jpeg
from app.core.metadata.sidecar import fields_of_sidecar
from app.core.metadata.verify import exiftool_changes, exiftool_fields
from tests.test_metadata_support import add_photo, as_list, exiftool_tags, make_jpeg, require_exiftool
from tests.test_write_keyword_policy import index, write_all  # noqa: F401 (index: a fixture)

DIGIKAM_NS = "http://www.digikam.org/ns/1.0/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
USER_TAGS = ["People/Anna", "Trips/Rome 2019"]


def digikam_packet(tags: list[str] | None, sidecar: bool = False) -> str:
    """XMP as digiKam writes it: TagsList (an rdf:Seq, when `tags` is given), its mirror
    in lr:hierarchicalSubject and dc:subject, and a rating that is none of ours."""
    leaf = [tag.rsplit("/", 1)[-1] for tag in tags or ["Anna"]]
    hierarchical = [tag.replace("/", "|") for tag in tags or ["People/Anna"]]

    def items(values: list[str]) -> str:
        return "".join(f"<rdf:li>{value}</rdf:li>" for value in values)

    tags_list = f"<digiKam:TagsList><rdf:Seq>{items(tags)}</rdf:Seq></digiKam:TagsList>" if tags is not None else ""
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if sidecar else ""
    return (
        head + '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">'
        f'<rdf:RDF xmlns:rdf="{RDF_NS}">'
        '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        f'xmlns:digiKam="{DIGIKAM_NS}" xmlns:lr="http://ns.adobe.com/lightroom/1.0/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmp:Rating="4">'
        f"{tags_list}"
        f"<lr:hierarchicalSubject><rdf:Bag>{items(hierarchical)}</rdf:Bag></lr:hierarchicalSubject>"
        f"<dc:subject><rdf:Bag>{items(leaf)}</rdf:Bag></dc:subject>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>\n"
    )


def jpeg_with_xmp(path: Path, packet: str) -> Path:
    """A camera-like JPEG with an XMP segment holding `packet`."""
    make_jpeg(path)
    data = path.read_bytes()
    layout = parse_jpeg(data)
    segments = list(layout.segments)
    segments.insert(insertion_index(segments), Segment(APP1, XMP_HEADER + packet.encode("utf-8")))
    path.write_bytes(build_jpeg(segments, memoryview(data)[layout.scan_offset :]))
    return path


def raw_with_digikam_sidecar(folder: Path, tags: list[str] | None = USER_TAGS) -> tuple[Path, Path]:
    raw = folder / "DSC_0001.NEF"
    raw.write_bytes(b"not really a raw file, never opened")
    sidecar = folder / "DSC_0001.NEF.xmp"
    sidecar.write_text(digikam_packet(tags, sidecar=True), encoding="utf-8")
    return raw, sidecar


def xmp_of(data: bytes) -> bytes:
    return parse_jpeg(data).first("xmp").payload[len(XMP_HEADER) :]


def tags_list_containers(packet: bytes) -> list[str]:
    """The container kinds of every digiKam:TagsList in a packet ("Seq", ...)."""
    body = packet.decode("utf-8")
    body = body[body.index("<x:xmpmeta") :]
    root = ET.fromstring(body[: body.rindex("</x:xmpmeta>") + len("</x:xmpmeta>")])
    return [child.tag.split("}")[1] for prop in root.iter(f"{{{DIGIKAM_NS}}}TagsList") for child in prop]


def tags_list(path: Path) -> list[str]:
    """TagsList as exiftool reads it (the reader digiKam users compare with)."""
    require_exiftool()
    return as_list(exiftool_tags(path, "XMP-digiKam:TagsList").get("XMP-digiKam:TagsList"))


def test_a_digikam_tagged_jpeg_gets_the_landmark_in_its_tags_list(tmp_path, index):
    require_exiftool()
    photo = jpeg_with_xmp(tmp_path / "a.jpg", digikam_packet(USER_TAGS))
    original = photo.read_bytes()
    before = exiftool_fields(photo)
    add_photo(index, [photo], "Colosseum")
    assert write_all(index).written == 1
    assert tags_list(photo) == ["People/Anna", "Trips/Rome 2019", "Landmarks/Colosseum"]
    written = photo.read_bytes()
    assert tags_list_containers(xmp_of(written)) == ["Seq"]  # still digiKam's ordered list
    assert read_fields(written).digikam == ["People/Anna", "Trips/Rome 2019", "Landmarks/Colosseum"]
    # the other fields as before, everything else untouched
    fields = read_fields(written)
    assert fields.hierarchical == ["People|Anna", "Trips|Rome 2019", "Landmarks|Colosseum"]
    assert fields.subject == ["Anna", "Rome 2019", "Colosseum"]
    old_layout, new_layout = parse_jpeg(original), parse_jpeg(written)
    assert original[old_layout.scan_offset :] == written[new_layout.scan_offset :]
    assert exiftool_changes(before, exiftool_fields(photo)) == set()
    assert exiftool_fields(photo)["XMP-xmp:Rating"] == 4


def test_relabelling_replaces_only_our_tag(tmp_path, index):
    photo = jpeg_with_xmp(tmp_path / "a.jpg", digikam_packet(USER_TAGS))
    photo_id = add_photo(index, [photo], "Colosseum")
    write_all(index)
    index.set_label(photo_id, "Pantheon")
    write_all(index)
    assert tags_list(photo) == ["People/Anna", "Trips/Rome 2019", "Landmarks/Pantheon"]
    assert tags_list_containers(xmp_of(photo.read_bytes())) == ["Seq"]


def test_a_landmark_tag_the_user_gave_in_digikam_stays_on_relabel(tmp_path, index):
    mine = [*USER_TAGS, "Landmarks/Colosseum"]
    photo = jpeg_with_xmp(tmp_path / "a.jpg", digikam_packet(mine))
    photo_id = add_photo(index, [photo], "Colosseum")
    write_all(index)  # every field holds Colosseum already
    index.set_label(photo_id, "Pantheon")
    write_all(index)
    assert tags_list(photo) == [*mine, "Landmarks/Pantheon"]
    assert read_fields(photo.read_bytes()).hierarchical == [
        "People|Anna", "Trips|Rome 2019", "Landmarks|Colosseum", "Landmarks|Pantheon",
    ]


def test_no_landmark_takes_our_tag_out(tmp_path, index):
    photo = jpeg_with_xmp(tmp_path / "a.jpg", digikam_packet(USER_TAGS))
    photo_id = add_photo(index, [photo], "Colosseum")
    write_all(index)
    assert "Landmarks/Colosseum" in tags_list(photo)
    index.set_label(photo_id, None)
    write_all(index)
    assert tags_list(photo) == USER_TAGS
    assert tags_list_containers(xmp_of(photo.read_bytes())) == ["Seq"]


def test_undo_gives_back_the_original_bytes(tmp_path, index):
    photo = jpeg_with_xmp(tmp_path / "a.jpg", digikam_packet(USER_TAGS))
    original = photo.read_bytes()
    add_photo(index, [photo], "Colosseum")
    write_all(index)
    assert "Landmarks/Colosseum" in tags_list(photo)
    summary = undo_last_write(index)
    assert (summary.written, summary.failed) == (1, 0)
    assert photo.read_bytes() == original


def test_undo_of_a_photo_tagged_again_in_digikam_keeps_the_new_tag(tmp_path, index):
    photo = jpeg_with_xmp(tmp_path / "a.jpg", digikam_packet(USER_TAGS))
    add_photo(index, [photo], "Colosseum")
    write_all(index)
    data = photo.read_bytes()
    fields = read_fields(data)
    assert fields.digikam == [*USER_TAGS, "Landmarks/Colosseum"]
    photo.write_bytes(apply_fields(data, replace(fields, digikam=[*fields.digikam, "People/Marco"])))
    assert undo_last_write(index).failed == 0
    assert tags_list(photo) == [*USER_TAGS, "People/Marco"]
    assert read_fields(photo.read_bytes()).hierarchical == ["People|Anna", "Trips|Rome 2019"]


def test_no_tags_list_is_created_where_there_is_none(tmp_path, index):
    plain = make_jpeg(tmp_path / "plain.jpg")
    tagged_elsewhere = jpeg_with_xmp(tmp_path / "lr.jpg", digikam_packet(None))
    add_photo(index, [plain], "Colosseum")
    add_photo(index, [tagged_elsewhere], "Colosseum")
    assert write_all(index).written == 2
    for photo in (plain, tagged_elsewhere):
        data = photo.read_bytes()
        assert read_fields(data).digikam is None
        assert b"TagsList" not in xmp_of(data) and b"digikam.org" not in xmp_of(data).replace(
            b'xmlns:digiKam="http://www.digikam.org/ns/1.0/"', b""
        )
        assert "Landmarks|Colosseum" in read_fields(data).hierarchical  # what digiKam reads then
        assert tags_list(photo) == []


def test_the_dry_run_names_the_tags_list(tmp_path, index):
    mine = ["People/Anna", "Trips/Rome 2019"]
    photo = jpeg_with_xmp(tmp_path / "a.jpg", digikam_packet(mine))
    data = photo.read_bytes()
    fields = read_fields(data)
    # Lightroom gave it the landmark in every other field; digiKam's list lacks it
    photo.write_bytes(apply_fields(data, replace(
        fields, subject=[*fields.subject, "Colosseum"], hierarchical=[*fields.hierarchical, "Landmarks|Colosseum"],
        iptc=["Colosseum"], xp=["Colosseum"],
    )))
    add_photo(index, [photo], "Colosseum")
    (item,) = plan_writes(index)
    assert item.describe().endswith("(changes only XMP digiKam:TagsList)")
    assert item.after.digikam == [*mine, "Landmarks/Colosseum"]


def test_a_slash_in_a_label_adds_no_level(tmp_path, index):
    photo = jpeg_with_xmp(tmp_path / "a.jpg", digikam_packet(USER_TAGS))
    add_photo(index, [photo], "Tower 1/2")
    write_all(index)
    assert read_fields(photo.read_bytes()).digikam == [*USER_TAGS, "Landmarks/Tower 1|2"]


def test_a_digikam_sidecar_gets_the_tag_and_undo_restores_it(tmp_path, index):
    raw, sidecar = raw_with_digikam_sidecar(tmp_path)
    original = sidecar.read_bytes()
    photo_id = add_photo(index, [raw], "Colosseum")
    write_all(index)
    assert tags_list(sidecar) == [*USER_TAGS, "Landmarks/Colosseum"]
    assert tags_list_containers(sidecar.read_bytes()) == ["Seq"]
    assert fields_of_sidecar(sidecar.read_bytes()).hierarchical == ["People|Anna", "Trips|Rome 2019", "Landmarks|Colosseum"]
    index.set_label(photo_id, "Pantheon")
    write_all(index)
    assert tags_list(sidecar) == [*USER_TAGS, "Landmarks/Pantheon"]
    index.set_label(photo_id, None)
    write_all(index)
    assert tags_list(sidecar) == USER_TAGS
    for _ in range(3):
        assert undo_last_write(index).failed == 0
    assert sidecar.read_bytes() == original


def test_a_sidecar_without_tags_list_gets_none(tmp_path, index):
    raw, sidecar = raw_with_digikam_sidecar(tmp_path, tags=None)
    add_photo(index, [raw], "Colosseum")
    write_all(index)
    assert fields_of_sidecar(sidecar.read_bytes()).digikam is None
    assert b"TagsList" not in sidecar.read_bytes()
    assert tags_list(sidecar) == []


def _as_old_journal(index) -> None:
    """Make the journal look written by a version that knew no digiKam:TagsList."""
    rows = index.conn.execute("SELECT id, before, after FROM write_journal").fetchall()
    with index.transaction() as conn:
        for entry_id, before, after in rows:
            before, after = json.loads(before), json.loads(after)
            for side in (before, after):
                side["fields"].pop("digikam", None)
            conn.execute("UPDATE write_journal SET before = ?, after = ? WHERE id = ?",
                         (json.dumps(before), json.dumps(after), entry_id))


def test_a_write_journalled_before_the_tags_list_was_known_still_undoes(tmp_path, index):
    photo = jpeg_with_xmp(tmp_path / "a.jpg", digikam_packet(USER_TAGS))
    original = photo.read_bytes()
    add_photo(index, [photo], "Colosseum")
    write_all(index)
    assert "Landmarks/Colosseum" in tags_list(photo)
    # what the older version wrote: every field but the TagsList
    data = photo.read_bytes()
    photo.write_bytes(apply_fields(data, replace(read_fields(data), digikam=USER_TAGS)))
    _as_old_journal(index)
    assert undo_last_write(index).failed == 0
    assert photo.read_bytes() == original


def test_relabel_after_an_older_write_keeps_the_users_landmark_tag(tmp_path, index):
    mine = [*USER_TAGS, "Landmarks/Colosseum"]
    photo = jpeg_with_xmp(tmp_path / "a.jpg", digikam_packet(["People/Anna"]))
    photo_id = add_photo(index, [photo], "Colosseum")
    write_all(index)  # the older version's write: hierarchicalSubject etc., no TagsList
    _as_old_journal(index)
    # digiKam tagged it since (Landmarks/Colosseum by hand), and the index saw that file
    data = photo.read_bytes()
    photo.write_bytes(apply_fields(data, replace(read_fields(data), digikam=mine)))
    stat = photo.stat()
    with index.transaction() as conn:
        conn.execute("UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?",
                     (stat.st_size, stat.st_mtime_ns, str(photo.resolve())))
    index.set_label(photo_id, "Pantheon")
    write_all(index)
    assert tags_list(photo) == [*mine, "Landmarks/Pantheon"]
