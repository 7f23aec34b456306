"""`export` (and everything that reads a checkpoint or weights file) of a file that is not
one says so in one line, and never passes on torch's advice to load it with
weights_only=False, which would run the code a pickle holds."""

from __future__ import annotations

import json
import pickle
import warnings

import pytest

torch = pytest.importorskip("torch")

from model.errors import ModelError  # noqa: E402
from training.checkpoint import save_checkpoint  # noqa: E402
from training.cli import main  # noqa: E402


class NotATensor:
    """A Python object a checkpoint never holds (weights_only refuses to build it)."""


def not_checkpoints(folder):
    """{what it is: path} of files `export` may be given by mistake."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    files["json"] = folder / "config.json"
    files["json"].write_text(json.dumps({"seed": 0}), encoding="utf-8")
    files["random"] = folder / "rnd.pt"
    files["random"].write_bytes(bytes(range(100)))
    files["pickle"] = folder / "pickled.pt"
    files["pickle"].write_bytes(pickle.dumps({"a": 1}))
    files["objects"] = folder / "objects.pt"
    torch.save({"format": "landmark-train/1", "obj": NotATensor()}, files["objects"])
    whole = save_checkpoint(folder / "whole.pt", {"state_dict": {"w": torch.zeros(2000)}})
    files["cut"] = folder / "cut.pt"
    data = whole.read_bytes()
    files["cut"].write_bytes(data[: len(data) // 2])
    return files


REASONS = {
    "json": "not a torch zip file",
    "random": "not a torch zip file",
    "pickle": "not a torch zip file",
    "objects": "holds Python objects",
    "cut": "cut short or damaged",
}


def test_export_of_a_file_that_is_no_checkpoint_says_so_in_one_line(tmp_path, capsys):
    for kind, path in not_checkpoints(tmp_path / "in").items():
        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")
            assert main(["export", str(path), "--out", str(tmp_path / "z.ltbundle")]) == 2, kind
        assert not [str(w.message) for w in warned], kind  # each would be one more line on the terminal
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0, (kind, err)
        assert f"{path} is not a landmark-train checkpoint" in err and REASONS[kind] in err, (kind, err)
        assert "weights_only" not in err and "arbitrary code" not in err, (kind, err)
        assert not (tmp_path / "z.ltbundle").exists()


def test_network_and_weights_files_never_advise_weights_only_false(tmp_path):
    from model.network import LandmarkNet
    from model.registry import _load_state_dict

    for kind, path in not_checkpoints(tmp_path / "in").items():
        with pytest.raises(ModelError) as caught:
            LandmarkNet.from_checkpoint(path)
        assert "weights_only" not in str(caught.value) and REASONS[kind] in str(caught.value), kind
        with pytest.raises(ModelError) as caught:
            _load_state_dict(None, path, "lite0")
        assert "weights_only" not in str(caught.value) and REASONS[kind] in str(caught.value), kind
