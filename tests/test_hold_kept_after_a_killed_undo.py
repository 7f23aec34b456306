"""review16 F1: after an `undo` killed (SIGKILL, a power cut) before it reached a held file
(its XMP taken out by another program since our write), the rerun counted that file
"restored", ended its hold, and the next `write` put "Colosseum" back into it: whether a
killed undo reached a file was decided for the whole batch, not for the file."""

from __future__ import annotations

import hashlib

import pytest

from app.core.metadata.jpeg_fields import read_fields
from tests.test_cli_core import run_cli
from tests.test_hold_kept_over_write_undo import _library_with_a_stripped_jpeg
from tests.test_write_safety_review_fixes import killed


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
