"""Where training images come from, and the manifest that `prepare` writes.

Two kinds of source, both read without unpacking anything:
- GLDv2 in its official layout: labels from `metadata/train_clean.csv` (or, with
  --all-labels, `train.csv`; a mirror without train_clean.csv is refused rather than
  quietly labelled by the noisy train.csv), readable names from `train_label_to_category.csv`, pixels straight
  out of the `train/images_NNN.tar` shards;
- any folder-per-class dataset (the folder name is the landmark, spaces and
  apostrophes included), such as ../shared/data/landmarks/world/.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import tarfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import unquote

from model.labels import label_form
from training.errors import DatasetError

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"}
MANIFEST_NAME = "manifest.json"
IMAGES_NAME = "images.csv"
TAR_SEPARATOR = "::"


@dataclass(frozen=True)
class ImageRecord:
    """One source image: `source` is a file path or "<shard.tar>::<member>"."""

    key: str
    source: str
    landmark_id: str


@dataclass(frozen=True)
class ClassInfo:
    index: int
    landmark_id: str
    name: str
    count: int


@dataclass(frozen=True)
class ManifestImage:
    """One prepared image; `cache` is relative to the manifest's folder."""

    key: str
    source: str
    cache: str
    class_index: int
    landmark_id: str
    name: str
    split: str


@dataclass
class Manifest:
    """The prepared dataset: settings, classes (index order = network output order)
    and images. Saved as manifest.json (settings, classes) + images.csv."""

    folder: Path
    cache_size: int
    classes: list[ClassInfo]
    images: list[ManifestImage]
    settings: dict = field(default_factory=dict)

    def split(self, name: str) -> list[ManifestImage]:
        return [i for i in self.images if i.split == name]

    def labels(self) -> dict[str, str]:
        """landmark id → readable name, as the model bundle stores it."""
        return {c.landmark_id: c.name for c in self.classes}

    def cache_path(self, image: ManifestImage) -> Path:
        return self.folder / image.cache

    def split_fingerprint(self) -> str:
        """A short hash of which image is in which class and split (not of the cache
        paths or pixels): equal for two `prepare` outputs with the same split."""
        digest = hashlib.sha256()
        for key, landmark, split in sorted((i.key, i.landmark_id, i.split) for i in self.images):
            digest.update(f"{key}\t{landmark}\t{split}\n".encode("utf-8", "surrogateescape"))
        return digest.hexdigest()[:16]

    def save(self) -> Path:
        """Write images.csv and manifest.json. Both are written in full to .tmp files
        first (where a full disk stops it, leaving an earlier manifest as it was and no
        .tmp behind), then renamed, manifest.json last. The manifest records images.csv's
        size and CRC-32: two renames are not one step, and a kill between them paired a
        new images.csv (another split or class list) with the old manifest, which
        load_manifest now refuses. Raises OSError."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / MANIFEST_NAME
        images_tmp = self.folder / (IMAGES_NAME + ".tmp")
        meta_tmp = self.folder / (MANIFEST_NAME + ".tmp")
        try:
            with open(images_tmp, "w", newline="", encoding="utf-8", errors="surrogateescape") as f:
                writer = csv.writer(f)
                writer.writerow(["key", "source", "cache", "class_index", "landmark_id", "name", "split"])
                for i in self.images:
                    writer.writerow([i.key, i.source, i.cache, i.class_index, i.landmark_id, i.name, i.split])
            size, crc = _size_and_crc32(images_tmp)
            meta = {
                "version": 1,
                "cache_size": self.cache_size,
                "settings": self.settings,
                "classes": [asdict(c) for c in self.classes],
                "images": IMAGES_NAME,
                "images_bytes": size,
                "images_crc32": f"{crc:08x}",
            }
            meta_tmp.write_text(json.dumps(meta, indent=1, ensure_ascii=False), encoding="utf-8")
            os.replace(images_tmp, self.folder / IMAGES_NAME)
            os.replace(meta_tmp, path)
        except OSError:
            for tmp in (images_tmp, meta_tmp):
                with contextlib.suppress(OSError):
                    tmp.unlink(missing_ok=True)
            raise
        return path


class _CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read through it and their CRC-32, so the
    check of images.csv costs no second read of a file of a million rows."""

    def __init__(self, raw) -> None:
        self._raw, self.size, self.crc = raw, 0, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._raw.readinto(buffer)
        if n:
            self.size += n
            self.crc = zlib.crc32(memoryview(buffer)[:n], self.crc)
        return n


