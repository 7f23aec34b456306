"""Model bundles: round trip (file and folder), listing, and every corrupt-bundle case."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from model.bundle import (
    FORMAT_VERSION,
    Gallery,
    LabelEntry,
    default_bundle_path,
    load_bundle,
)
from model.bundle_listing import find_bundles, validate_bundle
from model.bundle_writer import save_bundle
from model.errors import BundleError, ModelError


def read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def rehash(members: dict[str, bytes]) -> dict[str, bytes]:
    """Recompute bundle.json's member hashes after an edit (a consistent but wrong bundle)."""
    manifest = json.loads(members["bundle.json"])
    manifest["members"] = {n: hashlib.sha256(d).hexdigest() for n, d in members.items() if n != "bundle.json"}
    return {**members, "bundle.json": json.dumps(manifest).encode()}


def test_round_trip_keeps_everything(tiny_bundle, tmp_path):
    bundle = load_bundle(tiny_bundle.path)
    assert bundle.class_names() == ["Eiffel Tower", "Colosseum", "Taj Mahal"]
    assert bundle.num_classes == 3 and bundle.input_size == 64 and bundle.embedding_size == 32
    assert bundle.backbone == "efficientnet-lite0"
    assert bundle.id == tiny_bundle.id and len(bundle.id) == 12
    assert bundle.extra["export_check"]["tolerance"] == pytest.approx(1e-4)
    assert "Tiny test model" in bundle.card
    copy = save_bundle(
        tmp_path / "copy.ltbundle",
        onnx_bytes=bundle.onnx_bytes,
        labels=[LabelEntry("13009", "Eiffel Tower"), LabelEntry("1", "Colosseum"), LabelEntry("2", "Taj Mahal")],
        preprocessing=bundle.preprocessing,
        embedding_size=32,
        name="copy",
        threshold=0.42,
        gallery=Gallery(np.random.default_rng(0).normal(size=(5, 32)), np.array([0, 0, 1, 2, 2])),
    )
    assert copy.labels[0] == LabelEntry("13009", "Eiffel Tower")
    assert copy.threshold == pytest.approx(0.42) and copy.id != bundle.id
    assert copy.gallery.vectors.shape == (5, 32)
    np.testing.assert_allclose(np.linalg.norm(copy.gallery.vectors, axis=1), 1.0, atol=2e-3)  # float16 on disk
    members = read_zip(tmp_path / "copy.ltbundle")
    assert set(members) == {"bundle.json", "model.onnx", "labels.json", "card.md", "gallery.npz"}
    assert json.loads(members["bundle.json"])["format_version"] == FORMAT_VERSION
    with zipfile.ZipFile(tmp_path / "copy.ltbundle") as archive:
        assert archive.getinfo("model.onnx").compress_type == zipfile.ZIP_STORED


def test_folder_bundle_loads_like_the_file(tiny_bundle, tmp_path):
    folder = tmp_path / "unzipped"
    folder.mkdir()
    for name, data in read_zip(tiny_bundle.path).items():
        (folder / name).write_bytes(data)
    bundle = load_bundle(folder)
    assert bundle.id == tiny_bundle.id and bundle.class_names() == tiny_bundle.class_names()


def test_same_contents_same_id(tiny_bundle, tmp_path):
    shutil.copy(tiny_bundle.path, tmp_path / "renamed.ltbundle")
    assert load_bundle(tmp_path / "renamed.ltbundle").id == tiny_bundle.id


