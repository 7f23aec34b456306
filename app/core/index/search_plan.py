"""Fetching one page of search results, newest first, fast on a million photos.

When a positive term has a time-ordered form (free words, camera:, lens:,
folder:, state:), the page is read from photos_by_time, whose rowid is the photo's
sort_key (see time_order): matches come newest first (to the minute) without
sorting, so it costs the same whether they are new or old. Otherwise, or when
that bounded walk finds too few, two older ways, the cheaper one first:
- walk photos newest first on the (taken_at, id) index, test each row, stop at
  the page's end: cheap when many photos match (a common word, a frequent label),
  but would read the whole table when few do, so the walk is bounded to a
  window of the newest photos;
- let the FTS5 / label indexes pick the matching photos and sort them: cheap
  when few match — which is the case whenever the bounded walk came back short.
"""

from __future__ import annotations

import sqlite3

from app.core.index.query import CompiledQuery
from app.core.index.time_order import ID_BITS, TIME_TABLE, expand_prefix

# The walk looks at most this many rows per requested row (and at least
# MIN_WINDOW): a page of 100 fills from a window of 6,000 when ≥ ~2 % match.
WINDOW_PER_ROW = 60
MIN_WINDOW = 2_000
FIRST_WINDOW_PER_ROW = 15  # the short first look
FILL_MARGIN = 1.5  # walk the full window only when it should hold 1.5 pages
# When one indexed term allows fewer photos than this, sorting them beats
# walking; counting up to this many costs about a millisecond. (Measured on
# 1,000,000 photos: a sort costs ~4 µs per photo, a walk ~3 µs per row.)
FEW = 5_000
ORDER = "ORDER BY p.taken_at DESC, p.id DESC"


def fetch_page(conn: sqlite3.Connection, columns: str, compiled: CompiledQuery, limit: int | None, offset: int) -> list[tuple]:
    """Rows of `columns` (over `photos p LEFT JOIN labels l`) for one page."""
    few = None  # counted once a page (a problem term's list: ~1 ms a count)
    if limit is not None and compiled.counts_first:
        few = _few_match(conn, compiled)
    if limit is not None and not few:
        rows = time_ordered_page(conn, columns, compiled, limit, offset)
        if rows is not None:
            return rows
    return fetch_page_by_sorting(conn, columns, compiled, limit, offset, few)


def fetch_page_by_sorting(
    conn: sqlite3.Connection, columns: str, compiled: CompiledQuery, limit: int | None, offset: int,
    few: bool | None = None,
) -> list[tuple]:
    """The page without photos_by_time: a bounded walk over the newest photos,
    else the indexed matches sorted. `few`: _few_match's answer, when counted already."""
    if few is None and limit is not None and compiled.row_where is not None:
        few = _few_match(conn, compiled)
    if limit is not None and compiled.row_where is not None and not few:
        rows = _walk_newest_first(conn, columns, compiled, limit, offset)
        if rows is not None:
            return rows
    if limit is None:
        sql = (
            f"SELECT {columns} FROM photos p LEFT JOIN labels l ON l.photo_id = p.id "
            f"WHERE {compiled.where} {ORDER} LIMIT -1 OFFSET ?"
        )
        return conn.execute(sql, compiled.params + (int(offset),)).fetchall()
    # sort only ids (through the narrow photos_sort_key index), then read the page's rows
    return rows_by_id(conn, columns, _sorted_ids(conn, compiled, limit, offset))


