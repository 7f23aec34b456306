"""Temp copies a killed write or undo left behind: the next write, undo or scan removes ours and only ours."""

from __future__ import annotations

import os
import time
from pathlib import Path

from app.core.index import PhotoIndex
from app.core.metadata import atomic, plan_writes, undo_last_write, write_labels
from tests.test_metadata_support import make_jpeg
from tests.test_write_safety_support import _age, _library, _temps, killed


# -- finding 3: temp copies a kill left behind ----------------------------------------
LOOKALIKES = [".a.jpg.notours.tmp", ".a.jpg.0123ABCD.tmp", "a.jpg.0123abcd.tmp", ".a.jpg.0123abcd.tmp.part",
              ".a.jpg.0123abcd9.tmp"]


def _lookalikes(folder: Path) -> list[str]:
    """Files named nearly as our temps are, old, and another program's: never removed."""
    for name in LOOKALIKES:
        (folder / name).write_bytes(b"not ours")
        _age(folder / name, 7200)
    (folder / ".a.jpg.89abcdef.tmp").mkdir()
    return sorted([*LOOKALIKES, ".a.jpg.89abcdef.tmp"])


def test_a_write_removes_stale_temps_from_every_folder_it_handles_even_with_nothing_to_write(tmp_path):
    db, ids = _library(tmp_path, ["one/a.jpg", "two/b.jpg"])
    killed(db, "write", "atomic.flush_to_disk", only="a.jpg")
    killed(db, "write", "atomic.flush_to_disk", only="b.jpg")
    one, two = tmp_path / "one", tmp_path / "two"
    left = {folder: _temps(folder) for folder in (one, two)}
    assert [len(names) for names in left.values()] == [1, 1]  # hidden full-size copies
    with PhotoIndex.open(db) as index:
        assert write_labels(index, plan_writes(index)).written == 2  # the rerun, at once:
    # the killed runs' temps of the files it wrote go (tests/test_killed_run_temps.py)
    assert {folder: _temps(folder) for folder in (one, two)} == {one: [], two: []}
    for folder, names in left.items():  # as a kill of a later run would leave them
        (folder / names[0]).write_bytes(b"half a photo")
        _age(folder / names[0], 3600)
    kept = _lookalikes(one)
    with PhotoIndex.open(db) as index:
        summary = write_labels(index, plan_writes(index))  # an hour later, nothing left to write
    assert (summary.written, summary.unchanged) == (0, 2)
    assert _temps(two) == [] and sorted(p.name for p in one.iterdir() if p.name != "a.jpg") == kept


def test_an_undo_removes_stale_temps_even_where_it_has_nothing_left_to_do(tmp_path):
    db, ids = _library(tmp_path, ["a.jpg"])
    [photo] = ids
    original = photo.read_bytes()
    with PhotoIndex.open(db) as index:
        assert write_labels(index, plan_writes(index)).written == 1
    killed(db, "undo", "atomic.flush_to_disk")  # its temp copy is left
    [leftover] = _temps(tmp_path)
    killed(db, "undo", "atomic.replace_atomically")  # the file restored, nothing recorded
    assert photo.read_bytes() == original and _temps(tmp_path) == [leftover]
    _age(tmp_path / leftover, 3600)
    with PhotoIndex.open(db) as index:
        summary = undo_last_write(index)  # only bookkeeping left for that file
    assert (summary.written, summary.failed) == (1, 0) and photo.read_bytes() == original
    assert _temps(tmp_path) == []


def test_a_scan_can_remove_the_stale_temps_of_a_folder(tmp_path):
    """remove_stale_temps_in(folder), for the scan to call on each folder it walks."""
    photo = make_jpeg(tmp_path / "a.jpg")
    long_name = make_jpeg(tmp_path / ("é" * 123 + ".jpg"))  # its temps have a cut name
    photo_time = 1_450_000_000_000_000_000  # a photo from 2015
    os.utime(photo, ns=(photo_time, photo_time))
    stale = [atomic.temp_path_for(photo), atomic.temp_path_for(long_name)]
    fresh = atomic.temp_path_for(photo)
    in_flight = atomic.temp_path_for(photo)  # a writer gives its temp the photo's time before the rename
    for temp in [*stale, fresh, in_flight]:
        temp.write_bytes(b"half a photo")
    for temp in stale:
        _age(temp, 3600)
    os.utime(in_flight, ns=(photo_time, photo_time))
    kept = _lookalikes(tmp_path)
    assert atomic.remove_stale_temps_in(tmp_path) == 2
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([*kept, fresh.name, in_flight.name, photo.name, long_name.name])


def test_a_scan_clears_the_temps_a_killed_write_left_in_the_folders_it_walks(tmp_path: Path) -> None:
    """The temps of a photo that is never written again (or of a killed undo) go at the
    next scan of their folder; a temp with its photo's own time (a write in its last
    instant) and hidden files not named as ours stay."""
    from app.core.index import PhotoIndex
    from app.core.scanner import scan
    from tests.test_index_support import write_jpeg

    photo = write_jpeg(tmp_path / "lib" / "Rome" / "DSC_0001.JPG")
    stale = photo.with_name(".DSC_0001.JPG.0badcafe.tmp")
    renaming = photo.with_name(".DSC_0001.JPG.feedbeef.tmp")
    other = photo.with_name(".notes.tmp")
    for path in (stale, renaming, other):
        path.write_bytes(photo.read_bytes())
    hour_ago = time.time() - 3600
    os.utime(stale, (hour_ago, hour_ago))
    os.utime(other, (hour_ago, hour_ago))
    os.utime(photo, (hour_ago - 60, hour_ago - 60))
    os.utime(renaming, ns=(photo.stat().st_atime_ns, photo.stat().st_mtime_ns))
    with PhotoIndex.open(tmp_path / "index.db") as index:
        summary = scan(index, [tmp_path / "lib"])
    assert (summary.photos, summary.errors) == (1, 0)
    assert sorted(path.name for path in photo.parent.iterdir()) == [".DSC_0001.JPG.feedbeef.tmp", ".notes.tmp",
                                                                    "DSC_0001.JPG"]


# Review 2 (R4): the sweep deletes a temp only when it is provably a copy of ours.
def test_the_sweep_keeps_a_temp_named_like_ours_unless_a_jpeg_or_sidecar_of_that_name_is_beside_it(tmp_path):
    """Only a JPEG or an XMP sidecar is ever replaced by us, and its temp sits beside
    it: an old `.<name>.<8 hex>.tmp` of anything else, or of a photo not there, may
    be another program's file (an autosave, the user's only copy) and stays."""
    photo = make_jpeg(tmp_path / "a.jpg")
    sidecar = tmp_path / "b.NEF.xmp"
    sidecar.write_bytes(b"<x:xmpmeta/>")
    (tmp_path / "thesis.docx").write_bytes(b"the user's work")
    (tmp_path / "c.png").write_bytes(b"a PNG we never write into")
    ours = [atomic.temp_path_for(photo), atomic.temp_path_for(sidecar)]
    others = [tmp_path / ".thesis.docx.1a2b3c4d.tmp", tmp_path / ".notes.txt.1a2b3c4d.tmp",
              tmp_path / ".c.png.1a2b3c4d.tmp", tmp_path / ".gone.jpg.0123abcd.tmp"]
    for temp in [*ours, *others]:
        temp.write_bytes(b"old")
        _age(temp, 3600)
    assert atomic.remove_stale_temps_in(tmp_path) == 2
    assert not any(temp.exists() for temp in ours) and all(temp.exists() for temp in others)
