"""The index's schema as numbered migrations, applied in order and recorded in
`PRAGMA user_version`, so an old index file is upgraded in place when opened
(those from 14 to 36 are in migrations_recent, those from 37 on in migrations_latest)."""

from __future__ import annotations

import sqlite3
from typing import Callable

from app.core.errors import IndexInUseError, IndexStoreError
from app.core.index.migrations_latest import (
    migration_37, migration_38, migration_39, migration_40, migration_41, migration_42, migration_43,
    migration_44, migration_45, migration_46, migration_47, migration_48, migration_49, migration_50,
    migration_51, migration_52,
)
from app.core.index.migrations_recent import (
    migration_14, migration_15, migration_16, migration_17, migration_18, migration_19, migration_20,
    migration_21, migration_22, migration_23, migration_24, migration_25, migration_26, migration_27, migration_28,
    migration_29, migration_30, migration_31, migration_32, migration_33, migration_34, migration_35, migration_36,
)
from app.core.index.upgrade import others_have_it_open, still_open_message

MIGRATION_1 = """
CREATE TABLE photos (
    id INTEGER PRIMARY KEY,
    folder TEXT NOT NULL,
    stem TEXT NOT NULL,
    primary_path TEXT NOT NULL,
    taken_at TEXT,
    camera_make TEXT,
    camera_model TEXT,
    lens TEXT,
    orientation INTEGER,
    width INTEGER,
    height INTEGER,
    gps_lat REAL,
    gps_lon REAL,
    has_raw INTEGER NOT NULL DEFAULT 0,
    missing INTEGER NOT NULL DEFAULT 0,
    added_at TEXT,
    updated_at TEXT,
    UNIQUE (folder, stem)
);
CREATE INDEX photos_by_taken_at ON photos (taken_at, id);

CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    photo_id INTEGER NOT NULL REFERENCES photos (id),
    path TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    ext TEXT NOT NULL,
    kind TEXT NOT NULL,
    size INTEGER,
    mtime_ns INTEGER,
    fingerprint TEXT,
    missing INTEGER NOT NULL DEFAULT 0,
    last_scan_id INTEGER
);
CREATE INDEX files_by_photo ON files (photo_id);
CREATE INDEX files_by_fingerprint ON files (fingerprint);

CREATE TABLE labels (
    photo_id INTEGER PRIMARY KEY REFERENCES photos (id),
    label TEXT,
    landmark_id TEXT,
    score REAL,
    source TEXT NOT NULL,
    state TEXT NOT NULL,
    model_id TEXT,
    updated_at TEXT
);
CREATE INDEX labels_by_label ON labels (label COLLATE NOCASE);
CREATE INDEX labels_by_state ON labels (state);
CREATE INDEX labels_by_score ON labels (score);

CREATE TABLE predictions (
    photo_id INTEGER NOT NULL,
    model_id TEXT NOT NULL,
    rank INTEGER NOT NULL,
    landmark_id TEXT,
    label TEXT,
    score REAL,
    PRIMARY KEY (photo_id, model_id, rank)
);

CREATE TABLE tagged (
    photo_id INTEGER NOT NULL,
    model_id TEXT NOT NULL,
    file_fingerprint TEXT,
    tagged_at TEXT,
    PRIMARY KEY (photo_id, model_id)
);

CREATE TABLE embeddings (
    photo_id INTEGER NOT NULL,
    model_id TEXT NOT NULL,
    vector BLOB,
    PRIMARY KEY (photo_id, model_id)
);

CREATE TABLE errors (
    id INTEGER PRIMARY KEY,
    path TEXT,
    photo_id INTEGER,
    stage TEXT NOT NULL,
    message TEXT NOT NULL,
    run_id INTEGER,
    at TEXT
);
CREATE INDEX errors_by_run ON errors (run_id);

CREATE TABLE scan_runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT,
    finished_at TEXT,
    roots TEXT,
    photos INTEGER DEFAULT 0,
    new INTEGER DEFAULT 0,
    changed INTEGER DEFAULT 0,
    moved INTEGER DEFAULT 0,
    missing INTEGER DEFAULT 0,
    errors INTEGER DEFAULT 0,
    status TEXT
);

CREATE TABLE library_roots (
    path TEXT PRIMARY KEY,
    added_at TEXT
);

CREATE TABLE write_batches (
    id INTEGER PRIMARY KEY,
    started_at TEXT,
    finished_at TEXT,
    status TEXT,
    undone_at TEXT
);

CREATE TABLE write_journal (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER,
    photo_id INTEGER,
    path TEXT,
    kind TEXT,
    before TEXT,
    after TEXT,
    size_after INTEGER,
    mtime_ns_after INTEGER,
    at TEXT
);
CREATE INDEX write_journal_by_batch ON write_journal (batch_id);

CREATE TABLE taught_refs (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    photo_id INTEGER NOT NULL,
    model_id TEXT NOT NULL,
    vector BLOB,
    created_at TEXT,
    UNIQUE (label, photo_id, model_id)
);

CREATE TABLE rejections (
    photo_id INTEGER NOT NULL,
    label TEXT NOT NULL,
    PRIMARY KEY (photo_id, label)
);

CREATE VIRTUAL TABLE photos_fts USING fts5 (
    label, folder, names, camera,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
"""

