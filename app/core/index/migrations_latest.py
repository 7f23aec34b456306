"""The index's schema migrations from version 37 on (schema.py lists them all in
MIGRATIONS; 14 to 36 are in migrations_recent); each upgrades the schema by one version
and is never edited once released."""

from __future__ import annotations

import re
import sqlite3

from app.core.name_folding import PLAIN_LETTERS, UNSPACED

# Letters the fold before 37 kept in a word that the fold since gives otherwise: one of
# PLAIN_LETTERS (folded since), or a letter of a script written without spaces (a word of
# its own since; kana also stood there for their voiced forms, and Hangul jamo for syllables).
FOLDED_SINCE = f"[{''.join(chr(code) for code in PLAIN_LETTERS)}]"
REFOLDED = re.compile(f"{FOLDED_SINCE}|[{UNSPACED}]")


# A word inside a run of Chinese or Japanese letters (Thai, Lao, Khmer, Korean compounds
# too) was not found: the run was one word, and a search matches words from their start
# (`search 旅行` found nothing in a folder "京都旅行 2019", `京都` found it). Each such letter
# is now a word of its own (name_folding.word_units: a run searched is a phrase of them,
# found anywhere); kana keep their voicing marks ("ガ" is not "カ"), Korean its syllables.
# And the letters that are no base letter plus an accent are folded as accents are
# (ø, ł, æ, œ, đ, ð, þ, ı, ħ, ŧ: `search kobenhavn` finds "København", `label:lodz`
# "Łódź"). The words of the photos whose stored words hold such a letter (REFOLDED) are
# written again from the photos' own texts (search_text.refresh_search_texts: photos_fts,
# search_text, and through the triggers photos_by_time and search_words); the others are
# left as they are (a library of Latin names is not rewritten). label_key is written
# again where it changes, and search_words loses the words no fold gives any more (they
# found nothing, but took a typed prefix's room among the words it expands to).
def migration_37(conn: sqlite3.Connection) -> None:
    from app.core.index.search_text import label_key, refresh_search_texts

    conn.create_function("migration_label_key", 1, label_key, deterministic=True)
    conn.execute("UPDATE labels SET label_key = migration_label_key(label) "
                 "WHERE label IS NOT NULL AND label_key IS NOT migration_label_key(label)")
    conn.create_function("migration_refolded", 1, lambda text: REFOLDED.search(str(text)) is not None,
                         deterministic=True)
    photos = [row[0] for row in conn.execute(
        "SELECT id FROM photos WHERE search_text <> ' ' AND migration_refolded(search_text) ORDER BY id")]
    refresh_search_texts(conn, photos)
    conn.create_function("migration_word_gone", 1, _word_no_fold_gives, deterministic=True)
    conn.execute("DELETE FROM search_words WHERE migration_word_gone(word)")


def _word_no_fold_gives(word: str) -> bool:
    """A word of search_words that the fold since 37 gives no text: one holding a letter
    of PLAIN_LETTERS, or several letters with one of an unspaced script (one alone is a word)."""
    return re.search(FOLDED_SINCE, word) is not None or (len(word) > 1 and REFOLDED.search(word) is not None)


# Two RAW files of one stem with no rendered image were one photo whatever they were
# (IMG_0001.CR2 and IMG_0001.CR3 of two camera bodies): one was never tagged, a search by
# its camera or date missed it, and a label went into both sidecars. They are one photo
# now only when they are one picture (app/core/raw_pictures.py). Telling them apart
# needs their headers, which a rescan never opens while they are unchanged: such photos
# are marked for the next scan of their folder to read them again (rereads.py); the first
# file keeps the photo and its labels, another picture becomes a photo of its own.
def migration_38(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO photos_to_reread (photo_id) SELECT photo_id FROM files WHERE missing = 0 "
        "GROUP BY photo_id HAVING sum(kind = 'raw') > 1 AND sum(kind <> 'raw') = 0"
    )


