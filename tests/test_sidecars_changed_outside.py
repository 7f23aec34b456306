"""Sidecars another program, or the user, changed between our steps: a photo renamed in
a file manager while its sidecar stays under the old name, and a sidecar deleted
between the plan and the write. Undo must work on the sidecar that is really there,
and a write must not rebuild a removed sidecar from what the plan read."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, undo_last_write, write_labels
from app.core.metadata.sidecar import fields_of_sidecar
from app.core.scanner import scan
from tests.test_metadata_fields import LIGHTROOM_SIDECAR
from tests.test_metadata_support import add_photo
from tests.test_write_odd_files import write_all


@pytest.fixture
def index(tmp_path):
    opened = PhotoIndex.open(tmp_path / "index.db")
    yield opened
    opened.close()


def _labelled_png(index: PhotoIndex, folder: Path, name: str, label: str) -> Path:
    """A PNG (labelled in sidecars) scanned and given `label`."""
    folder.mkdir(exist_ok=True)
    photo = folder / name
    Image.new("RGB", (40, 30), (10, 200, 10)).save(photo)
    scan(index, [folder])
    index.set_label(next(p.id for p in index.search("") if Path(p.path) == photo), label)
    return photo


# -- undo after a photo renamed outside the app ---------------------------------------------

def test_undo_after_a_rename_in_a_file_manager_removes_the_sidecar_left_under_the_old_name(tmp_path, index):
    photo = _labelled_png(index, tmp_path / "photos", "IMG_0001.png", "Petra")
    assert write_all(index).written == 1
    ours = photo.with_name("IMG_0001.png.xmp")
    assert ours.exists()

    photo.rename(photo.with_name("Petra_01.png"))  # as Finder does: the sidecar stays where it was
    assert scan(index, [photo.parent]).moved == 1

    undone = undo_last_write(index)

    assert (undone.written, undone.failed) == (1, 0)
    assert not ours.exists()
    assert sorted(p.name for p in photo.parent.iterdir()) == ["Petra_01.png"]


def test_undo_after_a_rename_puts_back_a_merged_sidecar_left_under_the_old_name(tmp_path, index):
    folder = tmp_path / "photos"
    folder.mkdir()
    lightroom = folder / "DSC_8188.xmp"  # Lightroom's name: our write merges into it
    lightroom.write_text(LIGHTROOM_SIDECAR)
    photo = _labelled_png(index, folder, "DSC_8188.png", "Eiffel Tower")
    assert [item.target for item in plan_writes(index)] == [lightroom]
    assert write_all(index).written == 1
    assert "Eiffel Tower" in fields_of_sidecar(lightroom.read_bytes()).subject

    photo.rename(folder / "Paris_02.png")
    assert scan(index, [folder]).moved == 1

    undone = undo_last_write(index)

    assert (undone.written, undone.failed, undone.errors) == (1, 0, [])
    assert lightroom.read_text() == LIGHTROOM_SIDECAR
    assert not (folder / "Paris_02.xmp").exists()


def test_undo_after_a_rename_with_the_sidecar_follows_it_to_the_new_name(tmp_path, index):
    photo = _labelled_png(index, tmp_path / "photos", "IMG_0001.png", "Petra")
    assert write_all(index).written == 1
    for old, new in (("IMG_0001.png", "Petra_01.png"), ("IMG_0001.png.xmp", "Petra_01.png.xmp")):
        (photo.parent / old).rename(photo.parent / new)  # as darktable or Lightroom move a photo
    assert scan(index, [photo.parent]).moved == 1

    undone = undo_last_write(index)

    assert (undone.written, undone.failed) == (1, 0)
    assert sorted(p.name for p in photo.parent.iterdir()) == ["Petra_01.png"]


# -- a sidecar removed between the plan and the write ---------------------------------------

def test_a_sidecar_removed_after_the_plan_is_refused_not_rebuilt_from_the_plan(tmp_path, index):
    raw = tmp_path / "DSC_0001.NEF"
    raw.write_bytes(b"not really a raw file, never opened")
    sidecar = tmp_path / "DSC_0001.xmp"
    sidecar.write_text(LIGHTROOM_SIDECAR)
    add_photo(index, [raw], "Eiffel Tower")
    options = WriteOptions()
    plan = plan_writes(index, "", False, options)
    assert [item.target for item in plan] == [sidecar]

    sidecar.unlink()  # another program, or the user, deletes it meanwhile
    summary = write_labels(index, plan, options)

    assert (summary.written, summary.failed) == (0, 1)
    assert summary.errors == [(str(sidecar), f"{sidecar}: the sidecar was removed since the plan was made; "
                                             "run 'write' again")]
    assert not sidecar.exists()
    # the step it names: a new plan writes a new sidecar holding the label alone
    assert write_all(index).written == 1
    assert fields_of_sidecar(raw.with_name("DSC_0001.NEF.xmp").read_bytes()).subject == ["Eiffel Tower"]


def test_a_sidecar_still_to_be_created_is_written_though_its_plan_started_from_keywords_inside(tmp_path, index):
    from tests.test_sidecars_other_programs_left import png_with_keywords

    png = png_with_keywords(tmp_path / "IMG_0001.png", ["Family"], ["People|Family"])
    add_photo(index, [png], "Petra")
    plan = plan_writes(index)
    assert plan[0].before.subject == ["Family"]  # not from a sidecar: none is there

    assert write_labels(index, plan).written == 1
    assert fields_of_sidecar(png.with_name("IMG_0001.png.xmp").read_bytes()).subject == ["Family", "Petra"]
