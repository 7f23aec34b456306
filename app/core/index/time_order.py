"""A time-ordered key for photos, so newest-first pages come straight out of
an index instead of being sorted.

`photos.sort_key` (a virtual generated column, schema migration 4) is

    minute_code(taken_at) * 2**29 + id

where minute_code grows with taken_at's text order (1 and up for ISO dates
"YYYY-MM-DD[THH:MM…]", 0 for no date). Ordering by sort_key is therefore
ordering by (taken_at to the minute, id): exact between minutes, only the
photos of one minute need a real sort. Dates in any other form, and ids
outside 1…2**29, get a negative key; while any exist, searches use the
plain plan (see search_plan).

`photos_by_time` is an FTS5 table whose rowid is sort_key, holding the folded
words of `photos.search_text` plus the review state, kept in step by triggers
(so every writer of photos/labels keeps it right without knowing of it).
Tag words have a leading '.' (a token character there), which a searched word
never has, so a typed prefix like "di" cannot match ".dir.paris", and the " . "
between fields is a token of its own, so a phrase does not span two fields
(search_text.FIELD_BREAK).
"""

from __future__ import annotations

import re
import sqlite3

from app.core.index.search_text import CAMERA_TAG, FOLDER_TAG, fold_words, tagged_word

ID_BITS = 29
ID_LIMIT = 1 << ID_BITS
IRREGULAR_OFFSET = 1 << 62
TIME_TABLE = "photos_by_time"
STATE_TAG = ".state."
PREFIX_MARK = "{prefix}"  # never in a phrase: words are letters and digits
MAX_PREFIX_WORDS = 16
DATED = "[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]"
DATE_TIME = DATED + "T[0-2][0-9]:[0-5][0-9]*"


def _minute_code_sql(column: str) -> str:
    """Minute code of an ISO timestamp; mixed-radix with room for every digit
    pattern the GLOBs admit, so it never decreases as the text grows."""
    part = lambda start, length: f"CAST(substr({column}, {start}, {length}) AS INTEGER)"  # noqa: E731
    day = f"(({part(1, 4)} * 20 + {part(6, 2)}) * 40 + {part(9, 2)})"
    return (
        f"CASE WHEN {column} GLOB '{DATE_TIME}' "
        f"THEN 1 + ({day} * 30 + {part(12, 2)}) * 60 + {part(15, 2)} "
        f"WHEN {column} GLOB '{DATED}' THEN 1 + {day} * 1800 ELSE NULL END"
    )


SORT_KEY_SQL = (
    f"CASE WHEN id < 1 OR id >= {ID_LIMIT} THEN id - {IRREGULAR_OFFSET} "
    f"WHEN taken_at IS NULL THEN id "
    f"ELSE coalesce(({_minute_code_sql('taken_at')}) * {ID_LIMIT} + id, id - {IRREGULAR_OFFSET}) END"
)


def words_sql(search_text: str, state: str) -> str:
    """SQL for a photos_by_time row: search_text with tags made unmatchable
    by typed prefixes (search_text holds them so since schema migration 22;
    the triggers still mend the older form), and the review state."""
    return (
        f"replace(replace({search_text}, ' {FOLDER_TAG}', ' .{FOLDER_TAG}'), ' {CAMERA_TAG}', ' .{CAMERA_TAG}')"
        f" || ' {STATE_TAG}' || coalesce({state}, 'unlabelled')"
    )


def fill_time_table(conn: sqlite3.Connection) -> None:
    """Write every photo's photos_by_time row into the empty table, in key order
    (rising rowids: FTS5 flushes no segment per row); a photo without its words
    yet gets none."""
    conn.execute(
        f"INSERT INTO {TIME_TABLE} (rowid, words) SELECT p.sort_key, {words_sql('p.search_text', 'l.state')} "
        "FROM photos p LEFT JOIN labels l ON l.photo_id = p.id WHERE p.search_text <> ' ' ORDER BY p.sort_key"
    )


def words_of_sql(search_text: str, single: bool = False) -> str:
    """`value FROM …` selecting the untagged words of search_text (words are
    letters and digits only, so they can be quoted as JSON strings as they are;
    a search_text written otherwise adds no words rather than failing the write)."""
    array = f"('[\"' || replace(trim({search_text}), ' ', '\",\"') || '\"]')"
    split = f"json_each(CASE WHEN json_valid({array}) THEN {array} ELSE '[]' END) j"
    source = split if single else f"photos p, {split}"
    return f"j.value FROM {source} WHERE j.value <> '' AND instr(j.value, '.') = 0"


def minute_code(text: str) -> int | None:
    """Python mirror of the SQL minute code (None: not an ISO date)."""
    if re.fullmatch(r"[0-9]{4}-[01][0-9]-[0-3][0-9]", text):
        return 1 + ((int(text[:4]) * 20 + int(text[5:7])) * 40 + int(text[8:10])) * 1800
    if re.match(r"[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]", text):
        day = (int(text[:4]) * 20 + int(text[5:7])) * 40 + int(text[8:10])
        return 1 + (day * 30 + int(text[11:13])) * 60 + int(text[14:16])
    return None


def lowest_key_at_or_after(text: str) -> int:
    """A sort_key ≤ that of every photo with taken_at ≥ text (text: a date prefix)."""
    code = minute_code(text + "0000-00-00T00:00"[len(text) :])
    return 0 if code is None else code * ID_LIMIT


def key_after_all_before(text: str) -> int:
    """A sort_key > that of every photo with taken_at < text (text: a date
    prefix, or one followed by the query language's U+FFFF end mark)."""
    core = text.rstrip("\uffff")
    if core != text:  # "< 2020-11\uffff": every date starting with 2020-11
        padded = core + "9999-19-39T29:59"[len(core) :]
    else:
        padded = core + "0000-00-00T00:00"[len(core) :]
    code = minute_code(padded)
    return (1 << 63) - 1 if code is None else (code + 1) * ID_LIMIT


def fts_phrase(text: str, prefix: bool, tag: str = "") -> str | None:
    """An FTS5 phrase over photos_by_time for the words of `text` (None: no
    words); with `prefix`, PREFIX_MARK, which expand_prefix replaces."""
    words = fold_words(text)
    if not words:
        return None
    if prefix:
        return PREFIX_MARK
    tagged = " ".join(tagged_word(tag, w) for w in words)
    return f'"{tagged}"'


def expand_prefix(conn: sqlite3.Connection, match: str, text: str) -> str | None:
    """`match` with PREFIX_MARK replaced by the phrase of `text` whose last word
    is any whole word it starts (from search_words). A prefix standing
    for too many words is left out (None when nothing else is left: then
    sorting or walking is cheaper)."""
    if PREFIX_MARK not in match:
        return match
    *head, last = fold_words(text)
    start = " ".join(head) + " " if head else ""
    words = [
        row[0]
        for row in conn.execute(
            "SELECT word FROM search_words WHERE word >= ? AND word < ? LIMIT ?",
            (last, last + "\U0010ffff", MAX_PREFIX_WORDS + 1),
        )
    ]
    if len(words) > MAX_PREFIX_WORDS:
        # the other words still pick candidates (the row form tests the prefix)
        rest = [part for part in match.split(" AND ") if part != PREFIX_MARK]
        rest += [f'"{" ".join(head)}"'] if head else []
        return " AND ".join(rest) or None
    phrases = [f'"{start}{word}"' for word in words] or [f'"{start}{last}"']
    return match.replace(PREFIX_MARK, "(" + " OR ".join(phrases) + ")")


def state_phrase(state: str) -> str:
    return f'"{STATE_TAG}{state}"'
