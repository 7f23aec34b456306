"""Follow-ups to the link and undo fixes: `scan` of a linked folder's real path scans it
under the link (as label and tag do since ae878eb); `undo --review` after `forget` took
the command's photos out says so and counts them; undo's Ctrl-C hint keeps --db; write
tells a JPEG on a card unplugged mid-write from one removed (disk_gone_error, ba6ff0a)."""

from __future__ import annotations

import os

import pytest

from app.core.index import PhotoIndex
from app.core.index.forget import forget_folder
from app.core.metadata import journal
from app.core.metadata.plan import plan_writes
from app.core.metadata.writer import WriteSummary, write_labels
from app.core.wording import shell_quote
from tests.test_cli_core import run_cli
from tests.test_cli_first_hour import photo

posix_links = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX folder links")


def _library_with_linked_drive(tmp_path, capsys):
    """(db, library, drive): `library/d` a link to X/Drive, the library scanned."""
    drive, library = tmp_path / "X" / "Drive", tmp_path / "library"
    photo(drive / "D1.JPG", 1)
    photo(drive / "sub" / "D2.JPG", 2)
    photo(library / "L1.JPG", 3)
    (library / "d").symlink_to(drive, target_is_directory=True)
    db = str(tmp_path / "index.db")
    assert run_cli(capsys, "--db", db, "scan", str(library))[0] == 0
    return db, library, drive


@posix_links
@pytest.mark.parametrize("given", ["Drive", "Drive/sub"])
def test_scan_of_a_linked_folder_by_its_real_path_scans_it_under_the_link(tmp_path, capsys, given) -> None:
    """`scan X/Drive` made the drive a second library folder and indexed each photo twice."""
    db, library, drive = _library_with_linked_drive(tmp_path, capsys)
    folder = tmp_path / "X" / given
    photo(folder / "NEW.JPG", 4)  # copied in since the scan
    code, out, err = run_cli(capsys, "--db", db, "scan", str(folder))
    held = library / "d" / os.path.relpath(folder, drive)
    assert code == 0 and f"{folder} is in the library as {os.path.normpath(held)}; scanned it there" in err, err
    assert "1 new" in err, err
    with PhotoIndex.open(db) as index:
        assert index.roots() == [library]
        assert sorted(record.path for record in index.search("")) == sorted(str(path) for path in (
            library / "L1.JPG", library / "d" / "D1.JPG", library / "d" / "sub" / "D2.JPG", held / "NEW.JPG"))


def _accepted_in(tmp_path, capsys, *folders):
    """(db, folders): each folder with one JPEG, labelled Petra, then all accepted in one command."""
    db = str(tmp_path / "index.db")
    for shade, folder in enumerate(folders):
        photo(folder / "DSC_0001.JPG", shade)
        assert run_cli(capsys, "--db", db, "scan", str(folder))[0] == 0
    with PhotoIndex.open(db) as index:
        for photo_id in index.photo_ids(""):
            index.set_label(photo_id, "Petra", source="model", state="suggested")
    assert run_cli(capsys, "--db", db, "accept", "Petra")[0] == 0
    return db


def test_undo_review_after_forget_took_every_photo_out_says_there_is_nothing_to_take_back(tmp_path, capsys) -> None:
    """It said "took back `accept Petra`: 0 photos as before it", as though it had worked."""
    trip = tmp_path / "Trip"
    db = _accepted_in(tmp_path, capsys, trip)
    with PhotoIndex.open(db) as index:
        forget_folder(index, trip)
    code, out, err = run_cli(capsys, "--db", db, "undo", "--review")
    assert code == 1, err
    assert "nothing to take back of `accept Petra`: its 1 photo was taken out of the library since" in err, err
    assert "0 photos as before it" not in err, err
    code, out, err = run_cli(capsys, "--db", db, "undo", "--review")
    assert code == 0 and "no accept, reject, label, teach or teach --forget to take back" in err, err  # the command left the journal


def test_undo_review_counts_the_photos_forgotten_since_among_those_left(tmp_path, capsys) -> None:
    trip, home = tmp_path / "Trip", tmp_path / "Home"
    db = _accepted_in(tmp_path, capsys, trip, home)
    with PhotoIndex.open(db) as index:
        forget_folder(index, trip)
    code, out, err = run_cli(capsys, "--db", db, "undo", "--review")
    assert code == 1 and "1 photo as before it; 1 photo left as it is" in err, err
    with PhotoIndex.open(db) as index:
        assert [record.state for record in index.search("")] == ["suggested"]


def test_undo_stopped_by_ctrl_c_names_undo_with_the_index_given(tmp_path, capsys, monkeypatch) -> None:
    """The hint said `landmark-tagger undo` again, which acts on the default index."""
    import app.core.metadata as metadata

    db = str(tmp_path / "my index.db")
    photo(tmp_path / "Trip" / "DSC_0001.JPG")
    assert run_cli(capsys, "--db", db, "scan", str(tmp_path / "Trip"))[0] == 0
    stopped = WriteSummary(batch_id=7, written=1, failed=0, cancelled=True, done_word="restored")
    monkeypatch.setattr(metadata, "undo_last_write", lambda *args, **kwargs: stopped)
    code, out, err = run_cli(capsys, "--db", db, "undo")
    assert code == 130, err
    assert f"`landmark-tagger --db {shell_quote(db)} undo` again restores the rest of this batch" in err, err


def _planned_card(tmp_path, capsys):
    """(index, plan, link, card): ~/Pictures/card a link to /media/CARD/DCIM, whose JPEG
    is labelled Colosseum and planned for writing."""
    dcim = tmp_path / "media" / "CARD" / "DCIM"
    photo(dcim / "IMG_1.JPG", 1)
    pictures = tmp_path / "Pictures"
    photo(pictures / "home" / "H1.JPG", 2)
    link = pictures / "card"
    os.symlink(dcim, link)
    db = str(tmp_path / "index.db")
    for argv in (["scan", str(pictures)], ["label", str(link), "Colosseum"]):
        assert run_cli(capsys, "--db", db, *argv)[0] == 0
    index = PhotoIndex.open(db)
    plan = plan_writes(index)
    assert [item.target for item in plan] == [link / "IMG_1.JPG"]
    return index, plan, link, dcim.parent


@posix_links
def test_write_names_the_card_a_jpeg_went_with_when_it_was_unplugged_after_the_plan(tmp_path, capsys) -> None:
    """It said "has disappeared; rescan the folder", as for a file the user removed."""
    index, plan, link, card = _planned_card(tmp_path, capsys)
    card.rename(tmp_path / "drawer")  # unplugged: the link points nowhere
    try:
        summary = write_labels(index, plan)
    finally:
        index.close()
    (path, message), = summary.errors
    assert f"the folder the link {link} points to cannot be reached" in message and "rescan" not in message


@posix_links
def test_write_names_the_link_of_a_card_unplugged_mid_write(tmp_path, capsys, monkeypatch) -> None:
    """The replace was not given the library folders: the file's own folder stood for its
    library folder, and the link to the card was not named."""
    index, plan, link, card = _planned_card(tmp_path, capsys)
    begin = journal.begin_entry

    def unplugged_then_begin(*args, **kwargs):
        card.rename(tmp_path / "drawer")
        return begin(*args, **kwargs)

    monkeypatch.setattr(journal, "begin_entry", unplugged_then_begin)
    try:
        summary = write_labels(index, plan)
        assert index.conn.execute("SELECT count(*) FROM write_journal").fetchone()[0] == 0
    finally:
        index.close()
    (path, message), = summary.errors
    assert f"the folder the link {link} points to cannot be reached" in message, message
