"""A write carries out a plan made earlier (the app's write list stays open as long as the
user reads it): a photo rejected or labelled again meanwhile, from a terminal, is left
as it is, not given the label the index no longer holds, and the next write does it."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.metadata import plan_writes, write_labels
from app.core.metadata.jpeg_fields import read_fields
from tests.test_metadata_support import add_photo, make_jpeg


@pytest.fixture
def index(tmp_path):
    opened = PhotoIndex.open(tmp_path / "index.db")
    yield opened
    opened.close()


def in_another_process(index: PhotoIndex, change) -> None:
    """`change(other)` on a second connection to the same index, as `landmark-tagger
    reject …` in a terminal makes it."""
    with PhotoIndex.open(index.path) as other:
        change(other)


def keywords(path: Path) -> list[str]:
    return read_fields(path.read_bytes(), str(path)).subject or []


def test_a_photo_rejected_after_the_plan_keeps_its_file_as_it_was(tmp_path, index) -> None:
    rejected, kept = make_jpeg(tmp_path / "a.jpg"), make_jpeg(tmp_path / "b.jpg", seed=1)
    rejected_id = add_photo(index, [rejected], "Pont du Gard")
    add_photo(index, [kept], "Maison Carrée")
    plan = plan_writes(index)
    in_another_process(index, lambda other: other.set_state([rejected_id], "rejected"))

    summary = write_labels(index, plan)

    assert "Pont du Gard" not in keywords(rejected)
    assert keywords(kept) == ["Maison Carrée"]
    assert (summary.written, summary.failed, summary.relabelled) == (1, 0, 1)
    assert "1 file left as it is (its photo was labelled again since the plan was made; run 'write' again)" \
        in summary.line()
    assert summary.to_json()["relabelled"] == 1
    assert not index.errors()  # not a problem of the file: the next plan has nothing to write for it
    assert all(item.photo_id != rejected_id for item in plan_writes(index))


def test_a_photo_labelled_again_after_the_plan_gets_its_new_label_at_the_next_write(tmp_path, index) -> None:
    photo = make_jpeg(tmp_path / "a.jpg")
    photo_id = add_photo(index, [photo], "Pont du Gard")
    plan = plan_writes(index)
    in_another_process(index, lambda other: other.set_label(photo_id, "Arènes de Nîmes", source="user",
                                                            state="accepted"))

    assert write_labels(index, plan).relabelled == 1
    assert keywords(photo) == []

    summary = write_labels(index, plan_writes(index))
    assert (summary.written, summary.relabelled) == (1, 0)
    assert keywords(photo) == ["Arènes de Nîmes"]


def test_a_plan_made_by_hand_is_written_as_it_says(tmp_path, index) -> None:
    """A plan with no label recorded (built through the API) has nothing to compare with."""
    from dataclasses import replace

    photo = make_jpeg(tmp_path / "a.jpg")
    photo_id = add_photo(index, [photo], "Pont du Gard")
    plan = [replace(item, index_label=None) for item in plan_writes(index)]
    index.set_state([photo_id], "rejected")

    assert write_labels(index, plan).written == 1
    assert keywords(photo) == ["Pont du Gard"]
