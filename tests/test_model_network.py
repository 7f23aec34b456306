"""Backbone registry, GeM pooling and LandmarkNet: forward/backward on tiny inputs, offline."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from model.errors import ModelError, UnknownBackboneError  # noqa: E402
from model.network import LandmarkNet, NetConfig  # noqa: E402
from model.pooling import GeM  # noqa: E402
from model.registry import backbone_spec, create_backbone, lite_weights_path, list_backbones  # noqa: E402

HEAVY = {"efficientnet-b4", "efficientnet-b5", "efficientnet-b6", "efficientnet-b7"}


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_registry_lists_b0_to_b7_and_lite0_to_2():
    names = list_backbones()
    assert names == [f"efficientnet-b{i}" for i in range(8)] + [f"efficientnet-lite{i}" for i in range(3)]
    with pytest.raises(UnknownBackboneError, match="efficientnet-lite0"):
        create_backbone("resnet50")


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.slow) if n in HEAVY else n for n in list_backbones()],
)
def test_backbone_forward_backward(name):
    lite = name.startswith("efficientnet-lite")
    backbone = create_backbone(name, pretrained=lite, input_size=32)  # lite weights load offline
    features = backbone.forward_features(torch.randn(2, 3, 32, 32))
    assert features.shape[:2] == (2, backbone.num_features)
    features.mean().backward()
    grads = [p.grad for p in backbone.parameters() if p.requires_grad]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)


@pytest.mark.parametrize("name", ["efficientnet-lite0", "efficientnet-lite1", "efficientnet-lite2"])
def test_lite_weights_come_from_the_installed_package(name):
    path = lite_weights_path(name)
    assert path.is_file()
    state = torch.load(str(path), map_location="cpu", weights_only=True)
    backbone = create_backbone(name, pretrained=True, input_size=32)
    assert torch.equal(backbone.trunk._conv_stem.weight, state["_conv_stem.weight"])


def test_preprocessing_follows_the_weights():
    assert backbone_spec("efficientnet-lite0").default_preprocessing().mean[0] == pytest.approx(127 / 255)
    b3 = backbone_spec("efficientnet-b3").default_preprocessing()
    assert b3.input_size == 300 and b3.mean == pytest.approx((0.485, 0.456, 0.406))


def test_b_series_never_downloads_unless_asked(tmp_path):
    with pytest.raises(ModelError, match="weights_path"):
        create_backbone("efficientnet-b0", pretrained=True)
    # A weights file the user gives is used (here: one saved from a fresh trunk).
    donor = create_backbone("efficientnet-b0", pretrained=False, input_size=32)
    path = tmp_path / "b0.pth"
    torch.save(donor.trunk.state_dict(), path)
    loaded = create_backbone("efficientnet-b0", weights_path=path, input_size=32)
    assert torch.equal(loaded.trunk._conv_stem.weight, donor.trunk._conv_stem.weight)
    with pytest.raises(ModelError, match="does not fit"):
        create_backbone("efficientnet-b1", weights_path=path, input_size=32)
    with pytest.raises(ModelError, match="does not exist"):
        create_backbone("efficientnet-b0", weights_path=tmp_path / "nope.pth")


def test_gem_hand_computed_and_limits():
    x = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    assert GeM(p=1.0)(x).item() == pytest.approx(2.5)
    assert GeM(p=3.0)(x).item() == pytest.approx(((1 + 8 + 27 + 64) / 4) ** (1 / 3), rel=1e-6)
    assert GeM(p=60.0)(x).item() == pytest.approx(4.0, rel=0.03)  # towards max pooling
    gem = GeM(p=3.0)
    gem(torch.rand(2, 5, 3, 3) + 0.1).sum().backward()
    assert gem.p.grad is not None and torch.isfinite(gem.p.grad).all()
    fixed = GeM(p=3.0, learnable=False)
    assert not any(True for _ in fixed.parameters())


@pytest.mark.parametrize("sub_centers", [1, 3])
def test_landmark_net_outputs_and_backward(sub_centers):
    config = NetConfig(num_classes=7, embedding_size=16, sub_centers=sub_centers, pretrained=False, input_size=32)
    net = LandmarkNet(config)
    embeddings, cosines = net(torch.randn(3, 3, 32, 32))
    assert embeddings.shape == (3, 16) and cosines.shape == (3, 7)
    assert torch.allclose(embeddings.norm(dim=1), torch.ones(3), atol=1e-5)
    all_cos = net.head.all_cosines(embeddings)
    assert all_cos.shape == (3, 7, sub_centers)
    assert torch.allclose(cosines, all_cos.amax(dim=2))
    assert (cosines.abs() <= 1 + 1e-5).all()
    cosines.sum().backward()
    assert net.pool.p.grad is not None and net.head.weight.grad is not None


def test_checkpoint_round_trip(tmp_path):
    config = NetConfig(num_classes=4, embedding_size=8, pretrained=False, input_size=32)
    net = LandmarkNet(config).eval()
    net.save_checkpoint(tmp_path / "net.pt", epoch=2)
    again = LandmarkNet.from_checkpoint(tmp_path / "net.pt").eval()
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(net(x)[1], again(x)[1])
    with pytest.raises(ModelError, match="does not exist"):
        LandmarkNet.from_checkpoint(tmp_path / "missing.pt")


def test_net_config_checks():
    with pytest.raises(UnknownBackboneError):
        NetConfig(num_classes=3, backbone="vgg")
    with pytest.raises(ModelError, match="num_classes"):
        NetConfig(num_classes=0)
    with pytest.raises(ModelError, match="sub_centers"):
        NetConfig(num_classes=2, sub_centers=0)
    assert NetConfig(num_classes=2, backbone="efficientnet-lite2").resolved_input_size == 260


def test_gem_is_accurate_in_half_precision():
    x = torch.full((1, 2, 4, 4), 1e-3, dtype=torch.float16)
    pooled = GeM(p=3.0)(x)
    assert pooled.dtype == torch.float16
    # (1e-3) ** 3 underflows in fp16; computed in float32 the mean of equal values is exact.
    assert pooled.detach().float().flatten().tolist() == pytest.approx([1e-3, 1e-3], rel=1e-2)
