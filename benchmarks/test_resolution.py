"""Would the default network do better fed larger photos at test time? Val μAP and
top-1 of a bundle's network run at other input sizes (its ONNX graph with free spatial
dimensions; the gallery re-embedded at the same size), alone and with the embeddings of
several sizes averaged (multi-scale), each with the gallery weight and k chosen on val
as the recipe chooses them. Used for docs/MODEL_CARD.md's test-time-resolution rows:

    .venv/bin/python benchmarks/test_resolution.py --sizes 224 256 288 320
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))


def embed_at(bundle, session, paths: list[Path], size: int, batch: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """(embeddings, class cosines) of the photos with the network fed size × size inputs."""
    from dataclasses import replace

    from PIL import Image

    from model.preprocess import normalize_batch, prepare_image

    preprocessing = replace(bundle.preprocessing, input_size=size)
    embeddings, cosines = [], []
    for start in range(0, len(paths), batch):
        images = []
        for path in paths[start : start + batch]:
            with Image.open(path) as img:
                images.append(prepare_image(img.convert("RGB"), preprocessing))
        e, c = session.run(["embeddings", "cosines"], {"images": normalize_batch(np.stack(images), preprocessing)})
        embeddings.append(e)
        cosines.append(c)
    return np.concatenate(embeddings), np.concatenate(cosines)


def any_size_session(bundle, threads: int):
    """An ONNX Runtime session of the bundle's network with free height and width."""
    import onnx
    import onnxruntime as ort

    graph = onnx.load_from_string(bundle.onnx_bytes)
    dims = graph.graph.input[0].type.tensor_type.shape.dim
    dims[2].dim_param, dims[3].dim_param = "height", "width"
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    return ort.InferenceSession(graph.SerializeToString(), options, providers=["CPUExecutionProvider"])


def best_on_val(cosines, embeddings, labels, train, val, scale: float) -> tuple[float, float, float, int]:
    """(μAP, top-1, w, k) with the gallery weight and k that score best on val."""
    from model.scoring import ScoringConfig, calibrated_probabilities, class_similarities
    from training.gallery import build_gallery, gap_and_accuracy

    gallery = build_gallery(embeddings[train], labels[train])
    best = (-1.0, 0.0, 0.0, 1)
    for weight, k in itertools.product((0.0, 0.25, 0.5, 0.75), (1, 3, 5)):
        config = ScoringConfig(scale=scale, gallery_weight=weight, gallery_k=k)
        sims = class_similarities(cosines[val], embeddings[val] @ gallery.vectors.T, gallery.classes, config)
        gap, accuracy = gap_and_accuracy(calibrated_probabilities(sims, config), labels[val])
        best = max(best, (gap, accuracy, weight, k))
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=REPO_ROOT / "assets" / "default.ltbundle")
    parser.add_argument("--manifest", type=Path, default=REPO_ROOT / "build" / "default-model" / "prepared",
                        help="the dataset `make default-model` prepared")
    parser.add_argument("--sizes", type=int, nargs="+", default=[224, 256, 288, 320])
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    from model.bundle import load_bundle
    from model.scoring import unit_vectors
    from training.datasets import load_manifest

    if not (args.manifest / "manifest.json").is_file():
        raise SystemExit(f"{args.manifest} is not a prepared dataset; run `make default-model` first")
    bundle = load_bundle(args.model)
    manifest = load_manifest(args.manifest)
    labels = np.array([image.class_index for image in manifest.images])
    splits = np.array([image.split for image in manifest.images])
    train, val = np.flatnonzero(splits == "train"), np.flatnonzero(splits == "val")
    paths = [manifest.cache_path(image) for image in manifest.images]
    session = any_size_session(bundle, args.threads)
    outputs = {size: embed_at(bundle, session, paths, size) for size in args.sizes}
    print(f"{bundle.name} ({bundle.id}), trained at {bundle.input_size} px; {len(val)} val photos")
    print("| input px | val μAP | top-1 | w, k |\n|---|---|---|---|")
    combos = [(size,) for size in args.sizes] + [
        combo for n in (2, 3) for combo in itertools.combinations(args.sizes, n) if bundle.input_size in combo]
    for combo in combos:
        embeddings = unit_vectors(sum(outputs[size][0] for size in combo))
        cosines = sum(outputs[size][1] for size in combo) / len(combo)
        gap, accuracy, weight, k = best_on_val(cosines, embeddings, labels, train, val, bundle.scale)
        print(f"| {' + '.join(map(str, combo))} | {gap:.4f} | {accuracy:.4f} | {weight}, {k} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
