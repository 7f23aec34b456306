"""Generated stand-ins for real datasets, for tests and benchmarks: a miniature GLDv2
(official layout, tar shards, md5 lists, metadata CSVs) and folder-per-class sets.

Images are small Pillow JPEGs whose colour and stripes depend on the class, so a
tiny network can learn them quickly.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import tarfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote


@dataclass(frozen=True)
class MiniGLDv2:
    """What `make_mini_gldv2` wrote: the root and {image id: landmark id}."""

    root: Path
    labels: dict[str, int]
    names: dict[int, str]
    shards: int


def class_image(class_index: int, variant: int, size: int = 64) -> bytes:
    """A JPEG whose look is decided by the class and varied by `variant`."""
    from PIL import Image, ImageDraw

    rng = random.Random(class_index * 7919 + variant)
    base = ((class_index * 67) % 256, (class_index * 131 + 40) % 256, (class_index * 29 + 90) % 256)
    jitter = tuple(max(0, min(255, c + rng.randint(-25, 25))) for c in base)
    width = size + rng.randint(0, size // 2)
    image = Image.new("RGB", (width, size), jitter)
    draw = ImageDraw.Draw(image)
    step = 4 + 3 * (class_index % 5)
    for x in range(rng.randint(0, step), width, step * 2):
        draw.rectangle([x, 0, x + step // 2, size], fill=(255 - jitter[0], 255 - jitter[1], 255 - jitter[2]))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def make_mini_gldv2(
    root: Path, classes: int = 4, per_class: int = 6, shards: int = 2, size: int = 64, seed: int = 0
) -> MiniGLDv2:
    """Write a GLDv2-shaped folder under `root` (as the server lays it out)."""
    rng = random.Random(seed)
    root = Path(root)
    (root / "metadata").mkdir(parents=True, exist_ok=True)
    (root / "train").mkdir(parents=True, exist_ok=True)
    (root / "md5sum" / "train").mkdir(parents=True, exist_ok=True)
    labels: dict[str, int] = {}
    names: dict[int, str] = {}
    landmark_ids = sorted(rng.sample(range(1000, 99999), classes))
    images: list[tuple[str, int, bytes]] = []
    for c, landmark in enumerate(landmark_ids):
        names[landmark] = f"Landmark {c} d'Example" if c % 2 else f"Place {c}"
        for v in range(per_class):
            image_id = f"{rng.getrandbits(64):016x}"
            labels[image_id] = landmark
            images.append((image_id, landmark, class_image(c, v, size)))
    with open(root / "metadata" / "train.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "url", "landmark_id"])
        for image_id, landmark, _ in images:
            w.writerow([image_id, f"http://example.invalid/{image_id}.jpg", landmark])
    with open(root / "metadata" / "train_clean.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["landmark_id", "images"])
        for landmark in landmark_ids:
            w.writerow([landmark, " ".join(i for i, lm in labels.items() if lm == landmark)])
    with open(root / "metadata" / "train_label_to_category.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["landmark_id", "category"])
        for landmark, name in names.items():
            w.writerow([landmark, "http://commons.wikimedia.org/wiki/Category:" + quote(name.replace(" ", "_"))])
    for shard in range(shards):
        name = f"images_{shard:03d}.tar"
        tar_path = root / "train" / name
        with tarfile.open(tar_path, "w") as tar:
            for image_id, _, data in images[shard::shards]:
                info = tarfile.TarInfo(f"{image_id[0]}/{image_id[1]}/{image_id[2]}/{image_id}.jpg")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        digest = hashlib.md5(tar_path.read_bytes()).hexdigest()
        (root / "md5sum" / "train" / f"md5.images_{shard:03d}.txt").write_text(f"{digest}  {name}\n")
    return MiniGLDv2(root, labels, names, shards)


def make_class_folders(
    root: Path, class_names: list[str], per_class: int | list[int], size: int = 64
) -> dict[str, int]:
    """Write a folder-per-class dataset; returns {class name: image count}."""
    counts = per_class if isinstance(per_class, list) else [per_class] * len(class_names)
    out: dict[str, int] = {}
    for c, (name, count) in enumerate(zip(class_names, counts)):
        folder = Path(root) / name
        folder.mkdir(parents=True, exist_ok=True)
        for v in range(count):
            (folder / f"img {v:03d}.jpg").write_bytes(class_image(c, v, size))
        out[name] = count
    return out
