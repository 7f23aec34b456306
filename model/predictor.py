"""Inference on a model bundle: images → embeddings and class cosines → calibrated top-k.

ONNX Runtime is the runtime (measured faster than torch on CPU here, see
benchmarks/inference_runtime.py); a torch network can be used instead when one is at
hand (training, evaluation) and torch is importable.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from model.bundle import ModelBundle, load_bundle
from model.errors import ModelError
from model.image_detail import featureless, unscored
from model.places import apply_factors
from model.preprocess import normalize_batch, prepare_image
from model.scoring import score_classes

RUNTIMES = ("auto", "onnxruntime", "torch")
TAUGHT_ID_PREFIX = "taught:"


@dataclass(frozen=True)
class Prediction:
    """One ranked guess: the landmark's id, its readable label and a calibrated score in [0, 1]."""

    landmark_id: str
    label: str
    score: float


@dataclass(frozen=True)
class TaughtReferences:
    """Reference embeddings the user taught: one label per vector [K, D] (labels may repeat)."""

    labels: list[str]
    vectors: np.ndarray


def _session_options(threads: int | None, spin: bool):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.inter_op_num_threads = 1
    if threads:
        options.intra_op_num_threads = int(threads)
    # Spinning threads burn CPU between batches that decode workers could use.
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
    return options


