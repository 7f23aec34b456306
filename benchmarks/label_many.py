"""How long `landmark-tagger label QUERY NAME` takes for N photos, against baselines
measured in the same run on copies of the same synthetic index (no image files; the
photos carry model suggestions, as after `tag`):

- `select`: a plain SELECT of the same photos' label rows, the floor of any labelling;
- `one by one`: PhotoIndex.set_label for each photo in one transaction, the way the
  label command set labels before they were set in batches;
- `label --no-landmark`: the command itself, labels only (nothing is taught);
- `label NAME`: the command itself with the default bundle (or --model), every photo
  holding an embedding (random vectors, stored as `tag` stores them): each one teaches NAME;
- `teach OTHER`, then, on copies of that index (every photo teaching NAME): teaching.teach
  of every photo to another place, against `teach, one by one`, the way teach went before
  (per photo: what it taught listed, its reference added, the others dropped, its label
  set; no index of taught_refs by photo, as before schema migration 26).

With --paths N: `label FILES NAME` of N real photo files named one by one (a shell glob)
in a library of --photos scanned, never tagged, so each photo is decoded and embedded
now, against, in the same run on copies of the same index: the same command given their
folder as a query (`folder:`), the same files with --no-landmark (naming them, nothing
embedded), and the model alone embedding N prepared frames one at a time (the floor).

    .venv/bin/python benchmarks/label_many.py --photos 20000
    .venv/bin/python benchmarks/label_many.py --photos 3000 --paths 2000
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

NAME = "Our cabin"
OTHER = "Our hut"


def fresh_copy(source: Path, folder: Path, name: str) -> Path:
    """A copy of the index to change (each measurement starts from the same photos)."""
    target = folder / f"{name}.db"
    shutil.copyfile(source, target)
    return target


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def select_rows(db: Path) -> float:
    from app.core.index import PhotoIndex

    with PhotoIndex.open(db) as index:
        ids = index.photo_ids("")
        return timed(lambda: index.conn.execute(
            f"SELECT * FROM labels WHERE photo_id IN ({','.join(map(str, ids))})").fetchall())


def one_by_one(db: Path) -> float:
    from app.core.index import PhotoIndex

    with PhotoIndex.open(db) as index:
        ids = index.photo_ids("")

        def label_each() -> None:
            with index.transaction():
                for photo_id in ids:
                    index.set_label(photo_id, NAME, source="user", state="accepted")

        return timed(label_each)


def store_embeddings(db: Path, bundle) -> None:
    """A random embedding (and descriptor) for every photo, as `tag` stores them."""
    import numpy as np

    from app.core import teaching_store as store
    from app.core.index import PhotoIndex

    rng = np.random.default_rng(7)
    with PhotoIndex.open(db) as index, index.transaction() as conn:
        for photo_id in index.photo_ids(""):
            descriptor = rng.standard_normal(bundle.descriptor_size) if bundle.descriptor_size else None
            store.store_embedding(conn, photo_id, bundle.id, store.normalised(rng.standard_normal(bundle.embedding_size)),
                                  descriptor)


def label_command(db: Path, *words: str) -> tuple[float, str]:
    """The CLI's `label '' …` in this process: its time and its summary line."""
    from app.cli.main import main

    os.environ["LANDMARK_TAGGER_DB"] = str(db)
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors):
        seconds = timed(lambda: main(["label", "", *words]))
    return seconds, errors.getvalue().strip().splitlines()[-1]


def teach_one_by_one(db: Path, bundle) -> float:
    """teach as it went before: two statements a photo that read all of taught_refs."""
    from app.core import teaching_store as store
    from app.core.index import PhotoIndex
    from app.core.teaching_embedder import PhotoEmbedder

    with PhotoIndex.open(db) as index:
        with index.transaction() as conn:  # as ours: a schema change outside one reads as a restored copy
            conn.execute("DROP INDEX taught_refs_by_photo")
        ids = index.photo_ids("")
        embedder = PhotoEmbedder(index, bundle)

        def teach_each() -> None:
            with index.transaction() as conn:
                for photo_id in ids:
                    conn.execute("SELECT DISTINCT label FROM taught_refs WHERE photo_id = ? AND label != ?",
                                 (photo_id, OTHER)).fetchall()
                    store.add_ref(conn, OTHER, photo_id, bundle.id, embedder.stored_reference(photo_id))
                    conn.execute("DELETE FROM taught_refs WHERE photo_id = ? AND label != ?", (photo_id, OTHER))
                    index.set_label(photo_id, OTHER, source="user", state="accepted")

        return timed(teach_each)


