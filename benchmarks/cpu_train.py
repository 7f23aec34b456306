"""Training speed on this CPU: images/s for EfficientNet-Lite0 at 224 px.

Three figures from the same run, so they compare with each other on any machine:
forward only (inference, the baseline), a full training step (forward, backward,
SGD), and a training step with the backbone frozen (what a quick CPU fine-tune of
the head costs). Inputs are random tensors: this measures the network, not the
data loader (see gpu_train.py for the loader).

    .venv/bin/python benchmarks/cpu_train.py [--size 224] [--batch-size 16] [--steps 5] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import time


def measure(step, batch_size: int, steps: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        step()
    started = time.perf_counter()
    for _ in range(steps):
        step()
    return batch_size * steps / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backbone", default="efficientnet-lite0")
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--classes", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    import torch

    from model.losses import create_loss
    from model.network import LandmarkNet, NetConfig

    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    net = LandmarkNet(NetConfig(num_classes=args.classes, backbone=args.backbone, input_size=args.size,
                                pretrained=args.backbone.startswith("efficientnet-lite")))
    loss_fn = create_loss("arcface", s=30.0, m=0.3)
    x = torch.randn(args.batch_size, 3, args.size, args.size)
    y = torch.randint(0, args.classes, (args.batch_size,))

    def forward_only():
        net.eval()
        with torch.inference_mode():
            net(x)

    def train_step(params, optimizer):
        def step():
            net.train()
            optimizer.zero_grad(set_to_none=True)
            _, cosines = net(x)
            loss_fn(cosines, y).backward()
            optimizer.step()
        return step

    results = {"backbone": args.backbone, "size": args.size, "batch_size": args.batch_size,
               "threads": torch.get_num_threads()}
    results["forward_images_per_s"] = measure(forward_only, args.batch_size, args.steps)
    full = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    results["train_images_per_s"] = measure(train_step(None, full), args.batch_size, args.steps)
    for p in net.backbone.parameters():
        p.requires_grad_(False)
    head = torch.optim.SGD([p for p in net.parameters() if p.requires_grad], lr=0.01, momentum=0.9)
    results["frozen_backbone_train_images_per_s"] = measure(train_step(None, head), args.batch_size, args.steps)
    results["train_vs_forward"] = results["train_images_per_s"] / results["forward_images_per_s"]
    if args.json:
        print(json.dumps(results))
    else:
        print(f"{args.backbone} at {args.size} px, batch {args.batch_size}, {results['threads']} torch threads")
        print(f"  forward only (baseline)   {results['forward_images_per_s']:8.1f} images/s")
        print(f"  training step             {results['train_images_per_s']:8.1f} images/s "
              f"({results['train_vs_forward']:.2f} x forward)")
        print(f"  training, frozen backbone {results['frozen_backbone_train_images_per_s']:8.1f} images/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