def _size_and_crc32(path: Path) -> tuple[int, int]:
    size, crc = 0, 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            size += len(chunk)
            crc = zlib.crc32(chunk, crc)
    return size, crc


def load_manifest(path: Path) -> Manifest:
    """Read a manifest written by `prepare` (its folder or manifest.json).

    Raises DatasetError naming the file when it is missing or malformed, or when its
    images.csv is not the one it recorded (prepare was interrupted between the two).
    """
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST_NAME
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
        classes = [ClassInfo(**c) for c in meta["classes"]]
        images: list[ManifestImage] = []
        images_path = path.parent / meta["images"]
        with open(images_path, "rb", buffering=0) as raw:
            counted = _CountingReader(raw)
            with io.TextIOWrapper(io.BufferedReader(counted, 1 << 20), "utf-8", "surrogateescape", newline="") as text:
                for row in csv.DictReader(text):
                    row["class_index"] = int(row["class_index"])
                    images.append(ManifestImage(**row))
    except FileNotFoundError as exc:
        raise DatasetError(f"no prepared dataset at {path}: run `landmark-train prepare` first") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise DatasetError(f"manifest {path} is malformed ({exc}); run `landmark-train prepare` again") from exc
    # manifests written before the check was recorded have neither key: their classes
    # still tell a kill that added or removed one
    recorded = (meta.get("images_bytes"), meta.get("images_crc32"))
    if recorded == (None, None):
        known = {c.index: c.landmark_id for c in classes}
        whole = all(known.get(i.class_index) == i.landmark_id for i in images)
    else:
        whole = recorded == (counted.size, f"{counted.crc:08x}")
    if not whole:
        raise DatasetError(
            f"{images_path} is not the one {path.name} records (prepare was interrupted while saving them, or one "
            "was changed by hand); run `landmark-train prepare` again (it reuses its cache)"
        )
    return Manifest(path.parent, int(meta["cache_size"]), classes, images, meta.get("settings", {}))


def require_two_classes(manifest: Manifest) -> None:
    """Raise DatasetError for a manifest of fewer than 2 classes (one from before
    `prepare` refused them): one class scores 1 on every photo, so training reports
    loss 0 and μAP 1 and the bundle tags anything with it."""
    count = len(manifest.classes)
    if count < 2:
        raise DatasetError(
            f"{manifest.folder} holds {count} class{'' if count == 1 else 'es'}: a classifier needs at least 2; "
            "run `landmark-train prepare` again with more classes (or a lower --min-images)"
        )


