"""The rescan after moving a folder of photos: wall time, CPU time, bytes written to
disk and write transactions, this checkout against a baseline revision (default HEAD)
in the same run, on the same library (scale finding 1: 2,000 moved photos took 2,027
transactions and wrote 446 MB to a 30,000-photo index).

The library (scan_rescan.py's small distinct JPEGs, 100 per folder) is indexed once per
checkout into an index of its own; then `--moved` photos' folders are moved into
`trip/` and each checkout rescans, then moved back and each rescans again (a move of
as many photos too), `--repeats` times. Bytes written: /proc/self/io's write_bytes of
the rescan's process (Linux; the index's WAL and checkpoints), around the scan alone.

    .venv/bin/python benchmarks/scan_moved_folder.py                     # 10,000 photos, 2,000 moved
    .venv/bin/python benchmarks/scan_moved_folder.py --baseline c8c7810 --files 30000 --moved 5000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_index_machine import load_average, machine_description  # noqa: E402
from scan_rescan import FILES_PER_FOLDER, make_library  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

CHILD = """
import json, resource, sys, time
from pathlib import Path
from app.core.index import PhotoIndex
from app.core.scanner import scan

def written():
    try:
        fields = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
        return int(fields["write_bytes"])
    except OSError:  # not Linux
        return None

def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

index = PhotoIndex.open(sys.argv[1])
begun = []
index.conn.set_trace_callback(lambda sql: begun.append(1) if sql.lstrip().upper().startswith("BEGIN") else None)
bytes_before, cpu_before, started = written(), cpu(), time.perf_counter()
summary = scan(index, [Path(sys.argv[2])])
seconds, cpu_seconds, bytes_after = time.perf_counter() - started, cpu() - cpu_before, written()
index.close()
print(json.dumps({"seconds": seconds, "cpu": cpu_seconds, "transactions": len(begun),
                  "written": None if bytes_after is None else bytes_after - bytes_before,
                  "moved": summary.moved, "new": summary.new, "missing": summary.missing,
                  "index_mb": Path(sys.argv[1]).stat().st_size / 1e6}))
"""


def checkout(revision: str, into: Path) -> Path:
    """The files of `revision` (git archive), to import the app from."""
    into.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def rescan(code: Path, db: Path, library: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", CHILD, str(db), str(library)], cwd=code, capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(code)})
    if result.returncode:
        raise SystemExit(f"{code}: {result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def move(folders: list[Path], into: Path) -> list[Path]:
    into.mkdir(exist_ok=True)
    return [folder.rename(into / folder.name) for folder in folders]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10_000, help="photos in the library (default 10,000)")
    parser.add_argument("--moved", type=int, default=2_000, help="photos moved (whole folders of 100)")
    parser.add_argument("--baseline", default="HEAD", help="the revision to compare with (default HEAD)")
    parser.add_argument("--repeats", type=int, default=1, help="moves out and back (two rescans each)")
    parser.add_argument("--root", type=Path, default=Path("/tmp/landmark-tagger-bench/moved-folder"),
                        help="where the library goes (its own: its folders are moved)")
    args = parser.parse_args()
    print(machine_description())
    args.root.mkdir(parents=True, exist_ok=True)
    library = args.root / f"library-{args.files}"
    make_library(library, args.files)
    year = library / "2000"
    folders = sorted(year.glob("day-*"))[: max(1, args.moved // FILES_PER_FOLDER)]
    trees = {}
    with tempfile.TemporaryDirectory(dir=args.root) as temp:
        trees = {args.baseline: checkout(args.baseline, Path(temp) / "baseline"), "this checkout": REPO}
        dbs = {name: Path(temp) / f"{n}.db" for n, name in enumerate(trees)}
        for name, code in trees.items():
            first = rescan(code, dbs[name], library)
            print(f"{name:<14} first scan: {first['new']:,} new, {first['seconds']:.1f} s, "
                  f"index {first['index_mb']:.0f} MB", flush=True)
        print(f"{'checkout':<14} {'moved':>6} {'wall':>7} {'CPU':>7} {'written':>10} {'transactions':>12}")
        moved_out = False
        try:
            for _ in range(args.repeats * 2):
                folders = move(folders, year / "trip" if not moved_out else year)
                moved_out = not moved_out
                for name, code in trees.items():
                    got = rescan(code, dbs[name], library)
                    assert (got["new"], got["missing"]) == (0, 0), got
                    written = "n/a" if got["written"] is None else f"{got['written'] / 1e6:.1f} MB"
                    print(f"{name:<14} {got['moved']:>6,} {got['seconds']:>6.2f}s {got['cpu']:>6.2f}s {written:>10} "
                          f"{got['transactions']:>12,}", flush=True)
        finally:
            if moved_out:
                move(folders, year)
    print("wall and CPU: the rescan alone (user + system CPU); written: bytes the rescan's process sent to disk "
          "(/proc/self/io write_bytes); transactions: BEGINs the rescan ran")
    print(load_average())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
