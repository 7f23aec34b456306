"""Bundles a review found loading when they should not, or crashing when they should be
refused: an input size the network does not take, malformed manifest fields, an
unreadable gallery, members the manifest does not list (or that inflate without bound),
and scoring numbers no model can mean. Each must be one BundleError naming the bundle,
and `landmark-tagger models` must list such a bundle as unusable and go on."""

from __future__ import annotations

import io
import json
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from app.cli.main import main
from app.core.bundle_choices import bundle_by_name
from app.core.config import data_dir
from model.bundle import load_bundle
from model.errors import BundleError, ModelError
from model.scoring import ScoringConfig
from tests.test_index_support import write_jpeg
from tests.test_model_bundle import read_zip, rehash, write_zip


def with_manifest(tiny_bundle, path: Path, edit) -> Path:
    """The tiny bundle with its bundle.json edited (member hashes untouched)."""
    members = read_zip(Path(tiny_bundle.path))
    manifest = json.loads(members["bundle.json"])
    edit(manifest)
    return write_zip(path, {**members, "bundle.json": json.dumps(manifest).encode()})


def with_gallery(tiny_bundle, path: Path, gallery: bytes) -> Path:
    """The tiny bundle with this gallery.npz, hashed as if it were right."""
    return write_zip(path, rehash({**read_zip(Path(tiny_bundle.path)), "gallery.npz": gallery}))


def declare_size(data: bytes, member: str, size: int) -> bytes:
    """A zip whose central directory claims `member` holds `size` bytes (its data unchanged):
    a zip bomb's header without the bomb."""
    name = member.encode()
    at = data.index(b"PK\x01\x02")  # the first central directory entry
    while True:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length] == name:
            return data[: at + 24] + struct.pack("<I", size) + data[at + 28 :]
        at = data.index(b"PK\x01\x02", at + 46)