def is_image_file(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES and not path.name.startswith(".")


def folder_classes(
    root: Path, skip: Path | None = None, take: Callable[[Path], bool] = is_image_file
) -> dict[str, list[Path]]:
    """{class folder name: sorted image files} of a folder-per-class dataset, leaving
    out the folder `skip` and everything in it (`prepare`'s --out inside the source).
    `take`: which files are images (`evaluate --data` takes the app's photo kinds)."""
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise DatasetError(f"{root} is a file, not a folder; give a folder with one sub-folder per class")
    if not root.is_dir():
        raise DatasetError(f"dataset folder {root} does not exist; give a folder with one sub-folder per class")
    skipped = Path(skip).resolve() if skip is not None else None
    out: dict[str, list[Path]] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        inside = folder.resolve()
        if skipped is not None and (inside == skipped or inside.is_relative_to(skipped)):
            continue
        files = sorted(p for p in folder.rglob("*") if p.is_file() and take(p))
        if skipped is not None and skipped.is_relative_to(inside):
            files = [p for p in files if not p.resolve().is_relative_to(skipped)]
        if files:
            out[folder.name] = files
    if not out:
        raise DatasetError(f"{root} has no class folders with images in them")
    return out


def folder_records(root: Path, skip: Path | None = None) -> tuple[list[ImageRecord], dict[str, str]]:
    """Records of a folder-per-class dataset; the folder name is the id, and in
    model.labels.label_form the name (macOS lists names decomposed: the class name must
    be the label the user types). `skip`: a folder to leave out (see folder_classes)."""
    records: list[ImageRecord] = []
    for name, files in folder_classes(root, skip).items():
        for path in files:
            key = f"{name}/{path.relative_to(Path(root) / name).as_posix()}"
            records.append(ImageRecord(key, str(path.resolve()), name))
    return records, {name: label_form(name) for name in {r.landmark_id for r in records}}


def without_repeated_keys(records: list[ImageRecord]) -> tuple[list[ImageRecord], int]:
    """The records with each key once (the first kept: for GLDv2, the copy in the
    lowest-numbered shard), and how many repeats were dropped. An image id in two
    shards (a shard copied or re-packed under another number) would otherwise be
    counted twice, split on its own and cached twice into one file at the same time."""
    seen: set[str] = set()
    kept: list[ImageRecord] = []
    for record in records:
        if record.key not in seen:
            seen.add(record.key)
            kept.append(record)
    return kept, len(records) - len(kept)


def is_gldv2_folder(root: Path) -> bool:
    return (Path(root) / "metadata" / "train.csv").is_file() or (Path(root) / "metadata" / "train_clean.csv").is_file()


def has_gldv2_shards(root: Path) -> bool:
    """True when `root/train` holds images_NNN.tar shards (a GLDv2 mirror, with or
    without its metadata)."""
    train = Path(root) / "train"
    return train.is_dir() and any(train.glob("images_*.tar"))


def dataset_records(
    source: Path, clean: bool = True, skip: Path | None = None
) -> tuple[list[ImageRecord], dict[str, str], list[str]]:
    """Records, readable names and notes (GLDv2 label rows skipped) of a GLDv2 mirror
    or of a folder-per-class dataset (`skip`: prepare's --out, when inside it: neither a
    class nor photos).

    Raises DatasetError for a GLDv2 mirror without its labels (as `download
    --no-metadata` leaves it), rather than reading it as folders of classes."""
    source = Path(source)
    if is_gldv2_folder(source):
        return gldv2_records(source, clean)
    if has_gldv2_shards(source):
        raise DatasetError(
            f"{source / 'train'} holds GLDv2 shards but {source / 'metadata' / 'train.csv'} is missing; "
            "run `landmark-train download` (without --no-metadata) to fetch the metadata"
        )
    return (*folder_records(source, skip=skip), [])


def category_name(category: str) -> str:
    """'http://commons.wikimedia.org/wiki/Category:Haleakal%C4%81_National_Park' →
    'Haleakalā National Park'."""
    tail = category.rsplit("Category:", 1)[-1] if "Category:" in category else category.rsplit("/", 1)[-1]
    return label_form(unquote(tail).replace("_", " "))


def _gldv2_rows(path: Path, needed: tuple[str, ...]) -> Iterator[dict[str, str]]:
    """The rows of a GLDv2 metadata CSV, read as they are needed (train.csv has 4.1
    million); see csv_rows. A missing one is downloaded by `landmark-train download`."""
    for _, row in csv_rows(path, needed, missing="run `landmark-train download`"):
        yield row


def csv_rows(path: Path, needed: tuple[str, ...], missing: str = "") -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) of a CSV file with a header naming at least `needed`, read as
    they are needed. Spaces after the commas and a byte-order mark are accepted (an
    edited or hand-made file; GLDv2's and Kaggle's ids never start with a space).

    Raises DatasetError naming the file: missing (with the advice `missing`), not
    UTF-8 text, not CSV, or without one of the `needed` columns.
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f, skipinitialspace=True)
            columns = reader.fieldnames or []
            absent = [name for name in needed if name not in columns]
            if absent:
                found = f"it has {', '.join(columns)}" if columns else "it is empty"
                raise DatasetError(f"{path} needs the columns {', '.join(needed)}; {found}")
            for row in reader:
                yield reader.line_num, row
    except FileNotFoundError as exc:
        raise DatasetError(f"{path} does not exist" + (f"; {missing}" if missing else "")) from exc
    except OSError as exc:
        raise DatasetError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path} is not UTF-8 text (byte {exc.start} cannot be read); save it as UTF-8 CSV") from exc
    except csv.Error as exc:
        raise DatasetError(f"{path} is not a readable CSV file ({exc})") from exc


