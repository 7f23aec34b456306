"""A `rename` in the review journal. Taking a rename back is not done: a merge cannot be
undone by renaming, and several spellings made one cannot be told apart again. But
without an entry of its own, `undo --review` right after a rename reached past it and
took back the unrelated step before it, the rename staying. So a rename leaves a mark,
a command of no photo whose one row (photo 0, no photo's id) holds the old name and the
new: `undo --review` meeting it takes the mark out, takes nothing back and says how to
put the name back; the next `undo --review` takes back the step before it. The mark of a
rename (not a merge) met stays as RENAME_MET, passed by undo, until a rename back cancels
it: the way back the undo gave leaves no mark for the next undo to meet again. A rename
met after a later one (`rename Lake Lak; rename Lak Lakes`) is put back from the name the
place has now (`rename Lakes Lake`), which cancels both marks; one whose name nothing holds
any more (merged away, its photos forgotten) is said to have nothing to rename back, and so
is one whose place has its old name again (`rename Lake Lak; label …; rename Lak Lake`: the
way back would be `rename Lake Lake`, which rename refuses): its chain's marks go."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from app.core.index import review_journal
from app.core.wording import shell_quote

if TYPE_CHECKING:
    from app.core.index import PhotoIndex

RENAMED = "rename"  # the mark's verb, and its row's after_state, for a rename
MERGED = "rename merge"  # ... for a rename into a name in use (a merge)
_NO_PHOTO = 0  # review_journal.PLACE_FORGOTTEN's way: ids start at 1


@dataclass(frozen=True)
class RenameMark:
    """A rename the journal holds: its words, the name before and after, whether a merge."""

    command: str
    old: str
    new: str
    merged: bool
    now: str = ""  # the name the place has now, renamed again since the mark ("": `new`)
    gone: bool = False  # no photo or taught place holds that name now: no rename puts it back
    named_again: bool = False  # renamed back to `old` since (not by a rename next to it): nothing to put back

    def way_back(self, program: str) -> str:
        """How to put the name back, as a command to paste (`program`: with its --db)."""
        if self.merged:
            return (f"a merge is not taken back by renaming: `{program} restore-index COPY` with the copy of the "
                    "index the rename named puts the index back as it was before it")
        if not can_be_put_back(self.old):
            return NO_WAY_BACK
        name = self.now or self.new
        if self.named_again:
            return f"the place is called '{self.old}' again since later renames, so there is no name to rename back"
        if self.gone:
            return f"no photo or taught place is called '{name}' now, so there is no name to rename back"
        since = f", called '{name}' since a later rename" if name != self.new else ""
        return f"`{program} rename {shell_quote(name)} {shell_quote(self.old)}` puts the name back{since}"


# an old name holding what a label may no longer hold (a direction isolate an older version
# stored): `rename NEW OLD` is refused, so it is not offered as the way back
NO_WAY_BACK = "no rename puts the old name back: it holds a character a label can no longer hold"


def can_be_put_back(old: str) -> bool:
    """Whether `rename NEW old` is a rename check_label takes (an old name an older version
    stored may hold a direction isolate or control character it now refuses)."""
    from app.core.errors import UsageError
    from app.core.teaching_names import check_label

    try:
        return check_label(old) == old
    except UsageError:
        return False


def record_rename(conn: sqlite3.Connection, old: str, new: str, merged: bool) -> None:
    """Mark a rename of `old` to `new` in the journal, in the rename's transaction. A rename
    that puts back the name the newest mark took away (not a merge) takes that mark out
    instead: the two cancel, and `undo --review` takes back the step before them. The
    newest mark may be one an undo met (RENAME_MET): the rename back it proposed; so may
    a chain of marks, `rename Lakes Lake` after `rename Lake Lak; rename Lak Lakes`."""
    if not merged and (chain := _renames_put_back(conn, old, new)):
        for command_id in chain:
            _take_out(conn, command_id)
        return
    words = f"rename {shell_quote(old)} {shell_quote(new)}"
    command_id = review_journal.open_command(conn, MERGED if merged else RENAMED, words)
    conn.execute("INSERT INTO review_changes (command_id, photo_id, label, after_label, after_state) "
                 "VALUES (?, ?, ?, ?, ?)", (command_id, _NO_PHOTO, old, new, MERGED if merged else RENAMED))
    review_journal.close_command(conn, command_id, 1)


def take_out_newest_rename(index: "PhotoIndex", met: RenameMark | None = None) -> RenameMark | None:
    """The newest entry of the journal when it is a rename's mark (`met`'s, when given),
    taken out (the next `undo --review` takes back the step before it): a merge's for
    good, a rename's kept as RENAME_MET for the rename back to cancel. None, nothing
    changed, otherwise."""
    with index.transaction() as conn:
        newest = _newest_mark(conn)
        if newest is None or (met is not None and (newest[1].old, newest[1].new) != (met.old, met.new)):
            return None
        if newest[1].merged:
            _take_out(conn, newest[0])
            return newest[1]
        met, chain = _as_named_now(conn, *newest)
        if met.named_again:  # no rename back will come to cancel them: the chain's marks go
            for command_id in (newest[0], *chain):
                _take_out(conn, command_id)
        else:
            conn.execute("UPDATE review_commands SET verb = ? WHERE id = ?", (review_journal.RENAME_MET, newest[0]))
        return met


def _as_named_now(conn: sqlite3.Connection, command_id: int, mark: RenameMark) -> tuple[RenameMark, list[int]]:
    """`mark` with the name its place has now: renamed again by the renames met after it (all
    the journal holds after the newest mark not met), whether anything holds that name, and
    whether it is `mark`'s old name again; with the ids of the marks of those renames."""
    from app.core.index.labels import spellings_in_use

    name, chain = mark.new, []
    for later_id, old, new in conn.execute(
            "SELECT c.id, ch.label, ch.after_label FROM review_commands c JOIN review_changes ch "
            "ON ch.command_id = c.id AND ch.photo_id = ? WHERE c.id > ? AND c.verb = ? ORDER BY c.id",
            (_NO_PHOTO, command_id, review_journal.RENAME_MET)):
        if old is not None and new is not None and old.casefold() == name.casefold():
            name = new
            chain.append(later_id)
    if chain and name == mark.old:
        return replace(mark, now=name, named_again=True), chain
    return replace(mark, now=name, gone=not spellings_in_use(conn, name)), chain


