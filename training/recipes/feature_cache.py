"""Run the frozen early stages of the backbone once per image and keep their feature maps.

The default recipe trains only the last stage(s) of the backbone plus GeM, neck and
cosine head, so the stem and the early stages give the same output every epoch:
computing them once (with ONNX Runtime, about three times faster than torch on a CPU)
for the photo and its mirror image turns each epoch into a pass over small cached maps.
Extra augmented views (random resized crop, flip, colour jitter; seeded) can be cached
too, so the tail still sees varied inputs although nothing is decoded per epoch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from model.preprocess import Preprocessing, normalize_batch, prepare_image
from training.errors import TrainingError

VIEWS = ("original", "mirrored")


@dataclass(frozen=True)
class AugmentRecipe:
    """Extra cached views per photo (the recipe's TOML [augment] table); 0 views = off."""

    views: int = 0
    min_area: float = 0.5  # random resized crop keeps this share of the photo or more
    max_aspect_change: float = 4 / 3  # the crop's aspect ratio differs by at most this factor
    jitter: float = 0.2  # brightness, contrast and saturation each scaled by 1 ± up to this
    seed: int = 0

    def __post_init__(self) -> None:
        if self.views < 0 or not 0.0 < self.min_area <= 1.0 or self.max_aspect_change < 1.0 or not 0 <= self.jitter < 1:
            raise TrainingError(
                f"bad [augment] settings: views {self.views} ≥ 0, min_area {self.min_area} in (0, 1], "
                f"max_aspect_change {self.max_aspect_change} ≥ 1, jitter {self.jitter} in [0, 1) are needed"
            )

    def cache_key(self) -> str:
        """Part of the cache file name, so changed settings never reuse old maps."""
        if not self.views:
            return ""
        return f"-aug{self.views}x{self.min_area:g}-{self.max_aspect_change:.3g}-{self.jitter:g}-s{self.seed}"


def augmented_square(img, preprocessing: Preprocessing, rng: np.random.Generator, augment: AugmentRecipe) -> np.ndarray:
    """One random view of a photo as the network's uint8 square: a random crop of at least
    `min_area` of the photo (aspect jittered), mirrored half the time, colours jittered."""
    from PIL import ImageEnhance

    width, height = img.size
    area = rng.uniform(augment.min_area, 1.0)
    log_change = np.log(augment.max_aspect_change)
    change = float(np.exp(rng.uniform(-log_change, log_change)))
    crop_w = min(width, max(1, round(width * np.sqrt(area * change))))
    crop_h = min(height, max(1, round(height * np.sqrt(area / change))))
    left = int(rng.integers(0, width - crop_w + 1))
    top = int(rng.integers(0, height - crop_h + 1))
    view = img.convert("RGB").crop((left, top, left + crop_w, top + crop_h))
    for enhancer in (ImageEnhance.Brightness, ImageEnhance.Contrast, ImageEnhance.Color):
        view = enhancer(view).enhance(1.0 + rng.uniform(-augment.jitter, augment.jitter))
    square = prepare_image(view, preprocessing)
    return square[:, ::-1] if rng.random() < 0.5 else square


class FrozenStages(nn.Module):
    """Stem and blocks[:cut] of an EfficientNet trunk (the part the recipe never trains);
    cut = len(blocks) + 1 also freezes the head convolution (then only GeM, neck and
    cosine head learn)."""

    def __init__(self, trunk: nn.Module, cut: int) -> None:
        super().__init__()
        blocks = len(trunk._blocks)
        if not 0 <= cut <= blocks + 1:
            raise TrainingError(f"cut block {cut} is outside 0..{blocks + 1} for this backbone")
        self.trunk = trunk
        self.cut = int(cut)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t = self.trunk
        h = t._swish(t._bn0(t._conv_stem(x)))
        for block in t._blocks[: self.cut]:
            h = block(h)
        if self.cut > len(t._blocks):
            h = t._swish(t._bn1(t._conv_head(h)))
        return h


def export_frozen_stages(trunk: nn.Module, cut: int, input_size: int) -> bytes:
    """The frozen stages as ONNX bytes (eval mode, dynamic batch)."""
    import copy
    import io
    import warnings

    stages = FrozenStages(copy.deepcopy(trunk).float().eval(), cut).eval()
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            stages, (torch.zeros(2, 3, input_size, input_size),), buffer,
            input_names=["images"], output_names=["maps"],
            dynamic_axes={"images": {0: "batch"}, "maps": {0: "batch"}},
            opset_version=17, do_constant_folding=True, dynamo=False,
        )
    return buffer.getvalue()


