"""Losses against slow, explicit references (loops over floats), at float32 and float64."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from model.errors import ModelError  # noqa: E402
from model.losses import (  # noqa: E402
    ArcFaceLoss,
    CosFaceLoss,
    SoftmaxLoss,
    SubCenterArcFace,
    create_loss,
    dynamic_margins,
    list_losses,
)

EPS = 1e-6
TOLERANCE = {torch.float32: 2e-4, torch.float64: 1e-9}


def logsumexp(values: list[float]) -> float:
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))


def reference_arcface_logits(cosines, labels, s, margins, easy_margin=False):
    rows = []
    for i, row in enumerate(cosines):
        logits = []
        for j, value in enumerate(row):
            c = min(max(float(value), -1 + EPS), 1 - EPS)
            if j == labels[i]:
                m = float(margins[j]) if np.ndim(margins) else float(margins)
                theta = math.acos(c)
                if easy_margin:
                    c = math.cos(theta + m) if c > 0 else c
                elif theta + m <= math.pi:
                    c = math.cos(theta + m)
                else:  # past π: continue linearly in cos θ from cos(π) = -1
                    c = c + math.cos(m) - 1.0
            logits.append(s * c)
        rows.append(logits)
    return rows


def reference_loss(logit_rows, labels) -> float:
    return sum(logsumexp(row) - row[labels[i]] for i, row in enumerate(logit_rows)) / len(labels)


def random_case(n=6, c=5, seed=0):
    rng = np.random.default_rng(seed)
    cosines = rng.uniform(-1, 1, size=(n, c))
    labels = rng.integers(0, c, size=n)
    return cosines, labels


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("easy_margin", [False, True])
def test_arcface_matches_reference(dtype, easy_margin):
    cosines, labels = random_case()
    loss = ArcFaceLoss(s=16.0, m=0.5, easy_margin=easy_margin)
    got = loss(torch.tensor(cosines, dtype=dtype), torch.tensor(labels))
    expected = reference_loss(reference_arcface_logits(cosines, labels, 16.0, 0.5, easy_margin), labels)
    assert got.item() == pytest.approx(expected, rel=TOLERANCE[dtype], abs=TOLERANCE[dtype])


def test_arcface_margin_only_on_target():
    cosines, labels = random_case(n=4, c=6, seed=1)
    logits = ArcFaceLoss(s=10.0, m=0.3).logits(torch.tensor(cosines), torch.tensor(labels)).numpy()
    for i in range(4):
        for j in range(6):
            if j == labels[i]:
                assert logits[i, j] < 10.0 * cosines[i, j] - 1e-3  # the margin lowers the target
            else:
                assert logits[i, j] == pytest.approx(10.0 * cosines[i, j], abs=1e-9)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("target_cos", [1.0, 1 - 1e-7, 1 - 1e-4, -1.0, -1 + 1e-7, -1 + 1e-4, -0.9])
def test_arcface_stable_near_zero_and_pi(dtype, target_cos):
    cosines = torch.tensor([[target_cos, 0.2, -0.3]], dtype=dtype, requires_grad=True)
    labels = torch.tensor([0])
    loss = ArcFaceLoss(s=30.0, m=0.5)
    value = loss(cosines, labels)
    value.backward()
    assert torch.isfinite(value)
    assert torch.isfinite(cosines.grad).all()
    expected = reference_loss(reference_arcface_logits(cosines.detach().numpy(), [0], 30.0, 0.5), [0])
    assert value.item() == pytest.approx(expected, rel=1e-3 if dtype == torch.float32 else 1e-7, abs=1e-5)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_arcface_still_learns_at_exactly_zero_and_pi(dtype):
    """The clamp keeps the value in range but lets the gradient through: a target stuck at
    cos = -1 is pulled up and a wrong class at cos = +1 pushed down (a plain clamp would
    leave both with a zero gradient and never correct them)."""
    cosines = torch.tensor([[-1.0, 1.0, 0.1]], dtype=dtype, requires_grad=True)
    ArcFaceLoss(s=30.0, m=0.5)(cosines, torch.tensor([0])).backward()
    target, wrong, _ = cosines.grad[0].tolist()
    assert target < -1.0 and wrong > 1.0


def test_arcface_target_is_monotone_through_pi_minus_m():
    """Past θ = π - m the fallback keeps the target logit falling as θ grows (no bump)."""
    m = 0.5
    loss = ArcFaceLoss(s=1.0, m=m)
    thetas = torch.linspace(0.01, math.pi - 0.01, 400, dtype=torch.float64)
    target = loss.target_logit(torch.cos(thetas), torch.zeros(400, dtype=torch.long))
    assert (target[1:] <= target[:-1] + 1e-12).all()
    boundary = torch.tensor([math.cos(math.pi - m)], dtype=torch.float64)
    left = loss.target_logit(boundary + 1e-9, torch.tensor([0]))
    right = loss.target_logit(boundary - 1e-9, torch.tensor([0]))
    assert left.item() == pytest.approx(right.item(), abs=1e-6)


def test_arcface_gradients_finite_on_random_batch():
    cosines = torch.tensor(random_case(32, 10, seed=3)[0], dtype=torch.float32, requires_grad=True)
    labels = torch.randint(0, 10, (32,))
    ArcFaceLoss()(cosines, labels).backward()
    assert torch.isfinite(cosines.grad).all()


def test_subcenter_arcface_reduces_by_max_over_subcentres():
    rng = np.random.default_rng(4)
    all_cos = rng.uniform(-1, 1, size=(5, 4, 3))
    labels = rng.integers(0, 4, size=5)
    loss = SubCenterArcFace(s=20.0, m=0.4, k=3)
    got = loss(torch.tensor(all_cos), torch.tensor(labels)).item()
    reduced = all_cos.max(axis=2)
    expected = reference_loss(reference_arcface_logits(reduced, labels, 20.0, 0.4), labels)
    assert got == pytest.approx(expected, rel=1e-9)
    with pytest.raises(ModelError, match="sub-centres"):
        loss(torch.tensor(rng.uniform(-1, 1, size=(5, 4, 2))), torch.tensor(labels))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_cosface_matches_reference(dtype):
    cosines, labels = random_case(seed=5)
    got = CosFaceLoss(s=24.0, m=0.35)(torch.tensor(cosines, dtype=dtype), torch.tensor(labels)).item()
    rows = [[24.0 * (v - (0.35 if j == labels[i] else 0.0)) for j, v in enumerate(row)] for i, row in enumerate(cosines)]
    assert got == pytest.approx(reference_loss(rows, labels), rel=TOLERANCE[dtype])


def test_softmax_loss_is_cross_entropy_of_scaled_cosines():
    cosines, labels = random_case(seed=6)
    got = SoftmaxLoss(s=8.0)(torch.tensor(cosines), torch.tensor(labels)).item()
    rows = [[8.0 * v for v in row] for row in cosines]
    assert got == pytest.approx(reference_loss(rows, labels), rel=1e-9)


def test_dynamic_margins_hand_computed():
    counts = [1, 16, 10000]
    raw = np.array([1.0, 0.5, 0.1])  # n ** -1/4
    expected = 0.45 * (raw - 0.1) / 0.9 + 0.05
    assert dynamic_margins(counts) == pytest.approx(expected, rel=1e-6)
    assert dynamic_margins(counts, a=0.2, b=0.1, normalize=False) == pytest.approx(0.2 * raw + 0.1, rel=1e-6)
    assert dynamic_margins([5, 5]) == pytest.approx([0.05, 0.05])  # equal counts: the floor b
    with pytest.raises(ModelError, match="count"):
        dynamic_margins([3, 0])


def test_arcface_with_dynamic_margins_uses_each_target_margin():
    cosines, labels = random_case(n=8, c=3, seed=7)
    counts = [2, 50, 400]
    loss = create_loss("arcface", class_counts=counts, s=12.0)
    margins = dynamic_margins(counts)
    got = loss(torch.tensor(cosines), torch.tensor(labels)).item()
    expected = reference_loss(reference_arcface_logits(cosines, labels, 12.0, margins), labels)
    assert got == pytest.approx(expected, rel=1e-6)


def test_create_loss_names_and_errors():
    assert set(list_losses()) == {"arcface", "subcenter-arcface", "cosface", "softmax"}
    assert isinstance(create_loss("ArcFace", s=10, m=0.2), ArcFaceLoss)
    assert create_loss("subcenter_arcface", k=2).k == 2
    with pytest.raises(ModelError, match="unknown loss"):
        create_loss("triplet")
    with pytest.raises(ModelError, match="dynamic margins"):
        create_loss("cosface", class_counts=[1, 2])
    with pytest.raises(ModelError, match="bad arguments"):
        create_loss("softmax", m=0.3)
    with pytest.raises(ModelError, match="margin"):
        ArcFaceLoss(m=2.0)
    with pytest.raises(ModelError, match="expected cosines"):
        ArcFaceLoss()(torch.zeros(3, 4), torch.zeros(2, dtype=torch.long))
