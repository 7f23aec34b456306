"""Run the frozen early stages of the backbone once per image and keep their feature maps.

The default recipe trains only the last stage(s) of the backbone plus GeM, neck and
cosine head, so the stem and the early stages give the same output every epoch:
computing them once (with ONNX Runtime, about three times faster than torch on a CPU)
for the photo and its mirror image turns each epoch into a pass over small cached maps.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn

from model.preprocess import Preprocessing, normalize_batch, prepare_image
from training.errors import TrainingError

VIEWS = ("original", "mirrored")


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
    from PIL import Image, ImageOps

    with Image.open(path) as img:
        img = ImageOps.exif_transpose(img)
        return prepare_image(img, preprocessing)


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
) -> np.ndarray:
    """Feature maps [N, 2, C, H, W] float16 (original, mirrored) saved to `out_path` (.npy).

    An existing file of the right shape is reused, so a rerun skips this step.
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
    shape = (len(paths), len(VIEWS), *probe.shape[1:])
    if out_path.is_file():
        cached = np.load(out_path, mmap_mode="r")
        if cached.shape == shape:
            return np.asarray(cached)
    maps = np.empty(shape, dtype=np.float16)
    for start in range(0, len(paths), batch_size):
        chunk = paths[start : start + batch_size]
        try:
            squares = np.stack([load_square(Path(p), preprocessing) for p in chunk])
        except OSError as error:
            raise TrainingError(f"cannot read a photo in {chunk}: {error}; run `landmark-train prepare` again") from error
        both = np.concatenate([squares, squares[:, :, ::-1]])
        out = session.run(None, {"images": normalize_batch(both, preprocessing)})[0]
        n = len(chunk)
        maps[start : start + n, 0] = out[:n]
        maps[start : start + n, 1] = out[n:]
        if progress:
            progress(start + n, len(paths))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_suffix(".tmp.npy")
    np.save(tmp, maps)
    tmp.replace(out_path)
    return maps


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
