"""Undo of a write after its photos were renamed or moved outside the app (Finder,
Explorer, `mv`) with no scan since: undo finds each file under its new name by the bytes
our write put in (undo_follow.py) and restores it there, byte for byte, a sidecar we
created beside a RAW moved with it removed where it went; a name that now holds another
picture (a renumbering) is never written into, and the batch waits for ours to come back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.metadata import plan_writes, undo_last_write, write_labels
from app.core.metadata.plan import WriteOptions
from app.core.scanner import scan
from tests.test_raw_pictures_of_one_name import photo_of, write

REPO = Path(__file__).resolve().parents[1]
CAMERA_JPEGS = {"DSC_0001.JPG": "jpeg/Nikon_D90.jpg", "DSC_0002.JPG": "jpeg/Nikon_D70.jpg"}


def _without_exif(data: bytes) -> bytes:
    """A camera JPEG without its EXIF segment: the undated Coolscan NEF's own (pairing)."""
    out, at = bytearray(data[:2]), 2
    while data[at] == 0xFF and data[at + 1] != 0xDA:
        end = at + 2 + int.from_bytes(data[at + 2:at + 4], "big")
        if not (data[at + 1] == 0xE1 and data[at + 4:at + 10] == b"Exif\0\0"):
            out += data[at:end]
        at = end
    return bytes(out + data[at:])


@pytest.fixture
def written(tmp_path, shared_data):
    """Two camera JPEGs and a NEF+JPG pair in lib/trip, labelled and written (the pair's
    NEF gets a sidecar we create); the index and each file's bytes before the write."""
    folder = tmp_path / "lib" / "trip"
    folder.mkdir(parents=True)
    camera = shared_data / "camera"
    before = {name: (camera / source).read_bytes() for name, source in CAMERA_JPEGS.items()}
    before["DSC_0010.JPG"] = _without_exif((camera / "jpeg/Nikon_D100.jpg").read_bytes())
    for name, data in before.items():
        (folder / name).write_bytes(data)
    (folder / "DSC_0010.NEF").write_bytes((camera / "raw/Nikon_uncompressed.nef").read_bytes())
    index = PhotoIndex.open(tmp_path / "index.db")
    scan(index, [tmp_path / "lib"])
    for name, landmark in (("DSC_0001.JPG", "Colosseum"), ("DSC_0002.JPG", "Colosseum"), ("DSC_0010.JPG", "Petra")):
        index.set_label(photo_of(index, folder / name).id, landmark)
    assert write(index).written == 4
    assert (folder / "DSC_0010.NEF.xmp").is_file()
    yield index, folder, before
    index.close()


def test_undo_without_a_scan_restores_files_renamed_and_moved_into_a_subfolder(written) -> None:
    index, folder, before = written
    (folder / "DSC_0001.JPG").rename(folder / "Colosseum at night.JPG")
    (folder / "picked").mkdir()
    (folder / "DSC_0002.JPG").rename(folder / "picked" / "DSC_0002.JPG")
    for name in ("DSC_0010.JPG", "DSC_0010.NEF", "DSC_0010.NEF.xmp"):  # the pair with its sidecar
        (folder / name).rename(folder / name.replace("DSC_0010", "Petra"))
    undone = undo_last_write(index)
    assert (undone.written, undone.failed) == (4, 0), undone.errors
    assert (folder / "Colosseum at night.JPG").read_bytes() == before["DSC_0001.JPG"]
    assert (folder / "picked" / "DSC_0002.JPG").read_bytes() == before["DSC_0002.JPG"]
    assert (folder / "Petra.JPG").read_bytes() == before["DSC_0010.JPG"]
    assert not (folder / "Petra.NEF.xmp").exists()  # the sidecar we created, gone where it went
    assert sorted(path.name for path in folder.glob("DSC_*")) == []  # nothing written at the old names


