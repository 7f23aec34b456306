"""Recognition metrics: μAP (Kaggle's Global Average Precision), top-1 accuracy and
per-class figures, as small pure functions over plain mappings.

μAP as scored in the Google Landmark Recognition challenges: each query gets at most
one prediction (landmark, confidence); all predictions are sorted by confidence,
descending (ties: query id, then landmark id, ascending), and

    μAP = (1/M) Σᵢ P(i)·rel(i)

where P(i) is the precision over the first i predictions, rel(i) is 1 when the i-th
prediction is correct, and M is the number of queries whose true landmark exists in
the training set. A prediction for a non-landmark query (true landmark None) is
always wrong; a query without a prediction (an abstention) adds nothing to the sum
but still counts in M when it shows a known landmark.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

# query id -> (predicted landmark id, confidence); a missing query is an abstention.
Predictions = Mapping[str, tuple[str, float]]
# query id -> true landmark id, or None for a non-landmark query.
Truth = Mapping[str, "str | None"]


@dataclass(frozen=True)
class ClassFigures:
    """How one true landmark fared: recall is top-1 accuracy on its queries."""

    landmark_id: str
    support: int
    correct: int
    predicted: int

    @property
    def recall(self) -> float:
        return self.correct / self.support if self.support else 0.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    def to_json(self) -> dict:
        return {
            "landmark_id": self.landmark_id,
            "support": self.support,
            "correct": self.correct,
            "predicted": self.predicted,
            "recall": self.recall,
            "precision": self.precision,
        }


@dataclass(frozen=True)
class Metrics:
    """The figures `evaluate` prints; `gap` is μAP, `accuracy` is top-1 accuracy over
    the queries that show a known landmark (abstentions count as wrong)."""

    gap: float
    accuracy: float
    queries: int
    landmark_queries: int
    predictions: int
    per_class: dict[str, ClassFigures] = field(default_factory=dict)

    def to_json(self, with_classes: bool = True) -> dict:
        out = {
            "gap": self.gap,
            "accuracy": self.accuracy,
            "queries": self.queries,
            "landmark_queries": self.landmark_queries,
            "predictions": self.predictions,
        }
        if with_classes:
            out["per_class"] = {k: v.to_json() for k, v in sorted(self.per_class.items())}
        return out


def _is_known(landmark: str | None, known: Collection[str] | None) -> bool:
    return landmark is not None and (known is None or landmark in known)


def sorted_predictions(predictions: Predictions, truth: Truth) -> list[tuple[str, str, float]]:
    """The predictions for queries in `truth` as (query, landmark, score), in μAP order:
    confidence descending, then query id, then landmark id."""
    rows = [(q, str(lm), float(s)) for q, (lm, s) in predictions.items() if q in truth]
    rows.sort(key=lambda r: (-r[2], r[0], r[1]))
    return rows


def global_average_precision(
    predictions: Predictions, truth: Truth, known_landmarks: Collection[str] | None = None
) -> float:
    """μAP of at most one prediction per query against `truth`.

    `known_landmarks` (the training classes) decides which queries count in M; when
    None, every query with a true landmark counts. Predictions for query ids absent
    from `truth` are ignored (Kaggle's "Ignored" rows). Returns 0.0 when M is 0.
    """
    m = sum(1 for lm in truth.values() if _is_known(lm, known_landmarks))
    if m == 0:
        return 0.0
    correct = 0
    total = 0.0
    for i, (query, landmark, _score) in enumerate(sorted_predictions(predictions, truth), start=1):
        if truth[query] is not None and truth[query] == landmark:
            correct += 1
            total += correct / i
    return total / m


def top1_accuracy(
    predictions: Predictions, truth: Truth, known_landmarks: Collection[str] | None = None
) -> float:
    """Share of known-landmark queries whose prediction is their landmark."""
    counted = [q for q, lm in truth.items() if _is_known(lm, known_landmarks)]
    if not counted:
        return 0.0
    hits = sum(1 for q in counted if q in predictions and predictions[q][0] == truth[q])
    return hits / len(counted)


def per_class_figures(predictions: Predictions, truth: Truth) -> dict[str, ClassFigures]:
    """Support, hits and predictions per landmark (non-landmark queries count only
    as wrong predictions of the class they were given)."""
    support: dict[str, int] = {}
    correct: dict[str, int] = {}
    predicted: dict[str, int] = {}
    for query, landmark in truth.items():
        if landmark is not None:
            support[landmark] = support.get(landmark, 0) + 1
        if query in predictions:
            guess = str(predictions[query][0])
            predicted[guess] = predicted.get(guess, 0) + 1
            if landmark is not None and guess == landmark:
                correct[landmark] = correct.get(landmark, 0) + 1
    names = set(support) | set(predicted)
    return {
        n: ClassFigures(n, support.get(n, 0), correct.get(n, 0), predicted.get(n, 0)) for n in names
    }


def compute_metrics(
    predictions: Predictions, truth: Truth, known_landmarks: Collection[str] | None = None
) -> Metrics:
    """All figures at once, as `evaluate` reports them."""
    in_truth = sum(1 for q in predictions if q in truth)
    return Metrics(
        gap=global_average_precision(predictions, truth, known_landmarks),
        accuracy=top1_accuracy(predictions, truth, known_landmarks),
        queries=len(truth),
        landmark_queries=sum(1 for lm in truth.values() if _is_known(lm, known_landmarks)),
        predictions=in_truth,
        per_class=per_class_figures(predictions, truth),
    )


def confusion_counts(
    predictions: Predictions, truth: Truth, classes: list[str]
) -> list[list[int]]:
    """Rows: true class (then one row for non-landmark queries); columns: predicted
    class (then one column for abstentions and predictions outside `classes`)."""
    index = {c: i for i, c in enumerate(classes)}
    n = len(classes)
    matrix = [[0] * (n + 1) for _ in range(n + 1)]
    for query, landmark in truth.items():
        row = index.get(landmark, n) if landmark is not None else n
        col = n
        if query in predictions:
            col = index.get(str(predictions[query][0]), n)
        matrix[row][col] += 1
    return matrix
