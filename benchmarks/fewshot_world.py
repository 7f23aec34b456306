"""One held-out draw of benchmarks/fewshot.py: which classes are new and which photos
train, the quick stand-in model (an ArcFace neck on frozen features) trained without
the new classes, and the known classes' gallery."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from benchmarks.fewshot_features import Photo


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


@dataclass(frozen=True)
class KnownGallery:
    """The bundle-like gallery of the known classes: embeddings of their training photos."""

    vectors: np.ndarray
    classes: np.ndarray  # index into split.known_classes


def known_gallery(embeddings: np.ndarray, split: Split) -> KnownGallery:
    known_index = {c: i for i, c in enumerate(split.known_classes)}
    classes = np.array([known_index[c] for c in split.labels[split.train]])
    return KnownGallery(embeddings[split.train], classes)


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