# A DNG that names its camera in UniqueCameraModel only (Blackmagic's cinema cameras: DNG
# makes Model optional and UniqueCameraModel mandatory) got no camera, so `camera:` found
# none of its photos. The reader takes it now; the photos with a RAW file and no camera
# are marked for the next scan of their folder to read their headers again (rereads.py).
def migration_39(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT OR IGNORE INTO photos_to_reread (photo_id) SELECT id FROM photos "
                 "WHERE has_raw = 1 AND camera_make IS NULL AND camera_model IS NULL")


# The combining marks of the scripts of India and Southeast Asia were dropped from words,
# and FTS5's tokenizer split words at them: a vowel sign, a virama or a Thai tone mark
# is part of the word there, no accent. "मंदिर" was held as the words म, द, र and "ที่"
# as ท, so `search ที่` found every name with a ท and `search नमस` the name "नमस्ते" as a
# prefix of "नमसत"; and a zero-width joiner or non-joiner split "ශ්‍රී" into ශ් and රී, the
# spelling without it another word. The fold keeps the marks now (name_folding.MARKED_SCRIPTS)
# and drops those joiners (name_folding.JOINERS, added to 40 before any release), and the FTS5
# tables take Mn and Mc as letters of a word: photos_fts is copied into a table of that
# tokenizer, the photos whose stored words hold a letter of those scripts get their words
# written again from their own texts (as 37 did), photos_by_time is made again with that
# tokenizer and refilled in key order, search_words loses those scripts' words no fold
# gives any more and gets the new ones, and label_key is written again where it changes.
WORD_CATEGORIES = "categories 'L* N* Co Mn Mc'"


def migration_40(conn: sqlite3.Connection) -> None:
    from app.core.index.search_text import label_key, refresh_search_texts
    from app.core.index.time_order import TIME_TABLE, fill_time_table, words_of_sql
    from app.core.name_folding import MARKED_SCRIPTS

    marked = re.compile(f"[{MARKED_SCRIPTS}]")
    conn.create_function("migration_marked", 1, lambda text: marked.search(str(text)) is not None,
                         deterministic=True)
    columns = ", ".join(row[1] for row in conn.execute("PRAGMA table_info(photos_fts)"))
    conn.execute(f"CREATE VIRTUAL TABLE photos_fts_marked USING fts5 ({columns}, "
                 f"tokenize = \"unicode61 remove_diacritics 2 {WORD_CATEGORIES}\", prefix = '2 3')")
    conn.execute(f"INSERT INTO photos_fts_marked (rowid, {columns}) SELECT rowid, {columns} FROM photos_fts "
                 "ORDER BY rowid")
    conn.execute("DROP TABLE photos_fts")
    conn.execute("ALTER TABLE photos_fts_marked RENAME TO photos_fts")
    photos = [row[0] for row in conn.execute(
        "SELECT id FROM photos WHERE search_text <> ' ' AND migration_marked(search_text) ORDER BY id")]
    refresh_search_texts(conn, photos)
    conn.execute(f"DROP TABLE {TIME_TABLE}")
    conn.execute(f"CREATE VIRTUAL TABLE {TIME_TABLE} USING fts5 (words, "
                 f"tokenize = \"unicode61 remove_diacritics 2 tokenchars '.' {WORD_CATEGORIES}\", columnsize = 0)")
    fill_time_table(conn)
    conn.execute("DELETE FROM search_words WHERE migration_marked(word)")
    conn.execute(f"INSERT OR IGNORE INTO search_words (word) SELECT {words_of_sql('p.search_text')} "
                 "AND migration_marked(p.search_text) AND migration_marked(j.value)")
    conn.create_function("migration_label_key", 1, label_key, deterministic=True)
    conn.execute("UPDATE labels SET label_key = migration_label_key(label) "
                 "WHERE label IS NOT NULL AND migration_marked(label) AND label_key IS NOT migration_label_key(label)")


