"""`tag` gives the model in use a reference for every taught photo lacking one (t_teach-4):
a place taught with another model (`teach --model OTHER`, or a label set while the chosen
model was away) taught the model in use only when some photo needed tagging, or at the next
`suggest`. And where a taught photo cannot teach it (its file missing), `tag` says so
(t_teach-2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.core import teaching_store as store
from app.core.index import PhotoIndex
from app.core.tagging import TagOptions, tag
from app.core.teaching import teach
from app.core.teaching_suggest import SuggestOptions, SuggestReport, close_hint, suggest
from model.bundle import load_bundle
from model.bundle_writer import resave_bundle
from tests.test_metadata_support import tagged_photos

PLACE = "Arezzo gate"


@pytest.fixture(scope="module")
def other_bundle(tiny_bundle, tmp_path_factory):
    """The same network saved as another model (another id)."""
    return load_bundle(resave_bundle(tiny_bundle, tmp_path_factory.mktemp("other") / "other.ltbundle",
                                     name="other").path)


def _options(bundle) -> TagOptions:
    return TagOptions(model=Path(bundle.path), workers=0, batch_size=2, threads=1)


def _refs_by(index: PhotoIndex, bundle) -> set[tuple[str, int]]:
    return {(ref.label, ref.photo_id) for ref in store.refs_of_model(index.conn, bundle.id)}


@pytest.fixture
def library(tmp_path: Path, tiny_bundle):
    """Four photos tagged by the tiny model."""
    folder = tmp_path / "photos"
    index, ids = tagged_photos(folder, 4, tmp_path / "index.db", _options(tiny_bundle))
    yield index, ids, folder
    index.close()


def test_a_place_taught_with_another_model_teaches_the_model_in_use_at_the_next_tag(
        library, tiny_bundle, other_bundle) -> None:
    index, ids, folder = library
    tag(index, [folder], _options(other_bundle))
    teach(index, PLACE, ids[:2], bundle=tiny_bundle)  # `teach --model` the other one
    assert _refs_by(index, other_bundle) == set()

    summary = tag(index, [folder], _options(other_bundle))
    assert summary.tagged == 0 and summary.up_to_date == 4  # nothing to decode
    assert _refs_by(index, other_bundle) == {(PLACE, ids[0]), (PLACE, ids[1])}
    assert summary.untaught_here == [] and "could not teach" not in summary.line()


def test_tag_says_which_taught_photos_could_not_teach_the_model_in_use(
        tmp_path, library, tiny_bundle, other_bundle) -> None:
    index, ids, folder = library
    teach(index, PLACE, ids[:2], bundle=tiny_bundle)
    away = tmp_path / "card"
    away.mkdir()
    for photo_id in ids[:2]:  # off-line when a new model is first used
        shutil.move(index.get(photo_id).path, away)

    summary = tag(index, [folder], _options(other_bundle))
    assert _refs_by(index, other_bundle) == set()
    assert sorted(summary.untaught_here) == [(PLACE, ids[0]), (PLACE, ids[1])]
    assert f"2 taught photos could not teach this model '{PLACE}': their files are missing" in summary.line()

    # `suggest` (and the app's Find suggestions) says why nothing is scored, not "nothing is taught yet"
    from app.gui.teach_actions import TeachActions

    report = SuggestReport()
    assert suggest(index, "", SuggestOptions(store=False), bundle=other_bundle, report=report) == []
    why = f"'{PLACE}' (2 taught photos) has no reference for this model, as their files are missing or unreadable"
    hint = close_hint(report, model=other_bundle.path, program="lt")
    assert hint.startswith(f"nothing to suggest: {why}; put them back and run `lt tag --model ")
    assert TeachActions._suggestions_message(0, report).startswith(f"Nothing to suggest: {why}; put them back and Tag")
