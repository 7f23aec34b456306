"""How the app's detail pane and loupe show the date taken (detail_pane.format_taken_at)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from app.gui.detail_pane import format_taken_at  # noqa: E402


@pytest.mark.parametrize(("stored", "shown"), [
    ("2016-07-07", "2016-07-07"),  # an XMP or IPTC date alone (a scan): was "2016-07-07  00:00:00"
    ("2011-04-25T01:55:30.5+02:00", "2011-04-25  01:55:30  (UTC+02:00)"),
    ("2011-04-25T00:00:00", "2011-04-25  00:00:00"),  # a real midnight stays
    (None, "—"),
])
def test_the_date_taken_is_shown_as_the_file_gives_it(stored, shown) -> None:
    assert format_taken_at(stored) == shown
