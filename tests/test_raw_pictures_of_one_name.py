"""Two RAW files of one name stem with no rendered image are one photo only when they are
one picture (a DNG converted from the NEF beside it: same capture time and camera), never
two cameras' files (IMG_0001.CR2 + IMG_0001.CR3 of two bodies): app/core/raw_pictures.py,
pairing._lone_raw_keys. An index an older version made of such files is told apart at the
next scan after migration 38, the labels staying with the file that stood for the photo.

The RAWs are generated DNGs under RAW names (LibRaw reads them by their contents)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.index.migrations_latest import migration_38
from app.core.metadata import WriteOptions, plan_writes, write_labels
from app.core.metadata.sidecar import fields_of_sidecar
from app.core.raw_pictures import Shot, same_shot
from app.core.scanner import scan
from tests.test_decode_raw import gray_sensor, green_preview, write_dng

R5 = dict(make="Canon", model="Canon EOS R5", taken="2023:06:01 10:00:00")
R6 = dict(make="Canon", model="Canon EOS R6", taken="2023:06:01 10:00:00")
D850 = dict(make="NIKON CORPORATION", model="NIKON D850", taken="2021:05:01 10:11:12")


def raw(path: Path, **shot) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_dng(path, green_preview(), gray_sensor(), **shot)


def files_by_photo(index: PhotoIndex) -> list[list[str]]:
    return sorted(sorted(Path(f).name for f in photo.files) for photo in index.search(""))


def photo_of(index: PhotoIndex, path: Path):
    return index.search(f'path:"{path}"')[0]


def keywords(sidecar: Path) -> list[str]:
    return fields_of_sidecar(sidecar.read_bytes()).hierarchical


def write(index: PhotoIndex):
    return write_labels(index, plan_writes(index, "", False, WriteOptions()), WriteOptions())


@pytest.mark.parametrize("other", [R6, dict(R5, taken="2023:06:01 10:00:07"), dict(R5, taken=None)],
                         ids=["another camera", "another moment", "no date"])
def test_two_raw_files_of_one_name_from_two_bodies_are_two_photos(tmp_path, other) -> None:
    folder = tmp_path / "trip"
    raw(folder / "IMG_0001.CR2", **R5)
    raw(folder / "IMG_0001.CR3", **other)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        summary = scan(index, [folder])
        assert (summary.photos, summary.new) == (2, 2)
        assert files_by_photo(index) == [["IMG_0001.CR2"], ["IMG_0001.CR3"]]
        assert index.count("camera:r6") == (other is R6)  # found by its own camera
        taken = other["taken"] and other["taken"].replace(":", "-", 2).replace(" ", "T")
        assert photo_of(index, folder / "IMG_0001.CR3").taken_at == taken  # its own date (or none)
        index.set_label(photo_of(index, folder / "IMG_0001.CR3").id, "Colosseum")
        assert write(index).written == 1
        assert scan(index, [folder]).line().startswith("2 photos, 0 new, 0 changed")
    assert keywords(folder / "IMG_0001.CR3.xmp") == ["Landmarks|Colosseum"]
    assert not (folder / "IMG_0001.CR2.xmp").exists()  # the other body's picture gets no label


def test_a_dng_converted_from_the_nef_beside_it_is_one_photo_with_it(tmp_path) -> None:
    folder = tmp_path / "trip"
    raw(folder / "DSC_0001.NEF", **D850)
    raw(folder / "DSC_0001.DNG", **dict(D850, make="Nikon", model="D850"))  # named another way, one camera
    with PhotoIndex.open(tmp_path / "index.db") as index:
        assert scan(index, [folder]).photos == 1
        assert files_by_photo(index) == [["DSC_0001.DNG", "DSC_0001.NEF"]]


def test_a_raw_of_another_picture_added_later_leaves_the_labelled_photo_as_it_is(tmp_path) -> None:
    folder = tmp_path / "trip"
    raw(folder / "IMG_0002.CR2", **R5)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        labelled = photo_of(index, folder / "IMG_0002.CR2")
        index.set_label(labelled.id, "Petra")
        raw(folder / "IMG_0002.CR3", **R6)
        summary = scan(index, [folder])
        assert (summary.new, summary.changed) == (1, 0)
        kept, added = index.get(labelled.id), photo_of(index, folder / "IMG_0002.CR3")
    assert (kept.label, kept.path, kept.files) == ("Petra", str(folder / "IMG_0002.CR2"), [str(folder / "IMG_0002.CR2")])
    assert (added.id != kept.id, added.label, added.state) == (True, None, "unlabelled")


def test_a_dng_of_the_same_picture_added_later_joins_the_photo_and_brings_back_a_deleted_nef(tmp_path) -> None:
    folder = tmp_path / "trip"
    nef = raw(folder / "DSC_0001.NEF", **D850)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        photo = photo_of(index, nef)
        index.set_label(photo.id, "Petra")
        raw(folder / "DSC_0001.DNG", **D850)  # Adobe DNG Converter's copy, the NEF deleted
        nef.unlink()
        summary = scan(index, [folder])
        assert (summary.photos, summary.new, summary.missing) == (1, 0, 0)
        found = index.get(photo.id)
    assert (found.label, found.missing, found.path) == ("Petra", False, str(folder / "DSC_0001.DNG"))


def nikon_jpeg(path: Path, make: str | None, model: str) -> Path:
    """make_jpeg's JPEG (taken at D850's moment) naming this camera in its EXIF."""
    import piexif

    from tests.test_metadata_support import make_jpeg

    make_jpeg(path)
    exif = piexif.load(str(path))
    exif["0th"].pop(piexif.ImageIFD.Make, None)
    exif["0th"].update({piexif.ImageIFD.Model: model.encode()} | (
        {piexif.ImageIFD.Make: make.encode()} if make else {}))
    piexif.insert(piexif.dump(exif), str(path))
    return path


@pytest.mark.parametrize(("short", "with_jpeg"), [
    ("DSC_0001.DNG", False), ("DSC_0001.NEF", False), ("DSC_0001.DNG", True), ("DSC_0001.NEF", True),
    ("DSC_0001.JPG", True)])
def test_files_of_one_picture_are_one_photo_when_one_names_the_camera_by_its_model_alone(
        tmp_path, short, with_jpeg) -> None:
    """A converter that writes no Make leaves "D850" where the camera wrote "NIKON
    CORPORATION" + "NIKON D850": one name holds the other, so one camera."""
    folder = tmp_path / "trip"
    taken = dict(D850, taken="2020:11:05 10:11:12")  # make_jpeg's moment
    named = {name: dict(make=None, model="D850") if name == short else dict(make=D850["make"], model=D850["model"])
             for name in ("DSC_0001.NEF", "DSC_0001.DNG", "DSC_0001.JPG")}
    raw(folder / "DSC_0001.NEF", **dict(taken, **named["DSC_0001.NEF"]))
    raw(folder / "DSC_0001.DNG", **dict(taken, **named["DSC_0001.DNG"]))
    if with_jpeg:
        nikon_jpeg(folder / "DSC_0001.JPG", **named["DSC_0001.JPG"])
    with PhotoIndex.open(tmp_path / "index.db") as index:
        assert scan(index, [folder]).photos == 1
        assert files_by_photo(index) == [sorted(p.name for p in folder.iterdir())]
        index.set_label(index.search("")[0].id, "Colosseum")
        write(index)
    assert keywords(folder / "DSC_0001.NEF.xmp") == keywords(folder / "DSC_0001.DNG.xmp") == ["Landmarks|Colosseum"]


