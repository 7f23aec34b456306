"""The model bundle: one self-describing `*.ltbundle` file (a zip) or a folder with the
same members, holding everything inference needs. See docs/BUNDLE_FORMAT.md.

Members: bundle.json (manifest with the sha256 of every other member), model.onnx,
labels.json, card.md and optionally gallery.npz. A bundle whose network also outputs
descriptors declares `descriptor_size` and its `teaching` space (model.descriptor).
Loading checks everything and raises BundleError naming the problem; `bundle.id` is a
short hash of the contents. Writing one is model.bundle_writer; listing the bundles in
folders, model.bundle_listing.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from model.bundle_checks import (
    MANIFEST, finite_number, member_hashes, parse_manifest, read_preprocessing, whole_number,
)
from model.bundle_reader import BundleMembers, check_npz_sizes
from model.descriptor import TeachingSettings
from model.errors import BundleError, ModelError
from model.labels import label_form
from model.onnx_info import check_onnx_input, check_onnx_outputs
from model.places import Place
from model.preprocess import Preprocessing
from model.scoring import ScoringConfig

FORMAT_VERSION = 1
BUNDLE_SUFFIX = ".ltbundle"
ONNX_MEMBER = "model.onnx"
LABELS_MEMBER = "labels.json"
CARD_MEMBER = "card.md"
GALLERY_MEMBER = "gallery.npz"
REQUIRED_MEMBERS = (ONNX_MEMBER, LABELS_MEMBER, CARD_MEMBER)
DEFAULT_BUNDLE_NAME = "default" + BUNDLE_SUFFIX


@dataclass(frozen=True)
class LabelEntry:
    """One class: its dataset id (e.g. GLDv2 "13009"), its readable name and, when
    known, where it is (model.places: photos taken far from it are not it)."""

    landmark_id: str
    name: str
    place: Place | None = None

    def to_dict(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"landmark_id": self.landmark_id, "name": self.name}
        if self.place is not None:
            entry["place"] = self.place.to_dict()
        return entry


@dataclass(frozen=True)
class Gallery:
    """Reference embeddings (L2-normalised) and the class index of each, with the
    photos' descriptors when the bundle has them."""

    vectors: np.ndarray  # [G, D] float16 on disk, float32 here
    classes: np.ndarray  # [G] int
    descriptors: np.ndarray | None = None  # [G, F] float16 on disk, float32 here


@dataclass
class ModelBundle:
    """A loaded (and checked) bundle."""

    path: Path | None
    name: str
    backbone: str
    preprocessing: Preprocessing
    embedding_size: int
    scoring: ScoringConfig
    threshold: float
    labels: list[LabelEntry]
    onnx_bytes: bytes
    card: str
    gallery: Gallery | None = None
    created: str = ""
    id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    descriptor_size: int = 0  # 0: the network outputs no descriptors
    teaching: TeachingSettings | None = None  # the teaching space, with descriptors

    @property
    def num_classes(self) -> int:
        return len(self.labels)

    @property
    def input_size(self) -> int:
        return self.preprocessing.input_size

    @property
    def scale(self) -> float:
        return self.scoring.scale

    @property
    def temperature(self) -> float:
        return self.scoring.temperature

    def class_names(self) -> list[str]:
        return [entry.name for entry in self.labels]

    def places(self) -> list[Place | None]:
        return [entry.place for entry in self.labels]


def default_bundle_path() -> Path:
    """assets/default.ltbundle in the repository (or installed package tree)."""
    return Path(__file__).resolve().parents[1] / "assets" / DEFAULT_BUNDLE_NAME


def sha256_hex(data: bytes) -> str:
    """The hex sha256 a manifest lists for a member (bundle_writer writes it, load_bundle checks it)."""
    return hashlib.sha256(data).hexdigest()


def bundle_id(manifest: dict[str, Any]) -> str:
    """A short hash of the manifest, which carries the hash of every member."""
    text = json.dumps(manifest, sort_keys=True, separators=(",", ":"))
    return sha256_hex(text.encode("utf-8"))[:12]


# ---------------------------------------------------------------- reading


