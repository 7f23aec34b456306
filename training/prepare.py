"""`landmark-train prepare`: from a GLDv2 mirror or a folder-per-class dataset to a
resized image cache and a manifest the trainer reads.

Steps: list the images (tar members are read in place), drop classes with fewer
than `min_images`, split each class 80/20 with a seeded shuffle (stratified), and
resize every image in parallel so its shorter side is `cache_size` (aspect kept, so
training can still take random crops; the final square is cut at load time by
`model.preprocess.prepare_image`, the same rule the app uses; training.cache_images
does the resizing). Images that cannot be
read are left out and the filter and split are made again without them, until every
kept image is readable (a readable dataset is filtered and split once, as before).
A file `prepare` cannot write under --out (a full disk, a read-only folder) is no
unreadable image: it stops the run with OutputWriteError, before any manifest.
Images already in the cache are not decoded again, so an interrupted run resumes,
but only when cached from the very same source file (see training.cache_index: a
cache file whose source moved, changed or was replaced, or which is missing or cut
short, is made again); cache/settings.json records the size and quality the cache
was made with, and a cache made with other settings is cleared first.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from training.cache_images import CacheBatchResult, run_cache_jobs, write_whole
from training.cache_images import to_rgb  # noqa: F401  (training.evaluate imports it from here)
from training.cache_index import INDEX_NAME, CacheIndex
from training.datasets import (
    MANIFEST_NAME,
    ClassInfo,
    ImageRecord,
    Manifest,
    ManifestImage,
    dataset_records,
    without_repeated_keys,
)
from training.errors import DatasetError, writing
from training.same_name_classes import MergedClass, merge_same_name_classes
from training.same_name_classes import landmark_sort_key as _sort_key

CACHE_SETTINGS = "settings.json"  # in out_dir/cache: what the cached pixels were made with
_CACHE_FILE = re.compile(r"[0-9a-f]{20}\.jpg(\.tmp)?")
_LEGACY_QUALITY = 93  # caches written before settings.json were all made at quality 93


@dataclass(frozen=True)
class PrepareConfig:
    """Settings of one `prepare` run (saved in the manifest)."""

    source: Path
    out_dir: Path
    cache_size: int = 128
    min_images: int = 1
    max_images_per_class: int | None = None
    val_fraction: float = 0.2
    seed: int = 0
    workers: int = 0  # 0: one per CPU core
    clean: bool = True  # GLDv2: use train_clean.csv when present
    quality: int = 93

    def __post_init__(self) -> None:
        if self.cache_size < 8:
            raise DatasetError(f"cache size {self.cache_size} is too small; use 8 px or more")
        if not 0.0 <= self.val_fraction < 1.0:
            raise DatasetError(f"validation fraction {self.val_fraction} must be in [0, 1)")
        if self.min_images < 1:
            raise DatasetError(f"--min-images {self.min_images} must be at least 1")
        if self.max_images_per_class is not None and self.max_images_per_class < 1:
            raise DatasetError(f"--max-per-class {self.max_images_per_class} must be at least 1 (or left out)")
        if self.workers < 0:
            raise DatasetError(f"--workers {self.workers} must be 0 (one per core) or more")
        if not 1 <= self.quality <= 100:
            raise DatasetError(f"JPEG quality {self.quality} must be between 1 and 100")


@dataclass
class PrepareSummary:
    manifest_path: Path
    classes: int
    train_images: int
    val_images: int
    dropped_classes: int
    resized: int
    reused: int
    errors: dict[str, str] = field(default_factory=dict)
    duplicates: int = 0  # images listed twice (one GLDv2 id in two shards), prepared once
    merged: list[MergedClass] = field(default_factory=list)  # classes of one name made one (NFC/NFD folders)
    notes: list[str] = field(default_factory=list)  # GLDv2 label rows skipped (no landmark_id)


def stratified_split(
    records: list[ImageRecord], val_fraction: float, seed: int
) -> dict[str, str]:
    """{record key: 'train' | 'val'}: each class shuffled with one seeded RNG and cut
    at round(n · val_fraction), at least one image on each side when n ≥ 2."""
    rng = random.Random(seed)
    by_class: dict[str, list[ImageRecord]] = defaultdict(list)
    for record in records:
        by_class[record.landmark_id].append(record)
    split: dict[str, str] = {}
    for landmark in sorted(by_class, key=_sort_key):
        members = sorted(by_class[landmark], key=lambda r: r.key)
        rng.shuffle(members)
        n = len(members)
        n_val = round(n * val_fraction)
        if val_fraction > 0 and n >= 2:
            n_val = min(max(n_val, 1), n - 1)
        for i, record in enumerate(members):
            split[record.key] = "val" if i < n_val else "train"
    return split


def filter_classes(
    records: list[ImageRecord], min_images: int, max_per_class: int | None, seed: int
) -> tuple[list[ImageRecord], int]:
    """Drop classes under `min_images`; cap each class at `max_per_class` (a seeded
    sample). Returns the kept records and the number of dropped classes."""
    by_class: dict[str, list[ImageRecord]] = defaultdict(list)
    for record in records:
        by_class[record.landmark_id].append(record)
    rng = random.Random(seed + 1)
    kept: list[ImageRecord] = []
    dropped = 0
    for landmark in sorted(by_class, key=_sort_key):
        members = sorted(by_class[landmark], key=lambda r: r.key)
        if len(members) < min_images:
            dropped += 1
            continue
        if max_per_class is not None and len(members) > max_per_class:
            members = sorted(rng.sample(members, max_per_class), key=lambda r: r.key)
        kept.extend(members)
    return kept, dropped


def cache_name(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8", "surrogateescape")).hexdigest()[:20] + ".jpg"


def _cache_settings(config: PrepareConfig) -> dict:
    return {"size": config.cache_size, "quality": config.quality}


def _found_cache_settings(out: Path) -> dict | None:
    """The settings the cache under `out` was made with; None when there is no cache,
    {} when they are unknown."""
    cache = out / "cache"
    try:
        return json.loads((cache / CACHE_SETTINGS).read_text(encoding="utf-8"))
    except FileNotFoundError:
        pass
    except (OSError, ValueError):
        return {}
    if not cache.is_dir():
        return None
    try:  # a cache from before settings.json: its finished manifest says the size
        meta = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
        return {"size": int(meta["cache_size"]), "quality": _LEGACY_QUALITY}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _open_cache(out: Path, config: PrepareConfig) -> None:
    """Make sure every file the cache holds was made with `config`'s size and quality:
    cached images made with other settings are deleted (only files named like cache
    entries) with their source index, then the settings are recorded."""
    wanted = _cache_settings(config)
    found = _found_cache_settings(out)
    cache = out / "cache"
    if found is not None and found != wanted:
        with writing(cache):
            (cache / CACHE_SETTINGS).unlink(missing_ok=True)
            (cache / INDEX_NAME).unlink(missing_ok=True)
            for folder in (p for p in cache.iterdir() if p.is_dir() and p.name.isdigit()):
                for path in folder.iterdir():
                    if _CACHE_FILE.fullmatch(path.name) and path.is_file():
                        path.unlink()
    with writing(cache):
        cache.mkdir(parents=True, exist_ok=True)
    with writing(cache / CACHE_SETTINGS):  # whole or not at all: a cut file would clear the cache next time
        write_whole(cache / CACHE_SETTINGS, json.dumps(wanted).encode("utf-8"))


def _check_out_folder(out: Path) -> None:
    """Raise DatasetError when `out`, or the nearest of its parents that exists, is a
    file (found before the source is listed, which can take long)."""
    existing = next((p for p in (out, *out.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        where = "" if existing == out else f": {existing}"
        raise DatasetError(f"--out {out}{where} is a file, not a folder; give a folder for the cache and manifest")


def _refuse_too_few_classes(kept: list[ImageRecord], names: dict[str, str], source: Path, config: PrepareConfig) -> None:
    """Raise DatasetError when fewer than 2 classes are kept: with one, softmax gives it
    score 1 on every photo (loss 0, μAP 1), and the bundle would tag anything with it."""
    landmarks = sorted({r.landmark_id for r in kept}, key=_sort_key)
    if len(landmarks) >= 2:
        return
    if not landmarks:
        raise DatasetError(
            f"no class in {source} has {config.min_images} or more readable images; lower --min-images"
        )
    name = names.get(landmarks[0], landmarks[0])
    if config.min_images > 1:
        raise DatasetError(
            f"1 class left after --min-images {config.min_images} ({name!r}): a classifier needs at least 2; "
            "lower --min-images"
        )
    raise DatasetError(
        f"{source} holds 1 class of readable images ({name!r}): a classifier needs at least 2; "
        "add a folder of photos for another landmark"
    )


def prepare_dataset(
    config: PrepareConfig, progress: Callable[[int, int], None] | None = None
) -> PrepareSummary:
    """Build the cache and manifest under `config.out_dir`; returns what was done.

    Unreadable images are recorded in the summary's errors and left out before the
    class filter and the split (see the module docstring). Classes of one readable
    name (a folder and its NFD copy) are one class (training.same_name_classes).
    Raises DatasetError when the source is missing or fewer than 2 classes survive the filter,
    and OutputWriteError when `out_dir` cannot be written (nothing is left out for it
    and no manifest is written).
    """
    source = Path(config.source)
    out = Path(config.out_dir)
    _check_out_folder(out)
    records, names, notes = dataset_records(source, config.clean, skip=out)
    records, duplicates = without_repeated_keys(records)
    records, names, merged = merge_same_name_classes(records, names)
    all_landmarks = {r.landmark_id for r in records}
    # refused before the cache folder is made: even all readable, too few classes pass the filter
    _refuse_too_few_classes(filter_classes(records, config.min_images, None, config.seed)[0], names, source, config)
    _open_cache(out, config)
    origins = CacheIndex(out)
    errors: dict[str, str] = {}
    cached: dict[str, Path] = {}  # record key → its verified cache file in this run
    resized = reused = 0
    while True:
        usable = [r for r in records if r.source not in errors]
        kept, _ = filter_classes(usable, config.min_images, config.max_images_per_class, config.seed)
        _refuse_too_few_classes(kept, names, source, config)
        landmarks = sorted({r.landmark_id for r in kept}, key=_sort_key)
        index = {lm: i for i, lm in enumerate(landmarks)}
        planned: list[tuple[ImageRecord, str]] = []
        jobs: list[tuple[str, str]] = []
        for record in kept:
            cache = f"cache/{index[record.landmark_id]}/{cache_name(record.key)}"
            planned.append((record, cache))
            dest = out / cache
            if record.key in cached:
                if cached[record.key] != dest:  # its class moved to another index
                    with writing(dest):
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        os.replace(cached[record.key], dest)
                    origins.move(cached[record.key].relative_to(out).as_posix(), cache)
                    cached[record.key] = dest
            elif origins.holds(cache, record.source):  # made from this very photo
                cached[record.key] = dest
                reused += 1
            else:
                jobs.append((record.source, str(dest)))
        by_source = {record.source: record for record, _ in planned}

        def finished(batch: list[tuple[str, str]], result: CacheBatchResult) -> None:
            nonlocal resized
            written = result[1]
            for source_name, dest in batch:
                if dest in written:  # not a photo that failed, nor one after a write error
                    cached[by_source[source_name].key] = Path(dest)
                    origins.add(Path(dest).relative_to(out).as_posix(), source_name, written[dest])
                    resized += 1
            with writing(origins.path):
                origins.flush()  # an interrupted run keeps what is done

        new_errors = (
            run_cache_jobs(jobs, config.cache_size, config.quality, config.workers, progress, finished) if jobs else {}
        )
        with writing(origins.path):
            origins.flush()
        errors.update(new_errors)
        if not new_errors:
            break  # every kept image is readable: the filter and split stand
    split = stratified_split(kept, config.val_fraction, config.seed)
    images = [
        ManifestImage(
            record.key, record.source, cache, index[record.landmark_id], record.landmark_id,
            names.get(record.landmark_id, record.landmark_id), split[record.key],
        )
        for record, cache in planned
    ]
    counts: dict[int, int] = defaultdict(int)
    for image in images:
        counts[image.class_index] += 1
    classes = [ClassInfo(index[lm], lm, names.get(lm, lm), counts[index[lm]]) for lm in landmarks]
    settings = {
        "source": str(source.resolve()),
        "min_images": config.min_images,
        "max_images_per_class": config.max_images_per_class,
        "val_fraction": config.val_fraction,
        "seed": config.seed,
        "clean": config.clean,
    }
    manifest = Manifest(out, config.cache_size, classes, images, settings)
    with writing(origins.path):
        origins.save({image.cache for image in images})
    with writing(out / MANIFEST_NAME):  # last: a run stopped by a write error leaves no new manifest
        path = manifest.save()
    return PrepareSummary(
        manifest_path=path,
        classes=len(classes),
        train_images=sum(1 for i in images if i.split == "train"),
        val_images=sum(1 for i in images if i.split == "val"),
        dropped_classes=len(all_landmarks) - len(landmarks),
        resized=resized,
        reused=reused,
        errors=errors,
        duplicates=duplicates,
        merged=[m for m in merged if m.kept in index],  # a class dropped by --min-images is not one to tell
        notes=notes,
    )
