"""Writing a model bundle (see docs/BUNDLE_FORMAT.md): its members and a manifest
with the sha256 of each, written under a temporary name and synced before it takes
the bundle's name, so a reader sees the old bundle or the new, never half of one;
then loaded back, so a bundle that does not load is never left as written."""

from __future__ import annotations

import io
import json
import os
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from model.bundle import (
    CARD_MEMBER, FORMAT_VERSION, GALLERY_MEMBER, LABELS_MEMBER, ONNX_MEMBER, Gallery, LabelEntry, ModelBundle,
    load_bundle, sha256_hex,
)
from model.bundle_checks import MANIFEST
from model.descriptor import TeachingSettings
from model.preprocess import Preprocessing
from model.scoring import ScoringConfig, unit_vectors


def _gallery_bytes(gallery: Gallery) -> bytes:
    buffer = io.BytesIO()
    arrays = {"vectors": unit_vectors(gallery.vectors).astype(np.float16),
              "classes": np.asarray(gallery.classes, dtype=np.int32)}
    if gallery.descriptors is not None:
        arrays["descriptors"] = unit_vectors(gallery.descriptors).astype(np.float16)
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def save_bundle(
    out_path: str | Path,
    *,
    onnx_bytes: bytes,
    labels: Sequence[LabelEntry],
    preprocessing: Preprocessing,
    embedding_size: int,
    name: str,
    backbone: str = "",
    scoring: ScoringConfig | None = None,
    threshold: float = 0.5,
    card: str = "",
    gallery: Gallery | None = None,
    extra: dict[str, Any] | None = None,
    as_folder: bool = False,
    descriptor_size: int = 0,
    teaching: TeachingSettings | None = None,
    created: str | None = None,
) -> ModelBundle:
    """Write a bundle (a zip file, or a folder with `as_folder`) and load it back checked.
    `created` (ISO 8601, "" when not known; now when None) is hashed into the id: an
    export gives the time its checkpoint was saved, so that exporting it again gives the
    same id.

    The file is written to a temporary name and renamed, so a reader never sees half a
    bundle. Raises BundleError if the result does not load.
    """
    out_path = Path(out_path)
    scoring = scoring or ScoringConfig()
    members: dict[str, bytes] = {
        ONNX_MEMBER: onnx_bytes,
        LABELS_MEMBER: json.dumps(
            [e.to_dict() for e in labels], ensure_ascii=False, indent=1
        ).encode("utf-8"),
        CARD_MEMBER: (card or f"# {name}\n\nNo model card was written.\n").encode("utf-8"),
    }
    if gallery is not None:
        members[GALLERY_MEMBER] = _gallery_bytes(gallery)
    manifest = {
        "format_version": FORMAT_VERSION,
        "name": name,
        "created": created if created is not None else datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "backbone": backbone,
        "preprocessing": preprocessing.to_dict(),
        "embedding_size": int(embedding_size),
        "scale": scoring.scale,
        "temperature": scoring.temperature,
        "threshold": float(threshold),
        "num_classes": len(labels),
        "gallery": {"weight": scoring.gallery_weight, "k": scoring.gallery_k},
        "extra": extra or {},
        "members": {member: sha256_hex(data) for member, data in members.items()},
    }
    if descriptor_size:
        manifest["descriptor_size"] = int(descriptor_size)
    if teaching is not None:
        manifest["teaching"] = teaching.to_dict()
    members = {MANIFEST: json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"), **members}
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if as_folder:
        out_path.mkdir(parents=True, exist_ok=True)
        for member, data in members.items():
            tmp = out_path / (member + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(out_path / member)
    else:
        tmp = out_path.with_name(out_path.name + ".tmp")
        try:
            with open(tmp, "wb") as handle:
                with zipfile.ZipFile(handle, "w") as archive:
                    for member, data in members.items():
                        # ONNX weights barely compress; storing them keeps loading a plain read.
                        method = zipfile.ZIP_STORED if member == ONNX_MEMBER else zipfile.ZIP_DEFLATED
                        archive.writestr(member, data, compress_type=method)
                handle.flush()
                os.fsync(handle.fileno())  # on disk before it takes the name: a crash leaves the old bundle or the new
            tmp.replace(out_path)
        except BaseException:
            tmp.unlink(missing_ok=True)  # no half-written bundle left behind
            raise
        _sync_folder(out_path.parent)
    return load_bundle(out_path)


def _sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX); Windows cannot open a folder for it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems refuse to sync a folder; the rename itself is done
    finally:
        os.close(descriptor)


def resave_bundle(bundle: ModelBundle, out_path: str | Path, **changes: Any) -> ModelBundle:
    """Save a copy of a loaded bundle with some of save_bundle's arguments changed
    (e.g. card=, onnx_bytes=, name=); everything else is kept, `created` too: the same
    bundle resaved with the same change is the same bundle, same id."""
    arguments: dict[str, Any] = dict(created=bundle.created,
        onnx_bytes=bundle.onnx_bytes, labels=bundle.labels, preprocessing=bundle.preprocessing,
        embedding_size=bundle.embedding_size, name=bundle.name, backbone=bundle.backbone,
        scoring=bundle.scoring, threshold=bundle.threshold, card=bundle.card, gallery=bundle.gallery,
        extra=bundle.extra, descriptor_size=bundle.descriptor_size, teaching=bundle.teaching,
    )
    arguments.update(changes)
    return save_bundle(out_path, **arguments)
