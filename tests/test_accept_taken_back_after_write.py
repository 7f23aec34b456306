"""An accept taken back (`undo --review`, the app's Ctrl+Z) after `write` put its keyword
into the files: the photo is a suggestion again, so the file must no longer claim the
label (other programs, and an index built anew, read it back as accepted). It counts
as is:unwritten, the next `write` takes our keyword out (as after a reject) and keeps
the user's own, and `undo` of that write puts the bytes back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.metadata.jpeg_fields import read_fields
from tests.test_index_support import write_jpeg
from tests.test_metadata_support import with_xp_keywords


def _suggested(tmp_path: Path, *names: str) -> tuple[str, dict[str, int], dict[str, Path]]:
    """JPEGs the model suggested "Colosseum" for, scanned into a new index."""
    files = {name: write_jpeg(tmp_path / "lib" / f"{name}.jpg", color=(40 * n, 60, 10))
             for n, name in enumerate(names)}
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(tmp_path / "lib")]) == 0
    with PhotoIndex.open(db) as index:
        ids = {Path(photo.path).stem: photo.id for photo in index.search("")}
        index.set_labels(list(ids.values()), "Colosseum", source="model", state="suggested")
    return db, ids, files


def _unwritten_and_changing(capsys, db: str) -> tuple[set[int], set[int]]:
    """(is:unwritten, the photos `write --dry-run` changes): a random driver checks they agree."""
    capsys.readouterr()
    main(["--db", db, "search", "--json", "is:unwritten"])
    unwritten = {json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()}
    assert main(["--db", db, "write", "--dry-run", "--json"]) == 0
    changing = {item["id"] for item in map(json.loads, capsys.readouterr().out.splitlines()) if item["changes"]}
    return unwritten, changing


def test_an_accept_taken_back_after_its_write_takes_the_keyword_out_at_the_next_write(tmp_path, capsys) -> None:
    db, ids, files = _suggested(tmp_path, "a", "b")
    photo = files["a"]
    original = photo.read_bytes()
    assert main(["--db", db, "accept", f"id:{ids['a']}"]) == 0
    assert main(["--db", db, "write"]) == 0
    written = photo.read_bytes()
    assert "Colosseum" in (read_fields(written).subject or [])

    capsys.readouterr()
    assert main(["--db", db, "undo", "--review"]) == 0
    said = capsys.readouterr().err
    assert "1 photo as before it" in said and "still has its keyword in its files" in said and "write` takes it out" in said
    assert _unwritten_and_changing(capsys, db) == ({ids["a"]}, {ids["a"]})

    assert main(["--db", db, "write"]) == 0
    assert "Colosseum" not in (read_fields(photo.read_bytes()).subject or [])
    assert _unwritten_and_changing(capsys, db) == (set(), set())
    with PhotoIndex.open(db) as index:
        assert (index.get(ids["a"]).label, index.get(ids["a"]).state) == ("Colosseum", "suggested")

    assert main(["--db", db, "undo"]) == 0  # that write taken back: the keyword is back, byte for byte
    assert photo.read_bytes() == written
    assert _unwritten_and_changing(capsys, db) == ({ids["a"]}, {ids["a"]})
    assert main(["--db", db, "undo"]) == 0
    assert photo.read_bytes() == original


def test_a_suggestion_written_as_one_stays_in_the_file_after_its_accept_is_taken_back(tmp_path, capsys) -> None:
    db, ids, files = _suggested(tmp_path, "a")
    assert main(["--db", db, "write", "--include-suggested"]) == 0  # the user wrote the suggestion itself
    written = files["a"].read_bytes()
    assert main(["--db", db, "accept", f"id:{ids['a']}"]) == 0
    assert main(["--db", db, "write"]) == 0  # nothing to change: the keyword is there
    capsys.readouterr()
    assert main(["--db", db, "undo", "--review"]) == 0
    assert "keyword" not in capsys.readouterr().err
    assert _unwritten_and_changing(capsys, db) == (set(), set())
    assert main(["--db", db, "write"]) == 0
    assert files["a"].read_bytes() == written


def test_the_users_own_keyword_stays_when_the_taken_back_accept_comes_out(tmp_path, capsys) -> None:
    db, ids, files = _suggested(tmp_path, "a")
    with_xp_keywords(files["a"], ("Colosseum", "Rome"))  # typed in Windows Explorer before our write
    assert main(["--db", db, "scan", str(tmp_path / "lib")]) == 0
    assert main(["--db", db, "accept", f"id:{ids['a']}"]) == 0
    assert main(["--db", db, "write"]) == 0
    assert main(["--db", db, "undo", "--review"]) == 0
    assert main(["--db", db, "write"]) == 0
    fields = read_fields(files["a"].read_bytes())
    assert fields.xp == ["Colosseum", "Rome"]  # the user's, there before our write
    assert not any("Colosseum" in keyword for keyword in fields.hierarchical or [])  # ours came out


def test_an_accept_taken_back_then_written_with_the_suggestions_keeps_its_keyword(tmp_path, capsys) -> None:
    """accept, write, undo --review, write --include-suggested: a's file holds the keyword
    already (unchanged, nothing journalled), yet the user asked for it as a suggestion, as
    for b: the next plain `write` leaves it (review2-1). Undo of that write makes it an
    accept taken back again; undo of both gives the files back byte for byte."""
    db, ids, files = _suggested(tmp_path, "a", "b")
    originals = {name: path.read_bytes() for name, path in files.items()}
    written = _accepted_written_then_taken_back(db, ids["a"], files["a"])
    capsys.readouterr()
    assert main(["--db", db, "write", "--include-suggested"]) == 0
    assert "1 file written, 1 unchanged" in capsys.readouterr().err  # b written, a held as it is
    assert _unwritten_and_changing(capsys, db) == (set(), set())
    assert main(["--db", db, "write"]) == 0
    assert files["a"].read_bytes() == written

    assert main(["--db", db, "undo"]) == 0  # the --include-suggested write taken back: as before it
    assert "Colosseum" not in (read_fields(files["b"].read_bytes()).subject or [])
    assert _unwritten_and_changing(capsys, db) == ({ids["a"]}, {ids["a"]})
    assert main(["--db", db, "undo"]) == 0
    assert {name: path.read_bytes() for name, path in files.items()} == originals


def test_an_accept_written_by_an_earlier_version_taken_back_says_its_keyword_stays(tmp_path, capsys) -> None:
    """A journal entry as a version before the state was recorded wrote it (no `state`):
    accepted or written --include-suggested cannot be told, so the keyword stays, and
    `undo --review` says so rather than only "as before it" (t_upgrade2-1)."""
    db, ids, files = _suggested(tmp_path, "a")
    assert main(["--db", db, "accept", f"id:{ids['a']}"]) == 0
    written, captured = _written_by_an_earlier_version_then_taken_back(db, files["a"], capsys)
    assert "1 photo as before it" in captured.err and "written by an earlier version" in captured.err
    assert "`write` leaves it" in captured.err and "takes it out" not in captured.err
    assert captured.err.count("--db") == 1  # the way out names the command (and its index) once
    assert json.loads(captured.out)["written_by_earlier_version"] == 1
    assert _unwritten_and_changing(capsys, db) == (set(), set())
    assert main(["--db", db, "write"]) == 0
    assert files["a"].read_bytes() == written


def test_a_mark_set_by_a_write_that_changed_nothing_outlives_the_batch_given_its_id(tmp_path, capsys,
                                                                                  monkeypatch) -> None:
    """write --include-suggested of a alone changes nothing: its batch is dropped and the
    next write gets its id; undo of that write must not take a's mark back, nor the write
    after take a's keyword out (t_mutants2-1). The clock stands still: both batches start
    in one second, as a script's or the app's quick writes do."""
    from app.core.index import running_writes
    from app.core.index.connection import now_iso
    from app.core.metadata import journal
    frozen = now_iso()
    for module in (journal, running_writes):
        monkeypatch.setattr(module, "now_iso", lambda: frozen)
    db, ids, files = _suggested(tmp_path, "a", "b")
    written = _accepted_written_then_taken_back(db, ids["a"], files["a"])
    capsys.readouterr()
    assert main(["--db", db, "write", "--include-suggested", f"id:{ids['a']}"]) == 0
    assert "0 files written, 1 unchanged" in capsys.readouterr().err  # nothing journalled: the batch dropped
    assert main(["--db", db, "accept", f"id:{ids['b']}"]) == 0
    assert main(["--db", db, "write"]) == 0
    assert main(["--db", db, "undo"]) == 0  # b's write, in a batch of the dropped one's id
    assert _unwritten_and_changing(capsys, db) == ({ids["b"]}, {ids["b"]})
    assert main(["--db", db, "write"]) == 0
    assert files["a"].read_bytes() == written


def test_undo_of_a_killed_write_that_only_kept_a_keyword_makes_it_an_accept_taken_back(tmp_path, capsys) -> None:
    """A `write --include-suggested` killed after it marked a's keyword kept, before any file
    was journalled: `undo` takes that batch back (no file to restore) and a is an accept
    taken back again, in the open index's kept list too (its write_batches trigger)."""
    from app.core.index import running_writes
    from app.core.index.held_as_suggested import mark_held
    from app.core.metadata import journal
    from app.core.metadata.undo import undo_last_write
    db, ids, files = _suggested(tmp_path, "a", "b")
    assert main(["--db", db, "accept", f"id:{ids['a']}"]) == 0
    assert main(["--db", db, "write"]) == 0
    assert main(["--db", db, "undo", "--review"]) == 0
    with PhotoIndex.open(db) as index:
        batch = journal.start_batch(index)
        (entry,) = index.conn.execute("SELECT id FROM write_journal").fetchone()
        with index.transaction() as conn:
            assert mark_held(conn, entry, ids["a"], "Colosseum", batch)
        running_writes.release_batch(index.conn, batch)
        index.conn.execute("UPDATE write_batches SET pid = NULL WHERE id = ?", (batch,))  # killed: its process gone
        assert index.photo_ids("is:unwritten") == []  # the list built and kept
        assert undo_last_write(index).batch_id == batch
        assert index.photo_ids("is:unwritten") == [ids["a"]]
    assert _unwritten_and_changing(capsys, db) == ({ids["a"]}, {ids["a"]})


