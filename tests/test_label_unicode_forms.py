"""One label form (model.labels.label_form) wherever a label comes in: macOS lists
folder names decomposed (NFD), so a model trained there on a folder per class named
its classes "Cha" + U+0302 + "teau d'If", while a label the user types is composed
(NFC). Typing the model's own label then rejected it and added a look-alike label."""

from __future__ import annotations

import unicodedata

import pytest
from PIL import Image

from app.core.index import PhotoIndex
from app.core.scanner import scan
from app.core.teaching import canonical_label, learn_from_correction

NFC = unicodedata.normalize("NFC", "Château d'If")
NFD = unicodedata.normalize("NFD", "Château d'If")


def test_a_class_folder_listed_decomposed_gives_the_composed_class_name(tmp_path):
    from training.datasets import folder_records

    folder = tmp_path / "data" / NFD
    folder.mkdir(parents=True)
    Image.new("RGB", (8, 8)).save(folder / "a.jpg")
    records, names = folder_records(tmp_path / "data")
    assert [ascii(name) for name in names.values()] == [ascii(NFC)]
    assert records[0].source == str((folder / "a.jpg").resolve())  # the file is still found as listed


def test_a_bundle_exported_with_decomposed_names_loads_them_composed(tmp_path):
    pytest.importorskip("torch")
    from model.bundle import load_bundle
    from model.testing import make_tiny_bundle

    make_tiny_bundle(tmp_path / "macos.ltbundle", [NFD, "Colosseum"], input_size=32)
    assert [ascii(name) for name in load_bundle(tmp_path / "macos.ltbundle").class_names()] == [ascii(NFC), "'Colosseum'"]


def test_canonical_label_takes_the_model_name_in_the_other_unicode_form(tmp_path):
    with PhotoIndex.open(tmp_path / "index.db") as index:
        assert canonical_label(index, NFC, [NFD]) == NFD
        assert canonical_label(index, "château  D'IF", [NFD]) == NFD


def test_typing_the_label_a_photo_has_in_the_other_unicode_form_rejects_nothing(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    Image.new("RGB", (32, 32), "red").save(photos / "DSC_0001.JPG")
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [photos])
        (photo_id,) = index.photo_ids()
        index.set_label(photo_id, NFD, source="model", state="suggested", score=0.9)
        correction = learn_from_correction(index, photo_id, NFC, model=tmp_path / "no-such.ltbundle")
        rejected = index.conn.execute("SELECT label FROM rejections WHERE photo_id = ?", (photo_id,)).fetchall()
        labels = {row[0] for row in index.conn.execute("SELECT label FROM labels WHERE label IS NOT NULL")}
    assert correction.rejected is None and rejected == []
    assert labels == {NFD}
