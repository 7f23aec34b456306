"""A keyword `write --include-suggested` put into a photo for a suggestion that a newer
model (or a forgotten place) withdrew since, the photo now "no landmark", comes out at
the next write, plain or with --include-suggested, and the dry run says why; a renamed
suggestion's is replaced; a `Landmarks|…` keyword the user typed stays (review "evolve" F4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, write_labels
from app.core.metadata.jpeg_fields import apply_fields, read_fields
from app.core.metadata.keywords import KeywordFields
from model.bundle_writer import resave_bundle
from tests.test_cli_tag import photo
from tests.test_metadata_support import add_photo, make_jpeg

WITHDRAWN = '(a "no landmark" suggestion now: the keyword our write put there comes out)'


@pytest.fixture
def index(tmp_path):
    opened = PhotoIndex.open(tmp_path / "index.db")
    yield opened
    opened.close()


def write(index, include_suggested: bool):
    plan = plan_writes(index, "", include_suggested, WriteOptions())
    summary = write_labels(index, plan, WriteOptions())
    assert summary.failed == 0, summary.errors
    return summary


def written_suggestion(tmp_path, index, label: str = "Taj Mahal", typed: list[str] | None = None):
    """A JPEG (with the user's `typed` keywords) whose suggestion `label` a write
    --include-suggested put in; (photo id, path)."""
    jpeg = make_jpeg(tmp_path / "IMG_0002.jpg")
    if typed:
        flat = [keyword.removeprefix("Landmarks|") for keyword in typed]
        jpeg.write_bytes(apply_fields(jpeg.read_bytes(), KeywordFields(flat, typed)))
    photo_id = add_photo(index, [jpeg], label, state="suggested")
    write(index, include_suggested=True)  # (nothing to write where the user had typed it)
    assert f"Landmarks|{label}" in read_fields(jpeg.read_bytes()).hierarchical
    return photo_id, jpeg


def withdraw(index, photo_id):
    """What `tag` with a stricter model stores: "no landmark", still a suggestion."""
    index.set_label(photo_id, None, source="model", state="suggested", score=0.99)


@pytest.mark.parametrize("include_suggested", [True, False])
def test_a_withdrawn_suggestions_keyword_comes_out_and_the_dry_run_says_why(tmp_path, index, include_suggested):
    photo_id, jpeg = written_suggestion(tmp_path, index)
    withdraw(index, photo_id)
    plan = [item for item in plan_writes(index, "", include_suggested) if item.changes_anything]
    assert [item.describe() for item in plan] == [f'{jpeg}: keywords "Taj Mahal" -> none {WITHDRAWN}']
    assert write(index, include_suggested).written == 1
    fields = read_fields(jpeg.read_bytes())
    assert not fields.subject and not fields.hierarchical
    assert index.get(photo_id).label is None and index.get(photo_id).state == "suggested"  # the index as it was


def test_a_renamed_suggestions_keyword_is_replaced(tmp_path, index):
    photo_id, jpeg = written_suggestion(tmp_path, index)
    index.set_label(photo_id, "Taj Mahal, Agra", source="model", state="suggested", score=0.99)
    write(index, include_suggested=True)
    fields = read_fields(jpeg.read_bytes())
    assert fields.subject == ["Taj Mahal, Agra"] and fields.hierarchical == ["Landmarks|Taj Mahal, Agra"]


def test_the_users_own_landmark_keywords_stay_when_the_suggestion_is_withdrawn(tmp_path, index):
    photo_id, jpeg = written_suggestion(tmp_path, index, typed=["Landmarks|Agra Fort", "India"])
    withdraw(index, photo_id)
    write(index, include_suggested=False)
    fields = read_fields(jpeg.read_bytes())
    assert fields.subject == ["Agra Fort", "India"]
    assert fields.hierarchical == ["Landmarks|Agra Fort", "India"]


def test_the_users_own_keyword_of_the_withdrawn_landmark_stays(tmp_path, index):
    """Typed in Lightroom before our write, which found it there: it is the user's."""
    photo_id, jpeg = written_suggestion(tmp_path, index, typed=["Landmarks|Taj Mahal"])
    before = jpeg.read_bytes()
    withdraw(index, photo_id)
    assert not [item for item in plan_writes(index, "", True) if item.changes_anything]
    write(index, include_suggested=True)
    assert read_fields(jpeg.read_bytes()).hierarchical == ["Landmarks|Taj Mahal"]
    assert jpeg.read_bytes() == before


def test_a_no_landmark_suggestion_never_written_is_not_listed(tmp_path, index):
    jpeg = make_jpeg(tmp_path / "IMG_0003.jpg")
    jpeg.write_bytes(apply_fields(jpeg.read_bytes(), KeywordFields(["Taj Mahal"], ["Landmarks|Taj Mahal"])))
    add_photo(index, [jpeg], None, state="suggested")
    assert plan_writes(index, "", True) == []


def test_a_stricter_model_withdrawing_a_written_suggestion_takes_it_out(tmp_path, tiny_bundle, capsys):
    """End to end, as the user met it: tag, write --include-suggested, tag with a model
    whose threshold no photo reaches, write --dry-run, write; undo puts it back."""
    folder = tmp_path / "Agra"
    folder.mkdir()
    jpeg = photo(folder / "IMG_0002.jpg", 2)
    db = ["--db", str(tmp_path / "index.db")]
    strict = resave_bundle(tiny_bundle, tmp_path / "strict.ltbundle", name="strict", threshold=0.99999).path
    assert main([*db, "tag", "--model", str(tiny_bundle.path), "--threshold", "0", "--workers", "0", str(folder)]) == 0
    assert main([*db, "write", "--include-suggested"]) == 0
    written = read_fields(jpeg.read_bytes()).hierarchical
    assert len(written) == 1 and written[0].startswith("Landmarks|")
    assert main([*db, "tag", "--model", str(strict), "--workers", "0", str(folder)]) == 0
    capsys.readouterr()
    assert main([*db, "search", "--json"]) == 0
    found = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [(row["label"], row["state"]) for row in found] == [(None, "suggested")]
    assert main([*db, "write", "--include-suggested", "--dry-run"]) == 0
    listed = capsys.readouterr().out
    assert f'{jpeg}: keywords "{written[0].removeprefix("Landmarks|")}" -> none {WITHDRAWN}' in listed
    assert main([*db, "write"]) == 0
    assert not read_fields(jpeg.read_bytes()).hierarchical
    assert main([*db, "undo"]) == 0
    assert read_fields(jpeg.read_bytes()).hierarchical == written
