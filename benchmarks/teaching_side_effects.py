"""Does teaching a place cost the model's own labels? The default bundle tags its
validation photos (the 20 % split `make default-model` prepared: photos its network
never trained on, 39 known landmarks) together with the Arezzo street photos of
../shared/data/camera/jpeg_gps (a place it does not know) in a temporary index; then
"Arezzo" is taught from a few of them and `suggest` runs, as a user would from the CLI.
It prints how many validation photos keep their right label above the threshold, how
many lose it (to "no landmark", another landmark or the taught place), and how many of
the other Arezzo photos are found:

    .venv/bin/python benchmarks/teaching_side_effects.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

PLACE = "Arezzo"


def labels_by_path(db: Path) -> dict[str, str | None]:
    """path → current label (None: "no landmark" or unlabelled)."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT f.path, l.label FROM files f LEFT JOIN labels l ON l.photo_id = f.photo_id")
        return {path: label for path, label in rows}


def cli(db: Path, *args: str) -> None:
    environment = dict(os.environ, LANDMARK_TAGGER_DB=str(db))
    done = subprocess.run([sys.executable, "-m", "app", *args], cwd=REPO_ROOT, env=environment,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode >= 2:  # 1 is "some files failed", which the counts below show
        raise SystemExit(f"landmark-tagger {args[0]} failed: {done.stderr.strip()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=REPO_ROOT / "build" / "default-model" / "prepared",
                        help="the dataset `make default-model` prepared")
    parser.add_argument("--place", type=Path, default=REPO_ROOT.parent / "shared" / "data" / "camera" / "jpeg_gps",
                        help="photos of a place the model does not know")
    parser.add_argument("--shots", type=int, default=3, help="photos of the place taught (default 3)")
    args = parser.parse_args(argv)
    from training.datasets import load_manifest

    if not (args.manifest / "manifest.json").is_file():
        raise SystemExit(f"{args.manifest} is not a prepared dataset; run `make default-model` first")
    place_photos = sorted(args.place.glob("*.jpg"))
    if len(place_photos) <= args.shots:
        raise SystemExit(f"{args.place} needs more than {args.shots} photos")
    manifest = load_manifest(args.manifest)
    with tempfile.TemporaryDirectory(prefix="lt-teaching-side-effects-") as temp:
        library, db = Path(temp).resolve() / "library", Path(temp) / "index.db"
        truth: dict[str, str] = {}
        for image in manifest.images:
            if image.split == "val":
                folder = library / image.name
                folder.mkdir(parents=True, exist_ok=True)
                copy = folder / Path(image.source).name
                shutil.copyfile(image.source, copy)
                truth[str(copy)] = image.name
        (library / PLACE).mkdir()
        place = []
        for photo in place_photos:
            shutil.copyfile(photo, library / PLACE / photo.name)
            place.append(str(library / PLACE / photo.name))
        taught, others = place[: args.shots], place[args.shots :]
        cli(db, "scan", str(library))
        cli(db, "tag", str(library))
        before = labels_by_path(db)
        cli(db, "teach", PLACE, *taught)
        cli(db, "suggest")
        after = labels_by_path(db)
    right_before = {path for path, name in truth.items() if before.get(path) == name}
    right_after = {path for path, name in truth.items() if after.get(path) == name}
    lost = Counter(
        "no landmark" if after.get(path) is None else PLACE if after.get(path) == PLACE else "another landmark"
        for path in right_before - right_after
    )
    print(f"{len(truth)} validation photos of 39 known landmarks; '{PLACE}' taught from {args.shots} photos")
    print(f"right label above the threshold: {len(right_before)} after `tag`, {len(right_after)} after "
          f"`teach` + `suggest` ({len(right_after - right_before)} gained)")
    print("lost: " + (", ".join(f"{count} to {where}" for where, count in lost.most_common()) or "none"))
    found = sum(after.get(path) == PLACE for path in others)
    known = sum(after.get(path) not in (None, PLACE) for path in others)
    print(f"the other {len(others)} photos of {PLACE}: {found} suggested as {PLACE}, {known} labelled a known "
          f"landmark (after `tag`: {sum(before.get(path) is not None for path in others)}), "
          f"{len(others) - found - known} no landmark")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
