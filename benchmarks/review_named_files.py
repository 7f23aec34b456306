"""How long `accept FILES`, `reject FILES` and `label FILES --no-landmark` take when the
user names photo files (a shell glob) in a large library, against a baseline measured in
the same run on copies of the same index: the same command given the photos' folder as
a query (`folder:FOLDER`), which has always been looked up by the index of paths.

The library: `--named` real small JPEGs in one folder, suggested "Colosseum", and
`--others` photos elsewhere, suggested so too (index rows only, as after a scan and tag
of a large archive).
Before the files were looked up all at once by exact path, each named file read the
whole `files` table (twice for label), so naming files grew with the library.

Last, `accept label:Colosseum` of the whole library (every photo suggested), against
PhotoIndex.set_state of the same photos without the review journal `undo --review` reads:
what journalling a large accept costs.

    .venv/bin/python benchmarks/review_named_files.py --others 100000 --named 100 400
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

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))


def build_library(folder: Path, named: int, others: int) -> tuple[Path, list[Path]]:
    from PIL import Image

    from app.core.index import PhotoIndex
    from app.core.scanner import scan
    from tests.test_gui_support import insert_archive_rows

    photos = folder / "Rome"
    photos.mkdir(parents=True)
    files = []
    for n in range(named):
        path = photos / f"DSC_{n:04d}.JPG"
        Image.new("RGB", (32, 24), (n % 256, 90, 140)).save(path, quality=80)
        files.append(path)
    db = folder / "index.db"
    with PhotoIndex.open(db) as index:
        scan(index, [photos])
        with index.transaction() as conn:
            insert_archive_rows(conn, others)
        ids = [row[0] for row in index.conn.execute("SELECT id FROM photos")]
        index.set_labels(ids, "Colosseum", source="model", state="suggested")
    from app.cli.main import main

    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        main(["--db", str(db), "accept", "path:/nowhere/none.jpg"])  # the weekly backup, untimed
    return db, files


def timed(db: Path, scratch: Path, argv: list[str], repeats: int) -> float:
    """Median seconds of `argv` run on fresh copies of `db`."""
    from app.cli.main import main

    seconds = []
    for n in range(repeats):
        copy = scratch / f"run-{n}.db"
        shutil.copyfile(db, copy)
        started = time.perf_counter()
        with contextlib.redirect_stderr(io.StringIO()) as err, contextlib.redirect_stdout(io.StringIO()):
            code = main(["--db", str(copy), *argv])
        seconds.append(time.perf_counter() - started)
        if code != 0:
            raise SystemExit(f"{argv[0]} exited {code}: {err.getvalue()}")
        copy.unlink()
    return statistics.median(seconds)


def timed_set_state(db: Path, scratch: Path, repeats: int) -> float:
    """Median seconds of PhotoIndex.set_state of every photo to accepted, unjournalled."""
    from app.core.index import PhotoIndex

    seconds = []
    for n in range(repeats):
        copy = scratch / f"state-{n}.db"
        shutil.copyfile(db, copy)
        started = time.perf_counter()
        with PhotoIndex.open(copy) as index:
            index.set_state([row[0] for row in index.conn.execute("SELECT id FROM photos")], "accepted")
        seconds.append(time.perf_counter() - started)
        copy.unlink()
    return statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--others", type=int, default=100_000)
    parser.add_argument("--named", type=int, nargs="+", default=[100, 400])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{'command':<28} {'named':>6} {'by files':>10} {'folder: query':>14} {'ratio':>7}")
    for named in args.named:
        with tempfile.TemporaryDirectory() as temp:
            folder = Path(temp)
            db, files = build_library(folder / "lib", named, args.others)
            scratch = folder / "scratch"
            scratch.mkdir()
            query = f"folder:{files[0].parent}"
            for verb, options in (("accept", []), ("reject", []), ("label", ["--no-landmark"])):
                by_files = timed(db, scratch, [verb, *map(str, files), *options], args.repeats)
                by_query = timed(db, scratch, [verb, query, *options], args.repeats)
                label = f"{verb} {' '.join(options)}".strip()
                print(f"{label:<28} {named:>6} {by_files:>9.3f}s {by_query:>13.3f}s {by_files / by_query:>6.2f}x",
                      flush=True)
    with tempfile.TemporaryDirectory() as temp:
        db, _ = build_library(Path(temp) / "lib", 0, args.others)
        whole = timed(db, Path(temp), ["accept", "label:Colosseum"], args.repeats)
        unjournalled = timed_set_state(db, Path(temp), args.repeats)
        print(f"{'accept label:Colosseum':<28} {args.others:>6} {whole:>9.3f}s  set_state {unjournalled:.3f}s "
              f"{whole / unjournalled:>6.2f}x")
    print(f"library: {args.others:,} other photos; median of {args.repeats} runs on fresh copies of the index")


if __name__ == "__main__":
    main()
