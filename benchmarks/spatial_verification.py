"""Would spatial verification, as the landmark-challenge winners used it, fix the default
bundle's mistakes? Each validation photo is matched (RootSIFT, ratio test, RANSAC
homography) against the training photos nearest to it in the embedding among its top
candidate classes; a class's evidence is its best inlier count. Prints the counts for
the photos the bundle gets wrong and the val μAP / top-1 of simple re-ranking rules on
them, with the metrics of `landmark-train evaluate`.

Needs OpenCV, which the app does not: `.venv/bin/pip install opencv-python-headless`.
Used for docs/MODEL_CARD.md's spatial-verification row (about 4 minutes on 2 cores):

    .venv/bin/python benchmarks/spatial_verification.py
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

RATIO = 0.85
RANSAC_PIXELS = 8.0


@dataclass(frozen=True)
class LocalFeatures:
    points: np.ndarray  # [n, 2] pixel positions
    descriptors: np.ndarray  # [n, 128] RootSIFT


def embeddings_and_probabilities(bundle, paths: list[Path], batch: int = 32):
    """The bundle's embeddings and calibrated class probabilities, as the app scores."""
    from PIL import Image

    from model.predictor import Predictor
    from model.scoring import score_classes

    predictor = Predictor(bundle)
    embeddings, probabilities = [], []
    for start in range(0, len(paths), batch):
        pictures = []
        for path in paths[start : start + batch]:
            with Image.open(path) as img:
                pictures.append(img.convert("RGB"))
        e, cosines = predictor.embed(predictor.prepare(pictures))
        embeddings.append(e)
        probabilities.append(score_classes(
            e, cosines, bundle.scoring,
            gallery_vectors=bundle.gallery.vectors, gallery_classes=bundle.gallery.classes,
        ).probabilities)
    return np.concatenate(embeddings), np.concatenate(probabilities)


def local_features(cv2, sift, path: Path) -> LocalFeatures:
    gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    keypoints, descriptors = sift.detectAndCompute(gray, None)
    if descriptors is None:
        return LocalFeatures(np.zeros((0, 2), np.float32), np.zeros((0, 128), np.float32))
    descriptors = np.sqrt(descriptors / (descriptors.sum(axis=1, keepdims=True) + 1e-7))
    return LocalFeatures(np.array([k.pt for k in keypoints], np.float32), descriptors.astype(np.float32))


def inlier_count(cv2, matcher, query: LocalFeatures, reference: LocalFeatures) -> int:
    """Matches that agree with one homography between the two photos."""
    if len(query.descriptors) < 8 or len(reference.descriptors) < 8:
        return 0
    pairs = matcher.knnMatch(query.descriptors, reference.descriptors, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
    if len(good) < 8:
        return 0
    source = query.points[[m.queryIdx for m in good]]
    target = reference.points[[m.trainIdx for m in good]]
    _, mask = cv2.findHomography(source, target, cv2.RANSAC, RANSAC_PIXELS)
    return 0 if mask is None else int(mask.sum())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=REPO_ROOT / "build/default-model/default.ltbundle")
    parser.add_argument("--manifest", type=Path, default=REPO_ROOT / "build/default-model/prepared")
    parser.add_argument("--classes", type=int, default=3, help="candidate classes verified per photo")
    parser.add_argument("--neighbours", type=int, default=5, help="training photos verified per class")
    parser.add_argument("--features", type=int, default=1000, help="SIFT keypoints per photo at most")
    args = parser.parse_args(argv)
    try:
        import cv2
    except ImportError:
        raise SystemExit("needs OpenCV: .venv/bin/pip install opencv-python-headless")

    from model.bundle import load_bundle
    from training.datasets import load_manifest
    from training.metrics import compute_metrics

    manifest = load_manifest(args.manifest)
    bundle = load_bundle(args.model)
    ids = [entry.landmark_id for entry in bundle.labels]
    train, val = manifest.split("train"), manifest.split("val")
    train_paths = [manifest.cache_path(image) for image in train]
    val_paths = [manifest.cache_path(image) for image in val]
    train_classes = np.array([ids.index(image.landmark_id) for image in train])
    val_classes = np.array([ids.index(image.landmark_id) for image in val])
    train_embeddings, _ = embeddings_and_probabilities(bundle, train_paths)
    val_embeddings, probabilities = embeddings_and_probabilities(bundle, val_paths)

    sift = cv2.SIFT_create(nfeatures=args.features)
    matcher = cv2.BFMatcher(cv2.NORM_L2)
    train_features = [local_features(cv2, sift, path) for path in train_paths]
    val_features = [local_features(cv2, sift, path) for path in val_paths]
    print(f"SIFT keypoints per training photo: {np.mean([len(f.points) for f in train_features]):.0f}")

    similarity = val_embeddings @ train_embeddings.T
    candidates = np.argsort(-probabilities, axis=1)[:, : args.classes]
    evidence = np.zeros((len(val), args.classes), dtype=int)
    for row in range(len(val)):
        for column, cls in enumerate(candidates[row]):
            members = np.flatnonzero(train_classes == cls)
            nearest = members[np.argsort(-similarity[row, members])[: args.neighbours]]
            evidence[row, column] = max(
                inlier_count(cv2, matcher, val_features[row], train_features[j]) for j in nearest
            )

    right = candidates[:, 0] == val_classes
    print(f"inliers of the top class, photos right: median {np.median(evidence[right, 0]):.0f}; "
          f"photos wrong: median {np.median(evidence[~right, 0]):.0f}")
    print(f"photos wrong ({(~right).sum()}): true class among the candidates and verified best: "
          f"{sum(1 for r in np.flatnonzero(~right) if val_classes[r] in candidates[r] and candidates[r][evidence[r].argmax()] == val_classes[r])}")

    truth = {image.key: image.landmark_id for image in val}

    def figures(chosen: np.ndarray, scores: np.ndarray) -> str:
        predictions = {image.key: (ids[int(c)], float(s)) for image, c, s in zip(val, chosen, scores)}
        metrics = compute_metrics(predictions, truth, known_landmarks=set(ids))
        fixed = int(((chosen == val_classes) & ~right).sum())
        broken = int(((chosen != val_classes) & right).sum())
        return f"{metrics.gap:.4f} | {metrics.accuracy:.4f} | {fixed} | {broken}"

    top = probabilities.max(axis=1)
    print("\n| rule | μAP | top-1 | fixed | broken |\n|---|---|---|---|---|")
    print(f"| the bundle alone | {figures(candidates[:, 0], top)} |")
    for least in (15, 20, 30, 40):
        best = evidence.argmax(axis=1)
        switch = (evidence.max(axis=1) >= least) & (evidence.max(axis=1) > 2 * evidence[:, 0])
        chosen = np.where(switch, candidates[np.arange(len(val)), best], candidates[:, 0])
        print(f"| another candidate with ≥ {least} inliers and twice the top's | {figures(chosen, top)} |")
    candidate_probabilities = np.take_along_axis(probabilities, candidates, axis=1)
    for bonus in (0.005, 0.01, 0.02):
        rescored = candidate_probabilities + bonus * np.maximum(evidence - 10, 0)
        best = rescored.argmax(axis=1)
        chosen = candidates[np.arange(len(val)), best]
        scores = candidate_probabilities[np.arange(len(val)), best]
        print(f"| probability + {bonus} per inlier over 10 | {figures(chosen, scores)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
