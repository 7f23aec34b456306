"""Helpers for tests of writes and undos cut short by a kill: the killed run, a labelled library, temp copies."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from app.core.fingerprint import fingerprint_file
from app.core.index import PhotoIndex
from app.core.metadata import journal
from app.core.metadata.jpeg_fields import apply_fields, read_fields
from tests.test_metadata_support import add_photo, make_jpeg


REPO = Path(__file__).resolve().parents[1]


# A write or undo in a child process that dies the way SIGKILL (or a power cut) makes it
# die, right after the first call of the function named: no except, finally or atexit runs.
KILLED_RUN = r"""
import os, signal, sys
from app.core.index import PhotoIndex
from app.core.metadata import atomic, journal, plan_writes, undo_last_write, write_labels
from app.core.metadata.plan import WriteOptions

db, job, where, only = sys.argv[1:5]
module_name, function_name = where.split(".")
module = {"atomic": atomic, "journal": journal}[module_name]
real = getattr(module, function_name)


def then_die(*args, **kwargs):
    real(*args, **kwargs)
    if hasattr(signal, "SIGKILL"):
        os.kill(os.getpid(), signal.SIGKILL)
    os._exit(137)


setattr(module, function_name, then_die)
index = PhotoIndex.open(db)
if job == "write":
    plan = [item for item in plan_writes(index) if only in ("", item.target.name)]
    write_labels(index, plan, WriteOptions(workers=1))
else:
    undo_last_write(index)
print("finished")
"""


def killed(db: Path, job: str, where: str, only: str = "") -> None:
    """Run `job` ("write", of the file named `only` if given, or "undo") and kill it
    right after its first call of `where` ("atomic.replace_atomically": the file is in
    place, nothing recorded; "atomic.flush_to_disk": the temp file is written, not renamed)."""
    run = subprocess.run([sys.executable, "-c", KILLED_RUN, str(db), job, where, only],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and "finished" not in run.stdout, run.stderr


def _library(tmp_path: Path, names: list[str], label: str = "Eiffel Tower") -> tuple[Path, dict[Path, int]]:
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        ids = {}
        for seed, name in enumerate(names):
            photo = tmp_path / name
            photo.parent.mkdir(parents=True, exist_ok=True)
            make_jpeg(photo, size=(320, 240), seed=seed)
            ids[photo] = add_photo(index, [photo], label)
    return db, ids


def _edited_elsewhere(photo: Path, keyword: str = "Holiday") -> bytes:
    """Another program adds a keyword, keeping the file's time as exiftool -P does."""
    data, stat = photo.read_bytes(), photo.stat()
    fields = read_fields(data)
    edited = apply_fields(data, replace(fields, subject=(fields.subject or []) + [keyword]))
    photo.write_bytes(edited)
    os.utime(photo, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return edited


def _index_describes(index: PhotoIndex, photo: Path) -> bool:
    stat = photo.stat()
    return journal.indexed_stat(index, photo) == (stat.st_size, stat.st_mtime_ns, fingerprint_file(photo))


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))
