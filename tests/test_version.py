"""`landmark-tagger --version` and `landmark-train --version`: an index written by a newer
version says "upgrade the app", so the user must be able to ask which version runs."""

from __future__ import annotations

import pytest

from app.cli.main import main


def _project_version() -> str:
    from pathlib import Path

    from model.version import source_tree_version

    return source_tree_version(Path(__file__).resolve().parents[1] / "pyproject.toml")


def test_landmark_tagger_version(capsys):
    """An index from a newer version says "upgrade the app": the user can ask which one runs."""
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    out, err = capsys.readouterr()
    assert done.value.code == 0, err
    assert out == f"landmark-tagger {_project_version()}\n"


def test_landmark_train_version(capsys):
    from training.cli import main as train_main

    with pytest.raises(SystemExit) as done:
        train_main(["--version"])
    out, err = capsys.readouterr()
    assert done.value.code == 0, err
    assert out == f"landmark-train {_project_version()}\n"


def test_version_of_a_source_tree_not_installed(monkeypatch, tmp_path):
    """Run from a clone with PYTHONPATH, no package metadata: pyproject.toml says it."""
    from importlib import metadata

    import model.version as version

    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    assert version.package_version() == _project_version()
    monkeypatch.setattr(version, "_PYPROJECT", tmp_path / "pyproject.toml")
    assert version.package_version() == "unknown"
