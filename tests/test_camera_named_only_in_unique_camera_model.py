"""A DNG whose camera is named only in UniqueCameraModel (a Blackmagic cinema camera's:
DNG makes Model optional, UniqueCameraModel mandatory) has that camera, and `camera:`
finds it; an index an older version made is put right at the next scan (migration 39)."""

from __future__ import annotations

from app.core.index import PhotoIndex, catalog
from app.core.index.migrations_latest import migration_39
from app.core.photo_info import read_photo_info
from app.core.scanner import scan
from tests.test_decode_raw import gray_sensor, green_preview, write_dng

BLACKMAGIC = "Blackmagic Pocket Cinema Camera 4K"


def test_a_dng_named_only_by_its_unique_camera_model_is_found_by_that_camera(tmp_path) -> None:
    folder = tmp_path / "shoot"
    folder.mkdir()
    write_dng(folder / "A001.DNG", green_preview(), gray_sensor(), make=None, model=None, unique_model=BLACKMAGIC)
    write_dng(folder / "DSC_0001.DNG", green_preview(), gray_sensor(), make="NIKON CORPORATION",
              model="NIKON D850", unique_model="Nikon D850")
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        assert index.count("camera:blackmagic") == 1
        assert index.search(f'path:"{folder / "A001.DNG"}"')[0].camera_model == BLACKMAGIC
        assert index.search(f'path:"{folder / "DSC_0001.DNG"}"')[0].camera_model == "NIKON D850"  # Model first


def test_an_index_an_older_version_made_gets_the_camera_at_the_next_scan(tmp_path) -> None:
    folder = tmp_path / "shoot"
    folder.mkdir()
    write_dng(folder / "A001.DNG", green_preview(), gray_sensor(), make=None, model=None, unique_model=BLACKMAGIC)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        (photo,) = index.search("")
        index.set_label(photo.id, "Petra")
        with index.transaction() as conn:  # as a version before 39 stored it
            conn.execute("UPDATE photos SET camera_model = NULL")
            catalog.refresh_fts(conn, photo.id)
            conn.execute("DELETE FROM photos_to_reread")
        assert scan(index, [folder]).changed == 0 and index.count("camera:blackmagic") == 0
        with index.transaction() as conn:
            migration_39(conn)
        scan(index, [folder])
        assert index.count("camera:blackmagic") == 1
        assert index.get(photo.id).label == "Petra"


def test_the_real_blackmagic_dng_has_its_camera(shared_data) -> None:
    assert read_photo_info(shared_data / "camera/raw/Blackmagic.dng").camera_model == BLACKMAGIC
