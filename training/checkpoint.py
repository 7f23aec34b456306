"""Checkpoints: everything needed to continue a run exactly, and to export it.

The file is a torch.save'd dict readable with `weights_only=True`. Its "config" and
"state_dict" keys follow `LandmarkNet.save_checkpoint`, so
`LandmarkNet.from_checkpoint` rebuilds the network from it; the other keys carry
the optimizer, progress counters, torch RNG state, the history, the classes and the
preprocessing. Writes are atomic (temporary file, then rename).

An epoch that improved validation μAP writes best.pt and last.pt as one step
(save_epoch_checkpoints): a process killed between the two files (a preemption, an
out-of-memory kill) must not leave a last.pt that records an epoch as the best while
best.pt holds an older one, since nothing would write that epoch's model again and
`export` would ship the older one.
"""

from __future__ import annotations

import os
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from model.torch_file_errors import torch_load_failure
from training.errors import CheckpointError, writing

FORMAT = "landmark-train/1"
LAST = "last.pt"
BEST = "best.pt"
# best.pt of the epoch being saved, complete, until that epoch's last.pt is too
BEST_PENDING = "best.pt.pending"
SAVED = "saved"  # the key of the UTC time an epoch's checkpoints were saved (see saved_time)


def checkpoint_dir(run_dir: Path) -> Path:
    return Path(run_dir) / "checkpoints"


def save_checkpoint(path: Path, state: dict[str, Any]) -> Path:
    """Write `state` to `path` atomically: whole, on disk, or not at all.

    Raises OutputWriteError naming the path and the system's reason (a full disk, a
    read-only folder) and leaves no temporary file, which would keep the disk full.
    torch writes through a Python file here: writing to a path itself, it reported a full
    disk as "[enforce fail at inline_container.cc:672] . unexpected pos …".
    """
    import torch

    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with writing(path, "--run-dir"):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(tmp, "wb") as f:
                try:
                    torch.save({"format": FORMAT, **state}, f)
                except RuntimeError as exc:
                    # torch closing its zip writer after a failed write reports "unexpected pos"
                    # in place of the write's own error, which it keeps as the context
                    raise _os_error_behind(exc) or exc from None
                f.flush()
                os.fsync(f.fileno())  # a full disk of a network file system says so here, or at close
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return path


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def saved_time(state: dict[str, Any]) -> str:
    """When the checkpoint `state` was saved, UTC to the second, or "" for one saved
    before it recorded it (not known: its file's time changes with every copy, scp or
    download). `export` makes it the bundle's `created`, which the bundle id hashes: the
    same checkpoint exported again, or a copy of it, is then the same bundle, and the app
    does not tag the whole library again for it."""
    recorded = state.get(SAVED)
    return recorded if isinstance(recorded, str) else ""


def _os_error_behind(exc: BaseException) -> OSError | None:
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, OSError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def save_epoch_checkpoints(folder: Path, state: dict[str, Any], best: bool) -> None:
    """Write last.pt and, when `best`, best.pt for one epoch, so that whenever the
    process stops, best.pt is the model of the best epoch that last.pt records (once
    settle_best has run): best.pt.pending first, then last.pt, then the rename of
    best.pt.pending to best.pt."""
    folder = Path(folder)
    state = {**state, SAVED: _now()}  # one time for both files: best.pt and last.pt of an epoch export alike
    if best:
        save_checkpoint(folder / BEST_PENDING, state)
    try:
        save_checkpoint(folder / LAST, state)
    except Exception:
        if best:  # of no use without its last.pt, and as big: it would keep a full disk full
            (folder / BEST_PENDING).unlink(missing_ok=True)
        raise
    if best:
        with writing(folder / BEST, "--run-dir"):
            os.replace(folder / BEST_PENDING, folder / BEST)


def _summary_of(path: Path) -> tuple[int, float | None] | None:
    """(epoch, validation μAP of that epoch or None) a checkpoint file records; None
    when it cannot be read. Memory-mapped: the weights are not read in."""
    import torch

    if not Path(path).is_file():
        return None
    try:
        state = torch.load(str(path), map_location="cpu", weights_only=True, mmap=True)
        gap = (state.get("metrics") or {}).get("gap")
        return int(state["epoch"]), None if gap is None else float(gap)
    except Exception:  # a file cut short, or not a checkpoint: it records nothing
        return None


def planned_epochs_of(path: Path) -> int | None:
    """The epochs the run planned when a checkpoint file was saved (its train_config;
    a resume may have raised them since an older checkpoint); None when it cannot be
    read or does not say. Memory-mapped, as _summary_of."""
    import torch

    if not Path(path).is_file():
        return None
    try:
        state = torch.load(str(path), map_location="cpu", weights_only=True, mmap=True)
        planned = ((state.get("train_config") or {}).get("optim") or {}).get("epochs")
        return int(planned) if planned else None
    except Exception:  # a file cut short, or not a checkpoint
        return None