# photos.search_text: the folded words of the photo's FTS row, tested row by row
# when a search walks photos newest first (see app/core/index/search_text.py).
def migration_2(conn: sqlite3.Connection) -> None:
    from app.core.index.search_text import refresh_search_text

    conn.execute("ALTER TABLE photos ADD COLUMN search_text TEXT NOT NULL DEFAULT ' '")
    for (photo_id,) in conn.execute("SELECT id FROM photos").fetchall():
        refresh_search_text(conn, photo_id)


# A narrow covering index: sorting the photos an FTS/label lookup picked reads
# this instead of the wide rows (10x fewer pages on a million photos).
MIGRATION_3 = """
CREATE INDEX photos_sort_key ON photos (id, missing, taken_at, has_raw, gps_lat);
CREATE INDEX photos_by_folder_time ON photos (folder, missing, taken_at, id)
"""

# photos.sort_key and photos_by_time (see app/core/index/time_order.py): pages
# newest first straight from an index. Triggers keep photos_by_time in step
# with photos.search_text/taken_at and labels.state, whoever writes them.
def migration_4(conn: sqlite3.Connection) -> None:
    from app.core.index.time_order import SORT_KEY_SQL, TIME_TABLE, words_sql

    state_of = lambda photo: f"(SELECT state FROM labels WHERE photo_id = {photo})"  # noqa: E731
    refill = lambda photo, state: (  # noqa: E731
        f"DELETE FROM {TIME_TABLE} WHERE rowid = (SELECT sort_key FROM photos WHERE id = {photo}); "
        f"INSERT INTO {TIME_TABLE} (rowid, words) SELECT sort_key, {words_sql('search_text', state)} "
        f"FROM photos WHERE id = {photo};"
    )
    statements = [
        f"ALTER TABLE photos ADD COLUMN sort_key INTEGER GENERATED ALWAYS AS ({SORT_KEY_SQL}) VIRTUAL",
        "CREATE INDEX photos_by_sort_key ON photos (sort_key)",
        f"CREATE VIRTUAL TABLE {TIME_TABLE} USING fts5 (words, "
        "tokenize = \"unicode61 remove_diacritics 2 tokenchars '.'\", prefix = '2 3', columnsize = 0)",
        f"INSERT INTO {TIME_TABLE} (rowid, words) SELECT p.sort_key, {words_sql('p.search_text', 'l.state')} "
        "FROM photos p LEFT JOIN labels l ON l.photo_id = p.id ORDER BY p.sort_key",  # rising rowids: no flush per row
        f"CREATE TRIGGER photos_by_time_insert AFTER INSERT ON photos BEGIN "
        f"INSERT INTO {TIME_TABLE} (rowid, words) VALUES (NEW.sort_key, "
        f"{words_sql('NEW.search_text', state_of('NEW.id'))}); END",
        f"CREATE TRIGGER photos_by_time_update AFTER UPDATE OF id, taken_at, search_text ON photos "
        f"WHEN OLD.sort_key IS NOT NEW.sort_key OR OLD.search_text IS NOT NEW.search_text BEGIN "
        f"DELETE FROM {TIME_TABLE} WHERE rowid = OLD.sort_key; "
        f"INSERT INTO {TIME_TABLE} (rowid, words) VALUES (NEW.sort_key, "
        f"{words_sql('NEW.search_text', state_of('NEW.id'))}); END",
        f"CREATE TRIGGER photos_by_time_delete AFTER DELETE ON photos BEGIN "
        f"DELETE FROM {TIME_TABLE} WHERE rowid = OLD.sort_key; END",
        f"CREATE TRIGGER labels_by_time_insert AFTER INSERT ON labels BEGIN {refill('NEW.photo_id', 'NEW.state')} END",
        f"CREATE TRIGGER labels_by_time_update AFTER UPDATE OF photo_id, state ON labels "
        f"WHEN OLD.photo_id IS NOT NEW.photo_id OR OLD.state IS NOT NEW.state BEGIN "
        f"{refill('OLD.photo_id', state_of('OLD.photo_id'))} {refill('NEW.photo_id', 'NEW.state')} END",
        f"CREATE TRIGGER labels_by_time_delete AFTER DELETE ON labels BEGIN "
        f"{refill('OLD.photo_id', state_of('OLD.photo_id'))} END",
    ]
    for statement in statements:
        conn.execute(statement)


