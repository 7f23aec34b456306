"""Photos on a card that is read-only (its lock switch, a read-only mount) or gone
(unplugged, a FUSE driver that died, an I/O error), found by the disk tester: the card
is named, not the file (chmod cannot help there), and an undo keeps its batch open for
as long as that lasts, so the labels can still be undone once the card is back.

The read-only mount and the lost card are simulated (CI runs as a normal user): the
system calls answer for the card's folder as Linux answers for a read-only file system
(statvfs's ST_RDONLY, EROFS from access, open, rename and unlink)."""

from __future__ import annotations

import errno
import os
import shutil
import types
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.metadata import atomic, plan_writes, undo_last_write, write_labels
from app.core.metadata.disk_problems import READ_ONLY_DISK, ReadOnlyDiskError
from app.core.wording import shell_quote
from tests.test_cli_core import run_cli
from tests.test_metadata_support import add_photo, make_jpeg

pytestmark = pytest.mark.skipif(not hasattr(os, "statvfs"), reason="simulates a POSIX read-only mount")


def _on(folder: Path, path) -> bool:
    return isinstance(path, (str, bytes, os.PathLike)) and os.fsdecode(os.fspath(path)).startswith(str(folder))


def _refused(folder: Path, real, code: int, *, writing_only: bool = False):
    """`real` (an os function whose first argument is a path), failing with `code` on the card."""
    def call(path, *args, **kwargs):
        flags = args[0] if args else kwargs.get("flags", 0)
        if _on(folder, path) and (not writing_only or flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)):
            raise OSError(code, os.strerror(code), os.fspath(path))
        return real(path, *args, **kwargs)
    return call


def lock_card(monkeypatch, card: Path) -> None:
    """The card's lock switch: its file system is mounted read-only."""
    real_statvfs, real_access = os.statvfs, os.access

    def statvfs(path):
        result = real_statvfs(path)
        return types.SimpleNamespace(f_flag=result.f_flag | os.ST_RDONLY) if _on(card, path) else result

    def access(path, mode, **kwargs):
        if _on(card, path) and mode & os.W_OK:
            return False
        return real_access(path, mode, **kwargs)

    monkeypatch.setattr(os, "statvfs", statvfs)
    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(os, "open", _refused(card, os.open, errno.EROFS, writing_only=True))
    for name in ("replace", "rename", "remove", "unlink", "chmod"):
        monkeypatch.setattr(os, name, _refused(card, getattr(os, name), errno.EROFS))


def card_failing(monkeypatch, card: Path, code: int) -> None:
    """The card's driver answers every change with `code` (EIO, ENOTCONN: a FUSE driver gone)."""
    for name in ("replace", "rename", "remove", "unlink"):
        monkeypatch.setattr(os, name, _refused(card, getattr(os, name), code))


@pytest.fixture
def card(tmp_path: Path) -> Path:
    folder = tmp_path / "card" / "DCIM"
    folder.mkdir(parents=True)
    return folder


def test_a_locked_card_is_named_by_write_and_its_dry_run_not_a_file_or_folder_to_make_writable(
        tmp_path, card, capsys, monkeypatch):
    from PIL import Image

    make_jpeg(card / "DSC_0001.JPG")
    Image.new("RGB", (8, 8)).save(card / "shot.png")  # gets a new sidecar: its folder is checked
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(card))[0] == 0
    assert run_cli(capsys, "--db", db, "label", "", "Petra")[0] == 0
    lock_card(monkeypatch, card)
    for dry_run in (["--dry-run"], []):
        code, out, err = run_cli(capsys, "--db", db, "write", *dry_run)
        said = out + err
        assert "card or disk holding it is read-only (mounted read-only, or its lock switch is on)" in said, said
        assert said.count("card or disk holding it is read-only") == 2, said  # the JPEG and the sidecar
        assert "the file is read-only" not in said and "is read-only; changing" not in said, said
        assert code == 1 or dry_run


def test_a_card_turned_read_only_during_the_write_is_named_too(tmp_path, monkeypatch):
    """statvfs said writable (a remount in between, a system without the flag): the
    rename's EROFS names the disk."""
    photo = make_jpeg(tmp_path / "a.jpg")
    original = photo.read_bytes()
    monkeypatch.setattr(os, "replace", _refused(tmp_path, os.replace, errno.EROFS))
    with pytest.raises(ReadOnlyDiskError, match="card or disk holding it is read-only"):
        atomic.replace_atomically(photo, b"new bytes")
    assert photo.read_bytes() == original and sorted(tmp_path.iterdir()) == [photo]