def _renames_put_back(conn: sqlite3.Connection, old: str, new: str) -> list[int]:
    """The newest marks (renames, met or not, no merge) whose renames led from `new` to `old`,
    which a rename of `old` to `new` puts back: its own mark and theirs cancel (`rename Lake
    Lak; rename Lak Lakes; rename Lakes Lake`). None such: []."""
    chain, name = [], old
    for command_id, verb in conn.execute("SELECT id, verb FROM review_commands ORDER BY id DESC"):
        if verb not in (RENAMED, review_journal.RENAME_MET):
            return []
        row = conn.execute("SELECT label, after_label FROM review_changes WHERE command_id = ? AND photo_id = ?",
                           (command_id, _NO_PHOTO)).fetchone()
        if row is None or row[1] != name:
            return []
        chain.append(command_id)
        name = row[0]
        if name == new:
            return chain
    return []


def newest_rename(conn: sqlite3.Connection) -> RenameMark | None:
    """The newest entry of the journal when it is a rename's mark, else None."""
    newest = _newest_mark(conn)
    return None if newest is None else newest[1]


def _newest_mark(conn: sqlite3.Connection) -> tuple[int, RenameMark] | None:
    """The newest command (a mark an undo met, RENAME_MET, passed) when it is a rename's mark."""
    found = review_journal.last_command(conn)
    last = None if found is None else (found.id, found.verb, found.command)
    if last is None or last[1] not in (RENAMED, MERGED):
        return None
    row = conn.execute("SELECT label, after_label FROM review_changes WHERE command_id = ? AND photo_id = ?",
                       (last[0], _NO_PHOTO)).fetchone()
    if row is None:  # not a mark this module wrote: left alone
        return None
    return last[0], RenameMark(last[2], row[0], row[1], last[1] == MERGED)


def _take_out(conn: sqlite3.Connection, command_id: int) -> None:
    conn.execute("DELETE FROM review_changes WHERE command_id = ?", (command_id,))
    conn.execute("DELETE FROM review_commands WHERE id = ?", (command_id,))
