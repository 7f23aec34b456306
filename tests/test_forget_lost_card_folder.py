"""A card mounted on a folder inside a library folder and unplugged is a card not
connected: its photos stay and `forget --missing` keeps them. A card lost for good could
not be said so: `forget FOLDER` took library folders only. It now takes a folder in one
whose photos' files are all gone, its photos alone, and never one with a photo there,
nor one no scan has found the card not connected in (it joins copies of the card's photos)."""

from __future__ import annotations

import json
import shlex

import pytest

from app.core.index import PhotoIndex
from tests.test_cli_core import run_cli
from tests.test_emptied_library_folder import Mounts, mounts  # noqa: F401
from tests.test_index_support import missing_photos, photos_labelled, unplug_card
from tests.test_unplugged_card_below_library_folder import _pictures_with_a_card


def _indexed(db: str) -> list[str]:
    with PhotoIndex.open(db) as index:
        return sorted(path for (path,) in index.conn.execute("SELECT path FROM files"))


@pytest.mark.parametrize("mount_point_removed", [True, False], ids=["removed", "left-empty"])
def test_a_lost_cards_folder_is_forgotten_its_photos_alone(tmp_path, capsys, mounts, mount_point_removed):
    db, pictures, card = _pictures_with_a_card(tmp_path, capsys, mounts)
    unplug_card(card, tmp_path / "drawer", mounts)
    if mount_point_removed:
        card.rmdir()  # as udisks does (/media/me/CARD)
    code, out, err = run_cli(capsys, "--db", db, "scan")
    # the scan's line names the way out (with the index given)
    assert f"if the card is lost, `landmark-tagger --db {shlex.quote(db)} forget {card}` forgets its photos" in err, err
    code, out, err = run_cli(capsys, "--db", db, "forget", str(card))
    assert code == 0 and f"would forget {card}: 3 photos, 3 with a label or review of yours" in err, err
    assert "; a scan looked for them in the library and did not find them; --yes copies the index first" in err, err
    assert photos_labelled(db, "Colosseum") == 3
    code, out, err = run_cli(capsys, "--db", db, "forget", str(card), "--yes", "--json")
    assert code == 0, err
    said = json.loads(out)
    assert (said["folder"], said["photos"], said["library_folder"]) == (str(card), 3, False), out
    assert _indexed(db) == [str(pictures / "home.jpg")] and photos_labelled(db, "Colosseum") == 0
    with PhotoIndex.open(db) as index:
        assert index.roots() == [pictures]
        # the card's record goes (a folder made there later is no card's); the library folder's stays
        assert [path for (path,) in index.conn.execute("SELECT folder FROM mount_points_seen")] == [str(pictures)]
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 0 and "not connected" not in err and "0 missing" in err, err


def test_a_folder_in_a_library_folder_with_a_photo_there_is_not_forgotten(tmp_path, capsys, mounts):
    """One photo of the card deleted (missing), the others there: nothing goes."""
    db, pictures, card = _pictures_with_a_card(tmp_path, capsys, mounts)
    (card / "IMG_0003.JPG").unlink()
    assert run_cli(capsys, "--db", db, "scan")[0] == 0
    assert missing_photos(db) == [str(card / "IMG_0003.JPG")]
    code, out, err = run_cli(capsys, "--db", db, "forget", str(card), "--yes")
    assert code == 2 and f"{card} is inside the library folder {pictures}" in err, err
    assert "2 files of its photos are there" in err, err
    assert len(_indexed(db)) == 4 and photos_labelled(db, "Colosseum") == 3


