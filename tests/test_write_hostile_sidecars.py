"""Sidecars a hostile or broken folder holds under a photo's sidecar name: a FIFO, a
link to a device, a file far too large, a packet nested thousands of levels deep.
Each gets a per-file "cannot write" and the batch goes on; none hangs the write, eats
the memory or ends the job with a traceback."""

from __future__ import annotations

import os
import threading

import pytest
from PIL import Image

from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, write_labels
from app.core.metadata.jpeg_fields import read_fields
from app.core.metadata.sidecar import fields_of_sidecar, read_sidecar_text
from tests.test_metadata_support import add_photo, make_jpeg


@pytest.fixture
def index(tmp_path):
    opened = PhotoIndex.open(tmp_path / "index.db")
    yield opened
    opened.close()


def png_photo(folder, name="p.png"):
    folder.mkdir(exist_ok=True)
    photo = folder / name
    Image.new("RGB", (32, 24), (30, 60, 90)).save(photo)
    return photo


def within(seconds, job):
    """`job()`'s result, or a failure (not a hang) when it has not returned in `seconds`."""
    outcome = {}

    def run():
        try:
            outcome["value"] = job()
        except BaseException as error:  # handed to the test below
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def release_fifo(fifo):
    """Open the FIFO's writing end, which lets a reader blocked in open() go on."""
    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        pass  # nobody waiting on it


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_under_the_sidecar_name_is_a_per_file_problem_not_a_hang(tmp_path, index):
    photo = png_photo(tmp_path / "lib")
    fifo = photo.with_name(photo.name + ".xmp")
    os.mkfifo(fifo)
    healthy = make_jpeg(tmp_path / "lib" / "b.jpg")
    add_photo(index, [photo], "Petra")
    add_photo(index, [healthy], "Petra")
    try:
        plan = within(20, lambda: plan_writes(index))
        problems = {item.target: item.problem for item in plan}
        assert "not a regular file" in problems[fifo] and problems[healthy] is None
        summary = within(20, lambda: write_labels(index, plan, WriteOptions()))
    finally:
        release_fifo(fifo)
    assert (summary.written, summary.failed) == (1, 1)
    assert str(fifo) in summary.errors[0][1] and "not a regular file" in summary.errors[0][1]
    assert read_fields(healthy.read_bytes()).subject == ["Petra"]


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero on this system")
def test_a_sidecar_linked_to_a_device_is_refused_before_reading(tmp_path, index):
    photo = png_photo(tmp_path / "lib")
    sidecar = photo.with_name(photo.name + ".xmp")
    try:
        sidecar.symlink_to("/dev/zero")
    except OSError:
        pytest.skip("no symbolic links here")
    add_photo(index, [photo], "Petra")
    problems = [item.problem for item in within(5, lambda: plan_writes(index))]
    assert len(problems) == 1 and "not a regular file" in problems[0]


def test_a_sidecar_larger_than_any_editor_writes_is_refused_unread(tmp_path, monkeypatch):
    import app.core.metadata.sidecar as sidecar_module

    monkeypatch.setattr(sidecar_module, "MAX_SIDECAR_BYTES", 1000)
    sidecar = tmp_path / "p.png.xmp"
    with open(sidecar, "wb") as handle:
        handle.truncate(1001)  # sparse: nothing to write, a size all the same
    with pytest.raises(sidecar_module.SidecarNotReadableError, match="MB"):
        read_sidecar_text(sidecar)
    sidecar.write_bytes(b"x" * 1000)
    assert read_sidecar_text(sidecar) == b"x" * 1000
    assert read_sidecar_text(tmp_path / "absent.xmp") is None


def deep_packet(depth: int) -> bytes:
    """An XMP packet holding a keyword and, beside it, `depth` nested elements."""
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/"><dc:subject><rdf:Bag><rdf:li>Holiday</rdf:li></rdf:Bag>'
        "</dc:subject><xmp:Deep>" + "<a>" * depth + "x" + "</a>" * depth
        + "</xmp:Deep></rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()


def test_xmp_nested_thousands_deep_is_one_files_problem(tmp_path, index):
    from tests.test_metadata_support import with_xmp_packet

    deep_jpeg = with_xmp_packet(make_jpeg(tmp_path / "deep.jpg"), deep_packet(3000))
    deep_png = png_photo(tmp_path, "deep_sidecar.png")
    deep_sidecar = deep_png.with_name("deep_sidecar.png.xmp")
    deep_sidecar.write_bytes(deep_packet(3000))
    healthy = make_jpeg(tmp_path / "b.jpg")
    for photo in (deep_jpeg, deep_png, healthy):
        add_photo(index, [photo], "Petra")
    originals = {deep_jpeg: deep_jpeg.read_bytes(), deep_sidecar: deep_sidecar.read_bytes()}
    problems = {item.target: item.problem for item in plan_writes(index)}
    assert problems[healthy] is None
    assert "levels deep" in problems[deep_jpeg] and "levels deep" in problems[deep_sidecar]
    summary = write_labels(index, plan_writes(index), WriteOptions())
    assert (summary.written, summary.failed) == (1, 2)
    assert all(path.read_bytes() == data for path, data in originals.items())
    assert read_fields(healthy.read_bytes()).subject == ["Petra"]


def test_xmp_as_deep_as_an_editor_might_nest_it_is_written(tmp_path, index):
    photo = png_photo(tmp_path)
    photo.with_name("p.png.xmp").write_bytes(deep_packet(150))
    add_photo(index, [photo], "Petra")
    summary = write_labels(index, plan_writes(index), WriteOptions())
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    assert b"<a>" * 150 in photo.with_name("p.png.xmp").read_bytes()


