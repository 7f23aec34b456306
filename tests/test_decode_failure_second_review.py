"""Second review of the remembered failures (core review findings 1, 2, 4; code quality
1, 2, 5).

Finding 1: every decode failure was remembered as a broken file, also those that say
nothing of its contents (its drive unplugged while `tag` ran, an I/O error, no memory, a
crashed worker): the photos were skipped for good. Only failures of the contents are
remembered now; the others are tried again at the next run.
Finding 2: a photo fixed by a copy that keeps its size and date (restored from a backup
with cp -p, Finder, Explorer) was never decoded again: the remembered state held the
index's fingerprint, recomputed only when size or mtime change. The files of a failed
photo are read again (head and tail) at each `tag`, and those of a failed scan.
Finding 4: apply_threshold asked the rejections of each photo in its own queries.
Code quality 2: the CLI could retry failed photos only by `tag --retag` (every photo
classified again): `tag --retry-failed`, or naming the photo's file.
"""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import app.core.decode as decode_module
import app.core.decode_workers as workers_module
from app.core.decode_workers import DecodedPhoto, DecodeJob, DecodeSettings, decode_job
from app.core.errors import PhotoNotReadError, PhotoReadError
from app.core.index import PhotoIndex
from app.core.scanner import scan
from app.core.tagging import TagOptions, tag

A_DATE_NS = 1_600_000_000_000_000_000


@pytest.fixture
def index():
    opened = PhotoIndex.open(":memory:")
    yield opened
    opened.close()


