"""`suggest` matched the names a user rejected by name only, while `tag` (since 4dc7946)
matches them by name or landmark id: after a model update renamed a landmark, a photo
whose landmark the user had rejected under its old name was scored by `suggest` as if
nothing had been said, and by `tag` without it. Both now read rejections through one
helper (teaching_space.user_rejections)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.core import teaching_space
from app.core.index import PhotoIndex
from app.core.tagging import tag
from app.core.teaching import teach
from app.core.teaching_suggest import SuggestOptions, suggest
from model.bundle import load_bundle
from tests.test_cli_tag import photo
from tests.test_model_switch_review_fixes import options, renamed_bundle  # noqa: F401 (fixture)


def test_suggest_leaves_out_a_landmark_rejected_under_its_old_name(tmp_path: Path, tiny_bundle, renamed_bundle,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    trip = tmp_path / "trip"
    trip.mkdir()
    photo(trip / "a.jpg", 1)
    photo(trip / "b.jpg", 2)
    seen: list[tuple[np.ndarray, np.ndarray | None]] = []
    winners = teaching_space.LibraryScores.winners

    def spy(self, blocked=None):
        seen.append((self.taught_labels, blocked))
        return winners(self, blocked)

    monkeypatch.setattr(teaching_space.LibraryScores, "winners", spy)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        tag(index, [trip], options(tiny_bundle.path, 0.0))
        b = next(record.id for record in index.search("") if Path(record.path).name == "b.jpg")
        old = index.predictions(b, tiny_bundle.id)[0]
        index.set_state([b], "rejected")  # rejected under the old model's name
        renamed = load_bundle(renamed_bundle, check_onnx=False)
        tag(index, [trip], options(renamed_bundle, 0.0, retag=True))
        teach(index, "Our cabin", [str(trip / "a.jpg")], bundle=renamed)
        suggest(index, options=SuggestOptions(model=renamed_bundle, store=False), bundle=renamed)
    column = [entry.landmark_id for entry in renamed.labels].index(old.landmark_id)
    assert renamed.class_names()[column] != old.label
    assert seen, "suggest scored no photo"
    blocked = seen[-1][1]
    assert blocked is not None and blocked.shape[0] == 1  # b alone: a teaches
    assert blocked[0, column]
