"""What a run leaves behind for people: metrics.csv (one row per epoch), TensorBoard
events (when tensorboard is installed) and PNG plots of loss, learning rate and μAP.

Only rank 0 creates a RunLog; the others pass None to the trainer. A run started afresh
over an earlier one removes that run's outputs first (remove_earlier_outputs): TensorBoard
reads every events file in tensorboard/, and showed both runs' curves as one run.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from training.errors import writing

METRICS_CSV = "metrics.csv"  # one row per finished epoch
TENSORBOARD_DIR = "tensorboard"
PLOTS = ("loss.png", "lr.png", "gap.png")  # write_plots
# val_ranking: what ranked the queries for val_gap ("calibrated"; "cosine" in rows of
# a version before a2ea956 that a resumed run carries on, see training.ranking_upgrade)
COLUMNS = ("epoch", "step", "train_loss", "lr", "val_gap", "val_accuracy", "images_per_s", "seconds", "val_ranking")


@dataclass
class EpochRecord:
    epoch: int
    step: int
    train_loss: float
    lr: float
    val_gap: float | None
    val_accuracy: float | None
    images_per_s: float
    seconds: float
    val_ranking: str | None = None

    def to_row(self) -> dict:
        return {k: ("" if getattr(self, k) is None else getattr(self, k)) for k in COLUMNS}

    @classmethod
    def from_row(cls, row: dict) -> "EpochRecord":
        def num(value, kind=float):
            return None if value in ("", None) else kind(value)

        return cls(
            int(row["epoch"]), int(row["step"]), float(row["train_loss"]), float(row["lr"]),
            num(row["val_gap"]), num(row["val_accuracy"]), float(row["images_per_s"]), float(row["seconds"]),
            row.get("val_ranking") or None,
        )


@dataclass
class RunLog:
    run_dir: Path
    tensorboard: bool = True
    plots: bool = True
    history: list[EpochRecord] = field(default_factory=list)
    # a resumed run: the optimizer steps it keeps. TensorBoard hides what an earlier
    # process logged after them (the steps of an epoch it did not finish), which this
    # run logs again.
    resumed_at_step: int | None = None

    def __post_init__(self) -> None:
        self.run_dir = Path(self.run_dir)
        with writing(self.run_dir, "--run-dir"):
            self.run_dir.mkdir(parents=True, exist_ok=True)
        self._writer = None
        if self.tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError:  # tensorboard is optional
                self._writer = None
            else:
                purge = None if self.resumed_at_step is None else self.resumed_at_step + 1
                self._writer = SummaryWriter(log_dir=str(self.run_dir / TENSORBOARD_DIR), purge_step=purge)

    @property
    def csv_path(self) -> Path:
        return self.run_dir / METRICS_CSV

    def restore(self, history: list[EpochRecord]) -> None:
        """After --resume: keep the rows up to the checkpoint's epoch, drop later ones."""
        self.history = list(history)
        self._rewrite_csv()

    def _rewrite_csv(self) -> None:
        with writing(self.csv_path, "--run-dir"), open(self.csv_path, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            writer.writeheader()
            for record in self.history:
                writer.writerow(record.to_row())

    def log_step(self, step: int, loss: float, lr: float) -> None:
        if self._writer is not None:
            self._writer.add_scalar("train/loss_step", loss, step)
            self._writer.add_scalar("train/lr", lr, step)

    def log_epoch(self, record: EpochRecord) -> None:
        self.history.append(record)
        new = not self.csv_path.exists()
        with writing(self.csv_path, "--run-dir"), open(self.csv_path, "a", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            if new:
                writer.writeheader()
            writer.writerow(record.to_row())
        if self._writer is not None:
            self._writer.add_scalar("epoch/train_loss", record.train_loss, record.epoch)
            self._writer.add_scalar("epoch/lr", record.lr, record.epoch)
            if record.val_gap is not None:
                self._writer.add_scalar("epoch/val_gap", record.val_gap, record.epoch)
                self._writer.add_scalar("epoch/val_accuracy", record.val_accuracy, record.epoch)
            self._writer.flush()
        if self.plots:
            write_plots(self.history, self.run_dir)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


def remove_earlier_outputs(run_dir: Path) -> None:
    """Remove what an earlier run in `run_dir` logged (metrics.csv, the plots, its
    TensorBoard events files), so that a run started afresh there shows its own figures
    only. Other files in tensorboard/ are not this trainer's and stay."""
    run_dir = Path(run_dir)
    for name in (METRICS_CSV, *PLOTS):
        (run_dir / name).unlink(missing_ok=True)
    events = run_dir / TENSORBOARD_DIR
    if events.is_dir():
        for path in events.glob("events.out.tfevents.*"):
            path.unlink(missing_ok=True)


def write_plots(history: list[EpochRecord], folder: Path) -> list[Path]:
    """loss.png, lr.png and gap.png (μAP and accuracy) per epoch, drawn with Agg."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    epochs = [r.epoch for r in history]
    panels = {
        "loss.png": ("training loss", [("loss", [r.train_loss for r in history])]),
        "lr.png": ("learning rate (end of epoch)", [("lr", [r.lr for r in history])]),
        "gap.png": (
            "validation",
            [
                ("μAP", [r.val_gap if r.val_gap is not None else float("nan") for r in history]),
                ("accuracy", [r.val_accuracy if r.val_accuracy is not None else float("nan") for r in history]),
            ],
        ),
    }
    written = []
    for name, (title, series) in panels.items():
        figure = Figure(figsize=(5, 3.2), dpi=100)
        axes = figure.add_subplot()
        for label, values in series:
            axes.plot(epochs, values, marker="o", label=label)
        axes.set_xlabel("epoch")
        axes.set_title(title)
        if len(series) > 1:
            axes.legend()
        figure.tight_layout()
        path = Path(folder) / name
        with writing(path, "--run-dir"):
            figure.savefig(path)
        written.append(path)
    return written
