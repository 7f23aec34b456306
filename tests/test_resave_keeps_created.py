"""`landmark-train places`, relabel, quantize and the default model's card step resave a
bundle: they keep its `created` (when its checkpoint was saved), so the same bundle given
the same change twice is the same bundle, and the app does not tag the library again."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

pytest.importorskip("torch")
pytest.importorskip("onnxruntime")


class _Clock:
    """model.bundle_writer's datetime: each now() an hour after the last."""

    calls = 0

    @classmethod
    def now(cls, tz=None):
        cls.calls += 1
        return datetime(2027, 1, 1, tzinfo=timezone.utc) + timedelta(hours=cls.calls)


def test_places_given_twice_keep_created_and_the_id(tmp_path, monkeypatch):
    import model.bundle_writer
    from model.bundle import load_bundle
    from model.bundle_writer import resave_bundle
    from model.testing import make_tiny_bundle
    from training.cli import main

    source = make_tiny_bundle(tmp_path / "m.ltbundle", ["Colosseum", "Petra"], input_size=32, embedding_size=8)
    created = "2026-12-05T13:33:27+00:00"  # as export writes it: when the checkpoint was saved
    resave_bundle(source, tmp_path / "m.ltbundle", created=created)
    monkeypatch.setattr(model.bundle_writer, "datetime", _Clock)
    csv = tmp_path / "pl.csv"
    csv.write_text("name,lat,lon,radius_km\nColosseum,41.89,12.49,5\n", encoding="utf-8")
    assert main(["places", str(tmp_path / "m.ltbundle"), str(csv)]) == 0
    first = load_bundle(tmp_path / "m.ltbundle")
    assert main(["places", str(tmp_path / "m.ltbundle"), str(csv)]) == 0
    second = load_bundle(tmp_path / "m.ltbundle")
    assert first.created == second.created == created
    assert second.id == first.id
    # the card step of the default model: another card, the same created
    assert resave_bundle(second, tmp_path / "c.ltbundle", card="# new card\n").created == created
