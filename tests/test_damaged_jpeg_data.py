"""A JPEG whose entropy-coded data is damaged (a few KB overwritten with zeros, a copy
cut short with an end marker added) was tagged with no word: libjpeg only warns and
fills what it cannot read with grey, and Pillow drops its warnings. Such a photo is now
labelled from the part that could be read with a warning: on stderr, in the summary line
and as "damage" in its `tag --json` line. A JPEG cut short without its end marker is
refused with a per-file error, and the job goes on."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from unittest import mock

import numpy as np
from PIL import Image

from app.cli.main import main
from app.core.decode import DAMAGE_INFO, decode_for_model


def camera_like_jpeg(path: Path) -> bytes:
    """A Pillow-made JPEG of a noisy gradient (no restart markers, as many cameras)."""
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:480, 0:640]
    pixels = np.stack([x * 255 // 640, y * 255 // 480, (x + y) * 255 // 1120], -1)
    pixels = (pixels + rng.integers(-20, 20, pixels.shape)).clip(0, 255).astype(np.uint8)
    Image.fromarray(pixels).save(path, "JPEG", quality=90)
    return path.read_bytes()


def zeroed_in_the_middle(data: bytes, size: int = 4096) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes(size) + data[middle + size:]


def test_zeros_over_the_scan_data_are_said(tmp_path: Path) -> None:
    good = camera_like_jpeg(tmp_path / "good.jpg")
    (tmp_path / "zeroed.jpg").write_bytes(zeroed_in_the_middle(good))
    (tmp_path / "cut_and_closed.jpg").write_bytes(good[: len(good) // 2] + b"\xff\xd9")
    assert DAMAGE_INFO not in decode_for_model(tmp_path / "good.jpg", 224).info
    for name in ("zeroed.jpg", "cut_and_closed.jpg"):
        image = decode_for_model(tmp_path / name, 224)
        assert image.size == (320, 240) and "Corrupt JPEG data" in image.info[DAMAGE_INFO], name


def test_the_check_decodes_the_same_pixels_as_pillow(tmp_path: Path) -> None:
    camera_like_jpeg(tmp_path / "good.jpg")
    Image.open(tmp_path / "good.jpg").convert("L").save(tmp_path / "grey.jpg", quality=90)
    for name in ("good.jpg", "grey.jpg"):
        checked = decode_for_model(tmp_path / name, 100)
        with mock.patch.dict(sys.modules, {"simplejpeg": None}):  # Pillow alone, unchecked
            alone = decode_for_model(tmp_path / name, 100)
        assert np.array_equal(np.asarray(checked), np.asarray(alone)), name


def test_tag_warns_of_damaged_data_and_goes_on(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "Rome"
    folder.mkdir()
    good = camera_like_jpeg(folder / "DSC_0001.JPG")
    (folder / "DSC_0002.JPG").write_bytes(zeroed_in_the_middle(good))
    (folder / "DSC_0003.JPG").write_bytes(good[: len(good) // 2])  # cut short: no end marker
    code = main(["--db", str(tmp_path / "index.db"), "tag", "--json", str(folder)])
    captured = capsys.readouterr()
    lines = {Path(line["path"]).name: line for line in map(json.loads, captured.out.splitlines())}
    # exit 1: DSC_0003.JPG failed; the others were tagged all the same
    assert code == 1 and set(lines) == {"DSC_0001.JPG", "DSC_0002.JPG", "DSC_0003.JPG"}
    assert "damage" not in lines["DSC_0001.JPG"] and lines["DSC_0001.JPG"]["top"]
    damaged = lines["DSC_0002.JPG"]
    assert damaged["top"] and "error" not in damaged
    assert "DSC_0002.JPG: the picture's data is damaged (Corrupt JPEG data" in damaged["damage"]
    assert "labelled from the part that could be read" in damaged["damage"]
    assert "truncated" in lines["DSC_0003.JPG"]["error"] and not lines["DSC_0003.JPG"]["top"]
    assert "1 damaged photo labelled from the part that could be read" in captured.err

    main(["--db", str(tmp_path / "index.db"), "tag", "--retag", str(folder)])
    err = capsys.readouterr().err
    assert "warning: " in err and "DSC_0002.JPG: the picture's data is damaged" in err


def test_zeros_over_a_greyscale_picture_s_data_are_said(tmp_path: Path) -> None:
    """A black-and-white photo is checked as a colour one is."""
    camera_like_jpeg(tmp_path / "colour.jpg")
    Image.open(tmp_path / "colour.jpg").convert("L").save(tmp_path / "grey.jpg", quality=90)
    (tmp_path / "zeroed.jpg").write_bytes(zeroed_in_the_middle((tmp_path / "grey.jpg").read_bytes()))
    assert DAMAGE_INFO not in decode_for_model(tmp_path / "grey.jpg", 224).info
    image = decode_for_model(tmp_path / "zeroed.jpg", 224)
    assert image.size == (320, 240) and "Corrupt JPEG data" in image.info[DAMAGE_INFO]
