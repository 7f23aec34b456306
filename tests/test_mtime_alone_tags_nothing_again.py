"""Every RAW, PNG and TIFF was classified again after a change of its mtime alone (review13
F1 of ad59cc5): `touch`, a copy that drops or coarsens times, a FAT disk's DST shift. `tag`
compared the kept mtime where a file has no picture print; a 50k-RAW library moved to a new
disk took hours to re-read for the same pictures. Only the fingerprint (and a JPEG's
picture print) tells a photo changed since it was tagged."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.cli.main import main


def _picture(seed: int, kind: str) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 255, (240, 320, 3)).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, kind)
    return out.getvalue()


def _tag(capsys, db: Path, folder: Path) -> str:
    code = main(["--db", str(db), "tag", str(folder)])
    err = capsys.readouterr().err
    assert code == 0, err
    return err


def _move_times(folder: Path, change) -> None:
    for path in folder.iterdir():
        mtime_ns = path.stat().st_mtime_ns
        os.utime(path, ns=(change(mtime_ns), change(mtime_ns)))


@pytest.mark.parametrize("change", [
    lambda ns: ns + 86_400 * 10**9,  # `touch`, a copy without its times, a backup put back
    lambda ns: ns + 3600 * 10**9,  # a FAT disk read on Windows across a DST change
    lambda ns: ns // 2_000_000_000 * 2_000_000_000 + 1,  # FAT's 2 s (kept off the old value)
], ids=["touch", "dst", "fat"])
def test_an_mtime_change_alone_makes_tag_read_no_raw_png_or_tiff_again(tmp_path, capsys, shared_data, change) -> None:
    folder, db = tmp_path / "Trip", tmp_path / "index.db"
    folder.mkdir()
    (folder / "DSC_0001.NEF").write_bytes((shared_data / "camera/raw/Nikon_uncompressed.nef").read_bytes())
    (folder / "chart.png").write_bytes(_picture(1, "PNG"))
    (folder / "scan.tif").write_bytes(_picture(2, "TIFF"))
    for path in folder.iterdir():
        os.utime(path, ns=(1_600_000_000_123_456_789, 1_600_000_000_123_456_789))
    assert "tagged 3 photos" in _tag(capsys, db, folder)

    _move_times(folder, change)
    err = _tag(capsys, db, folder)
    assert "tagged 0 photos" in err and "3 already up to date" in err, err

    (folder / "chart.png").write_bytes(_picture(3, "PNG"))  # another picture: read again
    err = _tag(capsys, db, folder)
    assert "tagged 1 photo" in err and "2 already up to date" in err, err
