"""A photo renamed in a file manager leaves our sidecar under its old name; darktable (which
writes a sidecar for every photo it opens) then makes one under the new name. The move
does not take that new sidecar for ours moved: the scan reports no keyword removed in
another program, and undo removes our sidecar at the old name, leaving darktable's."""

from __future__ import annotations

from app.core.metadata import undo_last_write
from app.core.metadata.sidecar import fields_of_sidecar
from app.core.scanner import scan
from tests.test_metadata_fields import LIGHTROOM_SIDECAR
from tests.test_sidecars_changed_outside import _labelled_png, index  # noqa: F401 (index: a fixture)
from tests.test_write_odd_files import write_all


def test_a_new_programs_sidecar_under_the_new_name_is_not_ours_moved(tmp_path, index):
    photo = _labelled_png(index, tmp_path / "photos", "IMG_0001.png", "Petra")
    assert write_all(index).written == 1
    ours = photo.with_name("IMG_0001.png.xmp")
    assert fields_of_sidecar(ours.read_bytes()).subject == ["Petra"]

    renamed = photo.rename(photo.with_name("Petra_01.png"))  # as Finder does: the sidecar stays
    theirs = renamed.with_name("Petra_01.png.xmp")
    theirs.write_text(LIGHTROOM_SIDECAR)  # another program's, for the photo under its new name

    summary = scan(index, [photo.parent])
    assert summary.moved == 1
    assert summary.keywords_changed_elsewhere == []  # not "Petra removed in another program"
    assert [(p.path, p.label) for p in index.search()] == [(str(renamed), "Petra")]

    undone = undo_last_write(index)

    assert (undone.written, undone.failed) == (1, 0)
    assert not ours.exists()
    assert theirs.read_text() == LIGHTROOM_SIDECAR
    assert sorted(p.name for p in photo.parent.iterdir()) == ["Petra_01.png", "Petra_01.png.xmp"]
