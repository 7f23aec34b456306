"""review16 F1: after an `undo` killed (SIGKILL, a power cut) before it reached a held file
(its XMP taken out by another program since our write), the rerun counted that file
"restored", ended its hold, and the next `write` put "Colosseum" back into it: whether a
killed undo reached a file was decided for the whole batch, not for the file."""

from __future__ import annotations

import hashlib

import pytest

from PIL import Image

from app.core.metadata.jpeg_fields import read_fields
from tests.test_cli_core import run_cli
from tests.test_hold_kept_over_write_undo import _library_with_a_stripped_jpeg
from tests.test_roundtrip_other_tools import saved_later
from tests.test_write_safety_support import _edited_elsewhere, killed


@pytest.mark.parametrize("killed_after", [
    "journal.start_undo",  # right after its claim, before it touched any file
    "atomic.replace_atomically",  # after it restored another file of the batch
])
def test_the_rerun_of_a_killed_undo_leaves_a_file_it_never_reached_held(tmp_path, capsys, killed_after) -> None:
    db, rome, photo = _library_with_a_stripped_jpeg(tmp_path, capsys)
    stripped = hashlib.md5(photo.read_bytes()).hexdigest()
    killed(tmp_path / "index.db", "undo", killed_after)
    assert hashlib.md5(photo.read_bytes()).hexdigest() == stripped

    code, _, said = run_cli(capsys, "--db", db, "undo")

    assert code == 0
    assert "2 files restored, 0 failed, 1 left alone" in said
    assert "a.jpg: left as it is: changed in another program since our write" in said
    assert "accept --release-held" in said
    assert hashlib.md5(photo.read_bytes()).hexdigest() == stripped
    assert all(read_fields((rome / name).read_bytes()).hierarchical is None for name in ("b.jpg", "c.jpg"))

    code, _, said = run_cli(capsys, "--db", db, "write")  # still held: the other program's edit stands
    assert code == 0 and "2 files written" in said and "1 left alone" in said
    assert hashlib.md5(photo.read_bytes()).hexdigest() == stripped
    assert read_fields(photo.read_bytes()).hierarchical is None


@pytest.mark.parametrize("edited_before", [False, True])  # the undo notes its size only / its SHA-256 too
def test_the_rerun_holds_a_file_stripped_after_a_killed_undo_noted_it_before_its_rename(
        tmp_path, capsys, edited_before) -> None:
    """review17 F4: an undo killed right after noting b.jpg (undo_target), before its rename;
    b.jpg then stripped by another program and scanned. The note says the undo was ABOUT
    to rename: the rerun neither restored nor held b.jpg, and the next `write` put
    "Colosseum" into it. Its bytes are neither the noted ones nor our write's: judged as in
    a fresh undo, it is left as it is and held."""
    db, rome, _ = _library_with_a_stripped_jpeg(tmp_path, capsys)
    photo = rome / "b.jpg"  # the first file the undo notes (a.jpg is left as it is)
    if edited_before:
        _edited_elsewhere(photo)
    killed(tmp_path / "index.db", "undo", "journal.note_undo")
    with Image.open(photo) as image:
        image.load()
        image.save(photo, quality=90)
    saved_later(photo)
    stripped = hashlib.md5(photo.read_bytes()).hexdigest()
    assert run_cli(capsys, "--db", db, "scan", str(rome))[0] == 0

    code, _, said = run_cli(capsys, "--db", db, "undo")

    assert code == 0 and "1 file restored, 0 failed, 2 left alone" in said
    assert "left as it is: changed in another program since our write" in said and "1 other file the same" in said
    assert hashlib.md5(photo.read_bytes()).hexdigest() == stripped
    code, _, said = run_cli(capsys, "--db", db, "write")
    assert code == 0 and "2 left alone" in said
    assert hashlib.md5(photo.read_bytes()).hexdigest() == stripped
