"""A rejected photo's file is read by the plan only where a keyword of ours may be in it
for that label: not where our journal shows our last write put another label there
(which stays), while one we wrote the rejected label into still has it taken out. A
file no write of this index touched is read, as README says (a label written from
another index, or read back, is taken out when rejected:
tests/test_metadata_review_fixes.py)."""

from __future__ import annotations

import builtins
from pathlib import Path

from app.core.metadata import plan_writes
from app.core.metadata.jpeg_fields import read_fields
from tests import test_write_keyword_policy as keyword_policy
from tests.test_metadata_support import add_photo, make_jpeg

index = keyword_policy.index  # the fixture: an index of its own in tmp_path
write_all = keyword_policy.write_all


def _plan_counting_opens(index, photo: Path, monkeypatch) -> tuple[list, int]:
    opened = []
    real_open = builtins.open

    def counting_open(file, *args, **kwargs):
        if Path(file) == photo:
            opened.append(file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting_open)
    plan = plan_writes(index)
    monkeypatch.setattr(builtins, "open", real_open)
    return plan, len(opened)


def test_a_rejected_photo_whose_file_holds_another_label_of_ours_is_not_read(tmp_path, index, monkeypatch):
    photo = make_jpeg(tmp_path / "a.jpg")
    photo_id = add_photo(index, [photo], "Trevi Fountain")
    write_all(index)
    index.set_label(photo_id, "Colosseum")
    index.set_state([photo_id], "rejected")
    plan, opens = _plan_counting_opens(index, photo, monkeypatch)
    assert plan == [] and opens == 0
    assert read_fields(photo.read_bytes()).subject == ["Trevi Fountain"]


def test_a_rejected_photo_we_wrote_its_label_into_still_has_it_taken_out(tmp_path, index, monkeypatch):
    photo = make_jpeg(tmp_path / "a.jpg")
    photo_id = add_photo(index, [photo], "Colosseum")
    write_all(index)
    index.set_state([photo_id], "rejected")
    plan, opens = _plan_counting_opens(index, photo, monkeypatch)
    assert [item.changes_anything for item in plan] == [True] and opens >= 1
    assert write_all(index).written == 1
    fields = read_fields(photo.read_bytes())
    assert not fields.subject and not fields.hierarchical and not fields.iptc