def corrupt_cases(members: dict[str, bytes]):
    manifest = json.loads(members["bundle.json"])
    yield "missing labels.json", {k: v for k, v in members.items() if k != "labels.json"}, "missing labels.json"
    yield "missing model.onnx", {k: v for k, v in members.items() if k != "model.onnx"}, "missing model.onnx"
    yield "no manifest", {k: v for k, v in members.items() if k != "bundle.json"}, "no bundle.json"
    yield "edited card", {**members, "card.md": b"# tampered"}, "card.md does not match its sha256"
    flipped = bytearray(members["model.onnx"])
    flipped[len(flipped) // 2] ^= 0xFF
    yield "flipped onnx byte", {**members, "model.onnx": bytes(flipped)}, "model.onnx does not match"
    future = {**manifest, "format_version": 99}
    yield "future version", {**members, "bundle.json": json.dumps(future).encode()}, "format version 99"
    two_labels = json.dumps([{"landmark_id": "a", "name": "A"}, {"landmark_id": "b", "name": "B"}]).encode()
    fewer = {**members, "labels.json": two_labels}
    fewer["bundle.json"] = json.dumps({**manifest, "num_classes": 2}).encode()
    yield "labels do not match network", rehash(fewer), "2 labels but model.onnx outputs 3"
    yield "count mismatch", {**members, "bundle.json": json.dumps({**manifest, "num_classes": 5}).encode()}, "declares 5"
    yield "bad json", {**members, "bundle.json": b"{not json"}, "not valid JSON"
    yield "bad labels", rehash({**members, "labels.json": b'{"x": 1}'}), "labels.json is not a list"
    no_scale = {k: v for k, v in manifest.items() if k != "scale"}
    yield "no scale", {**members, "bundle.json": json.dumps(no_scale).encode()}, "incomplete or invalid"


def test_every_corrupt_bundle_is_named(tiny_bundle, tmp_path):
    members = read_zip(tiny_bundle.path)
    for index, (case, broken, message) in enumerate(corrupt_cases(members)):
        path = write_zip(tmp_path / f"case{index}.ltbundle", broken)
        with pytest.raises(BundleError) as caught:
            load_bundle(path)
        assert message in str(caught.value), case
        assert str(path) in str(caught.value), case


def test_missing_path_and_not_a_zip(tmp_path):
    with pytest.raises(BundleError, match="does not exist"):
        load_bundle(tmp_path / "nowhere.ltbundle")
    junk = tmp_path / "junk.ltbundle"
    junk.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(BundleError, match="not a zip"):
        load_bundle(junk)
    truncated = tmp_path / "truncated.ltbundle"
    truncated.write_bytes(b"")
    with pytest.raises(BundleError, match="not a zip"):
        load_bundle(truncated)
    assert issubclass(BundleError, ModelError)


def test_gallery_out_of_range_is_refused(tiny_bundle, tmp_path):
    with pytest.raises(BundleError, match="class indices"):
        save_bundle(
            tmp_path / "g.ltbundle",
            onnx_bytes=tiny_bundle.onnx_bytes,
            labels=tiny_bundle.labels,
            preprocessing=tiny_bundle.preprocessing,
            embedding_size=32,
            name="g",
            gallery=Gallery(np.ones((2, 32)), np.array([0, 7])),
        )


def test_bundles_found_in_folders_are_checked_and_broken_ones_carry_their_error(tiny_bundle, tmp_path):
    shutil.copy(tiny_bundle.path, tmp_path / "good.ltbundle")
    (tmp_path / "bad.ltbundle").write_text("nope")
    (tmp_path / "notes.txt").write_text("not a bundle")
    infos = {path.name: validate_bundle(path) for path in find_bundles([tmp_path, tmp_path / "absent"])}
    assert set(infos) == {"good.ltbundle", "bad.ltbundle"}
    assert infos["good.ltbundle"].num_classes == 3 and infos["good.ltbundle"].error is None
    assert "not a zip" in infos["bad.ltbundle"].error
    assert not infos["good.ltbundle"].is_default
    assert default_bundle_path().name == "default.ltbundle" and default_bundle_path().parent.name == "assets"


def test_output_widths_read_from_raw_bytes_match_onnx(tiny_bundle):
    from model.onnx_info import read_output_widths

    onnx = pytest.importorskip("onnx")
    proto = onnx.load_model_from_string(tiny_bundle.onnx_bytes)
    expected = {o.name: o.type.tensor_type.shape.dim[-1].dim_value for o in proto.graph.output}
    assert read_output_widths(tiny_bundle.onnx_bytes) == expected == {"embeddings": 32, "cosines": 3}
    with pytest.raises(BundleError, match="not an ONNX model"):
        read_output_widths(tiny_bundle.onnx_bytes[:1000])
