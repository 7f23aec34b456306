"""A JPEG and a RAW of one shot whose stems differ in letter case only (DSC_8188.JPG and
dsc_8188.nef: a card read on Windows or macOS, files renamed by another tool) are one
photo, as DSC_8188.JPG and DSC_8188.NEF are; an exact-case stem wins, and a RAW that
could pair with rendered images of two spellings pairs with neither. Rescans keep
the pairs (and their labels) as they are; the RAW's sidecar keeps the RAW's own name.
This sandbox's disk is case-sensitive, which lets DSC_1.JPG and dsc_1.JPG be two files."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, write_labels
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.sidecar import render_sidecar
from app.core.scanner import scan
from tests.test_index_support import write_jpeg
from tests.test_path_case import simulate_case_insensitive_disk
from tests.test_scan_pairs_and_roots import fake_raw  # noqa: F401 (a fixture)


@pytest.fixture
def index():
    with PhotoIndex.open(":memory:") as idx:
        yield idx


@pytest.fixture(autouse=True)
def raw_placeholders(fake_raw):
    """NEF files here are placeholders that read as valid RAW files (test_scan_pairs_and_roots)."""


def _raw(path: Path) -> Path:
    path.write_bytes(b"raw" * 1000)
    return path


def _files_by_photo(index: PhotoIndex) -> list[list[str]]:
    return sorted(sorted(Path(f).name for f in photo.files) for photo in index.search(""))


def _photo_of(index: PhotoIndex, name: str) -> int:
    return index.conn.execute("SELECT photo_id FROM files WHERE name = ?", (name,)).fetchone()[0]


def test_a_jpeg_and_a_raw_whose_names_differ_in_case_are_one_photo(tmp_path, index):
    write_jpeg(tmp_path / "DSC_8188.JPG")
    _raw(tmp_path / "dsc_8188.nef")
    write_jpeg(tmp_path / "img_0001.jpg", color=(10, 200, 10))
    _raw(tmp_path / "IMG_0001.NEF")
    summary = scan(index, [tmp_path])
    assert (summary.photos, summary.new, summary.errors) == (2, 2, 0)
    assert _files_by_photo(index) == [["DSC_8188.JPG", "dsc_8188.nef"], ["IMG_0001.NEF", "img_0001.jpg"]]
    record = index.get(_photo_of(index, "dsc_8188.nef"))
    assert (record.path, record.has_raw) == (str(tmp_path / "DSC_8188.JPG"), True)
    assert index.count("has:raw") == 2
    assert scan(index, [tmp_path]).line().startswith("2 photos, 0 new, 0 changed, 0 moved, 0 missing")


def test_an_exact_case_stem_wins_and_an_ambiguous_raw_stays_a_photo_of_its_own(tmp_path, index):
    write_jpeg(tmp_path / "DSC_0001.JPG", color=(200, 10, 10))
    write_jpeg(tmp_path / "dsc_0001.jpg", color=(10, 200, 10))  # another picture (a case-sensitive disk)
    _raw(tmp_path / "dsc_0001.NEF")  # its stem's own JPEG: dsc_0001.jpg
    _raw(tmp_path / "Dsc_0001.NEF")  # DSC_0001.JPG or dsc_0001.jpg: nobody can tell
    write_jpeg(tmp_path / "DSC_0002.JPG", color=(10, 10, 200))
    _raw(tmp_path / "DSC_0002.NEF")
    _raw(tmp_path / "dsc_0002.nef")  # a second RAW of that name: nothing says it is the same picture
    scan(index, [tmp_path])
    assert _files_by_photo(index) == [
        ["DSC_0001.JPG"], ["DSC_0002.JPG"], ["DSC_0002.NEF"], ["Dsc_0001.NEF"],
        ["dsc_0001.NEF", "dsc_0001.jpg"], ["dsc_0002.nef"]]
    assert scan(index, [tmp_path]).line().startswith("6 photos, 0 new, 0 changed")


def test_a_jpeg_added_beside_a_raw_indexed_alone_joins_its_photo_and_label(tmp_path, index):
    _raw(tmp_path / "dsc_8188.nef")
    scan(index, [tmp_path])
    photo = _photo_of(index, "dsc_8188.nef")
    index.set_label(photo, "Petra")
    write_jpeg(tmp_path / "DSC_8188.JPG")  # exported later, under the camera's spelling
    summary = scan(index, [tmp_path])
    assert (summary.new, summary.changed, summary.missing) == (0, 1, 0)
    assert _files_by_photo(index) == [["DSC_8188.JPG", "dsc_8188.nef"]]
    record = index.get(photo)
    assert (record.path, record.label, record.state) == (str(tmp_path / "DSC_8188.JPG"), "Petra", "accepted")


def test_deleting_and_restoring_the_jpeg_of_a_pair_keeps_one_photo_and_its_label(tmp_path, index):
    jpeg = write_jpeg(tmp_path / "DSC_8188.JPG")
    original = jpeg.read_bytes()
    nef = _raw(tmp_path / "dsc_8188.nef")
    scan(index, [tmp_path])
    photo = _photo_of(index, "DSC_8188.JPG")
    index.set_label(photo, "Petra")
    jpeg.unlink()
    summary = scan(index, [tmp_path])
    assert (summary.changed, summary.missing) == (1, 0)
    record = index.get(photo)
    assert (record.files, record.path, record.label, record.missing) == ([str(nef)], str(nef), "Petra", False)
    jpeg.write_bytes(original)
    scan(index, [tmp_path])
    assert _files_by_photo(index) == [["DSC_8188.JPG", "dsc_8188.nef"]]
    assert (index.get(photo).path, index.get(photo).label) == (str(jpeg), "Petra")


def test_two_photos_an_older_version_made_of_a_pair_stay_two_with_their_labels(tmp_path, index):
    write_jpeg(tmp_path / "DSC_8188.JPG")
    _raw(tmp_path / "dsc_8188.nef")
    scan(index, [tmp_path])
    with index.transaction() as conn:  # what the older scan did: the RAW a photo of its own
        cursor = conn.execute("INSERT INTO photos (folder, stem, primary_path, has_raw, added_at) "
                              "SELECT folder, 'dsc_8188', ?, 1, added_at FROM photos", (str(tmp_path / "dsc_8188.nef"),))
        conn.execute("UPDATE files SET photo_id = ? WHERE name = 'dsc_8188.nef'", (cursor.lastrowid,))
        conn.execute("UPDATE photos SET has_raw = 0 WHERE id <> ?", (cursor.lastrowid,))
    jpeg, raw = _photo_of(index, "DSC_8188.JPG"), _photo_of(index, "dsc_8188.nef")
    index.set_label(jpeg, "Petra")
    index.set_label(raw, "Big Ben")
    assert scan(index, [tmp_path]).line().startswith("2 photos, 0 new, 0 changed")
    (tmp_path / "dsc_8188.nef").touch()  # even when one of them changes
    scan(index, [tmp_path])
    assert _files_by_photo(index) == [["DSC_8188.JPG"], ["dsc_8188.nef"]]
    assert (index.get(jpeg).label, index.get(raw).label) == ("Petra", "Big Ben")


def test_the_raws_sidecar_follows_the_raws_own_name(tmp_path, index):
    jpeg = write_jpeg(tmp_path / "DSC_8188.JPG")
    nef = _raw(tmp_path / "dsc_8188.nef")
    scan(index, [tmp_path])
    index.set_label(_photo_of(index, "DSC_8188.JPG"), "Petra")
    plan = plan_writes(index, options=WriteOptions(sidecar_naming="ext"))
    assert sorted((p.target, p.problem) for p in plan) == [(jpeg, None), (tmp_path / "dsc_8188.nef.xmp", None)]
    plan = plan_writes(index, options=WriteOptions(sidecar_naming="stem"))
    assert sorted((p.target, p.problem) for p in plan) == [(jpeg, None), (tmp_path / "dsc_8188.xmp", None)]
    assert all(p.source == nef for p in plan if p.kind == "sidecar")


def test_a_label_in_the_raws_sidecar_is_read_back_for_the_pair(tmp_path, index):
    write_jpeg(tmp_path / "DSC_8188.JPG")
    _raw(tmp_path / "dsc_8188.nef")
    (tmp_path / "dsc_8188.nef.xmp").write_bytes(render_sidecar(None, KeywordFields(["Petra"], ["Landmarks|Petra"])))
    summary = scan(index, [tmp_path])
    assert (summary.photos, summary.labels_read) == (1, 1)
    assert index.get(_photo_of(index, "DSC_8188.JPG")).label == "Petra"


def test_a_pair_moved_to_another_folder_keeps_its_label(tmp_path, index):
    trip, sorted_ = tmp_path / "card", tmp_path / "sorted"
    trip.mkdir()
    sorted_.mkdir()
    write_jpeg(trip / "DSC_8188.JPG")
    _raw(trip / "dsc_8188.nef")
    scan(index, [tmp_path])
    photo = _photo_of(index, "DSC_8188.JPG")
    index.set_label(photo, "Petra")
    for name in ("DSC_8188.JPG", "dsc_8188.nef"):
        (trip / name).rename(sorted_ / name)
    summary = scan(index, [tmp_path])
    assert (summary.moved, summary.new, summary.missing) == (1, 0, 0)
    assert _files_by_photo(index) == [["DSC_8188.JPG", "dsc_8188.nef"]]
    assert (index.get(photo).label, index.get(photo).path) == ("Petra", str(sorted_ / "DSC_8188.JPG"))


@pytest.mark.parametrize("inode_per_spelling", [False, True], ids=["apfs", "fuse"])
def test_one_stem_sidecar_of_a_pair_on_a_disk_that_ignores_case_is_one_write_under_the_raws_name(
        tmp_path, index, monkeypatch, inode_per_spelling):
    """DSC_8188.xmp (the JPEG's, --no-jpeg) and dsc_8188.xmp (the RAW's) are one file there:
    the photo's own, not "another photo's sidecar"."""
    write_jpeg(tmp_path / "DSC_8188.JPG")
    _raw(tmp_path / "dsc_8188.nef")
    simulate_case_insensitive_disk(tmp_path, monkeypatch, inode_per_spelling=inode_per_spelling)
    scan(index, [tmp_path])
    index.set_label(_photo_of(index, "DSC_8188.JPG"), "Petra")
    options = WriteOptions(sidecar_naming="stem", write_into_jpeg=False)
    plan = plan_writes(index, options=options)
    assert [(p.target.name, p.problem) for p in plan] == [("dsc_8188.xmp", None)]
    summary = write_labels(index, plan, options)
    assert (summary.written, summary.failed) == (1, 0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["DSC_8188.JPG", "dsc_8188.nef", "dsc_8188.xmp"]
