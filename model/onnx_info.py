"""What an ONNX network outputs, read without trusting the bundle that carries it.

The output shapes are read straight from the protobuf wire format (a few fields of
ModelProto → GraphProto → ValueInfoProto), which takes milliseconds and needs neither
the `onnx` package (half a second to import, absent from app installs) nor a session.
When the graph leaves an output width symbolic, ONNX Runtime runs it once to measure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np

from model.errors import BundleError

# Field numbers from onnx.proto.
_MODEL_GRAPH = 7
_GRAPH_INPUT, _GRAPH_OUTPUT = 11, 12
_VALUE_NAME, _VALUE_TYPE = 1, 2
_TYPE_TENSOR = 1
_TENSOR_SHAPE = 2
_SHAPE_DIM = 1
_DIM_VALUE = 1


def read_varint(data: memoryview, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def message_fields(data: memoryview) -> Iterator[tuple[int, int, object]]:
    """(field number, wire type, value) of one message; length-delimited values as views."""
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = read_varint(data, pos)
        elif wire == 1:
            value, pos = data[pos : pos + 8], pos + 8
        elif wire == 2:
            length, pos = read_varint(data, pos)
            if pos + length > len(data):
                raise ValueError("truncated field")
            value, pos = data[pos : pos + length], pos + length
        elif wire == 5:
            value, pos = data[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield number, wire, value


def first_message(data: memoryview, number: int) -> memoryview | None:
    for field, wire, value in message_fields(data):
        if field == number and wire == 2:
            return value  # type: ignore[return-value]
    return None


def _value_dims(value_info: memoryview) -> tuple[str, list[int | None]]:
    """A graph input's or output's name and dimensions (None where symbolic)."""
    name = ""
    dims: list[int | None] = []
    for field, wire, value in message_fields(value_info):
        if field == _VALUE_NAME and wire == 2:
            name = bytes(value).decode("utf-8")  # type: ignore[arg-type]
        elif field == _VALUE_TYPE and wire == 2:
            tensor = first_message(value, _TYPE_TENSOR)  # type: ignore[arg-type]
            shape = first_message(tensor, _TENSOR_SHAPE) if tensor is not None else None
            if shape is None:
                continue
            for dim_field, dim_wire, dim in message_fields(shape):
                if dim_field == _SHAPE_DIM and dim_wire == 2:
                    static = [v for f, w, v in message_fields(dim) if f == _DIM_VALUE and w == 0]  # type: ignore[arg-type]
                    dims.append(int(static[0]) if static else None)
    return name, dims


def _graph_values(onnx_bytes: bytes, number: int) -> dict[str, list[int | None]]:
    try:
        graph = first_message(memoryview(onnx_bytes), _MODEL_GRAPH)
        if graph is None:
            raise ValueError("no graph")
        return dict(_value_dims(v) for f, w, v in message_fields(graph) if f == number and w == 2)  # type: ignore[arg-type]
    except (ValueError, UnicodeDecodeError) as error:
        raise BundleError(f"model.onnx is not an ONNX model ({error})") from error


def read_output_widths(onnx_bytes: bytes) -> dict[str, int | None]:
    """The last dimension of each graph output (None when symbolic), from the raw bytes."""
    return {name: dims[-1] if dims else None for name, dims in _graph_values(onnx_bytes, _GRAPH_OUTPUT).items()}


def read_input_dims(onnx_bytes: bytes) -> dict[str, list[int | None]]:
    """The dimensions of each graph input (None where symbolic), from the raw bytes."""
    return _graph_values(onnx_bytes, _GRAPH_INPUT)


def check_onnx_input(path: Path, onnx_bytes: bytes, input_size: int) -> None:
    """Raise BundleError unless the network takes `images` [N, 3, S, S] with S the
    bundle's input size (a symbolic size is taken on trust). Milliseconds: the photos
    are only fed to the network after a whole scan, too late to say the bundle is wrong."""
    try:
        dims = read_input_dims(onnx_bytes).get("images")
    except BundleError as error:
        raise BundleError(f"model bundle {path}: {error}") from None
    if dims is None:
        raise BundleError(f"model bundle {path}: model.onnx has no input 'images'; it is not a landmark-tagger network")
    if len(dims) != 4 or dims[1] not in (None, 3):
        shape = ", ".join("?" if d is None else str(d) for d in dims)
        raise BundleError(f"model bundle {path}: model.onnx takes images [{shape}]; expected [N, 3, S, S]")
    sizes = {d for d in dims[2:] if d is not None}
    if sizes - {input_size}:
        taken = str(dims[2]) if dims[2] == dims[3] else " x ".join("?" if d is None else str(d) for d in dims[2:])
        raise BundleError(
            f"model bundle {path}: bundle.json says {input_size} px but model.onnx takes {taken} px; "
            "set preprocessing.input_size to the network's size or re-export the bundle"
        )


def onnx_output_sizes(onnx_bytes: bytes, input_size: int | None = None) -> dict[str, int | None]:
    """The last dimension of each ONNX output.

    When the graph leaves one symbolic and input_size is given, the network is run once
    on a blank image to measure it. Raises BundleError when the bytes are not a network.
    """
    sizes = read_output_widths(onnx_bytes)
    if input_size and any(size is None for size in sizes.values()):
        session = _probe_session(onnx_bytes)
        blank = np.zeros((1, 3, input_size, input_size), dtype=np.float32)
        try:
            values = session.run(None, {session.get_inputs()[0].name: blank})
        except Exception as error:  # ORT raises its own untyped errors
            raise BundleError(f"model.onnx does not run on a {input_size}px image: {error}") from error
        for output, value in zip(session.get_outputs(), values):
            sizes[output.name] = int(value.shape[-1])
    return sizes


def _probe_session(onnx_bytes: bytes):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.intra_op_num_threads = 1
    try:
        return ort.InferenceSession(onnx_bytes, options, providers=["CPUExecutionProvider"])
    except Exception as error:  # ORT raises its own untyped errors
        raise BundleError(f"model.onnx cannot be loaded: {error}") from error


def check_onnx_outputs(
    path: Path, onnx_bytes: bytes, num_classes: int, embedding_size: int, input_size: int, descriptor_size: int = 0
) -> None:
    """Raise BundleError unless the network has `embeddings` [N, D] and `cosines` [N, C]
    outputs matching the bundle's embedding size and label count, and `descriptors`
    [N, F] when the bundle declares a descriptor size F."""
    try:
        sizes = onnx_output_sizes(onnx_bytes, input_size)
    except BundleError as error:
        raise BundleError(f"model bundle {path}: {error}") from None
    for output in ("embeddings", "cosines"):
        if output not in sizes:
            raise BundleError(
                f"model bundle {path}: model.onnx has outputs {sorted(sizes)}, needs 'embeddings' and 'cosines'"
            )
    if sizes["cosines"] is not None and sizes["cosines"] != num_classes:
        raise BundleError(
            f"model bundle {path}: labels.json has {num_classes} labels but model.onnx "
            f"outputs {sizes['cosines']} classes; the labels belong to another model"
        )
    if sizes["embeddings"] is not None and sizes["embeddings"] != embedding_size:
        raise BundleError(
            f"model bundle {path}: bundle.json says embedding size {embedding_size} but "
            f"model.onnx outputs {sizes['embeddings']}"
        )
    if descriptor_size and sizes.get("descriptors", -1) not in (None, descriptor_size):
        raise BundleError(
            f"model bundle {path}: bundle.json says descriptor size {descriptor_size} but model.onnx "
            f"outputs {sizes.get('descriptors', 'no descriptors')}"
        )
