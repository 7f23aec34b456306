"""Which landmark keyword in a file a relabel replaces, when no write of ours is
journalled for the file: the one the photo's label was read back from (the index
records it), else, for a photo labelled before those records, one already there when it
was labelled. Any other landmark keyword there is the user's own and stays."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from app.core.index import PhotoIndex
from app.core.index.read_back_records import labelled_before_records, read_back_keyword
from app.core.metadata.read_back import same_landmark


def read_back_from(index: PhotoIndex, photo_id: int, file: Path, keyword: str) -> bool:
    """Whether the photo's label was read back from `keyword` in `file`, as the index
    records (read_back_records): the keyword to replace on a relabel. A photo labelled
    before the index kept that record goes by the file's time (_there_when_labelled)."""
    recorded = read_back_keyword(index.conn, photo_id, file)
    if recorded is not None:
        return same_landmark(recorded, keyword)
    return labelled_before_records(index.conn, photo_id) and _there_when_labelled(index, photo_id, file)


def _there_when_labelled(index: PhotoIndex, photo_id: int, file: Path) -> bool:
    """For a photo labelled before read backs were recorded: whether `file` was last
    changed no later than its label was last set (to the second the index keeps), so
    the landmark keyword it holds was there then, as after a read back and a relabel. A
    file changed since holds a keyword the user added elsewhere after labelling; so does
    one whose times are unknown (the safe side: it stays, ours goes beside it)."""
    row = index.conn.execute("SELECT updated_at FROM labels WHERE photo_id = ?", (photo_id,)).fetchone()
    stat = _stat_or_none(file)
    if row is None or not row[0] or stat is None:
        return False
    try:
        labelled = datetime.fromisoformat(row[0]).timestamp()
    except ValueError:
        return False
    return stat.st_mtime_ns // 1_000_000_000 <= labelled


def _stat_or_none(path: Path):
    try:
        return path.stat()
    except FileNotFoundError:
        return None
