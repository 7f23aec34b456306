"""A landmark keyword of ours that another program took out of a photo since it was in
the file: the user's latest decision, made where they keep their photos (Lightroom,
digiKam), so the label follows the file instead of the next `write` putting it back.

Only a keyword the index knows was in the file counts: one our write put there (the
write journal) or the label was read back from (read_back_records). A scan that reads
a changed file of such a photo (a RAW's sidecar alone counts: index.sidecar_states),
whose label still is that keyword, goes by the file of those another program saved last
(the user's latest word, last_edited); there it finds the keyword:
- replaced by another `Landmarks|…` keyword: the photo's label becomes that one, as a
  label read back (accepted; it teaches as read-back labels do);
- gone from every keyword field (holds_landmark: a name kept in dc:subject, IPTC, a
  digiKam tag or under another hierarchy is still there, unless the file held it before
  our very first write: a friend `People|Petra` is the user's own), the file's XMP otherwise there:
  the label is rejected (remembered, so the model does not suggest it again; a label set
  in the app alike: the user said "not this place" of the photo);
- gone with the file's XMP (STRIPPED: a tool that strips metadata, an editor saving
  without XMP), or the file back as the write journal recorded it before our write
  (RESTORED: a backup put back, our own undo seen by an older copy of the index): nothing
  tells a decision, so none is made; `write` holds the photo (metadata.plan_stripped_hold).
While one of those files is in the cloud (iCloud, OneDrive online-only: cloud_files),
nothing is decided either (NOT_DOWNLOADED): reading it would download it, which the scan
never does (it says the file is "not downloaded (kept as indexed)"), and `write` skips the
photo meanwhile; the scan keeps the changed sidecars' states unseen, so the first scan
after the download reads them again and decides.
A scan's decisions go into the review journal as one `scan` command, so one `undo
--review` takes them back.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path

from app.core.cloud_files import not_downloaded_note
from app.core.errors import TaggerError
from app.core.index import labels as label_store
from app.core.index import review_journal
from app.core.index.connection import db_text
from app.core.index.read_back_records import record_read_back
from app.core.metadata.keywords import KeywordFields, names_landmark
from app.core.metadata.landmark_in_users_tree import keywords_before_ours, without_users_own
from app.core.metadata.read_back import Disagreement, as_readers_see, same_landmark
from app.core.metadata.xmp import DC, DIGIKAM, LR, MICROSOFT_PHOTO, XmpDocument
from app.core.photo_info import PhotoInfo

REPLACED, REMOVED, STRIPPED, RESTORED = "replaced", "removed", "stripped", "restored"
NOT_DOWNLOADED = "not downloaded"  # put off: a file that held the keyword is in the cloud
# cannot tell: a file holding a keyword array twice (merged packets) whose copies disagree
HELD_TWICE = "held twice"
OURS = "ours"
# decided nothing: `write` holds the photo (metadata.plan_stripped_hold), or skips it while in the cloud
HELD = (STRIPPED, RESTORED, NOT_DOWNLOADED)
UNDECIDED = (*HELD, HELD_TWICE)  # the label left as it is (HELD_TWICE: `write` refuses the file itself)


@dataclass(frozen=True)
class KeywordChange:
    """What a scan found of a photo's landmark keyword taken out elsewhere."""

    photo_id: int
    path: str  # the photo's file (the first of those that held the keyword)
    keyword: str  # the landmark our keyword named (the label it had)
    how: str  # REPLACED, REMOVED, STRIPPED, RESTORED, NOT_DOWNLOADED or HELD_TWICE
    now: str | None = None  # the landmark that replaced it (REPLACED)
    written: bool = True  # a write of ours put it in `path` (else the label was read back from it)
    note: str | None = None  # the problem the scan records for `path` (HELD_TWICE)

    def to_json(self) -> dict:
        return {"photo_id": self.photo_id, "path": self.path, "keyword": self.keyword, "how": self.how,
                "label": self.now, "written": self.written}