def teach_all(db: Path, bundle) -> tuple[float, str]:
    """teaching.teach of every photo to OTHER: its time and its summary line."""
    from app.core.index import PhotoIndex
    from app.core.teaching import teach

    with PhotoIndex.open(db) as index:
        ids = index.photo_ids("")
        summary = None

        def teach_them() -> None:
            nonlocal summary
            summary = teach(index, OTHER, ids, bundle=bundle)

        return timed(teach_them), summary.line()


def named_paths(folder: Path, photos: int, named: int) -> None:
    """--paths: label of files named one by one against their folder, --no-landmark and the model alone."""
    import numpy as np
    from PIL import Image

    from app.cli.main import main as cli
    from app.core.index import PhotoIndex
    from app.core.scanner import scan
    from app.core.teaching import load_model_bundle
    from model.predictor import Predictor

    trip = folder / "lib" / "Trip"
    trip.mkdir(parents=True)
    rng = np.random.default_rng(1)
    for n in range(photos):  # small frames with detail: not blank (a blank frame teaches nothing)
        Image.fromarray(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)).save(trip / f"IMG_{n:05d}.JPG")
    source = folder / "source.db"
    with PhotoIndex.open(source) as index:
        scan(index, [trip])
    files = [str(path) for path in sorted(trip.iterdir())[:named]]
    others = [f"folder:{trip}"] if named == photos else []
    if not others:  # the folder holds more: name the same photos as a query of paths
        print("(a folder: query needs --paths equal to --photos; left out)")

    def command(name: str, *words: str) -> tuple[float, str]:
        db = fresh_copy(source, folder, name)
        errors = io.StringIO()
        with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
            seconds = timed(lambda: cli(["--db", str(db), "label", *words]))
        return seconds, errors.getvalue().strip().splitlines()[-1]

    print(f"{photos:,} photos scanned (not tagged), {named:,} named")
    bundle = load_model_bundle(None)
    predictor = Predictor(bundle)
    frames = np.random.default_rng(2).random((named, 3, bundle.input_size, bundle.input_size), dtype=np.float32)
    predictor.embed_all(frames[:1])
    floor = timed(lambda: [predictor.embed_all(frames[n : n + 1]) for n in range(named)])
    print(f"model alone, one by one   {floor:7.2f} s")
    seconds, summary = command("paths-none", *files, "--no-landmark")
    print(f"label FILES --no-landmark {seconds:7.2f} s   {summary}")
    for label, words in (("label FILES NAME", files), ("label folder: NAME", others)):
        if words:
            seconds, summary = command(label.split()[1].strip(":"), *words, NAME)
            print(f"{label:<25} {seconds:7.2f} s   {summary}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=20_000, help="photos in the index (default 20,000)")
    parser.add_argument("--model", help="bundle that the teaching run teaches (default: the default bundle)")
    parser.add_argument("--paths", type=int, metavar="N",
                        help="instead: label of N photo files named one by one (see above)")
    args = parser.parse_args(argv)
    from app.core.teaching import load_model_bundle
    from bench_index_generate import generate_index

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        os.environ["LANDMARK_TAGGER_HOME"] = str(folder / "home")  # no model settings of the user's
        if args.paths:
            named_paths(folder, args.photos, min(args.paths, args.photos))
            return 0
        source = folder / "source.db"
        generate_index(source, args.photos)
        print(f"{args.photos:,} photos")
        print(f"select of their labels   {select_rows(fresh_copy(source, folder, 'select')):7.2f} s")
        print(f"one by one (set_label)   {one_by_one(fresh_copy(source, folder, 'each')):7.2f} s")
        seconds, summary = label_command(fresh_copy(source, folder, "none"), "--no-landmark")
        print(f"label --no-landmark      {seconds:7.2f} s   {summary}")
        bundle = load_model_bundle(args.model)
        taught = fresh_copy(source, folder, "taught")
        store_embeddings(taught, bundle)
        seconds, summary = label_command(taught, NAME, *(["--model", args.model] if args.model else []))
        print(f"label NAME (teaching)    {seconds:7.2f} s   {summary}")
        print(f"teach, one by one        {teach_one_by_one(fresh_copy(taught, folder, 'teach-each'), bundle):7.2f} s")
        seconds, summary = teach_all(fresh_copy(taught, folder, "teach"), bundle)
        print(f"teach OTHER              {seconds:7.2f} s   {summary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
