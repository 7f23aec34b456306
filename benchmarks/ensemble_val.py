"""Would an ensemble of bundles beat one? μAP and top-1 of each bundle and of the mean
of their calibrated class probabilities on a prepared split (validation by default),
with the metrics of `landmark-train evaluate`.

Each bundle scores with its own gallery re-ranking and temperature (model.scoring), as
the app does; the bundles must share their classes. Used for docs/MODEL_CARD.md's
ensemble row: two seeds of the default recipe, trained by

    python -m training.recipes.default_model --manifest build/default-model/prepared \\
        --work build/ens-seed1 --out build/ens-seed1.ltbundle --set train.seed=1
    .venv/bin/python benchmarks/ensemble_val.py build/default-model/default.ltbundle build/ens-seed1.ltbundle
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))


def class_probabilities(bundle, images, batch: int = 32) -> np.ndarray:
    """Calibrated probabilities [N, C] of the bundle for the images (paths)."""
    from PIL import Image

    from model.predictor import Predictor
    from model.scoring import score_classes

    predictor = Predictor(bundle)
    out = []
    for start in range(0, len(images), batch):
        pictures = []
        for path in images[start : start + batch]:
            with Image.open(path) as img:
                img.draft("RGB", (bundle.input_size, bundle.input_size))
                pictures.append(img.convert("RGB"))
        embeddings, cosines = predictor.embed(predictor.prepare(pictures))
        gallery = bundle.gallery
        out.append(score_classes(
            embeddings, cosines, bundle.scoring,
            gallery_vectors=None if gallery is None else gallery.vectors,
            gallery_classes=None if gallery is None else gallery.classes,
        ).probabilities)
    return np.concatenate(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundles", nargs="+", type=Path)
    parser.add_argument("--manifest", type=Path, default=REPO_ROOT / "build/default-model/prepared")
    parser.add_argument("--split", default="val")
    args = parser.parse_args(argv)

    from model.bundle import load_bundle
    from training.datasets import load_manifest
    from training.metrics import compute_metrics

    manifest = load_manifest(args.manifest)
    images = manifest.split(args.split)
    truth = {image.key: image.landmark_id for image in images}
    bundles = [load_bundle(path) for path in args.bundles]
    ids = [entry.landmark_id for entry in bundles[0].labels]
    if any([entry.landmark_id for entry in b.labels] != ids for b in bundles[1:]):
        raise SystemExit("the bundles do not share their classes (in the same order)")
    paths = [manifest.cache_path(image) for image in images]
    members = []
    print(f"| model | μAP | top-1 | ({len(images)} {args.split} photos)")
    print("|---|---|---|")

    def report(name: str, probabilities: np.ndarray) -> None:
        best = probabilities.argmax(axis=1)
        predictions = {
            image.key: (ids[int(cls)], float(probabilities[row, cls]))
            for row, (image, cls) in enumerate(zip(images, best))
        }
        metrics = compute_metrics(predictions, truth, known_landmarks=set(ids))
        print(f"| {name} | {metrics.gap:.4f} | {metrics.accuracy:.4f} |", flush=True)

    for path, bundle in zip(args.bundles, bundles):
        members.append(class_probabilities(bundle, paths))
        report(f"{path} ({bundle.id})", members[-1])
    if len(members) > 1:
        report(f"mean of the {len(members)} bundles' probabilities", np.mean(members, axis=0))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