def merged_like_an_older_version(index: PhotoIndex, kept: Path, merged: Path) -> None:
    """The index as a version before 38 left it: `merged` is a file of `kept`'s photo
    (no photo marked to be read again)."""
    keeper, gone = photo_of(index, kept).id, photo_of(index, merged).id
    with index.transaction() as conn:
        conn.execute("UPDATE files SET photo_id = ? WHERE photo_id = ?", (keeper, gone))
        conn.execute("DELETE FROM photos_fts WHERE rowid = ?", (gone,))
        conn.execute("DELETE FROM photos WHERE id = ?", (gone,))
        conn.execute("DELETE FROM photos_to_reread")


def test_raw_files_an_older_version_merged_are_told_apart_at_the_next_scan_and_the_labels_stay(tmp_path) -> None:
    folder = tmp_path / "trip"
    cr2, cr3 = raw(folder / "IMG_0001.CR2", **R5), raw(folder / "IMG_0001.CR3", **R6)
    nef, dng = raw(folder / "DSC_0001.NEF", **D850), raw(folder / "DSC_0001.DNG", **D850)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        merged_like_an_older_version(index, cr2, cr3)
        merged = photo_of(index, cr2)
        index.set_label(merged.id, "Colosseum")
        assert write(index).written == 2  # as the older version did: into both sidecars
        assert scan(index, [folder]).line().startswith("2 photos, 0 new, 0 changed")  # no mark: left as it was
        with index.transaction() as conn:
            migration_38(conn)
        summary = scan(index, [folder])
        assert (summary.new, summary.changed, summary.labels_read) == (1, 1, 0)
        assert files_by_photo(index) == [["DSC_0001.DNG", "DSC_0001.NEF"], ["IMG_0001.CR2"], ["IMG_0001.CR3"]]
        kept, split = index.get(merged.id), photo_of(index, cr3)
        assert (kept.label, kept.path, kept.camera_model) == ("Colosseum", str(cr2), "Canon EOS R5")
        assert (split.label, split.state, split.camera_model) == (None, "unlabelled", "Canon EOS R6")
        assert index.count("camera:r6") == 1
        # the split photo's own sidecar, which the older write put the merged label into, is its own now
        index.set_label(split.id, "Petra")
        summary = write(index)
        assert (summary.written, summary.failed) == (1, 0)
        assert scan(index, [folder]).line().startswith("3 photos, 0 new, 0 changed")
    assert (keywords(folder / "IMG_0001.CR2.xmp"), keywords(folder / "IMG_0001.CR3.xmp")) == (
        ["Landmarks|Colosseum"], ["Landmarks|Petra"])


