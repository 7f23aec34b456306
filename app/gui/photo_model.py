"""A lazy list model over photo ids: rows are ids, records and thumbnails are fetched
only for the rows a view actually paints.

With 100,000 photos the model holds 100,000 integers and nothing else up front;
PhotoRecords come from the index in small pages on demand and are kept in a bounded
cache, thumbnails come from the ThumbnailLoader.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Callable, Iterable, Sequence

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, Qt

from app.core.errors import TaggerError
from app.core.library import display_name
from app.gui.photo_speech import has_best_guess, spoken_description, spoken_name
from app.gui.thumbnail_loader import ThumbnailLoader

RecordRole = Qt.ItemDataRole.UserRole + 1
ThumbnailRole = Qt.ItemDataRole.UserRole + 2
PhotoIdRole = Qt.ItemDataRole.UserRole + 3
ThumbnailNoteRole = Qt.ItemDataRole.UserRole + 4  # the words a tile shows in place of its picture (None: none)
AlternativesRole = Qt.ItemDataRole.UserRole + 5
# the roles answered from the photo's record
RECORD_ROLES = frozenset({Qt.ItemDataRole.DisplayRole, ThumbnailRole, Qt.ItemDataRole.ToolTipRole,
                          Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.AccessibleDescriptionRole})

# What a tile says in place of its picture: a photo in iCloud or online only is not read
# (that would download it); another whose thumbnail failed is said to have none.
IN_THE_CLOUD_TILE = "in iCloud/online only"
NO_PREVIEW = "no preview"

RecordFetcher = Callable[[int], object]  # photo id -> PhotoRecord (index.get)
AlternativesFetcher = Callable[[int], list]  # photo id -> ranked predictions (index.predictions)
GuessFetcher = Callable[[int], object]  # photo id -> the Prediction a "no landmark" score is for (index.best_guess)


class PhotoListModel(QAbstractListModel):
    """Rows of photos identified by id; data is fetched lazily and cached (bounded)."""

    def __init__(
        self,
        fetch_record: RecordFetcher,
        thumbnails: ThumbnailLoader,
        cache_items: int = 3000,
        parent: QObject | None = None,
        fetch_alternatives: AlternativesFetcher | None = None,
        fetch_best_guess: GuessFetcher | None = None,
    ) -> None:
        super().__init__(parent)
        self._fetch_record = fetch_record
        self._fetch_best_guess = fetch_best_guess
        self._fetch_alternatives = fetch_alternatives
        self._alternatives: OrderedDict[int, list] = OrderedDict()  # only for rows painted with them
        self._thumbnails = thumbnails
        self._ids: list[int] = []
        self._row_of: dict[int, int] = {}  # filled only for rows that were looked at
        self._records: OrderedDict[int, object] = OrderedDict()
        self._cache_items = cache_items
        self.records_fetched = 0  # for tests: how many records were ever loaded
        thumbnails.ready.connect(self._on_thumbnail_changed)
        thumbnails.failed.connect(lambda photo_id, _message: self._on_thumbnail_changed(photo_id))

    # -- content -------------------------------------------------------------------
    def set_ids(self, ids: Sequence[int]) -> None:
        """Show these photos, in this order."""
        self.beginResetModel()
        self._ids = list(ids)
        self._row_of = {}
        self._records.clear()
        self._alternatives.clear()
        self.endResetModel()

    def remove_ids(self, photo_ids: Iterable[int]) -> None:
        """Take photos out of the list at once (reviewed ones leave the review list), a run
        of consecutive rows at a time: a row at a time moved the view's current photo, and
        with it the detail pane and a preview load, once per photo (A on 3,000 photos of the
        review list held the window 1.3-1.6 s)."""
        gone = set(photo_ids)
        rows = [row for row, photo_id in enumerate(self._ids) if photo_id in gone]
        for first, last in reversed(_runs(rows)):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._ids[first:last + 1]
            self.endRemoveRows()
        if rows:
            self._row_of = {}  # rows moved; filled again as the view paints

    def update_ids(self, ids: Sequence[int], most_runs: int = 200) -> list[tuple[int, int]] | None:
        """Show these photos by taking out the rows that left and putting in the new ones, so
        views keep their scroll, current row and chosen ranges (an outside change drops one
        photo of 85,000 chosen: no reset, no re-selection). Returns the runs of rows put in
        (first, last); None, changing nothing, when the photos kept changed order or more than
        `most_runs` runs of rows changed: set_ids is the cheaper way then. Python looks at the
        photos that changed only, the rest is compared in C (sets, slices): a loop over every
        row took 25 ms at 85,000 rows, and several times that while a worker held the GIL."""
        new = list(ids)
        old = self._ids
        if new == old:
            return []
        left = set(old).difference(new)
        came = set(new).difference(old) if len(new) - len(old) + len(left) else set()  # none: one set less
        removed, inserted = _runs(_rows_of(old, left)), _runs(_rows_of(new, came))
        if len(removed) + len(inserted) > most_runs or _without(old, removed) != _without(new, inserted):
            return None
        for first, last in reversed(removed):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._ids[first:last + 1]
            self.endRemoveRows()
        for first, last in inserted:  # in order: the rows before each run are the new ones already
            self.beginInsertRows(QModelIndex(), first, last)
            self._ids[first:first] = new[first:last + 1]
            self.endInsertRows()
        self._row_of = {}  # rows moved; filled again as the view paints
        return inserted

    def ids(self) -> list[int]:
        return list(self._ids)

    def row_runs(self, photo_ids: Iterable[int]) -> list[tuple[int, int]]:
        """The rows of those of these photos that are shown, as ascending runs of
        consecutive rows (first, last): one selection range a run, not one a row."""
        return _runs(_rows_of(self._ids, set(photo_ids).intersection(self._ids)))

    def photo_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, photo_id: int) -> int | None:
        """The row of a photo when it was shown already (None otherwise; no full scan)."""
        return self._row_of.get(photo_id)

    def record(self, row: int):
        """The PhotoRecord of a row, from the cache or the index."""
        photo_id = self._ids[row]
        self._row_of[photo_id] = row
        record = self._records.get(photo_id)
        if record is None:
            try:
                record = self._fetch_record(photo_id)
            except TaggerError:
                return None  # gone from the index since the search; the next search drops it
            self.records_fetched += 1
            self._records[photo_id] = record
            while len(self._records) > self._cache_items:
                self._records.popitem(last=False)
        else:
            self._records.move_to_end(photo_id)
        return record

    def shown_labels(self, photo_ids: Iterable[int]) -> dict[int, str | None]:
        """The label each of these photos showed when its tile was painted (those whose
        record is still in the cache); photos never painted are left out."""
        ids = photo_ids if isinstance(photo_ids, (set, frozenset, dict)) else set(photo_ids)
        if len(ids) > len(self._records):  # Ctrl+A on 30,000 photos: the few hundred cached, not a lookup a photo
            return {photo_id: record.label for photo_id, record in self._records.items()
                    if record is not None and photo_id in ids}
        records = ((photo_id, self._records.get(photo_id)) for photo_id in ids)
        return {photo_id: record.label for photo_id, record in records if record is not None}

    def refresh_all(self) -> None:
        """Reload every record lazily (after a job) without resetting the view."""
        self._records.clear()
        self._alternatives.clear()
        if self._ids:
            self.dataChanged.emit(self.index(0), self.index(len(self._ids) - 1))

    def refresh(self, photo_ids: Iterable[int]) -> None:
        """Reload the given photos' records (labels changed) and repaint their tiles, as one
        span of rows: an A on 30,000 photos emitted a dataChanged for each of the 3,000 cached
        (a Python call each in the view), where the view repaints what it shows once."""
        wanted = photo_ids if isinstance(photo_ids, (set, frozenset)) else set(photo_ids)
        for photo_id in wanted.intersection(self._alternatives):
            del self._alternatives[photo_id]
        rows = []
        for photo_id in wanted.intersection(self._records):  # the others: fetched fresh anyway
            del self._records[photo_id]
            row = self._row_of.get(photo_id)
            if row is not None and row < len(self._ids) and self._ids[row] == photo_id:
                rows.append(row)
        if rows:
            self.dataChanged.emit(self.index(min(rows)), self.index(max(rows)))

    # -- Qt model API ----------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._ids):
            return None
        row = index.row()
        if role == PhotoIdRole:
            return self._ids[row]
        if role == RecordRole:
            return self.record(row)
        if role == ThumbnailNoteRole:
            return self._thumbnail_note(row)
        if role == AlternativesRole:
            return self._alternatives_of(self._ids[row])
        record = self.record(row) if role in RECORD_ROLES else None
        if record is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return record.label or ""
        if role == ThumbnailRole:
            # a missing photo has no picture to show: a file at its old name is another one
            # (a renamer gave that name to the next frame); the loader only looks for its iCloud stand-in
            pixmap = self._thumbnails.pixmap(record.id, record.path, missing=bool(record.missing))
            return None if record.missing else pixmap
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{display_name(record.path)}\n{self._label_words(record)} · {record.state}"
        if role == Qt.ItemDataRole.AccessibleTextRole:  # a painted tile reaches a screen reader only so
            return spoken_name(record)
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return spoken_description(record)
        return None

    def _label_words(self, record) -> str:
        """The tooltip's label: a "no landmark" tile has no room for the best guess its score
        is for, so the tooltip names it ("no landmark (best guess Colosseum, 75%)"), fetched
        only on hover."""
        if record.state == "unlabelled":
            return "no label"
        if record.label:
            return record.label
        guess = None
        if self._fetch_best_guess is not None and has_best_guess(record):
            try:
                guess = self._fetch_best_guess(record.id)
            except TaggerError:
                guess = None
        if guess is None:
            return "no landmark"
        return f"no landmark (best guess {guess.label}, {round(record.score * 100)}%)"

    def _alternatives_of(self, photo_id: int) -> list:
        if self._fetch_alternatives is None:
            return []
        found = self._alternatives.get(photo_id)
        if found is None:
            try:
                found = list(self._fetch_alternatives(photo_id))
            except TaggerError:
                found = []
            self._alternatives[photo_id] = found
            while len(self._alternatives) > self._cache_items:
                self._alternatives.popitem(last=False)
        return found

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def _thumbnail_note(self, row: int) -> str | None:
        """IN_THE_CLOUD_TILE, NO_PREVIEW, or None (a picture, or a missing photo's empty tile)."""
        photo_id = self._ids[row]
        if self._thumbnails.in_the_cloud(photo_id):
            return IN_THE_CLOUD_TILE
        if self._thumbnails.has_failed(photo_id) and not getattr(self.record(row), "missing", False):
            return NO_PREVIEW
        return None

    def _on_thumbnail_changed(self, photo_id: int) -> None:
        row = self._row_of.get(photo_id)
        if row is not None and row < len(self._ids) and self._ids[row] == photo_id:
            index = self.index(row)
            self.dataChanged.emit(index, index, [ThumbnailRole])


def _runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Ascending rows as runs of consecutive rows: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def _rows_of(ids: list[int], photo_ids: set[int], few: int = 8) -> list[int]:
    """The rows of these photos in `ids`, ascending: a search in C for each of a few, one
    dict of every row for more."""
    if len(photo_ids) <= few:
        return sorted(ids.index(photo_id) for photo_id in photo_ids)
    row_of = dict(zip(ids, range(len(ids))))
    return sorted(row_of[photo_id] for photo_id in photo_ids)


def _without(ids: list[int], runs: list[tuple[int, int]]) -> list[int]:
    """`ids` less the rows of these ascending runs, in slices."""
    kept, start = [], 0
    for first, last in runs:
        kept += ids[start:first]
        start = last + 1
    return kept + ids[start:]
