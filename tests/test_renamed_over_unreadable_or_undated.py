"""Renamed-over cases the tests of test_scan_renumbering_*.py do not pin: a backup copy
that cannot be read while the scan checks whether its picture left (the photo must not
be detached from its label), and a renumbering of pictures that carry no date or camera
(two undated photos are not "one shot")."""

from __future__ import annotations

import shutil
from pathlib import Path

import app.core.renamed_over as renamed_over
from app.core.scanner import scan
from tests.test_index_support import write_jpeg
from tests.test_renumbering_support import COLOURS, index, rename_all  # noqa: F401 (index: a fixture)


def test_a_copy_restored_from_a_backup_that_cannot_be_read_keeps_its_photo_and_label(
        tmp_path, index, monkeypatch) -> None:
    """A bad edit in place undone by copying the original back from an indexed Backup/;
    while the scan checks Backup/DSC_0001.JPG it cannot be opened (a lock, a network
    hiccup). That cannot be told: the labelled photo stays at Rome/DSC_0001.JPG, and no
    ghost with the label is left missing, then or in the next scan."""
    library = tmp_path / "Photos"
    rome = write_jpeg(library / "Rome" / "DSC_0001.JPG", color=(200, 10, 10), size=(40, 30))
    (library / "Backup").mkdir()
    shutil.copy2(rome, library / "Backup" / "DSC_0001.JPG")
    scan(index, [library])
    photo = next(r.id for r in index.search("") if "Rome" in r.path)
    index.set_label(photo, "Colosseum")
    write_jpeg(rome, color=(90, 90, 90), size=(40, 30))  # the bad edit
    scan(index, [library])
    shutil.copy2(library / "Backup" / "DSC_0001.JPG", rome)
    readable = renamed_over.fingerprint_file

    def locked(path, size=None):
        if "Backup" in str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return readable(path, size)

    monkeypatch.setattr(renamed_over, "fingerprint_file", locked)
    summary = scan(index, [library])
    monkeypatch.setattr(renamed_over, "fingerprint_file", readable)
    again = scan(index, [library])

    assert (summary.new, summary.missing) == (0, 0)
    assert (again.new, again.missing) == (0, 0)
    assert index.search("is:missing") == []
    kept = index.get(photo)
    assert not kept.missing and kept.label == "Colosseum" and Path(kept.path) == rome


def test_opening_a_gap_among_undated_pictures_keeps_each_word_with_its_picture(tmp_path, index) -> None:
    """Scans or messenger images (no date, no camera): DSC_0004 deleted, 3→4, 2→3, 1→2 and a
    new undated DSC_0001. Two undated photos tell nothing of one shot, so the new picture
    does not take Colosseum and each label follows its picture."""
    folder = tmp_path / "Scans"
    undated = {"taken": None, "make": None, "model": None}
    for number, colour in COLOURS.items():
        write_jpeg(folder / f"DSC_000{number}.JPG", color=colour, size=(32 + number, 24), **undated)
    scan(index, [folder])
    before = {Path(r.path).name: r.id for r in index.search("")}
    for number, label in ((1, "Colosseum"), (2, "Petra"), (3, "Taj Mahal")):
        index.set_label(before[f"DSC_000{number}.JPG"], label)
    (folder / "DSC_0004.JPG").unlink()
    rename_all(folder, [("DSC_0003.JPG", "DSC_0004.JPG"), ("DSC_0002.JPG", "DSC_0003.JPG"),
                        ("DSC_0001.JPG", "DSC_0002.JPG")])
    write_jpeg(folder / "DSC_0001.JPG", color=(90, 90, 90), size=(50, 24), **undated)

    summary = scan(index, [folder])

    assert (summary.moved, summary.new, summary.changed) == (3, 1, 0)
    labels = {Path(r.path).name: r.label for r in index.search("")}
    assert labels == {"DSC_0001.JPG": None, "DSC_0002.JPG": "Colosseum", "DSC_0003.JPG": "Petra",
                      "DSC_0004.JPG": "Taj Mahal"}
