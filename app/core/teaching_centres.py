"""Built-in class cosines from stored embeddings, so `suggest` never decodes a photo.

The network's cosine head is a matrix of L2-normalised class centres (k sub-centres
per class); cosines = embeddings @ centres.T, max over sub-centres. The bundle carries
that matrix inside its ONNX graph; we read it from there (protobuf wire format).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.errors import BundleError
from model.onnx_info import first_message, message_fields, read_varint

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


# Field numbers from onnx.proto: ModelProto.graph, GraphProto.initializer, and
# TensorProto's dims, data_type, float_data, name, raw_data.
_MODEL_GRAPH, _GRAPH_INITIALIZER = 7, 5
_TENSOR_DIMS, _TENSOR_TYPE, _TENSOR_FLOATS, _TENSOR_NAME, _TENSOR_RAW = 1, 2, 4, 8, 9
_FLOAT = 1


def _centres_from_onnx(bundle: "ModelBundle") -> np.ndarray:
    """The cosine head's weight, found among the ONNX graph's float initialisers: a 2-D
    matrix with one side D (embedding size) and the other a multiple of C; a name
    containing "head" wins ties. Read from the protobuf wire format, so app installs
    need no `onnx` package."""
    num_classes, dim = bundle.num_classes, bundle.embedding_size
    candidates = []
    try:
        graph = first_message(memoryview(bundle.onnx_bytes), _MODEL_GRAPH)
        for field, wire, tensor in message_fields(graph if graph is not None else memoryview(b"")):
            if field != _GRAPH_INITIALIZER or wire != 2:
                continue
            name, dims, dtype, raw, floats = _tensor_header(tensor)
            if dtype != _FLOAT or len(dims) != 2:
                continue
            rows, cols = dims
            if (cols == dim and rows % num_classes == 0) or (rows == dim and cols % num_classes == 0):
                data = np.frombuffer(raw, dtype="<f4") if raw is not None else np.frombuffer(floats or b"", dtype="<f4")
                if data.size == rows * cols:
                    candidates.append((0 if "head" in name else 1, name, data.reshape(rows, cols)))
    except ValueError as error:
        raise BundleError(f"model bundle {bundle.path}: its network cannot be read ({error})") from error
    if not candidates:
        raise BundleError(
            f"model bundle {bundle.path}: no class-centre matrix for {num_classes} classes × {dim} "
            "found in its network; re-export the bundle"
        )
    candidates.sort(key=lambda item: (item[0], item[1]))
    return candidates[0][2].astype(np.float32)


def _tensor_header(tensor: memoryview) -> tuple[str, list[int], int, bytes | None, bytes | None]:
    name, dims, dtype, raw, floats = "", [], 0, None, None
    for field, wire, value in message_fields(tensor):
        if field == _TENSOR_DIMS:
            if wire == 0:
                dims.append(int(value))
            elif wire == 2:  # packed
                pos, packed = 0, value
                while pos < len(packed):
                    number, pos = read_varint(packed, pos)
                    dims.append(number)
        elif field == _TENSOR_TYPE and wire == 0:
            dtype = int(value)
        elif field == _TENSOR_NAME and wire == 2:
            name = bytes(value).decode("utf-8", "replace")
        elif field == _TENSOR_RAW and wire == 2:
            raw = bytes(value)
        elif field == _TENSOR_FLOATS and wire == 2:
            floats = bytes(value)
    return name, dims, dtype, raw, floats
