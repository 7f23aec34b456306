"""Builders shared by the GUI tests: generated photo folders and ready windows."""

from __future__ import annotations

import random
from pathlib import Path

import piexif
import pytest
from PIL import Image

from app.core.index import PhotoIndex, Prediction


def make_photo_folder(folder: Path, count: int, seed: int = 1) -> list[Path]:
    """`count` small JPEGs with camera EXIF (some in a sub-folder), distinct colours."""
    rng = random.Random(seed)
    paths = []
    for i in range(count):
        path = folder / ("trip" if i % 3 == 0 else "") / f"IMG_{i:04d}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        exif = {
            "0th": {piexif.ImageIFD.Make: b"NIKON CORPORATION", piexif.ImageIFD.Model: b"NIKON D90"},
            "Exif": {piexif.ExifIFD.DateTimeOriginal: f"2020:11:{1 + i % 28:02d} 10:{i % 60:02d}:00".encode()},
        }
        colour = tuple(rng.randrange(256) for _ in range(3))
        image = Image.new("RGB", (96, 64), colour)
        # some structure on it: a flat frame is a "blank frame" to the tagger (model.image_detail)
        for x in range(0, 96, 16):
            for y in range(0, 64, 16):
                shade = tuple(max(0, min(255, c + rng.randrange(-90, 91))) for c in colour)
                image.paste(shade, (x, y, x + 8, y + 8))
        image.save(path, "JPEG", exif=piexif.dump(exif))
        paths.append(path)
    return paths


def insert_synthetic_photos(db_path: Path, count: int, folder: str = "/photos/big") -> None:
    """Fill an index with `count` photos by direct inserts (fast; no files on disk)."""
    with PhotoIndex.open(db_path) as index:
        with index.transaction() as conn:
            conn.executemany(
                "INSERT INTO photos (id, folder, stem, primary_path, taken_at, has_raw, missing) "
                "VALUES (?, ?, ?, ?, ?, 0, 0)",
                ((i, folder, f"IMG_{i:06d}", f"{folder}/IMG_{i:06d}.jpg", f"2020-01-01T00:00:{i % 60:02d}")
                 for i in range(1, count + 1)),
            )
            conn.executemany(
                "INSERT INTO files (photo_id, path, name, ext, kind, missing) VALUES (?, ?, ?, '.jpg', 'jpeg', 0)",
                ((i, f"{folder}/IMG_{i:06d}.jpg", f"IMG_{i:06d}.jpg") for i in range(1, count + 1)),
            )
        index.add_root(folder)


def insert_archive_rows(conn, count: int, root: str = "/archive") -> None:
    """`count` photos of a large archive, 100 a day folder, as index rows only (no files
    on disk), in the caller's transaction: the rest of the library a benchmark or a test
    of cost measures against."""
    for n in range(count):
        path = f"{root}/day-{n // 100:05d}/IMG_{n:06d}.JPG"
        photo_id = conn.execute(
            "INSERT INTO photos (folder, stem, primary_path, taken_at, has_raw, added_at) "
            "VALUES (?, ?, ?, '2019-07-14T10:00:00', 0, '2019-07-14')",
            (path.rsplit("/", 1)[0], f"IMG_{n:06d}", path)).lastrowid
        conn.execute(
            "INSERT INTO files (photo_id, path, name, ext, kind, size, mtime_ns, fingerprint, missing) "
            "VALUES (?, ?, ?, '.jpg', 'jpeg', 1000, 0, ?, 0)",
            (photo_id, path, path.rsplit("/", 1)[1], f"fp{n}"))


def close_main_window(win, job_wait_ms: int = 10000) -> None:
    """Stop a test window's jobs, thumbnail loads and database: nothing outlives the test.
    The window is closed first, as the app closes it: left open, a paint after the index
    closed (pytest-qt runs the event loop at teardown) failed with "Cannot operate on a
    closed database"."""
    win.close()
    win.jobs.cancel()
    win.jobs.runner.wait(job_wait_ms)
    win.thumbnails.drop_queued()
    win.thumbnails.wait_for_done(5000)
    win.results.close()
    win.index.close()


def shown_window(qtbot, db):
    """The main window on the index `db`, 1200 x 800, shown, its first results in."""
    from app.gui.app import create_application, open_main_window

    create_application()
    win = open_main_window(db)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    wait_for_results(qtbot, win)
    return win


@pytest.fixture
def window(qtbot, tmp_path):
    win = shown_window(qtbot, tmp_path / "index.db")
    yield win
    close_main_window(win)


def wait_for_results(qtbot, win) -> None:
    """Searches and counts run in a worker; wait for the latest answers."""
    qtbot.waitUntil(lambda: not win.results.busy, timeout=20000)


def wait_for_job(qtbot, win, timeout_ms=60000) -> None:
    qtbot.waitUntil(lambda: not win.jobs.busy, timeout=timeout_ms)
    wait_for_results(qtbot, win)


def show_the_one_missing_photo(qtbot, win) -> None:
    """Checks the library folders, searches is:missing, expects one photo and selects it."""
    assert win.check_library_folders()
    wait_for_job(qtbot, win)
    win.search_bar.set_text("is:missing")
    wait_for_results(qtbot, win)
    assert win.grid_model.rowCount() == 1
    win.grid.setCurrentIndex(win.grid_model.index(0))


def added_folder(qtbot, win, tmp_path, count=12) -> Path:
    folder = tmp_path / "photos"
    make_photo_folder(folder, count)
    assert win.add_folder(folder)
    wait_for_job(qtbot, win)
    return folder


def suggest(index: PhotoIndex, photo_id: int, label: str, score: float) -> None:
    top = [Prediction(label.lower().replace(" ", "_"), label, score), Prediction("other", "Other place", 1 - score)]
    index.set_predictions(photo_id, "test-model", top, threshold=0.1)


def library_with_an_unplugged_card(qtbot, win, tmp_path) -> tuple[Path, Path]:
    """A library of 3 photos in one folder and 2 on a card since taken out (its folder
    gone from where the library knows it)."""
    folder = added_folder(qtbot, win, tmp_path, count=3)
    card = tmp_path / "card"
    make_photo_folder(card, 2, seed=5)
    assert win.add_folder(card)
    wait_for_job(qtbot, win)
    card.rename(tmp_path / "card (elsewhere)")
    return folder, card


def suggested_photos(qtbot, win, tmp_path, count: int = 8) -> list[int]:
    """`count` photos suggested, most doubtful first in the order returned."""
    added_folder(qtbot, win, tmp_path, count=count)
    ids = win.index.photo_ids("")
    for rank, photo_id in enumerate(ids):
        suggest(win.index, photo_id, "Colosseum", 0.5 + rank * 0.05)
    win.library_changed()
    wait_for_results(qtbot, win)
    return ids
