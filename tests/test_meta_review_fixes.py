"""Review fixes for writing labels into JPEGs: a label respelt into the same keyword of
a field (that keyword is still ours, and comes out on reject or relabel), and a dry
run that shows what the write will do with a full EXIF block or a full XMP packet."""

from __future__ import annotations

import struct

import pytest

from app.core.metadata import WriteOptions, plan_writes, write_labels
from app.core.metadata.jpeg_fields import apply_fields, read_fields
from app.core.metadata.keywords import KeywordFields
from tests import test_write_keyword_policy
from tests.test_metadata_support import add_photo, make_jpeg, with_xp_keywords
from tests.test_write_keyword_policy import write_all
from tests.test_write_odd_files import full_exif_jpeg

index = test_write_keyword_policy.index  # the fixture: an index of its own in tmp_path

LONG = "Mont-Saint-Michel Abbey and its Bay, Normandy (UNESCO World Heritage)"
RESPELT = [
    ("AC|DC Tower", "AC/DC Tower"),  # both Landmarks|AC/DC Tower in lr:hierarchicalSubject
    ("Tokyo/Skytree", "Tokyo|Skytree"),  # both Landmarks|Tokyo/Skytree
    ("Fontaine; Aix", "Fontaine, Aix"),  # both "Fontaine, Aix" in XPKeywords
    (LONG, LONG.replace(")", " Site)")),  # the same first 64 bytes: one IPTC keyword
]


def _labelled_twice(index, photo, first, second) -> int:
    photo_id = add_photo(index, [photo], first)
    write_all(index)
    index.set_label(photo_id, second)  # the user corrects the spelling
    write_all(index)
    return photo_id


@pytest.mark.parametrize("first, second", RESPELT)
def test_a_respelt_label_rejected_leaves_no_keyword_of_ours(tmp_path, index, first, second):
    photo = make_jpeg(tmp_path / "a.jpg")
    photo_id = _labelled_twice(index, photo, first, second)
    index.set_state([photo_id], "rejected")
    write_all(index)
    assert read_fields(photo.read_bytes()) == KeywordFields()  # a new index reads no label back


@pytest.mark.parametrize("first, second", RESPELT[:1])
def test_a_respelt_label_relabelled_leaves_one_landmark(tmp_path, index, first, second):
    photo = make_jpeg(tmp_path / "a.jpg")
    photo_id = _labelled_twice(index, photo, first, second)
    index.set_label(photo_id, "Eiffel Tower")
    write_all(index)
    fields = read_fields(photo.read_bytes())
    assert fields.hierarchical == ["Landmarks|Eiffel Tower"] and fields.subject == ["Eiffel Tower"]


def test_the_users_own_keyword_typed_before_our_first_write_stays_through_respellings(tmp_path, index):
    photo = make_jpeg(tmp_path / "a.jpg")
    mine = KeywordFields(["Holiday"], ["Landmarks|AC/DC Tower"], ["Holiday"], ["Fontaine, Aix"])
    photo.write_bytes(apply_fields(photo.read_bytes(), mine))
    photo_id = add_photo(index, [photo], "AC|DC Tower")
    write_all(index)
    for label in ("AC/DC Tower", "Fontaine; Aix", "Fontaine, Aix"):
        index.set_label(photo_id, label)
        write_all(index)
    index.set_state([photo_id], "rejected")
    write_all(index)
    assert read_fields(photo.read_bytes()) == mine


def test_the_dry_run_of_a_full_exif_block_shows_xpkeywords_left(tmp_path, index):
    photo = full_exif_jpeg(tmp_path / "a.jpg")
    add_photo(index, [photo], "Petra")
    (item,) = plan_writes(index)
    assert item.after.xp == ["Family"] and item.after.subject == ["Petra"]  # XPKeywords left as it was
    assert "XPKeywords" in item.describe() and "XPKeywords" in item.to_json()["note"]
    summary = write_all(index)
    assert summary.notes == [(str(photo), item.note)]
    assert read_fields(photo.read_bytes()) == item.after


