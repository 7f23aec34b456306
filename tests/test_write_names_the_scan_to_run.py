"""A file deleted, moved or replaced between `scan` and `write` was told three ways ("file
is missing; rescan", "has disappeared; rescan the folder", "changed on disk since it was
indexed; run 'scan' again, then 'write'"), the path sometimes glued to the sentence, and
naming a bare 'scan' that, copied, scanned the default index, not the --db given
(hostile-6). Each is now one wording with the whole commands, which the CLI gives the
--db of the run. A new sidecar a full disk refused said "the original is intact": there
was none."""

from __future__ import annotations

import errno
import shlex

import pytest

from app.cli.main import main
from app.core.errors import MetadataWriteError
from app.core.index import PhotoIndex
from app.core.metadata import atomic, plan_writes, write_labels, writer
from app.core.metadata.file_now import folder_still_there
from app.gui.app_words import in_app_words
from tests.test_cli_core import run_cli
from tests.test_index_support import write_jpeg
from tests.test_write_safety_support import _library


def _steps(db, photo) -> str:
    return (f"`landmark-tagger --db {db} scan {shlex.quote(str(photo.parent))}`, "
            f"then `landmark-tagger --db {db} write`")


def test_a_file_gone_or_changed_since_the_scan_names_the_scan_of_this_index(tmp_path, capsys) -> None:
    db, ids = _library(tmp_path, ["lib/p0.jpg", "lib/p1.jpg", "lib/p2.jpg"])
    gone, changed, _ = ids
    gone.unlink()
    changed.write_bytes(changed.read_bytes() + b"\0")
    code, _, err = run_cli(capsys, "--db", str(db), "write")
    assert code == 1
    assert f"{gone}: not found (deleted or moved since the scan): {_steps(db, gone)}" in err, err
    assert f"{changed}: changed on disk since the scan: {_steps(db, changed)}" in err, err
    assert "rescan" not in err and "'scan'" not in err


def test_a_file_gone_after_the_plan_is_told_as_one_gone_before_it(tmp_path) -> None:
    db, ids = _library(tmp_path, ["lib/p0.jpg"])
    photo, = ids
    with PhotoIndex.open(db) as index:
        plan = plan_writes(index)
        photo.unlink()
        summary = write_labels(index, plan)
    (_, message), = summary.errors
    assert message.startswith(f"{photo}: not found (deleted or moved since the scan): `landmark-tagger scan ")
    assert in_app_words(message) == (f"{photo}: not found (deleted or moved since the scan): read its folder "
                                     "again (Tag folder), then Write labels… again")


@pytest.mark.parametrize("there_before", [False, True])
def test_only_a_file_that_was_there_keeps_its_original(tmp_path, monkeypatch, there_before) -> None:
    sidecar = tmp_path / "DSC_0001.NEF.xmp"
    if there_before:
        sidecar.write_bytes(b"<x/>")

    def disk_full(source, target, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(atomic, "replace_file", disk_full)
    with pytest.raises(MetadataWriteError) as failed:
        atomic.replace_atomically(sidecar, b"<x:xmpmeta/>", create=not there_before)
    said = str(failed.value)
    if there_before:
        assert said == f"could not write {sidecar}: No space left on device; the original is intact"
    else:
        assert said == f"could not create {sidecar}: No space left on device" and not sidecar.exists()


def test_a_file_whose_folder_was_renamed_names_a_scan_of_a_folder_still_there(tmp_path, capsys) -> None:
    """A folder renamed inside the library (mv, no scan): the folder that held the file is
    gone, so the advice scans the nearest one still there, quoted for the shell (an
    apostrophe in its name), and following it finds the photo and writes it."""
    held = tmp_path / "lib" / "Côte d'Azur" / "Nice"
    photo = held / "p0.jpg"
    write_jpeg(photo)
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(tmp_path / "lib")]) == 0
    with PhotoIndex.open(db) as index:
        photo_id, = index.photo_ids("")
        index.set_label(photo_id, "Petra", source="user", state="accepted")
    held.rename(held.with_name("Nice d'été"))
    capsys.readouterr()
    code, _, err = run_cli(capsys, "--db", db, "write")
    assert code == 1
    still_there = tmp_path / "lib" / "Côte d'Azur"
    assert f"{photo}: not found (deleted or moved since the scan): {_steps(db, still_there / 'p0.jpg')}" in err, err
    scan = err.split("since the scan): `", 1)[1].split("`", 1)[0]
    assert main(shlex.split(scan)[1:]) == 0  # the advice as a shell reads it
    assert main(["--db", db, "write"]) == 0

    (tmp_path / "lib").rename(tmp_path / "library")  # its parent would add folders never chosen
    with PhotoIndex.open(db) as index:
        index.set_label(photo_id, "Colosseum", source="user", state="accepted")
    capsys.readouterr()
    code, _, err = run_cli(capsys, "--db", db, "write")
    assert code == 1 and f"scan {tmp_path / 'lib'}`" in err, err


def test_the_scan_named_stays_inside_the_library_folder(tmp_path) -> None:
    """The library folder itself renamed: its parent would add folders never chosen."""
    library = tmp_path / "lib"
    gone = library / "Paris" / "p0.jpg"
    assert folder_still_there(gone, [library]) == library
    assert folder_still_there(gone, [library, library / "Paris"]) == library / "Paris"  # the innermost
    library.mkdir()
    assert folder_still_there(gone, [library]) == library


def test_a_file_gone_right_after_our_write_names_the_scan_of_this_index(tmp_path, capsys, monkeypatch) -> None:
    """Moved away between our rename and the read-back check: said with the whole
    commands as every other file gone, not "rescan the folder"."""
    db, ids = _library(tmp_path, ["lib/p0.jpg"])
    photo, = ids
    real = writer.verify_jpeg

    def moved_away_first(path, *args, **kwargs):
        path.rename(tmp_path / "elsewhere.jpg")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(writer, "verify_jpeg", moved_away_first)
    code, _, err = run_cli(capsys, "--db", str(db), "write")
    assert code == 1
    assert (f"{photo}: has disappeared right after our write (moved or deleted?): left so (our write of it is "
            f"not kept): {_steps(db, photo)}") in err, err
    assert "rescan" not in err, err
