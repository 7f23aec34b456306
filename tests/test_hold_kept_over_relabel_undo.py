"""review16 F2: `undo` of a relabel write ("Colosseum" -> "Petra") of a JPEG whose XMP
another program took out since put the OLD label "Colosseum" back into the stripped file,
counted it "restored" and ended its hold (the next `write` would put "Petra" into it). A
file holding nothing that write put there is left as it is, through both undos."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from PIL import Image

from app.core.metadata.jpeg_fields import apply_fields, read_fields
from tests.test_cli_core import run_cli
from tests.test_index_support import write_jpeg
from tests.test_roundtrip_other_tools import saved_later


def _md5(path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def _relabelled_library(tmp_path, capsys) -> tuple[str, Path, Path]:
    """a, b, c.jpg written "Colosseum" (batch 1), a.jpg relabelled "Petra" and written (batch 2)."""
    rome = tmp_path / "lib" / "Rome"
    for number, name in enumerate("abc"):
        write_jpeg(rome / f"{name}.jpg", color=(40 * number, 90, 200 - 40 * number), taken="2021:05:01 10:00:00")
    db = str(tmp_path / "index.db")
    photo = rome / "a.jpg"
    assert run_cli(capsys, "--db", db, "scan", str(rome))[0] == 0
    assert run_cli(capsys, "--db", db, "label", str(rome), "Colosseum")[0] == 0
    assert run_cli(capsys, "--db", db, "write")[0] == 0  # batch 1
    assert run_cli(capsys, "--db", db, "label", f'path:"{photo}"', "Petra")[0] == 0
    assert "1 file written" in run_cli(capsys, "--db", db, "write")[2]  # batch 2: a.jpg Colosseum -> Petra
    return db, rome, photo


def _edited_elsewhere(photo: Path, **fields: list[str] | None) -> str:
    """Another program sets these keyword fields (the rest as they are); the new md5."""
    data = photo.read_bytes()
    photo.write_bytes(apply_fields(data, replace(read_fields(data), **fields)))
    saved_later(photo)
    return _md5(photo)


def test_undo_of_a_relabel_leaves_a_stripped_file_as_it_is_and_held_through_both_undos(tmp_path, capsys) -> None:
    db, rome, photo = _relabelled_library(tmp_path, capsys)
    with Image.open(photo) as image:  # another program saves it without its XMP (and EXIF, IPTC)
        image.load()
        image.save(photo, quality=90)
    saved_later(photo)
    stripped = _md5(photo)
    assert run_cli(capsys, "--db", db, "scan", str(rome))[0] == 0

    code, _, said = run_cli(capsys, "--db", db, "undo")  # batch 2

    assert code == 0
    assert "batch 2: 0 files restored, 0 failed, 1 left alone" in said
    assert "a.jpg: left as it is: changed in another program since our write" in said
    assert _md5(photo) == stripped
    fields = read_fields(photo.read_bytes())
    assert fields.subject is None and fields.hierarchical is None  # no "Colosseum" put back
    _, listed, said = run_cli(capsys, "--db", db, "write", "--dry-run")
    assert "a.jpg: left alone" in listed + said and '"Colosseum" -> "Petra"' not in listed + said  # still held

    code, _, said = run_cli(capsys, "--db", db, "undo")  # batch 1

    assert code == 0 and "batch 1: 2 files restored, 0 failed, 1 left alone" in said
    assert _md5(photo) == stripped  # no empty XMP packet of ours added
    assert all(read_fields((rome / name).read_bytes()).hierarchical is None for name in ("b.jpg", "c.jpg"))


def test_undo_of_a_relabel_puts_no_older_label_back_where_only_our_teaches_field_is_left(tmp_path, capsys) -> None:
    """review17 F2: digiKam or exiftool took "Petra" out of the keyword fields and kept our
    private landmarkTagger:Teaches, which is no keyword: nothing of the write is left."""
    db, rome, photo = _relabelled_library(tmp_path, capsys)
    # left with Teaches "Petra", as where our write taught the place (a synthetic photo teaches none)
    edited = _edited_elsewhere(photo, subject=None, hierarchical=None, iptc=None, taught=["Petra"])
    assert run_cli(capsys, "--db", db, "scan", str(rome))[0] == 0

    code, _, said = run_cli(capsys, "--db", db, "undo")  # batch 2

    assert code == 0
    assert "batch 2: 0 files restored, 0 failed, 1 left alone" in said
    assert "a.jpg: left as it is: changed in another program since our write" in said
    assert _md5(photo) == edited  # our stale Teaches left too: the file is not ours to rewrite now
    fields = read_fields(photo.read_bytes())
    assert fields.subject is None and fields.hierarchical is None  # no "Colosseum" put back


def test_undo_of_a_relabel_takes_out_our_keyword_re_cased_in_another_program(tmp_path, capsys) -> None:
    """review17 F3: Lightroom re-cased "Petra" to "petra" and dropped our Teaches; undo said
    "nothing of ours left in it" though `write` itself calls "petra" ours. It is ours in any
    case: the undo takes it out and puts the older label back, as for any other edit."""
    db, rome, photo = _relabelled_library(tmp_path, capsys)
    _edited_elsewhere(photo, subject=["petra"], hierarchical=["Landmarks|petra"], taught=None)
    assert run_cli(capsys, "--db", db, "scan", str(rome))[0] == 0

    code, _, said = run_cli(capsys, "--db", db, "undo")  # batch 2

    assert code == 0 and "batch 2: 1 file restored, 0 failed" in said and "left alone" not in said
    fields = read_fields(photo.read_bytes())
    assert fields.subject == ["Colosseum"] and fields.hierarchical == ["Landmarks|Colosseum"]  # no "petra" beside it
