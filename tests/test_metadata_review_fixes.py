"""Defects a review of `write` found, each kept fixed: a rejected label's keyword comes
out of the photo; a label holding `|` reads back under its own name; a stale IPTC
digest stays stale; a CR LF in an XMP value survives; the user's keywords keep their
bytes; a field our write created goes once emptied; a damaged photo is named as such;
a dry run shows IPTC-only keywords; a JPEG's old sidecar follows its label."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, undo_last_write, write_labels
from app.core.metadata import iptc
from app.core.metadata.jpeg_fields import apply_fields, read_fields, restore_segments
from app.core.metadata.jpeg_segments import XMP_HEADER, parse_jpeg
from app.core.metadata.keywords import KeywordFields, label_fields
from app.core.metadata.read_back import landmark_of
from app.core.metadata.sidecar import fields_of_sidecar
from app.core.metadata.verify import VerificationError, verify_jpeg
from app.core.metadata.xmp import DC, XmpDocument
from app.core.scanner import scan
from tests.test_metadata_support import add_photo, exiftool_tags, make_jpeg, require_exiftool, with_iptc_block, with_xp_keywords


from tests.test_write_keyword_policy import index, write_all  # noqa: E402,F401


def _labels(db: Path) -> dict[str, tuple[str | None, str]]:
    with PhotoIndex.open(db) as fresh:
        return {Path(p.path).name: (p.label, p.state) for p in fresh.search("")}


# -- 1. a rejected label's keyword comes out -------------------------------------------


def test_a_rejected_written_label_is_taken_out_listed_and_undone(tmp_path, index):
    folder = tmp_path / "photos"
    folder.mkdir()
    photo = make_jpeg(folder / "DSC_0001.jpg")
    scan(index, [folder])
    photo_id = index.search("")[0].id
    index.set_label(photo_id, "Colosseum")
    write_all(index)
    index.set_state([photo_id], "rejected")
    (item,) = plan_writes(index)
    assert item.changes_anything and '"Colosseum" -> none' in item.describe() and "rejected" in item.describe()
    write_all(index)
    fields = read_fields(photo.read_bytes())
    assert "Colosseum" not in (fields.subject or []) + (fields.iptc or []) + (fields.xp or [])
    assert "Landmarks|Colosseum" not in (fields.hierarchical or [])
    with PhotoIndex.open(tmp_path / "fresh.db") as fresh:  # an index built anew
        scan(fresh, [folder])
    assert _labels(tmp_path / "fresh.db") == {"DSC_0001.jpg": (None, "unlabelled")}
    assert undo_last_write(index).written == 1
    assert read_fields(photo.read_bytes()).hierarchical == ["Landmarks|Colosseum"]
    assert index.search("")[0].state == "rejected"  # undo puts the file back, not the word


def test_a_rejected_photo_with_nothing_of_ours_is_not_listed(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    add_photo(index, [photo], "Colosseum", state="rejected")
    assert plan_writes(index) == []


# -- 2. a label holding '|' --------------------------------------------------------------


def test_a_label_with_a_bar_reads_back_as_given_and_a_relabel_leaves_nothing(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    photo = with_xp_keywords(with_iptc_block(make_jpeg(folder / "DSC_0001.jpg")))
    with PhotoIndex.open(tmp_path / "one.db") as one:
        scan(one, [folder])
        one.set_label(one.search("")[0].id, "AC|DC Tower")
        write_all(one)
    with PhotoIndex.open(tmp_path / "two.db") as two:  # a lost index, built anew
        scan(two, [folder])
        assert [p.label for p in two.search("")] == ["AC|DC Tower"]
        assert all(not item.changes_anything for item in plan_writes(two))
        two.set_label(two.search("")[0].id, "Petronas Towers")
        write_all(two)
    assert read_fields(photo.read_bytes()) == KeywordFields(
        ["Petronas Towers"], ["Landmarks|Petronas Towers"], ["Petronas Towers"], ["Petronas Towers"])


def test_the_keyword_replaced_is_found_per_field_under_either_spelling():
    # an index an older version rebuilt holds "AC/DC Tower"; the file says "AC|DC Tower"
    current = KeywordFields(["Rome", "AC|DC Tower"], ["Landmarks|AC/DC Tower"], ["AC|DC Tower"], ["AC|DC Tower"])
    after = label_fields(current, "Petronas Towers", "AC/DC Tower")
    # the hierarchy and IPTC held the keyword replaced alone: they start from dc:subject, as new ones
    assert after == KeywordFields(["Rome", "Petronas Towers"], ["Rome", "Landmarks|Petronas Towers"],
                                  ["Rome", "Petronas Towers"], ["Petronas Towers"])
    assert landmark_of(["Landmarks|AC/DC Tower"], ["Rome", "AC|DC Tower"]) == "AC|DC Tower"
    assert landmark_of(["Landmarks|AC/DC Tower"], ["AC/DC Tower"]) == "AC/DC Tower"


# -- 3. a stale IPTC digest stays stale ----------------------------------------------------


def _photoshop_block(datasets: bytes, digest: bytes) -> bytes:
    resources = [iptc.Resource(iptc.IPTC_RESOURCE, b"\x00\x00", datasets),
                 iptc.Resource(iptc.DIGEST_RESOURCE, b"\x00\x00", digest)]
    return iptc.build_resources(resources)


def _digest(payload: bytes) -> tuple[bytes, bytes]:
    """(the digest stored, the MD5 of the IPTC block now)."""
    resources = {r.id: r.data for r in iptc.parse_resources(payload)}
    return resources[iptc.DIGEST_RESOURCE], hashlib.md5(resources[iptc.IPTC_RESOURCE]).digest()


def test_a_stale_iptc_digest_stays_stale_and_a_current_one_stays_current():
    block = iptc.build_datasets([iptc.DataSet(2, 120, b"Caption typed in a legacy IPTC tool")])
    stale = iptc.set_keywords(_photoshop_block(block, hashlib.md5(b"what the XMP was synced from").digest()),
                              ["Eiffel Tower"])
    stored, now = _digest(stale)
    assert stored == hashlib.md5(b"what the XMP was synced from").digest() and stored != now
    current = iptc.set_keywords(_photoshop_block(block, hashlib.md5(block).digest()), ["Eiffel Tower"])
    stored, now = _digest(current)
    assert stored == now


# -- 4. a CR LF in an XMP value ------------------------------------------------------------


CAPTIONED = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">\r\n <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\r\n'
    '  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" note="a\nb">\r\n'
    '   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">Line one\r\nLine two</rdf:li></rdf:Alt>'
    "</dc:description>\r\n  </rdf:Description>\r\n </rdf:RDF>\r\n</x:xmpmeta>"
)


def _captioned_jpeg(path: Path) -> bytes:
    data = make_jpeg(path).read_bytes()
    assert parse_jpeg(data).first("xmp") is None
    segment = XMP_HEADER + CAPTIONED.encode()
    data = data[:2] + b"\xff\xe1" + (len(segment) + 2).to_bytes(2, "big") + segment + data[2:]
    path.write_bytes(data)
    return data


def test_a_crlf_in_an_xmp_value_survives_a_write_and_verification_compares_it(tmp_path):
    original = _captioned_jpeg(tmp_path / "a.jpg")
    written = apply_fields(original, label_fields(read_fields(original), "Louvre", None))
    packet = parse_jpeg(written).first("xmp").payload[len(XMP_HEADER):]
    doc = XmpDocument.parse(packet)
    li = next(doc.root.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}li"))
    assert li.text == "Line one\r\nLine two"
    assert b"Line one&#xD;\nLine two" in packet and b"</rdf:Description>\r\n" in packet
    assert doc.descriptions()[0].attrib["note"] == "a\nb"
    assert doc.get_bag(DC, "subject") == ["Louvre"]
    # a write that turned the CR LF into LF is caught by the verification
    lost = XMP_HEADER + packet.replace(b"Line one&#xD;\n", b"Line one\n")
    (tmp_path / "a.jpg").write_bytes(restore_segments(written, {"xmp": lost}))
    with pytest.raises(VerificationError, match="other than the keywords"):
        verify_jpeg(tmp_path / "a.jpg", original, read_fields(written))


# -- 5. the user's keywords keep their bytes -------------------------------------------------


def test_the_users_keywords_keep_their_spaces_and_separators(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields([" Holiday ", "Anna"], xp=["Family", " Trip 2019"])))
    photo_id = add_photo(index, [photo], "Louvre")
    write_all(index)
    fields = read_fields(photo.read_bytes())
    assert fields.subject == [" Holiday ", "Anna", "Louvre"]
    assert fields.xp == ["Family", " Trip 2019", " Louvre"]  # "Family; Trip 2019; Louvre"
    index.set_label(photo_id, None)
    write_all(index)
    assert read_fields(photo.read_bytes()).xp == ["Family", " Trip 2019"]


# -- 6. a field our write created goes once emptied ------------------------------------------


def _validation_warnings(path: Path) -> list[str]:
    out = subprocess.run([require_exiftool(), "-validate", "-warning", "-a", "-s3", str(path)],
                         capture_output=True, text=True).stdout
    return sorted(line for line in out.splitlines() if line.strip() and not line[0].isdigit() and line != "OK")


def test_no_landmark_after_a_write_leaves_no_empty_keyword_fields(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    warnings_before = _validation_warnings(photo)
    photo_id = add_photo(index, [photo], "Colosseum")
    write_all(index)
    index.set_label(photo_id, None)
    write_all(index)
    fields = read_fields(photo.read_bytes())
    assert (fields.subject, fields.hierarchical, fields.iptc, fields.xp) == (None, None, None, None)
    assert _validation_warnings(photo) == warnings_before


def test_a_field_the_file_had_stays_empty_when_our_keyword_leaves_it(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields(subject=[])))  # an empty bag of its own
    photo_id = add_photo(index, [photo], "Colosseum")
    write_all(index)
    index.set_label(photo_id, "Roman Forum")
    write_all(index)
    index.set_label(photo_id, None)
    write_all(index)
    fields = read_fields(photo.read_bytes())
    assert fields.subject == [] and fields.hierarchical is None and fields.xp is None


# -- 7. a damaged photo ------------------------------------------------------------------------


def test_a_photo_damaged_after_indexing_is_named_as_damaged_after_the_rescan(tmp_path, index):
    folder = tmp_path / "photos"
    folder.mkdir()
    photo = make_jpeg(folder / "DSC_0001.jpg", size=(640, 480), exif=False)
    scan(index, [folder])
    index.set_label(index.search("")[0].id, "Eiffel Tower")
    photo.write_bytes(photo.read_bytes()[: photo.stat().st_size // 2])  # a failing card
    assert scan(index, [folder]).errors == 1
    (item,) = plan_writes(index)
    assert "damaged" in item.problem and "truncated" in item.problem and "run 'scan' again" not in item.problem
    summary = write_labels(index, [item])
    assert summary.failed == 1 and "restore it from a backup" in summary.errors[0][1]


# -- minor: dry run and a JPEG's old sidecar ------------------------------------------------------


def test_a_dry_run_shows_keywords_kept_only_in_iptc(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields(iptc=["Family"])))
    add_photo(index, [photo], "Louvre")
    (item,) = plan_writes(index)
    assert 'keywords "Family" -> "Family", "Louvre"' in item.describe()


def test_a_jpeg_sidecar_from_a_no_jpeg_write_follows_the_label(tmp_path, index):
    photo = make_jpeg(tmp_path / "DSC_0001.jpg")
    photo_id = add_photo(index, [photo], "Colosseum")
    write_all(index, WriteOptions(write_into_jpeg=False))
    sidecar = tmp_path / "DSC_0001.jpg.xmp"
    index.set_label(photo_id, "Roman Forum")
    write_all(index)
    assert fields_of_sidecar(sidecar.read_bytes()).hierarchical == ["Landmarks|Roman Forum"]
    assert read_fields(photo.read_bytes()).hierarchical == ["Landmarks|Roman Forum"]
    index.set_state([photo_id], "rejected")
    write_all(index)
    assert fields_of_sidecar(sidecar.read_bytes()).hierarchical is None


def test_a_sidecar_another_program_made_for_a_jpeg_is_left_alone(tmp_path, index):
    photo = make_jpeg(tmp_path / "DSC_0001.jpg")
    sidecar = tmp_path / "DSC_0001.jpg.xmp"
    sidecar.write_bytes(b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
                        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about=""/>'
                        b"</rdf:RDF></x:xmpmeta>\n")
    before = sidecar.read_bytes()
    add_photo(index, [photo], "Colosseum")
    assert [item.target for item in plan_writes(index)] == [photo.resolve()]
    write_all(index)
    assert sidecar.read_bytes() == before


def test_exiftool_reads_the_crlf_caption_as_it_was(tmp_path, index):
    require_exiftool()
    photo = tmp_path / "a.jpg"
    _captioned_jpeg(photo)
    before = exiftool_tags(photo, "XMP-dc:Description")
    assert "\r\n" in before["XMP-dc:Description"]
    add_photo(index, [photo], "Louvre")
    write_all(index)
    assert exiftool_tags(photo, "XMP-dc:Description") == before


# -- a rejected label takes out its own keyword only ---------------------------------------


def test_a_rejected_label_leaves_the_users_other_landmark_keyword(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    # the model said Colosseum, the user said no and tagged Trevi Fountain in Lightroom
    photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields(
        ["Trevi Fountain", "Rome"], ["Landmarks|Trevi Fountain"], ["Trevi Fountain", "Rome"], None)))
    add_photo(index, [photo], "Colosseum", state="rejected")
    assert plan_writes(index) == []
    write_all(index)
    fields = read_fields(photo.read_bytes())
    assert fields.hierarchical == ["Landmarks|Trevi Fountain"] and fields.subject == ["Trevi Fountain", "Rome"]


def test_a_rejected_label_with_no_journal_takes_out_its_own_keyword_alone(tmp_path, index):
    photo = make_jpeg(tmp_path / "b.jpg")
    photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields(
        ["Trevi Fountain", "Colosseum"], ["Landmarks|Trevi Fountain", "Landmarks|Colosseum"], None, None)))
    add_photo(index, [photo], "Colosseum", state="rejected")
    write_all(index)
    fields = read_fields(photo.read_bytes())
    assert fields.hierarchical == ["Landmarks|Trevi Fountain"] and fields.subject == ["Trevi Fountain"]


# -- a JPEG follows only the sidecar written for it ------------------------------------------


def test_a_jpeg_leaves_the_sidecar_of_a_photo_with_its_stem_alone(tmp_path, index):
    from PIL import Image

    folder = tmp_path / "photos"
    folder.mkdir()
    jpeg = make_jpeg(folder / "IMG_0100.JPG")
    Image.new("RGB", (32, 24), (10, 200, 30)).save(folder / "IMG_0100.PNG")
    scan(index, [folder])
    photos = {Path(p.path).suffix: p.id for p in index.search("")}  # two photos
    stem = WriteOptions(sidecar_naming="stem")
    index.set_label(photos[".PNG"], "Colosseum")
    write_all(index, stem)
    sidecar = folder / "IMG_0100.xmp"
    index.set_label(photos[".JPG"], "Eiffel Tower")
    plan = plan_writes(index, "", False, stem)
    assert [item.photo_id for item in plan if item.target == sidecar] == [photos[".PNG"]]
    write_all(index, stem)  # no failure either
    assert fields_of_sidecar(sidecar.read_bytes()).hierarchical == ["Landmarks|Colosseum"]
    assert read_fields(jpeg.read_bytes()).hierarchical == ["Landmarks|Eiffel Tower"]


# -- the journal is asked by path through an index -------------------------------------------


def test_the_journal_questions_of_planning_use_the_index_on_path(tmp_path, index):
    from app.core.metadata import journal

    photo = make_jpeg(tmp_path / "a.jpg")
    add_photo(index, [photo], "Louvre")
    write_all(index)
    asked: list[str] = []
    index.conn.set_trace_callback(asked.append)
    try:
        history = journal.file_history(index, photo.resolve())
    finally:
        index.conn.set_trace_callback(None)
    assert history.label == "Louvre" and history.existed is not None
    (query,) = [sql for sql in asked if "write_journal" in sql]  # both answers, one query
    details = " ".join(str(row[-1]) for row in index.conn.execute("EXPLAIN QUERY PLAN " + query))
    assert "write_journal_by_path" in details and "SCAN j" not in details, details


def test_an_index_from_before_gets_the_journal_index_on_path(tmp_path):
    import sqlite3

    db = tmp_path / "old.db"
    PhotoIndex.open(db).close()
    conn = sqlite3.connect(db)
    conn.execute("DROP INDEX write_journal_by_path")
    conn.execute("PRAGMA user_version = 14")
    conn.commit()
    conn.close()
    with PhotoIndex.open(db) as upgraded:
        names = {row[0] for row in upgraded.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "write_journal_by_path" in names


# -- the user's XPKeywords bytes come back ---------------------------------------------------


def test_an_xp_trailing_separator_comes_back_when_our_keyword_leaves(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields(xp=["Family", " "])))  # "Family; "
    photo_id = add_photo(index, [photo], "Louvre")
    write_all(index)
    assert read_fields(photo.read_bytes()).xp == ["Family", " Louvre"]
    index.set_label(photo_id, "Eiffel Tower")
    write_all(index)
    assert read_fields(photo.read_bytes()).xp == ["Family", " Eiffel Tower"]
    index.set_label(photo_id, None)
    write_all(index)
    assert read_fields(photo.read_bytes()).xp == ["Family", " "]  # "Family; " as it was