def _parse_labels(path: Path, data: bytes) -> list[LabelEntry]:
    try:
        raw = json.loads(data.decode("utf-8"))
        # label_form: a bundle exported before `prepare` composed its class names may hold
        # macOS folder names, decomposed
        entries = [LabelEntry(str(item["landmark_id"]), label_form(str(item["name"])),
                              Place.from_dict(item["place"]) if item.get("place") is not None else None)
                   for item in raw]
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise BundleError(
            f"model bundle {path}: labels.json is not a list of {{landmark_id, name[, place]}} ({error})"
        ) from error
    return entries


def _parse_gallery(path: Path, data: bytes, num_classes: int, embedding_size: int, descriptor_size: int) -> Gallery:
    check_npz_sizes(path, GALLERY_MEMBER, data)
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            vectors = np.asarray(npz["vectors"], dtype=np.float32)
            classes = np.asarray(npz["classes"], dtype=np.int64)
            descriptors = np.asarray(npz["descriptors"], dtype=np.float32) if "descriptors" in npz else None
    except (ValueError, KeyError, OSError, EOFError, MemoryError, zipfile.BadZipFile, zlib.error) as error:
        # MemoryError: an array header declaring more than any gallery holds
        raise BundleError(f"model bundle {path}: gallery.npz is unreadable ({error}); get the bundle again") from error
    if vectors.ndim != 2 or vectors.shape[1] != embedding_size or classes.shape != (vectors.shape[0],):
        raise BundleError(
            f"model bundle {path}: gallery.npz holds vectors {vectors.shape} and classes {classes.shape}; "
            f"expected [G, {embedding_size}] and [G]"
        )
    if not (np.isfinite(vectors).all() and (descriptors is None or np.isfinite(descriptors).all())):
        raise BundleError(f"model bundle {path}: gallery.npz holds NaN or infinite values; get the bundle again")
    if classes.size and (classes.min() < 0 or classes.max() >= num_classes):
        raise BundleError(f"model bundle {path}: gallery.npz has class indices outside 0..{num_classes - 1}")
    if descriptor_size and (descriptors is None or descriptors.shape != (len(vectors), descriptor_size)):
        shape = None if descriptors is None else descriptors.shape
        raise BundleError(
            f"model bundle {path}: gallery.npz holds descriptors {shape}; expected [{len(vectors)}, {descriptor_size}]"
        )
    return Gallery(vectors, classes, descriptors if descriptor_size else None)


