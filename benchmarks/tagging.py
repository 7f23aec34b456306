"""How fast `tag` classifies real camera JPEGs, against the naive way, in one run.

Copies the camera JPEGs of ../shared/data/camera/jpeg/ to >= 200 files in a temp
folder (never into the repository) and measures, on the same machine and run:
  1. decode alone: the reduced-size decoder (+ prepare_image) in one process, with
     and without embedded previews, and in N worker processes (the decode bound);
  2. model alone: Predictor.embed + classify on pre-decoded batches (the model bound);
  3. end to end: app.core.tagging.tag() on the folder (scan + decode + classify + store);
  4. the naive way: full-size decode, resize, eager fp32 torch, one image at a time.
The naive network is a LandmarkNet rebuilt in torch from the bundle's net_config
(same backbone and shapes, so the same cost; weights are not copied from the ONNX),
run with torch's default threads and with one thread; the faster is the baseline.
CPU milliseconds per photo are printed too: unlike photos/s they barely move when
other processes load the machine.

    .venv/bin/python benchmarks/tagging.py [--model BUNDLE] [--photos 220] [--workers N] [--threads N]
    .venv/bin/python benchmarks/tagging.py --sweep         # workers x threads balance
    .venv/bin/python benchmarks/tagging.py --scale 10000   # peak memory and time to first result

Without --model it uses the default bundle, or builds an EfficientNet-Lite0 224 px
bundle (ImageNet backbone, random head: the same cost) in a temp folder.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from bench_index_machine import cpu_name  # noqa: E402  (benchmarks/ is on sys.path)
from process_usage import TreeMemory, cpu_seconds, cpu_used, peak_mb, shown_mb  # noqa: E402
CAMERA_JPEGS = REPO.parent / "shared" / "data" / "camera" / "jpeg"


# --------------------------------------------------------------------- machine


def load_average() -> str:
    try:
        return " ".join(f"{v:.1f}" for v in os.getloadavg())
    except (OSError, AttributeError):  # AttributeError: Windows has no load average
        return "?"


# --------------------------------------------------------------------- inputs


def make_folder(target: Path, count: int, link: bool = False) -> list[Path]:
    """`count` files cycling over the camera JPEGs: copies, or symlinks for big runs."""
    sources = sorted(CAMERA_JPEGS.glob("*.jpg"))
    if not sources:
        raise SystemExit(f"no camera JPEGs in {CAMERA_JPEGS}; this benchmark needs ../shared/data")
    target.mkdir(parents=True, exist_ok=True)
    made = []
    for n in range(count):
        source = sources[n % len(sources)]
        folder = target / f"day{n // 500:03d}"  # 500 per folder, like camera folders
        folder.mkdir(exist_ok=True)
        path = folder / f"{source.stem}_{n:05d}.jpg"
        if link:
            path.symlink_to(source)
        else:
            shutil.copyfile(source, path)
        made.append(path)
    return made


def resolve_bundle(model: str | None, scratch: Path) -> tuple[Path, str]:
    from model.bundle import default_bundle_path

    if model:
        return Path(model), "given with --model"
    if default_bundle_path().exists():
        return default_bundle_path(), "the default bundle"
    import torch

    from model.export import export_bundle
    from model.network import LandmarkNet, NetConfig

    torch.manual_seed(0)
    config = NetConfig(num_classes=39, backbone="efficientnet-lite0", input_size=224, pretrained=True)
    path = scratch / "lite0-224-bench.ltbundle"
    export_bundle(LandmarkNet(config).eval(), config.default_preprocessing(),
                  [f"class {i}" for i in range(39)], path, name="lite0-224-bench", threshold=0.5)
    return path, "EfficientNet-Lite0 224 px, ImageNet backbone + random head (no default bundle yet)"


# --------------------------------------------------------------------- measurements


def measure_decode(paths: list[Path], preprocessing, use_previews: bool) -> tuple[float, float, list]:
    """(photos/s, CPU ms per photo, prepared arrays) in this one process."""
    from app.core.decode import decode_for_model
    from app.core.decode_workers import decode_min_side
    from model.preprocess import prepare_image

    min_side = decode_min_side(preprocessing)
    arrays = []
    wall, cpu = time.perf_counter(), time.process_time()
    for path in paths:
        arrays.append(prepare_image(decode_for_model(path, min_side, use_previews=use_previews), preprocessing))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return len(paths) / wall, cpu * 1000 / len(paths), arrays


def measure_decode_workers(paths: list[Path], preprocessing, workers: int) -> float:
    """photos/s of the decode workers alone (the decode half of the bound)."""
    from app.core.decode_workers import DecodeJob, DecodeSettings, DecodeWorkers, decode_min_side

    settings = DecodeSettings(preprocessing, decode_min_side(preprocessing))
    jobs = [DecodeJob(i, (str(p),)) for i, p in enumerate(paths)]
    with DecodeWorkers(workers) as pool:
        warm = list(pool.decode(jobs[: workers * 2], settings))  # spawned and imported
        assert len(warm) == workers * 2
        started = time.perf_counter()
        count = sum(1 for _ in pool.decode(jobs, settings))
        return count / (time.perf_counter() - started)


def measure_model(bundle, arrays: list, batch_size: int, threads: int | None) -> tuple[float, float]:
    """(photos/s, CPU ms per photo) of embed + classify on pre-decoded batches."""
    import numpy as np

    from model.predictor import Predictor
    from model.preprocess import normalize_batch

    predictor = Predictor(bundle, threads=threads)
    batches = [np.stack(arrays[i : i + batch_size]) for i in range(0, len(arrays), batch_size)]
    predictor.embed(normalize_batch(batches[0], bundle.preprocessing))  # warm-up
    wall, cpu = time.perf_counter(), time.process_time()
    for batch in batches:
        embeddings, cosines = predictor.embed(normalize_batch(batch, bundle.preprocessing))
        predictor.classify(embeddings, cosines)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return len(arrays) / wall, cpu * 1000 / len(arrays)


@contextlib.contextmanager
def _timed_scans(times: list[float]):
    """app.core.tagging's scan, timed into `times` while the block runs."""
    from app.core import tagging

    scan = tagging.scan

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return scan(*args, **kwargs)
        finally:
            times.append(time.perf_counter() - started)

    tagging.scan = timed
    try:
        yield
    finally:
        tagging.scan = scan


