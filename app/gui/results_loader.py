"""Search results and library counts computed off the GUI thread.

On 100,000 photos one search over the whole library takes a few hundred ms in
SQLite; run on the GUI thread that would freeze typing. Requests go to one worker
thread with its own index connection; only the answer to the latest request is
delivered, older ones are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from app.core import library
from app.core.errors import QuerySyntaxError, TaggerError
from app.core.metadata.journal import last_batch_id
from app.gui.library_tree import NO_LANDMARK_QUERY
from app.gui.retired_runnables import FreeableRunnable, RetiredRunnables


@dataclass(frozen=True)
class SearchResults:
    """The photos matching a query, and the review order when it was asked for."""

    ticket: int
    query: str
    ids: list[int] | None  # None: only the review list was asked for
    review_ids: list[int] | None
    error: str | None = None  # a malformed query: the message to show inline
    similar_to: int | None = None  # ids are the photos most like this one, best first


@dataclass(frozen=True)
class LibrarySnapshot:
    """Counts for the status bar and the folder tree."""

    ticket: int
    stats: dict[str, Any]
    folders: list[library.FolderNode]
    has_roots: bool
    landmarks: list[tuple[str, int]] = ()  # (label, photos) by name
    dates: list[library.YearNode] = ()  # newest first
    can_undo: bool = True  # a write batch is there to undo
    no_landmark: int = 0  # photos tagged "no landmark" (the library panel's entry for them)


class _Signals(QObject):
    searched = Signal(object)
    summarised = Signal(object)
    failed = Signal(str, int, str)  # kind, ticket, message


class _Request(FreeableRunnable):
    def __init__(self, loader: "ResultsLoader", kind: str, ticket: int, query: str = "", review: bool = False,
                 oldest_first: bool = False) -> None:
        super().__init__()
        self.loader, self.kind, self.ticket, self.query, self.review = loader, kind, ticket, query, review
        self.oldest_first = oldest_first
        self.photo_id, self.k = 0, 0  # for kind "similar"

    def work(self) -> None:  # worker thread
        signals = self.loader.signals
        try:
            index = self.loader.worker_index()
            if self.kind == "similar":
                from app.core.teaching_similar import similar

                ids = [photo_id for photo_id, _score in similar(index, self.photo_id, k=self.k)]
                signals.searched.emit(SearchResults(self.ticket, "", ids, None, similar_to=self.photo_id))
            elif self.kind == "search":
                try:
                    # The review page shows only the review list; the grid's ids wait.
                    ids = None if self.review else index.photo_ids(self.query, oldest_first=self.oldest_first)
                    review = library.review_ids(index, self.query) if self.review else None
                    signals.searched.emit(SearchResults(self.ticket, self.query, ids, review))
                except QuerySyntaxError as error:
                    signals.searched.emit(SearchResults(self.ticket, self.query, [], None, str(error)))
            else:
                signals.summarised.emit(LibrarySnapshot(self.ticket, index.stats(), library.folder_tree(index),
                                                        bool(index.roots()), library.landmark_counts(index),
                                                        library.date_counts(index),
                                                        last_batch_id(index) is not None,
                                                        index.count(NO_LANDMARK_QUERY)))
        except TaggerError as error:
            signals.failed.emit(self.kind, self.ticket, str(error))
        except Exception as error:  # never let a worker take the app down
            signals.failed.emit(self.kind, self.ticket, f"{type(error).__name__}: {error}")


class ResultsLoader(QObject):
    """Emits `searched(SearchResults)` and `summarised(LibrarySnapshot)` for the latest requests."""

    searched = Signal(object)
    summarised = Signal(object)
    failed = Signal(str)

    def __init__(self, db_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.signals = _Signals(self)
        self.signals.searched.connect(self._on_searched)
        self.signals.summarised.connect(self._on_summarised)
        self.signals.failed.connect(self._on_failed)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._index = None  # opened and used by the worker thread only
        self._search_ticket = 0
        self._summary_ticket = 0
        self._requests = RetiredRunnables()  # started ones, freed once done
        self._queued_search: _Request | None = None
        self._delivered_search = 0
        self._delivered_summary = 0

    @property
    def busy(self) -> bool:
        """True while an answer to the latest request is still to come."""
        return self._pool.activeThreadCount() > 0 or self._waiting

    def worker_index(self):
        if self._index is None:
            from app.core.index import PhotoIndex

            self._index = PhotoIndex.open(self.db_path)
        return self._index

    def search(self, query: str, with_review: bool, oldest_first: bool = False) -> int:
        """Ask for the photos matching `query`; a search still waiting in the queue is dropped."""
        self._search_ticket += 1
        self._drop_queued_search()
        self._queued_search = _Request(self, "search", self._search_ticket, query, with_review, oldest_first)
        self._start(self._queued_search)
        return self._search_ticket

    def similar(self, photo_id: int, k: int) -> int:
        """Ask for the k photos most like this one (stored embeddings); it answers through
        `searched` like a search, and replaces any search still waiting."""
        self._search_ticket += 1
        self._drop_queued_search()
        self._queued_search = _Request(self, "similar", self._search_ticket)
        self._queued_search.photo_id, self._queued_search.k = int(photo_id), int(k)
        self._start(self._queued_search)
        return self._search_ticket

    def summarise(self) -> int:
        self._summary_ticket += 1
        self._start(_Request(self, "summary", self._summary_ticket))
        return self._summary_ticket

    def close(self) -> None:
        self._pool.clear()
        self._pool.waitForDone(10000)
        if self._index is not None:
            self._index.close()
            self._index = None

    @property
    def _waiting(self) -> bool:
        return self._delivered_search < self._search_ticket or self._delivered_summary < self._summary_ticket

    def _start(self, request: _Request) -> None:
        self._requests.retire(request)
        self._pool.start(request)

    def _drop_queued_search(self) -> None:
        """A search still waiting in the queue is not run: a newer one replaces it."""
        if self._queued_search is not None and self._pool.tryTake(self._queued_search):
            self._requests.discard_unstarted(self._queued_search)
        self._queued_search = None

    def _on_failed(self, kind: str, ticket: int, message: str) -> None:
        if kind in ("search", "similar") and ticket == self._search_ticket:
            self._delivered_search = ticket
        elif kind == "summary" and ticket == self._summary_ticket:
            self._delivered_summary = ticket
        self.failed.emit(message)

    def _on_searched(self, results: SearchResults) -> None:
        if results.ticket != self._search_ticket:
            return  # a newer search is on its way
        self._delivered_search = results.ticket
        self.searched.emit(results)

    def _on_summarised(self, snapshot: LibrarySnapshot) -> None:
        if snapshot.ticket != self._summary_ticket:
            return
        self._delivered_summary = snapshot.ticket
        self.summarised.emit(snapshot)