def test_an_unforeseen_exception_in_one_file_is_that_files_error_not_the_batchs(tmp_path, index, monkeypatch, caplog):
    import app.core.metadata.writer as writer

    broken, healthy = png_photo(tmp_path, "broken.png"), make_jpeg(tmp_path / "b.jpg")
    add_photo(index, [broken], "Petra")
    add_photo(index, [healthy], "Petra")
    real_render = writer.render_sidecar

    def render_failing_for_broken(existing, wanted, name="sidecar", made_for=None):
        if "broken" in name:
            raise MemoryError()
        return real_render(existing, wanted, name, made_for)

    monkeypatch.setattr(writer, "render_sidecar", render_failing_for_broken)
    summary = write_labels(index, plan_writes(index), WriteOptions())
    assert (summary.written, summary.failed) == (1, 1)
    (path, message), = summary.errors
    assert "broken.png.xmp" in path and "broken.png.xmp" in message and "MemoryError" in message
    assert not broken.with_name("broken.png.xmp").exists()
    assert read_fields(healthy.read_bytes()).subject == ["Petra"]
    assert any(record.exc_info and record.exc_info[0] is MemoryError for record in caplog.records)  # the trace, kept


def keywords_packet(count: int) -> bytes:
    """An XMP sidecar holding `count` keywords in dc:subject, written without whitespace."""
    items = "".join(f"<rdf:li>kw{number:07d}</rdf:li>" for number in range(count))
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag>'
        + items + "</rdf:Bag></dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()


def test_a_write_that_would_grow_a_field_past_the_cap_is_refused(tmp_path, index, monkeypatch):
    import app.core.metadata.sidecar as sidecar_module

    monkeypatch.setattr(sidecar_module, "MAX_KEYWORDS_PER_FIELD", 100)
    crowded, fine = png_photo(tmp_path, "crowded.png"), png_photo(tmp_path, "fine.png")
    endless = png_photo(tmp_path, "endless.png")
    crowded.with_name("crowded.png.xmp").write_bytes(keywords_packet(100))  # ours would make it 101
    fine.with_name("fine.png.xmp").write_bytes(keywords_packet(99))
    endless.with_name("endless.png.xmp").write_bytes(keywords_packet(201))  # past twice the cap: unread
    for photo in (crowded, fine, endless):
        add_photo(index, [photo], "Petra")
    problems = {item.target.name: item.problem for item in plan_writes(index)}
    assert problems["fine.png.xmp"] is None
    assert "would hold 101 keywords" in problems["crowded.png.xmp"] and "at most 100" in problems["crowded.png.xmp"]
    assert "holds 201 keywords" in problems["endless.png.xmp"] and "at most 200" in problems["endless.png.xmp"]
    summary = write_labels(index, plan_writes(index), WriteOptions())
    assert (summary.written, summary.failed) == (1, 2)
    assert crowded.with_name("crowded.png.xmp").read_bytes() == keywords_packet(100)
    assert len(fields_of_sidecar(fine.with_name("fine.png.xmp").read_bytes()).subject) == 100


def test_our_keyword_in_a_sidecar_past_the_cap_can_be_replaced_and_taken_out(tmp_path, index, monkeypatch):
    """A sidecar an earlier write left over the cap (10,000 -> 10,001, and a new
    hierarchy of 10,001): a relabel or a rejection must still take the wrong landmark out."""
    import app.core.metadata.sidecar as sidecar_module

    photo = png_photo(tmp_path)
    sidecar = photo.with_name("p.png.xmp")
    sidecar.write_bytes(keywords_packet(100))
    photo_id = add_photo(index, [photo], "Petra")
    monkeypatch.setattr(sidecar_module, "MAX_KEYWORDS_PER_FIELD", 101)  # as the write before the cap held
    assert write_labels(index, plan_writes(index), WriteOptions()).written == 1
    monkeypatch.setattr(sidecar_module, "MAX_KEYWORDS_PER_FIELD", 100)
    index.set_label(photo_id, "Colosseum")
    (item,) = plan_writes(index)
    assert item.problem is None
    summary = write_labels(index, [item], WriteOptions())
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    fields = fields_of_sidecar(sidecar.read_bytes())
    assert "Petra" not in fields.subject and "Colosseum" in fields.subject and len(fields.subject) == 101
    index.set_label(photo_id, None)  # no landmark after all
    summary = write_labels(index, plan_writes(index), WriteOptions())
    assert (summary.written, summary.failed) == (1, 0), summary.errors
    fields = fields_of_sidecar(sidecar.read_bytes())
    assert "Colosseum" not in fields.subject and len(fields.subject) == 100


def test_the_dry_run_line_of_a_long_keyword_list_is_short_and_names_the_change(tmp_path, index):
    photo = png_photo(tmp_path)
    # 1,200: past SHOWN_KEYWORDS, over 1,000 (a thousands separator) and 15,000 characters in full
    photo.with_name("p.png.xmp").write_bytes(keywords_packet(1200))
    add_photo(index, [photo], "Petra")
    (item,) = plan_writes(index)
    line = item.describe()
    assert len(line) < 1000, len(line)
    assert '1,200 -> 1,201: adds "Petra", takes out none' in line


def test_the_dry_run_line_of_a_few_keywords_lists_them_all(tmp_path, index):
    photo = png_photo(tmp_path)
    photo.with_name("p.png.xmp").write_bytes(keywords_packet(3))
    add_photo(index, [photo], "Petra")
    (item,) = plan_writes(index)
    assert item.describe().endswith('keywords "kw0000000", "kw0000001", "kw0000002" -> '
                                    '"kw0000000", "kw0000001", "kw0000002", "Petra"')