class Predictor:
    """Runs a bundle's network and scores its outputs.

    runtime: "onnxruntime", "torch" (needs `network=`, a torch LandmarkNet matching the
    bundle) or "auto" (ONNX Runtime, or torch when only a network is usable).
    threads: ONNX Runtime intra-op threads (None: its default, all cores).
    spin: let idle ONNX Runtime threads busy-wait (faster alone, slower when decode
    workers share the cores; off by default).
    """

    def __init__(
        self,
        bundle: ModelBundle | str | Path,
        runtime: str = "auto",
        threads: int | None = None,
        network: Any | None = None,
        spin: bool = False,
    ) -> None:
        if runtime not in RUNTIMES:
            raise ModelError(f"unknown runtime {runtime!r}; choose one of {', '.join(RUNTIMES)}")
        self.bundle = bundle if isinstance(bundle, ModelBundle) else load_bundle(bundle)
        self.threads = threads
        self.spin = spin
        self._session = None
        self._network = None
        if runtime == "torch" or (runtime == "auto" and network is not None and not _has_onnxruntime()):
            self._network = self._prepare_torch(network, threads)
            self.runtime = "torch"
        else:
            if not _has_onnxruntime():
                raise ModelError("onnxruntime is not installed; run `pip install onnxruntime`")
            self._session = self._make_session(threads)
            self.runtime = "onnxruntime"
        gallery = self.bundle.gallery
        self._gallery_vectors = None if gallery is None else gallery.vectors
        self._gallery_classes = None if gallery is None else gallery.classes

    def _make_session(self, threads: int | None):
        import onnxruntime as ort

        try:
            return ort.InferenceSession(
                self.bundle.onnx_bytes, _session_options(threads, self.spin), providers=["CPUExecutionProvider"]
            )
        except Exception as error:  # ORT raises its own untyped errors
            raise ModelError(f"ONNX Runtime cannot load the network of {self.bundle.path}: {error}") from error

    @staticmethod
    def _prepare_torch(network: Any, threads: int | None):
        if network is None:
            raise ModelError("runtime='torch' needs network=<LandmarkNet>; bundles carry ONNX only")
        try:
            import torch
        except ImportError:
            raise ModelError("runtime='torch' needs torch; install the training extras") from None
        if threads:
            torch.set_num_threads(int(threads))
        return network.float().cpu().eval()

    @property
    def input_size(self) -> int:
        return self.bundle.input_size

    def embed(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """float32 NCHW → (embeddings [N, D], cosines [N, C]), both float32."""
        embeddings, cosines, _ = self._run(batch, with_descriptors=False)
        return embeddings, cosines

    def embed_all(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """float32 NCHW → (embeddings, cosines, descriptors [N, F] or None when the
        bundle has no descriptors)."""
        return self._run(batch, with_descriptors=bool(self.bundle.descriptor_size))

    def _run(self, batch: np.ndarray, with_descriptors: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        batch = np.ascontiguousarray(batch, dtype=np.float32)
        size = self.bundle.input_size
        if batch.ndim != 4 or batch.shape[1:] != (3, size, size):
            raise ModelError(f"expected a float32 batch [N, 3, {size}, {size}], got shape {batch.shape}")
        names = ["embeddings", "cosines"] + (["descriptors"] if with_descriptors else [])
        if self._session is not None:
            outputs = self._session.run(names, {"images": batch})
        else:
            import torch

            with torch.inference_mode():
                outputs = [t.float().numpy() for t in self._network(torch.from_numpy(batch))]
        if with_descriptors and len(outputs) < 3:
            raise ModelError("the network outputs no descriptors although the bundle declares them")
        return outputs[0], outputs[1], outputs[2] if with_descriptors else None

    def prepare(self, images: Sequence[Any]) -> np.ndarray:
        """PIL images → the normalised float32 batch the network eats."""
        p = self.bundle.preprocessing
        return normalize_batch(np.stack([prepare_image(img, p) for img in images]), p)

    def classify(
        self,
        embeddings: np.ndarray,
        cosines: np.ndarray,
        extra: TaughtReferences | tuple[Sequence[str], np.ndarray] | None = None,
        k: int = 5,
        factors: np.ndarray | None = None,
    ) -> list[list[Prediction]]:
        """The top-k predictions per image, built-in and taught labels on one calibrated scale.

        Taught labels get landmark_id "taught:<label>" unless they name a built-in class.
        factors: [N, C] from model.places.location_factors (where the photos were taken).
        "No landmark" is the caller's decision: compare the top score with bundle.threshold.
        """
        taught_labels: list[str] | None = None
        taught_vectors = None
        if extra is not None:
            labels, vectors = (extra.labels, extra.vectors) if isinstance(extra, TaughtReferences) else extra
            taught_labels = [str(label) for label in labels]
            taught_vectors = np.asarray(vectors, dtype=np.float32)
        names = self.bundle.class_names()
        scored = score_classes(
            embeddings,
            cosines,
            self.bundle.scoring,
            class_names=names,
            gallery_vectors=self._gallery_vectors,
            gallery_classes=self._gallery_classes,
            taught_labels=taught_labels,
            taught_vectors=taught_vectors,
        )
        ids = [entry.landmark_id for entry in self.bundle.labels]
        ids += [TAUGHT_ID_PREFIX + label for label in scored.taught_labels]
        names = names + scored.taught_labels
        return top_predictions(apply_factors(scored.probabilities, factors), ids, names, k)

    def predict(self, images: Sequence[Any], k: int = 5, factors: np.ndarray | None = None) -> list[list[Prediction]]:
        """PIL images → top-k predictions (for evaluation, scripts and tests). A frame
        with nothing in it (model.image_detail) gets the model's ranking at score 0, as
        the app tags it; factors: where the photos were taken (model.places)."""
        p = self.bundle.preprocessing
        pixels = np.stack([prepare_image(img, p) for img in images])
        embeddings, cosines = self.embed(normalize_batch(pixels, p))
        tops = self.classify(embeddings, cosines, k=k, factors=factors)
        return [unscored(top) if blank else top for top, blank in zip(tops, featureless(pixels))]


def top_predictions(
    probabilities: np.ndarray, ids: Sequence[str], names: Sequence[str], k: int
) -> list[list[Prediction]]:
    """The k most probable classes per row, best first."""
    if k < 1:
        raise ModelError(f"k={k} must be at least 1")
    k = min(k, probabilities.shape[1])
    if k < probabilities.shape[1]:
        top = np.argpartition(-probabilities, k - 1, axis=1)[:, :k]
    else:
        top = np.tile(np.arange(probabilities.shape[1]), (probabilities.shape[0], 1))
    results: list[list[Prediction]] = []
    for row, candidates in enumerate(top):
        # Ties are broken by class order so results are stable.
        ranked = sorted(candidates, key=lambda j: (-probabilities[row, j], j))
        results.append([Prediction(ids[j], names[j], float(probabilities[row, j])) for j in ranked])
    return results


def _has_onnxruntime() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True
