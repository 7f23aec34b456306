"""What a write (or undo) batch did, in the words the CLI prints and the GUI shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.core.metadata import journal
from app.core.wording import counted


@dataclass
class WriteSummary:
    """What a write (or undo) batch did."""

    batch_id: int | None = None
    written: int = 0
    unchanged: int = 0
    failed: int = 0
    cancelled: bool = False
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, message)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (path, message): written, with a caveat
    relabelled: int = 0  # files left alone: their photo's label or state changed since the plan
    held: int = 0  # files left alone by the user's own choice (PlannedWrite.held), each in `notes`: no failure
    done_word: str = "written"  # "restored" for an undo
    next_step: str = ""  # what to do about the failures (an undo says whether it can retry them)
    carried_on: bool = False  # a write that went on with the batch a killed write left (journal.open_batch)
    batch_files: int = 0  # a write's: the files its batch holds, the killed run's too (what undo takes back)
    undone_meanwhile: bool = False  # a write's batch an undo elsewhere took while it wrote: undo skips it now
    left_for_the_next_write: bool = False  # stopped by SIGTERM: the next write carries the batch on
    written_again: int = 0  # a carried-on write's: files the stopped run had written, written anew (relabelled)
    # the batch an undo takes after this one when the user cancelled it (journal.cancelled_batch_before):
    # its files keep their label after this batch's undo, and both faces say so
    cancelled_before: journal.CancelledBatch | None = None
    # a write's files that had other names (hard links) and were replaced (hard_links.now_alone), read by
    # the caller before the write: those names keep the file unlabelled (the CLI says it on a line of its own)
    hard_linked: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The one-line summary the CLI prints and the GUI's status bar shows."""
        more = "more " if self.carried_on and not self.written_again else ""
        again = f" ({self.written_again:,} of them again)" if self.written_again else ""  # not on top of the batch's
        parts = [f"{counted(self.written, more + 'file')} {self.done_word}{again}"]
        if self.unchanged:
            parts.append(f"{self.unchanged:,} unchanged")
        parts.append(f"{self.failed:,} failed")
        if self.relabelled:
            parts.append(relabelled_text(self.relabelled))
        if self.held:
            parts.append(f"{self.held:,} left alone")
        notes = ""
        if self.notes:  # written, with a caveat the user should hear of (the GUI shows only this line)
            more = f" (and {counted(len(self.notes) - 1, 'other file')} the same)" if len(self.notes) > 1 else ""
            notes = f"; note: {Path(self.notes[0][0]).name}: {self.notes[0][1]}{more}"
        carried = f"carried on batch {self.batch_id} (stopped before it finished): " if self.carried_on else ""
        undone = ""
        if self.undone_meanwhile:  # its undo marked it undone: `undo` goes to an older batch
            undone = (f"; batch {self.batch_id} was undone by another process while this write ran: "
                      f"{counted(self.batch_files, 'file')} written after that keep the label, and no undo "
                      "takes them back")
        # stopped by SIGTERM, the batch is not cancelled: the next write carries it on
        stopped = " (stopped)" if self.left_for_the_next_write else " (cancelled)" if self.cancelled else ""
        return (carried + ", ".join(parts) + stopped + notes + undone
                + (f"; {self.next_step}" if self.next_step else ""))

    @property
    def status(self) -> str:
        if self.cancelled:
            return "cancelled"
        return "partial" if self.failed else "done"

    def to_json(self) -> dict:
        record = {
            "batch_id": self.batch_id, "written": self.written, "unchanged": self.unchanged,
            "failed": self.failed, "relabelled": self.relabelled, "held": self.held, "cancelled": self.cancelled, "status": self.status,
            "errors": [{"path": p, "message": m} for p, m in self.errors],
            "notes": [{"path": p, "message": m} for p, m in self.notes],
        }
        if self.done_word == "written":  # a write's batch: what undo takes back
            record.update(carried_on=self.carried_on, batch_files=self.batch_files,
                          undone_meanwhile=self.undone_meanwhile, left_for_the_next_write=self.left_for_the_next_write,
                          written_again=self.written_again)
        return record


def relabelled_text(files: int) -> str:
    """ "1 file left as it is (its photo was labelled again since the plan was made; …)"."""
    its = "its photo was" if files == 1 else "their photos were"
    return (f"{counted(files, 'file')} left as {'it is' if files == 1 else 'they are'} ({its} labelled again "
            "since the plan was made; run 'write' again)")
