"""Folders whose names are one label once composed (NFC) and with single spaces are one
class: a landmark's folder copied from macOS arrives decomposed (NFD) beside the
composed one, and two classes of one name split that landmark's score in the app."""

from __future__ import annotations

import unicodedata
from collections import Counter

import pytest

from training.cli import main
from training.datasets import load_manifest
from training.prepare import PrepareConfig, prepare_dataset
from training.synthetic import make_class_folders

COMPOSED = unicodedata.normalize("NFC", "Château d'If")
DECOMPOSED = unicodedata.normalize("NFD", COMPOSED)


def same_name_folders(root, names, per_class):
    make_class_folders(root, names, per_class, size=40)
    if len({p.name for p in root.iterdir()}) < len(set(names)):
        pytest.skip("this file system keeps one folder for names that differ in Unicode form only")
    return root


def test_nfc_and_nfd_folders_of_one_landmark_are_one_class(tmp_path, capsys):
    source = same_name_folders(tmp_path / "photos", [DECOMPOSED, "Tower", COMPOSED], [6, 5, 6])
    out = tmp_path / "prepared"
    summary = prepare_dataset(PrepareConfig(source, out, cache_size=24, workers=1))
    manifest = load_manifest(out)
    assert [c.name for c in manifest.classes] == [COMPOSED, "Tower"]
    chateau = manifest.classes[0]
    assert chateau.landmark_id == COMPOSED and chateau.count == 12  # the id typed, the photos of both folders
    assert {i.landmark_id for i in manifest.images if i.name == COMPOSED} == {COMPOSED}
    assert {i.key.split("/")[0] for i in manifest.images if i.class_index == 0} == {COMPOSED, DECOMPOSED}
    assert Counter(i.split for i in manifest.images if i.class_index == 0) == {"train": 10, "val": 2}
    assert summary.classes == 2 and summary.dropped_classes == 0
    assert [(m.kept, m.merged) for m in summary.merged] == [(COMPOSED, (DECOMPOSED,))]
    # the command says so, escaping the ids (they look alike on a terminal)
    assert main(["prepare", str(source), "--out", str(tmp_path / "cli"), "--size", "24", "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert f'classes "{COMPOSED}", "Cha\\u0302teau d\'If" are all "{COMPOSED}"' in err
    assert "accents written decomposed" in err and "2 classes (0 dropped)" in err


def test_folders_that_differ_in_spaces_only_are_one_class_whatever_the_order(tmp_path):
    # Petra too: prepare refuses a dataset of one class
    source = same_name_folders(tmp_path / "photos", ["a  b", "Petra", "a b", " a b"], [3, 2, 2, 2])
    summary = prepare_dataset(PrepareConfig(source, tmp_path / "prepared", cache_size=24, workers=1))
    manifest = load_manifest(tmp_path / "prepared")
    assert {(c.landmark_id, c.name, c.count) for c in manifest.classes} == {("a b", "a b", 7), ("Petra", "Petra", 2)}
    assert summary.merged[0].kept == "a b" and set(summary.merged[0].merged) == {"a  b", " a b"}
    assert "other or extra white space" in summary.merged[0].describe()


def test_folders_that_differ_in_case_only_are_one_class_whatever_the_order(tmp_path, capsys):
    source = same_name_folders(tmp_path / "photos", ["big ben", "Petra", "Big Ben"], [3, 3, 3])
    summary = prepare_dataset(PrepareConfig(source, tmp_path / "prepared", cache_size=24, workers=1))
    manifest = load_manifest(tmp_path / "prepared")
    assert [(c.landmark_id, c.name, c.count) for c in manifest.classes] == [("Big Ben", "Big Ben", 6),
                                                                           ("Petra", "Petra", 3)]
    assert [(m.kept, m.merged) for m in summary.merged] == [("Big Ben", ("big ben",))]
    assert main(["prepare", str(source), "--out", str(tmp_path / "cli"), "--size", "24", "--workers", "1"]) == 0
    assert 'classes "Big Ben", "big ben" are all "Big Ben" (upper and lower case)' in capsys.readouterr().err


def test_a_merged_class_keeps_its_cache_when_prepared_again(tmp_path):
    source = same_name_folders(tmp_path / "photos", [COMPOSED, DECOMPOSED, "Tower"], [4, 4, 2])
    config = PrepareConfig(source, tmp_path / "prepared", cache_size=24, workers=1)
    first = prepare_dataset(config)
    again = prepare_dataset(config)
    assert (first.resized, first.reused) == (10, 0) and (again.resized, again.reused) == (0, 10)
    assert {c.name: c.count for c in load_manifest(tmp_path / "prepared").classes} == {COMPOSED: 8, "Tower": 2}


def test_two_gldv2_landmarks_whose_categories_read_alike_stay_two_classes():
    """Two GLDv2 ids are two landmarks to the Kaggle metric (a church of one name in two
    towns): only ids that are one label themselves (a folder and its NFD copy) merge."""
    from training.datasets import ImageRecord
    from training.same_name_classes import merge_same_name_classes

    records = [ImageRecord(f"{landmark}/{n}", f"/x/{landmark}/{n}.jpg", landmark)
               for landmark in ("17", "42") for n in range(3)]
    names = {"17": "St. Mary's Church", "42": "St. Mary's Church"}
    kept, kept_names, merged = merge_same_name_classes(records, names)
    assert merged == [] and kept == records and kept_names == names
