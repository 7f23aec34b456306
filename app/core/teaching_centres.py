"""Built-in class cosines from stored embeddings, so `suggest` never decodes a photo.

The network's cosine head is a matrix of L2-normalised class centres (k sub-centres
per class); cosines = embeddings @ centres.T, max over sub-centres. The bundle carries
that matrix inside its ONNX graph; we read it from there once per bundle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.errors import BundleError

if TYPE_CHECKING:
    from model.bundle import ModelBundle


def class_centres(bundle: "ModelBundle") -> np.ndarray:
    """The bundle's class centres [C, k, D], L2-normalised. Raises BundleError when the
    network holds no matrix that fits C classes of D-dimensional embeddings."""
    given = getattr(bundle, "centres", None)
    matrix = np.asarray(given, dtype=np.float32) if given is not None else _centres_from_onnx(bundle)
    num_classes, dim = bundle.num_classes, bundle.embedding_size
    if matrix.ndim == 2 and matrix.shape[1] != dim and matrix.shape[0] == dim:
        matrix = matrix.T  # exported as MatMul's right-hand side [D, C*k]
    if matrix.ndim != 2 or matrix.shape[1] != dim or matrix.shape[0] % num_classes:
        raise BundleError(
            f"model bundle {bundle.path}: its class centres have shape {matrix.shape}, "
            f"expected [{num_classes}×k, {dim}]; re-export the bundle"
        )
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = matrix / np.maximum(norms, 1e-12)
    return matrix.reshape(num_classes, matrix.shape[0] // num_classes, dim)


def centre_cosines(embeddings: np.ndarray, centres: np.ndarray, chunk: int = 8192) -> np.ndarray:
    """Cosines [N, C] of L2-normalised embeddings to the class centres (max over
    sub-centres), computed in chunks to bound memory."""
    num_classes, sub, dim = centres.shape
    flat = centres.reshape(num_classes * sub, dim)
    out = np.empty((embeddings.shape[0], num_classes), dtype=np.float32)
    for start in range(0, embeddings.shape[0], chunk):
        block = embeddings[start : start + chunk] @ flat.T
        out[start : start + chunk] = block.reshape(-1, num_classes, sub).max(axis=2)
    return out


def _centres_from_onnx(bundle: "ModelBundle") -> np.ndarray:
    """The cosine head's weight, found among the ONNX graph's initialisers: a 2-D
    matrix with one side D (embedding size) and the other a multiple of C; a name
    containing "head" wins ties."""
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        raise BundleError(
            "re-scoring stored embeddings needs the `onnx` package to read the class centres "
            "of a bundle; run `pip install onnx`"
        ) from None
    graph = onnx.load_from_string(bundle.onnx_bytes).graph
    num_classes, dim = bundle.num_classes, bundle.embedding_size
    candidates = []
    for init in graph.initializer:
        dims = list(init.dims)
        if len(dims) != 2:
            continue
        rows, cols = dims
        fits = (cols == dim and rows % num_classes == 0) or (rows == dim and cols % num_classes == 0)
        if fits:
            candidates.append((0 if "head" in init.name else 1, init.name, init))
    if not candidates:
        raise BundleError(
            f"model bundle {bundle.path}: no class-centre matrix for {num_classes} classes × {dim} "
            "found in its network; re-export the bundle"
        )
    candidates.sort(key=lambda item: (item[0], item[1]))
    return numpy_helper.to_array(candidates[0][2]).astype(np.float32)
