"""torch → ONNX → bundle, with a check that ONNX Runtime reproduces the torch outputs.

The exported graph takes `images` (float32 NCHW, dynamic batch) and returns
`embeddings` [N, D] (L2-normalised) and `cosines` [N, C], and with a descriptor mean
also `descriptors` [N, F] (L2-normalised, see model.descriptor).
"""

from __future__ import annotations

import copy
import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch

from model.bundle import Gallery, LabelEntry, ModelBundle, labels_from_names
from model.bundle_writer import creation_time, save_bundle
from model.descriptor import DESCRIPTORS_OUTPUT, TeachingSettings
from model.errors import ModelError
from model.preprocess import Preprocessing
from model.scoring import ScoringConfig

# Largest absolute difference allowed between torch and ONNX Runtime outputs (float32,
# unit-norm embeddings and cosines in [-1, 1]); observed differences are around 1e-6.
EXPORT_ATOL = 1e-4
DEFAULT_OPSET = 17


@dataclass(frozen=True)
class AgreementReport:
    """How far ONNX Runtime is from torch on a random batch."""

    max_abs_diff_embeddings: float
    max_abs_diff_cosines: float
    tolerance: float
    max_abs_diff_descriptors: float = 0.0

    @property
    def ok(self) -> bool:
        worst = max(self.max_abs_diff_embeddings, self.max_abs_diff_cosines, self.max_abs_diff_descriptors)
        return worst <= self.tolerance


OUTPUT_NAMES = ("embeddings", "cosines", DESCRIPTORS_OUTPUT)


def _output_names(net: torch.nn.Module, input_size: int) -> list[str]:
    with torch.no_grad():
        count = len(net(torch.zeros(1, 3, input_size, input_size)))
    return list(OUTPUT_NAMES[:count])


def export_onnx(net: torch.nn.Module, input_size: int, opset: int = DEFAULT_OPSET) -> bytes:
    """The network as ONNX bytes (eval mode, float32, CPU, dynamic batch)."""
    net = copy.deepcopy(net).float().cpu().eval()
    if hasattr(net, "set_exportable"):
        net.set_exportable(True)
    example = torch.zeros(2, 3, input_size, input_size)
    names = _output_names(net, input_size)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # The TorchScript exporter: much faster here than the dynamo one, same graph.
        torch.onnx.export(
            net,
            (example,),
            buffer,
            input_names=["images"],
            output_names=names,
            dynamic_axes={"images": {0: "batch"}, **{name: {0: "batch"} for name in names}},
            opset_version=opset,
            do_constant_folding=True,
            dynamo=False,
        )
    return _fix_output_sizes(buffer.getvalue(), net, input_size)


def _fix_output_sizes(onnx_bytes: bytes, net: torch.nn.Module, input_size: int) -> bytes:
    """Write the static output widths (D, C and F) into the graph, which the exporter leaves
    symbolic, so a bundle's label count can be checked without running it."""
    import onnx

    with torch.no_grad():
        widths = [int(t.shape[-1]) for t in net(torch.zeros(1, 3, input_size, input_size))]
    proto = onnx.load_model_from_string(onnx_bytes)
    for output, width in zip(proto.graph.output, widths):
        last = output.type.tensor_type.shape.dim[-1]
        last.Clear()
        last.dim_value = width
    return proto.SerializeToString()


def check_agreement(
    net: torch.nn.Module, onnx_bytes: bytes, input_size: int, batch: int = 3, tolerance: float = EXPORT_ATOL
) -> AgreementReport:
    """Run torch and ONNX Runtime on the same random batch and compare the outputs."""
    import onnxruntime as ort

    generator = torch.Generator().manual_seed(0)
    images = torch.randn(batch, 3, input_size, input_size, generator=generator)
    net = copy.deepcopy(net).float().cpu().eval()
    with torch.no_grad():
        torch_outputs = [t.numpy() for t in net(images)]
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # three small images: threads would only contend
    session = ort.InferenceSession(onnx_bytes, options, providers=["CPUExecutionProvider"])
    onnx_outputs = session.run(list(OUTPUT_NAMES[: len(torch_outputs)]), {"images": images.numpy()})
    diffs = [float(np.abs(a - b).max()) for a, b in zip(torch_outputs, onnx_outputs)]
    return AgreementReport(diffs[0], diffs[1], tolerance, diffs[2] if len(diffs) > 2 else 0.0)


