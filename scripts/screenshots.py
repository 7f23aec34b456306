"""Render the README's screenshots of the desktop app (offscreen, 1400×900).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Builds a temporary library from the free-to-use camera JPEGs of ../shared/data/camera
(never the landmark photos, whose licence forbids redistribution) plus generated
pictures, tags it with assets/default.ltbundle when present (else a tiny random
bundle, whose guesses are meaningless), labels the photos whose subject the data
README names as a user would, and saves library.png, detail.png, loupe.png,
review.png and job.png. Nothing outside the temporary folder is touched.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CAMERA = REPO.parent / "shared" / "data" / "camera"
SIZE = (1400, 900)
MAX_PNG_BYTES = 400_000
# What ../shared/data/README.md says these camera photos show.
KNOWN_SUBJECTS = {
    "FujiFilm_FinePixS2Pro.jpg": "Eiffel Tower",
    "Panasonic_DMC-LX3_(Lumix).jpg": "Vittoriano",
    "Samsung_SM-G935L_(Galaxy_S7_Edge).jpg": "Grande Arche",
    "Nikon_D100.jpg": "Alcatraz",
    "Nikon_E5700.jpg": "British Museum",
}
TINY_LABELS = ["Eiffel Tower", "Colosseum", "Vittoriano", "Grande Arche", "Alcatraz", "British Museum",
               "Taj Mahal", "Petra", "Alhambra", "Hagia Sophia"]


def generated_landscape(path: Path, seed: int) -> None:
    """A simple synthetic scene (sky, hills, sun) so generated tiles look like photos."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    width, height = 900, 600
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    top = (rng.randrange(40, 120), rng.randrange(90, 170), rng.randrange(170, 240))
    bottom = (min(255, top[0] + 120), min(255, top[1] + 80), min(255, top[2] + 20))
    for y in range(height):
        t = y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))
    sun_x = rng.randrange(100, 800)
    draw.ellipse([sun_x - 40, 80, sun_x + 40, 160], fill=(255, 236, 180))
    for layer in range(3):
        base = 330 + layer * 90
        shade = (40 + layer * 30 + rng.randrange(30), 70 + layer * 25 + rng.randrange(30), 50 + layer * 10)
        points = [(0, height)]
        phase, amplitude = rng.random() * 6.3, rng.randrange(30, 90)
        for x in range(0, width + 30, 30):
            points.append((x, base + amplitude * math.sin(x / (120 + 40 * layer) + phase)))
        points.append((width, height))
        draw.polygon(points, fill=shade)
    image.filter(ImageFilter.GaussianBlur(1.2)).save(path, "JPEG", quality=88)


def build_library(root: Path) -> Path:
    """Camera JPEGs in two folders plus a RAW+JPEG pair; returns the library folder."""
    library = root / "Travel photos"
    cameras = library / "Cameras"
    arezzo = library / "Arezzo 2008"
    cameras.mkdir(parents=True)
    arezzo.mkdir(parents=True)
    for photo in sorted((CAMERA / "jpeg").glob("*.jpg")):
        shutil.copy2(photo, cameras / photo.name)
    for photo in sorted((CAMERA / "jpeg_gps").glob("*.jpg")):
        shutil.copy2(photo, arezzo / photo.name)
    # One RAW+JPEG pair so the RAW marker shows: the NEF takes the stem of a JPEG.
    nef = CAMERA / "raw" / "Nikon_uncompressed.nef"
    if nef.is_file():
        shutil.copy2(nef, cameras / "Nikon_D70.NEF")
    return library


