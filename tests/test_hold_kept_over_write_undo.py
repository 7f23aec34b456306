"""review10: a JPEG `write` holds (its XMP taken out by another program since our write of
"Colosseum") after the user relabels it. F1: the hold note named the photo's label now
("our write of "Petra"") where our write put "Colosseum"."""

from __future__ import annotations

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

