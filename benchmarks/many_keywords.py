"""How a photo's keyword count weighs on a write: one PNG whose XMP sidecar holds N
keywords in dc:subject, labelled "Petra", then planned (plan_writes), written
(write_labels: atomic replace, verification, journal), relabelled "Colosseum" and
written again, and undone (undo_last_write). Prints the CPU seconds of each step per N.
Matching the label's keywords once normalised every item again for every keyword it
checked: quadratic in N (about 13 s to plan at 5,000). With --before TREE (a checkout
of an older commit, e.g. `git archive HEAD~1 | tar -x -C /tmp/before`) the same runs
on that tree's code print first, in the same run, for comparison.

    .venv/bin/python benchmarks/many_keywords.py [--counts 500 1500 5000] [--before TREE]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
STEPS = ("plan", "write", "relabel", "undo")


def keywords_packet(count: int) -> bytes:
    """An XMP sidecar holding `count` keywords in dc:subject."""
    items = "".join(f"<rdf:li>kw{number:07d}</rdf:li>" for number in range(count))
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag>'
        + items + "</rdf:Bag></dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()


def measure(count: int, folder: Path) -> dict[str, float]:
    """CPU seconds of each step for one sidecar of `count` keywords (code of sys.path[0])."""
    from PIL import Image

    from app.core.index import PhotoIndex
    from app.core.metadata import plan_writes, undo_last_write, write_labels
    from tests.test_metadata_support import add_photo

    photo = folder / "p.png"
    Image.new("RGB", (32, 24), (30, 60, 90)).save(photo)
    photo.with_name("p.png.xmp").write_bytes(keywords_packet(count))
    index = PhotoIndex.open(folder / "index.db")
    photo_id = add_photo(index, [photo], "Petra")
    took: dict[str, float] = {}

    def timed(step: str, job):
        started = time.process_time()
        result = job()
        took[step] = took.get(step, 0.0) + time.process_time() - started
        return result

    plan = timed("plan", lambda: plan_writes(index))
    written = timed("write", lambda: write_labels(index, plan))
    index.set_label(photo_id, "Colosseum")
    relabelled = timed("relabel", lambda: write_labels(index, plan_writes(index)))
    undone = timed("undo", lambda: undo_last_write(index))
    index.close()
    if (written.written, relabelled.written, undone.failed) != (1, 1, 0):
        raise SystemExit(f"{count} keywords: a step did not go through ({written}, {relabelled}, {undone})")
    return took


def run_on(tree: Path, counts: list[int]) -> dict[int, dict[str, float]]:
    """measure() for each count in a fresh interpreter importing `tree`'s code."""
    results = {}
    for count in counts:
        with tempfile.TemporaryDirectory(prefix="many-keywords-") as folder:
            out = subprocess.run([sys.executable, __file__, "--measure", str(count), "--tree", str(tree),
                                  "--folder", folder], check=True, capture_output=True, text=True).stdout
        results[count] = json.loads(out.splitlines()[-1])
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[500, 1500, 5000])
    parser.add_argument("--before", type=Path, help="an older checkout to time first, for comparison")
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--tree", type=Path, default=HERE, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure is not None:
        sys.path.insert(0, str(args.tree.resolve()))
        print(json.dumps(measure(args.measure, args.folder)))
        return 0
    trees = ([("before", args.before)] if args.before else []) + [("now", HERE)]
    print("CPU seconds per step: " + ", ".join(STEPS))
    for name, tree in trees:
        for count, took in run_on(tree, args.counts).items():
            print(f"{name:>6} {count:>6,} keywords: " + "  ".join(f"{step} {took[step]:6.2f}" for step in STEPS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