@pytest.mark.parametrize("first_hold", ["a alone: batch dropped, held for good", "all: its batch stands"])
def test_a_later_write_that_finds_the_kept_keyword_again_leaves_the_standing_mark(tmp_path, capsys,
                                                                                 first_hold) -> None:
    """a's keyword kept by a `write --include-suggested`; a later one finds a's file unchanged
    again and must not put its own batch in the mark: undoing it (it never touched a) left
    a an accept taken back, and the next plain `write` took the kept keyword out (review5-1).
    Undo of every write still gives the files back byte for byte."""
    db, ids, files = _suggested(tmp_path, "a", "b")
    originals = {name: path.read_bytes() for name, path in files.items()}
    written = _accepted_written_then_taken_back(db, ids["a"], files["a"])
    only_a = [f"id:{ids['a']}"] if first_hold.startswith("a alone") else []
    assert main(["--db", db, "write", "--include-suggested", *only_a]) == 0
    assert main(["--db", db, "label", f"id:{ids['b']}", "Trevi Fountain"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "write", "--include-suggested"]) == 0
    assert "1 file written, 1 unchanged" in capsys.readouterr().err  # b written, a found as it was
    assert main(["--db", db, "undo"]) == 0  # that write: a not among its files
    assert ids["a"] not in set().union(*_unwritten_and_changing(capsys, db))
    assert main(["--db", db, "write"]) == 0
    assert files["a"].read_bytes() == written

    for _ in range(2 if only_a else 3):  # every write still standing, the last first
        assert main(["--db", db, "undo"]) == 0
    assert {name: path.read_bytes() for name, path in files.items()} == originals