def epoch_of(path: Path) -> int | None:
    """The epoch a checkpoint file records (None when it cannot be read), without
    reading its weights in."""
    summary = _summary_of(path)
    return None if summary is None else summary[0]


def _same_epoch(a: Path, b: Path) -> bool:
    first, second = _summary_of(a), _summary_of(b)
    return first is not None and second is not None and first[0] == second[0]


def settle_best(folder: Path) -> None:
    """Finish what a process stopped while saving an epoch left in `folder`: a
    best.pt.pending of the epoch last.pt records becomes best.pt (the process stopped
    after last.pt), one of another epoch is dropped (it stopped before last.pt, so the
    epoch is trained again), and temporary files of interrupted writes are removed."""
    folder = Path(folder)
    pending = folder / BEST_PENDING
    if pending.is_file():
        if _same_epoch(pending, folder / LAST):
            os.replace(pending, folder / BEST)
        else:
            pending.unlink(missing_ok=True)
    for leftover in folder.glob("*.tmp"):
        leftover.unlink(missing_ok=True)


def remove_checkpoints(folder: Path) -> None:
    """Remove a run's checkpoints from `folder` (a run started afresh over it)."""
    folder = Path(folder)
    for name in (LAST, BEST, BEST_PENDING):
        (folder / name).unlink(missing_ok=True)
    for leftover in folder.glob("*.tmp"):
        leftover.unlink(missing_ok=True)


def best_recorded(history: list[dict]) -> tuple[int, float] | None:
    """(epoch, μAP) of the best validated epoch in a checkpoint's history (the first of
    equal ones, as the trainer keeps the first), None when no epoch was validated; rows
    ranked by the top cosine (training.ranking_upgrade) are not compared."""
    best = None
    for record in history:
        gap = record.get("val_gap")
        if record.get("val_ranking") == "cosine":
            continue
        if gap is not None and (best is None or gap > best[1]):
            best = (int(record["epoch"]), float(gap))
    return best


def best_to_beat(folder: Path, history: list[dict]) -> tuple[float | None, str | None]:
    """The μAP a resumed run's epoch must beat to replace best.pt in `folder`, and a
    note when best.pt is not the best epoch `history` records (a run stopped between
    its two saves by an earlier version): then best.pt's own μAP, so that a later
    epoch better than the model it holds replaces it."""
    recorded = best_recorded(history)
    if recorded is None:
        return None, None
    best_path = Path(folder) / BEST
    held = _summary_of(best_path)
    if held is not None and held[0] == recorded[0]:
        return recorded[1], None
    if held is None:
        return None, (
            f"{best_path} is missing or unreadable, though epoch {recorded[0]} (val μAP {recorded[1]:.4f}) was "
            "the best: its model was lost; the next validated epoch writes best.pt again"
        )
    epoch, gap = held
    return gap, (
        f"{best_path} holds epoch {epoch} (val μAP {_figure(gap)}), not epoch {recorded[0]} (val μAP "
        f"{recorded[1]:.4f}) that the run records as its best: that model was lost when the run was stopped "
        f"while saving it; a later epoch better than epoch {epoch} replaces best.pt"
    )


def _figure(gap: float | None) -> str:
    return "not measured" if gap is None else f"{gap:.4f}"


def load_checkpoint(path: Path) -> dict[str, Any]:
    """Read a checkpoint on the CPU; raises CheckpointError naming the file."""
    import torch

    path = Path(path)
    if path.is_dir():
        path = best_checkpoint_of(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint {path} does not exist; train first or give the .pt file")
    try:
        with warnings.catch_warnings():  # a plain pickle makes torch warn about its protocol, a line to no purpose
            warnings.simplefilter("ignore", UserWarning)
            state = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as exc:  # zip/pickle errors all mean "not a checkpoint"; torch's text advises weights_only=False
        raise CheckpointError(
            f"{path} is not a landmark-train checkpoint ({torch_load_failure(path, exc)})"
        ) from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a landmark-train checkpoint (format {FORMAT})")
    return state


def best_checkpoint_of(run_dir: Path) -> Path:
    """The checkpoint a run folder's best model is in: best.pt, or best.pt.pending when
    the run was stopped after saving that epoch's last.pt and before renaming it (and
    not resumed since), or last.pt when no epoch was better than none."""
    folder = checkpoint_dir(run_dir)
    pending = folder / BEST_PENDING
    if pending.is_file() and _same_epoch(pending, folder / LAST):
        return pending
    return folder / BEST if (folder / BEST).is_file() else folder / LAST
