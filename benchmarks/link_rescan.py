"""Rescans of a library folder holding many folder links, this checkout against a
baseline revision (default HEAD) in the same run, on the same folders.

The library: `library/albumNNN -> X/drive/albumNNN`, one small JPEG behind each link
(a drive's albums linked into the library), and X/X.JPG beside the drive. Each checkout
times, in a fresh process on a fresh index: the first scan of the library, rescans of
it (the app's start-up check is one); a second library folder linking the same albums
(`library2/albumNNN`, each skipped as the same folder as `library/albumNNN`) and rescans
of both library folders, with the write transactions each began (a rescan of unchanged
links should begin none for them); then `scan X` (X holds every link's target: since the
links were walked first, the albums stay the links') and rescans of library and X.
A baseline before the albums were left to the links indexes them a second time at
`scan X`, and its rescan of both moves them off the links.

    .venv/bin/python benchmarks/link_rescan.py --links 800 3200
    .venv/bin/python benchmarks/link_rescan.py --baseline c8c7810 --links 800
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys, time
from pathlib import Path
from app.core.index import PhotoIndex
from app.core.scanner import scan
db, library, x, repeats = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
library2 = library.with_name("library2")

def timed(roots, transactions=None):
    with PhotoIndex.open(db) as index:
        if transactions is not None:  # the write transactions the scan begins
            index.conn.set_trace_callback(lambda sql: transactions.append(sql) if sql.lstrip().upper().startswith("BEGIN") else None)
        started = time.perf_counter()
        summary = scan(index, roots)
        return time.perf_counter() - started, summary

first, summary = timed([library])
rescans = [timed([library]) for _ in range(repeats)]
assert all(s.new == s.missing == s.moved == 0 for _, s in rescans), [s.line() for _, s in rescans]
timed([library2])
begun = []
skipped = [timed([library, library2], begun) for _ in range(repeats)]
assert all(s.new == s.missing == s.moved == 0 and s.same_folders for _, s in skipped), [s.line() for _, s in skipped]
add_x, added = timed([x])
both = [timed([library, x]) for _ in range(repeats)]
with PhotoIndex.open(db) as index:
    rows = index.conn.execute("SELECT count(*) FROM photos").fetchone()[0]
print(json.dumps({"first": first, "new": summary.new, "rescan": min(t for t, _ in rescans),
                  "scan_x": add_x, "x_new": added.new, "rescan_both": min(t for t, _ in both), "rows": rows,
                  "rescan_skipped": min(t for t, _ in skipped), "transactions": len(begun) // repeats}))
"""


def make_library(root: Path, links: int) -> tuple[Path, Path]:
    """(library, X): `links` albums on X/drive, each linked into the library (and into
    library2 beside it), one photo each."""
    from PIL import Image

    library, library2, x = root / "library", root / "library2", root / "X"
    library.mkdir(parents=True)
    library2.mkdir()
    (x / "drive").mkdir(parents=True)
    Image.new("RGB", (16, 12), (250, 250, 250)).save(x / "X.JPG")
    for number in range(links):
        album = x / "drive" / f"album{number:05d}"
        album.mkdir()
        Image.new("RGB", (16, 12), (number % 251, number // 251 % 251, 7)).save(album / f"IMG_{number:05d}.JPG")
        (library / album.name).symlink_to(album, target_is_directory=True)
        (library2 / album.name).symlink_to(album, target_is_directory=True)
    return library, x


def checkout(revision: str, into: Path) -> Path:
    """The files of `revision` (git archive), to import the app from."""
    into.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def measure(code: Path, db: Path, library: Path, x: Path, repeats: int) -> dict:
    result = subprocess.run([sys.executable, "-c", CHILD, str(db), str(library), str(x), str(repeats)],
                            cwd=code, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(code)})
    if result.returncode:
        raise SystemExit(f"{code}: {result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--links", type=int, nargs="+", default=[800, 3200])
    parser.add_argument("--baseline", default="HEAD", help="the revision to compare with (default HEAD)")
    parser.add_argument("--repeats", type=int, default=3, help="rescans timed, the best kept (default 3)")
    args = parser.parse_args()
    print(f"{'links':>6} {'checkout':<14} {'first scan':>10} {'rescan':>8} {'scan X':>8} "
          f"{'rescan both':>11} {'photos':>7} {'rescan + skipped':>16} {'writes':>6}")
    with tempfile.TemporaryDirectory() as temp:
        baseline = checkout(args.baseline, Path(temp) / "baseline")
        for links in args.links:
            library, x = make_library(Path(temp) / f"links-{links}", links)
            for name, code in ((args.baseline, baseline), ("this checkout", REPO)):
                db = Path(temp) / f"links-{links}-{name.replace(' ', '-')}.db"
                got = measure(code, db, library, x, args.repeats)
                print(f"{links:>6} {name:<14} {got['first']:>9.2f}s {got['rescan']:>7.2f}s {got['scan_x']:>7.2f}s "
                      f"{got['rescan_both']:>10.2f}s {got['rows']:>7} {got['rescan_skipped']:>15.2f}s {got['transactions']:>6} "
                      f"(scan X: {got['x_new']} new)", flush=True)
    print(f"best of {args.repeats} rescans; photos: rows in the index at the end; scan X: the photos it added "
          "(1 when it leaves the albums to the links, links + 1 when it indexes them a second time); rescan + "
          "skipped: library and library2 rescanned, library2's links skipped, writes: the write transactions "
          "one such rescan began")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
