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
- gone, the file's metadata otherwise there: the label is rejected (remembered, so the
  model does not suggest it again; a label set in the app alike: the user said "not
  this place" of the photo, and an unlabelled photo would get the model's guess back);
- gone with all the file's metadata (a tool that strips XMP, EXIF and IPTC): nothing is
  decided here; `write` holds the photo (metadata.plan_stripped_hold).
The change goes into the review journal as a `scan`, so `undo --review` takes it back.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import TaggerError
from app.core.index import labels as label_store
from app.core.index import review_journal
from app.core.index.read_back_records import record_read_back
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.read_back import same_landmark
from app.core.photo_info import PhotoInfo

REPLACED, REMOVED, STRIPPED = "replaced", "removed", "stripped"


@dataclass(frozen=True)
class KeywordChange:
    """What a scan found of a photo's landmark keyword taken out elsewhere."""

    photo_id: int
    path: str  # the photo's file (the first of those that held the keyword)
    keyword: str  # the landmark our keyword named (the label it had)
    how: str  # REPLACED, REMOVED or STRIPPED
    now: str | None = None  # the landmark that replaced it (REPLACED)

    def to_json(self) -> dict:
        return {"photo_id": self.photo_id, "path": self.path, "keyword": self.keyword, "how": self.how,
                "label": self.now}


def follow_the_files(conn: sqlite3.Connection, photo_id: int, info: PhotoInfo | None) -> KeywordChange | None:
    """Give the photo the label its files now say, where a keyword of ours the index knows
    was in them is gone (see the module's docstring); `info`: what the scan read of the
    photo (its landmark: the one read back now). None where nothing was decided or found."""
    row = conn.execute("SELECT label, state FROM labels WHERE photo_id = ?", (photo_id,)).fetchone()
    if row is None or row[0] is None or row[1] == "rejected":
        return None
    label = row[0]
    files = [path for path in files_that_held(conn, photo_id, label) if Path(path).is_file()]
    if not files:
        return None
    found = {path: _what_is_in(Path(path), label) for path in files}
    if any(state is None for state, _ in found.values()):
        return None  # a file that cannot tell: as before
    path = last_edited(found)
    state, now = found[path]
    if state == "ours":
        return None  # still there where the user edited last: as before
    if now is None and info is not None and info.landmark is not None and not same_landmark(info.landmark, label):
        now = info.landmark
    if now is not None and not same_landmark(now, label):
        change = KeywordChange(photo_id, path, label, REPLACED, now)
    else:
        change = KeywordChange(photo_id, path, label, REMOVED if state == "metadata" else STRIPPED)
    if change.how != STRIPPED:
        _decide(conn, change, info)
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


def files_that_held(conn: sqlite3.Connection, photo_id: int, label: str) -> list[str]:
    """The photo's files the index knows held `label`'s keyword: those whose newest write
    of ours (not undone) put it there, and those the label was read back from."""
    newest: dict[str, str | None] = {}
    for path, after in conn.execute(
            "SELECT j.path, j.after FROM write_journal j JOIN write_batches b ON b.id = j.batch_id "
            "WHERE j.photo_id = ? AND b.undone_at IS NULL AND j.size_after IS NOT NULL AND j.size_after >= 0 "
            "ORDER BY j.id DESC", (photo_id,)):
        newest.setdefault(path, json.loads(after).get("label"))
    files = [path for path, written in newest.items() if written is not None and same_landmark(written, label)]
    files += [path for path, keyword in conn.execute(
        "SELECT path, keyword FROM read_back_keywords WHERE photo_id = ?", (photo_id,))
              if same_landmark(keyword, label) and path not in files]
    return files


def _what_is_in(path: Path, label: str) -> tuple[str | None, str | None]:
    """("ours" (the file holds `label`'s keyword), "metadata" (not, but metadata is there),
    "nothing" (a JPEG without XMP, EXIF or IPTC: stripped), None (cannot tell: a file
    this app reads no keyword fields of, or one unreadable now); the landmark keyword in
    the file now, if any)."""
    from app.core.metadata.plan import read_jpeg_head
    from app.core.metadata.sidecar import fields_of_sidecar, read_sidecar_text
    from app.core.photo_info import file_kind

    try:
        if path.suffix.lower() == ".xmp":
            fields, packet = fields_of_sidecar(read_sidecar_text(path), str(path)), True
        elif file_kind(path.name) == "jpeg":
            layout, fields = read_jpeg_head(path)
            # EXIF counts: exiftool drops a packet a removed keyword left empty, while a
            # tool stripping the file's metadata (privacy, "save for web") takes EXIF too
            packet = any(layout.first(kind) is not None for kind in ("xmp", "exif", "photoshop"))
        else:
            return None, None
    except (TaggerError, OSError):
        return None, None
    if _holds(fields, label):
        return "ours", label
    state = "metadata" if packet or any(value is not None for value in vars(fields).values()) else "nothing"
    return state, next((name for keyword in fields.hierarchical or [] for root, bar, name in [keyword.partition("|")]
                        if root == "Landmarks" and bar and name.strip()), None)


def _holds(fields: KeywordFields, label: str) -> bool:
    for keyword in fields.hierarchical or []:
        root, separator, name = keyword.partition("|")
        if root == "Landmarks" and separator and same_landmark(name, label):
            return True
    return False


def _decide(conn: sqlite3.Connection, change: KeywordChange, info: PhotoInfo | None) -> None:
    """Store the label the files say, journalled as a review command of the scan."""
    before = review_journal.labels_before(conn, [change.photo_id])
    if change.how == REPLACED and change.now is not None:
        read_now = info is not None and info.landmark is not None and same_landmark(info.landmark, change.now)
        taught = info.landmark_taught if read_now else None
        label_store.store_label(conn, change.photo_id, change.now, source="taught" if taught is False else "user",
                                state="accepted", landmark_id=None, score=None)
        files = list(info.landmark_files) if read_now else []
        record_read_back(conn, change.photo_id, change.now, files if change.path in files else [*files, change.path])
        after = (change.now, "accepted")
    else:
        label_store.change_states(conn, [change.photo_id], "rejected")
        after = (change.keyword, "rejected")
    review_journal.record(conn, "scan", f"scan: {Path(change.path).name}'s landmark keyword changed elsewhere",
                          before, [change.photo_id], {change.photo_id: after})


def summary_line(changes: list[dict]) -> str:
    """What the scan says of the labels that followed their files, with the search listing them."""
    decided = [change for change in changes if change["how"] != STRIPPED]
    if not decided:
        return ""
    ids = "|".join(str(change["photo_id"]) for change in decided[:50])
    more = " (the first 50)" if len(decided) > 50 else ""
    keywords = "landmark keyword was" if len(decided) == 1 else "landmark keywords were"
    return (f"{len(decided):,} {keywords} changed or removed in another program since our write: "
            f"{'its label follows the file' if len(decided) == 1 else 'their labels follow the files'} "
            f"(`search id:{ids}` lists {'it' if len(decided) == 1 else 'them'}{more})")
