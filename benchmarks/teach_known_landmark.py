"""Does naming a landmark the model knows one's own way cost that landmark's labels? The
default bundle tags the photos of ../shared/data/landmarks/world (the validation split
the bundle never trained on, or its training split, as `landmark-train prepare --seed 0`
splits them) in a temporary index; then, for each landmark, 2 of its photos are taught as
"My place" (`--shots N`: N of them) and `suggest` runs, as a user would, on a copy of
that index each time. It
prints how many of the landmark's other photos had the model's label before and how many
keep a label after (the landmark's or "My place"), landmark by landmark where one is lost:

    .venv/bin/python benchmarks/teach_known_landmark.py --split val
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

PLACE = "My place"


def library_of(world: Path, split: str, folder: Path) -> None:
    """The photos of one split, copied into folder/<landmark>/."""
    from training.datasets import folder_records
    from training.prepare import stratified_split

    records, _ = folder_records(world)
    chosen = stratified_split(records, 0.2, 0)
    for record in records:
        if split == "all" or chosen[record.key] == split:
            target = folder / record.landmark_id / Path(record.source).name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(record.source, target)


def draws(photos: list[Path], count: int, shots: int = 2) -> list[list[Path]]:
    """Up to `count` sets of `shots` of a landmark's photos to teach: its first by name, its
    last, then ones spread over the middle (the same sets whatever the code measured)."""
    spread = [photos[(i + 1) * len(photos) // (shots + 1)] for i in range(shots)]
    unique = []
    for group in (photos[:shots], photos[-shots:], spread):
        if len(set(group)) == shots and group not in unique:
            unique.append(group)
    return unique[:count]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", type=Path, default=REPO_ROOT.parent / "shared" / "data" / "landmarks" / "world")
    parser.add_argument("--split", choices=("val", "train", "all"), default="val")
    parser.add_argument("--draws", type=int, default=3, help="sets of photos taught per landmark (default 3)")
    parser.add_argument("--shots", type=int, default=2, help="photos taught in each set (default 2)")
    args = parser.parse_args(argv)
    from app.cli.main import main as cli
    from app.core.index import PhotoIndex
    from app.core.teaching import load_model_bundle, teach
    from app.core.teaching_suggest import SuggestOptions, suggest

    if not args.world.is_dir():
        raise SystemExit(f"no landmark photos at {args.world}")
    bundle = load_model_bundle(None)
    with tempfile.TemporaryDirectory(prefix="lt-teach-known-") as temp:
        library, base = Path(temp) / "library", Path(temp) / "base.db"
        library_of(args.world, args.split, library)
        for command in (["scan", str(library)], ["tag", str(library)]):
            if cli(["--db", str(base), *command]) >= 2:
                raise SystemExit(f"landmark-tagger {command[0]} failed")
        had = kept = taught = 0
        for folder in sorted(path for path in library.iterdir() if path.is_dir()):
            photos = sorted(folder.glob("*.jpg"))
            for pair in draws(photos, args.draws, args.shots) if len(photos) > args.shots else ():
                db = Path(temp) / "copy.db"
                shutil.copyfile(base, db)
                with PhotoIndex.open(db) as index:
                    before = _labels(index, folder)
                    teach(index, PLACE, pair, bundle=bundle)
                    suggest(index, "", SuggestOptions(), bundle=bundle)
                    after = _labels(index, folder)
                others = [path for path in before if Path(path) not in pair and before[path] == folder.name]
                lost = [path for path in others if after[path] not in (folder.name, PLACE)]
                had, kept, taught = had + len(others), kept + len(others) - len(lost), taught + 1
                if lost:
                    print(f"{folder.name}, taught {', '.join(p.name for p in pair)}: {len(lost)} of {len(others)} "
                          f"lost ({', '.join(Path(path).name for path in lost)})")
                for leftover in Path(temp).glob("copy.db*"):
                    shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    print(f"{args.split} split, {taught} teachings of {args.shots} photos as '{PLACE}': {kept} of the {had} other "
          f"photos the model had labelled keep a label ({had - kept} lost)")
    return 0


def _labels(index, folder: Path) -> dict[str, str | None]:
    """path → label of the photos in one landmark's folder."""
    rows = index.conn.execute("SELECT p.primary_path, l.label FROM photos p LEFT JOIN labels l ON l.photo_id = p.id")
    return {path: label for path, label in rows if Path(path).parent == folder}


if __name__ == "__main__":
    raise SystemExit(main())
