"""The default model's recipe as a dataclass, read from TOML (training/recipes/default.toml)
with `section.key=value` overrides, and saved next to the run's outputs."""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from training.errors import ConfigError
from training.recipes.feature_cache import AugmentRecipe
from training.recipes.tail_training import TailConfig

DEFAULT_RECIPE = Path(__file__).with_name("default.toml")


@dataclass(frozen=True)
class NetworkRecipe:
    backbone: str = "efficientnet-lite0"
    input_size: int = 224
    resize: str = "squash"  # model.preprocess rule: squash keeps the whole scene
    interpolation: str = "bilinear"
    embedding_size: int = 512
    cut_block: int = 11  # blocks[cut_block:] are fine-tuned; len(blocks) + 1 freezes the head conv too
    gem_p: float = 3.0
    gem_learnable: bool = False
    dropout: float = 0.0  # on the pooled features, before the neck


@dataclass(frozen=True)
class ScoringRecipe:
    gallery_weights: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75)
    gallery_ks: tuple[int, ...] = (1, 3, 5)
    unknown_accept_rate: float = 0.05  # share of open-set proxies allowed above the threshold
    calibration_bins: int = 10
    teaching_space: bool = True  # export descriptors and a teaching space (model.descriptor)
    whiten_size: int = 512  # learned whitening of the descriptors to this many axes (0: none)
    whiten_shrinkage: float = 2.0  # of the within-place covariance (model.descriptor.learned_whitening)


@dataclass(frozen=True)
class RecipeConfig:
    network: NetworkRecipe = field(default_factory=NetworkRecipe)
    train: TailConfig = field(default_factory=TailConfig)
    scoring: ScoringRecipe = field(default_factory=ScoringRecipe)
    augment: AugmentRecipe = field(default_factory=AugmentRecipe)
    threads: int = 2
    name: str = "default"
    # name,lat,lon,radius_km of the landmarks (model.places); relative to the repository
    # root unless absolute; "" exports no places
    places: str = ""

    def places_path(self) -> Path | None:
        if not self.places:
            return None
        path = Path(self.places)
        return path if path.is_absolute() else Path(__file__).resolve().parents[2] / path

    def maps_file_name(self) -> str:
        """The cached feature maps' file name: every setting that changes them is in it."""
        n = self.network
        return (f"maps-{n.backbone}-{n.input_size}-{n.resize}-{n.interpolation}-cut{n.cut_block}"
                f"{self.augment.cache_key()}.npy")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def save(self, path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2), encoding="utf-8")
        return path


_SECTIONS = {"network": NetworkRecipe, "train": TailConfig, "scoring": ScoringRecipe, "augment": AugmentRecipe}


def _build_section(cls, data: dict[str, Any], where: str):
    known = {f.name for f in fields(cls)}
    unknown = set(data) - known
    if unknown:
        raise ConfigError(f"unknown setting(s) {sorted(unknown)} in [{where}]; known: {sorted(known)}")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    try:
        return cls(**values)
    except TypeError as error:
        raise ConfigError(f"bad settings in [{where}]: {error}") from error


def recipe_from_dict(data: dict[str, Any]) -> RecipeConfig:
    """Build a RecipeConfig; raises ConfigError naming unknown sections or keys."""
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key in _SECTIONS:
            if not isinstance(value, dict):
                raise ConfigError(f"[{key}] must be a table of settings, got {value!r}")
            values[key] = _build_section(_SECTIONS[key], value, key)
        elif key in ("threads", "name", "places"):
            values[key] = value
        else:
            raise ConfigError(
                f"unknown recipe setting {key!r}; known: network, train, scoring, augment, threads, name, places")
    return RecipeConfig(**values)


def load_recipe(path: Path | None = None, overrides: dict[str, Any] | None = None) -> RecipeConfig:
    """Read a recipe TOML (default: training/recipes/default.toml) and apply dotted
    overrides such as {'train.epochs': 5}. Raises ConfigError on a bad file or key."""
    path = Path(path) if path else DEFAULT_RECIPE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ConfigError(f"recipe file {path} does not exist") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"recipe file {path} is not valid TOML: {error}") from error
    for dotted, value in (overrides or {}).items():
        parts = dotted.split(".")
        node = data
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"override {dotted!r} does not name a setting")
        node[parts[-1]] = value
    return recipe_from_dict(data)


__all__ = ["AugmentRecipe", "NetworkRecipe", "ScoringRecipe", "RecipeConfig", "load_recipe", "recipe_from_dict", "replace"]
