"""On the real camera JPEGs (copied to tmp_path; ../shared is never touched):
writing labels adds no exiftool warning, changes nothing in `exiftool -j -G1 -a`
but our fields, keeps the MakerNote and the image data, and undo restores the file."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.metadata import plan_writes, undo_last_write, write_labels
from app.core.metadata.jpeg_segments import scan_data
from app.core.metadata.verify import exiftool_changes, exiftool_fields
from tests.test_metadata_support import add_photo, as_list, require_exiftool

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def validate(path: Path) -> set[str]:
    """The warnings of `exiftool -validate -warning -a` for one file (the count line left out)."""
    return validate_all([path])[path]


def validate_all(paths: list[Path]) -> dict[Path, set[str]]:
    """The warnings of `exiftool -validate -warning -a` per file (the count line left out),
    from one exiftool for all of them: it starts in a good fraction of a second."""
    out = subprocess.run(["exiftool", "-validate", "-warning", "-a", *map(str, paths)],
                         capture_output=True, text=True, check=True)
    # one file gets no "======== NAME" line before its warnings
    warnings: dict[Path, set[str]] = {paths[0]: set()} if len(paths) == 1 else {}
    current = warnings.get(paths[0])
    for line in out.stdout.splitlines():
        if line.startswith("======== "):
            current = warnings.setdefault(Path(line[len("======== "):]), set())
        elif line.startswith("Warning"):
            current.add(line.split(":", 1)[1].strip())
    assert sorted(warnings) == sorted(paths), out.stdout
    return warnings


def fields(paths: list[Path]) -> dict[Path, dict]:
    """exiftool_fields of each file, from one exiftool for all of them (its arguments and
    the entries it leaves out checked against exiftool_fields on the first file)."""
    out = subprocess.run(["exiftool", "-j", "-G1", "-a", "-charset", "filename=utf8", *map(str, paths)],
                         capture_output=True, check=True)
    entries = json.loads(out.stdout)
    assert [Path(entry["SourceFile"]) for entry in entries] == list(paths)
    volatile = ("System:", "SourceFile", "ExifTool:ExifToolVersion")
    every = {path: {k: v for k, v in entry.items() if not k.startswith(volatile)} for path, entry in zip(paths, entries)}
    assert every[paths[0]] == exiftool_fields(paths[0])
    return every


def windows_tagged(number: int) -> bool:
    """Whether the real JPEG of that number is given XPKeywords first, as Windows Explorer
    writes them: every other one."""
    return number % 2 == 1


@pytest.fixture(scope="module")
def written_copies(shared_data, tmp_path_factory):
    """Every real JPEG copied, with warnings and tags taken before the write, then written."""
    require_exiftool()
    folder = tmp_path_factory.mktemp("real-jpegs")
    sources = sorted((shared_data / "camera" / "jpeg").glob("*.jpg"))
    copies = []
    for source in sources:
        shutil.copyfile(source, folder / source.name)
        copies.append(folder / source.name)
    # the in-place XPKeywords patch, on each camera's EXIF layout
    patched = [path for number, path in enumerate(copies) if windows_tagged(number)]
    subprocess.run(["exiftool", "-q", "-overwrite_original", "-XPKeywords=Family", *map(str, patched)], check=True)
    warnings, tags = validate_all(copies), fields(copies)
    before = {p: (p.read_bytes(), warnings[p], tags[p]) for p in copies}
    index = PhotoIndex.open(folder / "index.db")
    labels = ["Château d'If", "Notre-Dame de la Garde"]
    for number, path in enumerate(copies):
        add_photo(index, [path], labels[number % 2])
    summary = write_labels(index, plan_writes(index))
    yield copies, before, summary, index
    index.close()


def test_every_real_jpeg_was_written(written_copies):
    copies, _, summary, _ = written_copies
    assert (summary.written, summary.failed) == (len(copies), 0), summary.errors


def test_exiftool_reports_no_new_warning(written_copies):
    copies, before, _, _ = written_copies
    after = validate_all(copies)
    for path in copies:
        assert after[path] <= before[path][1], path.name


def test_exiftool_sees_only_our_fields_change(written_copies):
    copies, before, _, _ = written_copies
    every_after = fields(copies)
    for number, path in enumerate(copies):
        after = every_after[path]
        assert exiftool_changes(before[path][2], after) == set(), path.name
        label = ["Château d'If", "Notre-Dame de la Garde"][number % 2]
        assert as_list(after["XMP-dc:Subject"]) == [label]
        assert as_list(after["XMP-lr:HierarchicalSubject"]) == [f"Landmarks|{label}"]
        had_iptc = any(key.startswith("IPTC:") for key in before[path][2])  # IPTC Keywords go only there
        assert as_list(after.get("IPTC:Keywords")) == ([label] if had_iptc else [])
        # XPKeywords only where the photo holds it (no camera writes it)
        assert after.get("IFD0:XPKeywords") == (f"Family;{label}" if windows_tagged(number) else None)


def test_maker_notes_and_image_data_are_preserved(written_copies):
    copies, before, _, _ = written_copies
    with_maker_notes = 0
    every_after = fields(copies)
    for path in copies:
        old_tags = before[path][2]
        new_tags = every_after[path]
        groups = ("Nikon", "NikonCustom", "PreviewIFD", "Panasonic", "Samsung", "FujiFilm", "MakerNotes")
        maker = {k: v for k, v in old_tags.items() if k.split(":", 1)[0] in groups}
        with_maker_notes += bool(maker)
        assert {k: new_tags.get(k) for k in maker} == maker, path.name
        assert bytes(scan_data(path.read_bytes())) == bytes(scan_data(before[path][0])), path.name
    assert with_maker_notes >= 9  # two of the eleven (edited files) have none


def test_undo_gives_back_the_original_files(written_copies):
    copies, before, _, index = written_copies
    summary = undo_last_write(index)
    assert summary.failed == 0
    for path in copies:
        assert path.read_bytes() == before[path][0], path.name
