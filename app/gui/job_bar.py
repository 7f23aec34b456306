"""The strip under the grid while a job runs: what, how far, how fast, and Cancel."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QProgressBar, QPushButton

from app.gui.elided_label import ElidedLabel
from app.gui.icons import icon
from app.gui.job_runner import JobProgress


def format_duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class JobBar(QFrame):
    """Hidden when idle; shows a progress bar, photos/s and ETA while a job runs."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("jobBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.setSpacing(12)
        # The window must still fit a laptop screen while a job runs: the texts give way
        # (cut with "…", whole in their tooltips) before the panels beside the grid do.
        self.title = ElidedLabel()
        self.title.setMinimumWidth(50)
        self.bar = QProgressBar()
        self.bar.setFixedHeight(10)
        self.bar.setTextVisible(False)
        self.bar.setMinimumWidth(40)
        self.detail = ElidedLabel()
        self.detail.setProperty("role", "muted")
        self.detail.setMinimumWidth(70)
        self.cancel_button = QPushButton(icon("cancel"), "Cancel")
        self.cancel_button.setToolTip("Stop the job (Esc)")
        layout.addWidget(self.title)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.cancel_button)
        self._stopping_words = ""  # what a cancelled job finishes before it stops (cancelling)
        self.hide()

    def begin(self, title: str) -> None:
        self.title.setText(title)
        self.bar.setRange(0, 0)  # busy until the first report
        self.detail.setText("starting…")
        self._stopping_words = ""
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel")
        self.show()

    def update_progress(self, progress: JobProgress) -> None:
        if progress.total:
            self.bar.setRange(0, progress.total)
            self.bar.setValue(min(progress.done, progress.total))
            counts = f"{progress.done:,} / {progress.total:,}"
        else:
            counts = f"{progress.done:,}"
        parts = [counts]  # what matters most first: a narrow bar cuts the end
        if self._stopping_words:  # no ETA for a run that is stopping: what it finishes first
            parts.append(self._stopping_words)
        elif progress.eta_s is not None:
            parts.append(f"ETA {format_duration(progress.eta_s)}")
        elif progress.message:
            parts.append(progress.message)
        if progress.rate:
            parts.append(f"{progress.rate:.1f} photos/s")
        self.detail.setText("  ·  ".join(parts))

    def cancelling(self, words: str = "Cancelling…") -> None:
        """Cancel pressed: `words` say what the job finishes before it stops, in place of the ETA."""
        self._stopping_words = words
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Stopping…")
        counts = self.detail.full_text().split("  ·  ")[0] if self.bar.maximum() else ""
        self.detail.setText(f"{counts}  ·  {words}" if counts else words)

    def end(self) -> None:
        self.hide()
