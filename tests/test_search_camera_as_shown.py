"""A camera is found by the name the app shows for it (camera_names.camera_name:
"NIKON CORPORATION" + "COOLPIX P900" is shown "Nikon COOLPIX P900"), not only by the
make and model as the file holds them, whose words do not stand in that order."""

from __future__ import annotations

import pytest

from app.core.index import PhotoIndex
from tests.test_index import add_photo
from tests.test_index_support import assert_every_search_finds


@pytest.fixture
def cameras():
    with PhotoIndex.open(":memory:") as index:
        ids = {model: add_photo(index, "/lib/Trip", f"DSC_{n:04d}", f"2020-12-01T10:{n:02d}:00", model=model)
               for n, model in enumerate(("COOLPIX P900", "NIKON D40", "D850"))}
        yield index, ids


@pytest.mark.parametrize(("query", "expected"), [
    ('camera:"Nikon COOLPIX P900"', {"COOLPIX P900"}),
    ('"nikon coolpix"', {"COOLPIX P900"}),
    ('camera:"nikon d850"', {"D850"}),
    ('camera:"nikon d40"', {"NIKON D40"}),
    ("camera:nikon", {"COOLPIX P900", "NIKON D40", "D850"}),
])
def test_a_camera_is_found_by_the_name_shown_for_it(cameras, query, expected) -> None:
    index, ids = cameras
    assert_every_search_finds(index, query, sorted(ids[model] for model in expected))
