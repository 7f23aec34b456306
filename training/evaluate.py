"""`landmark-train evaluate`: μAP, accuracy and per-class figures of a model bundle on
a folder per class or a prepared split, or of Kaggle prediction/solution files.

    evaluate_bundle(bundle, data_dir=...)            # folder per class
    evaluate_bundle(bundle, manifest=..., split="val")
    evaluate_kaggle(predictions_csv, solution_csv)

Folder names are matched to the bundle's labels (by readable name or landmark id);
folders the bundle does not know are non-landmark queries, where any prediction is
wrong. A query abstains when its top score is under `threshold` (None: never).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from model.labels import label_form
from training.datasets import csv_rows, load_manifest
from training.errors import DatasetError
from training.metrics import Metrics, Predictions, Truth, compute_metrics, confusion_counts


@dataclass
class Evaluation:
    """Metrics plus what is needed to draw the confusion plot."""

    metrics: Metrics
    predictions: dict[str, tuple[str, float]]
    truth: dict[str, str | None]
    classes: list[str]  # landmark ids in bundle order
    names: dict[str, str]  # landmark id → readable name
    errors: dict[str, str] = field(default_factory=dict)  # unreadable photo → why (skipped)
    warnings: list[str] = field(default_factory=list)
    # --data only: photos scored by kind ('jpeg', 'raw', …); other files by why left out
    kinds_read: Counter = field(default_factory=Counter)
    left_out: Counter = field(default_factory=Counter)

    def to_json(self) -> dict:
        out = self.metrics.to_json()
        for figures in out["per_class"].values():
            figures["name"] = self.names.get(figures["landmark_id"], figures["landmark_id"])
        if self.kinds_read or self.left_out:
            out["files"] = {"read": dict(self.kinds_read), "unreadable": len(self.errors), "left_out": dict(self.left_out)}
        return out

    def files_line(self) -> str | None:
        """How many photos of each kind were read, skipped and left out (--data only)."""
        if not (self.kinds_read or self.left_out):
            return None
        from training.query_files import files_summary

        return files_summary(self.kinds_read, len(self.errors), self.left_out)


# ------------------------------------------------------------------ Kaggle files


def read_kaggle_predictions(path: Path) -> Predictions:
    """`id,landmarks` where landmarks is "<landmark id> <score>" or empty (abstain).

    Raises DatasetError naming the line of a malformed row, a score that is not a
    finite number (NaN would break the confidence order μAP is computed in) or a
    query id given twice."""
    out: dict[str, tuple[str, float]] = {}
    seen: dict[str, int] = {}
    for line, row in _read_csv(path, ("id", "landmarks")):
        _check_once(path, line, row["id"], seen)
        value = (row["landmarks"] or "").split()
        if not value:
            continue
        if len(value) != 2:
            raise DatasetError(
                f"{path} line {line}: row {row['id']!r} has landmarks {row['landmarks']!r}; expected 'landmark score'"
            )
        try:
            score = float(value[1])
        except ValueError:
            score = math.nan
        if not math.isfinite(score):
            raise DatasetError(
                f"{path} line {line}: row {row['id']!r} has a score ({value[1]!r}) that is not a finite number"
            )
        out[row["id"]] = (value[0], score)
    return out


def _check_once(path: Path, line: int, query: str, seen: dict[str, int]) -> None:
    if query in seen:
        raise DatasetError(
            f"{path} line {line}: id {query!r} was already given on line {seen[query]}; give each id once"
        )
    seen[query] = line


USAGES = ("Public", "Private")


def read_kaggle_solution(path: Path, usage: str | None = None) -> dict[str, list[str]]:
    """`id,landmarks,Usage` → {id: true landmark ids (empty: non-landmark)}; rows with
    Usage "Ignored" are dropped, and `usage` ("Public"/"Private") keeps only those.

    Raises DatasetError for another `usage` or an id given twice (naming the line)."""
    if usage is not None and usage.lower() not in {u.lower() for u in USAGES}:
        raise DatasetError(f"--usage {usage!r} is not a Kaggle usage; use {' or '.join(USAGES)} (or leave it out)")
    out: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    for line, row in _read_csv(path, ("id", "landmarks")):
        _check_once(path, line, row["id"], seen)
        row_usage = (row.get("Usage") or "").strip()
        if row_usage.lower() == "ignored" or (usage and row_usage.lower() != usage.lower()):
            continue
        out[row["id"]] = (row["landmarks"] or "").split()
    return out


def truth_for(solution: dict[str, list[str]], predictions: Predictions) -> Truth:
    """Single-answer truth; where a query has several true landmarks, the predicted one
    counts as the answer when it is among them."""
    truth: dict[str, str | None] = {}
    for query, landmarks in solution.items():
        guess = predictions.get(query, (None, 0.0))[0]
        truth[query] = guess if guess in landmarks else (landmarks[0] if landmarks else None)
    return truth


def evaluate_kaggle(predictions_csv: Path, solution_csv: Path, usage: str | None = None) -> Evaluation:
    predictions = read_kaggle_predictions(predictions_csv)
    truth = truth_for(read_kaggle_solution(solution_csv, usage), predictions)
    classes = sorted({lm for lm in truth.values() if lm is not None})
    return Evaluation(compute_metrics(predictions, truth), dict(predictions), truth, classes, {})


def _read_csv(path: Path, needed: tuple[str, ...]) -> list[tuple[int, dict]]:
    """(line number, row) of a CSV file with a header naming at least `needed`."""
    return list(csv_rows(path, needed))


# ------------------------------------------------------------------ bundles


def _queries_from_folder(data_dir: Path, ids_by_name: dict[str, str], found) -> list[tuple[str, Path, str | None]]:
    """(query id, file, true landmark) of the photos `found` (training.query_files) holds:
    the id is the path under `data_dir`, so photos with the same name in different
    sub-folders stay apart."""
    queries = []
    for folder, files in found.by_class.items():
        # the bundle's names are in label_form; a folder listed on another system may not be
        landmark = ids_by_name.get(folder, ids_by_name.get(label_form(folder)))
        for path in files:
            queries.append((f"{folder}/{path.relative_to(Path(data_dir) / folder).as_posix()}", path, landmark))
    return queries


def _queries_from_manifest(manifest, split: str, known: set[str]) -> list[tuple[str, Path, str | None]]:
    images = manifest.split(split)
    if not images:
        raise DatasetError(f"{manifest.folder} has no images in split {split!r}; use train or val")
    return [(i.key, manifest.cache_path(i), i.landmark_id if i.landmark_id in known else None) for i in images]


def manifest_mismatch(bundle_extra: dict, manifest) -> str | None:
    """A warning when the bundle records the prepared split it was trained on and
    `manifest` has another one (its validation images may then have been trained on)."""
    trained = ((bundle_extra or {}).get("training") or {}).get("manifest") or {}
    expected = trained.get("fingerprint")
    if not expected:
        return None
    found = manifest.split_fingerprint()
    if found == expected:
        return None
    return (
        f"the bundle was trained on another prepared split (fingerprint {expected}, from "
        f"{trained.get('path', 'an unknown folder')}) than {manifest.folder} ({found}); its figures on this "
        "split may include training images — evaluate on the `prepare` output it was trained on"
    )


def no_class_in_common(bundle, manifest) -> str:
    """Why scoring `bundle` on `manifest` would mean nothing: none of the manifest's
    classes is one of its landmarks (every query would count as a miss, μAP 0)."""
    trained = (((bundle.extra or {}).get("training") or {}).get("manifest") or {}).get("path")
    where = f" ({trained})" if trained else ""
    # queries are matched by landmark id: show the ids (the names of two datasets may agree)
    return (
        f"the landmark ids of the {len(manifest.classes)} classes of {manifest.folder} "
        f"({_some_ids((c.landmark_id, c.name) for c in manifest.classes)}) are none of the bundle's "
        f"{len(bundle.labels)} ({_some_ids((e.landmark_id, e.name) for e in bundle.labels)}): was it prepared from "
        f"another dataset? Its μAP would be 0 by construction; evaluate on the prepared dataset it was trained "
        f"on{where}"
    )


def _some_ids(entries, count: int = 3) -> str:
    """A few landmark ids, each with its name where that is not the id itself."""
    entries = list(entries)
    shown = ", ".join(repr(i) if i == name else f"{i!r} ({name})" for i, name in entries[:count])
    return shown + (", …" if len(entries) > count else "")


def _some(names, count: int = 3) -> str:
    names = list(names)
    shown = ", ".join(repr(n) for n in names[:count])
    return shown + (", …" if len(names) > count else "")


def _read_query(path: Path, preprocessing, cached: bool):
    """A query photo as the network's source image. A full-size photo is decoded by the
    app's own decoder (app.core.decode, imported rather than copied so the two cannot
    drift): EXIF orientation applied, drafted to decode_min_side, previews used as the
    tag job uses them. A prepared split's cached file is read whole, as validation reads
    it (training/data.py), so that `evaluate` of a bundle gives the figure metrics.csv
    and the card give on that split; `prepare` already applied the orientation, and
    drafting a cached file would reduce it a second time (other pixels when it is
    >= 2 x input_size)."""
    if not cached:
        from app.core.decode import decode_for_model  # an exception to the layers (tests/test_layers.py)
        from model.preprocess import decode_min_side

        return decode_for_model(path, decode_min_side(preprocessing))
    from PIL import Image

    from training.prepare import to_rgb

    with Image.open(path) as img:
        return to_rgb(img)


def evaluate_bundle(
    bundle,
    data_dir: Path | None = None,
    manifest: Path | None = None,
    split: str = "val",
    threshold: float | None = None,
    batch_size: int = 32,
    threads: int | None = None,
    progress=None,
) -> Evaluation:
    """Run a bundle (path or ModelBundle) through model.predictor on every query image.

    Give exactly one of `data_dir` (folder per class) or `manifest` (+ `split`).
    `progress(done, total)` is called after each batch.
    """
    from model.bundle import ModelBundle, load_bundle
    from model.predictor import Predictor

    if (data_dir is None) == (manifest is None):
        raise DatasetError("give either a data folder (--data) or a prepared manifest (--manifest)")
    loaded = bundle if isinstance(bundle, ModelBundle) else load_bundle(bundle)
    predictor = Predictor(loaded, threads=threads)
    ids = [entry.landmark_id for entry in loaded.labels]
    names = {entry.landmark_id: entry.name for entry in loaded.labels}
    ids_by_name = {**{e.landmark_id: e.landmark_id for e in loaded.labels}, **{e.name: e.landmark_id for e in loaded.labels}}
    warnings: list[str] = []
    found = None
    if data_dir is not None:
        from training.query_files import query_files

        found = query_files(Path(data_dir))
        queries = _queries_from_folder(Path(data_dir), ids_by_name, found)
        if queries and not any(landmark is not None for _, _, landmark in queries):
            warnings.append(
                f"no folder in {data_dir} is named after one of the bundle's {len(ids)} landmarks (such as "
                f"{_some(names.values())}): every photo is a non-landmark query, and μAP is 0 by construction"
            )
    else:
        prepared = load_manifest(Path(manifest))
        mismatch = manifest_mismatch(loaded.extra, prepared)
        if mismatch:
            warnings.append(mismatch)
        queries = _queries_from_manifest(prepared, split, set(ids))
        if not any(landmark is not None for _, _, landmark in queries):
            raise DatasetError(no_class_in_common(loaded, prepared))
    errors: dict[str, str] = {}
    predictions: dict[str, tuple[str, float]] = {}
    for start in range(0, len(queries), batch_size):
        chunk = []
        images = []
        for query in queries[start : start + batch_size]:
            try:
                images.append(_read_query(query[1], loaded.preprocessing, cached=manifest is not None))
            except Exception as exc:  # one bad photo is reported and skipped, the rest are scored
                errors[str(query[1])] = f"{type(exc).__name__}: {exc}"
                continue
            chunk.append(query)
        for (query, _, _), top in zip(chunk, predictor.predict(images, k=1) if images else []):
            best = top[0]
            if threshold is None or best.score >= threshold:
                predictions[query] = (best.landmark_id, best.score)
        if progress is not None:
            progress(min(start + batch_size, len(queries)), len(queries))
    truth = {q: lm for q, path, lm in queries if str(path) not in errors}
    if not truth:
        raise DatasetError(f"none of the {len(queries)} photos could be read; the first: {next(iter(errors.values()))}")
    metrics = compute_metrics(predictions, truth, known_landmarks=set(ids))
    evaluation = Evaluation(metrics, predictions, truth, ids, names, errors, warnings)
    if found is not None:
        evaluation.kinds_read = Counter(found.kinds[path] for _, path, _ in queries if str(path) not in errors)
        evaluation.left_out = found.left_out
    return evaluation


# ------------------------------------------------------------------ reporting


def write_confusion_plot(evaluation: Evaluation, path: Path, max_classes: int = 60) -> Path:
    """Row-normalised confusion matrix as a PNG (the most frequent classes when there
    are more than `max_classes`); the last row/column hold non-landmark queries and
    abstentions."""
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np
    from matplotlib.figure import Figure

    support: dict[str, int] = {}
    for landmark in evaluation.truth.values():
        if landmark is not None:
            support[landmark] = support.get(landmark, 0) + 1
    classes = sorted(evaluation.classes, key=lambda c: -support.get(c, 0))[:max_classes]
    classes = [c for c in evaluation.classes if c in set(classes)]
    counts = np.asarray(confusion_counts(evaluation.predictions, evaluation.truth, classes), dtype=float)
    rows = counts.sum(axis=1, keepdims=True)
    normalised = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0)
    labels = [evaluation.names.get(c, c)[:28] for c in classes]
    side = max(5.0, 0.22 * len(labels) + 3)
    figure = Figure(figsize=(side, side), dpi=100)
    axes = figure.add_subplot()
    axes.imshow(normalised, cmap="Blues", vmin=0, vmax=1)
    ticks = list(range(len(labels) + 1))
    axes.set_xticks(ticks, labels + ["other / none"], rotation=90, fontsize=7)
    axes.set_yticks(ticks, labels + ["non-landmark"], fontsize=7)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title(f"μAP {evaluation.metrics.gap:.3f}, accuracy {evaluation.metrics.accuracy:.3f}")
    figure.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    return path


def format_report(evaluation: Evaluation, max_rows: int = 50) -> str:
    """The human-readable summary `evaluate` prints."""
    m = evaluation.metrics
    lines = [
        f"μAP (GAP) {m.gap:.4f}   top-1 accuracy {m.accuracy:.4f}   "
        f"queries {m.queries} ({m.landmark_queries} of known landmarks), predictions {m.predictions}",
        "",
        f"{'landmark':40} {'support':>7} {'correct':>7} {'recall':>7} {'precision':>9}",
    ]
    rows = sorted(m.per_class.values(), key=lambda f: (-f.support, f.landmark_id))
    for figures in rows[:max_rows]:
        name = evaluation.names.get(figures.landmark_id, figures.landmark_id)[:40]
        lines.append(
            f"{name:40} {figures.support:7d} {figures.correct:7d} {figures.recall:7.3f} {figures.precision:9.3f}"
        )
    if len(rows) > max_rows:
        lines.append(f"… {len(rows) - max_rows} more classes (use --json for all)")
    files = evaluation.files_line()
    if files:
        lines += ["", files]
    return "\n".join(lines)
