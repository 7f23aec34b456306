"""Export and inference: torch and ONNX Runtime agree within EXPORT_ATOL (1e-4 absolute on
unit-norm embeddings and cosines); the predictor ranks, calibrates and takes taught labels."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

torch = pytest.importorskip("torch")

from model.errors import ModelError  # noqa: E402
from model.export import EXPORT_ATOL, export_bundle  # noqa: E402
from model.network import LandmarkNet, NetConfig  # noqa: E402
from model.predictor import Prediction, Predictor, TaughtReferences  # noqa: E402


@pytest.fixture(scope="module")
def small_net():
    torch.manual_seed(1)
    config = NetConfig(num_classes=4, embedding_size=16, sub_centers=2, pretrained=False, input_size=48)
    net = LandmarkNet(config)
    # Non-trivial BatchNorm statistics, so eval-mode export is really exercised.
    net.train()
    with torch.no_grad():
        for _ in range(2):
            net(torch.randn(4, 3, 48, 48))
    return net.eval()


def test_torch_and_onnx_agree_on_a_new_batch_size(small_net, tmp_path):
    names = ["Petra", "Alhambra", "Colosseum", "Angkor Wat"]
    bundle = export_bundle(small_net, small_net.default_preprocessing(), names, tmp_path / "s.ltbundle")
    check = bundle.extra["export_check"]
    assert check["tolerance"] == EXPORT_ATOL == pytest.approx(1e-4)
    assert max(check["max_abs_diff_embeddings"], check["max_abs_diff_cosines"]) <= EXPORT_ATOL
    images = torch.randn(5, 3, 48, 48, generator=torch.Generator().manual_seed(3))  # batch 5: dynamic axis
    with torch.no_grad():
        torch_emb, torch_cos = (t.numpy() for t in small_net(images))
    onnx_emb, onnx_cos = Predictor(bundle, threads=1).embed(images.numpy())
    np.testing.assert_allclose(onnx_emb, torch_emb, atol=EXPORT_ATOL, rtol=0)
    np.testing.assert_allclose(onnx_cos, torch_cos, atol=EXPORT_ATOL, rtol=0)
    torch_runtime = Predictor(bundle, runtime="torch", network=small_net, threads=1)
    assert torch_runtime.runtime == "torch"
    np.testing.assert_allclose(torch_runtime.embed(images.numpy())[1], onnx_cos, atol=EXPORT_ATOL, rtol=0)


def test_export_refuses_a_label_count_mismatch(small_net, tmp_path):
    with pytest.raises(ModelError, match="3 labels for a network with 4 classes"):
        export_bundle(small_net, small_net.default_preprocessing(), ["a", "b", "c"], tmp_path / "x.ltbundle")


def test_classify_ranks_calibrated_top_k(tiny_bundle):
    predictor = Predictor(tiny_bundle, threads=1)
    assert predictor.runtime == "onnxruntime" and predictor.input_size == 64
    rng = np.random.default_rng(0)
    images = [Image.fromarray(rng.integers(0, 255, size=(50 + 10 * i, 80, 3), dtype=np.uint8)) for i in range(3)]
    batch = predictor.prepare(images)
    embeddings, cosines = predictor.embed(batch)
    assert embeddings.shape == (3, 32) and cosines.shape == (3, 3)
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, atol=1e-5)
    results = predictor.classify(embeddings, cosines, k=2)
    assert len(results) == 3 and all(len(top) == 2 for top in results)
    for row, top in enumerate(results):
        assert isinstance(top[0], Prediction) and top[0].score >= top[1].score
        probs = np.exp(30.0 * cosines[row]) / np.exp(30.0 * cosines[row]).sum()
        best = int(np.argmax(probs))
        assert top[0].label == tiny_bundle.labels[best].name
        assert top[0].score == pytest.approx(float(probs[best]), rel=1e-5)
    full = predictor.classify(embeddings, cosines, k=10)
    assert len(full[0]) == 3 and sum(p.score for p in full[0]) == pytest.approx(1.0, abs=1e-5)
    assert predictor.predict(images, k=1)[0][0] == results[0][0]


def test_taught_references_compete_on_the_same_scale(tiny_bundle):
    predictor = Predictor(tiny_bundle, threads=1)
    rng = np.random.default_rng(1)
    embeddings, cosines = predictor.embed(rng.normal(size=(2, 3, 64, 64)).astype(np.float32))
    taught = TaughtReferences(labels=["my house", "my house"], vectors=np.stack([embeddings[0], embeddings[0]]))
    top = predictor.classify(embeddings, cosines, extra=taught, k=4)
    assert top[0][0] == Prediction("taught:my house", "my house", top[0][0].score)
    assert len(top[0]) == 4 and sum(p.score for p in top[0]) == pytest.approx(1.0, abs=1e-5)
    as_tuple = predictor.classify(embeddings, cosines, extra=(taught.labels, taught.vectors), k=4)
    assert as_tuple == top


def test_predictor_errors(tiny_bundle, tmp_path):
    predictor = Predictor(tiny_bundle, threads=1)
    with pytest.raises(ModelError, match=r"\[N, 3, 64, 64\]"):
        predictor.embed(np.zeros((1, 3, 32, 32), dtype=np.float32))
    with pytest.raises(ModelError, match="unknown runtime"):
        Predictor(tiny_bundle, runtime="tensorrt")
    with pytest.raises(ModelError, match="network="):
        Predictor(tiny_bundle, runtime="torch")
    with pytest.raises(ModelError, match="k=0"):
        predictor.classify(np.zeros((1, 32)), np.zeros((1, 3)), k=0)
    with pytest.raises(ModelError, match="does not exist"):
        Predictor(tmp_path / "missing.ltbundle")


@pytest.mark.slow
def test_b_series_exports_with_plain_swish(tmp_path):
    """B-series trunks use a memory-efficient swish (custom autograd) that ONNX cannot
    export; export swaps it on a copy and leaves the training network alone."""
    torch.manual_seed(0)
    net = LandmarkNet(NetConfig(num_classes=3, backbone="efficientnet-b0", pretrained=False,
                                input_size=32, embedding_size=16)).eval()
    swish_before = type(net.backbone.trunk._swish)
    bundle = export_bundle(net, net.default_preprocessing(), ["a", "b", "c"], tmp_path / "b0.ltbundle")
    assert bundle.extra["export_check"]["max_abs_diff_cosines"] <= EXPORT_ATOL
    assert bundle.preprocessing.mean == pytest.approx((0.485, 0.456, 0.406))
    assert type(net.backbone.trunk._swish) is swish_before


def test_app_side_modules_do_not_import_torch():
    """The app runs on ONNX Runtime alone: loading bundles and predicting must not pull
    in torch (seconds of start-up, and absent from a user install)."""
    import subprocess
    import sys

    code = (
        "import sys; import model.bundle, model.predictor, model.scoring, model.preprocess, model.registry; "
        "sys.exit(1 if 'torch' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


@pytest.mark.slow
def test_int8_bundle_keeps_outputs_and_reports_agreement(tiny_bundle, tmp_path):
    pytest.importorskip("onnx")
    from model.quantize import quantize_bundle

    rng = np.random.default_rng(0)
    calibration = [rng.normal(size=(4, 3, 64, 64)).astype(np.float32) for _ in range(2)]
    quantized, report = quantize_bundle(tiny_bundle, tmp_path / "int8.ltbundle", calibration)
    assert quantized.extra["precision"] == "int8" and quantized.id != tiny_bundle.id
    assert quantized.extra["quantization"]["images"] == report.images == 8
    assert quantized.class_names() == tiny_bundle.class_names()
    assert 0.0 <= report.top1_agreement <= 1.0 and report.max_abs_diff_cosines < 0.5
    embeddings, cosines = Predictor(quantized, threads=1).embed(calibration[0])
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, atol=1e-4)  # head stays fp32
    assert cosines.shape == (4, 3)
