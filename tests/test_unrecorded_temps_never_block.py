"""review7 F3, F4: since b1db49e every temp of ours beside a missing file blocked `write` of
that file for good ("… maybe its only copy (its old file removed, the new one not renamed
into place): rename it …"), though only a failed replace of ours makes a temp the only
copy. F3: a write killed before its rename left a copy of DSC_0001.NEF.xmp; the user then
discarded the history in darktable (the .xmp deleted): renaming the temp as advised brings
the history back. F4: a write killed while creating the sidecar left its temp empty or cut
short. Now only a temp recorded as the only copy (only_copy_temps) blocks; these never do.
An empty or cut one goes once the write has created the file; a whole one is kept aside
under a visible name (temps_set_aside: it may be an only copy whose record was cleared)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.metadata import plan_writes, write_labels
from app.core.metadata.plan import WriteOptions
from app.core.scanner import scan
from tests.test_metadata_support import add_photo
from tests.test_only_copy_temp_kept import DARKTABLE
from tests.test_write_safety_support import _age, _temps, killed


def _killed_write(tmp_path: Path, with_sidecar: bool) -> tuple[Path, Path, Path]:
    """DSC_0001.NEF labelled Petra (with darktable's sidecar or none), its write killed with
    the sidecar's temp written, not renamed."""
    library = tmp_path / "Raw"
    library.mkdir()
    raw, sidecar = library / "DSC_0001.NEF", library / "DSC_0001.NEF.xmp"
    raw.write_bytes(b"not really a raw file, never read")
    if with_sidecar:
        sidecar.write_text(DARKTABLE, encoding="utf-8")
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        add_photo(index, [raw], "Petra")
    killed(db, "write", "atomic.flush_to_disk", only=sidecar.name)
    [temp] = _temps(library)
    return db, sidecar, library / temp


def _write(db: Path):
    with PhotoIndex.open(db) as index:
        return write_labels(index, plan_writes(index), WriteOptions(workers=1))


def test_a_sidecar_deleted_on_purpose_beside_an_old_killed_writes_copy_does_not_block_its_write(tmp_path):
    db, sidecar, temp = _killed_write(tmp_path, with_sidecar=True)
    assert "USERS_HOURS_OF_GRADING" in temp.read_text(encoding="utf-8")
    sidecar.unlink()  # darktable: discard history
    _age(temp, 1800)
    with PhotoIndex.open(db) as index:
        line = scan(index, [sidecar.parent]).line()
    assert "maybe its only copy" not in line and "its old file removed" not in line
    assert f"{temp.name} beside it is a hidden copy of it a stopped write of ours left" in line
    assert f"if you removed {sidecar.name} on purpose, delete it" in line
    summary = _write(db)
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    text = sidecar.read_text(encoding="utf-8")
    assert "Petra" in text and "USERS_HOURS_OF_GRADING" not in text  # the discarded history stays discarded
    assert not temp.exists()  # kept aside, visible, as it may be the only copy of an unrecorded failed replace
    [kept] = [path for path in sidecar.parent.iterdir() if path.name.startswith(sidecar.name + ".before-")]
    assert "USERS_HOURS_OF_GRADING" in kept.read_text(encoding="utf-8")
    assert [(sidecar.name, f"kept the earlier copy of it a write of ours had left as {kept.name}")] == [
        (Path(path).name, message[message.index("kept"):message.index(" beside")]) for path, message in summary.notes]


@pytest.mark.parametrize("kept_bytes", [0, 300])
def test_a_write_killed_while_creating_the_sidecar_leaves_no_temp_that_blocks_the_next(tmp_path, kept_bytes):
    db, sidecar, temp = _killed_write(tmp_path, with_sidecar=False)
    with open(temp, "r+b") as handle:  # killed between the temp's creation and the end of its write
        handle.truncate(kept_bytes)
    _age(temp, 1800)
    with PhotoIndex.open(db) as index:
        line = scan(index, [sidecar.parent]).line()
    assert "rename it" not in line and f"{temp.name} beside it is an unfinished copy" in line
    summary = _write(db)
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    assert "Landmarks|Petra" in sidecar.read_text(encoding="utf-8") and not temp.exists()
    with PhotoIndex.open(db) as index:
        assert index.errors(stage="write") == []
