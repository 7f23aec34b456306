"""The searchable text of a photo, kept in two forms from the same words:
the FTS5 row (fast for rare words) and `photos.search_text`, a folded word list
that a query can test row by row while it walks photos newest first (fast for
common words, where reading the whole FTS doclist and sorting would be slow).
Both hold the words as fold_words gives them, and a query folds its words the
same way, so the plan chosen (which depends on the page's size) never changes
which photos match: FTS5's own folding keeps "ß", Greek accents and full-width
letters, which fold_words folds (schema migration 20 refolded older rows; 37 those with
letters the fold took otherwise before: a run of Chinese or Japanese letters, ø, ł…).

search_text is " label … . folder … . names … . camera … . lens … . .dir.w … . .cam.w … . .lens.w … ":
the words of each FTS column, case- and accent-folded, then the folder, camera and
lens words again tagged, so `folder:`, `camera:` and `lens:` can be tested on their own
(a field without words is left out: a photo without a lens has no lens part). The
" . " between fields (FIELD_BREAK) is a word no query word or phrase matches, so a
phrase ("jpg nikon": the end of the file names, the start of the camera) matches
within one field only, as in the FTS columns; the leading "." of a tagged word keeps
a typed prefix ("di") from matching it (schema migration 22 rewrote older rows;
26 added the lens).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from functools import lru_cache

from app.core.camera_names import camera_name
from app.core.index.connection import id_chunks
from app.core.index.records import printable_path
from app.core.name_folding import fold_letters, word_units

FOLDER_TAG = "dir."
CAMERA_TAG = "cam."
LENS_TAG = "lens."
# the tag of each field whose words search_text holds tagged (a `field:` term tests them)
FIELD_TAGS = {"folder": FOLDER_TAG, "camera": CAMERA_TAG, "lens": LENS_TAG}
FIELD_BREAK = "."  # between two fields' words: a phrase or prefix never spans it


@lru_cache(maxsize=4096)
def fold_words(text: str) -> tuple[str, ...]:
    """The words of a text as every store of them holds them (photos_fts, search_text,
    photos_by_time) and a query compares them: letters and digits folded as every name
    is compared (name_folding.fold_letters: case, accents, full-width letters, ligatures,
    "ß" is "ss", "ø" is "o"), each letter of a script written without spaces a word of
    its own (name_folding.word_units: a searched run of them is found anywhere in a name)."""
    return tuple(word_units(fold_letters(text)))


def folded_text(text: str) -> str:
    """The words of `text` as the FTS row holds them: folded, space-separated."""
    return " ".join(fold_words(text))


def label_key(label: str | None) -> str | None:
    """What `label:` compares: the label's words, case- and accent-folded, so
    label:"chateau d'if" finds "Château d'If" (SQLite's NOCASE folds ASCII only)."""
    if label is None:
        return None
    return " ".join(fold_words(label)) or label.casefold()


def build_search_text(label: str, folder: str, names: str, camera: str, lens: str = "") -> str:
    return search_text_of(fold_words(label), fold_words(folder), fold_words(names), fold_words(camera),
                          fold_words(lens))


def search_text_of(label: Sequence[str], folder: Sequence[str], names: Sequence[str], camera: Sequence[str],
                   lens: Sequence[str] = ()) -> str:
    """search_text from the folded words of each field (see the module's docstring)."""
    fields = [label, folder, names, camera, lens,
              [tagged_word(FOLDER_TAG, w) for w in folder], [tagged_word(CAMERA_TAG, w) for w in camera],
              [tagged_word(LENS_TAG, w) for w in lens]]
    return " " + f" {FIELD_BREAK} ".join(" ".join(words) for words in fields if words) + " "


def tagged_word(tag: str, word: str) -> str:
    """A word as search_text and photos_by_time hold it for `folder:`, `camera:` or
    `lens:` (a tag of FIELD_TAGS: ".dir.paris"), or as it is (no tag)."""
    return f".{tag}{word}" if tag else word


def fts_row(label: str, folder: str, names: str, camera: str, lens: str = "") -> tuple[str, str, str, str, str]:
    """The photos_fts columns (label, folder, names, camera, lens) for these texts."""
    return folded_text(label), folded_text(folder), folded_text(names), folded_text(camera), folded_text(lens)


def refresh_search_text(conn: sqlite3.Connection, photo_id: int) -> None:
    """Rebuild the FTS row and photos.search_text of one photo from the tables
    (call after any change to its label, files, folder, camera or lens)."""
    refresh_search_texts(conn, [photo_id])


def refresh_search_texts(conn: sqlite3.Connection, photo_ids: Sequence[int]) -> None:
    """refresh_search_text for many photos, a few statements per 500 of them (labelling
    a library one photo at a time spent most of its time here). A photo's FTS row is
    replaced by INSERT OR REPLACE, FTS5 dropping the old one itself: a DELETE walks an
    FTS5 cursor to it (rejecting 100,000 photos spent 1.3 s in DELETE and INSERT, 0.7 s
    so; benchmarks/bulk_review_choices.py)."""
    columns = _fts_columns(conn)
    replace = (f"INSERT OR REPLACE INTO photos_fts (rowid, {', '.join(columns)}) "
               f"VALUES (?, {', '.join('?' * len(columns))})")
    for chunk, marks in id_chunks([int(i) for i in photo_ids]):
        rows = conn.execute(
            "SELECT p.id, p.folder, p.camera_make, p.camera_model, p.lens, l.label, l.state FROM photos p "
            f"LEFT JOIN labels l ON l.photo_id = p.id WHERE p.id IN ({marks})",
            chunk,
        ).fetchall()
        names: dict[int, list[str]] = {}
        for photo_id, name in conn.execute(
                f"SELECT photo_id, name FROM files WHERE photo_id IN ({marks}) ORDER BY photo_id, name", chunk):
            names.setdefault(int(photo_id), []).append(printable_path(name))
        found = {int(row[0]) for row in rows}
        conn.executemany("DELETE FROM photos_fts WHERE rowid = ?", [(i,) for i in chunk if i not in found])
        fts, texts = [], []
        for photo_id, folder, make, model, lens, label, state in rows:
            label_text = "" if label is None or state == "rejected" else label
            folder_text = printable_path(folder)
            names_text = " ".join(names.get(int(photo_id), ()))
            camera_text = " ".join(x for x in (make, model, camera_name(make, model)) if x)
            # each field folded once for both forms (a photo's file names miss fold_words's cache)
            words = [fold_words(text) for text in (label_text, folder_text, names_text, camera_text, lens or "")]
            fts.append((photo_id, *[" ".join(field) for field in words][: len(columns)]))
            texts.append((search_text_of(*words), photo_id))
        conn.executemany(replace, fts)
        _write_search_texts(conn, texts)


TEXTS_PER_STATEMENT = 300  # 3 parameters each: within the 999 of SQLite before 3.32


def _write_search_texts(conn: sqlite3.Connection, texts: Sequence[tuple[str, int]]) -> None:
    """photos.search_text of many photos, given as (text, photo id), in one UPDATE per
    TEXTS_PER_STATEMENT of them. A statement whose triggers write photos_by_time (FTS5)
    opens a savepoint, at which FTS5 writes its pending words out as a new segment: an
    UPDATE per photo wrote one per photo (rejecting 100,000 photos spent 4.0 s in those
    UPDATEs, 1.8 s in these; benchmarks/bulk_review_choices.py)."""
    for start in range(0, len(texts), TEXTS_PER_STATEMENT):
        part = texts[start : start + TEXTS_PER_STATEMENT]
        conn.execute(
            f"UPDATE photos SET search_text = CASE id {'WHEN ? THEN ? ' * len(part)}END "
            f"WHERE id IN ({','.join('?' * len(part))})",
            [value for text, photo_id in part for value in (photo_id, text)] + [photo_id for _, photo_id in part])


def _fts_columns(conn: sqlite3.Connection) -> list[str]:
    """photos_fts's columns: the lens is one since schema migration 26; migration 2,
    which fills search_text in an index made before, writes the four it had then."""
    return [row[1] for row in conn.execute("PRAGMA table_info(photos_fts)")]


def word_pattern(text: str, prefix: bool, tag: str = "") -> str | None:
    """A LIKE pattern over search_text matching the words of `text` in a row,
    the last one as a prefix when `prefix`; None when `text` has no words."""
    words = fold_words(text)
    if not words:
        return None
    joined = " ".join(tagged_word(tag, w) for w in words)
    return f"% {joined}%" if prefix else f"% {joined} %"
