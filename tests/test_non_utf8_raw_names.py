"""A RAW file whose name is not UTF-8 (a Latin-1 `Genève.dng` from an old card reader or
a Windows zip) was "not a RAW file this app can read (utf-8)" and never indexed: rawpy
hands LibRaw the path as UTF-8, which a surrogate-escaped name cannot be (review3-2). Such
a file is now read by Python and given to LibRaw as bytes (app.core.raw_open): it is
scanned, labelled, written (its sidecar carries the same bytes) and undone, and decoded
for recognition and previews."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from app.core import wording
from app.core.raw_decode import decode_raw
from app.core.raw_open import name_needs_buffer
from app.core.thumbnails import make_thumbnail
from tests.test_cli_core import run_cli
from tests.test_decode_raw import gray_sensor, green_preview, write_dng

pytestmark = pytest.mark.skipif(sys.platform in ("win32", "darwin"),
                                reason="names must be UTF-8 (Windows, macOS): no such file there")

NAME = b"Gen\xe8ve.dng"


@pytest.fixture
def latin1_dng(tmp_path):
    path = os.path.join(str(tmp_path), "lib", os.fsdecode(NAME))
    try:
        os.makedirs(os.path.dirname(path))
        write_dng(Path(path), green_preview(48, 32), gray_sensor(24, 32))
    except OSError:
        pytest.skip("this filesystem refuses non-UTF-8 names")
    return path


def test_a_dng_with_a_latin1_name_is_decoded_and_previewed(latin1_dng) -> None:
    assert name_needs_buffer(latin1_dng)
    assert decode_raw(Path(latin1_dng), 32, 10**6).size == (48, 32)
    assert make_thumbnail(Path(latin1_dng), 40).size == (40, 27)


def test_a_dng_with_a_latin1_name_is_scanned_labelled_written_and_undone(latin1_dng, tmp_path, capsys,
                                                                       monkeypatch) -> None:
    monkeypatch.setattr(wording, "ON_WINDOWS", False)
    db, folder = str(tmp_path / "index.db"), os.path.dirname(latin1_dng)
    code, out, err = run_cli(capsys, "--db", db, "scan", folder)
    assert code == 0 and "1 new" in err and " 0 errors" in err, err
    code, out, err = run_cli(capsys, "--db", db, "label", latin1_dng, "Jet d'Eau")
    assert code == 0, err
    code, out, err = run_cli(capsys, "--db", db, "write")
    assert code == 0, out + err
    assert sorted(os.listdir(os.fsencode(folder))) == [NAME, NAME + b".xmp"]
    with open(os.fsencode(latin1_dng) + b".xmp", "rb") as sidecar:
        assert b"Landmarks|Jet d'Eau" in sidecar.read()
    code, out, err = run_cli(capsys, "--db", db, "undo")
    assert code == 0, out + err
    assert os.listdir(os.fsencode(folder)) == [NAME]