def follow_the_files(conn: sqlite3.Connection, photo_id: int, info: PhotoInfo | None,
                     journal: ScanDecisions | None = None) -> KeywordChange | None:
    """Give the photo the label its files now say, where a keyword of ours the index knows
    was in them is gone (see the module's docstring); `info`: what the scan read of the
    photo (its landmark: the one read back now); `journal`: the scan's review command, which
    all its decisions join. None where nothing was decided or found; NOT_DOWNLOADED
    (nothing decided) while a file that held the keyword is in the cloud."""
    row = conn.execute("SELECT label, state FROM labels WHERE photo_id = ?", (photo_id,)).fetchone()
    if row is None or row[0] is None or row[1] == "rejected":
        return None
    label = row[0]
    held = files_that_held(conn, photo_id, label)
    in_the_cloud = next((path for path in held if not_downloaded_note(path) is not None), None)
    if in_the_cloud is not None:  # it cannot tell without a download: put off
        return KeywordChange(photo_id, in_the_cloud, label, NOT_DOWNLOADED, written=held[in_the_cloud] is not None)
    held = {path: before for path, before in held.items() if Path(path).is_file()}
    if not held:
        return None
    found = {path: what_is_in(Path(path), label, before, keywords_before_ours(conn, path, label))
             for path, before in held.items()}
    twice = next((path for path, (state, _) in found.items() if state == HELD_TWICE), None)
    if twice is not None:  # its copies disagree: no copy's word decides; the scan says so
        note = f"{twice}: " + str(found[twice][1])
        return KeywordChange(photo_id, twice, label, HELD_TWICE, written=held[twice] is not None, note=note)
    if any(state is None for state, _ in found.values()):
        return None  # a file that cannot tell: as before
    path = last_edited(found)
    state, now = found[path]
    written = held[path] is not None
    if state == OURS:
        return None  # still there where the user edited last: as before
    if state in HELD:
        return KeywordChange(photo_id, path, label, state, written=written)  # nothing decided: `write` holds it
    if now is None and info is not None and info.landmark is not None and not same_landmark(info.landmark, label):
        now = info.landmark
    if now is not None and not same_landmark(now, label):
        change = KeywordChange(photo_id, path, label, REPLACED, now, written)
    else:
        change = KeywordChange(photo_id, path, label, REMOVED, written=written)
    _decide(conn, change, info, journal)
    return change


def last_edited(found: dict[str, tuple[str | None, str | None]]) -> str:
    """The file of `found` (path -> what _what_is_in says) another program saved last: the
    user's latest edit speaks for the photo. Lightroom keeps a RAW+JPEG shot as one and
    writes the RAW's sidecar alone, leaving our keyword in the JPEG; an editor of the
    JPEG leaves the sidecar. On a tie a file that lost the keyword wins (it was edited)."""
    def saved_at(path: str) -> tuple[int, bool]:
        try:
            return Path(path).stat().st_mtime_ns, found[path][0] != "ours"
        except OSError:
            return -1, False
    return max(found, key=saved_at)


def files_that_held(conn: sqlite3.Connection, photo_id: int, label: str) -> dict[str, dict | None]:
    """The photo's files the index knows held `label`'s keyword: those whose newest write
    of ours (not undone) put it there, each with what that write's journal entry recorded
    of the file before it, and those the label was read back from (None)."""
    newest: dict[str, tuple[str | None, dict]] = {}
    for path, before, after in conn.execute(
            "SELECT j.path, j.before, j.after FROM write_journal j JOIN write_batches b ON b.id = j.batch_id "
            "WHERE j.photo_id = ? AND b.undone_at IS NULL AND j.size_after IS NOT NULL AND j.size_after >= 0 "
            "ORDER BY j.id DESC", (photo_id,)):
        if path not in newest:
            newest[path] = (json.loads(after).get("label"), json.loads(before or "{}"))
    files: dict[str, dict | None] = {
        path: before for path, (written, before) in newest.items() if written is not None and same_landmark(written, label)}
    for path, keyword in conn.execute("SELECT path, keyword FROM read_back_keywords WHERE photo_id = ?", (photo_id,)):
        if same_landmark(keyword, label):
            files.setdefault(path, None)
    return {path: before for path, before in files.items() if not gone_to_another_photo(conn, photo_id, str(path))}