def _noisy_jpeg(seed: int) -> bytes:
    """A JPEG of noise (its Huffman tables matter to every block)."""
    pixels = np.random.default_rng(seed).integers(0, 256, (240, 320, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def _bit_rot(data: bytes) -> bytes:
    """The same bytes with 20 flipped in the Huffman table: same size, the header still
    reads (the scan indexes it), the image no longer decodes."""
    at = data.find(b"\xff\xc4")
    bad = bytearray(data)
    for k in range(at + 5, at + 25):
        bad[k] ^= 0xFF
    return bytes(bad)


def _write_dated(path: Path, data: bytes) -> None:
    """Write `data` and give the file the same date every time (a copy that keeps it)."""
    path.write_bytes(data)
    os.utime(path, ns=(A_DATE_NS, A_DATE_NS))


def _options(tiny_bundle, **changes) -> TagOptions:
    return TagOptions(model=Path(tiny_bundle.path), workers=0, batch_size=2, threads=1, **changes)


def _decode_states(index: PhotoIndex) -> list:
    return [row[0] for row in index.conn.execute("SELECT file_state FROM errors WHERE stage = 'decode'")]


# -- finding 1: only a failure of the contents is remembered ----------------------------------

def test_photos_that_failed_while_their_drive_was_away_are_tagged_once_it_is_back(
        index, tmp_path, tiny_bundle) -> None:
    library = tmp_path / "library"
    (library / "trip").mkdir(parents=True)
    for n in range(2):
        (library / "trip" / f"DSC_{n:04d}.JPG").write_bytes(_noisy_jpeg(n))
    scan(index, [library])
    ids = [row[0] for row in index.conn.execute("SELECT id FROM photos ORDER BY id")]
    (library / "trip").rename(library / "away")  # the drive drops out during the run
    first = tag(index, ids, _options(tiny_bundle))
    assert first.errors == 2
    assert _decode_states(index) == [None, None]  # nothing known of the contents
    (library / "away").rename(library / "trip")  # plugged in again, the files untouched

    again = tag(index, [library], _options(tiny_bundle))
    assert (again.tagged, again.failed_before, again.errors) == (2, 0, 0), again.line()


def test_a_photo_whose_decoder_worker_crashed_is_tried_again_at_the_next_run(
        index, tmp_path, tiny_bundle, monkeypatch) -> None:
    """A worker the system killed (out of memory) or one stopped as hung is no verdict
    on the file."""
    folder = tmp_path / "trip"
    folder.mkdir()
    (folder / "DSC_0001.JPG").write_bytes(_noisy_jpeg(1))

    def crashed(job, settings):
        return DecodedPhoto(job.photo_id, None, error=f"{job.paths[0]}: the decoder crashed on this file "
                            "(exit code -9); it is probably corrupt", failed_paths=list(job.paths))

    monkeypatch.setattr(workers_module, "decode_job", crashed)
    assert tag(index, [folder], _options(tiny_bundle)).errors == 1
    monkeypatch.undo()
    again = tag(index, [folder], _options(tiny_bundle))
    assert (again.tagged, again.failed_before) == (1, 0), again.line()


@pytest.mark.parametrize("failure, remembered", [
    (PhotoReadError("x.jpg: cannot decode the image (broken data stream)"), True),
    (PhotoNotReadError("x.jpg: its folder is not there; check the path (is the drive mounted?)"), False),
    (MemoryError(), False),
    (OSError(errno.EIO, "Input/output error"), False),
    (RuntimeError("a fault of ours"), False),
])
def test_decode_job_tells_a_failure_of_the_contents_from_one_of_reading(
        tmp_path, monkeypatch, failure, remembered) -> None:
    photo = tmp_path / "x.jpg"
    photo.write_bytes(_noisy_jpeg(3))

    def failing(path, min_side):
        raise failure

    monkeypatch.setattr(decode_module, "decode_for_model", failing)
    result = decode_job(DecodeJob(1, (str(photo),)), DecodeSettings(None, 64))
    assert result.pixels is None and result.error
    assert result.contents_failed is remembered


def test_a_file_gone_right_after_its_decode_failed_is_no_verdict_on_its_contents(tmp_path, monkeypatch) -> None:
    photo = tmp_path / "x.jpg"

    def failing_as_its_drive_goes(path, min_side):
        raise PhotoReadError(f"{path}: LibRaw cannot decode the RAW image data (Input/output error)")

    monkeypatch.setattr(decode_module, "decode_for_model", failing_as_its_drive_goes)
    assert decode_job(DecodeJob(1, (str(photo),)), DecodeSettings(None, 64)).contents_failed is False


def test_pillow_meeting_an_io_error_reports_the_file_as_not_read(tmp_path, monkeypatch) -> None:
    photo = tmp_path / "x.jpg"
    photo.write_bytes(_noisy_jpeg(4))

    def io_error(*args, **kwargs):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(decode_module.Image, "open", io_error)
    with pytest.raises(PhotoNotReadError, match="cannot read the file"):
        decode_module.decode_for_model(photo, 64)


def test_a_file_truncated_on_disk_is_still_remembered(index, tmp_path, tiny_bundle) -> None:
    folder = tmp_path / "trip"
    folder.mkdir()
    _write_dated(folder / "DSC_0001.JPG", _bit_rot(_noisy_jpeg(5)))
    assert tag(index, [folder], _options(tiny_bundle)).errors == 1
    (state,) = _decode_states(index)
    assert state is not None
    again = tag(index, [folder], _options(tiny_bundle))
    assert (again.tagged, again.failed_before) == (0, 1)


# -- finding 2: a fix that keeps the size and date is seen ------------------------------------

def test_a_photo_restored_from_a_backup_keeping_its_date_is_decoded_again(index, tmp_path, tiny_bundle) -> None:
    folder = tmp_path / "library"
    folder.mkdir()
    photo = folder / "IMG_0001.JPG"
    good = _noisy_jpeg(7)
    _write_dated(photo, _bit_rot(good))
    assert tag(index, [folder], _options(tiny_bundle)).errors == 1  # broken data stream
    _write_dated(photo, good)  # the restored copy: same size, same date

    again = tag(index, [folder], _options(tiny_bundle))
    assert (again.tagged, again.failed_before, again.errors) == (1, 0, 0), again.line()
    assert _decode_states(index) == []


def test_a_file_that_failed_at_the_scan_and_is_restored_keeping_its_date_is_read_again(index, tmp_path) -> None:
    folder = tmp_path / "card"
    folder.mkdir()
    photo = folder / "DSC_0001.JPG"
    good = _noisy_jpeg(8)
    _write_dated(photo, b"\0" * 16 + good[16:])  # its header lost: no image format known
    first = scan(index, [folder])
    assert (first.photos, first.errors) == (0, 1)
    _write_dated(photo, good)

    again = scan(index, [folder])
    assert (again.photos, again.errors, again.unchanged_problems) == (1, 0, 0), again.line()
    assert index.errors(stage="scan") == []


def test_an_io_error_at_the_scan_is_tried_again_at_the_next(index, tmp_path, monkeypatch) -> None:
    folder = tmp_path / "card"
    folder.mkdir()
    (folder / "DSC_0001.JPG").write_bytes(_noisy_jpeg(9))
    real_open = Image.open

    def io_error(path, *args, **kwargs):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(Image, "open", io_error)
    assert scan(index, [folder]).errors == 1
    monkeypatch.setattr(Image, "open", real_open)
    again = scan(index, [folder])
    assert (again.photos, again.errors, again.unchanged_problems) == (1, 0, 0), again.line()


# -- code quality 2: retrying the failed photos alone -----------------------------------------

@pytest.fixture
def failed_card(tmp_path: Path) -> Path:
    folder = tmp_path / "card"
    folder.mkdir()
    _write_dated(folder / "DSC_0001.JPG", _noisy_jpeg(10))
    _write_dated(folder / "DSC_0002.JPG", _bit_rot(_noisy_jpeg(11)))
    return folder


def _cli(db: Path, *arguments: str, tiny_bundle) -> int:
    from app.cli.main import main

    return main(["--db", str(db), "tag", *arguments, "--model", str(tiny_bundle.path), "--workers", "0"])


def test_tag_names_retry_failed_and_it_retries_only_the_failed_photos(failed_card, tiny_bundle, tmp_path,
                                                                      capsys) -> None:
    db = tmp_path / "index.db"
    assert _cli(db, str(failed_card), tiny_bundle=tiny_bundle) == 1
    capsys.readouterr()
    assert _cli(db, str(failed_card), tiny_bundle=tiny_bundle) == 1
    assert ("1 unchanged photo that could not be decoded skipped (`tag --retry-failed` tries them again)"
            in capsys.readouterr().err)
    assert _cli(db, str(failed_card), "--retry-failed", tiny_bundle=tiny_bundle) == 1
    err = capsys.readouterr().err
    assert "tagged 0 photos, 1 already up to date, 1 failed" in err  # decoded again, the good one not


def test_a_photo_named_by_its_file_is_tried_again(index, failed_card, tiny_bundle) -> None:
    tag(index, [failed_card], _options(tiny_bundle))
    named = tag(index, [failed_card / "DSC_0002.JPG"], _options(tiny_bundle))
    assert (named.errors, named.failed_before) == (1, 0)
    folder = tag(index, [failed_card], _options(tiny_bundle))
    assert (folder.errors, folder.failed_before) == (0, 1)


def test_the_app_words_the_hint_as_its_tag_selection(index, failed_card, tiny_bundle) -> None:
    from app.gui.app_words import in_app_words

    tag(index, [failed_card], _options(tiny_bundle))
    line = tag(index, [failed_card], _options(tiny_bundle)).line()
    assert "Tag selection tries the photos chosen again" in in_app_words(line)


# -- finding 4: apply_threshold reads the rejections of many photos at once ------------------

def test_apply_threshold_asks_no_query_per_photo_and_still_keeps_rejections(index) -> None:
    """Photos 1-3 rejected "Taj Mahal" when another model called it "Taj Mahal (old)":
    the same landmark id under this model's name is still rejected for them."""
    from app.core.index.records import Prediction
    from tests.test_index import add_photo

    ids = [add_photo(index, "/lib/trip", f"DSC_{n:04d}") for n in range(60)]
    with index.transaction() as conn:
        for photo_id in ids[:3]:
            conn.execute("INSERT INTO predictions (photo_id, model_id, rank, landmark_id, label, score) "
                         "VALUES (?, 'old', 1, 'taj', 'Taj Mahal (old)', 0.9)", (photo_id,))
            conn.execute("INSERT INTO rejections (photo_id, label) VALUES (?, 'Taj Mahal (old)')", (photo_id,))
    top = [Prediction(landmark_id="taj", label="Taj Mahal", score=0.9),
           Prediction(landmark_id="colosseum", label="Colosseum", score=0.8)]
    for photo_id in ids:
        index.set_predictions(photo_id, "m", top, 0.5)
    statements: list[str] = []
    index.conn.set_trace_callback(statements.append)
    try:
        changed = index.apply_threshold(ids, "m", 0.85)
    finally:
        index.conn.set_trace_callback(None)
    assert changed == ids[:3]  # Colosseum (0.8, their best not rejected) is under 0.85 now:
    # nothing new to say, they go back to their rejection, under this model's name
    assert [(index.get(i).label, index.get(i).state) for i in ids[:4]] == [
        ("Taj Mahal", "rejected")] * 3 + [("Taj Mahal", "suggested")]
    assert len([text for text in statements if text.lstrip().upper().startswith("SELECT")]) < 20