# A JPEG and another body's RAW of one name (DSC_0001.JPG of a D90, DSC_0001.CR3 of an
# EOS R5) were made one photo by versions before 49af29a whenever the RAW came alone or
# first, and a NEF of the JPEG's own joined that photo later: a label went into the other
# body's sidecar, `camera:` missed it. Nothing in the index says which photos of a
# rendered image and RAWs are such a merge (it holds one shot per photo), so each is
# marked for the next scan of its folder to read its files' headers again (rereads.py;
# the headers, not the pixels): the file first in the photo keeps it and its labels, a
# file that names another camera model leaves, to pair anew (pairing._merged_pictures;
# never on capture time alone, which users correct: changed before any release, 41 having
# split a camera's own pair whose time was edited in Lightroom); a true RAW+JPEG pair stays.
def migration_41(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO photos_to_reread (photo_id) SELECT photo_id FROM files WHERE missing = 0 "
        "GROUP BY photo_id HAVING sum(kind = 'raw') > 0 AND sum(kind <> 'raw') > 0"
    )


# A photo edited in another program (Lightroom or digiKam adding a keyword rewrites a
# JPEG's head) and moved before the next scan was taken for a new photo: its fingerprint
# (the first and last 64 KiB) changed, and its labels stayed on a missing ghost. Each JPEG
# read from now on keeps a print of its image data, which such an edit leaves as it was
# (fingerprint.picture_print), to recognise the move by (picture_moves.py); a file indexed
# before is marked for the next scan of its folder to print once (photos_to_print,
# picture_backfill.py: 64 KiB of each unchanged JPEG, nothing decoded); until then a photo
# gone without a print is recognised by its name stem only where no other photo has its
# date taken (picture_moves.py).
# Lightroom keeps a RAW's keywords in its sidecar alone: the sidecars known to have held a
# photo's keyword are kept with their size and time (sidecar_states), so a scan notices one
# edited there.
def migration_42(conn: sqlite3.Connection) -> None:
    columns = {row[1] for row in conn.execute("PRAGMA table_info(files)")}
    if "picture_print" not in columns:
        conn.execute("ALTER TABLE files ADD COLUMN picture_print TEXT")
    conn.execute("CREATE INDEX IF NOT EXISTS files_by_picture_print ON files (picture_print) "
                 "WHERE picture_print IS NOT NULL")
    conn.execute("CREATE TABLE IF NOT EXISTS photos_to_print (photo_id INTEGER PRIMARY KEY)")
    conn.execute("INSERT OR IGNORE INTO photos_to_print (photo_id) SELECT DISTINCT photo_id FROM files "
                 "WHERE missing = 0 AND kind = 'jpeg' AND picture_print IS NULL")
    # The sidecars known to have held a photo's keyword, as last seen (sidecar_states.py):
    # Lightroom edits a RAW's keywords in its sidecar alone, so the scan compares them too.
    conn.execute("CREATE TABLE IF NOT EXISTS sidecar_states (path TEXT PRIMARY KEY, photo_id INTEGER NOT NULL, "
                 "size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL)")


# SQLite gives the id of a forgotten photo (the newest one's) to the next photo added, and
# the write journal keeps a forgotten photo's rows for undo: the files our write labelled
# for it were then credited to that stranger (keywords_changed_elsewhere rejected its label
# when the user took the keyword out of the forgotten photo's sidecar). `forget` now negates
# their photo id (photo_rows.remove_photos); the rows of photos forgotten before are negated
# here, before their ids are given again (those given already cannot be told apart).
def migration_43(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE write_journal SET photo_id = -photo_id WHERE photo_id > 0 "
                 "AND NOT EXISTS (SELECT 1 FROM photos p WHERE p.id = write_journal.photo_id)")