def npz(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


# ---------------------------------------------------------------- input size


def test_an_input_size_the_network_does_not_take_is_refused_without_running_it(tiny_bundle, tmp_path):
    from model.onnx_info import read_input_dims

    assert read_input_dims(tiny_bundle.onnx_bytes) == {"images": [None, 3, 64, 64]}
    bad = with_manifest(tiny_bundle, tmp_path / "bad.ltbundle", lambda m: m["preprocessing"].update(input_size=96))
    with pytest.raises(BundleError, match="says 96 px but model.onnx takes 64 px"):
        load_bundle(bad, check_onnx=False)  # what `tag` does: the cheap check still runs


def test_tag_with_a_wrong_input_size_is_one_line_and_exit_2(tiny_bundle, tmp_path, capsys):
    bad = with_manifest(tiny_bundle, tmp_path / "bad.ltbundle", lambda m: m["preprocessing"].update(input_size=96))
    write_jpeg(tmp_path / "trip" / "a.jpg")
    code = main(["--db", str(tmp_path / "index.db"), "tag", str(tmp_path / "trip"), "--model", str(bad),
                 "--workers", "0"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("landmark-tagger: error:") and "96 px" in err and "Traceback" not in err


# ---------------------------------------------------------------- malformed manifest fields


@pytest.mark.parametrize("field, value", [("members", ["model.onnx"]), ("extra", [1, 2]),
                                          ("gallery", [0.5, 3]), ("name", {"a": 1})])
def test_a_manifest_field_of_the_wrong_type_is_a_bundle_error(tiny_bundle, tmp_path, field, value):
    bad = with_manifest(tiny_bundle, tmp_path / "bad.ltbundle", lambda m: m.update({field: value}))
    with pytest.raises(BundleError, match=f"'{field}' is a JSON"):
        load_bundle(bad)


def test_a_gallery_that_is_no_npz_is_a_bundle_error(tiny_bundle, tmp_path):
    bad = with_gallery(tiny_bundle, tmp_path / "bad.ltbundle", b"PK\x03\x04 not an npz")
    with pytest.raises(BundleError, match="gallery.npz is unreadable"):
        load_bundle(bad)


def test_a_gallery_with_nan_vectors_is_a_bundle_error(tiny_bundle, tmp_path):
    vectors = np.full((2, 32), np.nan, dtype=np.float16)
    bad = with_gallery(tiny_bundle, tmp_path / "bad.ltbundle", npz(vectors=vectors, classes=np.array([0, 1])))
    with pytest.raises(BundleError, match="NaN"):
        load_bundle(bad)


def test_models_lists_a_malformed_bundle_and_the_good_ones_still_resolve(tiny_bundle, tmp_path, capsys):
    models = data_dir() / "models"
    models.mkdir(parents=True)
    good = Path(shutil.copyfile(tiny_bundle.path, models / "good.ltbundle"))
    with_manifest(tiny_bundle, models / "bad.ltbundle", lambda m: m.update(members=["model.onnx"]))
    assert main(["models", "--json"]) == 1
    listed = {Path(line["path"]).name: line for line in map(json.loads, capsys.readouterr().out.splitlines())}
    assert "'members' is a JSON array" in listed["bad.ltbundle"]["error"]
    assert listed["good.ltbundle"]["error"] is None and listed["good.ltbundle"]["id"] == tiny_bundle.id
    assert bundle_by_name(tiny_bundle.id) == good  # the broken file does not stop --model ID


# ---------------------------------------------------------------- unlisted and oversized members


def test_a_member_the_manifest_does_not_list_is_refused(tiny_bundle, tmp_path):
    bad = write_zip(tmp_path / "extra.ltbundle", {**read_zip(Path(tiny_bundle.path)), "notes.txt": b"\0" * 1000})
    with pytest.raises(BundleError, match="notes.txt, which bundle.json does not list"):
        load_bundle(bad)  # before: accepted, with the very id of the bundle without it


def test_a_folder_bundle_refuses_unlisted_files_but_ignores_hidden_ones(tiny_bundle, tmp_path):
    folder = tmp_path / "tiny-folder"
    folder.mkdir()
    for name, data in read_zip(Path(tiny_bundle.path)).items():
        (folder / name).write_bytes(data)
    (folder / ".DS_Store").write_bytes(b"desktop noise")
    assert load_bundle(folder).id == tiny_bundle.id
    (folder / "notes.txt").write_bytes(b"not listed")
    with pytest.raises(BundleError, match="notes.txt"):
        load_bundle(folder)


@pytest.mark.parametrize("member, size", [("model.onnx", 3 << 30), ("card.md", 100 << 20)])
def test_a_member_declaring_more_than_it_may_hold_is_refused_before_reading(tiny_bundle, tmp_path, member, size):
    bomb = tmp_path / "bomb.ltbundle"
    bomb.write_bytes(declare_size(Path(tiny_bundle.path).read_bytes(), member, size))
    with pytest.raises(BundleError, match=f"{member} inflates to {size:,} bytes"):
        load_bundle(bomb)


def test_a_gallery_whose_arrays_inflate_past_the_cap_is_refused(tiny_bundle, tmp_path):
    gallery = npz(vectors=np.zeros((2, 32), dtype=np.float16), classes=np.array([0, 1], dtype=np.int32))
    bad = with_gallery(tiny_bundle, tmp_path / "bad.ltbundle", declare_size(gallery, "vectors.npy", 3 << 30))
    with pytest.raises(BundleError, match="gallery.npz inflates"):
        load_bundle(bad)


# ---------------------------------------------------------------- impossible numbers


@pytest.mark.parametrize("edit, message", [
    (dict(temperature=float("nan")), "temperature nan"),
    (dict(scale=float("inf")), "scale inf"),
    (dict(threshold=2.0), "threshold 2.0 must be between"),
    (dict(threshold=-1.0), "threshold -1.0 must be between"),
    (dict(threshold=float("nan")), "threshold nan"),
    (dict(embedding_size=0), "embedding_size 0 must be at least 1"),
    (dict(threshold="0.5"), "threshold '0.5' must be a finite number"),
])
def test_impossible_scoring_numbers_are_refused(tiny_bundle, tmp_path, edit, message):
    bad = with_manifest(tiny_bundle, tmp_path / "odd.ltbundle", lambda m: m.update(edit))
    with pytest.raises(BundleError, match=message):
        load_bundle(bad, check_onnx=False)


def test_non_finite_preprocessing_numbers_are_refused(tiny_bundle, tmp_path):
    bad = with_manifest(tiny_bundle, tmp_path / "odd.ltbundle",
                        lambda m: m["preprocessing"].update(std=[float("nan"), 0.5, 0.5]))
    with pytest.raises(BundleError, match="std"):
        load_bundle(bad, check_onnx=False)


@pytest.mark.parametrize("scale, temperature", [(float("nan"), 1.0), (30.0, float("nan")), (float("inf"), 1.0)])
def test_scoring_config_refuses_non_finite_scale_and_temperature(scale, temperature):
    with pytest.raises(ModelError, match="positive finite"):
        ScoringConfig(scale=scale, temperature=temperature)
