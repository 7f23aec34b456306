"""PhotoIndex: the one door to the SQLite index. Every label change goes through
it so the full-text index stays in step; core modules that own a table of their
own (the write journal, teaching) use `index.db` / `index.conn` directly."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from app.core.camera_names import camera_name
from app.core.errors import UsageError
from app.core.index import labels as label_store
from app.core.index import library_roots, model_suggestions, problems, schema
from app.core.index.connection import TransactionManager, db_text, id_chunks, is_read_only, now_iso
from app.core.index.folder_spelling import respell_folders
from app.core.index.index_stats import index_stats
from app.core.index.linked_paths import through_kept_links
from app.core.index.opening import open_index_file
from app.core.index.query import compile_query, parse_query
from app.core.index.records import ErrorRecord, PhotoRecord, Prediction, printable_path
from app.core.index.renamed_over_records import path_before_detached
from app.core.index.search_plan import capped_count, fetch_page
from app.core.index.unwritten_list import UnwrittenList
from app.core.index.upgrade import UpgradeWatcher
from app.core.name_order import name_order

# "damaged": a photo labelled from a picture whose data is damaged (jpeg_damage), kept so it can be found later
ERROR_STAGES = ("scan", "decode", "damaged", "tag", "write", "undo", "teach")

# an error row, and whether the photo it names (by id, or a scan's by its file) is missing:
# the photo the problem terms (problem_terms) find only beside is:missing
ERROR_COLUMNS = (
    "e.id, e.path, e.photo_id, e.stage, e.message, e.run_id, e.at, COALESCE((SELECT m.missing FROM photos m "
    "WHERE m.id = COALESCE(e.photo_id, (SELECT f.photo_id FROM files f WHERE f.path = e.path))), 0)"
)

PHOTO_COLUMNS = (
    "p.id, p.primary_path, p.folder, p.taken_at, p.camera_make, p.camera_model, p.lens, "
    "p.orientation, p.width, p.height, p.gps_lat, p.gps_lon, p.has_raw, p.missing, "
    "l.label, l.landmark_id, l.score, l.state, l.source, l.model_id"
)
# Newest first; (taken_at, id) is indexed (see search_plan for how pages are fetched).
ORDER = "ORDER BY p.taken_at DESC, p.id DESC"
OLDEST_FIRST = "ORDER BY p.taken_at IS NULL, p.taken_at, p.id"  # a trip from its first day; no date last


class PhotoIndex:
    """The photo index of one library (one SQLite file)."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self.transaction = TransactionManager(conn, schema.schema_version(conn))
        self._db: Any = None
        self._unwritten = UnwrittenList(conn)  # is:unwritten, built once until the index changes

    # -- opening -----------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path | None = None, watch_upgrade: UpgradeWatcher | None = None) -> "PhotoIndex":
        """Open (creating and migrating when needed) the index at `path`;
        None means config.default_db_path(); ":memory:" gives a private index.
        `watch_upgrade` is told how an upgrade of an older index goes (UpgradeStep)."""
        return cls(*open_index_file(path, watch_upgrade))

    @property
    def db(self):
        """The sqlite_utils.Database over the same connection."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "PhotoIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- library roots -------------------------------------------------------------
    def add_root(self, path: str | Path, recursive: bool = True) -> Path:
        """Make `path` a library folder, with the folders below it or (`recursive=False`)
        that folder only; returns it as stored (see library_roots.add_root)."""
        return library_roots.add_root(self, path, recursive)

    @property
    def read_only(self) -> bool:
        """Whether this index was opened read-only (its file is not writable)."""
        return is_read_only(self.conn)

    def roots(self) -> list[Path]:
        """The library folders (one inside a whole library folder, left by an older
        version, is part of that one and not listed)."""
        return library_roots.roots(self.conn)

    def folder_only_roots(self) -> list[Path]:
        """Library folders that hold their own photos only, not the folders below them."""
        return library_roots.folder_only_roots(self.conn)

    def remove_root(self, path: str | Path) -> None:
        """Take a library folder off the list (its photos stay indexed)."""
        library_roots.remove_root(self, path)

    def other_spellings_of(self, folder: str, whole: bool) -> list[tuple[str, bool]]:
        """(path, whole) of the library folders an older version kept as typed that are
        `folder` spelled otherwise on a case-insensitive disk (see library_roots)."""
        return library_roots.other_spellings_of(self.conn, folder, whole)

    # -- queries ------------------------------------------------------------------
    def _compiled(self, query: str, with_rejected_labels: bool = False):
        """Parsed and compiled, a `folder:"…"` typed in another case spelled as stored (first:
        the folders scans skip below it are then found by the folder's own spelling), a
        path found through a link that scans skip also under the link kept; is:unwritten
        read from the list kept (unwritten_list)."""
        parsed = through_kept_links(self, respell_folders(self.conn, parse_query(query)))
        return compile_query(self._unwritten.through_list(self.conn, parsed), with_rejected_labels)

    def search(self, query: str = "", limit: int | None = None, offset: int = 0,
               oldest_first: bool = False, with_rejected_labels: bool = False) -> list[PhotoRecord]:
        """Photos matching the search language, newest first (or oldest first, photos with
        no date last). `with_rejected_labels`: `label:X` finds photos whose X the user
        rejected too (write's choice: query.LABEL_NOT_REJECTED). Raises QuerySyntaxError
        for a malformed query."""
        compiled = self._compiled(query, with_rejected_labels)
        if not oldest_first:
            return self._records(fetch_page(self.conn, PHOTO_COLUMNS, compiled, limit, offset))
        sql = (f"SELECT {PHOTO_COLUMNS} FROM photos p LEFT JOIN labels l ON l.photo_id = p.id "
               f"WHERE {compiled.where} {OLDEST_FIRST} LIMIT ? OFFSET ?")
        limit_value = -1 if limit is None else max(0, int(limit))
        return self._records(self.conn.execute(sql, (*compiled.params, limit_value, max(0, int(offset)))).fetchall())

    def count(self, query: str = "", limit: int | None = None) -> int:
        """How many photos match; with `limit`, counting stops there (the GUI
        shows "10,000+" for count(q, limit=10_001) == 10_001), much faster
        than an exact count of hundreds of thousands of matches."""
        compiled = self._compiled(query)
        if limit is not None:
            # without words, testing rows (label/state/score/date/folder indexes pick
            # them) stops at the limit; words are found through photos_by_time, unless a
            # problem term (is:damaged …) picks the few photos to look at
            capped = None if not compiled.uses_text_search or compiled.counts_first \
                else capped_count(self.conn, compiled, limit)
            if capped is not None:
                return capped
            if compiled.row_where is not None and not (compiled.uses_text_search or compiled.joins_alternatives):
                rows, params = "photos p LEFT JOIN labels l ON l.photo_id = p.id", compiled.row_params
                where = compiled.row_where
            else:
                rows, params, where = "photos p", compiled.params, compiled.where
            sql = f"SELECT count(*) FROM (SELECT 1 FROM {rows} WHERE {where} LIMIT ?)"
            return int(self.conn.execute(sql, (*params, int(limit))).fetchone()[0])
        # the narrow (id, missing, taken_at, has_raw, gps_lat) index covers every
        # condition but folder paths, and beats a date range only without one
        narrow = "p.folder" not in compiled.where and compiled.range_where == "1"
        hint = "INDEXED BY photos_sort_key" if narrow else ""
        sql = f"SELECT count(*) FROM photos p {hint} WHERE {compiled.where}"
        return int(self.conn.execute(sql, compiled.params).fetchone()[0])

    def count_suggested_labels(self, query: str = "") -> int:
        """How many matching photos hold a suggested label ("no landmark" not counted)."""
        compiled = self._compiled(query)
        sql = (f"SELECT count(*) FROM photos p JOIN labels l ON l.photo_id = p.id "
               f"WHERE ({compiled.where}) AND l.state = 'suggested' AND l.label IS NOT NULL")
        return int(self.conn.execute(sql, compiled.params).fetchone()[0])

    def photo_ids(self, query: str = "", oldest_first: bool = False) -> list[int]:
        compiled = self._compiled(query)
        sql = f"SELECT p.id FROM photos p WHERE {compiled.where} {OLDEST_FIRST if oldest_first else ORDER}"
        return [r[0] for r in self.conn.execute(sql, compiled.params)]

    def get(self, photo_id: int) -> PhotoRecord:
        """The photo with this id (missing ones too); UsageError when unknown."""
        rows = self.conn.execute(
            f"SELECT {PHOTO_COLUMNS} FROM photos p LEFT JOIN labels l ON l.photo_id = p.id WHERE p.id = ?",
            (int(photo_id),),
        ).fetchall()
        if not rows:
            raise UsageError(f"no photo with id {photo_id} in the index {self.path}; search again to refresh")
        return self._records(rows)[0]

    def _records(self, rows: list[tuple]) -> list[PhotoRecord]:
        if not rows:
            return []
        files = self._files_of([r[0] for r in rows])
        return [_record(row, files.get(row[0], [row[1]])) for row in rows]

    def _files_of(self, photo_ids: list[int]) -> dict[int, list[str]]:
        found: dict[int, list[tuple[int, int, str]]] = {}
        for chunk, marks in id_chunks(photo_ids):
            for photo_id, path, missing, is_primary in self.conn.execute(
                "SELECT f.photo_id, f.path, f.missing, f.path = p.primary_path FROM files f "
                f"JOIN photos p ON p.id = f.photo_id WHERE f.photo_id IN ({marks})",
                chunk,
            ):
                path = path_before_detached(path) if missing and isinstance(path, str) else path
                found.setdefault(photo_id, []).append((0 if is_primary else 1, missing, path))
        return {pid: [path for _, _, path in sorted(items)] for pid, items in found.items()}

    def stats(self) -> dict[str, Any]:
        """Counts for `landmark-tagger stats` and the GUI's status bar (see index_stats)."""
        return index_stats(self.conn)

    # -- labels ---------------------------------------------------------------------
    def set_predictions(self, photo_id: int, model_id: str, top: Sequence[Prediction], threshold: float,
                        *, image_changed: bool = False) -> None:
        """Store the ranked predictions, mark the photo as tagged by `model_id`, and
        suggest the top-1 (label None when its score is under `threshold`) unless the
        photo has a user/accepted label or the top-1 was rejected for this photo.
        `image_changed`: the file holds another picture than this model saw last time
        (its embedding differs); an accepted model label then gives way to the new
        top-1 as a suggestion, when that is another landmark."""
        self._require_photo(photo_id)
        with self.transaction() as conn:
            model_suggestions.store_predictions(conn, int(photo_id), model_id, list(top), threshold, image_changed)
            problems.clear(conn, ("decode", "tag"), photo_id=photo_id)

    def apply_threshold(self, photo_ids: Iterable[int], model_id: str, threshold: float) -> list[int]:
        """Re-decide "no landmark" at a new threshold from the stored predictions (see
        model_suggestions.apply_threshold); returns the photos whose label changed."""
        with self.transaction() as conn:
            return model_suggestions.apply_threshold(conn, list(photo_ids), model_id, float(threshold))

    def set_label(
        self,
        photo_id: int,
        label: str | None,
        *,
        source: str = "user",
        state: str = "accepted",
        landmark_id: str | None = None,
        score: float | None = None,
        model_id: str | None = None,
    ) -> None:
        """Set the current label (None = "no landmark"); a rejected one is remembered."""
        self._require_photo(photo_id)
        with self.transaction() as conn:
            label_store.store_label(
                conn, int(photo_id), label, source=source, state=state,
                landmark_id=landmark_id, score=score, model_id=model_id,
            )

    def set_labels(
        self, photo_ids: Sequence[int], label: str | None, *, source: str = "user", state: str = "accepted",
        expected: Mapping[int, label_store.ReviewState] | None = None,
    ) -> label_store.LabelChange:
        """set_label for many photos given one label, in one transaction and a few
        statements per 500 photos; returns the ids whose label, state or source changed
        (LabelChange.changed). An id no photo has raises UsageError and changes nothing.
        With `expected` (review_states read earlier), only the photos still so are
        labelled, compared in the same transaction: one another program labelled again or
        took out of the library meanwhile is left as it is (no error), and named in
        LabelChange.left with its (label, state) now, as set_state_if_unchanged does."""
        with self.transaction() as conn:
            return label_store.store_labels_if_unchanged(conn, photo_ids, label, source=source, state=state,
                                                         expected=expected)

    def set_state(self, photo_ids: Iterable[int], state: str) -> int:
        """Accept, reject or re-suggest labels; returns how many photos changed (those
        already in that state, or without a label, are not counted)."""
        with self.transaction() as conn:
            return label_store.change_states(conn, [int(i) for i in photo_ids], state)

    def set_state_if_unchanged(self, photo_ids: Iterable[int], state: str,
                               expected: Mapping[int, label_store.ReviewState]) -> label_store.StateChange:
        """set_state for the photos whose (label, state) is still the one `expected` holds
        (review_states read earlier: a photo it leaves out is expected to hold no label),
        compared and changed in one transaction: a photo another program labelled again
        meanwhile (`landmark-tagger label` in a terminal) is left as it is, and named in
        the result with its (label, state) now, whatever the timing."""
        with self.transaction() as conn:
            return label_store.change_states_if_unchanged(conn, photo_ids, state, expected)

    def review_states(self, photo_ids: Sequence[int]) -> dict[int, tuple[str | None, str]]:
        """(label, state) of each of these photos that holds a label ("no landmark" is None)."""
        ids = [int(i) for i in photo_ids]
        found: dict[int, tuple[str | None, str]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self.conn.execute(
                f"SELECT photo_id, label, state FROM labels WHERE photo_id IN ({','.join('?' * len(chunk))})", chunk)
            found.update((int(photo_id), (label, state)) for photo_id, label, state in rows)
        return found

    def review_states_now(self, photo_ids: Sequence[int]) -> dict[int, tuple[str | None, str]]:
        """review_states, with (None, FORGOTTEN) for each photo no longer in the index (its
        folder forgotten since a view listed it). One statement for all, the ids as one JSON
        parameter: the app's A and R on 30,000 chosen photos made 60 + 30 statements of 500."""
        ids = [int(i) for i in photo_ids]
        try:
            rows = self.conn.execute(
                "SELECT j.value, l.label, l.state FROM json_each(?) j LEFT JOIN labels l ON l.photo_id = j.value "
                "WHERE l.state IS NOT NULL OR NOT EXISTS (SELECT 1 FROM photos p WHERE p.id = j.value)",
                (json.dumps(ids),)).fetchall()
        except sqlite3.OperationalError:  # an SQLite built without JSON (before 3.38 it was optional)
            now = self.review_states(ids)
            now.update((i, (None, label_store.FORGOTTEN)) for i in self.not_in_index([i for i in ids if i not in now]))
            return now
        return {int(photo_id): (label, label_store.FORGOTTEN if state is None else state)
                for photo_id, label, state in rows}

    def not_in_index(self, photo_ids: Sequence[int]) -> list[int]:
        """Those of these photos no longer in the index: their folder was taken out of the
        library (`landmark-tagger forget`) since a view listed them."""
        ids = [int(i) for i in photo_ids]
        found: set[int] = set()
        for chunk, marks in id_chunks(ids):
            found.update(int(row[0]) for row in self.conn.execute(f"SELECT id FROM photos WHERE id IN ({marks})", chunk))
        return [i for i in ids if i not in found]

    def held_files(self, photo_ids: Sequence[int]) -> list[str]:
        """The files `write` leaves alone (held) of these photos, labels accepted: the app's
        A and L ask before releasing them (released_holds.held_files)."""
        from app.core.index.released_holds import held_files

        return held_files(self.conn, list(photo_ids))

    def taken_back_still_written(self, photo_ids: Sequence[int]) -> list[int]:
        """The photos among these whose accept or label was taken back after our write put
        the keyword into their files, still there (unwritten_term): Ctrl+Z says so, as the CLI does."""
        from app.core.index.unwritten_term import taken_back_still_written

        return taken_back_still_written(self.conn, photo_ids)

    def written_before_state(self, photo_ids: Sequence[int], another_label: bool = False) -> list[int]:
        """The suggestions among these whose keyword (`another_label`: one not their
        suggestion) an earlier version's write put into their files, with no state recorded:
        Write labels… leaves it, and Ctrl+Z says so (unwritten_term)."""
        from app.core.index.unwritten_term import written_before_state

        return written_before_state(self.conn, photo_ids, another_label)

    def held_files_given_back(self, taken) -> list[str]:
        """The held files of the photos an undo of review steps gave their label back
        (released_holds.held_files_given_back): the app's Ctrl+Z names them as the CLI does."""
        from app.core.index.released_holds import held_files_given_back

        return held_files_given_back(self.conn, taken)

    def written_since_release(self, command) -> set[str]:
        """The files a review command released that our write reached since: the app's
        Ctrl+Z of its A says why the others are not held again (released_holds)."""
        from app.core.index.released_holds import written_since_release

        return written_since_release(self.conn, command)

    def predictions(self, photo_id: int, model_id: str | None = None) -> list[Prediction]:
        return model_suggestions.load_predictions(self.conn, int(photo_id), model_id)

    def best_guess(self, photo_id: int) -> Prediction | None:
        """The landmark a "no landmark" photo's score belongs to (the best guess of its
        model the user did not reject, which fell short): what `search` names beside it."""
        top = model_suggestions.load_predictions(self.conn, int(photo_id), None)
        return model_suggestions.best_not_rejected(self.conn, int(photo_id), top)

    def positions(self, photo_ids: Sequence[int]) -> list[tuple[float, float] | None]:
        """The GPS position (lat, lon) of each photo, None where it has none; in the order given."""
        found: dict[int, tuple[float, float]] = {}
        ids = [int(i) for i in photo_ids]
        for chunk, marks in id_chunks(ids):
            rows = self.conn.execute(
                f"SELECT id, gps_lat, gps_lon FROM photos WHERE id IN ({marks}) "
                "AND gps_lat IS NOT NULL AND gps_lon IS NOT NULL", chunk)
            found.update((int(row[0]), (float(row[1]), float(row[2]))) for row in rows)
        return [found.get(i) for i in ids]

    def known_labels(self) -> list[str]:
        """Every label in use or taught, in the order names are shown (name_order)."""
        rows = self.conn.execute(
            "SELECT DISTINCT label FROM labels WHERE label IS NOT NULL "
            "UNION SELECT DISTINCT label FROM taught_refs"
        )
        return sorted({r[0] for r in rows}, key=name_order)

    def _require_photo(self, photo_id: int) -> None:
        if self.conn.execute("SELECT 1 FROM photos WHERE id = ?", (int(photo_id),)).fetchone() is None:
            raise UsageError(f"no photo with id {photo_id} in the index {self.path}")

    # -- errors -----------------------------------------------------------------
    def record_error(
        self, path: str | Path | None, stage: str, message: str, photo_id: int | None = None, run_id: int | None = None,
        file_state: str | None = None,
    ) -> None:
        """Remember a per-file problem so the job can go on and the user can see it;
        it replaces the earlier problem of the same file (or photo) and stage.
        `file_state`: what the file was, for a problem that stands while it is so."""
        if stage not in ERROR_STAGES:
            raise UsageError(f"unknown error stage {stage!r}; use one of {', '.join(ERROR_STAGES)}")
        with self.transaction() as conn:
            problems.replace(conn, [(
                None if path is None else db_text(os.fspath(path)), photo_id, stage, printable_path(message),
                run_id, now_iso(), file_state,
            )])

    def clear_errors(self, stages: Iterable[str], *, photo_id: int | None = None,
                     path: str | Path | None = None) -> None:
        """The photo (or the one file `path`) got through these stages: forget its problems there."""
        if (photo_id is None) == (path is None):
            raise UsageError("clear_errors takes a photo_id or a path")
        with self.transaction() as conn:
            problems.clear(conn, stages, photo_id=photo_id, path=None if path is None else db_text(os.fspath(path)))

    def photo_problems(self, photo_id: int) -> list[ErrorRecord]:
        """The problems recorded now for one photo (its decode failure, the damage of the
        picture it was labelled from...), newest first: the detail pane shows them."""
        rows = self.conn.execute(
            f"SELECT {ERROR_COLUMNS} FROM errors e WHERE photo_id = ? ORDER BY id DESC", (int(photo_id),),
        ).fetchall()
        return [ErrorRecord(*row[:7], missing=bool(row[7])) for row in rows]

    def errors(
        self, run_id: int | None = None, stage: str | None = None, limit: int = 100, path: str | Path | None = None
    ) -> list[ErrorRecord]:
        conditions, params = [], []
        if path is not None:
            conditions.append("path = CAST(? AS TEXT)")
            params.append(db_text(os.fspath(path)))
        if run_id is not None:
            conditions.append("run_id = ?")
            params.append(run_id)
        if stage is not None:
            conditions.append("stage = ?")
            params.append(stage)
        where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
        rows = self.conn.execute(
            f"SELECT {ERROR_COLUMNS} FROM errors e {where} ORDER BY id DESC LIMIT ?",
            (*params, int(limit)),
        ).fetchall()
        return [ErrorRecord(*row[:7], missing=bool(row[7])) for row in rows]


def _record(row: tuple, files: list[str]) -> PhotoRecord:
    (pid, primary, folder, taken_at, make, model, lens, orientation, width, height,
     lat, lon, has_raw, missing, label, landmark_id, score, state, source, model_id) = row
    return PhotoRecord(
        id=pid, path=primary, files=files, folder=folder, label=label, landmark_id=landmark_id,
        score=score, state=state or "unlabelled", source=source, model_id=model_id, taken_at=taken_at,
        camera=camera_name(make, model), camera_make=make, camera_model=model, lens=lens,
        orientation=orientation, width=width, height=height, gps_lat=lat, gps_lon=lon,
        has_raw=bool(has_raw), missing=bool(missing),
    )