# The computer a scan, write or undo ran on was told by its host name, which macOS takes
# from the network it is on: a write a laptop left unfinished (the app closed mid-write)
# was "running on another computer" once the laptop joined another network, and every
# write and undo was refused for a day. Rows record this computer's id now
# (app/core/this_computer.py: `computer`, `undo_computer`); the rows still taken for
# running that this computer wrote under the host name it has at the upgrade get its id,
# so a name it is given later leaves them its own. (The others keep NULL and are told
# by host name, as before.)
def migration_44(conn: sqlite3.Connection) -> None:
    from app.core.this_computer import computer_id, host_name

    for table, columns in (("scan_runs", ("computer",)), ("write_batches", ("computer", "undo_computer"))):
        present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        for column in columns:
            if column not in present:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")
    # (table, the id to set, which rows: still taken for running, of this host name)
    ours = (("scan_runs", "computer", "status = 'running' AND pid IS NOT NULL AND host = ?"),
            ("write_batches", "computer", "status = 'running' AND pid IS NOT NULL AND host = ?"),
            ("write_batches", "undo_computer", "undo_pid IS NOT NULL AND undo_host = ?"))
    host = host_name()
    if not any(conn.execute(f"SELECT 1 FROM {table} WHERE {rows}", (host,)).fetchone() for table, _, rows in ours):
        return  # (a new index, or nothing running: no id file is made for it)
    computer = computer_id()
    if computer is not None:
        for table, column, rows in ours:
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE {rows}", (computer, host))


