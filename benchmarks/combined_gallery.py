"""Would re-ranking against the training photos work better in a space that appends the
network's pooled features to its embedding? (issue 7 follow-up; see docs/TEACHING.md)

Trains the default recipe (training/recipes/default.toml) on the prepared train split,
then scores the validation split the way the bundle does — (1 - w) * centre cosine +
w * mean of the top-k gallery cosines — with the gallery cosines taken either in the
embedding (the shipped way) or in l2([embedding, beta * l2(pooled - train mean)]).
Every (beta, w, k) is scored on val, as the recipe chooses its own w and k there; read
the best figures as an upper bound, not as a held-out result.

    .venv/bin/python benchmarks/combined_gallery.py   # ~8 min on 2 idle cores
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.fewshot_recipe_embedding import embed_and_pool, recipe_maps, train_recipe_tail  # noqa: E402
from model.descriptor import joint_vectors  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=REPO_ROOT / "build" / "default-model" / "prepared",
                        help="the dataset `make default-model` prepared")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    if not (args.manifest / "manifest.json").is_file():  # one line, not load_manifest's traceback
        raise SystemExit(f"{args.manifest} is not a prepared dataset; run `make default-model` first")
    import torch

    from model.scoring import ScoringConfig, class_similarities
    from training.calibration import softmax_scores
    from training.gallery import gap_and_accuracy
    from training.recipes.recipe_config import load_recipe

    torch.set_num_threads(args.threads)
    config = load_recipe()
    torch.manual_seed(config.train.seed)
    manifest, maps = recipe_maps(args.manifest, config, args.threads)
    labels = np.array([image.class_index for image in manifest.images])
    splits = np.array([image.split for image in manifest.images])
    train, val = np.flatnonzero(splits == "train"), np.flatnonzero(splits == "val")
    stages = train_recipe_tail(config, maps, labels, train, len(manifest.classes), config.train.epochs)
    emb_train, pooled_train = embed_and_pool(stages, maps, train)
    emb_val, pooled_val = embed_and_pool(stages, maps, val)
    with torch.no_grad():
        cos_val = stages.net.head(torch.from_numpy(emb_val)).numpy()
    mean = pooled_train.mean(axis=0)
    y_val, y_train = labels[val], labels[train]
    s = config.train.s
    print(f"centres only: μAP {gap_and_accuracy(softmax_scores(cos_val, s), y_val)[0]:.4f}")
    for beta in (0.0, 0.5, 1.0, 2.0):
        gallery_cos = joint_vectors(emb_val, pooled_val - mean, beta) @ joint_vectors(emb_train, pooled_train - mean, beta).T
        best = max(
            (gap_and_accuracy(softmax_scores(class_similarities(cos_val, gallery_cos, y_train, sc), s), y_val), w, k)
            for w in (0.25, 0.5, 0.75) for k in (1, 3, 5)
            for sc in [ScoringConfig(scale=s, gallery_weight=w, gallery_k=k)]
        )
        (gap, accuracy), w, k = best
        print(f"gallery in {'the embedding' if beta == 0 else f'embedding + {beta:g} x pooled'}: "
              f"best μAP {gap:.4f} (top-1 {accuracy:.4f}) at w = {w}, k = {k}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