def _as_label_entries(labels: Sequence[LabelEntry] | Sequence[str]) -> list[LabelEntry]:
    if labels and isinstance(labels[0], LabelEntry):
        return list(labels)  # type: ignore[arg-type]
    return labels_from_names([str(name) for name in labels])


def export_bundle(
    net: torch.nn.Module,
    preprocessing: Preprocessing,
    labels: Sequence[LabelEntry] | Sequence[str],
    out_path: str | Path,
    *,
    name: str | None = None,
    scoring: ScoringConfig | None = None,
    threshold: float = 0.5,
    card: str = "",
    gallery: Gallery | None = None,
    extra: dict[str, Any] | None = None,
    opset: int = DEFAULT_OPSET,
    tolerance: float = EXPORT_ATOL,
    as_folder: bool = False,
    descriptor_mean: np.ndarray | None = None,
    descriptor_projection: np.ndarray | None = None,
    teaching: TeachingSettings | None = None,
    created: str | None = None,
) -> ModelBundle:
    """Export a LandmarkNet to a bundle and verify torch and ONNX agree within `tolerance`.
    `created`: the bundle's creation time (see save_bundle); when None, SOURCE_DATE_EPOCH
    if set, else "" (not known): the id then follows the weights and settings alone, so
    exporting the same network again gives the same bundle, byte for byte.

    descriptor_mean: the training photos' mean pooled features; with it the network
    also outputs descriptors and the bundle declares a teaching space (`teaching`, its
    defaults when None). The gallery should then carry the photos' descriptors too.
    descriptor_projection: a learned whitening [F, P] applied to those descriptors
    inside the network (model.descriptor.learned_whitening); descriptors are then P long.
    Raises ModelError when the label count does not match the network or the outputs
    disagree.
    """
    entries = _as_label_entries(labels)
    if descriptor_mean is not None:
        from model.network import DescriptorNet

        net = DescriptorNet(net, descriptor_mean, descriptor_projection)
        teaching = teaching or TeachingSettings()
    elif teaching is not None or descriptor_projection is not None:
        raise ModelError("a teaching space needs the descriptor mean (descriptor_mean=)")
    config = getattr(net, "config", None)
    num_classes = getattr(config, "num_classes", None)
    if num_classes is not None and num_classes != len(entries):
        raise ModelError(f"{len(entries)} labels for a network with {num_classes} classes")
    onnx_bytes = export_onnx(net, preprocessing.input_size, opset)
    report = check_agreement(net, onnx_bytes, preprocessing.input_size, tolerance=tolerance)
    if not report.ok:
        raise ModelError(
            f"ONNX export disagrees with torch: max |Δ| embeddings {report.max_abs_diff_embeddings:.2e}, "
            f"cosines {report.max_abs_diff_cosines:.2e}, descriptors {report.max_abs_diff_descriptors:.2e} "
            f"> tolerance {tolerance:.0e}"
        )
    details = dict(extra or {})
    details.setdefault("export_check", {
        "max_abs_diff_embeddings": report.max_abs_diff_embeddings,
        "max_abs_diff_cosines": report.max_abs_diff_cosines,
        "max_abs_diff_descriptors": report.max_abs_diff_descriptors,
        "tolerance": tolerance,
    })
    if config is not None and hasattr(config, "to_dict"):
        details.setdefault("net_config", config.to_dict())
    embedding_size = int(getattr(config, "embedding_size", 0) or 0)
    if not embedding_size:
        from model.onnx_info import onnx_output_sizes

        embedding_size = int(onnx_output_sizes(onnx_bytes)["embeddings"] or 0)
    return save_bundle(
        out_path,
        onnx_bytes=onnx_bytes,
        labels=entries,
        preprocessing=preprocessing,
        embedding_size=embedding_size,
        name=name or Path(out_path).stem,
        backbone=str(getattr(config, "backbone", "")),
        scoring=scoring,
        threshold=threshold,
        card=card,
        gallery=gallery,
        extra=details,
        as_folder=as_folder,
        descriptor_size=0 if descriptor_mean is None else net.descriptor_size,
        teaching=teaching,
        created=created if created is not None else creation_time(""),
    )