# A stopped `tag --retag` kept no mark of how far it got: run again it read every photo
# again, and a plain `tag` did none of those left. `retags` holds the retag under way (the
# model it retags to, when it started), `retag_photos` its photos, each marked done in the
# transaction that stores its new predictions (app.core.retag_marks).
def migration_45(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS retags (model_id TEXT NOT NULL, started_at TEXT NOT NULL)")
    conn.execute("CREATE TABLE IF NOT EXISTS retag_photos "
                 "(photo_id INTEGER PRIMARY KEY, done INTEGER NOT NULL DEFAULT 0)")


# A JPEG renamed over one of a RAW+JPEG pair whose RAW stayed leaves the pair (6590fbc), and
# putting the pair's own JPEG back did not rejoin it: nothing kept the contents it had.
# `split_off_files` keeps them, per photo and file name (renamed_over_records.note_split_off).
def migration_46(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS split_off_files (photo_id INTEGER NOT NULL, name TEXT NOT NULL, "
                 "fingerprint TEXT NOT NULL, PRIMARY KEY (photo_id, name))")


# A damaged JPEG put back from its backup stayed "damaged" for good: `tag` took a photo
# for up to date while its primary file's fingerprint (size, first and last 64 KiB) was
# what it was tagged from, and bit rot in the middle of a file keeps all three. `tagged`
# now keeps the JPEG's picture print it was tagged from too (tag_selection.tagged_as_it_is).
# Photos tagged before get that of their file as it is now where its fingerprint is still
# the one tagged, but a photo labelled from a damaged picture (its "damaged" note): the
# file there now may be its backup put back, which the fingerprint cannot tell, so what it
# was tagged from is left unknown (no print, no fingerprint) and the next `tag` reads it
# once. `file_mtime_ns` is no longer filled nor read (an mtime moves with every copy that
# drops times; the column stays, as indexes upgraded before hold it).
def migration_47(conn: sqlite3.Connection) -> None:
    from app.core.index.migrations_recent import _add_missing_columns

    _add_missing_columns(conn, "tagged", (("picture_print", "TEXT"), ("file_mtime_ns", "INTEGER")))
    damaged = "SELECT photo_id FROM errors WHERE stage = 'damaged' AND photo_id IS NOT NULL"
    conn.execute(f"UPDATE tagged SET file_fingerprint = NULL, picture_print = NULL WHERE photo_id IN ({damaged})")
    conn.execute(
        "UPDATE tagged SET picture_print = (SELECT f.picture_print "
        "FROM photos p JOIN files f ON f.path = p.primary_path WHERE p.id = tagged.photo_id) "
        "WHERE file_fingerprint IS NOT NULL AND file_fingerprint = (SELECT f.fingerprint FROM photos p "
        "JOIN files f ON f.path = p.primary_path WHERE p.id = tagged.photo_id)")


# is:unwritten read the index alone, so a JPEG another program gave a keyword field after
# our write (IPTC Keywords, which `write` fills with the label too) was left out while
# `write --dry-run` listed it (t_life3-1). `unwritten_elsewhere` holds, for a changed file
# a scan read that still holds our label, the write it would take to fill it in: the label
# it was planned for, and our newest standing write of that path then (NULL: none), so the
# row stands only while both are as they were (app.core.unwritten_elsewhere).
def migration_48(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS unwritten_elsewhere (photo_id INTEGER NOT NULL, path TEXT NOT NULL, "
                 "label TEXT NOT NULL, write_id INTEGER, PRIMARY KEY (photo_id, path))")


# A correction to one of the model's own landmarks (`label PHOTO Alhambra` where the model
# said another) teaches, and `write` names it in the file's Teaches field, but a new index
# read it back as an untaught label: `tag` taught again only labels the model does not know
# (a label alone, of an older write or Lightroom, may be a suggestion only accepted).
# `teaches` records that the files the label was read back from name it in that field
# (taught_field.taught_in true): the evidence teach_untaught_labels needs. Rows read back
# before say nothing (0), as before.
def migration_49(conn: sqlite3.Connection) -> None:
    from app.core.index.migrations_recent import _add_missing_columns

    _add_missing_columns(conn, "read_back_keywords", (("teaches", "INTEGER NOT NULL DEFAULT 0"),))


# An index made before migration 48 (or an older backup restored) held no note of the files
# its scans had already found changed elsewhere, and a rescan plans only files it finds
# changed: is:unwritten stayed blind to them. The photos whose accepted label our write or a
# read back put in a file are marked to be read again (rereads.py): the next scan of their
# folder plans them once (app.core.unwritten_elsewhere), as it does a changed file.
def migration_50(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT OR IGNORE INTO photos_to_reread (photo_id) SELECT l.photo_id FROM labels l "
                 "WHERE l.state = 'accepted' AND l.label IS NOT NULL AND l.photo_id IS NOT NULL "
                 "AND (EXISTS (SELECT 1 FROM write_journal j WHERE j.photo_id = l.photo_id) "
                 "OR EXISTS (SELECT 1 FROM read_back_keywords r WHERE r.photo_id = l.photo_id))")


# Labels lost the invisible characters pasted with them (a zero-width space, a word joiner,
# a byte order mark: model.labels.IGNORED_IN_NAMES, 362b8e2), but those stored before kept
# them: `rename` could not find "Big Ben" + U+200B by its name (the typed one is cleaned),
# a rescan does not reread unchanged files, and `label` typed clean adopted the stored
# spelling, so `write` spread the invisible keyword to more files. Every stored label is
# put in label_form again as migration 28 does (merging what becomes one as rename does),
# and so are the labels the review journal keeps to give back (not a rename's own mark,
# whose names say what was typed).
def migration_51(conn: sqlite3.Connection) -> None:
    from app.core.index.migrations_recent import migration_28
    from model.labels import label_form

    migration_28(conn)
    spellings = [row[0] for row in conn.execute(
        "SELECT label FROM review_changes WHERE photo_id <> 0 UNION SELECT after_label FROM review_changes "
        "WHERE photo_id <> 0 UNION SELECT label FROM review_taught_refs")]
    for old in spellings:
        if not isinstance(old, str) or not (new := label_form(old)) or new == old:
            continue
        conn.execute("UPDATE review_changes SET label = ?1, landmark_id = CASE WHEN landmark_id = 'taught:' || ?2 "
                     "THEN 'taught:' || ?1 ELSE landmark_id END WHERE label = ?2 AND photo_id <> 0", (new, old))
        conn.execute("UPDATE review_changes SET after_label = ? WHERE after_label = ? AND photo_id <> 0", (new, old))
        conn.execute("UPDATE OR IGNORE review_taught_refs SET label = ? WHERE label = ?", (new, old))
        conn.execute("DELETE FROM review_taught_refs WHERE label = ?", (old,))


# A scan planned the writes of the photos whose files it found changed once a folder's batch
# (app.core.unwritten_elsewhere), and each plan reads the whole write journal: a rescan after
# edits in many small folders grew with changed photos x library. It marks them here in each
# batch's transaction and plans them all once at its end; a scan killed before leaves the
# marks to the next.
def migration_52(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS photos_to_plan (photo_id INTEGER PRIMARY KEY)")
