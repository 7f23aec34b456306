"""The index's schema migrations from version 14 to 36 (schema.py lists them all in
MIGRATIONS, and keeps the older ones; migrations_latest those from 37 on); each upgrades
the schema by one version and is never edited once released."""

from __future__ import annotations

import re
import sqlite3


# The scan that first read a file's present contents (new at its path, changed, or back
# after missing), so a picture read anew at another name tells a rename from a duplicate
# merely read again (app.core.renamed_over). (A development build put the column into
# migration 13 for a while: an index it made has it already.)
def migration_14(conn: sqlite3.Connection) -> None:
    columns = {row[1] for row in conn.execute("PRAGMA table_info(files)")}
    if "contents_scan_id" not in columns:
        conn.execute("ALTER TABLE files ADD COLUMN contents_scan_id INTEGER")


# Planning a write asks the journal about each planned file by its path: without an
# index each question reads the whole journal. (Added only where missing, as 14 does.)
def migration_15(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE INDEX IF NOT EXISTS write_journal_by_path ON write_journal (path, id)")


# A scan killed before its move recognition leaves that work to the next scan
# (app/core/index/scan_runs.py): the newest photo before it (photos_before, NULL once
# nothing is owed), the photos that went missing in it (moves_pending), and its
# process (pid, host) to tell a scan that runs from one that was killed. (Added only
# where missing, as 14 does.)
def migration_16(conn: sqlite3.Connection) -> None:
    columns = {row[1] for row in conn.execute("PRAGMA table_info(scan_runs)")}
    for column, kind in (("photos_before", "INTEGER"), ("pid", "INTEGER"), ("host", "TEXT")):
        if column not in columns:
            conn.execute(f"ALTER TABLE scan_runs ADD COLUMN {column} {kind}")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS moves_pending (photo_id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, "
        "other_spelling INTEGER NOT NULL DEFAULT 0)")
    conn.execute("CREATE INDEX IF NOT EXISTS moves_pending_by_run ON moves_pending (run_id)")


# The start time of a scan's process (psutil's create_time, seconds since the epoch):
# with the pid it tells the scan's process from another that got its id later
# (app/core/index/scan_runs.py). NULL for rows written before. (Added only where missing.)
def migration_17(conn: sqlite3.Connection) -> None:
    columns = {row[1] for row in conn.execute("PRAGMA table_info(scan_runs)")}
    if "pid_started" not in columns:
        conn.execute("ALTER TABLE scan_runs ADD COLUMN pid_started REAL")


# A scan of a version before 16 killed between committing its walk and recognising
# moves left a 'running' row that owes nothing by 16's columns, so its moved photos
# stayed missing. What it owed is derived from what those versions recorded, for the
# newest row only (later scans would have changed what tells it) and only where that
# reads unambiguously, else it owes nothing, as before: its new photos are the ones
# added since it started whose files it read (contents_scan_id), the photos that went
# missing in it the ones marked missing since it started (only scans change
# photos.updated_at there). Times are compared to the second, so the scan before it
# must have ended in an earlier second. The next scan then takes it over
# (app/core/index/scan_runs.py). (Migration 24 does the same for the older such rows.)
def migration_18(conn: sqlite3.Connection) -> None:
    run = conn.execute(
        "SELECT id, julianday(started_at) FROM scan_runs ORDER BY id DESC LIMIT 1").fetchone()
    if run is None or run[1] is None or not conn.execute(
            "SELECT 1 FROM scan_runs WHERE id = ? AND status = 'running' AND pid IS NULL "
            "AND photos_before IS NULL", (run[0],)).fetchone():
        return
    _record_what_a_killed_scan_owed(conn, run[0], run[1], None)


def _record_what_a_killed_scan_owed(conn: sqlite3.Connection, run_id: int, started: float,
                                    next_started: float | None) -> None:
    """Migrations 18 and 24: scan `run_id` of a version before 16, killed, started at
    julianday `started`; the scan after it at `next_started` (None: there is none yet),
    so the photos it marked missing are those marked before that."""
    ended_before = conn.execute(
        "SELECT count(*), count(julianday(coalesce(finished_at, started_at))), "
        "max(julianday(coalesce(finished_at, started_at))) FROM scan_runs WHERE id < ?", (run_id,)).fetchone()
    if ended_before[0] != ended_before[1] or (ended_before[2] is not None and ended_before[2] >= started):
        return  # a time that cannot be read, or the same second: which scan did what is unclear
    if next_started is not None and next_started <= started:
        return  # the scan after it started in the same second (or the clock went back)
    first_new = conn.execute(
        "SELECT min(p.id) FROM photos p WHERE julianday(p.added_at) >= ? AND EXISTS "
        "(SELECT 1 FROM files f WHERE f.photo_id = p.id AND f.contents_scan_id = ?)", (started, run_id)).fetchone()[0]
    if first_new is None or conn.execute(
            "SELECT 1 FROM photos WHERE id > ? AND (julianday(added_at) < ? OR julianday(added_at) IS NULL) LIMIT 1",
            (first_new, started)).fetchone():
        return  # nothing it brought in to join, or ids that do not follow the times
    photos_before = int(conn.execute(
        "SELECT coalesce(max(id), 0) FROM photos WHERE id < ?", (first_new,)).fetchone()[0])
    conn.execute(
        "INSERT OR IGNORE INTO moves_pending (photo_id, run_id, other_spelling) "
        "SELECT id, ?, 0 FROM photos WHERE missing = 1 AND id <= ? AND julianday(updated_at) >= ? "
        "AND (? IS NULL OR julianday(updated_at) < ?)",
        (run_id, photos_before, started, next_started, next_started))
    conn.execute("UPDATE scan_runs SET photos_before = ? WHERE id = ?", (photos_before, run_id))


# What a file was (or a photo's files were) when its problem was met: a file that could
# not be read, or a photo that could not be decoded, is not read again while it is so
# (app/core/index/problems.py): a card of truncated files is not decoded at every `tag`.
# NULL for a problem that can go without the file changing (a permission) and for rows
# written before, which are read once more. (Added only where missing, as 14 does.)
def migration_19(conn: sqlite3.Connection) -> None:
    columns = {row[1] for row in conn.execute("PRAGMA table_info(errors)")}
    if "file_state" not in columns:
        conn.execute("ALTER TABLE errors ADD COLUMN file_state TEXT")


# photos_fts held the words as written, and FTS5 folds less than search_text.fold_words
# does ("ß", Greek accents, full-width letters, ligatures stay): a search without a page
# limit, answered from photos_fts, missed photos that one with a limit found in
# search_text (`search strasse` against "Straße"). Its rows now hold the folded words
# (search_text.fts_row), as queries fold theirs; refilled into a new table in rowid
# order (8 s for 300,000 photos; updating the rows in place took 11 s).
def migration_20(conn: sqlite3.Connection) -> None:
    _refill_photos_fts(conn, ("label", "folder", "names", "camera"), (
        "SELECT rowid, migration_folded_text(label), migration_folded_text(folder), migration_folded_text(names), "
        "migration_folded_text(camera) FROM photos_fts ORDER BY rowid"))


def _refill_photos_fts(conn: sqlite3.Connection, columns: tuple[str, ...], rows: str) -> None:
    """Migrations 20 and 26: photos_fts replaced by a table of these `columns` (FTS5
    changes none of a table's), filled from `rows`, a SELECT of the rowid and each column
    in rowid order (no segment flushed per row) that may fold a text with
    migration_folded_text (search_text.folded_text)."""
    from app.core.index.search_text import folded_text

    conn.create_function("migration_folded_text", 1, lambda text: folded_text(str(text or "")), deterministic=True)
    conn.execute(
        f"CREATE VIRTUAL TABLE photos_fts_refilled USING fts5 ({', '.join(columns)}, "
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
    )
    conn.execute(f"INSERT INTO photos_fts_refilled (rowid, {', '.join(columns)}) {rows}")
    conn.execute("DROP TABLE photos_fts")
    conn.execute("ALTER TABLE photos_fts_refilled RENAME TO photos_fts")


# A date taken that does not exist (2019:13:45 from a corrupted camera clock, 30
# February) was stored as it was: it matched has:date and after:, sorted as the newest
# photo and broke the app's Dates list. The reader now calls it no date; the photos an
# older version indexed so lose it too (a stored text of another form is left alone).
_STORED_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2}))?")


