"""Scoring a network on a split of the prepared dataset during and after training:
top-1 class and its score per image → μAP, accuracy and per-class figures.

The score is the exported bundle's calibrated top-1 probability, softmax(s · cosine)
at temperature 1, not the raw cosine: μAP depends on how the queries rank against
each other, and the figure in metrics.csv, the one best.pt is chosen by and the one
in the bundle's card must be what `landmark-train evaluate` of the bundle measures."""

from __future__ import annotations

from training.data import ManifestDataset, collate, to_network_input
from training.datasets import Manifest, ManifestImage
from training.distributed import DistributedContext, gather_to_main
from training.metrics import Metrics, compute_metrics


def predict_images(
    net, dataset: ManifestDataset, device, batch_size: int = 64, workers: int = 0,
    channels_last: bool = False, amp: bool = False, rank: int = 0, world_size: int = 1, scale: float = 30.0,
) -> dict[int, tuple[int, float]]:
    """{dataset position: (top-1 class index, its calibrated score)} for this process's
    share; `scale` is the loss's s, which the bundle's scoring uses (model.scoring)."""
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
            # in float64, then float32, as model.scoring does: scores near 1 tie as in the bundle;
            # on the CPU, as MPS has no float64 ("Cannot convert a MPS Tensor to float64")
            probabilities = torch.softmax(cosines.float().cpu().double() * scale, dim=1).float()
            score, index = probabilities.max(dim=1)
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
    workers: int = 0, channels_last: bool = False, amp: bool = False, scale: float = 30.0,
) -> Metrics | None:
    """Metrics on rank 0 (None on the others); each process scores its share."""
    share = predict_images(
        net, dataset, context.device, batch_size, workers, channels_last, amp, context.rank, context.world_size,
        scale,
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
    scale = float(state.get("train_config", {}).get("loss", {}).get("s", 30.0))  # as export takes it
    predicted = predict_images(net, dataset, torch.device("cpu"), batch_size, scale=scale)
    return metrics_from_predictions(prepared, dataset.images, predicted)
