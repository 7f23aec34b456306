"""Review fixes (tagrobust findings 3 and 5): a file that could not be read is not read
again while it is unchanged, and a link to something that is no file is named as such.

Finding 3: every `tag` handed the photos whose decode had failed (a card of truncated
DNGs) to the decoders again, and every rescan opened the files that had failed at the
scan (truncated JPEG, RAW without image data), though nothing had changed. Their problem
now stands, still listed and counted, until the file changes or the user asks (`tag
--retag`, the app's Tag selection).
Finding 5: a `.JPG` link to /dev/zero was "a link to /dev/zero, which does not exist
(is its drive connected?)".
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import app.core.decode as decode_module
import app.core.scan_folder_sync as scan_folder_sync
from app.core.index import PhotoIndex
from app.core.scanner import scan
from app.core.tagging import TagOptions, tag
from app.gui.app_words import in_app_words
from tests.test_index_support import jpeg_bytes, write_jpeg


@pytest.fixture
def index():
    opened = PhotoIndex.open(":memory:")
    yield opened
    opened.close()


@pytest.fixture
def card(tmp_path: Path) -> Path:
    """A good JPEG and a TIFF cut in half: its header reads (the scan indexes it), its
    pixels do not (decoding fails)."""
    folder = tmp_path / "Iceland"
    folder.mkdir()
    picture = Image.fromarray(np.random.default_rng(1).integers(0, 256, (240, 320, 3), dtype=np.uint8), "RGB")
    picture.save(folder / "IMG_0001.jpg", "JPEG")
    buffer = io.BytesIO()
    picture.save(buffer, "TIFF")  # uncompressed
    (folder / "IMG_0002.tif").write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    return folder


@pytest.fixture
def decoded(monkeypatch) -> list[str]:
    """The names of the files handed to the decoder from now on (decoding in this process)."""
    names: list[str] = []
    real = decode_module.decode_for_model

    def counting(path, *args, **kwargs):
        names.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(decode_module, "decode_for_model", counting)
    return names


def _options(tiny_bundle, **changes) -> TagOptions:
    return TagOptions(model=Path(tiny_bundle.path), workers=0, batch_size=2, threads=1, **changes)


def _decode_problems(index: PhotoIndex) -> list[str]:
    return [Path(error.path).name for error in index.errors(stage="decode")]


def test_an_unchanged_photo_that_could_not_be_decoded_is_not_decoded_again_but_still_counted(
        index, card, tiny_bundle, decoded) -> None:
    first = tag(index, [card], _options(tiny_bundle))
    assert (first.tagged, first.errors, first.failed_before) == (1, 1, 0)
    assert decoded == ["IMG_0001.jpg", "IMG_0002.tif"]
    decoded.clear()

    again = tag(index, [card], _options(tiny_bundle))  # nothing changed on disk
    assert decoded == []
    assert (again.tagged, again.up_to_date, again.errors, again.failed_before) == (0, 1, 0, 1)
    assert _decode_problems(index) == ["IMG_0002.tif"]  # still listed (stats --errors, Problems)
    assert "1 unchanged photo that could not be decoded skipped (`tag --retry-failed` tries them again)" in again.line()
    assert "Tag selection tries the photos chosen again" in in_app_words(again.line())


@pytest.mark.parametrize("ask", [{"retag": True}, {"retry_failed": True}])
def test_retag_or_retry_failed_decodes_it_again(index, card, tiny_bundle, decoded, ask) -> None:
    tag(index, [card], _options(tiny_bundle))
    decoded.clear()
    summary = tag(index, [card], _options(tiny_bundle, **ask))
    assert "IMG_0002.tif" in decoded
    assert (summary.errors, summary.failed_before) == (1, 0)
    assert _decode_problems(index) == ["IMG_0002.tif"]


def test_a_failed_photo_whose_file_changes_is_decoded_again(index, card, tiny_bundle, decoded) -> None:
    tag(index, [card], _options(tiny_bundle))
    decoded.clear()
    Image.new("RGB", (320, 240), (90, 120, 200)).save(card / "IMG_0002.tif", "TIFF")  # the whole file copied now
    summary = tag(index, [card], _options(tiny_bundle))
    assert decoded == ["IMG_0002.tif"]
    assert (summary.tagged, summary.errors, summary.failed_before) == (1, 0, 0)
    assert _decode_problems(index) == []


def test_the_cli_exits_1_while_an_unchanged_photo_could_not_be_decoded(card, tiny_bundle, tmp_path, capsys) -> None:
    from app.cli.main import main

    db = str(tmp_path / "index.db")
    arguments = ["--db", db, "tag", str(card), "--model", str(tiny_bundle.path), "--workers", "0"]
    assert main(arguments) == 1
    capsys.readouterr()
    assert main(arguments) == 1
    assert "1 unchanged photo that could not be decoded skipped" in capsys.readouterr().err


def test_the_app_tag_selection_retries_photos_that_could_not_be_decoded(monkeypatch, tmp_path) -> None:
    import app.core.tagging as tagging_module
    from app.core.settings import AppSettings
    from app.gui.job_work import tag_work

    asked = []
    monkeypatch.setattr(tagging_module, "tag", lambda index, targets, options, **_: asked.append(options))
    db = tmp_path / "index.db"
    PhotoIndex.open(db).close()
    tag_work(db, [1, 2], AppSettings())(None, None, None)  # Tag selection: photos chosen by hand
    tag_work(db, [tmp_path], AppSettings())(None, None, None)
    assert [options.retry_failed for options in asked] == [True, False]


# -- the scan -----------------------------------------------------------------------------

@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The names of the files whose header the scan reads from now on."""
    names: list[str] = []
    real = scan_folder_sync.read_photo_info

    def counting(path, *args, **kwargs):
        names.append(os.path.basename(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(scan_folder_sync, "read_photo_info", counting)
    return names


def _scan_problems(index: PhotoIndex) -> list[str]:
    return sorted(Path(error.path).name for error in index.errors(stage="scan"))


def test_files_that_could_not_be_scanned_are_not_read_again_while_unchanged(index, tmp_path, reads) -> None:
    folder = tmp_path / "card"
    write_jpeg(folder / "DSC_0001.JPG")
    (folder / "DSC_0002.JPG").write_bytes(jpeg_bytes()[:300])  # truncated
    (folder / "DSC_0003.NEF").write_bytes(bytes(range(256)) * 64)  # a RAW alone, not one this app can read
    (folder / "DSC_0004.JPG").write_bytes(b"")
    first = scan(index, [folder])
    assert (first.photos, first.errors, first.unchanged_problems) == (1, 3, 0)
    assert sorted(reads) == ["DSC_0001.JPG", "DSC_0002.JPG", "DSC_0003.NEF", "DSC_0004.JPG"]
    reads.clear()

    again = scan(index, [folder])
    assert reads == []
    assert (again.errors, again.unchanged_problems) == (0, 3)
    assert "3 unchanged files still unreadable" in again.line()
    assert _scan_problems(index) == ["DSC_0002.JPG", "DSC_0003.NEF", "DSC_0004.JPG"]  # still listed

    write_jpeg(folder / "DSC_0002.JPG")  # copied whole now
    (folder / "DSC_0004.JPG").unlink()
    fixed = scan(index, [folder])
    assert reads == ["DSC_0002.JPG"]
    assert (fixed.photos, fixed.new, fixed.errors, fixed.unchanged_problems) == (2, 1, 0, 1)
    assert _scan_problems(index) == ["DSC_0003.NEF"]


def test_a_file_that_could_not_be_opened_is_tried_at_every_scan(index, tmp_path, reads, monkeypatch) -> None:
    """Permissions change without the size or the time of the file: such a problem has
    no file state, and the file is read again at every scan."""
    folder = tmp_path / "card"
    write_jpeg(folder / "DSC_0001.JPG")
    real = scan_folder_sync.fingerprint_file

    def refused(path, *args):
        if os.path.basename(path) == "DSC_0001.JPG":
            raise PermissionError(13, "Permission denied")
        return real(path, *args)

    monkeypatch.setattr(scan_folder_sync, "fingerprint_file", refused)
    assert scan(index, [folder]).errors == 1
    monkeypatch.setattr(scan_folder_sync, "fingerprint_file", real)
    summary = scan(index, [folder])
    assert (summary.photos, summary.errors, summary.unchanged_problems) == (1, 0, 0)
    assert _scan_problems(index) == []


def test_the_scan_command_exits_1_while_an_unchanged_file_could_not_be_read(tmp_path, capsys) -> None:
    from app.cli.main import main

    folder = tmp_path / "card"
    write_jpeg(folder / "DSC_0001.JPG")
    (folder / "DSC_0002.JPG").write_bytes(jpeg_bytes()[:300])
    arguments = ["--db", str(tmp_path / "index.db"), "scan", str(folder)]
    assert main(arguments) == 1
    capsys.readouterr()
    assert main(arguments) == 1
    assert "1 unchanged file still unreadable" in capsys.readouterr().err


# -- finding 5 ------------------------------------------------------------------------------

@pytest.mark.skipif(not os.path.exists("/dev/zero") or not hasattr(os, "symlink"), reason="needs /dev/zero")
def test_a_link_to_a_device_is_named_as_no_photo_file_not_as_gone(index, tmp_path) -> None:
    folder = tmp_path / "links"
    write_jpeg(folder / "DSC_0001.JPG")
    (folder / "DSC_0002.JPG").symlink_to("/dev/zero")
    summary = scan(index, [folder])
    assert (summary.photos, summary.errors) == (1, 1)
    (error,) = index.errors(stage="scan")
    assert error.message.endswith("DSC_0002.JPG: a link to /dev/zero, which is not a photo file (not a regular file)")


@pytest.fixture
def new_readers(monkeypatch):
    """Call to stand for an upgrade of the app (or of Pillow, pillow-heif, LibRaw)."""
    import app
    from app.core.index import problems

    def upgrade() -> None:
        monkeypatch.setattr(app, "__version__", app.__version__ + ".1")
        problems.readers.cache_clear()

    yield upgrade
    problems.readers.cache_clear()


def test_files_that_failed_are_read_again_once_the_readers_change(index, card, tiny_bundle, decoded, reads,
                                                                   new_readers) -> None:
    """A newer version (or decoder) may read what this one could not: the files kept from
    being read again while unchanged are tried once more after an upgrade."""
    (card / "DSC_0009.JPG").write_bytes(jpeg_bytes()[:300])  # fails at the scan
    tag(index, [card], _options(tiny_bundle))
    decoded.clear()
    reads.clear()
    tag(index, [card], _options(tiny_bundle))
    assert (decoded, reads) == ([], [])
    new_readers()
    again = tag(index, [card], _options(tiny_bundle))
    assert decoded == ["IMG_0002.tif"] and reads == ["DSC_0009.JPG"]
    assert again.failed_before == 0
