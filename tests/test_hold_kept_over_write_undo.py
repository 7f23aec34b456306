"""review10: a JPEG `write` holds (its XMP taken out by another program since our write of
"Colosseum") after the user relabels it or undoes that write. F1: the hold note named the
photo's label now ("our write of "Petra"") where our write put "Colosseum". F2: `undo` of
the write batch counted the held file "restored" though it left its bytes as they were,
and ended the hold without a word, so the next `write` put "Colosseum" back into it."""

from __future__ import annotations

import hashlib

from PIL import Image

from app.core.metadata.jpeg_fields import read_fields
from tests.test_cli_core import run_cli
from tests.test_index_support import write_jpeg
from tests.test_roundtrip_other_tools import saved_later


def _library_with_a_stripped_jpeg(tmp_path, capsys):
    """Three JPEGs labelled "Colosseum" and written; a.jpg then saved by another program
    without its XMP (and EXIF, IPTC) and scanned: `write` holds it."""
    rome = tmp_path / "lib" / "Rome"
    for number, name in enumerate("abc"):
        write_jpeg(rome / f"{name}.jpg", color=(40 * number, 90, 200 - 40 * number), taken="2021:05:01 10:00:00")
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(rome))[0] == 0
    assert run_cli(capsys, "--db", db, "label", str(rome), "Colosseum")[0] == 0
    assert run_cli(capsys, "--db", db, "write")[0] == 0
    photo = rome / "a.jpg"
    with Image.open(photo) as image:
        image.load()
        image.save(photo, quality=90)
    saved_later(photo)
    assert run_cli(capsys, "--db", db, "scan", str(rome))[0] == 0
    assert "1 left alone" in run_cli(capsys, "--db", db, "write", "--dry-run")[2]
    return db, rome, photo


def test_the_hold_note_names_the_label_our_write_put_in_the_file(tmp_path, capsys) -> None:
    db, rome, photo = _library_with_a_stripped_jpeg(tmp_path, capsys)
    assert run_cli(capsys, "--db", db, "label", str(rome), "Petra")[0] == 0

    _, _, said = run_cli(capsys, "--db", db, "write")

    assert 'a.jpg: its XMP metadata was removed since our write of "Colosseum"' in said
    assert 'our write of "Petra"' not in said
    assert "label --release-held" in said and "Petra" in said  # what a release would write now


def test_undo_leaves_the_stripped_file_as_it_is_says_so_and_keeps_it_held(tmp_path, capsys) -> None:
    db, rome, photo = _library_with_a_stripped_jpeg(tmp_path, capsys)
    stripped = hashlib.md5(photo.read_bytes()).hexdigest()

    code, _, said = run_cli(capsys, "--db", db, "undo")

    assert code == 0
    assert "2 files restored" in said and "3 files restored" not in said
    assert "a.jpg: left as it is: changed in another program since our write" in said
    assert hashlib.md5(photo.read_bytes()).hexdigest() == stripped
    assert all(read_fields((rome / name).read_bytes()).hierarchical is None for name in ("b.jpg", "c.jpg"))

    code, _, said = run_cli(capsys, "--db", db, "write")  # the other program's edit still stands
    assert code == 0 and "1 left alone" in said and "2 files written" in said
    assert hashlib.md5(photo.read_bytes()).hexdigest() == stripped

    assert run_cli(capsys, "--db", db, "accept", "--release-held", str(photo))[0] == 0  # the user's word alone
    code, _, said = run_cli(capsys, "--db", db, "write")
    assert code == 0 and "1 file written" in said
    assert read_fields(photo.read_bytes()).hierarchical == ["Landmarks|Colosseum"]
