"""Which files form one photo (a rendered image and its RAW, never two rendered
images), photos whose files were deleted in part, library folders inside library
folders, and scan problems about paths outside the library."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

import app.core.scan_folder_sync as scan_folder_sync
from app.cli.main import main
from app.core.errors import UsageError
from app.core.index import PhotoIndex
from app.core.index.forget import folder_contents, forget_folder
from app.core.metadata import WriteOptions, plan_writes
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.sidecar import render_sidecar
from app.core.photo_info import PhotoInfo, read_photo_info
from app.core.scanner import scan
from tests.test_index_support import write_jpeg, write_tiff_raw


@pytest.fixture
def index():
    with PhotoIndex.open(":memory:") as idx:
        yield idx


@pytest.fixture
def fake_raw(monkeypatch):
    """NEF files here are placeholders that read as valid RAW files."""
    def read(path):
        if str(path).lower().endswith(".nef"):
            return PhotoInfo(kind="raw", width=6000, height=4000, camera_make="NIKON CORPORATION",
                             camera_model="NIKON D850")
        return read_photo_info(path)

    monkeypatch.setattr(scan_folder_sync, "read_photo_info", read)


def _write_png(path: Path, color: tuple[int, int, int]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 30), color).save(path)
    return path


def _files_by_photo(index: PhotoIndex) -> list[list[str]]:
    return sorted([Path(f).name for f in photo.files] for photo in index.search(""))


def _photo_of(index: PhotoIndex, name: str) -> int:
    return index.conn.execute("SELECT photo_id FROM files WHERE name = ?", (name,)).fetchone()[0]


def _merge_like_an_old_scan(index: PhotoIndex, kept: str, merged: str) -> None:
    """The index as a scan before the fix left it: `merged` is a file of `kept`'s photo."""
    keeper, gone = _photo_of(index, kept), _photo_of(index, merged)
    if keeper == gone:  # merged by this scan already
        return
    with index.transaction() as conn:
        conn.execute("UPDATE files SET photo_id = ? WHERE photo_id = ?", (keeper, gone))
        conn.execute("DELETE FROM photos_fts WHERE rowid = ?", (gone,))
        conn.execute("DELETE FROM photos WHERE id = ?", (gone,))


# -- 1. two rendered images with one name --------------------------------------------

def test_two_rendered_images_with_the_same_name_are_two_photos(tmp_path: Path, index: PhotoIndex) -> None:
    write_jpeg(tmp_path / "IMG_0100.jpg", color=(200, 10, 10))
    _write_png(tmp_path / "IMG_0100.png", (10, 200, 10))
    _write_png(tmp_path / "colo.png", (10, 10, 200))
    Image.new("RGB", (40, 30), (90, 90, 9)).save(tmp_path / "colo.tif")
    summary = scan(index, [tmp_path])
    assert (summary.photos, summary.new, summary.errors) == (4, 4, 0)
    assert _files_by_photo(index) == [["IMG_0100.jpg"], ["IMG_0100.png"], ["colo.png"], ["colo.tif"]]
    assert scan(index, [tmp_path]).line().startswith("4 photos, 0 new, 0 changed")


def test_the_raw_pairs_with_the_jpeg_not_with_another_image_of_that_name(
    tmp_path: Path, index: PhotoIndex, fake_raw
) -> None:
    _write_png(tmp_path / "DSC_0001.png", (10, 200, 10))
    write_jpeg(tmp_path / "DSC_0001.JPG")
    (tmp_path / "DSC_0001.NEF").write_bytes(b"raw" * 1000)
    scan(index, [tmp_path])
    assert _files_by_photo(index) == [["DSC_0001.JPG", "DSC_0001.NEF"], ["DSC_0001.png"]]
    assert index.count("has:raw") == 1