def _sorted_ids(conn: sqlite3.Connection, compiled: CompiledQuery, limit: int, offset: int) -> list[int]:
    """One page of ids from the indexed form, sorting only (id, taken_at) pairs
    read from the narrow photos_sort_key index."""
    if compiled.fts_match is not None:
        sql = (
            "SELECT p.id FROM photos_fts f CROSS JOIN photos p INDEXED BY photos_sort_key "
            f"WHERE f.photos_fts MATCH ? AND p.id = f.rowid AND {compiled.where_without_fts} {ORDER} LIMIT ? OFFSET ?"
        )
        params = (compiled.fts_match, *compiled.params_without_fts)
    else:
        hint = "INDEXED BY photos_sort_key" if compiled.picks_ids else ""
        sql = f"SELECT p.id FROM photos p {hint} WHERE {compiled.where} {ORDER} LIMIT ? OFFSET ?"
        params = compiled.params
    return [r[0] for r in conn.execute(sql, (*params, int(limit), int(offset)))]


def rows_by_id(conn: sqlite3.Connection, columns: str, ids: list[int]) -> list[tuple]:
    """Rows of `columns` for these photo ids, in the order given (first column is p.id)."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    found = {
        row[0]: row
        for row in conn.execute(
            f"SELECT {columns} FROM photos p LEFT JOIN labels l ON l.photo_id = p.id WHERE p.id IN ({marks})", ids
        )
    }
    return [found[i] for i in ids if i in found]


def _few_match(conn: sqlite3.Connection, compiled: CompiledQuery) -> bool:
    """Whether some positive indexed term allows fewer than FEW photos.

    Words are first counted as whole words (FTS5 builds a prefix term's whole
    merged doclist before its first row, which costs as much as the sort we want
    to avoid); only when that finds few is the prefix form counted."""
    for sql, alternatives in compiled.selectors:
        counts = (
            conn.execute(f"SELECT count(*) FROM ({sql} LIMIT {FEW})", params).fetchone()[0]
            for params in alternatives
        )
        if all(found < FEW for found in counts):
            return True
    return False


def _window(limit: int, offset: int) -> int:
    return max(MIN_WINDOW, WINDOW_PER_ROW * (limit + offset))


def _walk_newest_first(
    conn: sqlite3.Connection, columns: str, compiled: CompiledQuery, limit: int, offset: int
) -> list[tuple] | None:
    """The page from a bounded walk, or None when the window did not fill it
    (then few photos match, or they are old, and the indexed form is cheaper).

    A short first window decides cheaply: full page -> done; nothing found ->
    give up; some found -> walk the full window when, at that density, it
    would fill the page."""
    wanted = limit + offset
    first = max(MIN_WINDOW // 4, FIRST_WINDOW_PER_ROW * wanted)
    rows, complete = _walk_window(conn, columns, compiled, limit, offset, first)
    if complete or len(rows) == limit:
        return rows
    window = _window(limit, offset)
    found = len(rows) + offset  # a lower bound when offset > 0; fine for an estimate
    if not rows or found * window < FILL_MARGIN * wanted * first:
        return None
    rows, complete = _walk_window(conn, columns, compiled, limit, offset, window)
    return rows if complete or len(rows) == limit else None


def _walk_window(
    conn: sqlite3.Connection, columns: str, compiled: CompiledQuery, limit: int, offset: int, window: int
) -> tuple[list[tuple], bool]:
    """The page among the newest `window` photos in range; complete = True when
    that window holds every photo in range."""
    edge = conn.execute(
        f"SELECT p.taken_at, p.id FROM photos p INDEXED BY photos_by_taken_at WHERE {compiled.range_where} "
        f"{ORDER} LIMIT 1 OFFSET ?",
        compiled.range_params + (window - 1,),
    ).fetchone()
    if edge is None:
        bound, bound_params = "1", ()  # the window is every photo in range: the walk is complete
    elif edge[0] is None:
        bound, bound_params = "(p.taken_at IS NOT NULL OR p.id >= ?)", (edge[1],)
    else:
        bound, bound_params = "p.taken_at >= ? AND (p.taken_at > ? OR p.id >= ?)", (edge[0], edge[0], edge[1])
    sql = (
        f"SELECT {columns} FROM photos p INDEXED BY photos_by_taken_at LEFT JOIN labels l ON l.photo_id = p.id "
        f"WHERE {compiled.row_where} AND {compiled.range_where} AND {bound} {ORDER} LIMIT ? OFFSET ?"
    )
    params = compiled.row_params + compiled.range_params + bound_params + (int(limit), int(offset))
    return conn.execute(sql, params).fetchall(), edge is None


def time_ordered_usable(conn: sqlite3.Connection, compiled: CompiledQuery) -> bool:
    """Whether photos_by_time can answer: a positive term has a time-ordered
    form, and every photo has a regular sort_key (an ISO date or none) and its words."""
    return _time_match(conn, compiled) is not None


def _time_match(conn: sqlite3.Connection, compiled: CompiledQuery) -> str | None:
    """The photos_by_time expression for this query, or None when that table cannot answer."""
    if compiled.time_match is None or compiled.row_where is None:
        return None
    # a photo with an irregular date or without its words yet is not (rightly) in photos_by_time
    if conn.execute(
        "SELECT EXISTS (SELECT 1 FROM photos WHERE sort_key < 0) OR EXISTS (SELECT 1 FROM photos WHERE search_text = ' ')"
    ).fetchone()[0]:
        return None
    return expand_prefix(conn, compiled.time_match, compiled.time_prefix)


def _time_sql(select: str, compiled: CompiledQuery, tail: str) -> str:
    return (
        f"SELECT {select} FROM {TIME_TABLE} f CROSS JOIN photos p ON p.sort_key = f.rowid "
        f"LEFT JOIN labels l ON l.photo_id = p.id WHERE f.{TIME_TABLE} MATCH ? AND f.rowid >= ? AND f.rowid < ? "
        f"AND {compiled.row_where} {tail}"
    )


def time_ordered_page(
    conn: sqlite3.Connection, columns: str, compiled: CompiledQuery, limit: int, offset: int
) -> list[tuple] | None:
    """The page from photos_by_time, or None when that table cannot answer
    (see _time_match) or the newest `window` candidates held too few matches
    (a rare combination of terms: sorting the matches is cheaper then).

    Candidates are walked in sort_key order, which is exact between minutes;
    the page's last minute is then read whole and the rows sorted exactly."""
    match = _time_match(conn, compiled)
    if match is None or limit <= 0:
        return None
    low, high = compiled.key_range
    wanted = limit + offset
    window = max(MIN_WINDOW, WINDOW_PER_ROW * wanted)
    edge = conn.execute(
        f"SELECT rowid FROM {TIME_TABLE} WHERE {TIME_TABLE} MATCH ? AND rowid >= ? AND rowid < ? "
        "ORDER BY rowid DESC LIMIT 1 OFFSET ?",
        (match, low, high, window - 1),
    ).fetchone()
    floor = low if edge is None else max(low, edge[0])
    keys = [
        row[0]
        for row in conn.execute(
            _time_sql("f.rowid", compiled, "ORDER BY f.rowid DESC LIMIT ?"),
            (match, floor, high, *compiled.row_params, wanted),
        )
    ]
    if len(keys) < wanted:
        if edge is not None:
            return None
    else:
        last = keys[-1]
        # sort_key orders exactly within the dateless group (by id), else only to the minute
        floor = max(low, last if last < (1 << ID_BITS) else (last >> ID_BITS) << ID_BITS)
    return conn.execute(
        _time_sql(columns, compiled, f"{ORDER} LIMIT ? OFFSET ?"),
        (match, floor, high, *compiled.row_params, int(limit), int(offset)),
    ).fetchall()


def capped_count(conn: sqlite3.Connection, compiled: CompiledQuery, cap: int) -> int | None:
    """min(matches, cap) from photos_by_time, or None when it cannot answer."""
    match = _time_match(conn, compiled)
    if match is None:
        return None
    low, high = compiled.key_range
    sql = f"SELECT count(*) FROM ({_time_sql('1', compiled, 'LIMIT ?')})"
    return int(conn.execute(sql, (match, low, high, *compiled.row_params, int(cap))).fetchone()[0])
