"""Time of `suggest` with and without kept teaching-classifier fits (app.core.teaching_fits).

Builds a synthetic index of N photos (no image files; vectors as in
benchmarks/suggest_memory.py: the default bundle's gallery photos plus noise, one new
place of 200 photos taught by 3 of them), then runs `suggest --dry-run`'s core in this
process three times:

- "fit every run" (baseline, as before kept fits): every classifier fit done afresh;
- "first run": the fits done and kept in an empty folder;
- "later run, nothing new taught": the fits read back.

It checks that all three give the same suggestions, scores included.

    .venv/bin/python benchmarks/suggest_fit_cache.py --photos 2000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.suggest_memory import TAUGHT, taught_library  # noqa: E402


def timed_suggest(index, bundle, fits):
    """(suggestions as (photo id, label, score), seconds, fits run, fits read back)."""
    from app.core.teaching_suggest import SuggestOptions, suggest

    started = time.perf_counter()
    found = suggest(index, options=SuggestOptions(store=False), bundle=bundle, fits=fits)
    seconds = time.perf_counter() - started
    return [(s.photo_id, s.label, s.score) for s in found], seconds, fits.fitted, fits.reused


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=2000)
    parser.add_argument("--model", type=Path, default=None, help="bundle (default: the default one)")
    args = parser.parse_args(argv)

    from app.core.teaching import load_model_bundle
    from app.core.teaching_fits import ClassifierFits

    bundle = load_model_bundle(args.model)
    with taught_library(bundle, args.photos) as (index, folder):
        kept = folder / "fits"
        runs = [("fit every run (baseline)", timed_suggest(index, bundle, ClassifierFits(None))),
                ("first run (fits kept)", timed_suggest(index, bundle, ClassifierFits(kept))),
                ("later run, nothing new taught", timed_suggest(index, bundle, ClassifierFits(kept)))]
    same = all(found == runs[0][1][0] for _, (found, *_) in runs)
    print(f"suggest on {args.photos} photos ({TAUGHT} taught), bundle {bundle.id}; same suggestions and scores: {same}")
    print("| run | suggestions | seconds | fits run | fits read back |")
    print("|---|---|---|---|---|")
    for name, (found, seconds, fitted, reused) in runs:
        print(f"| {name} | {len(found)} | {seconds:.2f} | {fitted} | {reused} |")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