def test_an_image_merged_by_an_older_scan_becomes_its_own_photo_and_the_labels_stay(
    tmp_path: Path, index: PhotoIndex
) -> None:
    write_jpeg(tmp_path / "IMG_0100.jpg", color=(200, 10, 10))
    _write_png(tmp_path / "IMG_0100.png", (10, 200, 10))
    scan(index, [tmp_path])
    _merge_like_an_old_scan(index, "IMG_0100.jpg", "IMG_0100.png")
    jpeg = _photo_of(index, "IMG_0100.jpg")
    index.set_label(jpeg, "Colosseum")
    # the old write put the JPEG's label into the PNG's sidecar too: it is not the PNG's
    (tmp_path / "IMG_0100.png.xmp").write_bytes(
        render_sidecar(None, KeywordFields(["Colosseum"], ["Landmarks|Colosseum"])))
    summary = scan(index, [tmp_path])
    assert (summary.new, summary.changed) == (1, 1)
    assert _files_by_photo(index) == [["IMG_0100.jpg"], ["IMG_0100.png"]]
    kept, png = index.get(jpeg), index.get(_photo_of(index, "IMG_0100.png"))
    assert (kept.label, kept.state, kept.path) == ("Colosseum", "accepted", str(tmp_path / "IMG_0100.jpg"))
    assert (png.state, png.width) == ("unlabelled", 40)
    assert scan(index, [tmp_path]).line().startswith("2 photos, 0 new, 0 changed")


def test_deleting_one_of_two_images_with_a_name_leaves_the_other_with_its_own_label(
    tmp_path: Path, index: PhotoIndex
) -> None:
    write_jpeg(tmp_path / "IMG_0100.jpg", color=(200, 10, 10))
    _write_png(tmp_path / "IMG_0100.png", (10, 200, 10))
    scan(index, [tmp_path])
    jpeg, png = _photo_of(index, "IMG_0100.jpg"), _photo_of(index, "IMG_0100.png")
    index.set_label(jpeg, "Colosseum")
    index.set_label(png, "Petra")
    (tmp_path / "IMG_0100.jpg").unlink()
    assert scan(index, [tmp_path]).missing == 1
    assert (index.get(png).label, index.get(png).missing) == ("Petra", False)
    assert (index.get(jpeg).label, index.get(jpeg).missing) == ("Colosseum", True)


# -- 2. a pair with one of its files deleted --------------------------------------------

def test_deleting_the_jpeg_of_a_pair_keeps_the_photo_and_its_label_through_the_raw(
    tmp_path: Path, index: PhotoIndex, fake_raw
) -> None:
    write_jpeg(tmp_path / "DSC_0005.JPG")
    (tmp_path / "DSC_0005.NEF").write_bytes(b"raw" * 1000)
    scan(index, [tmp_path])
    photo = _photo_of(index, "DSC_0005.JPG")
    index.set_label(photo, "Petra")
    (tmp_path / "DSC_0005.JPG").unlink()
    summary = scan(index, [tmp_path])
    assert (summary.changed, summary.missing) == (1, 0)
    record = index.get(photo)
    nef = str(tmp_path / "DSC_0005.NEF")
    assert (record.files, record.path, record.label, record.missing, record.has_raw) == (
        [nef], nef, "Petra", False, True)
    plan = plan_writes(index, options=WriteOptions(sidecar_naming="ext"))
    assert [(str(p.target), p.problem) for p in plan] == [(nef + ".xmp", None)]


def test_deleting_the_raw_of_a_pair_keeps_the_jpeg(tmp_path: Path, index: PhotoIndex, fake_raw) -> None:
    write_jpeg(tmp_path / "DSC_0005.JPG")
    (tmp_path / "DSC_0005.NEF").write_bytes(b"raw" * 1000)
    scan(index, [tmp_path])
    photo = _photo_of(index, "DSC_0005.JPG")
    (tmp_path / "DSC_0005.NEF").unlink()
    scan(index, [tmp_path])
    record = index.get(photo)
    assert (record.files, record.has_raw, record.missing) == ([str(tmp_path / "DSC_0005.JPG")], False, False)
    assert index.stats()["files"] == 1


