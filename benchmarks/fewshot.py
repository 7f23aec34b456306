"""Few-shot benchmark for taught landmarks (issue 8).

Holds some classes of ../shared/data/landmarks/world/ out of training, trains a quick
embedding (frozen ImageNet backbone → GeM → neck → ArcFace head) on the rest, then
teaches k photos per held-out class and classifies the other photos of those classes
mixed with validation photos of the known classes, scoring them with the same code the
app uses (app.core.teaching_space). Prints μAP (Kaggle GAP) and accuracy for the new
and the known classes, with and without teaching, for the app's method — teaching in
the joint space of embedding and descriptor (the stand-in's pooled ImageNet features),
as the default bundle declares it — and for the variants in `variants()`: teaching in
the embedding alone (bundles without descriptors, and earlier methods), and a bundle
whose embedding is the combination (`combined_embedding_world`, not shipped).

Protocol: the held-out classes are drawn by a seed. DEV seeds (8 6 7 9 10) are the only
ones on which method parameters may be chosen; TEST seeds (1-5) are reported apart,
and their mean is the headline figure.

    .venv/bin/python benchmarks/fewshot.py --threads 1   # features cached under /tmp
    .venv/bin/python benchmarks/fewshot.py --test-seeds   # DEV only, while tuning
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

# The scoring works on small matrices, where BLAS threads only contend on a busy
# machine (ten times slower here); set before numpy loads its BLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # run as a script: benchmarks.* are found from the repository

from benchmarks.fewshot_features import WORLD, extract_features, list_photos  # noqa: E402
from benchmarks.fewshot_world import SeedWorld, Split, build_world, known_gallery  # noqa: E402


def gap(predicted: np.ndarray, confidence: np.ndarray, truth: np.ndarray) -> float:
    """Global Average Precision (Kaggle's μAP) with one prediction per query, every
    query having a landmark: mean over the ranked list of precision at correct hits."""
    if len(truth) == 0:
        return float("nan")
    order = np.argsort(-confidence, kind="stable")
    correct = (predicted[order] == truth[order]).astype(np.float64)
    precision = np.cumsum(correct) / np.arange(1, len(correct) + 1)
    return float((precision * correct).sum() / len(truth))


def run_episode(world: "SeedWorld", space, descriptors: np.ndarray | None, shots: np.ndarray,
                queries: np.ndarray, adjust=None, mirrored_descriptors: np.ndarray | None = None):
    """Teach the shots and score the queries the way `suggest` does (the library being the
    queries); return predictions, confidences, and the model's own predictions and
    confidences without teaching. adjust(scores, query_vectors, taught_vectors, taught_labels)
    → (winner, confidence) replaces `scores.winners()`: variants measured by
    benchmarks/fewshot_sweep.py, not in the app; so is mirrored_descriptors, with which the
    shots' mirror images (world.mirrored) are taught beside them."""
    from app.core.teaching_alike import landmarks_alike
    from app.core.teaching_space import refine, score

    split = world.split
    q = world.embeddings[queries]
    q_space = space.library_vectors(q, None if descriptors is None else descriptors[queries])
    taught = space.vectors(world.embeddings[shots], None if descriptors is None else descriptors[shots])
    taught_labels = [split.names[c] for c in split.labels[shots]]
    if mirrored_descriptors is not None:
        taught = np.concatenate([taught, space.vectors(world.mirrored[shots], mirrored_descriptors[shots])])
        taught_labels = taught_labels * 2
    refs = refine(space, q, q_space, taught_labels, taught)
    # a new place whose taught photo the model is sure is one of its landmarks is scored
    # as one place with it, as `suggest` does
    alike = landmarks_alike(space, world.embeddings[shots], [split.names[c] for c in split.labels[shots]])
    scores = score(space, q, q_space[:], refs, alike=alike)
    winner, conf = scores.winners() if adjust is None else adjust(scores, q_space, taught, taught_labels)
    model_class, untaught_conf = scores.untaught()
    model = scores.model_probabilities
    base_pred, base_conf = split.known_classes[model.argmax(axis=1)], model.max(axis=1)
    taught_ids = np.array([split.names.index(n) for n in scores.taught_labels])
    pred = np.where(winner >= 0, taught_ids[np.maximum(winner, 0)], split.known_classes[model_class])
    return pred, np.where(winner >= 0, conf, untaught_conf), base_pred, base_conf


def world_space(world: "SeedWorld", scoring, config, descriptors: np.ndarray | None = None, settings=None):
    """The stand-in model's teaching space, built as app.core.teaching_space builds a
    bundle's (joint with descriptors and settings, else the embedding)."""
    from app.core.teaching_space import build_space

    split, gallery = world.split, world.gallery
    names = [split.names[c] for c in split.known_classes]
    return build_space(
        names, world.centres, scoring,
        None if gallery is None else gallery.vectors, None if gallery is None else gallery.classes,
        None if descriptors is None or gallery is None else descriptors[split.train], settings, config,
    )


def draw_shots(split: Split, k: int, episode: int) -> np.ndarray:
    """The k taught photos per new class of one episode (the same draws for every method)."""
    rng = np.random.default_rng(1000 + episode)
    shots = np.zeros(len(split.labels), dtype=bool)
    for c in split.new_classes:
        shots[rng.choice(np.flatnonzero(split.labels == c), k, replace=False)] = True
    return shots


def evaluate(world: "SeedWorld", space, descriptors: np.ndarray | None, ks, episodes: int, adjust=None,
             mirrored_descriptors: np.ndarray | None = None) -> dict:
    """k → mean over episodes of [new μAP, new acc, known μAP, known acc, known μAP and
    acc without teaching]. adjust, mirrored_descriptors: see run_episode."""
    split = world.split
    rows = {}
    for k in ks:
        figures = []
        for episode in range(episodes):
            shots = draw_shots(split, k, episode)
            queries = (np.isin(split.labels, split.new_classes) & ~shots) | split.known_queries
            pred, conf, base_pred, base_conf = run_episode(world, space, descriptors, shots, queries, adjust,
                                                           mirrored_descriptors)
            truth = split.labels[queries]
            new = np.isin(truth, split.new_classes)
            figures.append([
                gap(pred[new], conf[new], truth[new]), (pred[new] == truth[new]).mean(),
                gap(pred[~new], conf[~new], truth[~new]), (pred[~new] == truth[~new]).mean(),
                gap(base_pred[~new], base_conf[~new], truth[~new]), (base_pred[~new] == truth[~new]).mean(),
            ])
        rows[k] = np.mean(figures, axis=0)
    return rows


def new_only_prototype_gap(embeddings: np.ndarray, split: Split, ks, episodes: int) -> dict:
    """μAP of class-mean prototypes among the new classes alone (no built-in class to
    compete with): how well an embedding separates unseen places, for context."""
    rows = {}
    for k in ks:
        figures = []
        for episode in range(episodes):
            shots = draw_shots(split, k, episode)
            queries = np.isin(split.labels, split.new_classes) & ~shots
            protos = np.stack([embeddings[shots & (split.labels == c)].mean(axis=0) for c in split.new_classes])
            protos /= np.linalg.norm(protos, axis=1, keepdims=True)
            sims = embeddings[queries] @ protos.T
            pred = split.new_classes[sims.argmax(axis=1)]
            figures.append(gap(pred, sims.max(axis=1), split.labels[queries]))
        rows[k] = float(np.mean(figures))
    return rows


COLUMNS = ("new μAP", "new acc", "known μAP", "known acc", "known μAP untaught", "known acc untaught")


def print_table(title: str, rows: dict) -> None:
    """rows: k → the six figures of `evaluate` (a mean over seeds when several)."""
    print(f"\n{title}")
    print("| k | " + " | ".join(COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    for k, r in rows.items():
        print(f"| {k} | " + " | ".join(f"{x:.3f}" for x in r) + " |")


def print_per_seed(title: str, per_seed: dict, k: int) -> None:
    """One line per seed at k: new μAP and the known landmarks' change."""
    print(f"\n{title}, k = {k}, per seed")
    print("| seed | new μAP | new acc | known μAP change | known acc change |")
    print("|---|---|---|---|---|")
    for seed, rows in per_seed.items():
        r = rows[k]
        print(f"| {seed} | {r[0]:.3f} | {r[1]:.3f} | {100 * (r[2] - r[4]):+.1f} | {100 * (r[3] - r[5]):+.1f} |")


APP_METHOD = ("the app's method (default bundle): joint space of embedding + 2 x whitened descriptor "
              "(TeachingSettings(): margin 0.02, w = 0.75), then the fitted classifier")


def bundle_descriptors(pooled: np.ndarray, split: Split, whiten_size: int | None = None) -> np.ndarray:
    """Descriptors as the recipe exports a bundle's (training/recipes/default_model.py):
    pooled features centred on the training photos' mean, L2-normalised, then the learned
    whitening fitted on the training photos (`whiten_size` 0: none; None: the recipe's)."""
    from model.descriptor import descriptors_from_pooled, fit_descriptors
    from training.recipes.recipe_config import load_recipe

    recipe = load_recipe().scoring
    size = recipe.whiten_size if whiten_size is None else whiten_size
    mean, projection = fit_descriptors(pooled[split.train], split.labels[split.train], size, recipe.whiten_shrinkage)
    return descriptors_from_pooled(pooled, mean, projection)


def variants():
    """Other methods measured, by name, all teaching in the embedding alone."""
    from app.core.teaching_scoring import TeachingConfig

    return {
        "embedding only: prototypes of the taught photos only": TeachingConfig(rounds=0, protect_cosine=1.0),
        "embedding only: refined, a fixed 20 photos per label (rounds 3, no margin, protect 0.55)":
            TeachingConfig(rounds=3, expand=20, margin=-2.0, protect_cosine=0.55, classifier_steps=0),
        "embedding only: refined by margin, similarity rule only (TeachingConfig(classifier_steps=0))":
            TeachingConfig(classifier_steps=0),
        "embedding only (bundles without descriptors; the app's method before): TeachingConfig()": TeachingConfig(),
    }


COMBINED_EMBEDDING_VARIANT = ("not shipped: a bundle whose embedding IS l2([embedding, 2 x descriptor]) "
                              "(centres zero-padded; margin 0.06, w = 0.75, protect 0.7 / sqrt(5))")


def combined_embedding_world(world: "SeedWorld", descriptors: np.ndarray, beta: float) -> "SeedWorld":
    """The stand-in as a bundle would be if its exported embedding were the combination
    l2([embedding, beta * descriptor]): class centres padded with zeros (cosines shrink
    by sqrt(1 + beta²), the same for every class), gallery in the combined space. The
    app's code then teaches in that space as in the embedding of an older bundle."""
    from model.descriptor import joint_vectors

    combined = joint_vectors(world.embeddings, descriptors, beta)
    centres = np.concatenate([world.centres, np.zeros((len(world.centres), descriptors.shape[1]), np.float32)], axis=1)
    return SeedWorld(world.seed, world.split, combined, centres, known_gallery(combined, world.split))


def combined_embedding_settings(beta: float):
    from app.core.teaching_scoring import TeachingConfig

    return TeachingConfig(margin=0.06, protect_cosine=0.7 / float(np.sqrt(1 + beta**2))), 0.75


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backbone", default="efficientnet-lite0")
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--held-out", type=int, default=8, help="classes kept out of training (default 8)")
    parser.add_argument("--dev-seeds", type=int, nargs="*", default=[8, 6, 7, 9, 10],
                        help="held-out draws on which every method parameter was chosen (default 8 6 7 9 10)")
    parser.add_argument("--test-seeds", type=int, nargs="*", default=[1, 2, 3, 4, 5],
                        help="held-out draws never used to choose anything; their mean is the headline")
    parser.add_argument("--episodes", type=int, default=5, help="random draws of the taught photos per k")
    parser.add_argument("--epochs", type=int, default=5, help="fine-tune epochs of the stand-in model")
    parser.add_argument("--gallery-weight", type=float, default=0.5,
                        help="gallery weight w of the scoring, as in the default bundle (0: no gallery)")
    parser.add_argument("--gallery-k", type=int, default=1, help="gallery top-k, as in the default bundle")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--whiten-size", type=int, default=None,
                        help="axes of the descriptors' learned whitening (default: the recipe's; 0: none)")
    parser.add_argument("--extract-only", action="store_true")
    parser.add_argument("--app-only", action="store_true", help="measure only the app's method and the embedding-only ones")
    args = parser.parse_args(argv)
    import torch

    from app.core.teaching_scoring import TeachingConfig
    from model.descriptor import TeachingSettings
    from model.scoring import ScoringConfig

    torch.set_num_threads(args.threads)
    if not WORLD.is_dir():
        raise SystemExit(f"{WORLD} is missing; the benchmark needs ../shared/data/landmarks/world")
    photos = list_photos(WORLD)
    started = time.monotonic()
    feats = extract_features(photos, args.backbone, args.size)
    if args.extract_only:
        return 0
    scoring = ScoringConfig(scale=30.0, gallery_weight=args.gallery_weight, gallery_k=args.gallery_k)
    ks = (1, 3, 5)
    methods = variants()
    if args.app_only:
        methods = dict(list(methods.items())[-1:])
    results: dict[str, dict[int, dict]] = {name: {} for name in [APP_METHOD, *methods, COMBINED_EMBEDDING_VARIANT]}
    context: dict[int, dict] = {}
    if set(args.dev_seeds) & set(args.test_seeds):
        raise SystemExit(f"dev seeds {args.dev_seeds} and test seeds {args.test_seeds} must not overlap")
    for seed in [*args.dev_seeds, *args.test_seeds]:
        world = build_world(photos, feats, seed, args)
        role = "dev" if seed in args.dev_seeds else "test"
        print(f"seed {seed} ({role}) holds out: {', '.join(world.split.names[c] for c in world.split.new_classes)}")
        # The stand-in's descriptor: its pooled (ImageNet GeM) features, made as the
        # recipe makes a bundle's (centred, whitened on the training photos).
        descriptors = bundle_descriptors(feats[:, 0], world.split, args.whiten_size)
        if world.gallery is not None:
            space = world_space(world, scoring, TeachingConfig(), descriptors, TeachingSettings())
            results[APP_METHOD][seed] = evaluate(world, space, descriptors, ks, args.episodes)
        for name, config in methods.items():
            results[name][seed] = evaluate(world, world_space(world, scoring, config), None, ks, args.episodes)
        if world.gallery is not None and not args.app_only:
            combined = combined_embedding_world(world, descriptors, TeachingSettings().beta)
            config, weight = combined_embedding_settings(TeachingSettings().beta)
            combined_scoring = ScoringConfig(scale=30.0, gallery_weight=weight, gallery_k=args.gallery_k)
            results[COMBINED_EMBEDDING_VARIANT][seed] = evaluate(
                combined, world_space(combined, combined_scoring, config), None, ks, args.episodes)
        imagenet = feats[:, 0] / np.linalg.norm(feats[:, 0], axis=1, keepdims=True)
        context[seed] = {name: new_only_prototype_gap(emb, world.split, ks, args.episodes)
                         for name, emb in (("ImageNet features", imagenet), ("fine-tuned embedding", world.embeddings))}
    print(f"\nscoring: scale 30, gallery of the known classes' training photos w = {args.gallery_weight}, "
          f"k = {args.gallery_k}; {args.episodes} draws of the taught photos per k")
    for name in results:
        if not results[name]:
            continue
        print(f"\n## {name}")
        for role, seeds in (("DEV (every parameter was chosen on these)", args.dev_seeds),
                            ("TEST (never used to choose anything; the headline)", args.test_seeds)):
            if not seeds:
                continue
            mean = {k: np.mean([results[name][s][k] for s in seeds], axis=0) for k in ks}
            print_table(f"{role}: mean over seeds {' '.join(map(str, seeds))}", mean)
            print_per_seed(role.split()[0], {s: results[name][s] for s in seeds}, 3)
    print("\ncontext: prototypes among the new classes only (no built-in class competing), μAP at k = 3")
    for seed, rows in context.items():
        print(f"  seed {seed:2d}: " + "  ".join(f"{n}: {r[3]:.3f}" for n, r in rows.items()))
    print(f"\n{len(photos)} photos, {args.held_out} new classes per seed, {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