def test_a_picture_renumbered_onto_the_old_name_is_restored_as_itself_never_as_the_other(written, tmp_path) -> None:
    index, folder, before = written
    (folder / "DSC_0001.JPG").rename(tmp_path / "DSC_0001.JPG")  # taken out of the library
    (folder / "DSC_0002.JPG").rename(folder / "DSC_0001.JPG")  # the next frame renumbered onto its name
    undone = undo_last_write(index)
    assert (undone.written, undone.failed) == (3, 1)
    assert "DSC_0001.JPG now holds another picture" in undone.errors[0][1]
    assert (folder / "DSC_0001.JPG").read_bytes() == before["DSC_0002.JPG"]  # its own original, nothing of D90's
    (tmp_path / "DSC_0001.JPG").rename(folder / "DSC_0009.JPG")  # back, under another name
    again = undo_last_write(index)
    assert (again.written, again.failed) == (1, 0), again.errors
    assert (folder / "DSC_0009.JPG").read_bytes() == before["DSC_0001.JPG"]


def test_after_a_scan_of_the_renumbering_the_name_renamed_over_is_left_alone_not_held(written, tmp_path) -> None:
    index, folder, before = written
    (folder / "DSC_0001.JPG").rename(tmp_path / "DSC_0001.JPG")
    (folder / "DSC_0002.JPG").rename(folder / "DSC_0001.JPG")
    scan(index, [folder.parent])
    undone = undo_last_write(index)
    assert (undone.written, undone.failed, undone.held) == (3, 1, 0), undone.notes
    assert (folder / "DSC_0001.JPG").read_bytes() == before["DSC_0002.JPG"]



def test_a_photo_a_scan_marked_missing_keeps_its_label_after_undo_follows_it_back(written, tmp_path) -> None:
    index, folder, before = written
    photo_id = photo_of(index, folder / "DSC_0001.JPG").id
    (folder / "DSC_0001.JPG").rename(tmp_path / "DSC_0001.JPG")  # to another disk
    scan(index, [folder.parent])  # marked missing
    (tmp_path / "DSC_0001.JPG").rename(folder / "DSC_0001 back.JPG")
    undone = undo_last_write(index)
    assert (undone.written, undone.failed) == (4, 0), undone.errors
    assert (folder / "DSC_0001 back.JPG").read_bytes() == before["DSC_0001.JPG"]
    scan(index, [folder.parent])
    back = photo_of(index, folder / "DSC_0001 back.JPG")
    assert (back.id, back.label, back.missing) == (photo_id, "Colosseum", False)


def test_a_sidecar_left_behind_by_its_renamed_raw_and_edited_since_is_undone_in_place(written) -> None:
    """The RAW renamed in Finder, its sidecar left at its name and given a rating in
    Lightroom: undo takes our keyword out there, keeping the rating, rather than refusing
    because a RAW that is gone "changed since our write"."""
    index, folder, _ = written
    (folder / "DSC_0010.NEF").rename(folder / "Petra.NEF")
    sidecar = folder / "DSC_0010.NEF.xmp"
    sidecar.write_bytes(sidecar.read_bytes().replace(
        b"<rdf:Description ", b'<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="4" ', 1))
    undone = undo_last_write(index)
    assert (undone.written, undone.failed) == (4, 0), undone.errors
    assert b'xmp:Rating="4"' in sidecar.read_bytes() and b"Petra" not in sidecar.read_bytes()


def _frame(folder: Path, name: str, raw: bytes, exposure: str) -> None:
    """A NEF with a Lightroom sidecar of its own (a develop setting tells them apart)."""
    (folder / name).write_bytes(raw)
    (folder / f"{name}.xmp").write_bytes(
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description rdf:about="" xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/" '
        b'crs:Exposure2012="' + exposure.encode() + b'"/></rdf:RDF></x:xmpmeta>')