# search_words: every word of photos.search_text, so a search-as-you-type
# prefix ("eiff") becomes the few whole words it stands for; FTS5 would merge
# the whole doclist of a prefix before its first row. Words are only added
# (a stale one matches nothing).
def migration_5(conn: sqlite3.Connection) -> None:
    from app.core.index.time_order import words_of_sql

    conn.execute("CREATE TABLE search_words (word TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.execute(f"INSERT OR IGNORE INTO search_words (word) SELECT {words_of_sql('p.search_text')}")
    conn.execute(
        "CREATE TRIGGER search_words_insert AFTER INSERT ON photos BEGIN "
        f"INSERT OR IGNORE INTO search_words (word) SELECT {words_of_sql('NEW.search_text', single=True)}; END"
    )
    conn.execute(
        "CREATE TRIGGER search_words_update AFTER UPDATE OF search_text ON photos "
        "WHEN OLD.search_text IS NOT NEW.search_text BEGIN "
        f"INSERT OR IGNORE INTO search_words (word) SELECT {words_of_sql('NEW.search_text', single=True)}; END"
    )


# photos_by_time triggers, cheaper: a photo without words yet (search_text
# ' ', as the scanner inserts it just before writing its words) has no row, so
# a new photo costs one FTS write instead of three; while such photos exist,
# searches use the plain plan (the partial index finds them at once). A state
# change re-indexes the photo once, not twice.
TIME_TRIGGERS = (
    "photos_by_time_insert", "photos_by_time_update", "photos_by_time_delete",
    "labels_by_time_insert", "labels_by_time_update", "labels_by_time_delete",
)


def migration_6(conn: sqlite3.Connection) -> None:
    from app.core.index.time_order import TIME_TABLE, words_sql

    state_of = lambda photo: f"(SELECT state FROM labels WHERE photo_id = {photo})"  # noqa: E731
    insert = lambda key, text, state, where: (  # noqa: E731
        f"INSERT INTO {TIME_TABLE} (rowid, words) SELECT {key}, {words_sql(text, state)} WHERE {where};"
    )
    refill = lambda photo, state, when="1": (  # noqa: E731
        f"DELETE FROM {TIME_TABLE} WHERE {when} AND rowid = (SELECT sort_key FROM photos WHERE id = {photo}); "
        f"INSERT INTO {TIME_TABLE} (rowid, words) SELECT sort_key, {words_sql('search_text', state)} "
        f"FROM photos WHERE {when} AND id = {photo} AND search_text <> ' ';"
    )
    has_words = "NEW.search_text <> ' '"
    for name in TIME_TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    statements = [
        "CREATE INDEX photos_without_words ON photos (id) WHERE search_text = ' '",
        f"DELETE FROM {TIME_TABLE} WHERE rowid IN (SELECT sort_key FROM photos WHERE search_text = ' ')",
        "CREATE TRIGGER photos_by_time_insert AFTER INSERT ON photos BEGIN "
        f"{insert('NEW.sort_key', 'NEW.search_text', state_of('NEW.id'), has_words)} END",
        "CREATE TRIGGER photos_by_time_update AFTER UPDATE OF id, taken_at, search_text ON photos "
        "WHEN OLD.sort_key IS NOT NEW.sort_key OR OLD.search_text IS NOT NEW.search_text BEGIN "
        f"DELETE FROM {TIME_TABLE} WHERE rowid = OLD.sort_key; "
        f"{insert('NEW.sort_key', 'NEW.search_text', state_of('NEW.id'), has_words)} END",
        f"CREATE TRIGGER photos_by_time_delete AFTER DELETE ON photos BEGIN "
        f"DELETE FROM {TIME_TABLE} WHERE rowid = OLD.sort_key; END",
        f"CREATE TRIGGER labels_by_time_insert AFTER INSERT ON labels BEGIN {refill('NEW.photo_id', 'NEW.state')} END",
        "CREATE TRIGGER labels_by_time_update AFTER UPDATE OF photo_id, state ON labels "
        "WHEN OLD.photo_id IS NOT NEW.photo_id OR OLD.state IS NOT NEW.state BEGIN "
        f"{refill('OLD.photo_id', state_of('OLD.photo_id'), 'OLD.photo_id IS NOT NEW.photo_id')} "
        f"{refill('NEW.photo_id', 'NEW.state')} END",
        f"CREATE TRIGGER labels_by_time_delete AFTER DELETE ON labels BEGIN "
        f"{refill('OLD.photo_id', state_of('OLD.photo_id'))} END",
    ]
    for statement in statements:
        conn.execute(statement)


# photos_by_time without prefix indexes: search_words already turns a typed
# prefix into whole words, and the prefix indexes cost ~40 µs per new photo
# and a third of the table's size. Rows go in in key order (no flush per row).
def migration_7(conn: sqlite3.Connection) -> None:
    from app.core.index.time_order import TIME_TABLE, fill_time_table

    conn.execute(f"DROP TABLE {TIME_TABLE}")
    conn.execute(
        f"CREATE VIRTUAL TABLE {TIME_TABLE} USING fts5 (words, "
        "tokenize = \"unicode61 remove_diacritics 2 tokenchars '.'\", columnsize = 0)"
    )
    fill_time_table(conn)


# A bundle with descriptors (model.descriptor) stores each photo's descriptor beside
# its embedding (float16: teaching compares them by cosine, 1 KB a photo at 512-d, 2.5 KB at 1280-d).
MIGRATION_8 = "ALTER TABLE embeddings ADD COLUMN descriptor BLOB;"


# errors: each file's current problem per stage instead of a log. Every rescan of an
# unreadable file added its error again (`stats` counted 22 errors for 11 bad files
# after a scan and a tag, and the count grew with each rescan), and a file that reads
# again kept its old error. Existing rows keep the newest per problem. AUTOINCREMENT:
# the GUI shows the rows newer than the id it saw when a job started, so a replaced
# row must never get an old id back.
def migration_9(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE errors_current (id INTEGER PRIMARY KEY AUTOINCREMENT, path TEXT, photo_id INTEGER, "
        "stage TEXT NOT NULL, message TEXT NOT NULL, run_id INTEGER, at TEXT)"
    )
    conn.execute(
        "INSERT INTO errors_current (id, path, photo_id, stage, message, run_id, at) "
        "SELECT id, path, photo_id, stage, message, run_id, at FROM errors WHERE id IN "
        "(SELECT max(id) FROM errors GROUP BY stage, coalesce(path, 'photo ' || photo_id))"
    )
    conn.execute("DROP TABLE errors")
    conn.execute("ALTER TABLE errors_current RENAME TO errors")
    conn.execute("CREATE INDEX errors_by_run ON errors (run_id)")
    conn.execute("CREATE INDEX errors_by_problem ON errors (path, stage)")
    conn.execute("CREATE INDEX errors_by_photo ON errors (photo_id)")


# labels.label_key: `label:` compared labels with NOCASE, which folds ASCII only, so
# label:"chateau d'if" (or "CHÂTEAU D'IF") missed "Château d'If" while the free words
# found it. The key is the label's folded words (search_text.label_key), kept by
# app.core.index.labels on every write.
def migration_10(conn: sqlite3.Connection) -> None:
    from app.core.index.search_text import label_key

    conn.execute("ALTER TABLE labels ADD COLUMN label_key TEXT")
    # one pass over the table (a million labels in seconds); the function is needed only here
    conn.create_function("migration_label_key", 1, label_key, deterministic=True)
    conn.execute("UPDATE labels SET label_key = migration_label_key(label) WHERE label IS NOT NULL")
    conn.execute("CREATE INDEX labels_by_key ON labels (label_key)")


# forgotten_places: the taught labels the user told the app to forget. Their photos keep
# the label, and `tag` teaches such labels again (app.core.teaching.teach_untaught_labels:
# labels read back from the files, or set with no usable model) unless they are listed
# here; teaching the label again takes it off the list.
MIGRATION_11 = "CREATE TABLE forgotten_places (label TEXT PRIMARY KEY, forgotten_at TEXT);"

# A library folder that a photo given by its file brought in holds that folder only
# (`tag ~/DSC_0042.JPG` must not read the whole home folder); folders added as such
# hold the folders below them too, as before.
MIGRATION_12 = "ALTER TABLE library_roots ADD COLUMN recursive INTEGER NOT NULL DEFAULT 1;"

# The contents a changed file of an indexed photo held before a scan read other contents in
# it (app.core.renamed_over): a photo whose picture went to another name gives its name up
# once the scan has seen where; kept until a scan decides, so a scan killed or cancelled
# before that leaves the next one what it needs. The journal is looked up by photo when a
# photo moves.
MIGRATION_13 = """
CREATE TABLE contents_before (
    photo_id INTEGER NOT NULL,
    path TEXT NOT NULL,
    name TEXT NOT NULL,
    ext TEXT NOT NULL,
    kind TEXT NOT NULL,
    size INTEGER,
    fingerprint TEXT NOT NULL,
    run_id INTEGER NOT NULL
);
CREATE INDEX contents_before_by_photo ON contents_before (photo_id);
CREATE INDEX write_journal_by_photo ON write_journal (photo_id);
"""

# Each entry upgrades the schema by one version; never edit a released entry.
MIGRATIONS: tuple[str | Callable[[sqlite3.Connection], None], ...] = (
    MIGRATION_1, migration_2, MIGRATION_3, migration_4, migration_5, migration_6, migration_7, MIGRATION_8,
    migration_9, migration_10, MIGRATION_11, MIGRATION_12, MIGRATION_13, migration_14,
    migration_15, migration_16, migration_17, migration_18, migration_19, migration_20,
    migration_21, migration_22, migration_23, migration_24, migration_25, migration_26, migration_27, migration_28,
    migration_29, migration_30, migration_31, migration_32, migration_33, migration_34, migration_35, migration_36,
    migration_37, migration_38, migration_39, migration_40, migration_41, migration_42, migration_43,
    migration_44, migration_45, migration_46, migration_47, migration_48, migration_49, migration_50, migration_51,
    migration_52,
)

LATEST_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, path_for_messages: str,
            before_upgrade: Callable[[int, int], None] | None = None,
            progress: Callable[[int], None] | None = None) -> None:
    """Bring the schema up to LATEST_VERSION; safe when two processes open an index
    at once (the version is re-read under the write lock). `before_upgrade(old, new)`
    runs under that lock before an existing index (not a new one, at 0) is changed,
    to keep a copy of it; what it raises leaves the index as it was. None runs when
    the other process upgraded (or created) the index while this one waited for the
    lock: its copy, of the index as the older version left it, is the one to keep.
    An existing index another process has open is not upgraded (IndexInUseError): an
    older app would go on writing into the new schema in its old ways. `progress(n)`
    is told each schema n reached."""
    version = schema_version(conn)
    if version == LATEST_VERSION:
        return
    if version > LATEST_VERSION:  # said at once, not after waiting for another copy's write lock
        raise _newer_index(path_for_messages, version)
    open_elsewhere = version > 0 and others_have_it_open(conn)  # (no transaction may be open for it)
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = schema_version(conn)
        if version > LATEST_VERSION:
            raise _newer_index(path_for_messages, version)
        if 0 < version < LATEST_VERSION and open_elsewhere:  # (at LATEST: another process upgraded it meanwhile)
            raise IndexInUseError(still_open_message(path_for_messages))
        if 0 < version < LATEST_VERSION and before_upgrade is not None:
            before_upgrade(version, LATEST_VERSION)
        for number in range(version, LATEST_VERSION):
            step = MIGRATIONS[number]
            if callable(step):
                step(conn)
            else:
                for statement in _statements(step):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number + 1}")
            if progress is not None:
                progress(number + 1)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _newer_index(path_for_messages: str, version: int) -> IndexStoreError:
    from app.core.index.backup import copies_opened_by, is_restore_copy, is_upgrade_copy  # (no cycle at run time)
    from app.core.wording import shell_quote

    fitting = copies_opened_by(path_for_messages, LATEST_VERSION)
    way_back = ""
    if fitting:
        copy, schema = fitting[-1]
        which = ("the copy taken before that upgrade" if is_upgrade_copy(copy) else
                 "the copy kept before the last `restore-index`" if is_restore_copy(copy) else "the newest copy")
        since = "that upgrade" if is_upgrade_copy(copy) else "it was taken"
        way_back = (f", or go back to {which}, which this one opens (schema {schema}; what changed since {since} is "
                    f"not in it, and the index as it is is kept): `landmark-tagger restore-index {shell_quote(str(copy))}`")
        if len(fitting) > 1:  # (an earlier upgrade's copy may hold labels the newest lacks)
            way_back += f"; all {len(fitting)} copies it opens are in {copy.parent}"
    return IndexStoreError(
        f"{path_for_messages} was written by a newer version of landmark-tagger "
        f"(schema {version}, this one knows {LATEST_VERSION}); upgrade the app{way_back}"
    )


def _statements(script: str) -> list[str]:
    """Split a migration into statements (they contain no ';' inside literals)."""
    return [part.strip() for part in script.split(";") if part.strip()]
