"""Scoring a network on a split of the prepared dataset during and after training:
top-1 class and its cosine per image → μAP, accuracy and per-class figures."""

from __future__ import annotations

from training.data import ManifestDataset, collate, to_network_input
from training.datasets import Manifest, ManifestImage
from training.distributed import DistributedContext, gather_to_main
from training.metrics import Metrics, compute_metrics


def predict_images(
    net, dataset: ManifestDataset, device, batch_size: int = 64, workers: int = 0,
    channels_last: bool = False, amp: bool = False, rank: int = 0, world_size: int = 1,
) -> dict[int, tuple[int, float]]:
    """{dataset position: (top-1 class index, its cosine)} for this process's share."""
    import torch
    from torch.utils.data import DataLoader

    positions = list(range(rank, len(dataset), world_size))
    loader = DataLoader(
        torch.utils.data.Subset(dataset, positions), batch_size=batch_size, shuffle=False,
        num_workers=workers, collate_fn=collate, pin_memory=device.type == "cuda",
    )
    was_training = net.training
    net.eval()
    out: dict[int, tuple[int, float]] = {}
    autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=amp and device.type == "cuda")
    with torch.no_grad(), autocast:
        for images, _labels, pos in loader:
            x = to_network_input(images, dataset.preprocessing, device, channels_last)
            _emb, cosines = net(x)
            score, index = cosines.float().max(dim=1)
            for p, i, s in zip(pos.tolist(), index.tolist(), score.tolist()):
                out[p] = (i, s)
    net.train(was_training)
    return out


def metrics_from_predictions(
    manifest: Manifest, images: list[ManifestImage], predicted: dict[int, tuple[int, float]]
) -> Metrics:
    truth = {image.key: image.landmark_id for image in images}
    landmark_of = [c.landmark_id for c in manifest.classes]
    predictions = {images[p].key: (landmark_of[c], s) for p, (c, s) in predicted.items()}
    return compute_metrics(predictions, truth, known_landmarks=set(landmark_of))


def evaluate_network(
    net, dataset: ManifestDataset, context: DistributedContext, batch_size: int = 64,
    workers: int = 0, channels_last: bool = False, amp: bool = False,
) -> Metrics | None:
    """Metrics on rank 0 (None on the others); each process scores its share."""
    share = predict_images(
        net, dataset, context.device, batch_size, workers, channels_last, amp, context.rank, context.world_size
    )
    parts = gather_to_main(context, share)
    if parts is None:
        return None
    merged: dict[int, tuple[int, float]] = {}
    for part in parts:
        merged.update(part)
    return metrics_from_predictions(dataset.manifest, dataset.images, merged)


def evaluate_checkpoint(checkpoint, manifest=None, split: str = "val", batch_size: int = 64) -> Metrics:
    """μAP and accuracy of a checkpoint (file or run folder) on a split of a prepared
    dataset, in torch on the CPU; `manifest` defaults to the one it was trained on."""
    from pathlib import Path

    import torch

    from model.preprocess import Preprocessing
    from training.checkpoint import load_checkpoint
    from training.datasets import load_manifest
    from training.export import network_from_checkpoint

    state = load_checkpoint(Path(checkpoint))
    net = network_from_checkpoint(state)
    prepared = load_manifest(Path(manifest or state["train_config"]["data"]["manifest"]))
    dataset = ManifestDataset(prepared, prepared.split(split), Preprocessing.from_dict(state["preprocessing"]))
    predicted = predict_images(net, dataset, torch.device("cpu"), batch_size)
    return metrics_from_predictions(prepared, dataset.images, predicted)
