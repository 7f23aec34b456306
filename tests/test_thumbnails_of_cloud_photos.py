"""Browsing must not download a photo a cloud drive keeps online only: the thumbnails
and previews (app/core/thumbnails.py) read an evicted iCloud photo's name and an
online-only placeholder (OneDrive Files On-Demand) as any other file, which downloads
it, or failed on the stand-in as on a deleted file. Now they raise NotDownloadedError,
reading nothing, for the app to show a placeholder."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from PIL import Image

from app.core import thumbnails
from app.core.cloud_files import IN_ICLOUD, ONLINE_ONLY, NotDownloadedError
from app.core.errors import PhotoNotReadError
from app.core.thumbnails import cached_thumbnail, load_preview
from tests.test_cloud_placeholders import STAND_IN, online_only  # noqa: F401 (a fixture)
from tests.test_index_support import write_jpeg


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    """The files Pillow is asked to open (a read of the photo)."""
    seen: list[str] = []
    real_open = Image.open

    def spy(source, *args, **kwargs):
        seen.append(str(getattr(source, "name", source)))
        return real_open(source, *args, **kwargs)

    monkeypatch.setattr(Image, "open", spy)
    return seen


def test_a_photo_in_icloud_gets_a_not_downloaded_error_not_a_missing_file(tmp_path: Path, opened) -> None:
    photo = write_jpeg(tmp_path / "Trips" / "IMG_0001.jpg")
    photo.unlink()  # "Optimize Mac Storage" evicted it: its stand-in lies in its place
    (photo.parent / ".IMG_0001.jpg.icloud").write_bytes(STAND_IN)
    cache = tmp_path / "cache"
    for make in (lambda: cached_thumbnail(photo, 160, cache), lambda: load_preview(photo)):
        with pytest.raises(NotDownloadedError) as raised:
            make()
        assert raised.value.note == IN_ICLOUD and str(raised.value) == f"{photo}: {IN_ICLOUD}"
        assert isinstance(raised.value, PhotoNotReadError)  # not remembered as a bad file
    assert opened == [] and not cache.exists()


def test_a_deleted_photo_is_no_photo_in_the_cloud(tmp_path: Path) -> None:
    photo = tmp_path / "IMG_0002.jpg"
    with pytest.raises(thumbnails.PhotoReadError) as raised:
        cached_thumbnail(photo, 160, tmp_path / "cache")
    assert not isinstance(raised.value, NotDownloadedError)


def test_an_online_only_photo_is_not_read_even_for_a_thumbnail_cached_before(
        tmp_path: Path, online_only, opened) -> None:  # noqa: F811
    photo = write_jpeg(tmp_path / "IMG_0001.jpg")
    cache = tmp_path / "cache"
    assert cached_thumbnail(photo, 64, cache).is_file()  # made while the photo was on the disk
    online_only.names.add(photo.name)
    opened.clear()
    for make in (lambda: cached_thumbnail(photo, 64, cache), lambda: cached_thumbnail(photo, 128, cache),
                 lambda: load_preview(photo)):
        with pytest.raises(NotDownloadedError) as raised:
            make()
        assert raised.value.note == ONLINE_ONLY
    assert opened == []


def test_the_error_survives_a_trip_between_processes() -> None:
    error = pickle.loads(pickle.dumps(NotDownloadedError("/photos/IMG_0001.jpg", IN_ICLOUD)))
    assert (str(error), error.note) == (f"/photos/IMG_0001.jpg: {IN_ICLOUD}", IN_ICLOUD)
