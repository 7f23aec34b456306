"""Optional int8 quantisation of a bundle's network (ONNX Runtime static QDQ).

On this project's CPUs (AVX-512 VNNI) int8 convolutions run about twice as fast as
fp32 (benchmarks/inference_runtime.py). Only the convolutions are quantised; the
neck, normalisation and cosine head stay fp32 so scores keep their scale. Accuracy
must be checked on real photos: the report gives top-1 agreement with fp32 and the
largest cosine change on the calibration batches. Needs `onnx` (training extras).
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from model.bundle import ModelBundle, load_bundle
from model.bundle_writer import resave_bundle
from model.errors import ModelError


@dataclass(frozen=True)
class QuantizationReport:
    """How the int8 network compares with fp32 on the given batches."""

    images: int
    top1_agreement: float
    max_abs_diff_cosines: float
    mean_abs_diff_cosines: float

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


def _session(path_or_bytes, threads: int = 1):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    return ort.InferenceSession(path_or_bytes, options, providers=["CPUExecutionProvider"])


def quantize_onnx(onnx_bytes: bytes, calibration: Sequence[np.ndarray], per_channel: bool = True) -> bytes:
    """int8 QDQ copy of the network, activations calibrated on the given float32 NCHW batches."""
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    if not calibration:
        raise ModelError("quantisation needs at least one calibration batch of real, normalised photos")

    class _Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self._batches = iter(calibration)

        def get_next(self):
            batch = next(self._batches, None)
            return None if batch is None else {"images": np.ascontiguousarray(batch, dtype=np.float32)}

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "fp32.onnx"
        prepared = Path(folder) / "prepared.onnx"
        target = Path(folder) / "int8.onnx"
        source.write_bytes(onnx_bytes)
        quant_pre_process(str(source), str(prepared), skip_symbolic_shape=True)
        quantize_static(
            str(prepared),
            str(target),
            _Reader(),
            quant_format=QuantFormat.QDQ,
            op_types_to_quantize=["Conv"],
            per_channel=per_channel,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
        )
        return target.read_bytes()


def compare_networks(fp32_bytes: bytes, int8_bytes: bytes, batches: Iterable[np.ndarray]) -> QuantizationReport:
    """Top-1 agreement and cosine differences between two networks on the batches."""
    reference, candidate = _session(fp32_bytes), _session(int8_bytes)
    agree = total = 0
    max_diff = 0.0
    sum_diff = 0.0
    for batch in batches:
        batch = np.ascontiguousarray(batch, dtype=np.float32)
        (ref,) = reference.run(["cosines"], {"images": batch})
        (got,) = candidate.run(["cosines"], {"images": batch})
        diff = np.abs(ref - got)
        agree += int((ref.argmax(axis=1) == got.argmax(axis=1)).sum())
        total += batch.shape[0]
        max_diff = max(max_diff, float(diff.max()))
        sum_diff += float(diff.mean()) * batch.shape[0]
    if total == 0:
        raise ModelError("comparing networks needs at least one batch")
    return QuantizationReport(total, agree / total, max_diff, sum_diff / total)


def quantize_bundle(
    bundle: ModelBundle | str | Path,
    out_path: str | Path,
    calibration: Sequence[np.ndarray],
    *,
    check: Sequence[np.ndarray] | None = None,
    name: str | None = None,
) -> tuple[ModelBundle, QuantizationReport]:
    """Write an int8 copy of a bundle; the report (also stored in bundle.json's extra)
    compares it with fp32 on `check` batches (default: the calibration batches)."""
    source = bundle if isinstance(bundle, ModelBundle) else load_bundle(bundle)
    int8_bytes = quantize_onnx(source.onnx_bytes, calibration)
    report = compare_networks(source.onnx_bytes, int8_bytes, check if check is not None else calibration)
    extra = {**source.extra, "precision": "int8", "quantization": report.to_dict(), "fp32_bundle_id": source.id}
    quantized = resave_bundle(
        source,
        out_path,
        onnx_bytes=int8_bytes,
        name=name or f"{source.name}-int8",
        card=source.card + "\n\nThis copy runs int8 convolutions (ONNX Runtime static quantisation).\n",
        extra=extra,
    )
    return quantized, report
