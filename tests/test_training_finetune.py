"""Fine-tuning the whole network (backbone included) with the default SGD recipe must
not collapse: issue 6, where every backbone run validated as one class within an epoch.

The collapse: SGD's step grows with the gradient, and the neck's train-mode BatchNorm1d
scales the backbone's gradient by 1/σ of features that are losing their spread, so the
backbone ran away into input-independent features (hidden from the training loss by the
same BatchNorm). The default gradient-norm clip stops it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from training.config import DataConfig, ModelConfig, OptimConfig, ScheduleConfig, TrainConfig  # noqa: E402
from training.prepare import PrepareConfig, prepare_dataset  # noqa: E402
from training.synthetic import make_class_folders  # noqa: E402
from training.train import set_backbone_batchnorm_momentum, train  # noqa: E402

CLASSES = ["red square", "stripes", "dots", "arch"]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("finetune")
    make_class_folders(root / "src", CLASSES, 10, size=40)
    prepare_dataset(PrepareConfig(root / "src", root / "prepared", cache_size=36, workers=1))
    return root / "prepared"


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def whole_network_config(manifest: Path, run_dir: Path) -> TrainConfig:
    """The original recipe in miniature: pretrained Lite0, ArcFace, SGD at lr 0.01, the
    backbone trained from step 0 (its BatchNorm on ImageNet statistics)."""
    return TrainConfig(
        run_dir=str(run_dir), progress=False, tensorboard=False, plots=False, eval_every=100,
        data=DataConfig(manifest=str(manifest), input_size=32, workers=0, flip=False),
        model=ModelConfig(embedding_size=16, freeze_batchnorm="backbone"),
        optim=OptimConfig(lr=0.01, batch_size=8, epochs=4),
        schedule=ScheduleConfig(name="constant"),
    )


@pytest.mark.slow
def test_fine_tuning_the_backbone_with_sgd_learns_instead_of_collapsing(prepared, tmp_path):
    result = train(whole_network_config(prepared, tmp_path / "run"))
    losses = [record.train_loss for record in result.history]
    metrics = result.final_metrics
    predicted_classes = [name for name, figures in metrics.per_class.items() if figures.predicted > 0]
    # Unclipped, this run stays near ln(4) + s·m ≈ 13 and predicts one class (25 %).
    assert losses[-1] < losses[0] / 2, losses
    assert metrics.accuracy >= 0.5, metrics.accuracy
    assert len(predicted_classes) >= 2, predicted_classes


def test_backbone_batchnorm_momentum_is_set_only_on_the_backbone():
    from model.network import LandmarkNet, NetConfig

    net = LandmarkNet(NetConfig(num_classes=3, embedding_size=8, pretrained=False, input_size=32))
    set_backbone_batchnorm_momentum(net, 0.1)
    backbone = [m.momentum for m in net.backbone.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert backbone and set(backbone) == {0.1}
    assert net.neck[1].momentum == 0.1  # PyTorch's default, untouched
    set_backbone_batchnorm_momentum(net, None)  # None keeps what is there
    assert {m.momentum for m in net.backbone.modules() if isinstance(m, torch.nn.BatchNorm2d)} == {0.1}


def test_defaults_clip_gradients_and_let_backbone_statistics_follow():
    assert OptimConfig().grad_clip == 5.0
    assert ModelConfig().batchnorm_momentum == 0.1
