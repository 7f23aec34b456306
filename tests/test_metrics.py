"""μAP (Kaggle GAP), accuracy and per-class figures on hand-computed cases and
against a slow, explicit reference."""

from __future__ import annotations

import functools
import random

import pytest

from training.metrics import (
    compute_metrics,
    confusion_counts,
    global_average_precision,
    per_class_figures,
    top1_accuracy,
)


def reference_gap(predictions, truth, known=None):
    """Explicit: build the sorted list with a comparison function, then P(i) by slicing."""

    def compare(x, y):
        if x[2] != y[2]:
            return -1 if x[2] > y[2] else 1
        if x[0] != y[0]:
            return -1 if x[0] < y[0] else 1
        return -1 if x[1] < y[1] else (1 if x[1] > y[1] else 0)

    rows = [(q, lm, s) for q, (lm, s) in predictions.items() if q in truth]
    rows = sorted(rows, key=functools.cmp_to_key(compare))
    rel = [1 if truth[q] is not None and truth[q] == lm else 0 for q, lm, _ in rows]
    m = len([q for q, lm in truth.items() if lm is not None and (known is None or lm in known)])
    if m == 0:
        return 0.0
    return sum((sum(rel[: i + 1]) / (i + 1)) * rel[i] for i in range(len(rel))) / m


def test_hand_computed_with_a_non_landmark_query():
    truth = {"a": "1", "b": "2", "c": "3", "d": None}
    predictions = {"a": ("1", 0.9), "b": ("5", 0.8), "c": ("3", 0.7), "d": ("1", 0.95)}
    # sorted: d (wrong), a (right, P=1/2), b (wrong), c (right, P=2/4); M = 3
    assert global_average_precision(predictions, truth) == pytest.approx((0.5 + 0.5) / 3)
    assert top1_accuracy(predictions, truth) == pytest.approx(2 / 3)


def test_ties_are_broken_by_query_id_then_landmark_id():
    truth = {"q1": "A", "q2": "B"}
    predictions = {"q2": ("B", 0.5), "q1": ("X", 0.5)}
    # q1 sorts first (wrong), q2 second: P(2) = 1/2, M = 2
    assert global_average_precision(predictions, truth) == pytest.approx(0.25)
    swapped = {"q1": ("A", 0.5), "q2": ("X", 0.5)}
    assert global_average_precision(swapped, truth) == pytest.approx(0.5)


def test_abstentions_count_in_m_but_not_in_the_sum():
    truth = {"a": "A", "b": "B"}
    assert global_average_precision({"a": ("A", 0.3)}, truth) == pytest.approx(0.5)
    assert top1_accuracy({"a": ("A", 0.3)}, truth) == pytest.approx(0.5)
    assert global_average_precision({}, truth) == 0.0


def test_a_non_landmark_query_left_unpredicted_costs_nothing():
    truth = {"a": "A", "n": None}
    assert global_average_precision({"a": ("A", 0.2)}, truth) == pytest.approx(1.0)
    # predicting it, even with a lower confidence after the hit, does not lower μAP
    assert global_average_precision({"a": ("A", 0.2), "n": ("A", 0.1)}, truth) == pytest.approx(1.0)
    # but above the hit it halves the precision of the hit
    assert global_average_precision({"a": ("A", 0.2), "n": ("A", 0.9)}, truth) == pytest.approx(0.5)


def test_m_counts_only_landmarks_known_from_training():
    truth = {"a": "A", "z": "Z"}
    predictions = {"a": ("A", 0.9), "z": ("A", 0.1)}
    assert global_average_precision(predictions, truth) == pytest.approx(0.5)
    assert global_average_precision(predictions, truth, known_landmarks={"A"}) == pytest.approx(1.0)


def test_predictions_for_queries_outside_the_solution_are_ignored():
    truth = {"a": "A"}
    assert global_average_precision({"a": ("A", 0.1), "ghost": ("A", 0.9)}, truth) == 1.0


def test_perfect_and_hopeless():
    truth = {str(i): str(i % 3) for i in range(9)}
    perfect = {q: (lm, 1.0 - int(q) / 10) for q, lm in truth.items()}
    assert global_average_precision(perfect, truth) == pytest.approx(1.0)
    hopeless = {q: ("nope", 0.5) for q in truth}
    assert global_average_precision(hopeless, truth) == 0.0


@pytest.mark.parametrize("seed", range(25))
def test_matches_the_slow_reference_on_random_cases(seed):
    rng = random.Random(seed)
    classes = [f"L{i}" for i in range(4)]
    truth = {f"q{i:02d}": (rng.choice(classes) if rng.random() > 0.25 else None) for i in range(30)}
    predictions = {}
    for q in truth:
        if rng.random() < 0.8:  # the rest abstain
            predictions[q] = (rng.choice(classes), rng.choice([0.1, 0.5, 0.5, 0.9, rng.random()]))
    known = set(rng.sample(classes, 3)) if seed % 2 else None
    assert global_average_precision(predictions, truth, known) == pytest.approx(
        reference_gap(predictions, truth, known)
    )


def test_per_class_figures_and_summary():
    truth = {"a": "A", "b": "A", "c": "B", "n": None}
    predictions = {"a": ("A", 0.9), "b": ("B", 0.8), "c": ("B", 0.7), "n": ("B", 0.1)}
    figures = per_class_figures(predictions, truth)
    assert (figures["A"].support, figures["A"].correct, figures["A"].predicted) == (2, 1, 1)
    assert figures["A"].recall == 0.5 and figures["A"].precision == 1.0
    assert (figures["B"].support, figures["B"].correct, figures["B"].predicted) == (1, 1, 3)
    assert figures["B"].precision == pytest.approx(1 / 3)
    metrics = compute_metrics(predictions, truth)
    assert metrics.landmark_queries == 3 and metrics.queries == 4 and metrics.predictions == 4
    assert metrics.accuracy == pytest.approx(2 / 3)
    assert set(metrics.to_json()) >= {"gap", "accuracy", "per_class"}


def test_confusion_counts_has_rows_for_non_landmarks_and_a_column_for_abstentions():
    truth = {"a": "A", "b": "A", "c": "B", "n": None}
    predictions = {"a": ("A", 0.9), "c": ("A", 0.7), "n": ("B", 0.1)}
    assert confusion_counts(predictions, truth, ["A", "B"]) == [
        [1, 0, 1],
        [1, 0, 0],
        [0, 1, 0],
    ]
