"""One rule, for write and undo, tells a missing file on a card or disk gone (the undo
keeps its batch open) from one the user removed (disk_problems.disk_gone_error): the
library folder holding it, or a folder link on the way from there, not found or empty.
A card reached through a link in a library folder counts as gone while unplugged, and
the ways out undo names for a folder not found (relocate first, then forget) carry the
CLI's --db, as write's hints do."""

from __future__ import annotations

import os
import shutil

import pytest
from PIL import Image

from app.core.errors import MetadataWriteError
from app.core.metadata import atomic
from app.core.metadata.disk_problems import DiskUnreachableError
from app.core.wording import shell_quote
from tests.test_cli_core import run_cli
from tests.test_cli_first_hour import photo, scanned_trip

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX folder links")


def linked_card(tmp_path, capsys):
    """~/Pictures (a photo of its own) with `card` a link to /media/CARD/DCIM, whose JPEG
    and PNG (a sidecar created for it) are labelled and written; returns (db, link, DCIM)."""
    dcim = tmp_path / "media" / "CARD" / "DCIM"
    photo(dcim / "IMG_1.JPG", 1)
    Image.new("RGB", (64, 48), (1, 2, 3)).save(dcim / "IMG_2.PNG")
    pictures = tmp_path / "Pictures"
    photo(pictures / "home" / "H1.JPG", 2)
    link = pictures / "card"
    os.symlink(dcim, link)
    db = str(tmp_path / "index.db")
    for argv in (["scan", str(pictures)], ["label", str(link), "Colosseum"], ["write"]):
        code, out, err = run_cli(capsys, "--db", db, *argv)
        assert code == 0, (argv, out, err)
    assert (dcim / "IMG_2.PNG.xmp").exists() or (dcim / "IMG_2.xmp").exists()
    return db, link, dcim


def labelled_files(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if b"Colosseum" in path.read_bytes())


def test_undo_keeps_the_batch_open_while_a_card_linked_into_a_library_folder_is_unplugged(tmp_path, capsys):
    """Since 194a805 only the library folder (~/Pictures, still there) was looked at: the
    first undo dropped the card's new sidecar as "already gone", the second closed the
    batch, and with the card back undo said "no write batch to undo", our label left."""
    db, link, dcim = linked_card(tmp_path, capsys)
    card, drawer = dcim.parent, tmp_path / "drawer"
    card.rename(drawer)  # unplugged: the link points nowhere
    for attempt in range(3):
        code, out, err = run_cli(capsys, "--db", db, "undo")
        assert code == 1 and "0 files restored, 2 failed" in err, err
        assert f"the folder the link {link} points to cannot be reached" in err, err
        assert "2 files on a card or disk that cannot be reached" in err and "closed" not in err, err
        assert f"if you moved or deleted the folder the link {link} points to" in err, err
    drawer.rename(card)  # plugged back
    code, out, err = run_cli(capsys, "--db", db, "undo")
    assert code == 0 and "2 files restored, 0 failed" in err, err
    assert labelled_files(dcim) == [] and [path.name for path in dcim.iterdir()] != []


def test_a_link_whose_folder_was_deleted_on_purpose_counts_as_gone_once_the_link_is_removed(tmp_path, capsys):
    """The way out undo names for a link: removed, its files count as gone (a created
    sidecar already is, a photo closes the batch at its second failure)."""
    db, link, dcim = linked_card(tmp_path, capsys)
    shutil.rmtree(dcim.parent)
    assert run_cli(capsys, "--db", db, "undo")[0] == 1
    link.unlink()
    code, out, err = run_cli(capsys, "--db", db, "undo")
    assert "1 file restored, 1 failed" in err and "has disappeared" in err and "cannot be reached" not in err, err
    code, out, err = run_cli(capsys, "--db", db, "undo")
    assert "this batch is closed" in err, err


def test_write_and_undo_tell_a_disk_gone_from_a_folder_deleted_by_the_same_rule(tmp_path):
    """atomic.replace_atomically (write's and undo's last step) gave its own answer: any
    folder not found was a disk gone, a folder deleted on purpose included."""
    library, card = tmp_path / "Pictures", tmp_path / "CARD"
    photo(library / "kept.jpg")
    card.mkdir()
    os.symlink(card, library / "card")
    (library / "Trip").mkdir()
    shutil.rmtree(library / "Trip")  # deleted on purpose
    with pytest.raises(MetadataWriteError, match="has disappeared") as deleted:
        atomic.replace_atomically(library / "Trip" / "a.jpg", b"new", library_folders=[library])
    assert not isinstance(deleted.value, DiskUnreachableError)
    card.rmdir()  # unplugged
    with pytest.raises(DiskUnreachableError, match=f"the folder the link {library / 'card'} points to") as gone:
        atomic.replace_atomically(library / "card" / "DCIM" / "a.jpg", b"new", library_folders=[library])
    assert gone.value.link == str(library / "card") and gone.value.library_folder is None


def test_undo_after_a_library_folder_was_renamed_names_relocate_before_forget(tmp_path, capsys):
    """It named only "connect it" and `forget FOLDER --yes`, which drops the folder's labels
    and leaves ours in the renamed files; relocate keeps them and lets the undo through."""
    rome = tmp_path / "Rome"
    photo(rome / "DSC_0001.JPG")
    db = str(tmp_path / "index.db")
    for argv in (["scan", str(rome)], ["label", str(rome), "Colosseum"], ["write"]):
        code, out, err = run_cli(capsys, "--db", db, *argv)
        assert code == 0, (argv, out, err)
    renamed = rome.with_name("Rome 2019")
    rome.rename(renamed)
    code, out, err = run_cli(capsys, "--db", db, "undo")
    command = f"landmark-tagger --db {shell_quote(db)}"
    relocate = f"`{command} relocate {shell_quote(str(rome))} NEW`"
    forget = f"`{command} forget {shell_quote(str(rome))} --yes`"
    assert code == 1 and relocate in err and forget in err and err.index(relocate) < err.index(forget), err
    assert f"if you moved or renamed the library folder {rome}" in err, err
    assert run_cli(capsys, "--db", db, "relocate", str(rome), str(renamed))[0] == 0
    code, out, err = run_cli(capsys, "--db", db, "undo")
    assert code == 0 and "1 file restored" in err and labelled_files(renamed) == [], err


def test_write_names_include_suggested_with_the_index_given(tmp_path, capsys):
    db, _ = scanned_trip(tmp_path, capsys)
    code, out, err = run_cli(capsys, "--db", db, "write")
    assert f"`landmark-tagger --db {shell_quote(db)} write --include-suggested`" in err, err


def test_undo_of_many_files_of_a_renamed_library_folder_names_the_way_out_once(tmp_path, capsys):
    """mutation M20: the relocate/forget advice is per library folder, not per file of it: three photos
    of a renamed folder must not repeat it three times."""
    rome = tmp_path / "Rome"
    for name in ("DSC_0001.JPG", "DSC_0002.JPG", "DSC_0003.JPG"):
        photo(rome / name)
    db = str(tmp_path / "index.db")
    for argv in (["scan", str(rome)], ["label", str(rome), "Colosseum"], ["write"]):
        code, out, err = run_cli(capsys, "--db", db, *argv)
        assert code == 0, (argv, out, err)
    rome.rename(rome.with_name("Rome 2019"))

    code, out, err = run_cli(capsys, "--db", db, "undo")

    assert code == 1 and err.count(f"if you moved or renamed the library folder {rome}") == 1, err