def test_a_raw_the_app_cannot_read_keeps_the_photo_when_its_jpeg_is_deleted(tmp_path: Path, index: PhotoIndex) -> None:
    write_jpeg(tmp_path / "DSC_0005.JPG")
    write_tiff_raw(tmp_path / "DSC_0005.NEF")  # rawpy cannot open it: a problem, the row stays
    scan(index, [tmp_path])
    photo = _photo_of(index, "DSC_0005.JPG")
    (tmp_path / "DSC_0005.JPG").unlink()
    scan(index, [tmp_path])
    nef = str(tmp_path / "DSC_0005.NEF")
    record = index.get(photo)
    assert (record.files, record.path, record.missing) == ([nef], nef, False)


def test_a_deleted_file_an_older_scan_left_listed_goes_at_the_next_rescan(
    tmp_path: Path, index: PhotoIndex, fake_raw
) -> None:
    write_jpeg(tmp_path / "DSC_0005.JPG")
    (tmp_path / "DSC_0005.NEF").write_bytes(b"raw" * 1000)
    scan(index, [tmp_path])
    photo = _photo_of(index, "DSC_0005.JPG")
    (tmp_path / "DSC_0005.JPG").unlink()
    with index.transaction() as conn:  # what the older scan did: the file marked missing, kept in the photo
        conn.execute("UPDATE files SET missing = 1 WHERE name = 'DSC_0005.JPG'")
    scan(index, [tmp_path])
    assert index.get(photo).files == [str(tmp_path / "DSC_0005.NEF")]


# -- 3. folders inside library folders ----------------------------------------------------

def _landmarks(tmp_path: Path) -> Path:
    root = tmp_path / "Landmarks"
    write_jpeg(root / "Taj Mahal" / "t1.jpg", color=(1, 2, 3))
    write_jpeg(root / "Colosseum" / "c1.jpg", color=(4, 5, 6))
    write_jpeg(root / "Colosseum" / "c2.jpg", color=(7, 8, 9))
    return root


def test_a_sub_folder_scanned_again_stays_part_of_its_library_folder(tmp_path: Path) -> None:
    root, db = _landmarks(tmp_path), str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(root)]) == 0
    assert main(["--db", db, "scan", str(root / "Taj Mahal")]) == 0
    with PhotoIndex.open(db) as index:
        scan(index, [root / "Colosseum"])
        assert index.roots() == [root.resolve()]
        with pytest.raises(UsageError, match="inside the library folder"):
            folder_contents(index, root / "Colosseum")
        assert forget_folder(index, root).photos == 3
        assert index.count("") == 0 and index.roots() == []


def test_forgetting_a_library_folder_takes_the_ones_an_older_version_added_inside_it(
    tmp_path: Path, index: PhotoIndex
) -> None:
    root = _landmarks(tmp_path)
    scan(index, [root])
    with index.transaction() as conn:  # as the older version left them
        conn.executemany("INSERT INTO library_roots (path, added_at, recursive) VALUES (?, 'x', ?)",
                         [(str(root / "Taj Mahal"), 1), (str(root / "Colosseum"), 0)])
    assert index.roots() == [root] and index.folder_only_roots() == []
    assert forget_folder(index, root).photos == 3
    assert index.count("") == 0
    assert index.conn.execute("SELECT count(*) FROM library_roots").fetchone()[0] == 0


def test_a_folder_added_for_itself_only_joins_a_library_folder_added_around_it(
    tmp_path: Path, index: PhotoIndex
) -> None:
    root = _landmarks(tmp_path)
    scan(index, [root / "Colosseum"], folder_only=[root / "Colosseum"])  # `tag …/Colosseum/c1.jpg`
    assert index.folder_only_roots() == [root / "Colosseum"]
    scan(index, [root])
    assert index.roots() == [root] and index.folder_only_roots() == []
    scan(index, [root / "Taj Mahal"], folder_only=[root / "Taj Mahal"])  # inside a whole one: nothing new
    assert index.roots() == [root]


