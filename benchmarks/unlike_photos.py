"""How app.core.teaching_odd's cut was chosen: a taught photo is named as unlike the others
when its closest other taught photo is less similar than a quantile of the similarities
between photos of two different landmarks among the model's training photos (its gallery).

    .venv/bin/python benchmarks/unlike_photos.py

For each quantile it prints, on the default bundle's training photos (its gallery, where
the quantile is measured) and then on its validation photos (never trained on; tagged into
a temporary index from ../shared/data/landmarks/world), how often a photo taught beside 2
photos of its own landmark is named (a false warning) and how often a photo taught beside 2
photos of another landmark is (caught); and the same beside 1 photo, which says why `teach`
names no photo of a place of 2 (neither is the odd one, and the false warnings double).
Random draws with a fixed seed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

QUANTILES = (0.95, 0.97, 0.98, 0.99, 0.995)


def rates(vectors: np.ndarray, classes: np.ndarray, others: int, cut: float, draws: int = 20000,
          seed: int = 0) -> tuple[float, float]:
    """(named though of the same landmark, named being of another landmark) for a photo
    taught beside `others` photos of one landmark: the rule of teaching_odd.unlike_the_others,
    its closest other taught photo less similar than `cut`."""
    rng = np.random.default_rng(seed)
    usable = np.flatnonzero(np.bincount(classes) > others)
    false = caught = 0
    for _ in range(draws):
        own, other = rng.choice(usable, 2, replace=False)
        photo, *same = rng.choice(np.flatnonzero(classes == own), others + 1, replace=False)
        different = rng.choice(np.flatnonzero(classes == other), others, replace=False)
        false += _closest(vectors, photo, same) < cut
        caught += _closest(vectors, photo, different) < cut
    return false / draws, caught / draws


def _closest(vectors: np.ndarray, photo: int, others) -> float:
    return float((vectors[list(others)] @ vectors[photo]).max())


def validation_descriptors(world: Path, bundle) -> tuple[np.ndarray, np.ndarray]:
    """The validation photos' stored descriptors (else embeddings) and classes, tagged by `bundle`."""
    from app.cli.main import main as cli
    from app.core import teaching_store as store
    from app.core.index import PhotoIndex
    from app.core.teaching_odd import uses_descriptors
    from benchmarks.teach_known_landmark import library_of

    with tempfile.TemporaryDirectory(prefix="lt-unlike-photos-") as temp:
        library, db = Path(temp) / "library", Path(temp) / "index.db"
        library_of(world, "val", library)
        for command in (["scan", str(library)], ["tag", str(library)]):
            if cli(["--db", str(db), *command]) >= 2:
                raise SystemExit(f"landmark-tagger {command[0]} failed")
        with PhotoIndex.open(db) as index:
            read = store.stored_descriptor if uses_descriptors(bundle) else store.stored_embedding
            rows = index.conn.execute("SELECT id, primary_path FROM photos").fetchall()
            found = [(read(index.conn, photo_id, bundle.id), Path(path).parent.name) for photo_id, path in rows]
    names = sorted({name for vector, name in found if vector is not None})
    vectors = np.stack([vector for vector, _ in found if vector is not None])
    return store.normalised(vectors), np.array([names.index(name) for vector, name in found if vector is not None])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", type=Path, default=REPO_ROOT.parent / "shared" / "data" / "landmarks" / "world")
    args = parser.parse_args(argv)
    from app.core import teaching_store as store
    from app.core.teaching_odd import different_place_quantile, uses_descriptors
    from model.bundle import default_bundle_path, load_bundle

    bundle = load_bundle(default_bundle_path())
    gallery = bundle.gallery
    train = store.normalised(gallery.descriptors if uses_descriptors(bundle) else gallery.vectors)
    sets = [("training photos (the gallery)", train, np.asarray(gallery.classes))]
    if args.world.is_dir():
        sets.append(("validation photos", *validation_descriptors(args.world, bundle)))
    for quantile in QUANTILES:
        cut = different_place_quantile(gallery.descriptors if uses_descriptors(bundle) else gallery.vectors,
                                       gallery.classes, quantile)
        for name, vectors, classes in sets:
            figures = []
            for others in (1, 2):
                false, caught = rates(vectors, classes, others, cut)
                figures.append(f"beside {others}: caught {caught:.1%}, same landmark named {false:.1%}")
            print(f"quantile {quantile} (cut {cut:.3f}), {name}: " + "; ".join(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
