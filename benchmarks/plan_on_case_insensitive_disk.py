"""How long `write` takes to plan a card folder of N RAWs with Lightroom stem sidecars
(DSC_0001.NEF + DSC_0001.xmp) on a disk that ignores letter case (macOS, Windows, an
exFAT card), where a stem sidecar is shared with files of its stem in any case.
Baseline in the same run: the same folder planned on a case-sensitive disk (Linux),
where each sidecar's photos are an index range. Until the plan read each folder's
photos once (plan_targets.FolderStems), each sidecar read the whole folder: N × N.

This machine's disk is case-sensitive: the case-insensitive one is simulated by
os.stat and os.lstat retrying a name under the spelling its folder stores (folders
listed once: the plan creates no file), so the simulation itself costs little.

    .venv/bin/python benchmarks/plan_on_case_insensitive_disk.py [--files 2000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _folded(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def ignore_case_under(root: Path):
    """Make os.stat and os.lstat find an entry under `root` in any letter case; returns
    what puts them back."""
    listings: dict[str, dict[str, str]] = {}

    def stored(path) -> str | None:
        text = os.fsdecode(os.fspath(path))
        folder, name = os.path.split(text)
        if not folder.startswith(str(root)):
            return None
        if folder not in listings:
            try:
                listings[folder] = {_folded(entry): entry for entry in os.listdir(folder)}
            except OSError:
                return None
        entry = listings[folder].get(_folded(name))
        return None if entry is None else os.path.join(folder, entry)

    def insensitive(real):
        def lookup(path, *args, **kwargs):
            try:
                return real(path, *args, **kwargs)
            except FileNotFoundError:
                spelled = None if isinstance(path, int) else stored(path)
                if spelled is None:
                    raise
                return real(spelled, *args, **kwargs)
        return lookup

    real_stat, real_lstat = os.stat, os.lstat
    os.stat, os.lstat = insensitive(real_stat), insensitive(real_lstat)

    def put_back() -> None:
        os.stat, os.lstat = real_stat, real_lstat
    return put_back


def build_card(root: Path, count: int):
    from app.core.index import PhotoIndex
    from app.core.metadata.keywords import KeywordFields
    from app.core.metadata.sidecar import render_sidecar
    from tests.test_metadata_support import add_photo

    folder = root / "DCIM" / "100NIKON"
    folder.mkdir(parents=True)
    sidecar = render_sidecar(None, KeywordFields())
    index = PhotoIndex.open(root / "index.db")
    for number in range(count):
        raw = folder / f"DSC_{number:04d}.NEF"
        raw.write_bytes(b"raw")
        (folder / f"DSC_{number:04d}.xmp").write_bytes(sidecar)
        add_photo(index, [raw], "Colosseum")
    return index


def timed_plan(index, repeats: int = 2) -> tuple[float, int, int]:
    """(best seconds, thousands of SQLite VM instructions, files planned) of a write plan."""
    from app.core.metadata import WriteOptions, plan_writes

    best = float("inf")
    for _ in range(repeats):
        work = [0]
        index.conn.set_progress_handler(lambda: work.__setitem__(0, work[0] + 1) or 0, 1000)
        started = time.perf_counter()
        plan = plan_writes(index, "", False, WriteOptions(sidecar_naming="stem"))
        best = min(best, time.perf_counter() - started)
        index.conn.set_progress_handler(None, 0)
    return best, work[0], len(plan)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000, help="RAWs (each with a stem sidecar) in the folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        index = build_card(root, args.files)
        try:
            sensitive = timed_plan(index)
            put_back = ignore_case_under(root)
            try:
                assert (root / "DCIM" / "100NIKON" / "dsc_0000.nef").exists()
                insensitive = timed_plan(index)
            finally:
                put_back()
        finally:
            index.close()
    for disk, (seconds, work, planned) in (("case-sensitive (baseline)", sensitive),
                                           ("ignoring case", insensitive)):
        print(f"{disk:>26}: {planned} files planned in {seconds:.2f} s, {work:,}k SQLite VM instructions")
    print(f"ignoring case costs {insensitive[0] / sensitive[0]:.1f}x the time of the baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
