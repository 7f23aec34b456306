"""How long the desktop app keeps the GUI thread busy with a big library (issue 5:
"instant with 100,000 photos, never frozen").

    .venv/bin/python benchmarks/gui_responsiveness.py                 # 100,000 photos
    .venv/bin/python benchmarks/gui_responsiveness.py --photos 20000

Offscreen, 1400×900. Measures opening the window; a search (debounce excluded:
from the query to the grid showing the new rows, and the longest stall of the GUI
thread meanwhile, from a 5 ms heartbeat timer: searches run in a worker); a full
repaint of the grid after a jump to a random place (records fetched lazily;
thumbnails are placeholders because the generated photos have no files); and
opening the review list. Baselines in the same run: the bare index calls behind
them (photo_ids, review order) and a repaint of an already loaded view.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

QUERIES = ["", "eiffel", 'label:"Eiffel Tower"', "state:suggested", "camera:D850", "date:2020-11", "score<0.5"]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def timed(function, repeat: int = 5) -> float:
    """Median wall time of `function()` over `repeat` runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


class Heartbeat:
    """The longest gap between 5 ms timer ticks: how long the GUI thread was stalled."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer(interval=5)
        self.timer.timeout.connect(self._tick)
        self.last = time.perf_counter()
        self.worst = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def __enter__(self) -> "Heartbeat":
        self.last, self.worst = time.perf_counter(), 0.0
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.stop()


def settle(app, window) -> None:
    """Pump events until the worker's answers are in and painted."""
    while window.results.busy:
        app.processEvents()
        time.sleep(0.001)
    app.processEvents()
    window.grid.viewport().repaint()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--jumps", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["LANDMARK_TAGGER_HOME"] = tempfile.mkdtemp(prefix="lt-gui-bench-")

    from bench_index_generate import generate_index
    from bench_index_machine import load_average, machine_description

    from app.core import library
    from app.gui.app import create_application, open_main_window
    from app.gui.main_window import PAGE_GRID, PAGE_REVIEW

    db = Path(tempfile.gettempdir()) / f"lt-gui-bench-{args.photos}.db"
    if not db.exists():
        print(f"generating {args.photos:,} photos: {generate_index(db, args.photos):.1f} s")
    print(machine_description())
    print(f"load average: {load_average()}")
    app = create_application()
    from app.gui.app import preload_job_modules

    preload_job_modules()  # not part of opening a window on the library
    started = time.perf_counter()
    window = open_main_window(db)
    window.resize(1400, 900)
    window.show()
    shown = time.perf_counter()
    settle(app, window)
    print(f"open window: shown after {ms(shown - started)}, photos in the grid after {ms(time.perf_counter() - started)}"
          f"   ({window.grid_model.rowCount():,} rows, {window.grid_model.records_fetched} records fetched)")

    index = window.index
    print("\nsearch (median of 5): query -> rows shown | longest GUI stall | baseline index.photo_ids alone")
    for query in QUERIES:
        baseline = timed(lambda: index.photo_ids(query))
        stalls = []

        def search() -> None:
            with Heartbeat() as heartbeat:
                window.search_bar.set_text(query)
                settle(app, window)
            stalls.append(heartbeat.worst)

        gui = timed(search)
        print(f"  {query or '(all)':24} {ms(gui)} | {ms(statistics.median(stalls))} | {ms(baseline)}"
              f"   {window.grid_model.rowCount():>8,} matches")
    window.search_bar.set_text("")
    settle(app, window)

    rng = random.Random(1)
    scroll = window.grid.verticalScrollBar()
    cold, warm = [], []
    for _ in range(args.jumps):
        scroll.setValue(rng.randrange(scroll.maximum() + 1))
        started = time.perf_counter()
        window.grid.viewport().repaint()
        cold.append(time.perf_counter() - started)
        started = time.perf_counter()
        window.grid.viewport().repaint()
        warm.append(time.perf_counter() - started)
        app.processEvents()
    print(f"\njump to a random place and repaint the grid ({args.jumps} jumps)")
    print(f"  median {ms(statistics.median(cold))}, worst {ms(max(cold))}   baseline, same view again "
          f"(records cached): median {ms(statistics.median(warm))}")
    print(f"  records fetched so far: {window.grid_model.records_fetched:,} of {window.grid_model.rowCount():,}; "
          f"thumbnails requested: {window.thumbnails.requests_started:,}")

    baseline = timed(lambda: library.review_ids(index, ""), repeat=3)
    stalls, latencies = [], []
    for _ in range(3):
        started = time.perf_counter()
        with Heartbeat() as heartbeat:
            window.show_page(PAGE_REVIEW)
            settle(app, window)
            window.review.list.viewport().repaint()
        latencies.append(time.perf_counter() - started)
        stalls.append(heartbeat.worst)
        window.show_page(PAGE_GRID)
        settle(app, window)
    gui = statistics.median(latencies)
    print(f"\nopen the review list: {ms(gui)} | longest GUI stall {ms(statistics.median(stalls))} | "
          f"baseline review_ids {ms(baseline)}   ({window.review_model.rowCount():,} suggestions)")
    window.thumbnails.drop_queued()
    window.thumbnails.wait_for_done(5000)
    window.close()
    index.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