def labelled_cr3_then_cr2_merged_in(index, folder: Path):
    """IMG_0002.CR3 scanned, labelled "Petra" and written; then IMG_0002.CR2 (another
    body's, sorting first by name, indexed second) merged into its photo as an older
    version did. Returns the CR3, the CR2 and the labelled photo."""
    cr3 = raw(folder / "IMG_0002.CR3", **R6)
    scan(index, [folder])
    labelled = photo_of(index, cr3)
    index.set_label(labelled.id, "Petra")
    assert write(index).written == 1
    cr2 = raw(folder / "IMG_0002.CR2", **R5)
    scan(index, [folder])
    merged_like_an_older_version(index, cr3, cr2)
    return cr3, cr2, labelled


def test_the_upgrade_leaves_the_label_with_the_raw_it_was_given_to_not_one_copied_in_later(tmp_path) -> None:
    """An older version let a RAW copied in later take over a labelled RAW's photo; the
    split gives the photo back to the RAW indexed first, whatever the names' order."""
    folder = tmp_path / "two"
    with PhotoIndex.open(tmp_path / "index.db") as index:
        cr3, cr2, labelled = labelled_cr3_then_cr2_merged_in(index, folder)
        with index.transaction() as conn:
            conn.execute("UPDATE photos SET primary_path = ? WHERE id = ?", (str(cr2), labelled.id))  # it stood for it
            migration_38(conn)
        summary = scan(index, [folder])
        assert (summary.new, summary.changed) == (1, 1)
        kept, split = index.get(labelled.id), photo_of(index, cr2)
        assert (kept.label, kept.path, kept.files) == ("Petra", str(cr3), [str(cr3)])
        assert (split.id != kept.id, split.label, split.state) == (True, None, "unlabelled")
        assert write(index).written == 0  # nothing of Petra's goes to the other body's picture
    assert not (folder / "IMG_0002.CR2.xmp").exists()
    assert keywords(folder / "IMG_0002.CR3.xmp") == ["Landmarks|Petra"]