def read_gldv2_labels(root: Path, clean: bool = True) -> tuple[dict[str, str], str | None]:
    """{image id: landmark id} from train_clean.csv (clean) or train.csv, and a note
    saying how many rows had no landmark_id (skipped, as GLDv2 tools do), else None.

    Raises DatasetError naming the file and what is wrong with it; when `clean` and
    train_clean.csv is missing (a failed metadata download, a hand-made mirror) too,
    rather than training on all of train.csv while the manifest says clean."""
    meta = Path(root) / "metadata"
    labels: dict[str, str] = {}
    if clean and not (meta / "train_clean.csv").exists():
        raise DatasetError(
            f"{meta / 'train_clean.csv'} is missing (the GLDv2-clean labels); run `landmark-train download` "
            "again to fetch it, or give --all-labels to use all of train.csv"
        )
    path = meta / ("train_clean.csv" if clean else "train.csv")
    unlabelled: list[int] = []  # lines whose landmark_id is empty: no class to put them in
    for line, row in csv_rows(path, ("landmark_id", "images") if clean else ("id", "landmark_id"),
                              missing="run `landmark-train download`"):
        landmark = row["landmark_id"] or ""
        if not landmark.strip():
            unlabelled.append(line)
        elif clean:
            for image_id in (row["images"] or "").split():
                labels[image_id] = landmark
        else:
            labels[row["id"]] = landmark
    note = None
    if unlabelled:
        note = (f"{len(unlabelled)} row{'' if len(unlabelled) == 1 else 's'} of {path} without a landmark_id "
                f"skipped (line {', '.join(map(str, unlabelled[:3]))}{', …' if len(unlabelled) > 3 else ''})")
    return labels, note


def read_gldv2_names(root: Path) -> dict[str, str]:
    """{landmark id: readable name}; empty when the category file is absent.

    Raises DatasetError naming the file when it cannot be read."""
    path = Path(root) / "metadata" / "train_label_to_category.csv"
    if not path.is_file():
        return {}
    return {row["landmark_id"]: category_name(row["category"] or "") for row in _gldv2_rows(path, ("landmark_id", "category"))}


def gldv2_records(root: Path, clean: bool = True) -> tuple[list[ImageRecord], dict[str, str], list[str]]:
    """Records for every labelled image inside the downloaded tar shards (members are
    listed, not extracted), their names, and notes on label rows skipped."""
    root = Path(root)
    labels, note = read_gldv2_labels(root, clean)
    names = read_gldv2_names(root)
    shards = sorted((root / "train").glob("images_*.tar"))
    if not shards:
        raise DatasetError(f"no images_NNN.tar shards in {root / 'train'}; run `landmark-train download`")
    records: list[ImageRecord] = []
    for shard in shards:
        try:
            with tarfile.open(shard) as tar:
                for member in tar:
                    if not member.isfile():
                        continue
                    image_id = Path(member.name).stem
                    if image_id in labels:
                        source = f"{shard.resolve()}{TAR_SEPARATOR}{member.name}"
                        records.append(ImageRecord(image_id, source, labels[image_id]))
        except tarfile.TarError as exc:
            raise DatasetError(f"shard {shard} is not a readable tar ({exc}); download it again") from exc
    if not records:
        raise DatasetError(
            f"no image in the shards under {root / 'train'} has a label in {root / 'metadata'}: "
            "the labels' image ids must be the shards' file names without .jpg"
        )
    present = {r.landmark_id for r in records}
    return records, {lm: names.get(lm, lm) for lm in present}, [note] if note else []
