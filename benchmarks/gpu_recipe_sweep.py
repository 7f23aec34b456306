"""Which end-to-end fine-tune of EfficientNet-Lite0 could beat the default recipe?

The default bundle's recipe (docs/MODEL_CARD.md) trains only blocks 8 onwards on
cached feature maps, so it sees each photo and its mirror image and nothing else,
because a 2-core CPU cannot afford more. This sweep runs `landmark-train train` on a
prepared manifest (the same 80/20 split as the default model) with real augmentation
(random resized crops and flips every epoch), class-balanced sampling and sub-center
ArcFace, varying input size, epochs, frozen early blocks and seed, and prints each run's
validation μAP and top-1 from its metrics.csv (class centres only: no re-ranking, no
calibration; compare with the card's "class centres only" rows). On a GPU the whole
grid takes minutes; the results say which recipe is worth its CPU time.

    python benchmarks/gpu_recipe_sweep.py --manifest build/default-model/prepared --out build/sweep \
        [--weights lite0.pth] [--parallel 3] [--workers 5] [--only NAME ...] [--device cuda]

The summary (one JSON line per run) is appended to OUT/summary.jsonl as each run ends.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BASE = {
    "seed": 0,
    "tensorboard": False,
    "plots": False,
    "progress": False,
    "data": {"input_size": 224, "flip": True, "random_crop": True, "crop_scale": [0.5, 1.0],
             "class_balanced": True},
    "model": {"backbone": "efficientnet-lite0", "pretrained": True, "embedding_size": 512,
              "freeze_batchnorm": False, "frozen_blocks": 0},
    "loss": {"name": "subcenter-arcface", "s": 30.0, "m": 0.3, "k": 3},
    "optim": {"name": "adamw", "lr": 0.0005, "head_lr_multiplier": 4.0, "weight_decay": 0.0001,
              "batch_size": 64, "epochs": 15},
    "schedule": {"name": "cosine-warmup", "warmup_epochs": 1.0},
}

TUNED = {"model.freeze_batchnorm": True, "optim.lr": 0.001, "loss.m": 0.4}

# name -> dotted overrides of BASE, in the order they are worth running
GRID: dict[str, dict] = {
    "full-224-e15": {},
    "full-224-e15-seed1": {"seed": 1},
    "frozen8-224-e15": {"model.frozen_blocks": 8},
    "frozen8-224-e15-seed1": {"model.frozen_blocks": 8, "seed": 1},
    "frozen5-224-e15": {"model.frozen_blocks": 5},
    "full-224-e30": {"optim.epochs": 30},
    "full-256-e20": {"data.input_size": 256, "optim.epochs": 20},
    "full-288-e30": {"data.input_size": 288, "optim.epochs": 30},
    "full-224-e15-nocrop": {"data.random_crop": False},
    "full-224-e15-lr1e3": {"optim.lr": 0.001},
    "full-224-e15-m04": {"loss.m": 0.4},
    "full-224-e15-bnfrozen": {"model.freeze_batchnorm": True},
    # second round: the three changes that helped at 224 px, together, at 224-320 px
    "tuned-288-e30": {"data.input_size": 288, "optim.epochs": 30, **TUNED},
    "tuned-288-e30-seed1": {"data.input_size": 288, "optim.epochs": 30, "seed": 1, **TUNED},
    "tuned-320-e30": {"data.input_size": 320, "optim.epochs": 30, **TUNED},
    "tuned-224-e15": dict(TUNED),
    "tuned-224-e15-seed1": {"seed": 1, **TUNED},
    "tuned-frozen8-224-e15": {"model.frozen_blocks": 8, **TUNED},
    "tuned-256-e20": {"data.input_size": 256, "optim.epochs": 20, **TUNED},
    "tuned-224-e30": {"optim.epochs": 30, **TUNED},
    # a larger backbone, for the ceiling (too slow and too large for the default bundle)
    "lite2-288-e30": {"model.backbone": "efficientnet-lite2", "data.input_size": 288, "optim.epochs": 30},
    "lite2-288-e30-seed1": {"model.backbone": "efficientnet-lite2", "data.input_size": 288, "optim.epochs": 30,
                            "seed": 1},
    "lite2-260-e20": {"model.backbone": "efficientnet-lite2", "data.input_size": 260, "optim.epochs": 20},
}


def config_for(name: str, manifest: Path, out: Path, weights: Path | None, workers: int, device: str,
               smoke: bool = False) -> dict:
    config = json.loads(json.dumps(BASE))
    for dotted, value in GRID[name].items():
        node = config
        *parents, key = dotted.split(".")
        for parent in parents:
            node = node[parent]
        node[key] = value
    config["run_dir"] = str(out / name)
    config["device"] = device
    config["data"]["manifest"] = str(manifest)
    config["data"]["workers"] = workers
    if weights is not None:
        config["model"]["weights_path"] = str(weights)
    if smoke:
        config["max_steps_per_epoch"], config["optim"]["epochs"] = 2, 1
    return config


def summarise(name: str, run_dir: Path, seconds: float, returncode: int) -> dict:
    rows = []
    metrics = run_dir / "metrics.csv"
    if metrics.is_file():
        with metrics.open(newline="") as f:
            rows = [r for r in csv.DictReader(f) if r.get("val_gap")]
    result = {"name": name, "overrides": GRID[name], "returncode": returncode, "seconds": round(seconds, 1)}
    if rows:
        best = max(rows, key=lambda r: float(r["val_gap"]))
        last = rows[-1]
        result.update(
            epochs=int(last["epoch"]),
            final_gap=round(float(last["val_gap"]), 4), final_top1=round(float(last["val_accuracy"]), 4),
            best_gap=round(float(best["val_gap"]), 4), best_epoch=int(best["epoch"]),
            curve=[round(float(r["val_gap"]), 4) for r in rows],
        )
    return result


def run_one(name: str, args: argparse.Namespace) -> dict:
    run_dir = args.out / name
    run_dir.mkdir(parents=True, exist_ok=True)
    config_path = run_dir.parent / f"{name}.json"
    config_path.write_text(json.dumps(config_for(name, args.manifest, args.out, args.weights, args.workers,
                                                 args.device, args.smoke), indent=1))
    start = time.perf_counter()
    with (args.out / f"{name}.log").open("w") as log:
        done = subprocess.run([sys.executable, "-m", "training.cli", "train", "--config", str(config_path),
                               "--overwrite"], stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())
    result = summarise(name, run_dir, time.perf_counter() - start, done.returncode)
    with (args.out / "summary.jsonl").open("a") as f:
        f.write(json.dumps(result) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "curve"}), flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, required=True, help="a `landmark-train prepare` folder")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--weights", type=Path, help="ImageNet weights file (default: the installed package's)")
    parser.add_argument("--parallel", type=int, default=3, help="runs at once (they share the GPU)")
    parser.add_argument("--workers", type=int, default=5, help="data-loader processes per run")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--only", nargs="+", choices=sorted(GRID), help="run these grid entries only")
    parser.add_argument("--smoke", action="store_true", help="1 epoch of 2 steps per run: check the set-up")
    args = parser.parse_args(argv)
    if args.device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            print("no CUDA GPU here: this sweep needs one (or --device cpu and patience)")
            return 0
    args.out.mkdir(parents=True, exist_ok=True)
    names = args.only or list(GRID)
    with ThreadPoolExecutor(max_workers=args.parallel) as pool:
        results = list(pool.map(lambda n: run_one(n, args), names))
    print("\nrun                         epochs  final μAP  top-1   best μAP (epoch)  seconds")
    for r in results:
        if "final_gap" in r:
            print(f"{r['name']:<27} {r['epochs']:>6}  {r['final_gap']:.4f}     {r['final_top1']:.4f}  "
                  f"{r['best_gap']:.4f} ({r['best_epoch']})     {r['seconds']:>7}")
        else:
            print(f"{r['name']:<27} failed (exit {r['returncode']}); see {args.out / (r['name'] + '.log')}")
    return 0 if all(r["returncode"] == 0 for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
