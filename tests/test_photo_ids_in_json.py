"""A file name that is not valid UTF-8 reaches `--json` with U+FFFD for its bad bytes,
so two files can show the same "path" and that "path" names no photo (`accept "$P"`
found none). Every per-photo JSON line now carries the photo's "id", and the query
language takes `id:123` and `id:123,456`, so a script can always name the photo again."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.index.query import QuerySyntaxError, Term, parse_query
from tests.test_index_support import write_jpeg


def run_cli(capsys, *argv: str) -> tuple[int, list[dict], str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


@pytest.fixture
def latin1_twins(tmp_path: Path) -> tuple[str, Path]:
    """An index of two photos named a\\xe9.jpg and a\\xe8.jpg (Latin-1 é and è), which
    JSON shows with the same path, and one plain photo."""
    if sys.platform in ("win32", "darwin"):
        pytest.skip("this file system takes no file name that is not valid UTF-8")
    folder = os.path.join(os.fsencode(tmp_path), b"Petra")
    os.mkdir(folder)
    for number, name in enumerate((b"a\xe9.jpg", b"a\xe8.jpg", b"plain.jpg")):
        write_jpeg(Path(os.fsdecode(os.path.join(folder, name))), color=(number * 40, 10, 10))
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", os.fsdecode(folder)]) == 0
    return db, Path(os.fsdecode(folder))


def test_the_query_language_takes_photo_ids() -> None:
    assert parse_query("id:12").terms == (Term("id", "12"),)
    assert parse_query("id:12,040").terms == (Term("id", "12,40"),)
    assert len(parse_query("id:12|13").terms[0].terms) == 2  # a choice, as state:a|b
    for wrong in ("id:abc", "id:12,", "id:-3", "id:١٢"):
        with pytest.raises(QuerySyntaxError, match="id: takes photo ids"):
            parse_query(wrong)


def test_two_names_that_json_shows_alike_keep_their_own_ids(latin1_twins, capsys) -> None:
    db, _ = latin1_twins
    code, lines, _ = run_cli(capsys, "--db", db, "search", "--json", "a")
    assert code == 0 and len(lines) == 2
    assert lines[0]["path"] == lines[1]["path"]  # the lossy path: why the id is needed
    first, second = (line["id"] for line in lines)
    assert first != second
    code, found, _ = run_cli(capsys, "--db", db, "search", "--json", f"id:{first}")
    assert code == 0 and [line["id"] for line in found] == [first]
    code, found, _ = run_cli(capsys, "--db", db, "search", "--json", f"id:{first},{second}", "-plain")
    assert code == 0 and sorted(line["id"] for line in found) == sorted([first, second])


def test_a_photo_named_by_its_id_is_the_one_changed(latin1_twins, capsys) -> None:
    db, _ = latin1_twins
    with PhotoIndex.open(db) as index:
        for photo in index.search(""):
            index.set_label(photo.id, "Petra", state="suggested")
        target = index.search("a")[1].id
    code, lines, _ = run_cli(capsys, "--db", db, "accept", "--json", f"id:{target}")
    assert code == 0 and lines[-1]["matched"] == 1 and lines[-1]["changed"] == 1
    code, accepted, _ = run_cli(capsys, "--db", db, "search", "--json", "state:accepted")
    assert [line["id"] for line in accepted] == [target]
    code, planned, _ = run_cli(capsys, "--db", db, "write", "--dry-run", "--json")
    assert [line["id"] for line in planned] == [target]


def test_every_tag_line_carries_the_id_search_gives(latin1_twins, tiny_bundle, capsys) -> None:
    db, folder = latin1_twins
    code, tagged, _ = run_cli(capsys, "--db", db, "tag", "--json", "--workers", "0", "--model",
                              str(tiny_bundle.path), str(folder), str(folder / "gone.jpg"))
    assert code == 1  # the file that is not there
    _, searched, _ = run_cli(capsys, "--db", db, "search", "--json")
    assert sorted(line["id"] for line in tagged if line["id"] is not None) == sorted(line["id"] for line in searched)
    assert [line["id"] for line in tagged if "error" in line] == [None]  # no photo for a file not there
