"""Plain value objects the index hands out: photos, errors, predictions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Prediction:
    """One ranked guess of the classifier: the stand-in for model.predictor.Prediction
    (same fields) when the model package cannot be imported. Anything with these
    three attributes can be passed to PhotoIndex.set_predictions."""

    landmark_id: str
    label: str
    score: float


def prediction_type() -> type:
    """model.predictor.Prediction (imported on first use: it pulls in numpy),
    else the stand-in above."""
    try:
        from model.predictor import Prediction as ModelPrediction
    except ImportError:
        return Prediction
    return ModelPrediction


@dataclass(frozen=True)
class PhotoRecord:
    """One photo as the index knows it: its files, metadata and current label."""

    id: int
    path: str
    files: list[str] = field(default_factory=list)
    folder: str = ""
    label: str | None = None
    landmark_id: str | None = None
    score: float | None = None
    state: str = "unlabelled"
    source: str | None = None
    model_id: str | None = None
    taken_at: str | None = None
    camera: str | None = None
    camera_make: str | None = None
    camera_model: str | None = None
    lens: str | None = None
    orientation: int | None = None
    width: int | None = None
    height: int | None = None
    gps_lat: float | None = None
    gps_lon: float | None = None
    has_raw: bool = False
    missing: bool = False

    def to_json(self) -> dict[str, Any]:
        """The object `--json` prints for this photo (strings safe for JSON)."""
        return {
            "id": self.id,
            "path": printable_path(self.path),
            "files": [printable_path(p) for p in self.files],
            "label": self.label,
            "landmark_id": self.landmark_id,
            "score": self.score,
            "state": self.state,
            "source": self.source,
            "taken_at": self.taken_at,
            "camera": self.camera,
            "lens": self.lens,
            "orientation": self.orientation,
            "width": self.width,
            "height": self.height,
            "gps": None if self.gps_lat is None or self.gps_lon is None else [self.gps_lat, self.gps_lon],
            "has_raw": self.has_raw,
            "missing": self.missing,
        }


@dataclass(frozen=True)
class ErrorRecord:
    """A per-file problem recorded during a job (the job went on)."""

    id: int
    path: str | None
    photo_id: int | None
    stage: str
    message: str
    run_id: int | None
    at: str | None
    # the photo it names is missing (its file deleted or moved out of the library since): a
    # search finds it only with is:missing, which `stats --errors` and the Problems panel say
    missing: bool = False


# Control characters a file name may hold, as `ls -b` shows them.
_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(32), 0x7F)} | {
    ord("\n"): "\\n", ord("\t"): "\\t", ord("\r"): "\\r"}


def one_line_text(text: str) -> str:
    """Text shown on one line (a terminal's line, a tile's caption, a list's cell): a
    newline or tab in a file name is shown escaped, as `ls -b` does, so a name never
    spills onto the next line (JSON output and the index keep names exact)."""
    return printable_path(str(text)).translate(_ESCAPES)


def printable_path(path: str) -> str:
    """A path string that can be encoded as UTF-8 (surrogate escapes of non-UTF-8
    names become U+FFFD; the index keeps the exact name)."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