def migration_21(conn: sqlite3.Connection) -> None:
    from app.core.capture_time import is_real_moment

    def impossible(text) -> int:
        match = _STORED_DATE.match(str(text))
        return int(match is not None and not is_real_moment(*match.groups()))

    conn.create_function("migration_impossible_date", 1, impossible, deterministic=True)
    conn.execute("UPDATE photos SET taken_at = NULL "
                 "WHERE taken_at IS NOT NULL AND migration_impossible_date(taken_at)")


# photos.search_text ran the words of all fields together ("… dsc 0001 jpg nikon d40 …"),
# so a phrase whose words meet across two fields ("jpg nikon": the end of the file names,
# the start of the camera) matched the page a limited search read from it but no
# photos_fts column: `search --limit 5 '"jpg nikon"'` showed photos that `search` and
# `--count` did not find. A typed prefix ("di") matched the tagged words ("dir.paris")
# the same way. Each field's words now stand apart and tagged words start with '.'
# (search_text.FIELD_BREAK), rewritten from photos_fts, whose columns hold the folded
# words since 20. The same words, only apart: the triggers that follow search_text
# (search_words, photos_by_time row by row) are set aside meanwhile, then photos_by_time
# is refilled in key order, cheaper than an FTS delete and insert per photo.
SEARCH_TEXT_TRIGGERS = ("photos_by_time_update", "search_words_update")


