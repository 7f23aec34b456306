"""GPU training throughput: EfficientNet-B0 at 256 px with bf16 autocast and
channels_last on one CUDA GPU, whether the data loader keeps it busy, and the
projected time of one epoch of GLDv2-clean (1,580,470 images).

Two measurements in the same run:
1. compute only — random tensors already on the GPU (the ceiling);
2. the real pipeline — a DataLoader decoding JPEGs from a prepared cache
   (generated here: synthetic photos resized to a 288 px shorter side, as
   `landmark-train prepare --size 288` would), random crops and flips, pinned
   memory, uint8 upload, normalisation on the GPU. The data-wait fraction is the
   share of wall time the training loop spent waiting for the next batch. The
   cached photos are repeated in fresh permutations as one long epoch, so no epoch
   boundary (an empty prefetch queue) falls inside the timed steps, as in a
   1.58M-image GLDv2 epoch; decoding costs the same whether a photo repeats or not.

Exits with status 0 and a message when no CUDA GPU is present.

    .venv/bin/python benchmarks/gpu_train.py [--batch-size 128] [--workers 8] [--steps 30] [--loader-steps 300]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

GLDV2_CLEAN_IMAGES = 1_580_470


def synthetic_manifest(folder: Path, images: int, classes: int, cache_size: int, workers: int) -> Path:
    from training.prepare import PrepareConfig, prepare_dataset
    from training.synthetic import make_class_folders

    per_class = max(2, images // classes)
    make_class_folders(folder / "photos", [f"class {i}" for i in range(classes)], per_class, size=400)
    prepare_dataset(PrepareConfig(folder / "photos", folder / "prepared", cache_size=cache_size, workers=workers,
                                  val_fraction=0.0))
    return folder / "prepared"


class LongEpochSampler:
    """One epoch of `length` items: the base sampler's epochs 0, 1, 2 … back to back."""

    def __init__(self, base, length: int) -> None:
        self.base = base
        self.length = length

    def __len__(self) -> int:
        return self.length

    def __iter__(self):
        produced, epoch = 0, 0
        while True:
            self.base.set_epoch(epoch)
            for item in self.base:
                if produced == self.length:
                    return
                produced += 1
                yield item
            epoch += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backbone", default="efficientnet-b0")
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--loader-steps", type=int, default=300,
                        help="timed steps of the real pipeline: many more than the 4 batches per worker it prefetches")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--workers", type=int, default=8, help="data-loader processes")
    parser.add_argument("--images", type=int, default=2048, help="synthetic JPEGs in the loader test")
    parser.add_argument("--classes", type=int, default=1000, help="classes of the cosine head")
    parser.add_argument("--device", default="cuda", help="cuda (default) or cpu for a smoke run")
    parser.add_argument("--no-amp", action="store_true", help="float32 instead of bf16 autocast")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    import torch

    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print("gpu_train: no CUDA GPU here (torch.cuda.is_available() is False); nothing to measure.")
        return 0

    from torch.utils.data import DataLoader

    from model.losses import create_loss
    from model.network import LandmarkNet, NetConfig
    from training.data import Augment, EpochSampler, ManifestDataset, collate, to_network_input
    from training.datasets import load_manifest

    device = torch.device(args.device)
    on_cuda = device.type == "cuda"
    amp = on_cuda and not args.no_amp
    torch.backends.cudnn.benchmark = True
    torch.manual_seed(0)
    config = NetConfig(num_classes=args.classes, backbone=args.backbone, input_size=args.size, pretrained=False,
                       drop_connect_rate=0.2)
    net = LandmarkNet(config).to(device)
    if on_cuda:
        net = net.to(memory_format=torch.channels_last)
    net.train()
    loss_fn = create_loss("arcface", s=30.0, m=0.3).to(device)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    preprocessing = config.default_preprocessing()

    def step(x, y):
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
            _, cosines = net(x)
        loss = loss_fn(cosines.float(), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    def sync():
        if on_cuda:
            torch.cuda.synchronize()

    # 1. compute only
    x = torch.randint(0, 256, (args.batch_size, args.size, args.size, 3), dtype=torch.uint8, device=device)
    x = to_network_input(x, preprocessing, device, channels_last=on_cuda)
    y = torch.randint(0, args.classes, (args.batch_size,), device=device)
    for _ in range(args.warmup):
        step(x, y)
    sync()
    started = time.perf_counter()
    for _ in range(args.steps):
        step(x, y)
    sync()
    compute_rate = args.batch_size * args.steps / (time.perf_counter() - started)

    # 2. the real loader
    with tempfile.TemporaryDirectory(prefix="gpu-train-bench-") as tmp:
        manifest = load_manifest(synthetic_manifest(Path(tmp), args.images, 64, int(args.size * 1.125), args.workers))
        images = manifest.split("train")
        dataset = ManifestDataset(manifest, images, preprocessing, Augment(flip=True, random_crop=True))
        target = args.warmup + args.loader_steps
        sampler = LongEpochSampler(EpochSampler(dataset.labels(), seed=0), target * args.batch_size)
        loader = DataLoader(dataset, batch_size=args.batch_size, sampler=sampler, num_workers=args.workers,
                            collate_fn=collate, pin_memory=on_cuda, drop_last=True,
                            prefetch_factor=4 if args.workers else None)
        # No synchronisation inside the loop: as in real training, the GPU works on one
        # step while Python fetches the next batch and queues the next kernels. Time
        # blocked in next() is what the loader costs; the wall time from the first timed
        # batch to the last step's end (one synchronisation) gives the rate.
        wait = 0.0
        measured_images = 0
        iterator = iter(loader)
        for done in range(target):
            if done == args.warmup:
                sync()
                started = time.perf_counter()
            t0 = time.perf_counter()
            batch, labels, _ = next(iterator)
            t1 = time.perf_counter()
            xb = to_network_input(batch, preprocessing, device, channels_last=on_cuda)
            step(xb, labels.to(device, non_blocking=True) % args.classes)
            if done >= args.warmup:
                wait += t1 - t0
                measured_images += len(labels)
        sync()
        elapsed = time.perf_counter() - started
        del iterator
        loader_rate = measured_images / max(elapsed, 1e-9)
        wait_fraction = wait / max(elapsed, 1e-9)

    name = torch.cuda.get_device_name(device) if on_cuda else "CPU"
    rate = min(compute_rate, loader_rate)
    results = {
        "device": name,
        "backbone": args.backbone,
        "size": args.size,
        "batch_size": args.batch_size,
        "amp_bf16": amp,
        "channels_last": on_cuda,
        "compute_images_per_s": compute_rate,
        "pipeline_images_per_s": loader_rate,
        "data_wait_fraction": wait_fraction,
        "loader_keeps_gpu_busy": wait_fraction < 0.1,
        "loader_workers": args.workers,
        "loader_steps": args.loader_steps,
        "epoch_gldv2_clean_hours": GLDV2_CLEAN_IMAGES / rate / 3600,
        "epoch_gldv2_clean_hours_compute_only": GLDV2_CLEAN_IMAGES / compute_rate / 3600,
    }
    if args.json:
        print(json.dumps(results))
    else:
        print(f"{name}: {args.backbone} at {args.size} px, batch {args.batch_size}, "
              f"{'bf16 autocast' if amp else 'float32'}{', channels_last' if on_cuda else ''}")
        print(f"  compute only (random tensors on the device) {compute_rate:9.1f} images/s")
        print(f"  real pipeline ({args.workers} loader workers)        {loader_rate:9.1f} images/s")
        print(f"  data-wait fraction {wait_fraction:.1%} -> loader "
              f"{'keeps the GPU busy' if results['loader_keeps_gpu_busy'] else 'is the bottleneck'}")
        print(f"  projected epoch of GLDv2-clean ({GLDV2_CLEAN_IMAGES:,} images): "
              f"{results['epoch_gldv2_clean_hours']:.2f} h (compute-bound: {results['epoch_gldv2_clean_hours_compute_only']:.2f} h)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
