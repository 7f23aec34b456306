"""`--model` takes what `landmark-tagger models` lists: a path, a name or an id."""

from __future__ import annotations

import shutil

import pytest

from app.core.bundle_choices import bundle_by_name
from app.core.config import data_dir
from app.core.errors import UsageError


def test_a_bundle_is_found_by_its_name_or_id(tiny_bundle):
    models = data_dir() / "models"
    models.mkdir(parents=True, exist_ok=True)
    installed = models / "tiny.ltbundle"
    shutil.copyfile(tiny_bundle.path, installed) if tiny_bundle.path.is_file() else shutil.copytree(
        tiny_bundle.path, installed)
    assert bundle_by_name("tiny") == installed
    assert bundle_by_name(tiny_bundle.id) == installed
    assert bundle_by_name(tiny_bundle.id[:6]) == installed
    assert bundle_by_name(str(tiny_bundle.path)) == tiny_bundle.path  # a path stays a path


def test_a_name_two_bundles_answer_to_is_refused(tiny_bundle):
    models = data_dir() / "models"
    models.mkdir(parents=True, exist_ok=True)
    for copy in ("a", "b"):  # one bundle saved twice: both are named "tiny"
        target = models / f"{copy}.ltbundle"
        shutil.copyfile(tiny_bundle.path, target) if tiny_bundle.path.is_file() else shutil.copytree(
            tiny_bundle.path, target)
    with pytest.raises(UsageError, match="names several model bundles"):
        bundle_by_name("tiny")
