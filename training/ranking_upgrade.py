"""A run resumed across the change of validation ranking: before a2ea956 the μAP in
metrics.csv and a checkpoint ranked the queries by the network's top cosine; since, by
the bundle's calibrated score (training.validation). The two figures are not comparable,
so best.pt is scored again under the current ranking before a later epoch is compared
with it, and each metrics.csv row says which ranking its μAP uses (val_ranking)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

CURRENT = "calibrated"  # what training.validation ranks by now; the checkpoint's "metrics_ranking"
COSINE = "cosine"  # what a checkpoint without "metrics_ranking" ranked by


def _ranking_and_epoch(path: Path) -> tuple[str, int] | None:
    """(ranking, epoch) a checkpoint file records, without reading its weights in;
    None when it cannot be read."""
    import torch

    if not Path(path).is_file():
        return None
    try:
        state = torch.load(str(path), map_location="cpu", weights_only=True, mmap=True)
        return state.get("metrics_ranking") or COSINE, int(state["epoch"])
    except Exception:  # a file cut short, or not a checkpoint
        return None


def history_with_rankings(state: dict, best_path: Path) -> list[dict]:
    """The checkpoint's history, each validated row marked with its ranking. Rows of an
    earlier version carry no mark: all are cosine-ranked when the checkpoint says nothing;
    when it says calibrated but best.pt does not (a run resumed by a version that did not
    compare them), best.pt's epoch and those before it were cosine-ranked."""
    held = _ranking_and_epoch(best_path)
    last_ranking = state.get("metrics_ranking") or COSINE
    rows = []
    for record in state["history"]:
        row = dict(record)
        if row.get("val_gap") is None:
            row["val_ranking"] = None
        elif not row.get("val_ranking"):
            older = held is not None and held[0] != CURRENT and int(row["epoch"]) <= held[1]
            row["val_ranking"] = CURRENT if last_ranking == CURRENT and not older else COSINE
        rows.append(row)
    return rows


def rescore_best_if_ranked_otherwise(
    rows: list[dict], best_path: Path, best_gap: float | None, score: Callable[[Path], object],
    note: Callable[[str], None],
) -> tuple[list[dict], float | None]:
    """(rows, the μAP a later epoch must beat): when best.pt's epoch is cosine-ranked in
    `rows`, best.pt is scored again with `score` (its Metrics under the current ranking,
    one validation pass) and its row takes those figures; else both as given."""
    held = _ranking_and_epoch(best_path)
    if held is None:
        return rows, best_gap
    epoch = held[1]
    row = next((r for r in rows if int(r["epoch"]) == epoch), None)
    if row is not None and row.get("val_ranking") in (CURRENT, None):
        return rows, best_gap
    metrics = score(best_path)
    was = "" if row is None or row.get("val_gap") is None else f" (was {row['val_gap']:.4f} by the top cosine)"
    if row is not None:
        row.update(val_gap=metrics.gap, val_accuracy=metrics.accuracy, val_ranking=CURRENT)
    note(f"this run's μAP was ranked by the top cosine until now (an earlier version): best.pt (epoch {epoch}) "
         f"scored again by the calibrated score, val μAP {metrics.gap:.4f}{was}, which later epochs must beat; "
         "metrics.csv's val_ranking says which ranking each row uses")
    return rows, metrics.gap


def score_checkpoint_on(path: Path, val_set, device, batch_size: int, workers: int, scale: float):
    """Metrics of the checkpoint file `path` on the validation set of the running
    training, ranked as training.validation ranks now."""
    from training.checkpoint import load_checkpoint
    from training.export import network_from_checkpoint
    from training.validation import metrics_from_predictions, predict_images

    net = network_from_checkpoint(load_checkpoint(path)).to(device)
    predicted = predict_images(net, val_set, device, batch_size, workers, scale=scale)
    return metrics_from_predictions(val_set.manifest, val_set.images, predicted)