CAUSES = {
    "locked card": "on a read-only card or disk: make it writable (the card's lock switch) and undo again",
    "unplugged card": "on a card or disk that cannot be reached: connect it and undo again",
    "I/O error": "on a card or disk that cannot be reached: connect it and undo again",
    "FUSE driver gone": "on a card or disk that cannot be reached: connect it and undo again",
}


@pytest.mark.parametrize("cause", CAUSES)
def test_an_undo_while_the_card_is_read_only_or_gone_keeps_its_batch_until_the_card_is_back(
        tmp_path, card, monkeypatch, cause):
    from PIL import Image

    older = make_jpeg(tmp_path / "older.jpg", seed=9)  # an earlier batch, off the card
    png = card / "shot.png"
    Image.new("RGB", (8, 8)).save(png)
    photos = [make_jpeg(card / f"DSC_000{i}.JPG", seed=i) for i in range(2)]
    originals = [photo.read_bytes() for photo in photos]
    with PhotoIndex.open(tmp_path / "index.db") as index:
        index.add_root(card.parent)  # the card's mount point: unplugged, it is left empty
        add_photo(index, [older], "Louvre")
        assert write_labels(index, plan_writes(index)).written == 1
        older_written = older.read_bytes()
        for photo in [*photos, png]:
            add_photo(index, [photo], "Petra")
        second = write_labels(index, plan_writes(index))
        assert second.written == 3 and (card / "shot.png.xmp").exists()  # 2 JPEGs and a sidecar created
        away = tmp_path / "card-in-a-drawer"
        with monkeypatch.context() as patch:
            if cause == "locked card":
                lock_card(patch, card)
            elif cause == "unplugged card":
                card.parent.rename(away)  # its mount point is left empty
                card.parent.mkdir()
            else:
                card_failing(patch, card, errno.EIO if cause == "I/O error" else errno.ENOTCONN)
            for attempt in range(3):  # however often the user tries while it lasts
                summary = undo_last_write(index)
                assert (summary.batch_id, summary.written, summary.failed) == (second.batch_id, 0, 3)
                assert f"3 files {CAUSES[cause]}" in summary.line() and "closed" not in summary.line(), summary.line()
                if cause == "locked card":
                    assert all(READ_ONLY_DISK in message for _, message in summary.errors), summary.errors
                if cause == "unplugged card":  # named, with the way out for a folder deleted on purpose
                    assert f"its library folder {card.parent} is empty" in summary.errors[0][1], summary.errors
                    assert f"`landmark-tagger forget {shell_quote(str(card.parent))} --yes`" in summary.line()
        if cause == "unplugged card":
            card.parent.rmdir()
            away.rename(card.parent)
        summary = undo_last_write(index)  # the card is back, writable
        assert (summary.batch_id, summary.written, summary.failed) == (second.batch_id, 3, 0)
        assert [photo.read_bytes() for photo in photos] == originals
        visible = sorted(path.name for path in card.iterdir() if not path.name.startswith("."))
        assert visible == ["DSC_0000.JPG", "DSC_0001.JPG", "shot.png"]  # (the hidden files a failing card kept aside)
        assert older.read_bytes() == older_written  # the older batch was not touched


def test_an_undo_after_the_user_deleted_a_folder_in_the_library_closes_the_batch_at_its_second_failure(tmp_path):
    """A folder deleted on purpose (exported, culled) leaves its library folder there: its
    files are gone, not on a card unplugged, so the batch closes as for a file moved away
    and undo reaches the older batches again."""
    from PIL import Image

    library = tmp_path / "Pictures"
    trip = library / "2024" / "Petra"
    trip.mkdir(parents=True)
    older = make_jpeg(library / "older.jpg", seed=9)
    older_original = older.read_bytes()
    photos = [make_jpeg(trip / f"DSC_000{i}.JPG", seed=i) for i in range(2)]
    Image.new("RGB", (8, 8)).save(trip / "shot.png")
    with PhotoIndex.open(tmp_path / "index.db") as index:
        index.add_root(library)
        add_photo(index, [older], "Louvre")
        first = write_labels(index, plan_writes(index))
        for photo in [*photos, trip / "shot.png"]:
            add_photo(index, [photo], "Petra")
        second = write_labels(index, plan_writes(index))
        assert second.written == 3
        shutil.rmtree(library / "2024")
        summary = undo_last_write(index)
        # the sidecar it created is already gone; the two JPEGs are not on a disk gone
        assert (summary.batch_id, summary.written, summary.failed) == (second.batch_id, 1, 2)
        assert all("has disappeared" in message for _, message in summary.errors), summary.errors
        assert "cannot be reached" not in summary.line() and "a second failure closes this batch" in summary.line()
        summary = undo_last_write(index)
        assert (summary.batch_id, summary.failed) == (second.batch_id, 2)
        # the folder was deleted (undo cannot tell that from files moved away, which keep our keyword)
        assert "this batch is closed: 2 photo files are no longer there (deleted, renamed or moved away)" \
            in summary.line(), summary.line()
        summary = undo_last_write(index)
        assert (summary.batch_id, summary.written, summary.failed) == (first.batch_id, 1, 0)
        assert older.read_bytes() == older_original


