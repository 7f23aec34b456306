"""Feeding prepared images to the network: a Dataset over the manifest's cache, a
deterministic epoch sampler (shuffled or class-balanced, sharded across processes),
and a batch collator that leaves normalisation to the device.

Every random choice (order, crop, flip) is drawn from generators seeded by
(seed, epoch, image), so a resumed run and a multi-process run see exactly the
images and augmentations an uninterrupted single-process run would.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np

from model.preprocess import Preprocessing, prepare_image
from training.datasets import Manifest, ManifestImage
from training.errors import DatasetError


@dataclass(frozen=True)
class Augment:
    flip: bool = False
    random_crop: bool = False
    crop_scale: tuple[float, float] = (0.5, 1.0)


def random_crop_box(width: int, height: int, rng: random.Random, scale: tuple[float, float]) -> tuple[int, int, int, int]:
    """A random-resized-crop box: area fraction in `scale`, aspect ratio in [3/4, 4/3]."""
    area = width * height
    for _ in range(10):
        target = area * rng.uniform(*scale)
        ratio = math.exp(rng.uniform(math.log(3 / 4), math.log(4 / 3)))
        w = int(round(math.sqrt(target * ratio)))
        h = int(round(math.sqrt(target / ratio)))
        if 0 < w <= width and 0 < h <= height:
            left = rng.randint(0, width - w)
            top = rng.randint(0, height - h)
            return left, top, left + w, top + h
    side = min(width, height)
    return (width - side) // 2, (height - side) // 2, (width + side) // 2, (height + side) // 2


class ManifestDataset:
    """Items are (uint8 HWC array, class index, position); indices are either plain
    ints (no augmentation) or (position, epoch) pairs from EpochSampler."""

    def __init__(
        self, manifest: Manifest, images: list[ManifestImage], preprocessing: Preprocessing,
        augment: Augment = Augment(), seed: int = 0,
    ) -> None:
        self.manifest = manifest
        self.images = images
        self.preprocessing = preprocessing
        self.augment = augment
        self.seed = seed

    def __len__(self) -> int:
        return len(self.images)

    def labels(self) -> list[int]:
        return [i.class_index for i in self.images]

    def __getitem__(self, item) -> tuple[np.ndarray, int, int]:
        from PIL import Image

        position, epoch = item if isinstance(item, tuple) else (item, None)
        image = self.images[position]
        path = self.manifest.cache_path(image)
        try:
            with Image.open(path) as img:
                img = img.convert("RGB")
        except (OSError, ValueError, Image.DecompressionBombError) as exc:  # missing, cut short, not an image
            raise DatasetError(
                f"cached image {path} is missing or damaged ({type(exc).__name__}); "
                "run `landmark-train prepare` again (same source and --out) to rebuild it"
            ) from exc
        if epoch is None or not (self.augment.flip or self.augment.random_crop):
            return prepare_image(img, self.preprocessing), image.class_index, position
        rng = random.Random((self.seed * 1_000_003 + epoch) * 10_000_019 + position)
        if self.augment.random_crop:
            box = random_crop_box(img.width, img.height, rng, self.augment.crop_scale)
            img = img.crop(box)
            p = Preprocessing(**{**self.preprocessing.to_dict(), "resize": "squash"})
            array = prepare_image(img, p)
        else:
            array = prepare_image(img, self.preprocessing)
        if self.augment.flip and rng.random() < 0.5:
            array = np.ascontiguousarray(array[:, ::-1])
        return array, image.class_index, position


class EpochSampler:
    """Yields (position, epoch) for this process's share of one epoch.

    Order: a permutation (or, class-balanced, a draw with replacement weighted by
    1/class size) from a generator seeded by (seed, epoch); padded to a multiple of
    `world_size` and dealt round-robin, so the union of all ranks' batch i is the
    single-process batch i of batch_size × world_size.
    """

    def __init__(
        self, labels: list[int], seed: int = 0, class_balanced: bool = False,
        rank: int = 0, world_size: int = 1, shuffle: bool = True,
    ) -> None:
        self.labels = labels
        self.seed = seed
        self.class_balanced = class_balanced
        self.rank = rank
        self.world_size = world_size
        self.shuffle = shuffle
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def global_order(self) -> list[int]:
        n = len(self.labels)
        rng = np.random.default_rng([self.seed, self.epoch])
        if self.class_balanced:
            counts = np.bincount(self.labels)
            weights = 1.0 / counts[np.asarray(self.labels)]
            order = rng.choice(n, size=n, replace=True, p=weights / weights.sum()).tolist()
        elif self.shuffle:
            order = rng.permutation(n).tolist()
        else:
            order = list(range(n))
        padding = (-len(order)) % self.world_size
        return order + order[:padding]

    def __len__(self) -> int:
        return math.ceil(len(self.labels) / self.world_size)

    def __iter__(self):
        order = self.global_order()
        return iter([(p, self.epoch) for p in order[self.rank :: self.world_size]])


def collate(batch):
    """Stack uint8 HWC arrays into one uint8 NHWC tensor (normalised later, on the device)."""
    import torch

    arrays, labels, positions = zip(*batch)
    return (
        torch.from_numpy(np.stack(arrays)),
        torch.tensor(labels, dtype=torch.long),
        torch.tensor(positions, dtype=torch.long),
    )


def to_network_input(batch_uint8, preprocessing: Preprocessing, device, channels_last: bool = False):
    """uint8 NHWC on any device → normalised float32 NCHW on `device`, the same
    arithmetic as model.preprocess.normalize_batch."""
    import torch

    x = batch_uint8.to(device, non_blocking=True).permute(0, 3, 1, 2).float()
    mean = torch.tensor(preprocessing.mean, device=device).view(1, 3, 1, 1) * 255.0
    std = torch.tensor(preprocessing.std, device=device).view(1, 3, 1, 1) * 255.0
    x = (x - mean) / std
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    else:
        x = x.contiguous()
    return x