def _with_xmp_near_the_segment_limit(photo):
    """The JPEG with one XMP packet filling its 64 KB segment but for 20 bytes (a long
    dc:description, as a Lightroom develop history can be)."""
    head = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag>'
            '<rdf:li>Holiday</rdf:li></rdf:Bag></dc:subject><dc:description><rdf:Alt><rdf:li xml:lang="x-default">')
    tail = "</rdf:li></rdf:Alt></dc:description></rdf:Description></rdf:RDF></x:xmpmeta>"
    namespace = b"http://ns.adobe.com/xap/1.0/\0"
    room = 65533 - len(namespace) - len((head + tail).encode()) - 20
    payload = namespace + (head + "d" * room + tail).encode()
    data = photo.read_bytes()
    photo.write_bytes(data[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + data[2:])
    return photo


def test_the_dry_run_of_a_full_xmp_packet_says_it_cannot_be_written(tmp_path, index):
    photo = _with_xmp_near_the_segment_limit(make_jpeg(tmp_path / "a.jpg"))
    original = photo.read_bytes()
    add_photo(index, [photo], "Petra Treasury Al-Khazneh")
    (item,) = plan_writes(index)
    assert not item.changes_anything and item.describe() == f"{photo}: cannot write: {item.problem}"
    assert "XMP packet" in item.problem and item.to_json()["problem"] == item.problem
    summary = write_labels(index, plan_writes(index), WriteOptions())
    assert summary.errors == [(str(photo), f"{photo}: {item.problem}")]
    assert photo.read_bytes() == original


def test_the_apps_write_dialog_shows_the_note_of_a_full_exif_block(tmp_path, index, qtbot):
    """The dry run's note (XPKeywords left out) reached the CLI only: the app's plan
    showed "—" in the row of a file the write would write without XPKeywords."""
    from app.gui.write_dialog import WritePlanDialog

    full_exif_jpeg(tmp_path / "a.jpg")
    add_photo(index, [tmp_path / "a.jpg"], "Petra")
    dialog = WritePlanDialog(plan_writes(index), include_suggested=False)
    qtbot.addWidget(dialog)
    problem = dialog.table.item(0, 4).text()
    assert problem.startswith("note: ") and "XPKeywords" in problem
    assert dialog.write_button.text() == "Write 1 file"


def test_the_plan_parses_each_changing_jpeg_once(tmp_path, index, monkeypatch):
    """The plan read a changing JPEG's segments three times (its keywords, then again
    twice to see whether they fit): 3.2 times the plan's time on camera JPEGs."""
    from app.core.metadata import jpeg_segments

    photo = with_xp_keywords(make_jpeg(tmp_path / "a.jpg"))  # the EXIF block changes too
    add_photo(index, [photo], "Petra")
    layouts = []

    class CountedLayout(jpeg_segments.JpegLayout):
        def __init__(self, *args):
            layouts.append(args)
            super().__init__(*args)

    monkeypatch.setattr(jpeg_segments, "JpegLayout", CountedLayout)
    (item,) = plan_writes(index)
    assert item.changes_anything and item.after.xp == ["Petra"]
    assert len(layouts) == 1


def test_a_plan_made_by_hand_that_expects_xpkeywords_to_fit_says_so(tmp_path, index):
    """The write called a full EXIF block that the plan did not foresee 'changed since
    the plan', the wrong cause where nothing changed and the plan was made by hand."""
    from dataclasses import replace

    photo = full_exif_jpeg(tmp_path / "a.jpg")
    original = photo.read_bytes()
    add_photo(index, [photo], "Petra")
    (item,) = plan_writes(index)
    by_hand = replace(item, after=replace(item.after, xp=["Family", "Petra"]), note=None)
    summary = write_labels(index, [by_hand], WriteOptions())
    ((path, message),) = summary.errors
    assert "plan expected XPKeywords to fit" in message and "nothing was written" in message
    assert "changed" not in message.removeprefix(f"{photo}: ")
    assert photo.read_bytes() == original


def test_the_dry_run_of_real_camera_jpegs_agrees_with_their_write(tmp_path, index, shared_data):
    """The camera JPEGs (none holds XPKeywords, which a write leaves uncreated) and one
    whose EXIF block is full: what the plan says each write gives, note included, is
    what the write gives."""
    import shutil

    for source in sorted((shared_data / "camera" / "jpeg").glob("*.jpg")):
        add_photo(index, [shutil.copyfile(source, tmp_path / source.name)], "Colosseum")
    add_photo(index, [full_exif_jpeg(tmp_path / "full.jpg")], "Colosseum")
    plan = plan_writes(index)
    assert len(plan) > 1 and all(item.problem is None for item in plan)
    summary = write_all(index)
    assert summary.notes == [(str(i.target), i.note) for i in plan if i.note] and len(summary.notes) == 1
    for item in plan:
        assert read_fields(item.target.read_bytes()) == item.after, item.target
