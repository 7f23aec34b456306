"""Checkpoints: everything needed to continue a run exactly, and to export it.

The file is a torch.save'd dict readable with `weights_only=True`. Its "config" and
"state_dict" keys follow `LandmarkNet.save_checkpoint`, so
`LandmarkNet.from_checkpoint` rebuilds the network from it; the other keys carry
the optimizer, progress counters, torch RNG state, the history, the classes and the
preprocessing. Writes are atomic (temporary file, then rename).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from training.errors import CheckpointError

FORMAT = "landmark-train/1"
LAST = "last.pt"
BEST = "best.pt"


def checkpoint_dir(run_dir: Path) -> Path:
    return Path(run_dir) / "checkpoints"


def save_checkpoint(path: Path, state: dict[str, Any]) -> Path:
    import torch

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save({"format": FORMAT, **state}, str(tmp))
    os.replace(tmp, path)
    return path


def load_checkpoint(path: Path) -> dict[str, Any]:
    """Read a checkpoint on the CPU; raises CheckpointError naming the file."""
    import torch

    path = Path(path)
    if path.is_dir():
        path = checkpoint_dir(path) / BEST if (checkpoint_dir(path) / BEST).is_file() else checkpoint_dir(path) / LAST
    if not path.is_file():
        raise CheckpointError(f"checkpoint {path} does not exist; train first or give the .pt file")
    try:
        state = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as exc:  # zip/pickle errors all mean "not a checkpoint"
        raise CheckpointError(f"cannot read checkpoint {path} ({exc}); it may be truncated") from exc
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a landmark-train checkpoint (format {FORMAT})")
    return state