def gone_to_another_photo(conn: sqlite3.Connection, photo_id: int, path: str) -> bool:
    """Whether the file (or the one a sidecar is named after: IMG_0001.CR3 of
    IMG_0001.CR3.xmp) is another photo's now, or our newest write of it was for another
    photo: an older version's merged photo split, a sidecar written since for the photo it
    went to. What is in it now is that photo's, never an edit of this one's keyword. A
    newest write for a forgotten photo (its id negated, photo_rows.remove_photos) is no
    photo's: the file added back as this one (its label read back) is followed as its own."""
    newest = conn.execute(
        "SELECT j.photo_id FROM write_journal j JOIN write_batches b ON b.id = j.batch_id WHERE j.path = "
        "CAST(? AS TEXT) AND b.undone_at IS NULL AND j.size_after IS NOT NULL AND j.size_after >= 0 "
        "ORDER BY j.id DESC LIMIT 1", (db_text(path),)).fetchone()
    if newest is not None and newest[0] is not None and newest[0] > 0 and newest[0] != photo_id:
        return True
    named_after = [path, *([path[:-4]] if path.lower().endswith(".xmp") else [])]
    return any(conn.execute("SELECT 1 FROM files WHERE path = CAST(? AS TEXT) AND photo_id != ? AND missing = 0",
                            (db_text(name), photo_id)).fetchone() is not None for name in named_after)


def what_is_in(path: Path, label: str, before: dict | None = None,
               users_own: KeywordFields = KeywordFields()) -> tuple[str | None, str | None]:
    """(OURS: the file holds `label`'s keyword in any keyword field, the keywords that are
    the user's own aside (`users_own`: landmark_in_users_tree.keywords_before_ours, a friend
    `People|Petra` and its plain "Petra"); REMOVED: gone from
    every field, the file's XMP otherwise there; STRIPPED: gone with the file's XMP (a
    JPEG saved without its packet: nothing tells a removal from a save that dropped XMP);
    RESTORED: the file is back as `before` (the write journal's record of it before our
    write: a backup put back, our own undo seen by an older copy of the index); None:
    cannot tell (a file this app reads no keyword fields of, or one unreadable now);
    HELD_TWICE: cannot tell, its XMP holding a keyword array twice (merged packets) whose
    copies say otherwise (read_back.as_readers_see); the landmark keyword in the file now,
    if any, or for HELD_TWICE what the scan says of the file)."""
    from app.core.metadata.journal import decode_blob
    from app.core.metadata.file_now import read_jpeg_head
    from app.core.metadata.jpeg_segments import XMP_HEADER
    from app.core.metadata.sidecar import fields_of_sidecar, read_sidecar_text
    from app.core.photo_info import file_kind

    try:
        if path.suffix.lower() == ".xmp":
            text = read_sidecar_text(path)
            fields, packet = fields_of_sidecar(text, str(path)), True
            document = XmpDocument.parse(text, str(path)) if text is not None else None
            restored = before is not None and before.get("text") is not None and decode_blob(before["text"]) == text
        elif file_kind(path.name) == "jpeg":
            layout, fields = read_jpeg_head(path)
            xmp = layout.first("xmp")
            packet = xmp is not None
            document = XmpDocument.parse(xmp.payload[len(XMP_HEADER) :], str(path)) if packet else None
            restored = before is not None and _segments_as_before(layout, before)
        else:
            return None, None
    except (TaggerError, OSError, ValueError):
        return None, None

    def read(document: XmpDocument | None, last: bool) -> tuple[bool, str | None]:
        """(whether it holds the keyword, else the landmark keyword there now) as a reader sees it."""
        seen = fields if not last else _as_read_last(fields, document)
        if holds_landmark(without_users_own(seen, users_own, label), label):
            return True, None
        return False, next((name for keyword in seen.hierarchical or [] for root, bar, name in [keyword.partition("|")]
                            if root == "Landmarks" and bar and name.strip()), None)

    seen = as_readers_see(document, read) if document is not None else read(None, False)
    if isinstance(seen, Disagreement):
        return HELD_TWICE, seen.words(f"whether it still holds the keyword {label} cannot be told, and the "
                                      "photo's label is left as it is")
    ours, now = seen
    if ours:
        return OURS, label
    if not packet:
        return STRIPPED, now
    return (RESTORED if restored else REMOVED), now


def _as_read_last(fields: KeywordFields, document: XmpDocument) -> KeywordFields:
    """`fields` with its XMP arrays as a reader taking the last of each held twice (exiftool) sees them."""
    return replace(fields, subject=document.get_bag(DC, "subject", True),
                   hierarchical=document.get_bag(LR, "hierarchicalSubject", True),
                   digikam=document.get_bag(DIGIKAM, "TagsList", True),
                   microsoft=document.get_bag(MICROSOFT_PHOTO, "LastKeywordXMP", True))


def _segments_as_before(layout, before: dict) -> bool:
    """Whether each segment our write changed holds again the bytes it held before it."""
    from app.core.metadata.journal import decode_blob

    saved = before.get("segments") or {}
    return bool(saved) and all(
        (segment.payload if (segment := layout.first(kind)) is not None else None) == decode_blob(payload)
        for kind, payload in saved.items())


