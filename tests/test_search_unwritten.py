"""`is:unwritten`: the photos whose files `write` would change now, read from the index
alone. It must name the photos `write --dry-run` lists as changing, before and after a
write and an undo, in both forms a search page is read (the label lists, the row walk)."""

from __future__ import annotations

import json
from pathlib import Path

from app.cli.main import main
from app.core.index import PhotoIndex, compile_query, parse_query
from tests.test_index_support import write_jpeg, write_tiff_raw

NAMES = ("written", "relabelled", "accepted", "rejected", "untagged", "no_landmark")


def _library(tmp_path: Path) -> tuple[str, dict[str, int]]:
    """Six photos: Petra written, Petra written then relabelled Colosseum, Colosseum
    accepted only, Petra written then rejected, one never tagged, one "no landmark"."""
    for number, name in enumerate(NAMES):
        write_jpeg(tmp_path / "lib" / f"{name}.jpg", color=(number * 30, 60, 10))
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(tmp_path / "lib")]) == 0
    with PhotoIndex.open(db) as index:
        ids = {Path(photo.path).stem: photo.id for photo in index.search("")}
        for name in ("written", "relabelled", "rejected"):
            index.set_label(ids[name], "Petra", source="user", state="accepted")
        index.set_label(ids["no_landmark"], None, source="user", state="accepted")
    assert main(["--db", db, "write", "id:" + ",".join(str(ids[n]) for n in ("written", "relabelled", "rejected"))]) == 0
    with PhotoIndex.open(db) as index:
        index.set_label(ids["relabelled"], "Colosseum", source="user", state="accepted")
        index.set_label(ids["accepted"], "Colosseum", source="user", state="accepted")
        index.set_state([ids["rejected"]], "rejected")
    return db, ids


def _json_ids(capsys, *argv: str) -> set[int]:
    capsys.readouterr()
    main(list(argv))
    return {json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()}


def _dry_run_changes(capsys, db: str) -> set[int]:
    capsys.readouterr()
    assert main(["--db", db, "write", "--dry-run", "--json"]) == 0
    return {item["id"] for item in map(json.loads, capsys.readouterr().out.splitlines()) if item["changes"]}


def _both_forms(db: str, query: str) -> tuple[set[int], set[int]]:
    """The photos the indexed form and the row walk's form find."""
    with PhotoIndex.open(db) as index:
        compiled = compile_query(parse_query(query))
        rows = index.conn.execute(f"SELECT p.id FROM photos p LEFT JOIN labels l ON l.photo_id = p.id "
                                  f"WHERE {compiled.row_where}", compiled.row_params)
        return set(index.photo_ids(query)), {row[0] for row in rows}


def test_is_unwritten_names_what_write_dry_run_would_change(tmp_path, capsys) -> None:
    db, ids = _library(tmp_path)
    expected = {ids[name] for name in ("relabelled", "accepted", "rejected")}
    assert _dry_run_changes(capsys, db) == expected
    assert _json_ids(capsys, "--db", db, "search", "--json", "is:unwritten") == expected
    assert _json_ids(capsys, "--db", db, "search", "--json", "-is:unwritten") == set(ids.values()) - expected
    assert _both_forms(db, "is:unwritten") == (expected, expected)
    assert _both_forms(db, "-is:unwritten") == (set(ids.values()) - expected,) * 2
    with PhotoIndex.open(db) as index:
        assert index.count("is:unwritten", limit=100) == 3  # the row walk's count

    assert main(["--db", db, "write", "is:unwritten"]) == 0  # writes just those: then none is left
    assert _dry_run_changes(capsys, db) == set()
    assert _json_ids(capsys, "--db", db, "search", "--json", "is:unwritten") == set()

    assert main(["--db", db, "undo"]) == 0  # that write taken back: the three are unwritten again
    assert _dry_run_changes(capsys, db) == expected
    assert _both_forms(db, "is:unwritten") == (expected, expected)


def test_is_unwritten_takes_other_terms_and_choices(tmp_path, capsys) -> None:
    db, ids = _library(tmp_path)
    assert _json_ids(capsys, "--db", db, "search", "--json", "is:unwritten state:accepted") == \
        {ids["relabelled"], ids["accepted"]}
    assert _json_ids(capsys, "--db", db, "search", "--json", "is:unwritten|missing") == set()  # refused: one line
    assert _json_ids(capsys, "--db", db, "search", "--json", "colosseum -is:unwritten") == set()
    assert _json_ids(capsys, "--db", db, "search", "--json", "rejected OR is:unwritten") == \
        {ids[name] for name in ("relabelled", "accepted", "rejected")}


