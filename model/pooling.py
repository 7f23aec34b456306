"""Generalised-mean (GeM) pooling with a learnable exponent p.

p = 1 is average pooling, p → ∞ approaches max pooling; landmark retrieval works best
around p = 3, and learning p lets each model find its own.
"""

from __future__ import annotations

import torch
from torch import nn


class GeM(nn.Module):
    """mean(x.clamp(eps) ** p) ** (1/p) over the spatial dimensions → [N, C]."""

    def __init__(self, p: float = 3.0, eps: float = 1e-6, learnable: bool = True) -> None:
        super().__init__()
        if p <= 0:
            raise ValueError(f"GeM p={p} must be positive")
        initial = torch.tensor([float(p)])
        if learnable:
            self.p = nn.Parameter(initial)
        else:
            self.register_buffer("p", initial)
        self.eps = float(eps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Keep p away from 0 so 1/p stays finite if training drives it down.
        # In float32 even under mixed precision: x ** p underflows in half precision.
        p = self.p.float().clamp(min=1e-2)
        pooled = x.float().clamp(min=self.eps).pow(p).mean(dim=(-2, -1))
        return pooled.pow(1.0 / p).to(x.dtype)

    def extra_repr(self) -> str:
        return f"p={float(self.p.detach()[0]):.4f}, eps={self.eps}"
