"""Checks of a bundle's manifest (bundle.json) beyond "the key is there": each field of
the right JSON type and each number one that can be meant.

A hand-edited or damaged manifest must give one BundleError naming the field, never a
traceback (a list where an object belongs), nor a bundle that loads and then calls every
photo "no landmark" (a NaN temperature, a threshold of 2). Numeric helpers raise
ValueError with the key and value; load_bundle turns those into its BundleError.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from model.errors import BundleError
from model.preprocess import Preprocessing

MANIFEST = "bundle.json"
_OBJECT_FIELDS = ("members", "preprocessing", "gallery", "extra", "teaching")
_TEXT_FIELDS = ("name", "backbone", "created")
_REQUIRED = object()


def parse_manifest(path: Path, data: bytes) -> dict[str, Any]:
    """bundle.json as a dict whose object-valued fields are objects; BundleError otherwise."""
    try:
        manifest = json.loads(data.decode("utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError("not a JSON object")
    except ValueError as error:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise BundleError(f"model bundle {path}: {MANIFEST} is not valid JSON ({error})") from error
    for keys, kind, wanted in ((_OBJECT_FIELDS, dict, "an object"), (_TEXT_FIELDS, str, "a string")):
        for key in keys:
            value = manifest.get(key)
            if value is not None and not isinstance(value, kind):
                raise BundleError(
                    f"model bundle {path}: {MANIFEST}'s {key!r} is a JSON {_json_type(value)}, not {wanted}; "
                    "re-export the bundle or fix its manifest"
                )
    return manifest


def member_hashes(path: Path, manifest: dict[str, Any]) -> dict[str, str]:
    """The manifest's {member: sha256}; BundleError for a hash that is not a string."""
    hashes = manifest.get("members") or {}
    for member, digest in hashes.items():
        if not isinstance(digest, str) or member == MANIFEST:
            raise BundleError(
                f"model bundle {path}: {MANIFEST}'s members entry {member!r}: {digest!r} is not "
                "a member's sha256; re-export the bundle"
            )
    return hashes


def finite_number(
    section: dict[str, Any], key: str, default: Any = _REQUIRED, *, low: float | None = None, high: float | None = None
) -> float:
    """section[key] as a float: a JSON number, finite, within [low, high] where given."""
    value = _value(section, key, default)
    if not _is_finite(value):
        raise ValueError(f"{key} {value!r} must be a finite number")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{key} {value} must be between {low} and {high}")
    return float(value)


def whole_number(section: dict[str, Any], key: str, default: Any = _REQUIRED, *, least: int = 1) -> int:
    """section[key] as an int: a JSON whole number of at least `least`."""
    value = _value(section, key, default)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key} {value!r} must be a whole number")
    if value < least:
        raise ValueError(f"{key} {value} must be at least {least}")
    return value


def read_preprocessing(manifest: dict[str, Any]) -> Preprocessing:
    """The manifest's preprocessing, with a whole input size and finite mean/std (ModelError,
    KeyError or ValueError otherwise)."""
    settings = manifest["preprocessing"]
    if settings is None:
        raise KeyError("preprocessing")
    whole_number(settings, "input_size", least=8)
    for key in ("mean", "std"):
        values = settings.get(key, [])
        if not isinstance(values, list) or not all(_is_finite(value) for value in values):
            raise ValueError(f"preprocessing {key} {values!r} must be a list of finite numbers")
    return Preprocessing.from_dict(settings)


def _is_finite(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def _value(section: dict[str, Any], key: str, default: Any) -> Any:
    value = section.get(key)
    if value is None:
        if default is _REQUIRED:
            raise KeyError(key)
        return default
    return value


def _json_type(value: Any) -> str:
    kinds = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return kinds.get(type(value), "value")
