"""Life finding F3: `write` killed -9 while creating DSC_0001.NEF.xmp left its hidden
temp; after the rerun and `undo` (which removed the sidecar the write created) every
scan named the temp and advised renaming it to DSC_0001.NEF.xmp, which would bring back
the label the undo took away. A temp of ours a killed run left of a file goes as soon
as a later write or undo of that file completes (app/core/metadata/killed_run_temps.py)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from app.core.index import PhotoIndex
from app.core.metadata import atomic, killed_run_temps, plan_writes, undo_last_write, write_labels
from app.core.metadata.killed_run_temps import TempsBeforeRun
from app.core.metadata.plan import WriteOptions
from tests.test_metadata_support import add_photo
from tests.test_write_safety_support import _age, _library, _temps, killed

OTHER_PROGRAMS = [".DSC_0001.NEF.xmp.notours.tmp", ".DSC_0001.NEF.xmp.0123ABCD.tmp"]


def _raws_killed_while_writing_the_first_sidecar(tmp_path: Path) -> tuple[Path, Path]:
    """Two RAW photos labelled Petra, a temp of another program beside them, and a write
    of DSC_0001.NEF.xmp (a new sidecar) killed with its temp written, not renamed."""
    db = tmp_path / "index.db"
    library = tmp_path / "Raw"
    library.mkdir()
    with PhotoIndex.open(db) as index:
        for name in ("DSC_0001.NEF", "DSC_0002.NEF"):
            raw = library / name
            raw.write_bytes(b"not really a raw file, never read")
            add_photo(index, [raw], "Petra")
    for name in OTHER_PROGRAMS:
        (library / name).write_bytes(b"another program's")
    killed(db, "write", "atomic.flush_to_disk", only="DSC_0001.NEF.xmp")
    [temp] = [name for name in _temps(library) if name not in OTHER_PROGRAMS]
    assert temp.startswith(".DSC_0001.NEF.xmp.") and b"Landmarks|Petra" in (library / temp).read_bytes()
    return db, library


def _what_a_scan_names_an_hour_later(library: Path) -> list[str]:
    """The temps a scan would name with its advice to rename them into place."""
    for name in _temps(library):
        _age(library / name, 3600)
    kept: list[str] = []
    atomic.remove_stale_temps_in(library, kept=kept)
    return [Path(path).name for path in kept]


def test_the_undo_of_a_killed_write_removes_the_temp_of_the_sidecar_it_never_created(tmp_path):
    db, library = _raws_killed_while_writing_the_first_sidecar(tmp_path)
    with PhotoIndex.open(db) as index:
        summary = undo_last_write(index)
    assert summary.failed == 0 and not summary.notes
    assert sorted(os.listdir(library)) == sorted(["DSC_0001.NEF", "DSC_0002.NEF", *OTHER_PROGRAMS])
    assert _what_a_scan_names_an_hour_later(library) == []  # no advice to bring Petra back


def test_the_rerun_write_removes_the_killed_runs_temp_at_once_and_undo_leaves_none(tmp_path):
    """The finding's own sequence: kill, write (carries the batch on), undo."""
    db, library = _raws_killed_while_writing_the_first_sidecar(tmp_path)
    with PhotoIndex.open(db) as index:
        rerun = write_labels(index, plan_writes(index), WriteOptions(workers=1))
        assert rerun.carried_on and rerun.failed == 0 and not rerun.notes
        assert _temps(library) == sorted(OTHER_PROGRAMS)  # not 10 minutes later: the sidecar it copied is written
        assert b"Landmarks|Petra" in (library / "DSC_0001.NEF.xmp").read_bytes()
        assert undo_last_write(index).failed == 0
    assert sorted(os.listdir(library)) == sorted(["DSC_0001.NEF", "DSC_0002.NEF", *OTHER_PROGRAMS])
    assert _what_a_scan_names_an_hour_later(library) == []


def test_only_the_listed_unchanged_temps_of_the_completed_file_go(tmp_path):
    """A temp written since the listing (a write running in another process), one of a
    file the run did not complete, and another program's stay."""
    photo, other = tmp_path / "a.jpg", tmp_path / "b.jpg"
    photo.write_bytes(b"a")
    other.write_bytes(b"b")
    killed_runs, still_written, of_other = (atomic.temp_path_for(photo), atomic.temp_path_for(photo),
                                            atomic.temp_path_for(other))
    for temp in (killed_runs, still_written, of_other):
        temp.write_bytes(b"half a photo")
    listed = TempsBeforeRun.listed_in([tmp_path])
    with open(still_written, "ab") as handle:
        handle.write(b" and more")
    new_since = atomic.temp_path_for(photo)
    new_since.write_bytes(b"a write begun after the listing")
    assert listed.remove_those_of([photo]) == []
    assert not killed_runs.exists()
    assert still_written.exists() and of_other.exists() and new_since.exists()


def test_a_temp_that_cannot_be_deleted_is_a_note_never_an_error(tmp_path, monkeypatch):
    """On Windows a program (an antivirus, a backup) may hold the temp open."""
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"a")
    temp = atomic.temp_path_for(photo)
    temp.write_bytes(b"half a photo")
    listed = TempsBeforeRun.listed_in([tmp_path])

    def held_open(path):
        raise PermissionError(errno.EACCES, "The process cannot access the file because it is being used", path)

    monkeypatch.setattr(killed_run_temps.os, "remove", held_open)
    [(file, words)] = listed.remove_those_of([photo])
    assert file == str(photo) and words.startswith(f"{temp.name}, a hidden copy of it a killed write or undo left")
    assert "delete it" in words and temp.exists()


def test_the_rerun_of_a_killed_batch_removes_its_temps_before_writing_the_file(tmp_path, monkeypatch):
    """t_media-3: on a nearly full card the killed run's hidden copy of a photo held the
    room its rewrite needed, and went only once that rewrite completed: "No space left"."""
    db, _ = _library(tmp_path, ["lib/a.jpg", "lib/b.jpg"])
    killed(db, "write", "atomic.flush_to_disk", only="a.jpg")
    [left] = _temps(tmp_path / "lib")
    seen_while_writing: list[list[str]] = []
    flush = atomic.flush_to_disk

    def flush_noting_temps(fd: int) -> None:
        seen_while_writing.append(_temps(tmp_path / "lib"))
        flush(fd)

    monkeypatch.setattr(atomic, "flush_to_disk", flush_noting_temps)
    with PhotoIndex.open(db) as index:
        rerun = write_labels(index, plan_writes(index), WriteOptions(workers=1))
    assert rerun.carried_on and rerun.failed == 0
    # the flushes of a.jpg's new temp (the rerun may write b.jpg first, while a's killed temp still waits)
    writing_a = [temps for temps in seen_while_writing if any(t.startswith(".a.jpg.") and t != left for t in temps)]
    assert writing_a and all(left not in temps for temps in writing_a)
    assert _temps(tmp_path / "lib") == []
