"""Confidence that means something: temperature calibration, expected calibration
error, a reliability diagram, and the "no landmark" threshold, all chosen on the
validation split.

Scores follow `model.scoring`: p = softmax(scale * sim / temperature). The temperature
minimises the validation negative log-likelihood. The threshold comes from an
open-set proxy, because the data has no labelled non-landmark photos: for every
validation photo, the top score it gets when its own class is removed is what a photo
of a landmark the model does not know would get; the threshold lets through at most
`unknown_accept_rate` of those.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from training.errors import TrainingError


def softmax_scores(similarities: np.ndarray, scale: float, temperature: float = 1.0) -> np.ndarray:
    """softmax(scale * sim / temperature) over the classes, [N, C] float64."""
    logits = np.asarray(similarities, dtype=np.float64) * (scale / temperature)
    logits = logits - logits.max(axis=1, keepdims=True)
    np.exp(logits, out=logits)
    return logits / logits.sum(axis=1, keepdims=True)


def negative_log_likelihood(similarities: np.ndarray, labels: np.ndarray, scale: float, temperature: float) -> float:
    """Mean -log p(true class) under the given temperature."""
    logits = np.asarray(similarities, dtype=np.float64) * (scale / temperature)
    top = logits.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(logits - top).sum(axis=1)) + top[:, 0]
    picked = logits[np.arange(len(labels)), np.asarray(labels, dtype=np.int64)]
    return float(np.mean(log_norm - picked))


def fit_temperature(
    similarities: np.ndarray, labels: np.ndarray, scale: float, bounds: tuple[float, float] = (0.05, 20.0)
) -> float:
    """The temperature minimising validation NLL (golden-section search on log T).

    Raises TrainingError when there is nothing to fit on.
    """
    if len(labels) == 0:
        raise TrainingError("cannot calibrate on an empty validation split; use --val-fraction > 0")
    lo, hi = math.log(bounds[0]), math.log(bounds[1])
    ratio = (math.sqrt(5.0) - 1.0) / 2.0

    def cost(log_t: float) -> float:
        return negative_log_likelihood(similarities, labels, scale, math.exp(log_t))

    a, b = lo, hi
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = cost(c), cost(d)
    for _ in range(60):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = cost(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = cost(d)
    return float(math.exp((a + b) / 2.0))


@dataclass(frozen=True)
class ReliabilityBins:
    """Per confidence bin: mean confidence, accuracy and count (empty bins hold NaN)."""

    edges: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray
    counts: np.ndarray

    @property
    def ece(self) -> float:
        """Expected calibration error: count-weighted |accuracy - confidence|."""
        total = self.counts.sum()
        if total == 0:
            return 0.0
        used = self.counts > 0
        gaps = np.abs(self.accuracy[used] - self.confidence[used])
        return float((gaps * self.counts[used]).sum() / total)


def reliability_bins(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> ReliabilityBins:
    """Bin top-1 confidences into `bins` equal-width bins on [0, 1]."""
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    counts = np.bincount(which, minlength=bins)
    sums_conf = np.bincount(which, weights=confidence, minlength=bins)
    sums_acc = np.bincount(which, weights=correct, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.where(counts > 0, sums_conf / np.maximum(counts, 1), np.nan)
        mean_acc = np.where(counts > 0, sums_acc / np.maximum(counts, 1), np.nan)
    return ReliabilityBins(edges, mean_conf, mean_acc, counts)


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    return reliability_bins(confidence, correct, bins).ece


def unknown_landmark_scores(similarities: np.ndarray, labels: np.ndarray, scale: float, temperature: float) -> np.ndarray:
    """Top score of each photo after removing its true class from the softmax.

    A stand-in for a photo of a landmark the model was not trained on: everything
    about it is real except that its answer is missing from the label set.
    """
    sims = np.array(similarities, dtype=np.float64, copy=True)
    sims[np.arange(len(labels)), np.asarray(labels, dtype=np.int64)] = -np.inf
    return softmax_scores(sims, scale, temperature).max(axis=1)


@dataclass(frozen=True)
class ThresholdChoice:
    threshold: float
    unknown_accept_rate: float  # share of open-set proxies scoring ≥ threshold
    known_coverage: float  # share of validation photos answered (top score ≥ threshold)
    known_precision: float  # top-1 accuracy among the answered ones

    def to_json(self) -> dict:
        return {
            "threshold": self.threshold,
            "unknown_accept_rate": self.unknown_accept_rate,
            "known_coverage": self.known_coverage,
            "known_precision": self.known_precision,
        }


def choose_threshold(
    probabilities: np.ndarray, labels: np.ndarray, unknown_scores: np.ndarray, unknown_accept_rate: float = 0.05
) -> ThresholdChoice:
    """The lowest threshold that accepts at most `unknown_accept_rate` of the open-set
    proxies, with the coverage and precision it leaves on the known photos."""
    if not 0.0 <= unknown_accept_rate < 1.0:
        raise TrainingError(f"unknown_accept_rate {unknown_accept_rate} must be in [0, 1)")
    scores = np.sort(np.asarray(unknown_scores, dtype=np.float64))
    if scores.size == 0:
        raise TrainingError("no validation photos to choose a threshold on")
    keep = int(math.floor(unknown_accept_rate * scores.size))
    # Strictly above the (n - keep)-th smallest proxy score, so at most `keep` pass.
    threshold = float(np.nextafter(scores[scores.size - keep - 1], 1.0))
    threshold = min(max(threshold, 0.0), 1.0)
    top = probabilities.max(axis=1)
    answered = top >= threshold
    correct = probabilities.argmax(axis=1) == np.asarray(labels)
    return ThresholdChoice(
        threshold=threshold,
        unknown_accept_rate=float((scores >= threshold).mean()),
        known_coverage=float(answered.mean()),
        known_precision=float(correct[answered].mean()) if answered.any() else 0.0,
    )


def plot_reliability(before: ReliabilityBins, after: ReliabilityBins, path: Path, title: str = "") -> Path:
    """Reliability diagram (accuracy against confidence) before and after calibration."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(8, 4), sharey=True)
    for ax, bins, name in ((axes[0], before, "before"), (axes[1], after, "after")):
        centres = (bins.edges[:-1] + bins.edges[1:]) / 2
        width = bins.edges[1] - bins.edges[0]
        used = bins.counts > 0
        ax.bar(centres[used], bins.accuracy[used], width=width * 0.9, color="#4c72b0", label="accuracy")
        ax.plot([0, 1], [0, 1], "--", color="#888888", label="perfect calibration")
        ax.plot(bins.confidence[used], bins.accuracy[used], "o", color="#dd8452", label="accuracy at the bin's mean confidence")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("top-1 confidence")
        ax.set_title(f"{name} calibration: ECE {bins.ece:.3f}")
    axes[0].set_ylabel("top-1 accuracy")
    axes[0].legend(loc="upper left", fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
