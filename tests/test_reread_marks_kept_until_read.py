"""An upgrade's reread mark (app/core/index/rereads.py: migrations 38, 39) stays until the
photo's files are read. It went at the first scan after the upgrade whatever happened:
a merged photo whose RAW was in iCloud, online-only or locked at that scan stayed merged
for good ("0 errors"), a Blackmagic DNG in iCloud never got its camera, and online-only
RAWs were read (downloaded) though the scan said they were not."""

from __future__ import annotations

from pathlib import Path

import app.core.scan_folder_sync as scan_folder_sync
from app.core.index import PhotoIndex, catalog
from app.core.index.migrations_latest import migration_38, migration_39
from app.core.scanner import scan
from tests.test_cloud_placeholders import STAND_IN, download, evict, online_only  # noqa: F401 (fixture)
from tests.test_decode_raw import gray_sensor, green_preview, write_dng
from tests.test_raw_pictures_of_one_name import R5, R6, files_by_photo, merged_like_an_older_version, raw

TOLD_APART = [["IMG_0001.CR2"], ["IMG_0001.CR3"]]
MERGED = [["IMG_0001.CR2", "IMG_0001.CR3"]]


def merged_index(tmp_path: Path) -> tuple[PhotoIndex, Path]:
    """An index an older version made of two bodies' RAWs of one name, upgraded (38)."""
    folder = tmp_path / "trip"
    cr2, cr3 = raw(folder / "IMG_0001.CR2", **R5), raw(folder / "IMG_0001.CR3", **R6)
    index = PhotoIndex.open(tmp_path / "index.db")
    scan(index, [folder])
    merged_like_an_older_version(index, cr2, cr3)
    index.set_label(index.search("")[0].id, "Colosseum")
    with index.transaction() as conn:
        migration_38(conn)
    return index, folder


def marks(index: PhotoIndex) -> int:
    return index.conn.execute("SELECT COUNT(*) FROM photos_to_reread").fetchone()[0]


def test_merged_raws_online_only_are_not_read_and_are_told_apart_once_local(tmp_path, online_only) -> None:
    index, folder = merged_index(tmp_path)
    with index:
        online_only.names.update({"IMG_0001.CR2", "IMG_0001.CR3"})
        online_only.read.clear()
        summary = scan(index, [folder])
        assert online_only.read == []  # reading them would recall them from the cloud
        assert (summary.not_downloaded, files_by_photo(index), marks(index)) == (2, MERGED, 1)
        online_only.names.clear()
        summary = scan(index, [folder])
        assert (summary.new, files_by_photo(index), marks(index)) == (1, TOLD_APART, 0)


def test_a_merged_raw_in_icloud_at_the_scan_after_the_upgrade_is_told_apart_once_downloaded(tmp_path) -> None:
    index, folder = merged_index(tmp_path)
    with index:
        cr3, kept = folder / "IMG_0001.CR3", tmp_path / "kept.CR3"
        evict(cr3, kept)
        scan(index, [folder])
        assert (files_by_photo(index), marks(index)) == (MERGED, 1)
        download(cr3, kept)
        summary = scan(index, [folder])
        assert (summary.new, files_by_photo(index), marks(index)) == (1, TOLD_APART, 0)
        assert [p.label for p in index.search("Colosseum")] == ["Colosseum"]


def test_a_merged_raw_locked_at_that_scan_is_reported_and_told_apart_at_the_next(tmp_path, monkeypatch) -> None:
    index, folder = merged_index(tmp_path)
    real = scan_folder_sync.read_photo_info

    def locked(path):
        if Path(path).name == "IMG_0001.CR3":
            raise PermissionError(13, "The process cannot access the file", path)
        return real(path)

    with index:
        monkeypatch.setattr(scan_folder_sync, "read_photo_info", locked)
        summary = scan(index, [folder])
        assert (summary.errors, files_by_photo(index), marks(index)) == (1, MERGED, 1)
        [problem] = index.errors()
        assert problem.message == f"{folder / 'IMG_0001.CR3'}: cannot read (The process cannot access the file); " \
                                  "check its permissions"
        monkeypatch.setattr(scan_folder_sync, "read_photo_info", real)
        summary = scan(index, [folder])
        assert (summary.errors, summary.new, files_by_photo(index), marks(index)) == (0, 1, TOLD_APART, 0)


def test_a_dng_in_icloud_at_the_scan_after_migration_39_gets_its_camera_once_downloaded(tmp_path) -> None:
    folder = tmp_path / "shoot"
    folder.mkdir()
    dng = write_dng(folder / "A001.DNG", green_preview(), gray_sensor(), make=None, model=None,
                    unique_model="Blackmagic Pocket Cinema Camera 4K")
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        (photo,) = index.search("")
        with index.transaction() as conn:  # as a version before 39 stored it
            conn.execute("UPDATE photos SET camera_model = NULL")
            catalog.refresh_fts(conn, photo.id)
            conn.execute("DELETE FROM photos_to_reread")
            migration_39(conn)
        kept = tmp_path / "kept.DNG"
        evict(dng, kept)
        scan(index, [folder])
        assert (index.count("camera:blackmagic"), marks(index)) == (0, 1)
        download(dng, kept)
        scan(index, [folder])
        assert (index.count("camera:blackmagic"), marks(index)) == (1, 0)
