"""A relabel replaces a `Landmarks|X` keyword with no write of ours journalled only where
the index records the photo's label was read back from it (read_back_records), not by
comparing the file's time with the label's: a keyword the user typed in Lightroom before
the relabel stays, and one read back is replaced even after a copy gave the file a new
time. Photos labelled before the record was kept (migration 33) go by the time rule."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from app.core.index import PhotoIndex
from app.core.index.schema import migrate
from app.core.metadata import plan_writes
from app.core.metadata.jpeg_fields import apply_fields, read_fields
from app.core.metadata.keywords import KeywordFields
from app.core.scanner import scan
from tests import test_write_keyword_policy as keyword_policy
from tests.test_metadata_support import add_photo, make_jpeg
from tests.test_roundtrip_other_tools import saved_later

index = keyword_policy.index  # the fixture: an index of its own in tmp_path
write_all = keyword_policy.write_all


def tagged(photo: Path, *keywords: str) -> Path:
    """`photo` tagged with these landmarks, as another program (or another index) saves them."""
    photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields(
        ["Rome", *keywords], [f"Landmarks|{k}" for k in keywords], ["Rome", *keywords], None)))
    return photo


def _scanned_then_labelled(folder: Path, index: PhotoIndex, label: str, *keywords: str) -> tuple[Path, int]:
    """A photo in `folder` holding these landmark keywords, scanned, then labelled here."""
    folder.mkdir()
    photo = tagged(make_jpeg(folder / "DSC_0001.jpg"), *keywords)
    assert scan(index, [folder]).labels_read == len(keywords[:1])
    photo_id = index.search("")[0].id
    index.set_label(photo_id, label, source="user", state="accepted")
    return photo, photo_id


def test_a_keyword_typed_in_lightroom_before_a_relabel_here_stays(tmp_path, index):
    photo, photo_id = _scanned_then_labelled(tmp_path / "Rome", index, "Pantheon")
    tagged(photo, "Trevi Fountain")  # typed in Lightroom
    os.utime(photo, ns=(1_600_000_000_000_000_000,) * 2)  # long before the relabel below
    scan(index, [photo.parent])  # the index keeps its word, and records no read back
    index.set_label(photo_id, "Colosseum", source="user", state="accepted")
    [item] = plan_writes(index)
    assert item.previous_label is None
    assert write_all(index).written == 1
    fields = read_fields(photo.read_bytes())
    assert fields.hierarchical == ["Landmarks|Trevi Fountain", "Landmarks|Colosseum"]
    assert fields.subject == ["Rome", "Trevi Fountain", "Colosseum"]


def _read_back_then_relabelled(folder: Path, index: PhotoIndex) -> Path:
    """A photo whose keyword (written from another index) was read back, then relabelled."""
    return _scanned_then_labelled(folder, index, "Colosseum", "Trevi Fountain")[0]


def test_a_keyword_read_back_is_replaced_after_a_copy_gave_its_file_a_new_time(tmp_path, index):
    photo = _read_back_then_relabelled(tmp_path / "Rome", index)
    copy = tmp_path / "copy.jpg"
    shutil.copyfile(photo, copy)
    shutil.copyfile(copy, photo)  # restored from a copy made without its times
    saved_later(photo)
    scan(index, [photo.parent])
    [item] = plan_writes(index)
    assert item.previous_label == "Trevi Fountain"
    assert write_all(index).written == 1
    fields = read_fields(photo.read_bytes())
    # the hierarchy held the keyword replaced alone: it starts from the plain keywords, as a new one
    assert fields.hierarchical == ["Rome", "Landmarks|Colosseum"]
    assert fields.subject == ["Rome", "Colosseum"]


def test_a_keyword_read_back_is_replaced_after_its_folder_was_copied_elsewhere(tmp_path, index):
    photo = _read_back_then_relabelled(tmp_path / "Rome", index)
    moved = tmp_path / "2020" / "Rome"
    moved.parent.mkdir()
    shutil.copytree(photo.parent, moved, copy_function=shutil.copyfile)  # new times
    shutil.rmtree(photo.parent)
    saved_later(moved / photo.name)
    assert scan(index, [tmp_path]).moved == 1
    assert write_all(index).written == 1
    assert read_fields((moved / photo.name).read_bytes()).hierarchical == ["Rome", "Landmarks|Colosseum"]


def test_photos_labelled_before_the_record_was_kept_go_by_the_file_time(tmp_path):
    """An index from before migration 33: a keyword in a file not changed since the
    label was set is replaced, one saved after it stays."""
    folder = tmp_path / "Rome"
    folder.mkdir()
    old, changed = (tagged(make_jpeg(folder / f"DSC_000{n}.jpg", seed=n), "Trevi Fountain") for n in (1, 2))
    for photo in (old, changed):
        os.utime(photo, ns=(1_600_000_000_000_000_000,) * 2)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        ids = {Path(p): add_photo(index, [p], "Colosseum") for p in (old, changed)}
        index.conn.execute("DROP TABLE IF EXISTS read_back_keywords")
        index.conn.execute("DROP TABLE IF EXISTS read_backs_unrecorded")
        index.conn.execute("PRAGMA user_version = 32")
        index.conn.commit()
    conn = sqlite3.connect(tmp_path / "index.db")
    migrate(conn, str(tmp_path / "index.db"))
    conn.commit()
    conn.close()
    saved_later(changed)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        index.conn.execute("UPDATE files SET mtime_ns = ? WHERE path = ?", (changed.stat().st_mtime_ns, str(changed)))
        index.conn.commit()
        by_id = {item.photo_id: item.previous_label for item in plan_writes(index)}
        assert by_id == {ids[old]: "Trevi Fountain", ids[changed]: None}
        # a photo labelled since the upgrade holds no record: its keyword stays
        newer = tagged(make_jpeg(folder / "DSC_0003.jpg", seed=3), "Trevi Fountain")
        os.utime(newer, ns=(1_600_000_000_000_000_000,) * 2)
        newest = add_photo(index, [newer], "Colosseum")
        assert {item.photo_id: item.previous_label for item in plan_writes(index)}[newest] is None