def measure_end_to_end(folder: Path, bundle_path: Path, db: Path, workers, threads, batch_size: int) -> dict:
    from app.core.index import PhotoIndex
    from app.core.tagging import TagOptions, tag

    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    options = TagOptions(model=bundle_path, workers=workers, threads=threads, batch_size=batch_size)
    cpu_before = cpu_seconds()  # None where neither resource nor psutil is there (Windows without psutil)
    scan_times: list[float] = []  # the scan tag() runs first, timed here (the index keeps whole seconds)
    with TreeMemory() as memory, PhotoIndex.open(db) as index, _timed_scans(scan_times):
        summary = tag(index, [folder], options)
    scan_s = sum(scan_times)
    main_cpu, workers_cpu = cpu_used(cpu_before, cpu_seconds())
    all_cpu = None if main_cpu is None or workers_cpu is None else main_cpu + workers_cpu
    return {
        "photos": summary.tagged, "errors": summary.errors, "seconds": summary.seconds,
        "rate": summary.tagged / summary.seconds, "scan_s": scan_s,
        "first_result_s": summary.first_result_s, "peak_rss_mb": peak_mb(memory),
        "main_cpu_s": main_cpu, "workers_cpu_s": workers_cpu,
        "cpu_ms_per_photo": None if all_cpu is None else all_cpu * 1000 / max(1, summary.tagged),
    }


def measure_naive(paths: list[Path], bundle, threads: int | None) -> tuple[float, float]:
    """The naive way: full-size decode, resize, eager fp32 torch, batch of one
    (threads None: torch's default)."""
    import numpy as np
    import torch
    from PIL import Image, ImageOps

    from model.network import LandmarkNet, NetConfig
    from model.preprocess import normalize_batch, prepare_image

    config = dict(bundle.extra.get("net_config") or {})
    config.update(pretrained=False, num_classes=bundle.num_classes, backbone=bundle.backbone or "efficientnet-lite0",
                  embedding_size=bundle.embedding_size, input_size=bundle.input_size)
    net = LandmarkNet(NetConfig.from_dict(config)).eval()
    default_threads = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    with torch.inference_mode():
        net(torch.zeros(1, 3, bundle.input_size, bundle.input_size))  # warm-up
    wall, cpu = time.perf_counter(), time.process_time()
    with torch.inference_mode():
        for path in paths:
            with Image.open(path) as image:
                full = ImageOps.exif_transpose(image.convert("RGB"))
            batch = normalize_batch(prepare_image(full, bundle.preprocessing)[None], bundle.preprocessing)
            net(torch.from_numpy(np.ascontiguousarray(batch)))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    torch.set_num_threads(default_threads)
    return len(paths) / wall, cpu * 1000 / len(paths)