def migration_22(conn: sqlite3.Connection) -> None:
    _rewrite_search_text(conn, ("label", "folder", "names", "camera"))


def _rewrite_search_text(conn: sqlite3.Connection, columns: tuple[str, ...], only: str = "1") -> None:
    """Migrations 22 and 26: photos.search_text of the photos matching `only` rewritten
    from these photos_fts columns (their folded words), the triggers that follow it set
    aside meanwhile, then photos_by_time refilled in key order (cheaper than an FTS
    delete and insert per photo). search_words is left as it was."""
    from app.core.index.search_text import search_text_of
    from app.core.index.time_order import TIME_TABLE, fill_time_table

    conn.create_function(
        "migration_search_text", len(columns), lambda *fields: search_text_of(*(str(f or "").split() for f in fields)),
        deterministic=True)
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?)", SEARCH_TEXT_TRIGGERS).fetchall()
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute(
        f"UPDATE photos SET search_text = (SELECT migration_search_text({', '.join(columns)}) "
        f"FROM photos_fts WHERE rowid = photos.id) WHERE search_text <> ' ' AND id IN (SELECT rowid FROM photos_fts) "
        f"AND ({only})")
    for _, sql in triggers:
        conn.execute(sql)
    (table_sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (TIME_TABLE,)).fetchone()
    conn.execute(f"DROP TABLE {TIME_TABLE}")
    conn.execute(table_sql)
    fill_time_table(conn)


