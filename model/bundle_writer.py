"""Writing a model bundle (see docs/BUNDLE_FORMAT.md): its members and a manifest
with the sha256 of each, written under a temporary name and synced before it takes
the bundle's name, so a reader sees the old bundle or the new, never half of one;
then loaded back, so a bundle that does not load is never left as written.

The same content gives the same bytes: the zip's member times are fixed (1980-01-01, or
SOURCE_DATE_EPOCH when set), so that two builds of one bundle can be compared byte for byte."""

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
from model.errors import BundleError
from model.descriptor import TeachingSettings
from model.preprocess import Preprocessing
from model.scoring import ScoringConfig, unit_vectors


ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip member can record
MEMBER_MODE = 0o600 << 16  # what ZipFile.writestr gives a member named by a string


def source_date_epoch() -> datetime | None:
    """The build time a reproducible build asks for (the SOURCE_DATE_EPOCH convention:
    seconds since 1970, UTC), or None when it is not set.
    Raises BundleError for a value that is not a whole number of seconds."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    try:
        return datetime.fromtimestamp(int(value), timezone.utc)
    except (ValueError, OverflowError, OSError) as error:
        raise BundleError(
            f"SOURCE_DATE_EPOCH={value!r} is not a time in seconds since 1970; set it to e.g. "
            "$(git log -1 --format=%ct) or unset it"
        ) from error


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def creation_time(when_not_set: str | None = None) -> str:
    """A bundle's `created`: SOURCE_DATE_EPOCH when set, else `when_not_set`, else now."""
    moment = source_date_epoch()
    if moment is not None:
        return _iso(moment)
    return when_not_set if when_not_set is not None else _iso(datetime.now(timezone.utc))


def _member_info(member: str, method: int) -> zipfile.ZipInfo:
    """A zip entry that records no time of writing (SOURCE_DATE_EPOCH's, when set)."""
    moment = source_date_epoch()
    stamp = ZIP_EPOCH if moment is None or moment.year < 1980 else moment.timetuple()[:6]
    info = zipfile.ZipInfo(member, date_time=stamp)
    info.compress_type = method
    info.external_attr = MEMBER_MODE
    return info


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
    `created` (ISO 8601, "" when not known; when None, SOURCE_DATE_EPOCH if set, else
    now) is hashed into the id: an export gives the time its checkpoint was saved, so
    that exporting it again gives the same id.

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
        "created": created if created is not None else creation_time(),
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
                        archive.writestr(_member_info(member, method), data)
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