def test_a_label_an_earlier_version_wrote_taken_back_says_its_keyword_stays_and_how_to_take_it_out(
        tmp_path, capsys) -> None:
    """`label` over a suggestion, written by a version that recorded no state, taken back:
    the file keeps the label taken back. `reject` acts on the suggestion and leaves it, so
    the note says so with what works: `accept` then `write`, or `undo` that write (review5-2)."""
    db, ids, files = _suggested(tmp_path, "a")
    original = files["a"].read_bytes()
    assert main(["--db", db, "label", f"id:{ids['a']}", "Trevi Fountain"]) == 0
    written, captured = _written_by_an_earlier_version_then_taken_back(db, files["a"], capsys)
    assert "1 of them still has its keyword in its files, written by an earlier version" in captured.err
    assert "`undo` that write, or `accept` it and `write`" in captured.err and "`reject`" not in captured.err
    record = json.loads(captured.out)
    assert (record["written_by_earlier_version"], record["written_by_earlier_version_another_label"]) == (1, 1)

    assert main(["--db", db, "accept", f"id:{ids['a']}"]) == 0  # the way out it names
    assert main(["--db", db, "write"]) == 0
    assert read_fields(files["a"].read_bytes()).subject == ["Colosseum"]
    assert main(["--db", db, "undo"]) == 0
    assert files["a"].read_bytes() == written
    assert main(["--db", db, "undo"]) == 0  # the other way out: that write undone
    assert files["a"].read_bytes() == original


def _written_by_an_earlier_version_then_taken_back(db: str, photo, capsys):
    """`write`, its journal entry made as a version before the state was recorded wrote it
    (no `state`), then `undo --review --json`: (the photo's bytes as written, its output)."""
    assert main(["--db", db, "write"]) == 0
    written = photo.read_bytes()
    with PhotoIndex.open(db) as index:
        index.conn.execute("UPDATE write_journal SET after = json_remove(after, '$.state')")
        index.conn.commit()
    capsys.readouterr()
    assert main(["--db", db, "undo", "--review", "--json"]) == 0
    return written, capsys.readouterr()


def _accepted_written_then_taken_back(db: str, photo_id: int, photo) -> bytes:
    """accept, write, `undo --review` of the accept: the photo's bytes as written."""
    assert main(["--db", db, "accept", f"id:{photo_id}"]) == 0
    assert main(["--db", db, "write"]) == 0
    written = photo.read_bytes()
    assert main(["--db", db, "undo", "--review"]) == 0
    return written