def load_square(path: Path, preprocessing: Preprocessing) -> np.ndarray:
    """One photo as the network's uint8 square (the app's own preprocessing)."""
    return load_views(path, preprocessing, 0)[0]


def load_views(path: Path, preprocessing: Preprocessing, index: int, augment: AugmentRecipe | None = None) -> list[np.ndarray]:
    """The photo's square followed by `augment.views` augmented squares, drawn from a
    generator seeded by (augment.seed, index) so a rerun caches the same views."""
    from PIL import Image, ImageOps

    with Image.open(path) as img:
        img = ImageOps.exif_transpose(img)
        img.load()
        squares = [prepare_image(img, preprocessing)]
        if augment is not None and augment.views:
            rng = np.random.default_rng([augment.seed, index])
            squares += [augmented_square(img, preprocessing, rng, augment) for _ in range(augment.views)]
    return squares


def cache_feature_maps(
    trunk: nn.Module,
    cut: int,
    paths: Sequence[Path],
    preprocessing: Preprocessing,
    out_path: Path,
    *,
    batch_size: int = 32,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    augment: AugmentRecipe | None = None,
) -> np.ndarray:
    """Feature maps [N, 2 + augment.views, C, H, W] float16 (original, mirrored, then the
    augmented views) saved to `out_path` (.npy).

    An existing file of the right shape is reused, so a rerun skips this step; one of
    another shape (more or fewer photos) is only read for its header, never kept open
    (mapped), as Windows refuses to rename the new maps over a file mapped still.
    Raises TrainingError when a photo cannot be read.
    """
    import onnxruntime as ort

    out_path = Path(out_path)
    session_options = ort.SessionOptions()
    if threads:
        session_options.intra_op_num_threads = int(threads)
    session = ort.InferenceSession(
        export_frozen_stages(trunk, cut, preprocessing.input_size), session_options,
        providers=["CPUExecutionProvider"],
    )
    probe = session.run(None, {"images": np.zeros((1, 3, preprocessing.input_size, preprocessing.input_size), np.float32)})[0]
    extra = augment.views if augment is not None else 0
    shape = (len(paths), len(VIEWS) + extra, *probe.shape[1:])
    if out_path.is_file() and _saved_shape(out_path) == shape:
        return np.asarray(np.load(out_path, mmap_mode="r"))
    maps = np.empty(shape, dtype=np.float16)
    for start in range(0, len(paths), batch_size):
        chunk = paths[start : start + batch_size]
        try:
            views = [load_views(Path(p), preprocessing, start + i, augment) for i, p in enumerate(chunk)]
        except OSError as error:
            raise TrainingError(f"cannot read a photo in {chunk}: {error}; run `landmark-train prepare` again") from error
        squares = np.stack([v[0] for v in views])
        columns = [squares, squares[:, :, ::-1]] + [np.stack([v[1 + j] for v in views]) for j in range(extra)]
        n = len(chunk)
        out = session.run(None, {"images": normalize_batch(np.concatenate(columns), preprocessing)})[0]
        maps[start : start + n] = out.reshape(len(columns), n, *out.shape[1:]).swapaxes(0, 1)
        if progress:
            progress(start + n, len(paths))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_suffix(".tmp.npy")
    try:
        np.save(tmp, maps)
        tmp.replace(out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # as large as the cache: never left behind
        raise
    return maps


def _saved_shape(path: Path) -> tuple[int, ...] | None:
    """The array shape a .npy file's header declares; None for a file that is no .npy
    (cut short, another format): it is made again."""
    readers = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
    try:
        with open(path, "rb") as file:
            reader = readers.get(np.lib.format.read_magic(file))
            if reader is None:
                return None
            shape, _fortran_order, _dtype = reader(file)
    except (OSError, ValueError):
        return None
    return tuple(shape)


def timed(label: str, log: Callable[[str], None]):
    """Context manager that logs how long a step took (for the card's timing table)."""

    class _Timer:
        def __enter__(self):
            self.start = time.perf_counter()
            return self

        def __exit__(self, *exc):
            self.seconds = time.perf_counter() - self.start
            log(f"{label}: {self.seconds:.1f} s")

    return _Timer()
