"""What journalling the app's bulk Accept costs (review6 F6: the app's A and R now go to the
review journal in the change's transaction, a row per photo changed): the app's A as the job
worker runs it (teaching_untaught.set_states_withdrawing on `--photos` suggested photos), on
fresh copies of the same index, without a journal (the baseline, as before) and with one, and
the CLI's `accept` of the same photos, which journalled already. Each mode runs in a child
process of its own, so its peak memory (max RSS, where the platform reports it) is its own.

    .venv/bin/python benchmarks/app_bulk_accept_journal.py --photos 100000
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

MODES = ("app, no journal (baseline)", "app, journalled", "cli accept (journalled)")


def build_library(db: Path, photos: int) -> None:
    from app.core.index import PhotoIndex
    from app.cli.main import main
    from tests.test_gui_support import insert_archive_rows

    with PhotoIndex.open(db) as index:
        with index.transaction() as conn:
            insert_archive_rows(conn, photos)
        ids = [row[0] for row in index.conn.execute("SELECT id FROM photos ORDER BY id")]
        index.set_labels(ids, "Colosseum", source="model", state="suggested")
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        main(["--db", str(db), "accept", "path:/nowhere/none.jpg"])  # the weekly backup, untimed


def run_mode(db: Path, mode: int) -> dict:
    """One accept of every photo of `db` (a fresh copy) in this process: seconds, max RSS."""
    from app.cli.main import main
    from app.core.index import PhotoIndex
    from app.core.teaching_untaught import set_states_withdrawing

    start = time.perf_counter()
    if mode == 2:
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            main(["--db", str(db), "accept", "label:Colosseum"])
    else:
        with PhotoIndex.open(db) as index:
            ids = [row[0] for row in index.conn.execute("SELECT id FROM photos ORDER BY id")]
            expected = index.review_states(ids)  # the app's look, as label_actions takes it
            journal = "the app's A: accept of all photos" if mode == 1 else None
            set_states_withdrawing(index, ids, "accepted", expected, journal=journal)
    seconds = time.perf_counter() - start
    try:
        import resource

        scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e6
    except ImportError:  # Windows
        rss_mb = float("nan")
    return {"seconds": seconds, "rss_mb": rss_mb}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("DB", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_mode(Path(args.child[0]), int(args.child[1]))))
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        library = Path(scratch) / "library"
        library.mkdir()
        build_library(library / "index.db", args.photos)
        results: dict[int, list[dict]] = {mode: [] for mode in range(len(MODES))}
        for _ in range(args.repeats):
            for mode in results:  # interleaved: a slower moment of the machine falls on all
                copy = Path(scratch) / f"run{mode}"
                shutil.rmtree(copy, ignore_errors=True)
                shutil.copytree(library, copy)
                out = subprocess.run([sys.executable, __file__, "--child", str(copy / "index.db"), str(mode)],
                                     check=True, capture_output=True, text=True).stdout
                results[mode].append(json.loads(out.strip().splitlines()[-1]))
    print(f"accept of {args.photos:,} suggested photos, median of {args.repeats} (each a fresh copy):")
    for mode, runs in results.items():
        seconds = statistics.median(run["seconds"] for run in runs)
        rss = statistics.median(run["rss_mb"] for run in runs)
        print(f"  {MODES[mode]:<28} {seconds:6.2f} s   max RSS {rss:6.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