def pump(app, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def wait_until(app, condition, timeout: float = 300.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the app did not get there in time")
        app.processEvents()
        time.sleep(0.01)


def settle(app, window) -> None:
    """Let results, thumbnails and the preview arrive, and the layout come to rest."""
    pump(app, 0.3)
    wait_until(app, lambda: not window.results.busy, timeout=60)
    wait_until(app, lambda: not window.thumbnails._jobs, timeout=60)
    pump(app, 0.4)
    window.detail._loader.wait_for_done(10000)
    pump(app, 0.3)


def save(window, path: Path) -> None:
    """Grab the window; fall back to a 256-colour palette when the PNG is too big."""
    from PIL import Image

    window.grab().save(str(path), "PNG")
    if path.stat().st_size > MAX_PNG_BYTES:
        image = Image.open(path).convert("RGB")
        image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG).save(
            path, "PNG", optimize=True)
    print(f"{path}  {path.stat().st_size / 1000:.0f} KB")


def select_photo(window, name: str) -> None:
    from PySide6.QtCore import QItemSelectionModel

    model = window.grid_model
    for row in range(model.rowCount()):
        if model.record(row).path.endswith(name):
            window.grid.selectionModel().setCurrentIndex(model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)
            window.grid.scrollTo(model.index(row))
            return
    raise LookupError(f"{name} is not in the grid")


def bundle_for(work: Path, chosen: Path | None) -> Path:
    if chosen is not None:
        return chosen
    default = REPO / "assets" / "default.ltbundle"
    if default.is_file():
        return default
    from model.testing import make_tiny_bundle

    path = work / "tiny.ltbundle"
    make_tiny_bundle(path, TINY_LABELS, input_size=64, seed=3)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots", help="folder for the PNGs")
    parser.add_argument("--model", type=Path, help="the bundle to tag with (default: assets/default.ltbundle, "
                        "else a tiny random one)")
    args = parser.parse_args(argv)
    if not (CAMERA / "jpeg").is_dir():
        print(f"screenshots: {CAMERA} is missing; the screenshots need the shared camera photos", file=sys.stderr)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    work = Path(tempfile.mkdtemp(prefix="lt-screenshots-"))
    os.environ["LANDMARK_TAGGER_HOME"] = str(work / "home")  # own cache and settings, not the user's
    try:
        return render(work, args.out, args.model)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def render(work: Path, out: Path, model: Path | None) -> int:
    sys.path.insert(0, str(REPO))
    from app.gui.app import create_application, open_main_window
    from app.gui.main_window import PAGE_GRID, PAGE_REVIEW

    out.mkdir(parents=True, exist_ok=True)
    library = build_library(work)
    bundle = bundle_for(work, model)
    app = create_application()
    window = open_main_window(work / "index.db")
    window.settings = replace(window.settings, model_bundle=str(bundle))
    window.resize(*SIZE)
    window.show()
    window.add_folder(library)
    wait_until(app, lambda: not window.jobs.busy and not window.results.busy)
    window.tag_folder()
    wait_until(app, lambda: not window.jobs.busy and not window.results.busy)
    index = window.index
    for photo_id in index.photo_ids(""):
        record = index.get(photo_id)
        subject = KNOWN_SUBJECTS.get(Path(record.path).name)
        if subject:
            index.set_label(photo_id, subject, source="user", state="accepted")
    window.library_changed()
    window.resize(*SIZE)

    select_photo(window, "Samsung_SM-G935L_(Galaxy_S7_Edge).jpg")
    window.grid.scrollToTop()
    settle(app, window)
    save(window, out / "library.png")

    window.library_tree.select_folder(str((library / "Arezzo 2008").resolve()))
    settle(app, window)
    window.grid.setCurrentIndex(window.grid_model.index(1))
    settle(app, window)
    save(window, out / "detail.png")

    window.open_loupe()
    settle(app, window)
    save(window, out / "loupe.png")
    window.close_loupe()

    window.library_tree.select_folder("")
    window.show_page(PAGE_REVIEW)
    window.review.list.setCurrentIndex(window.review_model.index(0))
    settle(app, window)
    save(window, out / "review.png")

    window.show_page(PAGE_GRID)
    generated = library / "Generated"
    generated.mkdir()
    for number in range(400):
        generated_landscape(generated / f"GEN_{number:04d}.jpg", seed=number)
    window.add_folder(generated)
    wait_until(app, lambda: not window.jobs.busy and not window.results.busy)
    window.library_tree.select_folder(str(generated.resolve()))
    settle(app, window)
    window.tag_folder()
    # Photos are tagged in name order and listed newest (here: last added) first, so
    # the end of the grid is where labels arrive first.
    wait_until(app, lambda: window.job_bar.bar.maximum() > 0 and window.job_bar.bar.value() > 40, timeout=600)
    last = window.grid_model.rowCount() - 1
    window.grid.setCurrentIndex(window.grid_model.index(last - 12))
    window.grid.scrollToBottom()
    settle(app, window)
    save(window, out / "job.png")
    window.jobs.cancel()
    wait_until(app, lambda: not window.jobs.busy and not window.results.busy)
    window.close()
    index.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
