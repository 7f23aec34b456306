"""The README's and `label --help`'s example NAME is a landmark of the bundled model as
it spells it: `label DSC_8188 "Château d'If"` was refused as written (the model says
"Chateau d'If"; a name that differs in accents alone is another keyword in the files)."""

from __future__ import annotations

import json
import re
import zipfile

import pytest

from app.cli.main import build_parser, main
from model.bundle import default_bundle_path
from tests.docs_text import user_docs_text


def _bundled_names() -> set[str]:
    with zipfile.ZipFile(default_bundle_path()) as bundle:
        return {entry["name"] for entry in json.loads(bundle.read("labels.json"))}


def test_readmes_label_examples_name_a_bundled_landmark():
    examples = re.findall(r'^landmark-tagger label \S+ "([^"]+)"(?! --new)', user_docs_text(), re.M)
    assert examples and set(examples) <= _bundled_names(), examples


def test_label_help_and_its_empty_name_error_name_a_bundled_landmark(tmp_path, capsys):
    label = build_parser()._subparsers._group_actions[0].choices["label"]
    named = re.findall(r'e\.g\. "([^"]+)"', re.sub(r"\s+", " ", label.format_help()))
    assert main(["--db", str(tmp_path / "index.db"), "label", "DSC_8188", ""]) == 2
    named += re.findall(r'such as "([^"]+)"', capsys.readouterr().err)
    assert len(named) == 2 and set(named) <= _bundled_names(), named


def test_label_usage_line_names_every_option():
    """The hand-written usage left out --release-held, which the options list and label take."""
    label = build_parser()._subparsers._group_actions[0].choices["label"]
    usage = label.format_usage()
    options = [string for action in label._actions for string in action.option_strings if string.startswith("--")]
    assert all(option in usage for option in options if option != "--help"), usage