def load_bundle(path: str | Path, *, check_onnx: bool = True) -> ModelBundle:
    """Load and check a bundle file or folder.

    Raises BundleError naming the problem: missing path, not a zip, missing, unlisted or
    oversized member (model.bundle_reader), hash mismatch, unknown format version, a
    malformed field or impossible number (model.bundle_checks), an input size or label
    count not matching the network (the input size is checked even without check_onnx).
    """
    path = Path(path)
    if not path.exists():
        raise BundleError(f"model bundle {path} does not exist; check the path or run `landmark-tagger models`")
    with BundleMembers(path) as source:
        if MANIFEST not in source:
            raise BundleError(f"model bundle {path} has no {MANIFEST}; it is not a landmark-tagger bundle")
        manifest = parse_manifest(path, source.read(MANIFEST))
        version = manifest.get("format_version")
        if version != FORMAT_VERSION:
            raise BundleError(
                f"model bundle {path} has format version {version!r}; this app reads version "
                f"{FORMAT_VERSION} — update landmark-tagger or re-export the bundle"
            )
        hashes = member_hashes(path, manifest)
        for member in (*REQUIRED_MEMBERS, *hashes):
            if member not in source:
                raise BundleError(f"model bundle {path} is missing {member}; re-export or download it again")
        unhashed = set(REQUIRED_MEMBERS) - set(hashes)
        if unhashed:
            raise BundleError(f"model bundle {path}: {MANIFEST} lists no sha256 for {sorted(unhashed)}")
        source.refuse_unlisted([MANIFEST, *hashes])
        members = {member: source.read(member) for member in hashes}
    for member, expected in hashes.items():
        if sha256_hex(members[member]) != expected:
            raise BundleError(
                f"model bundle {path}: {member} does not match its sha256 in {MANIFEST}; "
                "the file is corrupt or was edited — get the bundle again"
            )
    try:
        preprocessing = read_preprocessing(manifest)
        gallery_settings = manifest.get("gallery") or {}
        scoring = ScoringConfig(
            scale=finite_number(manifest, "scale"),
            temperature=finite_number(manifest, "temperature"),
            gallery_weight=finite_number(gallery_settings, "weight", 0.0),
            gallery_k=whole_number(gallery_settings, "k", 3),
        )
        embedding_size = whole_number(manifest, "embedding_size")
        threshold = finite_number(manifest, "threshold", low=0.0, high=1.0)
        declared_classes = whole_number(manifest, "num_classes")
        descriptor_size = whole_number(manifest, "descriptor_size", 0, least=0)
        teaching = TeachingSettings.from_dict(manifest["teaching"]) if manifest.get("teaching") else None
        if teaching is not None and not descriptor_size:
            raise ValueError("a teaching space needs descriptor_size")
    except (KeyError, TypeError, ValueError, ModelError) as error:
        raise BundleError(f"model bundle {path}: {MANIFEST} is incomplete or invalid ({error})") from error
    labels = _parse_labels(path, members[LABELS_MEMBER])
    if len(labels) != declared_classes:
        raise BundleError(
            f"model bundle {path}: labels.json has {len(labels)} labels, {MANIFEST} declares {declared_classes}"
        )
    onnx_bytes = members[ONNX_MEMBER]
    check_onnx_input(path, onnx_bytes, preprocessing.input_size)  # milliseconds: worth it even unchecked
    if check_onnx:
        check_onnx_outputs(path, onnx_bytes, len(labels), embedding_size, preprocessing.input_size, descriptor_size)
    gallery = None
    if GALLERY_MEMBER in members:
        gallery = _parse_gallery(path, members[GALLERY_MEMBER], len(labels), embedding_size, descriptor_size)
    elif teaching is not None:
        raise BundleError(f"model bundle {path} declares a teaching space but has no {GALLERY_MEMBER}")
    return ModelBundle(
        path=path,
        name=str(manifest.get("name") or path.stem),
        backbone=str(manifest.get("backbone") or ""),
        preprocessing=preprocessing,
        embedding_size=embedding_size,
        scoring=scoring,
        threshold=threshold,
        labels=labels,
        onnx_bytes=onnx_bytes,
        card=members[CARD_MEMBER].decode("utf-8", errors="replace"),
        gallery=gallery,
        created=str(manifest.get("created") or ""),
        id=bundle_id(manifest),
        extra=dict(manifest.get("extra") or {}),
        descriptor_size=descriptor_size,
        teaching=teaching,
    )


def read_places(path: str | Path) -> dict[str, Place]:
    """{landmark name: Place} from a bundle's labels.json alone, without loading or
    checking the network (for showing why a far landmark scores low); {} when the
    bundle cannot be read or has no places."""
    path = Path(path)
    try:
        with BundleMembers(path) as source:
            data = source.read(LABELS_MEMBER)
        return {entry.name: entry.place for entry in _parse_labels(path, data) if entry.place is not None}
    except (OSError, KeyError, zipfile.BadZipFile, BundleError):
        return {}


def labels_with_places(labels: Sequence[LabelEntry], places: dict[str, Place]) -> list[LabelEntry]:
    """The labels with the place of each one named in `places` (model.places); a label
    not named keeps what it had. Raises BundleError for a name that is no label, since a
    misspelt name would silently leave its landmark without a place."""
    unknown = sorted(set(places) - {entry.name for entry in labels})
    if unknown:
        raise BundleError(f"no landmark called {', '.join(repr(name) for name in unknown)} in the bundle")
    return [LabelEntry(e.landmark_id, e.name, places.get(e.name, e.place)) for e in labels]


def labels_from_names(names: Sequence[str], ids: Sequence[str] | None = None) -> list[LabelEntry]:
    """LabelEntry list from readable names (ids default to the names themselves)."""
    ids = list(ids) if ids is not None else list(names)
    if len(ids) != len(names):
        raise ModelError(f"{len(names)} names but {len(ids)} landmark ids")
    return [LabelEntry(str(i), str(n)) for i, n in zip(ids, names)]