def test_a_library_folder_deleted_whole_keeps_its_batch_until_the_user_forgets_it(tmp_path, capsys):
    """A library folder gone whole looks like a card unplugged, so undo keeps the batch;
    the summary names the folder and the way out for one deleted on purpose, `forget`,
    after which its files count as gone and the batch closes as for files moved away."""
    kept, exported = tmp_path / "Pictures", tmp_path / "Export"
    kept.mkdir()
    exported.mkdir()
    older = make_jpeg(kept / "older.jpg", seed=9)
    older_original = older.read_bytes()
    photos = [str(make_jpeg(exported / f"DSC_000{i}.JPG", seed=i)) for i in range(2)]
    db = str(tmp_path / "index.db")
    for argv in (["scan", str(kept)], ["label", str(older), "Louvre"], ["write"],
                 ["scan", str(exported)], ["label", *photos, "Petra"], ["write"]):
        code, out, err = run_cli(capsys, "--db", db, *argv)
        assert code == 0, (argv, out, err)
    shutil.rmtree(exported)
    forget = f"`landmark-tagger --db {shell_quote(db)} forget {shell_quote(str(exported))} --yes`"
    for attempt in range(3):  # however often: a card unplugged would be back one day
        code, out, err = run_cli(capsys, "--db", db, "undo")
        assert code == 1 and "undo: batch 2: 0 files restored, 2 failed" in err, err
        assert f"its library folder {exported} cannot be reached" in err and forget in err, err
        assert "closed" not in err, err
    assert run_cli(capsys, "--db", db, "forget", str(exported), "--yes")[0] == 0
    code, out, err = run_cli(capsys, "--db", db, "undo")
    assert code == 1 and "has disappeared" in err and "a second failure closes this batch" in err, err
    code, out, err = run_cli(capsys, "--db", db, "undo")
    assert code == 1 and "undo: batch 2:" in err and "this batch is closed" in err, err
    code, out, err = run_cli(capsys, "--db", db, "undo")
    assert (code, older.read_bytes()) == (0, older_original) and "undo: batch 1: 1 file restored" in err, err


def test_undo_never_promises_to_close_a_batch_a_card_unplugged_keeps_open(tmp_path, card, monkeypatch):
    """A batch with a file deleted and files on an unplugged card: undo said "a second
    failure closes this batch", then "another failure closes this batch" at every try,
    while the batch stayed open as long as the card was out (found by a tester)."""
    (tmp_path / "home").mkdir()
    make_jpeg(tmp_path / "home" / "kept.jpg", seed=8)  # the folder is not emptied: the file alone went
    deleted = make_jpeg(tmp_path / "home" / "deleted.jpg", seed=7)
    photos = [make_jpeg(card / f"DSC_000{i}.JPG", seed=i) for i in range(2)]
    with PhotoIndex.open(tmp_path / "index.db") as index:
        index.add_root(card.parent)
        index.add_root(deleted.parent)
        for photo in [*photos, deleted]:
            add_photo(index, [photo], "Petra")
        batch = write_labels(index, plan_writes(index))
        assert batch.written == 3
        deleted.unlink()
        with monkeypatch.context() as patch:
            card_failing(patch, card, errno.ENOTCONN)
            lines = [undo_last_write(index).line() for _ in range(3)]
        assert all("once nothing above keeps it open" in line for line in lines), lines
        assert not any("failure closes this batch" in line for line in lines), lines