def holds_landmark(fields: KeywordFields, label: str) -> bool:
    """Whether any keyword field names the landmark, compared as a write takes our keyword
    out (keywords.names_landmark: case, Unicode form, spaces, "AC/DC Tower" for "AC|DC
    Tower"), so a keyword the scan finds still there is one the write keeps: a plain
    keyword (dc:subject, IPTC, XPKeywords: programs that keep no hierarchy), or the last
    level of a hierarchy path (`Landmarks|NAME`, a keyword moved to `Places|Rome|NAME`,
    digiKam's `Landmarks/NAME`). A label holding either sign reads as its last levels
    whichever sign the path splits at: "AC/DC Tower", written `Landmarks/AC|DC Tower` in
    digiKam's TagsList, is still there as `Places/AC|DC Tower`, as digiKam's own mirror
    `Places|AC|DC Tower` in lr:hierarchicalSubject, or `Places/AC/DC Tower`."""
    flat = [item for name in ("subject", "iptc") for item in getattr(fields, name) or []]
    flat += [part for item in fields.xp or [] for part in item.split(";")]
    if any(names_landmark(item, label) for item in flat if item.strip()):
        return True
    paths = [(item, "|") for item in fields.hierarchical or []]
    paths += [(item, "/") for name in ("digikam", "microsoft") for item in getattr(fields, name) or []]
    levels = 1 + label.count("/") + label.count("|")  # a split that cut the label stays one name
    for item, bar in paths:  # a bar inside a label is written as the other sign (hierarchical_keyword)
        root, separator, rest = item.partition(bar)
        parts = item.split(bar)
        names = [*(bar.join(parts[-count:]) for count in range(1, levels + 1)), item,
                 *([rest] if root == "Landmarks" and separator else [])]
        if any(names_landmark(name, label) for name in names if name.strip()):
            return True
    return False


@dataclass
class ScanDecisions:
    """The one review command a scan's decisions are journalled as, so one `undo --review`
    takes them all back (as it does a `reject` of many photos)."""

    command_id: int | None = None
    photos: int = 0

    def words(self) -> str:
        return f"scan: {self.photos:,} landmark keyword{'s' if self.photos != 1 else ''} changed elsewhere"


def _decide(conn: sqlite3.Connection, change: KeywordChange, info: PhotoInfo | None,
            journal: ScanDecisions | None) -> None:
    """Store the label the files say, journalled in the scan's review command."""
    before = review_journal.labels_before(conn, [change.photo_id])
    if change.how == REPLACED and change.now is not None:
        read_now = info is not None and info.landmark is not None and same_landmark(info.landmark, change.now)
        taught = info.landmark_taught if read_now else None
        label_store.store_label(conn, change.photo_id, change.now, source="taught" if taught is False else "user",
                                state="accepted", landmark_id=None, score=None)
        files = list(info.landmark_files) if read_now else []
        record_read_back(conn, change.photo_id, change.now, files if change.path in files else [*files, change.path],
                         teaches=taught is True)
        after = (change.now, "accepted")
    else:
        label_store.change_states(conn, [change.photo_id], "rejected")
        after = (change.keyword, "rejected")
    journal = journal if journal is not None else ScanDecisions()
    journal.photos += 1
    command_id = review_journal.record(conn, "scan", journal.words(), before, [change.photo_id],
                                       {change.photo_id: after}, into=journal.command_id)
    if command_id is None:
        journal.photos -= 1
    else:
        journal.command_id = command_id


def summary_line(changes: list[dict]) -> str:
    """What the scan says of the labels that followed their files, with the search listing them."""
    decided = [change for change in changes if change["how"] not in UNDECIDED]
    if not decided:
        return ""
    ids = "|".join(str(change["photo_id"]) for change in decided[:50])
    more = " (the first 50)" if len(decided) > 50 else ""
    keywords = "landmark keyword was" if len(decided) == 1 else "landmark keywords were"
    written = {change.get("written", True) for change in decided}
    since = ("our write" if written == {True} else "the scan that read it" if len(decided) == 1 else
             "the scan that read them" if written == {False} else "our write or the scan that read them")
    return (f"{len(decided):,} {keywords} changed or removed in another program since {since}: "
            f"{'its label follows the file' if len(decided) == 1 else 'their labels follow the files'} "
            f"(`search id:{ids}` lists {'it' if len(decided) == 1 else 'them'}{more})")
