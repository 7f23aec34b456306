"""Recognising moved photos at the end of a scan, so that they keep their labels.

The walk (scanner.py) only sees files appear and disappear: a photo moved to another
folder is, to it, a missing photo and a new one. This module joins the two when they
hold the same picture, once the walk is over (or a killed scan's leftovers, through
the index), and corrects the scan's counts. It is apart from the walk because it
works on the index's rows alone, after every folder has been synced.
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from app.core import keywords_changed_elsewhere
from app.core.folder_paths import is_within
from app.core.index import catalog, labels, moved_photos, photo_rows, renamed_over_records, scan_runs, sidecar_states
from app.core.index.connection import decode_text, savepoint
from app.core.index.missing_files_back import dead_link_on_the_way
from app.core.index.picture_moves import missing_with_the_picture_of, picture_matches
from app.core.index.read_back_records import take_read_back
from app.core.keywords_changed_elsewhere import ScanDecisions
from app.core.photo_info import PhotoInfo, file_kind
from app.core.renamed_over import RenamedOver
from app.core.scan_summary import ScanOptions

class _LeftOnTheCard(Exception):
    """A card photo's join to its copy failed (said by _adopt): its savepoint is taken back."""


# the summary's counts an adoption changes: taken back with a batch or photo rolled back
COUNTED_WHEN_JOINED = ("moved", "new", "missing", "labels_read")


