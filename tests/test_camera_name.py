"""The camera name the CLI, `search --json` and the app show (camera_names.camera_name, which read errors use too): the
make's first word, then the model, the make taken off the model only as a whole word."""

from __future__ import annotations

import pytest

from app.core.camera_names import camera_name


@pytest.mark.parametrize(("make", "model", "shown"), [
    ("OM Digital Solutions", "OM-1", "OM-1"),  # was "OM -1": the model's name starts with the make
    ("OM Digital Solutions", "OM-5", "OM-5"),
    ("Canon", "Canonet QL17", "Canon Canonet QL17"),  # was "Canon et QL17": another word
    ("NIKON CORPORATION", "NIKON D70", "Nikon D70"),  # the real cameras of ../shared/data/camera
    ("NIKON", "COOLPIX P6000", "Nikon COOLPIX P6000"),
    ("Nikon", "Nikon COOLSCAN IV ED", "Nikon COOLSCAN IV ED"),
    ("samsung", "SM-G935L", "samsung SM-G935L"),
    ("FUJIFILM", "FinePixS2Pro", "Fujifilm FinePixS2Pro"),
    ("Panasonic", "DMC-LX3", "Panasonic DMC-LX3"),
    ("Canon", "Canon EOS 5D", "Canon EOS 5D"),
    ("Leica Camera AG", "LEICA M10", "Leica M10"),
    ("NIKON", "NIKON", "Nikon"),
    (None, "E5700", "E5700"),
    ("  ", None, None),
])
def test_the_make_is_taken_off_the_model_only_as_a_whole_word(make, model, shown) -> None:
    assert camera_name(make, model) == shown