def test_a_card_unplugged_since_the_last_scan_is_forgotten_only_after_a_scan(tmp_path, capsys, mounts):
    """No scan has found the card not connected (nor joined copies of its photos made
    since): forget asks for that scan first (review5-1)."""
    db, pictures, card = _pictures_with_a_card(tmp_path, capsys, mounts)
    unplug_card(card, tmp_path / "drawer", mounts)
    code, out, err = run_cli(capsys, "--db", db, "forget", str(card), "--yes")
    assert code == 2 and f"scan first (`landmark-tagger --db {shlex.quote(db)} scan`)" in err, err
    assert photos_labelled(db, "Colosseum") == 3
    assert run_cli(capsys, "--db", db, "scan")[0] == 1  # (a card not connected: said so)
    assert run_cli(capsys, "--db", db, "forget", str(card), "--yes")[0] == 0
    assert photos_labelled(db, "Colosseum") == 0


def test_a_lost_card_is_told_by_the_scans_record_not_by_the_words_of_its_line(tmp_path, capsys, mounts, monkeypatch):
    """forget told a card found not connected by the text of the scan's line: reworded,
    forget asked for a scan again and again, with no clue why. The line is marked."""
    import app.core.scanner

    db, pictures, card = _pictures_with_a_card(tmp_path, capsys, mounts)
    unplug_card(card, tmp_path / "drawer", mounts)
    monkeypatch.setattr(app.core.scanner, "not_connected_message",
                        lambda folder, **words: f"{folder}: the card is away; its photos stay")
    code, out, err = run_cli(capsys, "--db", db, "scan")
    assert code == 1 and f"{card}: the card is away" in err, err
    code, out, err = run_cli(capsys, "--db", db, "forget", str(card), "--yes")
    assert code == 0, err
    assert photos_labelled(db, "Colosseum") == 0 and _indexed(db) == [str(pictures / "home.jpg")]


def test_a_card_line_an_older_version_wrote_is_told_by_its_words_until_a_scan_marks_it(tmp_path, capsys, mounts):
    """A line of a scan before the mark (no file_state) still says a card not connected by
    its words, and the next scan that finds the card away writes it marked."""
    from app.core.index.problems import CARD_NOT_CONNECTED

    db, pictures, card = _pictures_with_a_card(tmp_path, capsys, mounts)
    unplug_card(card, tmp_path / "drawer", mounts)
    assert run_cli(capsys, "--db", db, "scan")[0] == 1

    def card_line_states() -> list:
        with PhotoIndex.open(db) as index:
            return [state for (state,) in index.conn.execute(
                "SELECT file_state FROM errors WHERE stage = 'scan' AND path = ?", (str(card),))]

    assert card_line_states() == [CARD_NOT_CONNECTED]
    with PhotoIndex.open(db) as index, index.transaction() as conn:
        conn.execute("UPDATE errors SET file_state = NULL")  # as an older version wrote it
    code, out, err = run_cli(capsys, "--db", db, "forget", str(card))
    assert code == 0 and f"would forget {card}: 3 photos" in err, err
    assert run_cli(capsys, "--db", db, "scan")[0] == 1
    assert card_line_states() == [CARD_NOT_CONNECTED]


@pytest.mark.parametrize("photos, copied, said", [
    (3, 0, "a scan looked for them in the library and did not find them"),
    (1, 0, "a scan looked for it in the library and did not find it"),
    (3, 3, "all 3 have copies in the library, which stay with their labels"),
    (1, 1, "it has a copy in the library, which stays with its labels"),
    (3, 1, "1 has a copy in the library, which stays with its labels; "
           "a scan looked for the other 2 in the library and did not find them"),
    (3, 2, "2 have copies in the library, which stay with their labels; "
           "a scan looked for the other one in the library and did not find it"),
])
def test_the_forget_line_says_plainly_where_a_lost_cards_photos_are(photos, copied, said):
    """The forget line of a lost card's folder: copied into the library (the copies stay,
    labels and all), looked for and not found, or some of each (it read "a scan looked for
    them in the library: they have copies in the library, which stay with every label of
    yours: a card lost, or deleted")."""
    from app.cli.commands.forget import _where_they_are
    from app.core.index.forget import FolderContents

    contents = FolderContents("/media/CARD", photos, photos, 0, gone_below=True, copied=copied)
    assert _where_they_are(contents) == said
