"""Following a library folder that moved (app.core.relocate, `landmark-tagger
relocate`): its photos keep their labels, search words and undo journal at the new
place; a wrong folder is refused without changing anything."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.errors import UsageError
from app.core.index import PhotoIndex
from app.core.relocate import relocate_folder
from app.core.scanner import scan
from tests.test_index_support import write_jpeg


def _library(tmp_path: Path) -> tuple[Path, Path]:
    photos = tmp_path / "drive E" / "Photos"
    for number in range(3):
        write_jpeg(photos / "Provence 2019" / f"DSC_{number:04d}.JPG", color=(number * 40, 80, 120))
    write_jpeg(photos / "DSC_0100.JPG", color=(10, 200, 30))
    (photos / "Provence 2019" / "broken.JPG").write_bytes(b"")  # a problem, no photo
    return photos, tmp_path / "index.db"


def _labelled(index: PhotoIndex) -> dict[str, tuple[str, str]]:
    return {Path(p.path).name: (p.label, p.folder) for p in index.search("") if p.label}


def test_a_moved_library_folder_keeps_its_labels_at_the_new_place(tmp_path: Path) -> None:
    photos, db = _library(tmp_path)
    with PhotoIndex.open(db) as index:
        scan(index, [photos])
        first = index.photo_ids("DSC_0001")[0]
        index.set_label(first, "Pont du Gard")
        index.conn.execute("INSERT INTO write_journal (batch_id, photo_id, path, kind) VALUES (1, ?, ?, 'jpeg')",
                           (first, str(photos / "Provence 2019" / "DSC_0001.JPG")))
        index.conn.commit()
    moved = tmp_path / "drive F" / "Photos"
    moved.parent.mkdir()
    shutil.move(photos, moved)  # the drive came back under another letter
    (moved / "DSC_0100.JPG").unlink()  # one photo deleted meanwhile
    write_jpeg(moved / "DSC_0200.JPG", color=(1, 2, 3))  # one added

    with PhotoIndex.open(db) as index:
        summary = relocate_folder(index, photos, moved)
        # the photo deleted meanwhile is not one that kept its labels there
        assert (summary.photos, summary.files_found, summary.files_not_found) == (3, 3, 1)
        assert (summary.scan.new, summary.scan.missing) == (1, 1)
        assert summary.line().startswith(f"{photos} is now {moved}: 3 photos kept their labels")
        assert index.roots() == [moved]
        assert _labelled(index) == {"DSC_0001.JPG": ("Pont du Gard", str(moved / "Provence 2019"))}
        assert index.get(first).files == [str(moved / "Provence 2019" / "DSC_0001.JPG")]
        assert index.photo_ids("provence") and index.photo_ids("Pont") == [first]  # folder words follow
        assert index.count("is:missing") == 1 and index.count("") == 4
        journal = index.conn.execute("SELECT path FROM write_journal").fetchone()[0]
        assert journal == str(moved / "Provence 2019" / "DSC_0001.JPG")  # undo finds the file
        assert [Path(e.path).name for e in index.errors()] == ["broken.JPG"]  # met again at the new place
        assert str(moved) in index.errors()[0].path


def test_a_wrong_folder_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    photos, db = _library(tmp_path)
    other = tmp_path / "Other"
    write_jpeg(other / "Provence 2019" / "DSC_0000.JPG", color=(0, 80, 120))
    write_jpeg(other / "Provence 2019" / "DSC_0001.JPG", color=(40, 80, 120))
    with PhotoIndex.open(db) as index:
        scan(index, [photos])
        before = sorted(r[0] for r in index.conn.execute("SELECT path FROM files"))
        card = tmp_path / "card"
        write_jpeg(card / "IMG_0001.JPG")
        with pytest.raises(UsageError, match="none of the 4 files"):
            relocate_folder(index, photos, card)  # other photos altogether
        with pytest.raises(UsageError, match="is not a folder"):
            relocate_folder(index, photos, tmp_path / "nowhere")
        with pytest.raises(UsageError, match="inside"):
            relocate_folder(index, photos, photos / "Provence 2019")
        with pytest.raises(UsageError, match="not a folder of the library"):
            relocate_folder(index, other, photos)
        with pytest.raises(UsageError, match="only a whole library folder can be relocated"):
            relocate_folder(index, photos / "Provence 2019", card)
        # the same names and sizes, other pictures: the content check says no
        for path in (other / "Provence 2019").iterdir():
            data = bytearray(path.read_bytes())
            data[-10] ^= 0xFF
            path.write_bytes(bytes(data))
        same_sizes = {p.name: p.stat().st_size for p in (photos / "Provence 2019").glob("DSC_000[01].JPG")}
        for name, size in same_sizes.items():
            data = (other / "Provence 2019" / name).read_bytes()
            (other / "Provence 2019" / name).write_bytes(data[:size].ljust(size, b"\0"))
        with pytest.raises(UsageError, match="not the indexed ones"):
            relocate_folder(index, photos, other)
        scan(index, [other])
        with pytest.raises(UsageError, match="in the library already"):
            relocate_folder(index, photos, other)
        after = sorted(r[0] for r in index.conn.execute("SELECT path FROM files") if str(other) not in r[0])
        assert after == before and str(photos) in [str(r) for r in index.roots()]


def test_relocate_command_and_the_hint_of_tag(tmp_path: Path, capsys) -> None:
    photos, db = _library(tmp_path)
    assert main(["--db", str(db), "scan", str(photos)]) == 1  # broken.JPG
    renamed = photos.with_name("Photos (archive)")
    photos.rename(renamed)
    capsys.readouterr()
    assert main(["--db", str(db), "tag"]) == 2
    assert f"`landmark-tagger --db {db} relocate {shlex.quote(str(photos))} NEW_PLACE`" in capsys.readouterr().err
    assert main(["--db", str(db), "stats"]) == 0
    assert f"{photos}  (not found: drive not connected? `landmark-tagger --db {db} relocate` if it moved)" \
        in capsys.readouterr().out
    assert main(["--db", str(db), "relocate", "--json", str(photos), str(renamed)]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["files_found"] == 4 and "4 photos kept their labels" in err
    assert main(["--db", str(db), "relocate", str(photos), str(renamed)]) == 2  # done already
    assert "not a folder of the library" in capsys.readouterr().err


def test_relocating_a_sub_folder_says_that_scan_finds_it(tmp_path: Path, capsys) -> None:
    """A sub-folder that moved needs no relocate: the message says so, and it is true."""
    photos, db = _library(tmp_path)
    assert main(["--db", str(db), "scan", str(photos)]) == 1  # broken.JPG
    assert main(["--db", str(db), "label", str(photos / "Provence 2019" / "DSC_0001.JPG"), "Pont du Gard"]) == 0
    moved = tmp_path / "Provence 2019 (sorted)"
    shutil.move(str(photos / "Provence 2019"), moved)
    capsys.readouterr()
    assert main(["--db", str(db), "relocate", str(photos / "Provence 2019"), str(moved)]) == 2
    err = capsys.readouterr().err
    assert "only a whole library folder can be relocated" in err
    command = f"landmark-tagger --db {db} scan {shlex.quote(str(photos))} {shlex.quote(str(moved))}"
    assert f"`{command}` finds its photos there with their labels" in err
    assert main(shlex.split(command)[1:]) == 1  # as it says; broken.JPG moved with them
    with PhotoIndex.open(db) as index:
        assert _labelled(index) == {"DSC_0001.JPG": ("Pont du Gard", str(moved.resolve()))}
        assert index.count("is:missing") == 0
