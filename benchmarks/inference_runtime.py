"""Which inference runtime is faster on this CPU: ONNX Runtime or torch (eager fp32,
channels_last fp32, channels_last bf16)? Prints images/s for EfficientNet-Lite0
(LandmarkNet, 512-d embedding, 39 classes) at 224 px, batch 16 and 32.

Usage: .venv/bin/python benchmarks/inference_runtime.py [--threads N] [--repeats R]

All runtimes are measured in the same run, interleaved round by round, so load from
other processes hits them alike. Other processes can only slow a round down, so the
figure per runtime is its fastest round (the median is printed too).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench_index_machine import cpu_name  # noqa: E402  (benchmarks/ is on sys.path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeats", type=int, default=3, help="timed rounds per runtime and batch size")
    parser.add_argument("--batches", type=int, nargs="+", default=[16, 32])
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--int8", action="store_true", help="also time an int8 (static QDQ) copy")
    args = parser.parse_args()

    import numpy as np
    import torch

    from model.export import export_bundle
    from model.network import LandmarkNet, NetConfig
    from model.predictor import Predictor

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    config = NetConfig(num_classes=39, backbone="efficientnet-lite0", input_size=args.size, pretrained=True)
    net = LandmarkNet(config).eval()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as folder:
        bundle = export_bundle(net, config.default_preprocessing(), [f"class {i}" for i in range(39)],
                               Path(folder) / "bench.ltbundle")
        int8_predictor = None
        if args.int8:
            from model.quantize import quantize_bundle

            # Random calibration: fine for speed, says nothing about accuracy.
            calibration = [rng.normal(size=(4, 3, args.size, args.size)).astype(np.float32) for _ in range(2)]
            int8_bundle, _ = quantize_bundle(bundle, Path(folder) / "int8.ltbundle", calibration)
            int8_predictor = Predictor(int8_bundle, runtime="onnxruntime", threads=args.threads)
    ort_predictor = Predictor(bundle, runtime="onnxruntime", threads=args.threads)
    ort_spinning = Predictor(bundle, runtime="onnxruntime", threads=args.threads, spin=True)
    cl_net = LandmarkNet(NetConfig(**{**config.to_dict(), "pretrained": False})).eval()
    cl_net.load_state_dict(net.state_dict())
    cl_net = cl_net.to(memory_format=torch.channels_last)

    def run_ort(batch):
        ort_predictor.embed(batch)

    def run_ort_int8(batch):
        int8_predictor.embed(batch)

    def run_ort_spin(batch):
        ort_spinning.embed(batch)

    def run_torch(batch):
        with torch.inference_mode():
            net(torch.from_numpy(batch))

    def run_torch_cl(batch):
        with torch.inference_mode():
            cl_net(torch.from_numpy(batch).contiguous(memory_format=torch.channels_last))

    def run_torch_cl_bf16(batch):
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
            cl_net(torch.from_numpy(batch).contiguous(memory_format=torch.channels_last))

    runtimes = {
        "onnxruntime fp32": run_ort,
        "onnxruntime fp32 spinning": run_ort_spin,
        "torch eager fp32": run_torch,
        "torch channels_last fp32": run_torch_cl,
        "torch channels_last bf16": run_torch_cl_bf16,
    }
    if int8_predictor is not None:
        runtimes["onnxruntime int8 convs"] = run_ort_int8
    print(f"CPU: {cpu_name()}, {os.cpu_count()} logical cores; threads={args.threads}; "
          f"torch {torch.__version__}; onnxruntime {__import__('onnxruntime').__version__}")
    print(f"model: LandmarkNet efficientnet-lite0 @ {args.size}px, 512-d, 39 classes; best of {args.repeats} rounds (median)")
    results: dict[tuple[str, int], float] = {}
    medians: dict[tuple[str, int], float] = {}
    for batch_size in args.batches:
        batch = rng.normal(size=(batch_size, 3, args.size, args.size)).astype(np.float32)
        for run in runtimes.values():  # warm-up: allocator, oneDNN kernels, ORT arenas
            run(batch)
        times: dict[str, list[float]] = {name: [] for name in runtimes}
        for _ in range(args.repeats):
            for name, run in runtimes.items():
                start = time.perf_counter()
                run(batch)
                times[name].append(time.perf_counter() - start)
        for name in runtimes:
            results[(name, batch_size)] = batch_size / min(times[name])
            medians[(name, batch_size)] = batch_size / statistics.median(times[name])
    header = f"{'runtime':<28}" + "".join(f"{'batch ' + str(b):>21}" for b in args.batches)
    print(header)
    for name in runtimes:
        print(f"{name:<28}" + "".join(
            f"{results[(name, b)]:>7.1f} ({medians[(name, b)]:.1f}) im/s" for b in args.batches))
    baseline = {b: results[("torch eager fp32", b)] for b in args.batches}
    best = max(runtimes, key=lambda name: sum(results[(name, b)] for b in args.batches))
    print("speed-up vs torch eager fp32: " + ", ".join(
        f"{name}: " + "/".join(f"{results[(name, b)] / baseline[b]:.2f}x" for b in args.batches)
        for name in runtimes))
    print(f"fastest here: {best}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
