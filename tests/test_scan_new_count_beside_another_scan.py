"""review5 F2: two overlapping scans of a moved folder printed "-2,504 new": a scan took
off its `new` count every photo it joined to its old row that came in after it started,
though another scan running beside it had brought that photo in (and counted it new).
Now a scan counts as new only the photos it brought in itself, never below zero."""

from __future__ import annotations

from pathlib import Path

from app.core import scanner
from app.core.index import PhotoIndex
from app.core.scanner import scan
from tests.test_moves_joined_in_batches import labelled_folder


def test_a_scan_joining_photos_another_scan_brought_in_does_not_count_them_off_its_new(tmp_path: Path,
                                                                                      monkeypatch) -> None:
    lib, db, ids = labelled_folder(tmp_path, 3)  # lib/inbox moved to lib/trip
    real_walk, beside, started = scanner._Scan._walk_root, [], []

    def walk_after_another_scan(self, root, *args, **kwargs):
        # the second scan starts once this one has started, and reads the new place first
        if not started:
            started.append(self)
            with PhotoIndex.open(db) as other, monkeypatch.context() as alone:
                # as an older version's scan of the new place: it does not read the old one
                alone.setattr(scanner._Scan, "_read_folders_left_behind", lambda scan_beside: None)
                beside.append(scan(other, [lib / "trip"]))
        return real_walk(self, root, *args, **kwargs)

    monkeypatch.setattr(scanner._Scan, "_walk_root", walk_after_another_scan)
    with PhotoIndex.open(db) as index:
        summary = scan(index, [lib])
        found = {Path(p.path).name: (p.id, p.label, Path(p.path).parent.name) for p in index.search()}
        missing = index.count("is:missing")

    assert (beside[0].new, beside[0].moved) == (3, 0)  # it saw the new place alone: 3 photos new to it
    assert (summary.new, summary.moved, summary.missing) == (0, 3, 0)  # this one joined them: none new to it
    assert "0 new, 0 changed, 3 moved, 0 missing" in summary.line()
    assert found == {name: (photo_id, f"Petra {name}", "trip") for name, photo_id in ids.items()}
    assert missing == 0


def test_a_scan_counts_the_photos_it_brought_in_and_joined_neither_new_nor_missing(tmp_path: Path) -> None:
    lib, db, ids = labelled_folder(tmp_path, 3)
    (lib / "trip" / "IMG_9.jpg").write_bytes((lib / "trip" / "IMG_0.jpg").read_bytes()[:-2] + b"\xff\xd9")
    with PhotoIndex.open(db) as index:
        summary = scan(index, [lib])
    assert (summary.new, summary.moved, summary.missing) == (1, 3, 0)
