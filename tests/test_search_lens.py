"""`lens:` and free words find a photo by its lens, as Lightroom and digiKam filter by
it: the index stored each photo's lens, but no search could reach it. Every plan (a
page, all matches, the count, the walk newest first) finds the same photos, and an
index made before (schema 25) finds them once upgraded (migration 26)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import QuerySyntaxError
from app.core.index import PhotoIndex, compile_query, parse_query, search_plan
from app.core.index.photo_index import ORDER
from tests.test_index import add_photo

LENSES = {
    "zoom": ("/lib/2020/Paris", "AF-S DX NIKKOR 18-55mm f/3.5-5.6G VR"),
    "range": ("/lib/2020/Paris", "18-55mm f/3.5-5.6"),  # as Nikon's maker notes give it
    "portrait": ("/lib/2021/Roma", "85mm f/1.8"),
    "none": ("/lib/2021/Roma", None),
    "folder": ("/lib/Nikkor walk", None),  # the lens's word in a folder's name only
}


def _with_lenses(index: PhotoIndex) -> dict[str, int]:
    return {name: add_photo(index, folder, f"DSC_000{n}", f"2020-11-0{n + 1}T10:00:00", lens=lens)
            for n, (name, (folder, lens)) in enumerate(LENSES.items())}


@pytest.fixture
def lenses():
    with PhotoIndex.open(":memory:") as index:
        yield index, _with_lenses(index)


def found_in_every_plan(index: PhotoIndex, query: str) -> list[int]:
    """The photos `query` finds, checked to be the same whichever plan answers."""
    everything = index.photo_ids(query)
    assert [r.id for r in index.search(query)] == everything, query
    assert [r.id for r in index.search(query, limit=50)] == everything, query
    assert index.count(query) == len(everything), query
    compiled = compile_query(parse_query(query))
    walked = index.conn.execute(
        f"SELECT p.id FROM photos p LEFT JOIN labels l ON l.photo_id = p.id WHERE {compiled.row_where} {ORDER}",
        compiled.row_params).fetchall()
    assert [row[0] for row in walked] == everything, query
    if search_plan.time_ordered_usable(index.conn, compiled):
        page = search_plan.time_ordered_page(index.conn, "p.id", compiled, 50, 0)
        assert page is None or [row[0] for row in page] == everything, query
    return everything


CASES = [
    ("lens:18-55mm", {"zoom", "range"}),
    ("lens:nikkor", {"zoom"}),
    ("LENS:Nikkor", {"zoom"}),
    ("lens:85mm|nikkor", {"zoom", "portrait"}),
    ("lens:85mm OR lens:nikkor", {"zoom", "portrait"}),
    ('lens:"f/1.8"', {"portrait"}),
    ("-lens:18-55mm", {"portrait", "none", "folder"}),
    ("lens:18-55mm folder:paris", {"zoom", "range"}),
    ("nikkor", {"zoom", "folder"}),  # free words: the lens too
    ("nikk", {"zoom", "folder"}),  # the last one as a prefix too
    ("85mm", {"portrait"}),
    ("lens:d850", set()),  # the camera's words are not the lens's …
    ("camera:nikkor", set()),  # … nor the lens's the camera's
    ("lens:walk", set()),  # nor the folder's
    ('"d850 af"', set()),  # a phrase stays within one field (the camera ends where the lens starts)
]


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[query for query, _ in CASES])
def test_lens_terms_and_free_words_find_the_photos_of_a_lens(lenses, query: str, expected: set[str]) -> None:
    index, ids = lenses
    names = {photo: name for name, photo in ids.items()}
    assert {names[photo] for photo in found_in_every_plan(index, query)} == expected


def test_a_lens_read_anew_is_searched_by_its_new_name(lenses) -> None:
    from app.core.index import catalog
    from app.core.photo_info import PhotoInfo

    index, ids = lenses
    with index.transaction() as conn:  # a rescan that read the lens of a changed file
        catalog.save_photo(conn, "/lib/2021/Roma", "DSC_0003", "/lib/2021/Roma/DSC_0003.JPG", False,
                           PhotoInfo(kind="jpeg", lens="XF 35mm f/2"))
        catalog.refresh_fts(conn, ids["none"])
    assert found_in_every_plan(index, "lens:35mm") == [ids["none"]]
    assert found_in_every_plan(index, "xf") == [ids["none"]]


@pytest.mark.parametrize(("query", "message"), [
    ("lens:", "write e.g. lens:18-55mm"),
    ("lens:/", "no letters or digits"),
    ("colour:red", "known fields: label, camera, lens,"),
])
def test_malformed_lens_terms_get_a_one_line_message(lenses, query: str, message: str) -> None:
    index, _ = lenses
    with pytest.raises(QuerySyntaxError, match=message):
        index.search(query)


def test_search_help_names_the_lens_field() -> None:
    from app.cli.command_line import command_parsers
    from app.cli.main import build_parser

    parser = build_parser()
    search = command_parsers(parser)["search"]
    assert "lens:" in search.format_help()
    helps = {a.dest: a.help for a in next(a for a in parser._actions if a.dest == "command")._choices_actions}
    assert "lens:" in helps["search"]


def test_an_index_from_schema_25_finds_the_lenses_after_the_upgrade(tmp_path: Path, monkeypatch) -> None:
    from app.core.index import schema
    from app.core.index.search_text import refresh_search_text, search_text_of
    from app.core.index.time_order import words_of_sql, words_sql

    path = tmp_path / "before.db"
    monkeypatch.setattr(schema, "LATEST_VERSION", schema.MIGRATIONS.index(schema.migration_26))
    with PhotoIndex.open(path) as index:
        ids = _with_lenses(index)
        index.set_label(ids["zoom"], "Eiffel Tower", source="user", state="accepted")
        with index.transaction() as conn:  # search_text and search_words as that version wrote them: no lens
            for photo, *fields in conn.execute("SELECT rowid, label, folder, names, camera FROM photos_fts").fetchall():
                conn.execute("UPDATE photos SET search_text = ? WHERE id = ?",
                             (search_text_of(*(field.split() for field in fields)), photo))
            conn.execute("DELETE FROM search_words")
            conn.execute(f"INSERT OR IGNORE INTO search_words (word) SELECT {words_of_sql('p.search_text')}")
    monkeypatch.undo()
    with PhotoIndex.open(path) as index:
        conn = index.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST_VERSION
        assert found_in_every_plan(index, "lens:18-55mm") == [ids["range"], ids["zoom"]]
        assert found_in_every_plan(index, "nikk") == [ids["folder"], ids["zoom"]]
        assert found_in_every_plan(index, "eiffel lens:nikkor") == [ids["zoom"]]
        upgraded = dict(conn.execute("SELECT id, search_text FROM photos"))
        with index.transaction():
            for photo in ids.values():
                refresh_search_text(conn, photo)
        assert dict(conn.execute("SELECT id, search_text FROM photos")) == upgraded  # as written today
        assert dict(conn.execute("SELECT rowid, words FROM photos_by_time")) == dict(conn.execute(
            f"SELECT p.sort_key, {words_sql('p.search_text', 'l.state')} FROM photos p "
            "LEFT JOIN labels l ON l.photo_id = p.id"))
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_real_nikon_jpegs_are_found_by_their_lens(shared_data: Path, tmp_path: Path) -> None:
    from app.core.scanner import scan

    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [shared_data / "camera" / "jpeg"])
        names = lambda query: sorted(Path(r.path).name for r in index.search(query, limit=50))  # noqa: E731
        assert names("lens:18-55mm") == ["Nikon_D3100.jpg", "Nikon_D40.jpg", "Nikon_D60.jpg"]
        assert names('lens:"24mm f/2.8"') == names("24mm") == ["Nikon_D90.jpg"]
        assert names("lens:18-70mm|28-300mm") == ["Nikon_D100.jpg", "Nikon_D70.jpg"]
