"""Memory and time of `suggest` on a large library, from stored embeddings and descriptors.

Builds a synthetic index of N photos (no image files) whose stored vectors are the
default bundle's gallery photos plus noise, with one new place of 200 photos taught
by 3 of them, then runs `suggest` twice in this process:

- "blocks": the app as it is, the library's teaching-space vectors computed a block
  at a time (model.descriptor.JointVectors);
- "matrix" (baseline): the same with those vectors held as one float32 matrix, as
  before that change.

Peak memory is numpy's and Python's allocations during the call (tracemalloc), on top
of what the index and the bundle already hold.

    .venv/bin/python benchmarks/suggest_memory.py --photos 20000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.bench_index_generate import generate_index  # noqa: E402

NEW_PLACE_PHOTOS = 200
TAUGHT = 3


def fill_vectors(index, bundle, photos: int, seed: int = 5) -> list[int]:
    """Store an embedding and descriptor for every photo: a random gallery photo plus
    noise, except NEW_PLACE_PHOTOS around one new point; returns the new place's ids."""
    from app.core.teaching_store import store_embedding

    rng = np.random.default_rng(seed)
    gallery = bundle.gallery
    ids = [int(row[0]) for row in index.conn.execute("SELECT id FROM photos ORDER BY id")]
    new_place = set(rng.choice(ids, NEW_PLACE_PHOTOS, replace=False).tolist())
    place_e = rng.standard_normal(gallery.vectors.shape[1]).astype(np.float32)
    place_d = rng.standard_normal(gallery.descriptors.shape[1]).astype(np.float32)
    with index.transaction() as conn:
        for photo_id in ids:
            if photo_id in new_place:
                e, d = place_e, place_d
            else:
                row = rng.integers(len(gallery.vectors))
                e = gallery.vectors[row].astype(np.float32)
                d = gallery.descriptors[row].astype(np.float32)
            e = e / np.linalg.norm(e) + 0.03 * rng.standard_normal(e.size).astype(np.float32)
            d = d / np.linalg.norm(d) + 0.02 * rng.standard_normal(d.size).astype(np.float32)
            store_embedding(conn, photo_id, bundle.id, e, d)
    return sorted(new_place)


@contextmanager
def taught_library(bundle, photos: int) -> Iterator[tuple]:
    """A synthetic index of `photos` photos in a temporary folder, their vectors stored
    (fill_vectors) and the new place taught by TAUGHT of its photos: (the open index,
    the folder), both gone after the block."""
    from app.core.index import PhotoIndex
    from app.core.teaching import teach

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "library.db"
        generate_index(path, photos)
        with PhotoIndex.open(path) as index:
            new_place = fill_vectors(index, bundle, photos)
            teach(index, "Our cabin", new_place[:TAUGHT], bundle=bundle)
            yield index, Path(folder)


def run_suggest(index, bundle) -> tuple[int, float, int]:
    """(suggestions, seconds, peak bytes allocated during the call). Every run fits the
    teaching classifier afresh (nothing kept): a fit kept by an earlier run, this
    script's or the user's cache, would make the later variant look faster."""
    from app.core.teaching_fits import ClassifierFits
    from app.core.teaching_suggest import SuggestOptions, suggest

    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    found = suggest(index, options=SuggestOptions(store=False), bundle=bundle, fits=ClassifierFits(None))
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return len(found), seconds, peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=20_000)
    parser.add_argument("--model", type=Path, default=None, help="bundle with a teaching space (default: the default)")
    args = parser.parse_args(argv)

    from app.core.teaching import load_model_bundle
    from app.core.teaching_space import TeachingSpace

    bundle = load_model_bundle(args.model)
    if not bundle.descriptor_size:
        raise SystemExit(f"{bundle.name} has no teaching space (descriptors); nothing to measure")
    with taught_library(bundle, args.photos) as (index, _):
        blocks = run_suggest(index, bundle)
        library_vectors = TeachingSpace.library_vectors
        TeachingSpace.library_vectors = lambda space, e, d: space.vectors(e, d)  # the baseline
        try:
            matrix = run_suggest(index, bundle)
        finally:
            TeachingSpace.library_vectors = library_vectors
    print(f"suggest on {args.photos} photos ({NEW_PLACE_PHOTOS} of a new place, {TAUGHT} taught), bundle {bundle.id}")
    print("| library vectors | suggestions | seconds | peak MB during suggest | peak KB / photo |")
    print("|---|---|---|---|---|")
    for name, (found, seconds, peak) in (("blocks (the app)", blocks), ("one float32 matrix (baseline)", matrix)):
        print(f"| {name} | {found} | {seconds:.2f} | {peak / 2**20:.0f} | {peak / 1024 / args.photos:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