def test_the_label_stays_with_the_raw_it_was_written_for_after_an_older_versions_move(tmp_path) -> None:
    """As above, and the folder renamed before the upgrade: the older version's scan
    adopted the move and gave the files new ids in the order of their names, the CR2
    first. The journal (which follows the move) shows the CR3's sidecar was written
    for the photo before the CR2 was there: the CR3 keeps "Petra", in its sidecar too."""
    folder = tmp_path / "two"
    with PhotoIndex.open(tmp_path / "index.db") as index:
        cr3, cr2, labelled = labelled_cr3_then_cr2_merged_in(index, folder)
        with index.transaction() as conn:
            conn.execute("UPDATE photos SET primary_path = ? WHERE id = ?", (str(cr2), labelled.id))
            top = conn.execute("SELECT MAX(id) FROM files").fetchone()[0]
            for offset, path in enumerate((cr2, cr3), start=1):  # as the move renumbered them
                conn.execute("UPDATE files SET id = ? WHERE path = ?", (top + offset, str(path)))
            migration_38(conn)
        scan(index, [folder])
        kept, split = index.get(labelled.id), photo_of(index, cr2)
        assert (kept.label, kept.path, split.label) == ("Petra", str(cr3), None)
        assert not any(item.changes_anything for item in plan_writes(index, "", False, WriteOptions()))
    assert keywords(folder / "IMG_0002.CR3.xmp") == ["Landmarks|Petra"]
    assert not (folder / "IMG_0002.CR2.xmp").exists()


def test_the_merged_label_comes_out_of_the_split_pictures_sidecar_and_a_new_index_does_not_read_it(tmp_path) -> None:
    """The older write put the merged photo's label into both RAWs' sidecars; the split
    photo is unlabelled, so nothing took it out: Lightroom showed it on the other picture
    and an index built anew read it back as the user's."""
    folder = tmp_path / "trip"
    cr2, cr3 = raw(folder / "IMG_0001.CR2", **R5), raw(folder / "IMG_0001.CR3", **R6)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        merged_like_an_older_version(index, cr2, cr3)
        index.set_label(photo_of(index, cr2).id, "Colosseum")
        assert write(index).written == 2  # as the older version did: into both sidecars
        with index.transaction() as conn:
            migration_38(conn)
        scan(index, [folder])
        split = photo_of(index, cr3)
        assert (split.label, split.state) == (None, "unlabelled")
        [item] = [item for item in plan_writes(index, "", False, WriteOptions()) if item.changes_anything]
        assert item.target == folder / "IMG_0001.CR3.xmp" and "comes out" in item.describe()
        assert write(index).written == 1
        assert not any(item.changes_anything for item in plan_writes(index, "", False, WriteOptions()))
        assert (index.get(split.id).label, index.count("Colosseum")) == (None, 1)
    assert keywords(folder / "IMG_0001.CR2.xmp") == ["Landmarks|Colosseum"]
    assert not keywords(folder / "IMG_0001.CR3.xmp")
    with PhotoIndex.open(tmp_path / "new.db") as fresh:
        scan(fresh, [folder])
        assert fresh.count("Colosseum") == 1


def test_two_real_raw_files_of_one_name_are_two_photos_found_by_their_cameras(tmp_path, shared_data) -> None:
    folder = tmp_path / "two_bodies"
    folder.mkdir()
    (folder / "IMG_0001.NEF").write_bytes((shared_data / "camera/raw/Nikon_uncompressed.nef").read_bytes())
    (folder / "IMG_0001.KDC").write_bytes((shared_data / "camera/raw/RAW_KODAK_DC50.KDC").read_bytes())
    with PhotoIndex.open(tmp_path / "index.db") as index:
        assert scan(index, [folder]).photos == 2
        assert (index.count("camera:coolscan"), index.count("camera:kodak")) == (1, 1)


@pytest.mark.parametrize(("one", "other", "same"), [
    (Shot("2021-05-01T10:11:12.25+02:00", "Nikon D850"), Shot("2021-05-01T10:11:12.250", "NIKON D850"), True),
    (Shot("2021-05-01T10:11:12", "Nikon D850"), Shot("2021-05-01T10:11:12.5", None), True),
    (Shot("2021-05-01T10:11:12.25", "Nikon D850"), Shot("2021-05-01T10:11:12.5", "Nikon D850"), False),
    (Shot("2021-05-01T10:11:12", "Canon EOS R5"), Shot("2021-05-01T10:11:12", "Canon EOS R6"), False),
    (Shot("2021-05-01T10:11:12", "Nikon D850"), Shot("2021-05-01T10:11:12", "D850"), True),
    (Shot("2021-05-01T10:11:12", "D850"), Shot("2021-05-01T10:11:12", "Nikon D850"), True),
    (Shot(None, "Nikon D850"), Shot(None, "Nikon D850"), False),
])
def test_two_shots_are_one_picture_only_when_their_moment_and_camera_agree(one, other, same) -> None:
    assert same_shot(one, other) is same
