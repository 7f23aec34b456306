"""`landmark-tagger models`: help text, table and JSON output, broken bundles listed with their error."""

from __future__ import annotations

import json
import shutil

import pytest

from app.cli.main import main
from app.core.config import data_dir


def test_models_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["models", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "default" in out and "--json" in out and "corrupt" in out


@pytest.fixture
def user_models(tiny_bundle):
    folder = data_dir() / "models"
    folder.mkdir(parents=True)
    shutil.copy(tiny_bundle.path, folder / "tiny.ltbundle")
    (folder / "broken.ltbundle").write_bytes(b"garbage")
    return folder


def test_models_json_lists_good_and_broken(user_models, tiny_bundle, capsys):
    code = main(["models", "--json"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    by_name = {line["path"].rsplit("/", 1)[-1]: line for line in lines}
    assert code == 1  # one bundle is unusable
    good = by_name["tiny.ltbundle"]
    assert good["id"] == tiny_bundle.id and good["classes"] == 3 and good["input_size"] == 64
    assert good["error"] is None and good["default"] is False
    assert "not a zip" in by_name["broken.ltbundle"]["error"]


def test_models_table(user_models, tiny_bundle, capsys):
    main(["models"])
    captured = capsys.readouterr()
    assert tiny_bundle.id in captured.out and "64px" in captured.out
    assert "(unusable)" in captured.out and "broken.ltbundle is not a zip" in captured.out
    assert "bundles, 1 unusable" in captured.err


def test_models_extra_path_and_empty(tmp_path, tiny_bundle, capsys, monkeypatch):
    import app.cli.commands.models as models_command

    monkeypatch.setattr(models_command, "bundle_folders", lambda: [tmp_path / "none"])
    assert main(["models", "--json"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["models", "--json", str(tiny_bundle.path)]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == tiny_bundle.id


def test_models_marks_the_default(tmp_path, tiny_bundle, capsys, monkeypatch):
    import app.cli.commands.models as models_command
    import model.bundle

    assets = tmp_path / "assets"
    assets.mkdir()
    shutil.copy(tiny_bundle.path, assets / "default.ltbundle")
    monkeypatch.setattr(model.bundle, "default_bundle_path", lambda: assets / "default.ltbundle")
    monkeypatch.setattr(models_command, "bundle_folders", lambda: [assets])
    assert main(["models"]) == 0
    captured = capsys.readouterr()
    row = next(line for line in captured.out.splitlines() if "default.ltbundle" in line)
    assert row.startswith("*") and tiny_bundle.id in row
    assert "not installed" not in captured.err
