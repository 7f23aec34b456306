"""Cancel while a write is planned stops the passes over the plan too (the holds for
stripped files and for JPEGs holding an old label read the journal or the JPEG of each
photo: seconds on a big library), leaving no file, journal entry or transaction."""

from __future__ import annotations

import pytest

from app.core.errors import Cancelled
from app.core.metadata import WriteOptions, plan_writes
from app.core.metadata import plan as plan_module
from app.core.metadata import plan_jpeg_hold, plan_stripped_hold
from app.core.progress import CancelToken
from tests.test_metadata_support import add_photo, index, make_jpeg  # noqa: F401 (index: a fixture)


@pytest.fixture
def photos(tmp_path, index):
    made = [make_jpeg(tmp_path / f"{name}.jpg") for name in ("a", "b", "c")]
    for photo in made:
        add_photo(index, [photo], "Château d'If")
    return made


def _nothing_left(index, photos, before) -> None:
    assert [photo.read_bytes() for photo in photos] == before
    assert not index.conn.in_transaction
    assert index.conn.execute("SELECT COUNT(*) FROM write_journal").fetchone()[0] == 0
    assert index.conn.execute("SELECT COUNT(*) FROM write_batches").fetchone()[0] == 0


def test_cancel_after_the_photos_are_read_stops_before_the_next_pass(index, photos, monkeypatch):
    before = [photo.read_bytes() for photo in photos]
    cancel = CancelToken()
    passes = []
    real = plan_module.one_write_a_file

    def cancelled_during(plan, names=None):
        cancel.cancel()  # the user's Ctrl-C, once every photo is read
        return real(plan, names)

    monkeypatch.setattr(plan_module, "one_write_a_file", cancelled_during)
    monkeypatch.setattr(plan_module, "photos_with_sidecars_in_cloud_left_alone",
                        lambda *args, **kwargs: passes.append("cloud"))
    with pytest.raises(Cancelled):
        plan_writes(index, cancel=cancel)
    assert passes == []
    _nothing_left(index, photos, before)


@pytest.mark.parametrize("held_pass", ["stripped", "old label in JPEG"])
def test_cancel_in_a_pass_stops_it_before_the_next_photo(index, photos, monkeypatch, held_pass):
    before = [photo.read_bytes() for photo in photos]
    cancel = CancelToken()
    looked_at = []
    if held_pass == "stripped":
        def first_cancels(index, item, kept):
            looked_at.append(item.photo_id)
            cancel.cancel()
            return None

        monkeypatch.setattr(plan_stripped_hold, "_stripped_since_written", first_cancels)
    else:
        def first_cancels(index, photo_id, jpeg, label):
            looked_at.append(photo_id)
            cancel.cancel()
            return None

        monkeypatch.setattr(plan_jpeg_hold, "old_label_in_jpeg", first_cancels)
    with pytest.raises(Cancelled):
        plan_writes(index, options=WriteOptions(write_into_jpeg=False), cancel=cancel)
    assert len(looked_at) == 1  # of 3 photos
    _nothing_left(index, photos, before)


def test_not_cancelled_every_photo_is_planned(index, photos):
    assert len(plan_writes(index, cancel=CancelToken())) == 3
