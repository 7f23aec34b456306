"""Helpers shared by the tests of scanning: an in-memory index."""

from __future__ import annotations

import pytest

from app.core.index import PhotoIndex


@pytest.fixture
def index():
    with PhotoIndex.open(":memory:") as idx:
        yield idx