@dataclass
class MoveRecognition:
    """The move recognition of one scan.

    `summary` (the scan's ScanSummary) has its counts corrected; `since` and
    `newest_before` are the photo ids that bound what killed scans and this one brought
    in; `owed` the (photo id, other spelling) pairs killed scans left; `other_spelling_ids`
    and `read_labels` (new photo id -> what was read of it, its files holding a landmark keyword) come from the walk,
    as does `created_ids`, the photos this scan brought in (its `new`; not those of a scan beside it);
    `went_missing(conn, photo_id)` records a photo gone missing in this scan,
    `cancelled()` whether the scan was cancelled, and `failed(path, message)` a photo
    that could not be joined (an error of the scan's, the others joined as ever).

    The moves are joined `options.groups_per_transaction` to a transaction, as the walk
    saves photos, each photo in a savepoint of its own: a kill leaves each photo wholly at
    its old place or its new one (the scan after finishes the job, see scan_runs), and
    one failing takes back its own writes only."""

    index: Any  # a PhotoIndex
    summary: Any  # the scan's ScanSummary
    renamed: RenamedOver
    since: int
    newest_before: int
    owed: list[tuple[int, bool]]
    other_spelling_ids: set[int]
    read_labels: dict[int, PhotoInfo]
    went_missing: Callable[[Any, int], None]
    cancelled: Callable[[], bool]
    keyword_decisions: ScanDecisions | None = None  # the scan's review command (keywords_changed_elsewhere)
    options: ScanOptions = field(default_factory=ScanOptions)
    failed: Callable[[str, str], None] | None = None
    created_ids: set[int] = field(default_factory=set)
    cards_not_connected: list[str] = field(default_factory=list)  # folders the walk left for their card
    split_on_cards: list[str] = field(default_factory=list)  # folders of card photos whose uncopied files split off
    gone_now: set[int] = field(default_factory=set, init=False)  # became_missing, as a set, once the walk is over
    not_joined: set[int] = field(default_factory=set, init=False)  # missing photos whose join failed (said once)

    @property
    def conn(self):
        return self.index.conn

    def recognise(self, became_missing: list[int]) -> None:
        """A photo that went missing in this scan and one with the same content found in
        this scan, or already indexed elsewhere (its new folder read on its own before),
        are one photo moved; so are a photo new in this scan and one missing since an
        earlier scan (moved out of the library and back). The moved photo keeps its labels.

        A scan killed before this point (after the walk committed the new places as new
        photos and the old ones as missing) left its share to this one, through the index
        (app/core/index/scan_runs.py): the photos that went missing in it (`owed`) are
        looked for as this scan's own are, and the photos it brought in (ids after
        `since`) count as new here. That is a few indexed look-ups per photo that scan
        changed, nothing when no scan was killed: a rescan of an unchanged library stays
        a walk of stat calls.

        `became_missing` is the scan's list of photos gone missing; `went_missing` adds
        to it here too."""
        self._split_photos_moved_away(became_missing)
        self.gone_now = set(became_missing)
        left_over = scan_runs.previous_run_unfinished(self.conn, self.summary.run_id)
        for batch in self.options.batches(renamed_over_records.detached_photos(self.conn) if left_over else []):
            with self._batch():
                for old_id in batch:
                    # a scan killed between giving up names and recognising the moves (before
                    # the index recorded what a scan owes) left these
                    new_id = None if old_id in self.gone_now else moved_photos.earlier_copy_of(
                        self.conn, old_id, self.newest_before)
                    if new_id is not None:
                        self._adopt(old_id, new_id)
        self.other_spelling_ids.update(photo_id for photo_id, other in self.owed if other)
        owed = [photo_id for photo_id, _ in self.owed if photo_id not in self.gone_now]
        for batch in self.options.batches(became_missing + owed):
            with self._batch():
                for old_id in batch:
                    self._join_where_it_went(old_id)
        missing_before: list[int] = []  # missing since an earlier scan, their picture in a new photo
        if (self.summary.new or self.since < self.newest_before) and self.conn.execute(
                "SELECT 1 FROM photos WHERE missing = 1 AND id <= ? LIMIT 1", (self.since,)).fetchone():
            new_ids = [int(r[0]) for r in self.conn.execute(
                "SELECT id FROM photos WHERE id > ? AND missing = 0 ORDER BY id", (self.since,))]
            for batch in self.options.batches(new_ids):
                with self._batch():
                    for new_id in batch:
                        old_id = moved_photos.missing_original_of(self.conn, new_id)
                        if (old_id is not None and old_id <= self.since and self._may_reach_back(old_id, new_id)
                                and not self._on_a_drive_not_connected(old_id)):
                            self._adopt(old_id, new_id)
            missing_before = [old_id for old_id in missing_with_the_picture_of(
                self.conn, [new_id for new_id in new_ids if catalog.is_present(self.conn, new_id)])
                if old_id <= self.since and old_id not in self.gone_now and old_id not in owed
                and not self._on_a_drive_not_connected(old_id)]
        self._join_copies_of_cards_not_connected()
        self._recognise_by_picture(became_missing + owed, missing_before)
        self._drop_a_killed_scans_strays(became_missing + owed)

    def _join_where_it_went(self, old_id: int) -> None:
        """Join `old_id`, missing, to the photo it became, if one is found."""
        if catalog.is_present(self.conn, old_id):
            return  # found again at its place, or already joined to its new one
        # a photo missing now looks among this scan's photos (and earlier ones holding
        # nothing of the user's); only one a killed scan owes reaches back to its photos
        new_id = moved_photos.moved_candidates(self.conn, old_id, self.newest_before)
        if new_id is None:
            new_id = moved_photos.earlier_copy_of(self.conn, old_id, self.newest_before)
        if new_id is None and old_id not in self.gone_now:
            new_id = moved_photos.only_copy_since(self.conn, old_id, self.since, self.newest_before)
        if new_id is None and old_id in self.gone_now:
            new_id = self._copy_an_unfinished_scan_made(old_id)
        if new_id is None and old_id in self.other_spelling_ids:
            # the same file indexed under both spellings, each with a word of the user's
            new_id = moved_photos.earlier_copy_of(self.conn, old_id, self.newest_before, users_words_too=True)
            if new_id is not None:
                self._adopt(old_id, new_id, take_words=True)
                return
        if new_id is not None:
            self._adopt(old_id, new_id)

    def _join_copies_of_cards_not_connected(self) -> None:
        """A card copied into the library, then ejected (its mount point removed, or left
        empty): its photos are not missing (the card is not connected) but a new photo of
        this scan that is provably one of them (moved_candidates: the one new photo of its
        fingerprint, the picture print agreeing) is that photo imported, as a move would be:
        it takes the photo over with its labels, reviews, journal and taught places. So does
        a photo an earlier scan of its folder alone brought in (`scan lib/Trip`, a folder
        tagged in the app) that holds nothing of the user's (or only the card photo's label,
        read back from its files: labelled and written before the import) and is the one
        other photo of its fingerprint (moved_photos.only_earlier_copy); one holding a word of the user's
        is left alone (no guess: `forget` of the card names it). Its card's photos with no
        such copy stay as they were; plugged in again, the card's files come in as photos
        of their own. A card photo's files its copy lacks (the RAW of a pair whose JPEG
        alone was imported) stay on the card, a photo of their own with its label
        (moved_photos.split_off_what_was_not_copied; their folders in `split_on_cards`): the joined
        photo holds no file on a card not connected. A photo two card photos claim (the card holding one picture twice)
        is no guess: left as it is. Each joined photo is marked missing and adopted in one
        savepoint: a join that fails leaves it on the card."""
        if not self.cards_not_connected:
            return
        card_ids = [photo_id for card in dict.fromkeys(self.cards_not_connected)
                    for photo_id in catalog.photo_ids_under(self.conn, card)]
        on_cards = set(card_ids)
        copies = {old_id: self._copy_of_a_card_photo(old_id, on_cards) for old_id in card_ids}
        claims = Counter(new_id for new_id in copies.values() if new_id is not None)
        pairs = [(old_id, new_id) for old_id, new_id in copies.items() if new_id is not None and claims[new_id] == 1]
        for batch in self.options.batches(pairs):
            with self._batch():
                for old_id, new_id in batch:
                    with self.index.transaction() as conn:
                        try:
                            with savepoint(conn, "card_copy"):
                                split_id = moved_photos.split_off_what_was_not_copied(conn, old_id, new_id)
                                moved_photos.left_on_a_card(conn, old_id)
                                self._adopt(old_id, new_id)
                                if not catalog.is_present(conn, old_id):
                                    raise _LeftOnTheCard
                        except _LeftOnTheCard:
                            continue
                    if split_id is not None:
                        folder = self.conn.execute("SELECT folder FROM photos WHERE id = ?", (split_id,)).fetchone()[0]
                        self.split_on_cards.append(decode_text(folder) if isinstance(folder, bytes) else str(folder))

    def _copy_of_a_card_photo(self, old_id: int, on_cards: set[int]) -> int | None:
        """The photo of this scan, or else of an earlier one, that is provably the card photo
        `old_id` imported (see _join_copies_of_cards_not_connected); None."""
        new_id = (moved_photos.moved_candidates(self.conn, old_id, self.newest_before)
                  if self.created_ids else None)
        if new_id is None:
            new_id = moved_photos.only_earlier_copy(self.conn, old_id, self.newest_before)
        return None if new_id in on_cards else new_id

    @contextmanager
    def _batch(self) -> Iterator[None]:
        """One transaction for a run of joins; rolled back (a full disk, Ctrl-C), its
        counts are taken back with it."""
        counted = self._counts()
        try:
            with self.index.transaction():
                yield
        except BaseException:
            self._take_back(counted)
            raise

    def _counts(self) -> tuple[dict[str, int], int]:
        return ({name: getattr(self.summary, name) for name in COUNTED_WHEN_JOINED},
                len(self.summary.keywords_changed_elsewhere))

    def _take_back(self, counted: tuple[dict[str, int], int]) -> None:
        for name, value in counted[0].items():
            setattr(self.summary, name, value)
        del self.summary.keywords_changed_elsewhere[counted[1]:]

    def _recognise_by_picture(self, gone: list[int], missing_before: list[int] | None = None) -> None:
        """What the fingerprints left unmatched: first once more by fingerprint (a RAW
        kept twice is no longer ambiguous once its twin's photo was joined), then by the
        picture, for photos edited in another program and moved (index/picture_moves.py).
        The picture also joins `missing_before`, photos missing since an earlier scan
        (a folder taken away, a keyword added to a photo of it, then put back under
        another name), by the same rules: only a match that is the one on both sides."""
        gone = [old_id for old_id in dict.fromkeys(gone) if self._to_join(old_id)]
        for batch in self.options.batches(gone):
            with self._batch():
                for old_id in batch:
                    new_id = moved_photos.moved_candidates(self.conn, old_id, self.newest_before)
                    if new_id is not None:
                        self._adopt(old_id, new_id)
        gone = [old_id for old_id in dict.fromkeys(gone + (missing_before or [])) if self._to_join(old_id)]
        found = picture_matches(self.conn, gone, self.newest_before, self.since, self._a_killed_scans_move)
        for batch in self.options.batches(found.pairs):
            with self._batch():
                for old_id, new_id in batch:
                    self._adopt(old_id, new_id, by_picture=True)
        self.summary.split_notes.extend(found.notes)

    def _drop_a_killed_scans_strays(self, gone: list[int]) -> None:
        """Rows a killed scan brought in that went missing and matched no photo (their folder
        moved back where the index first had it, a photo of it deleted) are not the user's
        photos lost where each is a second row of a photo indexed at its old place (another
        row holds its fingerprint: moved_photos.second_row_of_a_known_photo); a killed plain
        import's rows, their card unplugged, stay missing photos, as after a finished import.
        Strays go (photo_rows.remove_photos), uncounted as missing, where they hold
        nothing of the user's but the label read back from their files and no write of ours
        (moved_photos.stray_of_a_killed_scan), in batches as the joins are: a kill leaves
        the rest owed to the next scan."""
        strays = [photo_id for photo_id in dict.fromkeys(gone)
                  if self._brought_in_unfinished(photo_id) and self._to_join(photo_id)]
        for batch in self.options.batches(strays):
            with self._batch():
                for photo_id in batch:
                    with self.index.transaction() as conn:
                        row = conn.execute("SELECT missing FROM photos WHERE id = ?", (photo_id,)).fetchone()
                        if row is None or not row[0] or not moved_photos.stray_of_a_killed_scan(conn, photo_id):
                            continue  # found or joined by a scan beside this one, or it holds the user's
                        if not moved_photos.second_row_of_a_known_photo(conn, photo_id, self.since,
                                                                        self.newest_before):
                            continue  # a photo of its own (a killed import's card unplugged): missing
                        photo_rows.remove_photos(conn, [photo_id])
                    self.summary.missing -= int(photo_id in self.gone_now)

    def _to_join(self, old_id: int) -> bool:
        """Whether `old_id` is still missing, its join not failed in this scan."""
        return old_id not in self.not_joined and not catalog.is_present(self.conn, old_id)

    def _copy_an_unfinished_scan_made(self, old_id: int) -> int | None:
        """The one present copy of `old_id` (gone missing in this scan) that a scan which did
        not finish brought in, its label read back from our keyword in its own files: that
        scan walked the photo's new folder and was killed before it reached the old one. The
        label it read is not the user's word: the join keeps the old photo's; one the user
        gave that row since is weighed against it as for any killed scan's (_take_the_place_over)."""
        new_id = moved_photos.only_copy_since(self.conn, old_id, self.since, self.newest_before)
        return new_id if new_id is not None and self._a_killed_scans_move(new_id) else None

    def _a_killed_scans_move(self, new_id: int) -> bool:
        """Whether a photo gone missing in this scan may reach back to `new_id`: one a killed
        scan brought in whose label it read back from our keyword in the files (what a write
        of ours left there). A row of that scan without it (a card's original of a written
        photo, copied in beside it) is a photo of its own, as it would be had the scan finished."""
        return self._brought_in_unfinished(new_id) and moved_photos.read_back_from_its_files(self.conn, new_id)

    def _brought_in_unfinished(self, new_id: int) -> bool:
        """Whether `new_id` came in with a scan whose move recognition never ran (killed)."""
        return self.since < new_id <= self.newest_before

    def _may_reach_back(self, old_id: int, new_id: int) -> bool:
        """Whether missing `old_id` may be joined to `new_id`: one new in this scan, always;
        one a killed scan brought in, only for a photo that was missing before this scan,
        and when it holds a word of the user's only as the one copy there is (else the
        user decides: a guess would drop one of their words)."""
        if new_id > self.newest_before:
            return True
        if old_id in self.gone_now:
            return self._copy_an_unfinished_scan_made(old_id) == new_id
        return moved_photos.holds_nothing_of_the_user(self.conn, new_id) or moved_photos.only_copy_since(
            self.conn, old_id, self.since, self.newest_before) == new_id

    def _on_a_drive_not_connected(self, old_id: int) -> bool:
        """Whether missing `old_id`'s folder is out of reach rather than gone: on a card
        the walk found not connected, or behind a folder link that points nowhere (its disk
        unmounted: missing_files_back.dead_link_on_the_way, as forget --missing tells it).
        A plain folder gone is taken for moved (it may come back under another name). Such
        a photo comes back when its drive does; a copy of its picture elsewhere in the
        library is a deliberate copy (a print, an export), not the photo moved: joined, it
        took the labels and journal (undo then "restored" the copy) and the original came
        back unlabelled."""
        row = self.conn.execute("SELECT primary_path FROM photos WHERE id = ?", (old_id,)).fetchone()
        if row is None:
            return False
        path = decode_text(row[0]) if isinstance(row[0], bytes) else str(row[0])
        folder = os.path.dirname(path)
        if any(is_within(folder, card) for card in self.cards_not_connected):
            return True
        return not os.path.isdir(folder) and dead_link_on_the_way(folder) is not None

    def _split_photos_moved_away(self, became_missing: list[int]) -> None:
        """Photos left at their names whose pictures went to other names (renumbered to
        make room for an inserted frame) give the names up, for the moves below."""
        moved_away = self.renamed.photos_moved_away(became_missing + [photo_id for photo_id, _ in self.owed])
        with self.index.transaction() as conn:
            for photo_id, files in moved_away.items():
                self.created_ids.add(renamed_over_records.split_photo(conn, photo_id, files))
                self.went_missing(conn, photo_id)
                self.summary.missing += 1
                self.summary.new += 1
                self.summary.changed -= 1
            # decided; a cancelled scan leaves the undecided to the next (it may not have read their pictures)
            renamed_over_records.forget_contents_before(conn, list(moved_away) if self.cancelled() else None)

    def _adopt(self, old_id: int, new_id: int, take_words: bool = False, by_picture: bool = False) -> None:
        """`old_id` (missing) moved to `new_id`'s place: it takes the place over, with
        the stronger of both rows' words of the user's when `take_words` (the same file
        indexed under two spellings of a folder), in a savepoint of the batch's transaction.
        A constraint failing leaves both photos as they were, said as the scan's error."""
        if old_id in self.not_joined:
            return  # failed once in this scan: said once
        with self.index.transaction() as conn:
            if catalog.is_present(conn, old_id) or not catalog.is_present(conn, new_id):
                return  # joined already (by a scan running beside this one)
            counted, read = self._counts(), self.read_labels.get(new_id)
            try:
                with savepoint(conn):
                    self._take_the_place_over(conn, old_id, new_id, take_words, by_picture)
            except sqlite3.IntegrityError as error:
                self._take_back(counted)
                if read is not None:
                    self.read_labels[new_id] = read
                self._not_joined(conn, old_id, new_id, error)
                return
        self.summary.moved += 1
        self.summary.new -= int(new_id in self.created_ids)  # (one a scan beside brought in is new to that one)
        self.summary.missing -= int(old_id in self.gone_now)

    def _take_the_place_over(self, conn, old_id: int, new_id: int, take_words: bool, by_picture: bool) -> None:
        # a photo a killed scan brought in whose one word is the label its files gave: read
        # back as this scan's own new photos are (that scan counted it as read)
        read_before = self._read_by_unfinished_scan(conn, new_id) if not take_words else None
        if take_words or (read_before is None and self._brought_in_unfinished(new_id)
                          and labels.has_users_word(conn, new_id)):
            # (or it came in with a scan killed before this recognition and got a word
            # of the user's since: the stronger word stays, the newer when equal)
            moved_photos.take_over_users_words(conn, old_id, new_id)
        read_from = take_read_back(conn, new_id)  # the files it holds now are the moved photo's
        edited = moved_photos.adopt_moved_photo(conn, old_id, new_id, by_picture)
        read = self.read_labels.pop(new_id, None)
        counted = read is not None
        read = read if read is not None else read_before
        if edited:  # a sidecar saved elsewhere on the way: read as one changed in place is
            self._follow_edited_sidecars(conn, old_id, read, edited)
        # the moved photo keeps the index's word; the keyword in its files counts only
        # where the index had none (the same rule as for any photo)
        if read is not None and not labels.adopt_written_label(
                conn, old_id, read.landmark, read_from, read.landmark_taught) and counted:
            self.summary.labels_read -= 1

    def _read_by_unfinished_scan(self, conn, new_id: int) -> PhotoInfo | None:
        """What a killed scan read of `new_id`, one it brought in, where the label its
        files gave is the photo's one word (moved_photos.files_word); else None."""
        if new_id in self.read_labels or not self._brought_in_unfinished(new_id):
            return None
        word = moved_photos.files_word(conn, new_id)
        if word is None:
            return None
        path = conn.execute("SELECT primary_path FROM photos WHERE id = ?", (new_id,)).fetchone()[0]
        name = os.fsdecode(path) if isinstance(path, bytes) else str(path)
        return PhotoInfo(kind=file_kind(Path(name).name) or "", landmark=word[0], landmark_taught=word[1])

    def _not_joined(self, conn, old_id: int, new_id: int, error: sqlite3.Error) -> None:
        """Say the move of `old_id` to `new_id` that failed: the new place stays a photo
        of its own and the labels stay on the missing one, so the user knows where."""
        self.not_joined.add(old_id)
        old_path, new_path = (decode_text(row[0]) if isinstance(row[0], bytes) else str(row[0]) for row in (
            conn.execute("SELECT primary_path FROM photos WHERE id = ?", (photo_id,)).fetchone()
            for photo_id in (old_id, new_id)))
        if self.failed is not None:
            self.failed(new_path, f"{new_path}: not joined to the photo it was moved from ({error}): it is indexed "
                                  f"as a new photo, and the labels stay with the missing photo {old_path}")

    def _follow_edited_sidecars(self, conn, photo_id: int, read: PhotoInfo | None, edited: list[str]) -> None:
        """The moved photo's sidecars edited since our records saw them at the old place
        (Lightroom saved its keywords, then the folder was moved): the label follows them as
        it would in place (keywords_changed_elsewhere), their states now recorded as seen
        (unless a file in the cloud put the decision off: the scan after its download makes it)."""
        change = keywords_changed_elsewhere.follow_the_files(conn, photo_id, read, self.keyword_decisions)
        if change is not None:
            self.summary.keywords_changed_elsewhere.append(change.to_json())
            if change.note is not None and self.failed is not None:  # copies disagree: said, label kept
                self.failed(change.path, change.note)
        if change is None or change.how != keywords_changed_elsewhere.NOT_DOWNLOADED:
            sidecar_states.remember(conn, photo_id, edited)
