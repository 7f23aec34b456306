"""A landmark tag the user moved into a tree of their own gets no second path of ours: after
digiKam moved "AC/DC Tower" from `Landmarks/AC|DC Tower` to `Places/AC|DC Tower` (mirrored
`Places|AC|DC Tower`), `write` added `Landmarks|AC/DC Tower` and `Landmarks/AC|DC Tower` back
beside it, and digiKam showed the landmark twice; the same for Lightroom's
`Places|Rome|Colosseum`. The file is now left as the user arranged it."""

from __future__ import annotations

import pytest

from app.core.metadata import plan_writes
from app.core.metadata.jpeg_fields import read_fields
from app.core.scanner import scan
from tests.test_cli_core import run_cli
from tests.test_slash_label_digikam_mirror import _saved_by_digikam
from tests.test_slash_label_round_trip import _written
from tests.test_write_keyword_policy import index  # noqa: F401 (index: a fixture)
from tests.test_write_keyword_policy import write_all

MOVED = {
    "digiKam's move": {"digikam": ["People/Anna", "Places/AC|DC Tower"],
                       "hierarchical": ["People|Anna", "Places|AC|DC Tower"], "subject": ["Anna", "AC|DC Tower"]},
    "digiKam's mirror, not moved": {"hierarchical": ["People|Anna", "Landmarks|AC|DC Tower"]},
}


@pytest.mark.parametrize("layout", list(MOVED))
def test_write_leaves_a_landmark_moved_into_the_users_tree_alone(tmp_path, index, capsys, layout):
    jpeg, _ = _written(tmp_path, index)
    _saved_by_digikam(jpeg, **MOVED[layout])
    scan(index, [jpeg.parent])
    moved = jpeg.read_bytes()

    [item] = [item for item in plan_writes(index) if item.target == jpeg]
    assert not item.changes_anything and item.problem is None
    code, _, err = run_cli(capsys, "--db", str(tmp_path / "index.db"), "write", str(jpeg))

    assert code == 0, err
    assert jpeg.read_bytes() == moved
    assert {(row.label, row.state) for row in index.search("") if row.path == str(jpeg)} == {("AC/DC Tower", "accepted")}


def test_a_moved_keyword_without_a_hierarchy_elsewhere_is_not_doubled_and_other_fields_still_follow(tmp_path, index):
    """`Places|Rome|Colosseum` moved in Lightroom: no `Landmarks|Colosseum` beside it; the digiKam
    tags, holding no path of the landmark, still get ours."""
    from tests import test_keywords_changed_elsewhere as elsewhere
    from tests.test_keywords_kept_elsewhere import _saved_by_other_program

    photo, _ = elsewhere._written(tmp_path, index)
    _saved_by_other_program(photo, hierarchical=["Places|Rome|Colosseum"], digikam=["People/Anna"])
    scan(index, [photo.parent])
    write_all(index)

    fields = read_fields(photo.read_bytes())
    assert fields.hierarchical == ["Places|Rome|Colosseum"]
    assert fields.digikam == ["People/Anna", "Landmarks/Colosseum"]