# The lens was read from EXIF's LensModel only, which few cameras write (none of the
# real camera JPEGs the tests use): the reader now also finds it in an XMP, Nikon's
# maker notes and LensSpecification, but a rescan never opens an unchanged file, so
# the photos an older version indexed kept no lens. Those without one are marked for
# the next scan of their folder to read their headers once more (app/core/index/rereads.py):
# no decode and no tagging, labels and review states untouched.
def migration_23(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS photos_to_reread (photo_id INTEGER PRIMARY KEY)")
    conn.execute("INSERT OR IGNORE INTO photos_to_reread (photo_id) SELECT id FROM photos WHERE lens IS NULL")


# Two things of scan_runs:
# - The boot a scan's process started on (`pid_boot`, Linux's boot id), with
#   `pid_started` then in seconds since that boot: psutil's create_time there moves
#   with every step of the wall clock, which made a scan still running look killed
#   (app/core/index/scan_runs.py). NULL for rows written before and on other systems,
#   whose `pid_started` is create_time. (Added only where missing, as 14 does.)
# - Migration 18 derived what a scan of a version before 16 killed owed only for the
#   newest row: an index whose older version was killed in several scans kept the
#   moved photos of the older ones missing. Each such row still 'running' without a
#   process, owing nothing (never taken over), now gets it the same way, its window
#   ending where the scan after it started. Nothing a later version does changes what
#   that reads (its scans add photos and mark them later), so this also completes an
#   index upgraded through 18 before.
def migration_24(conn: sqlite3.Connection) -> None:
    columns = {row[1] for row in conn.execute("PRAGMA table_info(scan_runs)")}
    if "pid_boot" not in columns:
        conn.execute("ALTER TABLE scan_runs ADD COLUMN pid_boot TEXT")
    killed = conn.execute(
        "SELECT r.id, julianday(r.started_at), (SELECT coalesce(julianday(n.started_at), 0) FROM scan_runs n "
        "WHERE n.id > r.id ORDER BY n.id LIMIT 1) FROM scan_runs r WHERE r.status = 'running' AND r.pid IS NULL "
        "AND r.photos_before IS NULL AND julianday(r.started_at) IS NOT NULL ORDER BY r.id").fetchall()
    for run_id, started, next_started in killed:  # (a next start that cannot be read reads as 0: unclear)
        _record_what_a_killed_scan_owed(conn, run_id, started, next_started)


# The process writing a write batch (pid, host and its start, as scan_runs records a
# scan's): an undo or a second write in another process must not take a batch a live
# process is still writing (app/core/index/running_writes.py). NULL for batches written
# before, which count as cut short when they still say 'running'. (Added only where missing.)
def migration_25(conn: sqlite3.Connection) -> None:
    _add_missing_columns(conn, "write_batches", (("pid", "INTEGER"), ("host", "TEXT"), ("pid_started", "REAL"),
                                                 ("pid_boot", "TEXT")))


def _add_missing_columns(conn: sqlite3.Connection, table: str, columns: tuple[tuple[str, str], ...]) -> None:
    """ALTER TABLE `table` ADD COLUMN for each (name, type) it lacks (an index an
    unreleased build already gave them upgrades all the same)."""
    present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
    for column, kind in columns:
        if column not in present:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


# Two things:
# - `lens:` and free words find a photo by its lens (as Lightroom and digiKam filter by
#   it): photos_fts gets a lens column (FTS5 adds none to a table: refilled into a new
#   one in rowid order, as 20 does) and search_text the lens words, plain and tagged
#   ".lens." (search_text.LENS_TAG), for the photos that have a lens; search_words gets
#   those words, so a typed prefix finds them too.
# - taught_refs is indexed by photo: dropping or listing what some photos teach
#   (teaching_store.forget_photos, labels_taught_by: every label, teach, forget of a
#   folder) read the whole table, once per photo or per 500 of them.
def migration_26(conn: sqlite3.Connection) -> None:
    from app.core.index.time_order import words_of_sql

    columns = ("label", "folder", "names", "camera", "lens")
    _refill_photos_fts(conn, columns, (
        "SELECT f.rowid, f.label, f.folder, f.names, f.camera, migration_folded_text(p.lens) FROM photos_fts f "
        "LEFT JOIN photos p ON p.id = f.rowid ORDER BY f.rowid"))
    with_lens = "lens IS NOT NULL"
    _rewrite_search_text(conn, columns, only=with_lens)
    conn.execute(f"INSERT OR IGNORE INTO search_words (word) SELECT {words_of_sql('p.search_text')} AND p.{with_lens}")
    conn.execute("CREATE INDEX IF NOT EXISTS taught_refs_by_photo ON taught_refs (photo_id)")


# The process undoing a write batch (undo_pid, undo_host, undo_pid_started, undo_pid_boot,
# undo_started_at; NULL while none does): a write or a second undo must not start while
# a live process restores the batch's files (app/core/index/running_writes.py).
# (Added only where missing.)
def migration_27(conn: sqlite3.Connection) -> None:
    _add_missing_columns(conn, "write_batches", (("undo_pid", "INTEGER"), ("undo_host", "TEXT"),
                                                 ("undo_pid_started", "REAL"), ("undo_pid_boot", "TEXT"),
                                                 ("undo_started_at", "TEXT")))


# Labels in two Unicode forms (follow-up to 1d05021, which made model.labels.label_form
# the one form a label comes in): a model trained on macOS named its classes as the
# folders were listed, decomposed (NFD: "Cha" + U+0302 + "teau d'If"), and an index it
# tagged kept those labels beside the composed ones the user typed. label: and keywords
# took the two as one, but the Landmarks list, forget, rename and a correction compare
# labels as stored: one place showed twice, and the user's composed label rejected the
# model's. Every stored label (photos' labels, rejections, predictions, taught references,
# forgotten places, and the taught landmark ids "taught:NAME" made of them) is now in
# label_form, spellings that become one merged as rename merges them (references and
# forgotten places: teaching_store.rename_label). A photo whose label is now the name of
# one of its rejections keeps the user's latest word: their label (accepted, or their
# own) drops the rejection (it rejected a look-alike of the place they chose), a
# suggestion becomes rejected (the user rejected that place for the photo; the model
# suggested it again only under the other form). The folded words (label_key,
# photos_fts, search_text) are the same in both forms.
def migration_28(conn: sqlite3.Connection) -> None:
    from app.core import teaching_store
    from app.core.index.search_text import label_key
    from model.labels import label_form
    from model.predictor import TAUGHT_ID_PREFIX

    taught = (len(TAUGHT_ID_PREFIX), TAUGHT_ID_PREFIX, len(TAUGHT_ID_PREFIX) + 1)
    spellings = [row[0] for row in conn.execute(
        "SELECT label FROM labels UNION SELECT label FROM rejections UNION SELECT label FROM predictions "
        "UNION SELECT label FROM taught_refs UNION SELECT label FROM forgotten_places "
        "UNION SELECT substr(landmark_id, ?3) FROM labels WHERE substr(landmark_id, 1, ?1) = ?2 "
        "UNION SELECT substr(landmark_id, ?3) FROM predictions WHERE substr(landmark_id, 1, ?1) = ?2", taught)]
    forms = {old: new for old in spellings if isinstance(old, str) and (new := label_form(old)) and new != old}
    if not forms:
        return  # (most indexes: labels typed, or a model that named its classes composed)
    conn.execute("CREATE TEMP TABLE migration_label_forms (old TEXT PRIMARY KEY, new TEXT NOT NULL)")
    conn.executemany("INSERT INTO temp.migration_label_forms (old, new) VALUES (?, ?)", forms.items())
    conn.create_function("migration_label_key", 1, label_key, deterministic=True)
    new_of = "(SELECT new FROM temp.migration_label_forms WHERE old = {})"
    rewritten = "IN (SELECT old FROM temp.migration_label_forms)"
    conn.execute(f"UPDATE labels SET label = {new_of.format('labels.label')}, "
                 f"label_key = migration_label_key({new_of.format('labels.label')}) WHERE label {rewritten}")
    conn.execute(f"UPDATE predictions SET label = {new_of.format('predictions.label')} WHERE label {rewritten}")
    for table in ("labels", "predictions"):
        conn.execute(
            f"UPDATE {table} SET landmark_id = ?2 || {new_of.format(f'substr({table}.landmark_id, ?3)')} "
            f"WHERE substr(landmark_id, 1, ?1) = ?2 AND substr(landmark_id, ?3) {rewritten}", taught)
    conn.execute("INSERT OR IGNORE INTO rejections (photo_id, label) "
                 f"SELECT photo_id, {new_of.format('rejections.label')} FROM rejections WHERE label {rewritten}")
    conn.execute(f"DELETE FROM rejections WHERE label {rewritten}")
    _keep_the_latest_word_on_rejected_labels(conn)
    by_form: dict[str, list[str]] = {}
    for old, new in forms.items():
        by_form.setdefault(new, []).append(old)
    for new, olds in by_form.items():
        teaching_store.rename_label(conn, sorted(olds), new)
    conn.execute("DROP TABLE temp.migration_label_forms")


def _keep_the_latest_word_on_rejected_labels(conn: sqlite3.Connection) -> None:
    """Migration 28: photos whose label, in its new form, is one they have a rejection of
    while not rejected: the user's label (or accepted one) drops the rejection, a
    suggestion is rejected (not searchable by its words, as a rejected label is not)."""
    from app.core.index.search_text import refresh_search_texts

    rows = conn.execute(
        "SELECT l.photo_id, l.label, l.source = 'user' OR l.state = 'accepted' FROM labels l "
        "JOIN rejections r ON r.photo_id = l.photo_id AND r.label = l.label "
        "WHERE l.state != 'rejected' AND l.label IN (SELECT new FROM temp.migration_label_forms)").fetchall()
    conn.executemany("DELETE FROM rejections WHERE photo_id = ? AND label = ?",
                     [(photo_id, label) for photo_id, label, users in rows if users])
    suggested = [photo_id for photo_id, _label, users in rows if not users]
    conn.executemany("UPDATE labels SET state = 'rejected' WHERE photo_id = ?", [(i,) for i in suggested])
    refresh_search_texts(conn, suggested)


# One folder linked into two library folders, each scanned alone, was indexed under both
# links (two photos a file, and rescans inventing moves): the links scans walk are kept
# with the device and inode of the folder each leads to (app/core/index/linked_folders.py),
# so the second link to an indexed folder is skipped. Filled by the next scans.
def migration_29(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS linked_folders "
                 "(path TEXT PRIMARY KEY, device INTEGER NOT NULL, inode INTEGER NOT NULL)")
    conn.execute("CREATE INDEX IF NOT EXISTS linked_folders_by_inode ON linked_folders (inode)")


# A path typed through a link that scans skip (`path:"…/libB/Shared/x.jpg"`, the folder
# indexed as …/libA/Shared) found nothing: the paths skipped are kept with the path the
# library holds their folder under (linked_folders.skip), so a typed path is mapped
# without reading the disk. Filled by the next scans.
def migration_30(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS skipped_links (path TEXT PRIMARY KEY, kept TEXT NOT NULL)")


# The date taken was DateTimeOriginal, else ModifyDate (the time of the last edit), else
# an XMP date: a file without DateTimeOriginal got its edit time though its EXIF
# CreateDate says when it was taken, a zero or blank DateTimeOriginal hid every other
# date, and IPTC Date Created was never read (app/core/capture_time.py now reads them in
# the order Lightroom and digiKam use). Any photo may hold such a file and the index
# does not say where its date came from, so every photo is marked for the next scan of
# its folder to read its header once more (as migration 23 did: no decode, no tagging,
# labels and review states untouched).
def migration_31(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT OR IGNORE INTO photos_to_reread (photo_id) SELECT id FROM photos")


# A mistaken `accept QUERY` (or reject, label) in a terminal could not be taken back:
# `undo` undid writes only. The last review commands are kept with each photo's label
# and state before them (app/core/index/review_journal.py), for `undo --review`.
# `state` NULL: the photo had no label (never tagged).
def migration_32(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS review_commands "
                 "(id INTEGER PRIMARY KEY, verb TEXT NOT NULL, command TEXT NOT NULL, at TEXT NOT NULL)")
    conn.execute("CREATE TABLE IF NOT EXISTS review_changes (command_id INTEGER NOT NULL, photo_id INTEGER NOT NULL, "
                 "label TEXT, landmark_id TEXT, score REAL, source TEXT, state TEXT, model_id TEXT, "
                 "after_label TEXT, after_state TEXT NOT NULL, PRIMARY KEY (command_id, photo_id))")


# A write replaced a `Landmarks|X` keyword with no write of ours journalled where the
# file was last changed no later than the label was set (a guess at a read back): the
# user's keyword typed in Lightroom before a relabel here was lost, and a copied file
# (new time) kept the one read back beside the new label. Scans now record the keyword
# a label was read back from and its files (app/core/index/read_back_records.py);
# photos labelled before hold no record and keep the time rule (read_backs_unrecorded).
def migration_33(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS read_back_keywords (photo_id INTEGER NOT NULL, path TEXT NOT NULL, "
                 "keyword TEXT NOT NULL, PRIMARY KEY (photo_id, path))")
    conn.execute("CREATE TABLE IF NOT EXISTS read_backs_unrecorded (photo_id INTEGER PRIMARY KEY)")
    conn.execute("INSERT OR IGNORE INTO read_backs_unrecorded (photo_id) SELECT photo_id FROM labels")


# `label` (and the app's L) drops the references a photo taught for its old place, and
# `undo --review` gave back the label only: the place lost that photo for good (all of
# it when the photo was its only one). The journal now keeps the dropped references of
# each command (app/core/index/review_journal.py) and taking it back restores them.
def migration_34(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS review_taught_refs (command_id INTEGER NOT NULL, "
                 "photo_id INTEGER NOT NULL, label TEXT NOT NULL, model_id TEXT NOT NULL, vector BLOB, "
                 "created_at TEXT, PRIMARY KEY (command_id, photo_id, label, model_id))")


# An empty library folder counted as an unplugged card's mount point unless its time had
# moved past the scan that saw its photos; a folder whose time does not move when files
# in it are deleted (a camera deleting on its FAT card, a NAS clock behind) was refused
# by every scan once the user emptied it. Scans now record whether a card or disk was
# mounted on each folder they walk from (app/core/index/photos_seen.py); an index scanned
# before holds no record and keeps the time rule until its next scan of the folder.
def migration_35(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS mount_points_seen (folder TEXT PRIMARY KEY, mount_point INTEGER NOT NULL)")


# `reject QUERY` on many photos took 3-4 × `accept QUERY` (benchmarks/bulk_review_choices.py),
# in the triggers that keep photos_by_time and search_words; they do the same, cheaper:
# - A photo's photos_by_time row is replaced by one INSERT OR REPLACE (FTS5 drops the old
#   row itself) instead of a DELETE, which walks an FTS5 cursor to the row, and an INSERT
#   (the trigger of 98,000 state changes: 1.1 s, 0.6 s so); rejecting still rewrites the
#   row twice (its state, then its words). Each trigger's WHEN picks its case, so no
#   statement runs for nothing: the row goes by a DELETE only where the photo's key changes
#   or its words go (search_text ' ', which has no row), and a label moved to another photo
#   refills the one it left (labels_by_time_move). A statement on photos or labels with OR IGNORE, ABORT, FAIL or
#   ROLLBACK would impose that on the triggers' INSERTs and fail ("constraint failed"),
#   leaving nothing stale: none is written so.
# - search_words_update splits a new search_text into words only where it may hold one
#   the old did not: not where the new text (spaces at both ends) lies within the old,
#   as when a rejected label's words leave it (the old text's words are all there).
TIME_TRIGGERS_REPLACED = ("photos_by_time_update", "labels_by_time_insert", "labels_by_time_update",
                          "labels_by_time_delete", "search_words_update")
TIME_TRIGGERS_ADDED = ("photos_by_time_move", "labels_by_time_move")


def migration_36(conn: sqlite3.Connection) -> None:
    from app.core.index.time_order import TIME_TABLE, words_of_sql, words_sql

    state_of = lambda photo: f"(SELECT state FROM labels WHERE photo_id = {photo})"  # noqa: E731
    refill = lambda photo, state: (  # noqa: E731
        f"INSERT OR REPLACE INTO {TIME_TABLE} (rowid, words) SELECT sort_key, {words_sql('search_text', state)} "
        f"FROM photos WHERE id = {photo} AND search_text <> ' ';"
    )
    new_row = f"SELECT NEW.sort_key, {words_sql('NEW.search_text', state_of('NEW.id'))} WHERE NEW.search_text <> ' '"
    words_changed = "OLD.search_text IS NOT NEW.search_text"
    for name in (*TIME_TRIGGERS_REPLACED, *TIME_TRIGGERS_ADDED):  # (IF EXISTS: an index migrated again)
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    statements = [
        "CREATE TRIGGER photos_by_time_update AFTER UPDATE OF id, taken_at, search_text ON photos "
        f"WHEN OLD.sort_key IS NEW.sort_key AND {words_changed} AND NEW.search_text <> ' ' BEGIN "
        f"INSERT OR REPLACE INTO {TIME_TABLE} (rowid, words) {new_row}; END",
        "CREATE TRIGGER photos_by_time_move AFTER UPDATE OF id, taken_at, search_text ON photos "
        f"WHEN OLD.sort_key IS NOT NEW.sort_key OR ({words_changed} AND NEW.search_text = ' ') BEGIN "
        f"DELETE FROM {TIME_TABLE} WHERE rowid = OLD.sort_key; INSERT INTO {TIME_TABLE} (rowid, words) {new_row}; END",
        f"CREATE TRIGGER labels_by_time_insert AFTER INSERT ON labels BEGIN {refill('NEW.photo_id', 'NEW.state')} END",
        "CREATE TRIGGER labels_by_time_update AFTER UPDATE OF photo_id, state ON labels "
        "WHEN OLD.photo_id IS NOT NEW.photo_id OR OLD.state IS NOT NEW.state BEGIN "
        f"{refill('NEW.photo_id', 'NEW.state')} END",
        "CREATE TRIGGER labels_by_time_move AFTER UPDATE OF photo_id ON labels WHEN OLD.photo_id IS NOT NEW.photo_id "
        f"BEGIN {refill('OLD.photo_id', state_of('OLD.photo_id'))} END",
        f"CREATE TRIGGER labels_by_time_delete AFTER DELETE ON labels BEGIN "
        f"{refill('OLD.photo_id', state_of('OLD.photo_id'))} END",
        "CREATE TRIGGER search_words_update AFTER UPDATE OF search_text ON photos "
        f"WHEN {words_changed} AND NOT (NEW.search_text GLOB ' * ' AND instr(OLD.search_text, NEW.search_text) > 0) "
        f"BEGIN INSERT OR IGNORE INTO search_words (word) SELECT {words_of_sql('NEW.search_text', single=True)}; END",
    ]
    for statement in statements:
        conn.execute(statement)