def test_a_raw_and_sidecar_renumbered_onto_the_old_name_are_never_written_as_the_other(tmp_path, shared_data) -> None:
    folder, away = tmp_path / "lib" / "trip", tmp_path / "elsewhere"
    folder.mkdir(parents=True)
    away.mkdir()
    raw = (shared_data / "camera" / "raw" / "Nikon_uncompressed.nef").read_bytes()
    _frame(folder, "DSC_0001.NEF", raw, "+0.1")
    _frame(folder, "DSC_0002.NEF", raw + b"x", "+0.2")
    index = PhotoIndex.open(tmp_path / "index.db")
    try:
        scan(index, [tmp_path / "lib"])
        for name in ("DSC_0001.NEF", "DSC_0002.NEF"):
            index.set_label(photo_of(index, folder / name).id, "Colosseum")
        assert write(index).written == 2
        for name in ("DSC_0001.NEF", "DSC_0001.NEF.xmp"):
            (folder / name).rename(away / name)  # the first frame's pair taken out of the library
        for name in ("DSC_0002.NEF", "DSC_0002.NEF.xmp"):
            (folder / name).rename(folder / name.replace("0002", "0001"))  # the second renumbered onto its name
        undone = undo_last_write(index)
        assert (undone.written, undone.failed) == (1, 1), undone.errors
        assert "DSC_0001.NEF.xmp now is the sidecar of another picture" in undone.errors[0][1]
        renumbered = (folder / "DSC_0001.NEF.xmp").read_text()
        assert "+0.2" in renumbered and "Colosseum" not in renumbered  # the second frame's, ours out of it
        assert "Colosseum" in (away / "DSC_0001.NEF.xmp").read_text()  # ours, not touched for the other
        for name in ("DSC_0001.NEF", "DSC_0001.NEF.xmp"):
            (away / name).rename(folder / name.replace("0001", "0009"))  # back, under another name
        again = undo_last_write(index)
        assert (again.written, again.failed) == (1, 0), again.errors
        ours = (folder / "DSC_0009.NEF.xmp").read_text()
        assert "+0.1" in ours and "Colosseum" not in ours
    finally:
        index.close()


def _write_only(index: PhotoIndex, name: str):
    plan = [item for item in plan_writes(index, "", False, WriteOptions()) if item.target.name == name]
    return write_labels(index, plan, WriteOptions())


def _two_nefs_labelled_alike(tmp_path, shared_data) -> tuple[PhotoIndex, Path, Path]:
    """DSC_0001.NEF and DSC_0002.NEF (two pictures), both labelled Petra: the sidecars
    `write` creates for them are byte for byte the same."""
    folder, away = tmp_path / "lib" / "trip", tmp_path / "elsewhere"
    folder.mkdir(parents=True)
    away.mkdir()
    raw = (shared_data / "camera" / "raw" / "Nikon_uncompressed.nef").read_bytes()
    (folder / "DSC_0001.NEF").write_bytes(raw)
    (folder / "DSC_0002.NEF").write_bytes(raw[:-1] + bytes([raw[-1] ^ 1]))
    index = PhotoIndex.open(tmp_path / "index.db")
    scan(index, [tmp_path / "lib"])
    for name in ("DSC_0001.NEF", "DSC_0002.NEF"):
        index.set_label(photo_of(index, folder / name).id, "Petra")
    return index, folder, away


def test_an_identical_sidecar_of_another_photo_from_an_earlier_batch_is_never_taken_for_ours(
        tmp_path, shared_data) -> None:
    index, folder, away = _two_nefs_labelled_alike(tmp_path, shared_data)
    try:
        assert _write_only(index, "DSC_0002.NEF.xmp").written == 1  # batch 1
        assert write(index).written == 1  # batch 2: DSC_0001.NEF.xmp
        other = (folder / "DSC_0002.NEF.xmp").read_bytes()
        assert (folder / "DSC_0001.NEF.xmp").read_bytes() == other  # identical sidecars
        for name in ("DSC_0001.NEF", "DSC_0001.NEF.xmp"):
            (folder / name).rename(away / name)  # taken out of the library with its RAW
        undone = undo_last_write(index)
        assert undone.failed == 0, undone.errors  # ours gone with its RAW: nothing to remove in the library
        assert (folder / "DSC_0002.NEF.xmp").read_bytes() == other  # batch 1's, another photo's: untouched
        assert photo_of(index, folder / "DSC_0002.NEF").files == [str(folder / "DSC_0002.NEF")]
    finally:
        index.close()


