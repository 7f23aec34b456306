"""Preprocessing shared by training and the app, so inference always matches training.

A `Preprocessing` travels inside every model bundle: input size, mean/std and the
resize rule. `prepare_image` turns any PIL image into the network's uint8 square;
`normalize_batch` turns a stack of those into the float32 NCHW tensor the network eats.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from model.errors import ModelError

RESIZE_RULES = ("center_crop", "squash")
INTERPOLATIONS = ("bilinear", "bicubic", "lanczos", "nearest", "box", "hamming")

# EfficientNet-Lite was trained on pixels mapped with (x - 127) / 128.
LITE_MEAN = (127.0 / 255.0,) * 3
LITE_STD = (128.0 / 255.0,) * 3
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class Preprocessing:
    """How a photo becomes the network's input.

    resize: "center_crop" scales the shorter side to input_size / crop_fraction and
    cuts the centre square; "squash" scales the whole photo to a square (keeps the
    full scene, distorts the aspect ratio). mean/std are in [0, 1] pixel units.
    """

    input_size: int = 224
    mean: tuple[float, float, float] = LITE_MEAN
    std: tuple[float, float, float] = LITE_STD
    resize: str = "center_crop"
    crop_fraction: float = 1.0
    interpolation: str = "bilinear"

    def __post_init__(self) -> None:
        if self.input_size < 8:
            raise ModelError(f"Preprocessing.input_size={self.input_size} is too small; use 8 or more")
        if self.resize not in RESIZE_RULES:
            raise ModelError(f"unknown resize rule {self.resize!r}; use one of {', '.join(RESIZE_RULES)}")
        if self.interpolation not in INTERPOLATIONS:
            raise ModelError(
                f"unknown interpolation {self.interpolation!r}; use one of {', '.join(INTERPOLATIONS)}"
            )
        if not 0.0 < self.crop_fraction <= 1.0:
            raise ModelError(f"crop_fraction={self.crop_fraction} must be in (0, 1]")
        if len(self.mean) != 3 or len(self.std) != 3 or min(self.std) <= 0:
            raise ModelError(f"mean {self.mean} and std {self.std} need 3 values each, std > 0")
        object.__setattr__(self, "mean", tuple(float(v) for v in self.mean))
        object.__setattr__(self, "std", tuple(float(v) for v in self.std))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (stored in bundle.json)."""
        data = asdict(self)
        data["mean"] = list(self.mean)
        data["std"] = list(self.std)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Preprocessing":
        """Read the dict written by `to_dict`; raises ModelError on bad or unknown keys."""
        known = {"input_size", "mean", "std", "resize", "crop_fraction", "interpolation"}
        unknown = set(data) - known
        if unknown:
            raise ModelError(f"unknown preprocessing keys {sorted(unknown)}; expected {sorted(known)}")
        try:
            values = dict(data)
            for key in ("mean", "std"):
                if key in values:
                    values[key] = tuple(float(v) for v in values[key])
            return cls(**values)
        except (TypeError, ValueError) as error:
            raise ModelError(f"bad preprocessing settings {data!r}: {error}") from error


def _resample(name: str) -> int:
    from PIL import Image

    return {
        "bilinear": Image.Resampling.BILINEAR,
        "bicubic": Image.Resampling.BICUBIC,
        "lanczos": Image.Resampling.LANCZOS,
        "nearest": Image.Resampling.NEAREST,
        "box": Image.Resampling.BOX,
        "hamming": Image.Resampling.HAMMING,
    }[name]


def _to_rgb(img):
    """Any PIL mode (L, LA, P, RGBA, CMYK, I;16, I, F) as 8-bit RGB."""
    from PIL import Image

    if img.mode == "RGB":
        return img
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        array = np.asarray(img, dtype=np.float64)
        top = 65535.0 if img.mode.startswith("I;16") or array.max(initial=0) > 255 else 255.0
        array = np.clip(array / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return Image.fromarray(array, "L").convert("RGB")
    if img.mode == "F":
        array = np.asarray(img, dtype=np.float64)
        top = 1.0 if array.max(initial=0) <= 1.0 else 255.0
        array = np.clip(array / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return Image.fromarray(array, "L").convert("RGB")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return img.convert("RGB")


def decode_min_side(p: Preprocessing) -> int:
    """The shorter side a decoded photo needs so that prepare_image never upsamples: the
    app decodes (JPEG draft) to it at tag time, and `evaluate --data` does the same."""
    size = int(p.input_size)
    if getattr(p, "resize", "center_crop") == "center_crop":
        return int(math.ceil(size / float(getattr(p, "crop_fraction", 1.0))))
    return size


def crop_box(width: int, height: int, p: Preprocessing) -> tuple[float, float, float, float]:
    """The source rectangle that `prepare_image` scales to input_size × input_size."""
    if p.resize == "squash":
        return (0.0, 0.0, float(width), float(height))
    side = min(width, height) * p.crop_fraction
    left = (width - side) / 2.0
    top = (height - side) / 2.0
    return (left, top, left + side, top + side)


def prepare_image(img, p: Preprocessing) -> np.ndarray:
    """A PIL image as the network's uint8 [S, S, 3] RGB square (crop and resize in one pass).

    Any mode is accepted (grayscale, CMYK, 16-bit, alpha on white). Raises ModelError
    for an empty image.
    """
    width, height = img.size
    if width < 1 or height < 1:
        raise ModelError(f"cannot prepare an empty image of size {width}x{height}")
    rgb = _to_rgb(img)
    size = p.input_size
    box = crop_box(width, height, p)
    resized = rgb.resize((size, size), _resample(p.interpolation), box=box, reducing_gap=3.0)
    array = np.asarray(resized, dtype=np.uint8)
    return array


def normalize_batch(batch: np.ndarray, p: Preprocessing) -> np.ndarray:
    """uint8 NHWC (or one HWC image) → float32 NCHW with (x/255 - mean) / std."""
    array = np.asarray(batch)
    if array.ndim == 3:
        array = array[None]
    if array.ndim != 4 or array.shape[-1] != 3:
        raise ModelError(f"normalize_batch expects uint8 [N, H, W, 3], got shape {array.shape}")
    mean = np.asarray(p.mean, dtype=np.float32) * 255.0
    inv_std = 1.0 / (np.asarray(p.std, dtype=np.float32) * 255.0)
    out = np.empty((array.shape[0], 3, array.shape[1], array.shape[2]), dtype=np.float32)
    for channel in range(3):
        np.subtract(array[..., channel], mean[channel], out=out[:, channel], dtype=np.float32)
        out[:, channel] *= inv_std[channel]
    return out
