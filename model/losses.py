"""Training losses on the cosine logits of LandmarkNet: ArcFace (with optional per-class
dynamic margins), sub-center ArcFace, CosFace and plain (normalised) softmax.

All take `(cosines [N, C], labels [N])` — sub-center ArcFace also accepts [N, C, k] —
and return the mean cross-entropy. Scale s and margin m live here, not in the network.
A base class does the shared steps (clamp, scale, cross-entropy); each loss only says
how the target logit is changed.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from model.errors import ModelError

# Cosines are kept this far from ±1 so sqrt(1 - cos²) has a finite gradient.
_COS_EPS = 1e-6


def dynamic_margins(
    class_counts: Sequence[int] | np.ndarray,
    a: float = 0.45,
    b: float = 0.05,
    power: float = -0.25,
    normalize: bool = True,
) -> np.ndarray:
    """Per-class ArcFace margins from class frequency: m_c = a * f(n_c) + b.

    f(n) = n ** power (-1/4, as in the GLR2020 winners); with `normalize` f is min-max
    scaled to [0, 1] so margins lie in [b, a + b] whatever the counts (rare classes get
    the larger margin). Raises ModelError for a count below 1.
    """
    counts = np.asarray(class_counts, dtype=np.float64)
    if counts.ndim != 1 or counts.size == 0:
        raise ModelError(f"class_counts must be a non-empty 1-D list, got shape {counts.shape}")
    if (counts < 1).any():
        bad = int(np.argmin(counts))
        raise ModelError(f"class {bad} has count {counts[bad]:g}; every class needs at least 1 example")
    scaled = counts**power
    if normalize:
        span = scaled.max() - scaled.min()
        scaled = (scaled - scaled.min()) / span if span > 0 else np.zeros_like(scaled)
    return (a * scaled + b).astype(np.float32)


class MarginLoss(nn.Module):
    """Shared steps: check shapes, clamp, replace the target logit, scale, cross-entropy."""

    def __init__(self, s: float = 30.0, label_smoothing: float = 0.0) -> None:
        super().__init__()
        if s <= 0:
            raise ModelError(f"scale s={s} must be positive")
        self.s = float(s)
        self.label_smoothing = float(label_smoothing)

    def target_logit(self, cos_target: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """The target class's cosine after the margin (subclasses override)."""
        return cos_target

    def prepare(self, cosines: torch.Tensor) -> torch.Tensor:
        return cosines

    def logits(self, cosines: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Scaled logits with the margin on the target class only, [N, C]."""
        cosines = self.prepare(cosines)
        if cosines.ndim != 2 or labels.ndim != 1 or labels.shape[0] != cosines.shape[0]:
            raise ModelError(
                f"expected cosines [N, C] and labels [N], got {tuple(cosines.shape)} and {tuple(labels.shape)}"
            )
        # Clamp the value but let the gradient through, so a sample stuck at exactly
        # θ = 0 or θ = π still learns.
        clamped = cosines.clamp(-1.0 + _COS_EPS, 1.0 - _COS_EPS)
        cosines = cosines + (clamped - cosines).detach()
        labels = labels.long()
        index = labels.view(-1, 1)
        cos_target = cosines.gather(1, index).squeeze(1)
        new_target = self.target_logit(cos_target, labels)
        # Margin on the target only: scatter the changed target back into a copy.
        adjusted = cosines.scatter(1, index, new_target.unsqueeze(1).to(cosines.dtype))
        return adjusted * self.s

    def forward(self, cosines: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        logits = self.logits(cosines, labels)
        if logits.dtype in (torch.float16, torch.bfloat16):
            logits = logits.float()  # mixed precision: the softmax needs float32 range
        return F.cross_entropy(logits, labels.long(), label_smoothing=self.label_smoothing)


class SoftmaxLoss(MarginLoss):
    """Plain softmax cross-entropy on s * cosine (normalised softmax, no margin)."""


class CosFaceLoss(MarginLoss):
    """CosFace / large-margin cosine loss: target logit s * (cos θ - m)."""

    def __init__(self, s: float = 30.0, m: float = 0.35, label_smoothing: float = 0.0) -> None:
        super().__init__(s, label_smoothing)
        self.m = float(m)

    def target_logit(self, cos_target: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return cos_target - self.m


class ArcFaceLoss(MarginLoss):
    """ArcFace / additive angular margin: target logit s * cos(θ + m).

    m is one float or per-class margins (see `dynamic_margins`). Where θ + m would pass
    π, cos(θ + m) would rise again; there the target becomes cos θ + cos m - 1, which
    is continuous at θ = π - m and keeps falling. With `easy_margin` the margin applies only where cos θ > 0.
    """

    def __init__(
        self,
        s: float = 30.0,
        m: float | Sequence[float] | np.ndarray | torch.Tensor = 0.5,
        easy_margin: bool = False,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(s, label_smoothing)
        margins = torch.as_tensor(np.asarray(m, dtype=np.float64))
        if margins.ndim > 1 or (margins < 0).any() or (margins >= math.pi / 2).any():
            raise ModelError(f"ArcFace margin {m!r} must be one value or one per class, in [0, π/2)")
        self.register_buffer("margins", margins)
        self.easy_margin = bool(easy_margin)

    @property
    def per_class(self) -> bool:
        return self.margins.ndim == 1

    def target_logit(self, cos_target: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        m = self.margins[labels] if self.per_class else self.margins
        m = m.to(cos_target.dtype)
        sin_target = torch.sqrt((1.0 - cos_target * cos_target).clamp(min=_COS_EPS))
        cos_m, sin_m = torch.cos(m), torch.sin(m)
        with_margin = cos_target * cos_m - sin_target * sin_m
        if self.easy_margin:
            return torch.where(cos_target > 0, with_margin, cos_target)
        # θ + m > π  ⇔  cos θ < cos(π - m) = -cos m. There cos θ + cos m - 1 goes on
        # falling from -1 (continuous and monotone, unlike the usual cos θ - m·sin m).
        return torch.where(cos_target > -cos_m, with_margin, cos_target + cos_m - 1.0)


class SubCenterArcFace(ArcFaceLoss):
    """Sub-center ArcFace: cosines [N, C, k] are reduced by a max over the k sub-centres
    (so noisy images can sit on a sub-centre of their own), then ArcFace as usual.
    [N, C] input is taken as already reduced (LandmarkNet.forward does the max)."""

    def __init__(self, s: float = 30.0, m=0.5, k: int = 3, easy_margin: bool = False, label_smoothing: float = 0.0):
        super().__init__(s=s, m=m, easy_margin=easy_margin, label_smoothing=label_smoothing)
        if k < 1:
            raise ModelError(f"sub-centres k={k} must be at least 1")
        self.k = int(k)

    def prepare(self, cosines: torch.Tensor) -> torch.Tensor:
        if cosines.ndim == 3:
            if cosines.shape[2] != self.k:
                raise ModelError(f"expected {self.k} sub-centres, got cosines of shape {tuple(cosines.shape)}")
            return cosines.amax(dim=2)
        return cosines


_LOSSES = {
    "arcface": ArcFaceLoss,
    "subcenter-arcface": SubCenterArcFace,
    "cosface": CosFaceLoss,
    "softmax": SoftmaxLoss,
}


def list_losses() -> list[str]:
    return list(_LOSSES)


def create_loss(name: str, class_counts: Sequence[int] | None = None, **kwargs) -> MarginLoss:
    """Build a loss by name ('arcface', 'subcenter-arcface', 'cosface', 'softmax').

    class_counts (ArcFace kinds only) turns on dynamic margins; `margin_a`, `margin_b`
    tune them. Raises ModelError for an unknown name or argument.
    """
    key = name.lower().replace("_", "-")
    if key not in _LOSSES:
        raise ModelError(f"unknown loss {name!r}; choose one of: {', '.join(_LOSSES)}")
    cls = _LOSSES[key]
    margin_a = kwargs.pop("margin_a", 0.45)
    margin_b = kwargs.pop("margin_b", 0.05)
    if class_counts is not None:
        if not issubclass(cls, ArcFaceLoss):
            raise ModelError(f"dynamic margins (class_counts) apply to ArcFace losses, not {name!r}")
        kwargs["m"] = dynamic_margins(class_counts, a=margin_a, b=margin_b)
    try:
        return cls(**kwargs)
    except TypeError as error:
        raise ModelError(f"bad arguments for loss {name!r}: {error}") from error