def test_a_whole_folder_inside_a_folder_only_one_is_a_library_folder_of_its_own(
    tmp_path: Path, index: PhotoIndex
) -> None:
    root = _landmarks(tmp_path)
    write_jpeg(root / "l.jpg", color=(9, 9, 9))
    scan(index, [root], folder_only=[root])  # its own photo only
    scan(index, [root / "Colosseum"])
    assert index.roots() == [root, root / "Colosseum"] and index.folder_only_roots() == [root]
    assert folder_contents(index, root / "Colosseum").photos == 2
    assert forget_folder(index, root).photos == 1
    assert index.count("") == 2 and index.roots() == [root / "Colosseum"]


# -- 4. problems about paths outside the library -------------------------------------------

def test_a_mistyped_folder_s_problem_goes_at_the_next_scan(tmp_path: Path, index: PhotoIndex) -> None:
    library, gone_drive = tmp_path / "Photos", tmp_path / "Drive"
    write_jpeg(library / "a.jpg")
    write_jpeg(gone_drive / "b.jpg", color=(3, 3, 3))
    scan(index, [library, gone_drive])
    (gone_drive / "b.jpg").unlink()
    gone_drive.rmdir()  # a library folder not found: its problem stays
    typo = scan(index, [tmp_path / "nonexistdir", gone_drive])
    assert typo.errors == 2 and len(index.errors(run_id=typo.run_id)) == 2
    scan(index, [library])
    assert [e.path for e in index.errors(stage="scan")] == [str(gone_drive)]


def test_relocating_a_library_folder_takes_the_folders_an_older_version_added_inside_it(
    tmp_path: Path, index: PhotoIndex
) -> None:
    from app.core.relocate import relocate_folder

    root = _landmarks(tmp_path)
    scan(index, [root])
    index.set_label(_photo_of(index, "c1.jpg"), "Colosseum")
    with index.transaction() as conn:  # as the older version left it
        conn.execute("INSERT INTO library_roots (path, added_at, recursive) VALUES (?, 'x', 1)",
                     (str(root / "Taj Mahal"),))
    moved = root.rename(tmp_path / "Landmarks (archive)")
    relocate_folder(index, root, moved)
    assert index.roots() == [moved] and index.count("") == 3
    assert index.get(_photo_of(index, "c1.jpg")).label == "Colosseum"
    assert forget_folder(index, moved).photos == 3


@pytest.mark.parametrize(("root", "folder"), [("E:\\", "E:\\"), ("\\\\nas\\photos\\", "\\\\nas\\photos\\"),
                                              ("E:\\DCIM", "E:\\DCIM"), ("/", "/"), ("/photos/", "/photos")])
def test_photos_in_a_folder_are_counted_at_a_drive_or_share_root_too(root, folder) -> None:
    """count_photos_in stripped the separator off `E:\\` and `\\\\nas\\photos\\`, where the
    photos of a drive's or share's root are stored with it: 0 photos, so a scan named the
    root "0 photos", and tag E:\\IMG_0001.JPG took the drive root back out of the library
    (307e8c3) though its photo was read (found by a reviewer)."""
    from app.core.index.catalog import count_photos_in

    with PhotoIndex.open(":memory:") as index:
        sep = "\\" if "\\" in root else "/"
        index.conn.execute("INSERT INTO photos (folder, stem, primary_path, has_raw, missing, added_at) "
                           "VALUES (?, 'IMG_0001', ?, 0, 0, '2026')", (folder, folder.rstrip(sep) + sep + "IMG_0001.JPG"))
        assert count_photos_in(index.conn, root, sep=sep) == 1
