"""What leaving the user's own choices alone costs `accept QUERY` and `reject QUERY` in a
large library: the same command on fresh copies of the same index, with the split of
app.core.review_choices (the matching photos' states and sources read in the command's
transaction) against a baseline in the same run where every matching photo is changed,
as before (review_targets replaced by one that keeps nothing).

The library: `--photos` index rows suggested "Colosseum" by the model, every
`--choice-every`th one rejected, and as many others accepted by the user: `accept
label:Colosseum` reads them all and leaves the rejected ones; `reject label:Colosseum`
leaves the accepted ones.

    .venv/bin/python benchmarks/bulk_review_choices.py --photos 100000

`--clock cpu` times the process's CPU seconds instead of the wall clock: steadier on a
machine that other work shares (SQLite's writes here stay in the page cache until the
commit). Each run's copy of the index comes with the library's weekly backup, so the
command makes none (as in a library whose backup is this week's).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))


def build_library(folder: Path, photos: int, choice_every: int) -> Path:
    from app.core.index import PhotoIndex
    from tests.test_gui_support import insert_archive_rows

    folder.mkdir(parents=True)
    db = folder / "index.db"
    with PhotoIndex.open(db) as index:
        with index.transaction() as conn:
            insert_archive_rows(conn, photos)
        ids = [row[0] for row in index.conn.execute("SELECT id FROM photos ORDER BY id")]
        index.set_labels(ids, "Colosseum", source="model", state="suggested")
        index.set_state(ids[::choice_every], "rejected")
        index.set_labels(ids[choice_every // 2 :: choice_every], "Colosseum", source="user", state="accepted")
    from app.cli.main import main

    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        main(["--db", str(db), "accept", "path:/nowhere/none.jpg"])  # the weekly backup, untimed
    return db


def timed(db: Path, scratch: Path, argv: list[str], repeats: int, keep_nothing: bool,
          clock: Callable[[], float] = time.perf_counter) -> float:
    """Median seconds of `argv` run on fresh copies of `db`; `keep_nothing`: the baseline."""
    from app.cli.main import main
    from app.core import review_choices
    from app.core.index.backup import backup_folder

    real = review_choices.review_targets

    def changing_all(index, photo_ids, state, query, named_ids=()):
        return review_choices.ReviewTargets(list(dict.fromkeys(photo_ids)), [], "")

    seconds = []
    for n in range(repeats):
        copy = scratch / f"run-{n}" / db.name
        copy.parent.mkdir()
        shutil.copyfile(db, copy)
        shutil.copytree(backup_folder(db), backup_folder(copy))  # this week's: none is taken in the run
        review_choices.review_targets = changing_all if keep_nothing else real
        try:
            started = clock()
            with contextlib.redirect_stderr(io.StringIO()) as err, contextlib.redirect_stdout(io.StringIO()):
                code = main(["--db", str(copy), *argv])
            seconds.append(clock() - started)
        finally:
            review_choices.review_targets = real
        if code != 0:
            raise SystemExit(f"{argv[0]} exited {code}: {err.getvalue()}")
        shutil.rmtree(copy.parent)
    return statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--choice-every", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    args = parser.parse_args()
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    with tempfile.TemporaryDirectory() as temp:
        db = build_library(Path(temp) / "lib", args.photos, args.choice_every)
        print(f"{'command':<28} {'choices kept':>13} {'baseline':>10} {'ratio':>7}")
        for verb in ("accept", "reject"):
            argv = [verb, "label:Colosseum"]
            baseline = timed(db, Path(temp), argv, args.repeats, keep_nothing=True, clock=clock)
            kept = timed(db, Path(temp), argv, args.repeats, keep_nothing=False, clock=clock)
            print(f"{' '.join(argv):<28} {kept:>12.3f}s {baseline:>9.3f}s {kept / baseline:>6.2f}x", flush=True)
    print(f"library: {args.photos:,} photos, 1 in {args.choice_every} rejected and 1 in {args.choice_every} "
          f"accepted by the user; median {args.clock} seconds of {args.repeats} runs on fresh copies of the index")


if __name__ == "__main__":
    main()