def test_a_label_read_back_from_the_file_is_written(tmp_path, capsys) -> None:
    """An index built anew reads our keywords back (no write of its own journalled): those
    photos carry their label; relabelled, one is unwritten, as the dry run says."""
    db, _ = _library(tmp_path)
    fresh = str(tmp_path / "fresh.db")
    assert main(["--db", fresh, "scan", str(tmp_path / "lib")]) == 0
    with PhotoIndex.open(fresh) as index:
        ids = {Path(photo.path).stem: photo.id for photo in index.search("")}
        assert {index.get(ids[name]).label for name in ("written", "relabelled", "rejected")} == {"Petra"}
        index.set_label(ids["relabelled"], "Colosseum", source="user", state="accepted")
    assert _dry_run_changes(capsys, fresh) == {ids["relabelled"]}
    assert _both_forms(fresh, "is:unwritten") == ({ids["relabelled"]},) * 2


def test_a_file_of_the_photo_the_write_has_not_reached_leaves_it_unwritten(tmp_path, capsys) -> None:
    """Per file, as `write` plans: a RAW copied in beside its written JPEG (one photo, a pair)
    has no sidecar with the label yet; a JPEG written `--no-jpeg` holds it only in a sidecar.
    The photo's newest write (the JPEG's, the sidecar's) said the label was there."""
    db, ids = _library(tmp_path)
    write_tiff_raw(tmp_path / "lib" / "written.nef")  # a RAW LibRaw cannot read: one error, still paired
    assert main(["--db", db, "scan", str(tmp_path / "lib")]) == 1
    with PhotoIndex.open(db) as index:
        assert len(index.get(ids["written"]).files) == 2
    expected = {ids[name] for name in ("written", "relabelled", "accepted", "rejected")}
    assert _dry_run_changes(capsys, db) == expected  # written.nef.xmp: Petra
    assert _both_forms(db, "is:unwritten") == (expected, expected)

    assert main(["--db", db, "write", "--no-jpeg", f"id:{ids['accepted']}"]) == 0  # accepted.jpg.xmp only
    assert _dry_run_changes(capsys, db) == expected  # the JPEG itself still to write
    assert _both_forms(db, "is:unwritten") == (expected, expected)

    assert main(["--db", db, "write"]) == 0
    assert _dry_run_changes(capsys, db) == set()
    assert _both_forms(db, "is:unwritten") == (set(), set())


def test_an_open_index_pages_through_the_list_it_keeps_until_the_index_changes(tmp_path, capsys) -> None:
    """PhotoIndex keeps the is:unwritten list between queries (unwritten_list): a change of
    its own connection, and a write another process commits, are seen by the next page."""
    db, ids = _library(tmp_path)
    expected = {ids[name] for name in ("relabelled", "accepted", "rejected")}
    with PhotoIndex.open(db) as index:
        assert {photo.id for photo in index.search("is:unwritten", limit=2)} < expected
        assert {photo.id for photo in index.search("is:unwritten", limit=10, offset=0)} == expected
        index.set_label(ids["untagged"], "Petra", source="user", state="accepted")  # this connection's change
        expected.add(ids["untagged"])
        assert {photo.id for photo in index.search("is:unwritten", limit=10)} == expected
        assert index.count("is:unwritten", limit=100) == len(expected)
        assert main(["--db", db, "write", f"id:{ids['accepted']}"]) == 0  # another connection's commit
        expected.discard(ids["accepted"])
        assert {photo.id for photo in index.search("is:unwritten", limit=10)} == expected
        assert set(index.photo_ids("-is:unwritten")) == set(ids.values()) - expected
    assert _dry_run_changes(capsys, db) == expected


def test_a_rejected_no_landmark_suggestion_is_not_unwritten(tmp_path, capsys) -> None:
    """Rejecting a "no landmark" suggestion stores the label '' as rejected, and a file with
    nothing of ours carries '' too: `write` has nothing to take out, so the photo is not
    unwritten, whether it was never written (the list's shortcut) or written "no landmark"."""
    db, ids = _library(tmp_path)
    with PhotoIndex.open(db) as index:
        index.set_label(ids["written"], None, source="user", state="accepted")
    assert main(["--db", db, "write", f"id:{ids['written']}"]) == 0  # Petra taken out of the file
    with PhotoIndex.open(db) as index:
        for name in ("written", "untagged"):
            index.set_label(ids[name], None, source="model", state="suggested", score=0.3)
        assert index.set_state([ids["written"], ids["untagged"]], "rejected") == 2
    expected = {ids[name] for name in ("relabelled", "accepted", "rejected")}
    assert _dry_run_changes(capsys, db) == expected
    assert _json_ids(capsys, "--db", db, "search", "--json", "is:unwritten") == expected
    assert _both_forms(db, "is:unwritten") == (expected, expected)