def time_to_first_result(folder: Path, bundle_path: Path, db: Path, workers, threads, stop_after: int = 0) -> dict:
    """Seconds from launching `landmark-tagger tag --json --retag` (index already
    scanned) to its first JSON line, in a fresh process. With stop_after, Ctrl-C
    (SIGINT) is sent after that many lines, as a user would, and the time it takes
    to stop is measured too."""
    import signal

    command = [sys.executable, "-m", "app", "--db", str(db), "tag", str(folder), "--model", str(bundle_path),
               "--json", "--retag"]
    if workers is not None:
        command += ["--workers", str(workers)]
    if threads is not None:
        command += ["--threads", str(threads)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stop_s = None
    with TreeMemory(process.pid) as memory:
        first = process.stdout.readline()
        first_s = time.perf_counter() - started
        lines = 1 if first else 0
        for _ in process.stdout:
            lines += 1
            if stop_after and lines == stop_after:
                interrupted = time.perf_counter()
                process.send_signal(signal.SIGINT)
                lines += sum(1 for _ in process.stdout)
                process.wait()
                stop_s = time.perf_counter() - interrupted
                break
        process.wait()
    total = time.perf_counter() - started
    return {"first_result_s": first_s, "lines": lines, "seconds": total, "exit_code": process.returncode,
            "stop_after_ctrl_c_s": stop_s, "peak_rss_mb": peak_mb(memory),
            "stderr": process.stderr.read().strip().splitlines()[-1:]}


def cli_run_line(what: str, ttfr: dict) -> tuple[str, bool]:
    """The printed line of a measured CLI run, and whether it counts: a run that printed no
    line or exited non-zero (other than the 130 of the Ctrl-C the benchmark sent) measured
    nothing, so it is a failure with its exit code and stderr's last line, not a time."""
    interrupted = ttfr.get("stop_after_ctrl_c_s") is not None
    ok_codes = (0, 130) if interrupted else (0,)
    if ttfr["lines"] and ttfr["exit_code"] in ok_codes:
        return f"{what}: first result after {ttfr['first_result_s']:.2f} s (goal < 3)", True
    said = " ".join(ttfr.get("stderr") or []) or "(nothing on stderr)"
    return (f"{what}: FAILED, exit {ttfr['exit_code']} after {ttfr['lines']} lines in {ttfr['seconds']:.1f} s, "
            f"no time measured; stderr: {said}"), False


# --------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="bundle to use (default: the default bundle, else a Lite0 bench bundle)")
    parser.add_argument("--photos", type=int, default=220, help="files in the benchmark folder (>= 200)")
    parser.add_argument("--naive-photos", type=int, default=44, help="photos for the naive way")
    parser.add_argument("--workers", type=int, default=None, help="decode processes (default: tag's default)")
    parser.add_argument("--threads", type=int, default=None, help="ONNX Runtime threads (default: tag's default)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--sweep", action="store_true", help="end to end for workers 1..3 x threads 1..2")
    parser.add_argument("--scale", type=int, default=0, metavar="N",
                        help="also tag N symlinked photos: peak memory and time to first result")
    parser.add_argument("--only-scale", action="store_true", help="with --scale: skip the 200-photo figures")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object too")
    args = parser.parse_args()

    from app.core.decode_workers import usable_cpus
    from app.core.tagging import default_threads, default_workers
    from model.bundle import load_bundle

    cores = usable_cpus()
    workers = default_workers() if args.workers is None else args.workers
    threads = default_threads(workers) if args.threads is None else args.threads
    figures: dict = {"cpu": cpu_name(), "cores": cores, "load_before": load_average(),
                     "workers": workers, "threads": threads}
    print(f"machine: {figures['cpu']}, {cores} usable cores, load average {figures['load_before']}")
    with tempfile.TemporaryDirectory(prefix="tagging-bench-") as scratch_name:
        scratch = Path(scratch_name)
        bundle_path, origin = resolve_bundle(args.model, scratch)
        bundle = load_bundle(bundle_path)
        figures["model"] = f"{bundle.name} ({bundle.id}), {origin}"
        print(f"model: {figures['model']}, {bundle.backbone}, {bundle.input_size} px")
        if not (args.only_scale and args.scale):
            basic(args, figures, scratch, bundle, bundle_path, workers, threads, cores)
        if args.scale:
            scale(args, figures, scratch, bundle_path, workers, threads)
    figures["load_after"] = load_average()
    print(f"load average after: {figures['load_after']}")
    if args.json:
        print(json.dumps(figures, default=str))
    for failure in figures.get("failures", []):
        print(f"failed: {failure}", file=sys.stderr)
    return 1 if figures.get("failures") else 0


def basic(args, figures: dict, scratch: Path, bundle, bundle_path: Path, workers: int, threads: int, cores: int) -> None:
    """The 200-photo figures: the two halves, end to end, naive, the CLI's first result."""
    paths = make_folder(scratch / "photos", max(args.photos, 1))
    size_mb = sum(p.stat().st_size for p in paths) / 2**20
    print(f"photos: {len(paths)} copies of {len(list(CAMERA_JPEGS.glob('*.jpg')))} camera JPEGs, {size_mb:.0f} MB")

    rate, cpu_ms, arrays = measure_decode(paths, bundle.preprocessing, use_previews=True)
    figures["decode_1proc"] = {"rate": rate, "cpu_ms": cpu_ms}
    print(f"decode alone, 1 process, previews + DCT scaling: {rate:6.1f} photos/s, {cpu_ms:5.1f} ms CPU/photo")
    rate, cpu_ms, _ = measure_decode(paths[:66], bundle.preprocessing, use_previews=False)
    figures["decode_1proc_dct_only"] = {"rate": rate, "cpu_ms": cpu_ms}
    print(f"decode alone, 1 process, DCT scaling only:       {rate:6.1f} photos/s, {cpu_ms:5.1f} ms CPU/photo")
    rate = measure_decode_workers(paths, bundle.preprocessing, max(1, workers))
    figures["decode_workers"] = {"rate": rate, "workers": max(1, workers)}
    print(f"decode alone, {max(1, workers)} worker processes:            {rate:6.1f} photos/s")
    rate, cpu_ms = measure_model(bundle, arrays, args.batch_size, threads)
    figures["model"] = {"rate": rate, "cpu_ms": cpu_ms, "threads": threads}
    print(f"model alone, batches of {args.batch_size}, {threads} thread(s):     {rate:6.1f} photos/s, {cpu_ms:5.1f} ms CPU/photo")
    bound = cores / (figures["decode_1proc"]["cpu_ms"] + cpu_ms) * 1000
    figures["cpu_bound"] = bound
    print(f"CPU bound on {cores} cores (decode + model CPU time):  {bound:6.1f} photos/s")

    e2e = measure_end_to_end(scratch / "photos", bundle_path, scratch / "index.db", workers, threads, args.batch_size)
    figures["end_to_end"] = e2e
    print(f"end to end (tag: scan + decode + classify + store): {e2e['rate']:6.1f} photos/s over "
          f"{e2e['photos']} photos in {e2e['seconds']:.1f} s (scan {e2e['scan_s']:.1f} s), first result after "
          f"{e2e['first_result_s']:.2f} s, peak RSS {shown_mb(e2e['peak_rss_mb'])} (main + workers)")
    tagging_rate = e2e["photos"] / max(1e-9, e2e["seconds"] - e2e["scan_s"])
    figures["end_to_end"]["rate_without_scan"] = tagging_rate
    print(f"   of which tagging after the scan:                {tagging_rate:6.1f} photos/s")

    if e2e["cpu_ms_per_photo"] is None:  # no resource (Windows) and no psutil, or no count of the workers'
        print("   CPU per photo, all processes: unknown on this platform (install psutil; workers' CPU is not "
              "counted on Windows)")
    else:
        print(f"   CPU per photo, all processes: {e2e['cpu_ms_per_photo']:.1f} ms "
              f"(main {e2e['main_cpu_s']:.1f} s, workers {e2e['workers_cpu_s']:.1f} s) -> "
              f"{cores * 1000 / e2e['cpu_ms_per_photo']:.1f} photos/s on {cores} idle cores")

    figures["naive"] = []
    for naive_threads in (None, 1):
        naive_rate, naive_cpu = measure_naive(paths[: args.naive_photos], bundle, naive_threads)
        label = "torch default threads" if naive_threads is None else f"{naive_threads} torch thread"
        figures["naive"].append({"threads": naive_threads, "rate": naive_rate, "cpu_ms": naive_cpu})
        print(f"naive ({label}; full decode, resize, eager fp32 torch, batch 1): "
              f"{naive_rate:6.1f} photos/s, {naive_cpu:6.1f} ms CPU/photo")
    best_naive = max(figures["naive"], key=lambda n: n["rate"])
    speedup = e2e["rate"] / best_naive["rate"]
    cpu_speedup = None if e2e["cpu_ms_per_photo"] is None else best_naive["cpu_ms"] / e2e["cpu_ms_per_photo"]
    figures["speedup"], figures["cpu_speedup"] = speedup, cpu_speedup
    less_cpu = "unknown" if cpu_speedup is None else f"{cpu_speedup:.1f}x"
    print(f"speedup end to end vs the faster naive run: {speedup:.1f}x wall clock (goal >= 5x), "
          f"{less_cpu} less CPU per photo; end to end {e2e['rate']:.1f} photos/s (goal >= 35 on 2 cores)")

    if args.sweep:
        figures["sweep"] = []
        for sweep_workers in (1, 2, 3):
            for sweep_threads in (1, 2):
                result = measure_end_to_end(scratch / "photos", bundle_path, scratch / "sweep.db",
                                            sweep_workers, sweep_threads, args.batch_size)
                rate = result["photos"] / max(1e-9, result["seconds"] - result["scan_s"])
                figures["sweep"].append({"workers": sweep_workers, "threads": sweep_threads, "rate": rate})
                print(f"sweep: workers {sweep_workers}, threads {sweep_threads}: {rate:6.1f} photos/s (after scan)")

    ttfr = time_to_first_result(scratch / "photos", bundle_path, scratch / "index.db", workers, threads)
    figures["cli"] = ttfr
    line, ok = cli_run_line("CLI retag in a fresh process", ttfr)
    if not ok:
        figures.setdefault("failures", []).append(line)
    print(f"{line}, {ttfr['lines']} lines in {ttfr['seconds']:.1f} s, peak RSS {shown_mb(ttfr['peak_rss_mb'])}"
          if ok else line)


def scale(args, figures: dict, scratch: Path, bundle_path: Path, workers: int, threads: int) -> None:
    """N symlinked photos: peak memory of a whole run, then the CLI's first result and Ctrl-C."""
    big = scratch / "many"
    make_folder(big, args.scale, link=True)
    db = scratch / "many.db"
    scanned = measure_end_to_end(big, bundle_path, db, workers, threads, args.batch_size)
    figures["scale"] = scanned
    print(f"scale: {scanned['photos']} photos in {scanned['seconds']:.0f} s ({scanned['rate']:.1f} photos/s, "
          f"scan {scanned['scan_s']:.0f} s), peak RSS {shown_mb(scanned['peak_rss_mb'])} main + workers (goal < 1536 MB), "
          f"{'unknown' if scanned['cpu_ms_per_photo'] is None else format(scanned['cpu_ms_per_photo'], '.1f')} "
          "ms CPU/photo")
    ttfr = time_to_first_result(big, bundle_path, db, workers, threads, stop_after=200)
    figures["scale_cli"] = ttfr
    line, ok = cli_run_line("scale, CLI retag in a fresh process", ttfr)
    if not ok:
        figures.setdefault("failures", []).append(line)
        print(line)
        return
    print(f"{line}; Ctrl-C after 200 lines stopped it in {ttfr['stop_after_ctrl_c_s'] or 0:.2f} s "
          f"(exit {ttfr['exit_code']}, {ttfr['lines']} lines); {' '.join(ttfr['stderr'])}")


if __name__ == "__main__":
    raise SystemExit(main())