def test_an_identical_sidecar_is_followed_only_where_its_raw_went(tmp_path, shared_data) -> None:
    index, folder, _ = _two_nefs_labelled_alike(tmp_path, shared_data)
    try:
        assert write(index).written == 2
        for name in ("DSC_0001.NEF", "DSC_0001.NEF.xmp"):
            (folder / name).rename(folder / name.replace("DSC_0001", "Petra"))
        undone = undo_last_write(index)
        assert (undone.written, undone.failed) == (2, 0), undone.errors
        assert sorted(path.name for path in folder.iterdir()) == ["DSC_0002.NEF", "Petra.NEF"]
    finally:
        index.close()


def test_identical_sidecars_beside_a_raw_that_cannot_be_told_are_left_and_the_batch_kept_open(
        tmp_path, shared_data) -> None:
    index, folder, away = _two_nefs_labelled_alike(tmp_path, shared_data)
    try:
        assert _write_only(index, "DSC_0001.NEF.xmp").written == 1
        for name in ("DSC_0001.NEF", "DSC_0001.NEF.xmp"):
            (folder / name).rename(away / name)
        stranger = (away / "DSC_0001.NEF").read_bytes() + b"edited"  # a RAW the index knows nothing of
        (folder / "DSC_0009.NEF").write_bytes(stranger)
        (folder / "DSC_0009.NEF.xmp").write_bytes((away / "DSC_0001.NEF.xmp").read_bytes())
        undone = undo_last_write(index)
        assert (undone.written, undone.failed) == (0, 1), undone.errors
        assert "DSC_0009.NEF.xmp holds the keywords our write put in, but the RAW beside it cannot be told" \
            in undone.errors[0][1]
        assert (folder / "DSC_0009.NEF.xmp").read_bytes() == (away / "DSC_0001.NEF.xmp").read_bytes()
        assert "second failure closes this batch" in undone.next_step
    finally:
        index.close()


KILLED_CREATING = r"""
import os, sys
from pathlib import Path
from app.core.index import PhotoIndex
from app.core.metadata import atomic, plan_writes, write_labels
real = atomic.replace_atomically
def killed(path, *args, **kwargs):
    if Path(path).name == "DSC_0001.NEF.xmp":
        os._exit(9)  # as a SIGKILL: the sidecar is never created
    return real(path, *args, **kwargs)
atomic.replace_atomically = killed
with PhotoIndex.open(sys.argv[1]) as index:
    write_labels(index, plan_writes(index))
"""


def test_a_sidecar_a_killed_write_never_created_is_not_followed_to_an_identical_one(tmp_path, shared_data) -> None:
    index, folder, _ = _two_nefs_labelled_alike(tmp_path, shared_data)
    with index:
        assert _write_only(index, "DSC_0002.NEF.xmp").written == 1  # batch 1
    other = (folder / "DSC_0002.NEF.xmp").read_bytes()
    killed = subprocess.run([sys.executable, "-c", KILLED_CREATING, str(tmp_path / "index.db")],
                            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert killed.returncode == 9 and not (folder / "DSC_0001.NEF.xmp").exists()
    with PhotoIndex.open(tmp_path / "index.db") as index:
        undone = undo_last_write(index)  # batch 2, killed
        assert (undone.written, undone.failed) == (0, 0), undone.errors
        assert (folder / "DSC_0002.NEF.xmp").read_bytes() == other  # batch 1's: untouched
