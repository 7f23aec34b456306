"""The status bar's words for what a job did: the core's one-line summaries are the
command line's, and the app says some of them its own way (no zero counts, curly
quotes, "cancelled" once)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Iterable, Sequence

from app.core.index.labels import FORGOTTEN
from app.core.keywords_changed_elsewhere import summary_line
from app.core.library import display_name
from app.core.scan_summary import not_downloaded_words, other_frames_words
from app.core.wording import counted
from app.gui.app_words import model_problem
from app.gui.review_work import CorrectionSummary
from app.gui.key_names import key_name
from app.gui.tag_end_words import tag_counts_line

NAMES_SHOWN = 3  # labels a message names before it counts the rest
# the end a cancelled job's summary has in the core: "; cancelled, the rest is left for the next run"
_CANCELLED_END = re.compile(r";? cancelled, (?P<rest>[^;]*)$")


def scan_line(summary) -> str:
    """ "64 photos, 3 new, 1 error": a ScanSummary without its zero counts (the command
    line lists them all) and without the status, which the message says already."""
    counts = [("new", summary.new), ("changed", summary.changed), ("moved", summary.moved),
              ("missing", summary.missing)]
    parts = [counted(summary.photos, "photo")] + [f"{count:,} {what}" for what, count in counts if count]
    if summary.errors:
        parts.append(counted(summary.errors, "error"))
    if summary.labels_read:
        parts.append(f"{counted(summary.labels_read, 'label')} read from the files")
    if summary.unchanged_problems:
        parts.append(f"{counted(summary.unchanged_problems, 'unchanged file')} still unreadable")
    if summary.not_downloaded:
        parts.append(not_downloaded_words(summary.not_downloaded))
    if getattr(summary, "other_frames", 0):  # names reused by a card formatted: the old labels not on the new frames
        parts.append(other_frames_words(summary.other_frames))
    # labels that followed a keyword of ours changed in another program: the CLI's words
    followed = summary_line(getattr(summary, "keywords_changed_elsewhere", []))
    # a folder of the one added that a link in the library holds (ScanSummary.left_to_links)
    return ", ".join(parts) + "".join(f"; {folder} is in the library as {link}; left there"
                                      for folder, link in summary.news(summary.left_to_links)) + (
        f"; {followed}" if followed else "")


def retag_carried_on_text(carried_on) -> str:
    """ "Carrying on the retag started 2026-12-05 18:33: 48 photos left": a Tag that reads
    photos a retag stopped before (in the app or a terminal) has left says why it reads them.
    A part of them (Tag selection, photos dropped) is said as the part, as the CLI says it:
    "… with 1 of the 5 photos it has left", not "1 photo left" while 4 more wait."""
    started = carried_on.mark.started_words()
    if carried_on.here >= carried_on.mark.left:
        return f"Carrying on the retag started {started}: {counted(carried_on.here, 'photo')} left"
    return (f"Carrying on the retag started {started} with {carried_on.here:,} of the "
            f"{counted(carried_on.mark.left, 'photo')} it has left")


def tag_line(summary) -> str:
    """A tag job's summary (TagSummary.line), with the files it could not read named as the
    command line names them: a dropped photo that is damaged did not just vanish; and the
    folder a dropped photo brought into the library, all its photos with it, as `tag FILE`
    says it (folders_joined.joined_text), with the library panel's ways to widen or undo it."""
    from app.core.folders_joined import joined_text

    line = tag_counts_line(summary)  # the CLI's counts without its zeros, time and rate
    for folder, photos in getattr(summary, "folders_joined", ()):
        name = folder.name or str(folder)
        line += "; " + joined_text(f"“{name}”", photos, "right-click it in the library panel to include the "
                                                        "folders in it, or to remove it")
    return line


def cancelled_text(name: str, text: str) -> str:
    """ "Tagging library: cancelled — tagged 16 photos…; the work done so far is kept, the
    rest is left for the next run": "cancelled" once, though the core's summary says it too."""
    match = _CANCELLED_END.search(text)
    rest = f", {match['rest']}" if match else ""
    text = text[:match.start()] if match else text
    return f"{name}: cancelled" + (f" — {text}; " if text else "; ") + f"the work done so far is kept{rest}"


def late_cancel_text(name: str, text: str, undoable: bool = True) -> str:
    """ "Accepting 41,956 photos: done before Cancel could stop it — Accepted 41,956
    photos; Ctrl+Z takes it back": a job that changes all or nothing was past its last
    look at the cancel flag, so everything changed, and the user must know how to undo it.
    Not `undoable`: a Ctrl+Z's own take-back, which leaves nothing for Ctrl+Z to take back."""
    said = f" — {text.removesuffix('.')}" if text else ""
    undo = f"; {key_name('Ctrl+Z')} takes it back" if undoable else ""
    return f"{name}: done before Cancel could stop it{said}{undo}"


def rename_line(summary) -> str:
    """The core's rename summary with the places in the app's curly quotes, capitalised."""
    text = summary.line()
    old, new = summary.old, summary.new
    if summary.merged:
        core, app = f"merged '{old}' into '{new}'", f"Merged “{old}” into “{new}”"
    else:
        core, app = f"renamed '{old}' to '{new}'", f"Renamed “{old}” to “{new}”"
    if text.startswith(core):
        return app + text[len(core):]
    return text[:1].upper() + text[1:]


def left_since_text(photo_ids: Sequence[int], now: dict) -> str:
    """ "labelled again since", "taken out of the library since" (state FORGOTTEN: the
    photo's folder forgotten in a terminal), or both when some photos are each."""
    gone = sum(now.get(photo_id, (None, "unlabelled"))[1] == FORGOTTEN for photo_id in photo_ids)
    if not gone:
        return "labelled again since"
    return "taken out of the library since" if gone == len(photo_ids) else "labelled again or taken out of the library since"


def kept_choices_text(state: str, count: int) -> str:
    """"; 1 rejected photo left as it is (choose it alone to accept it)": the user's own
    choices A or R left among several photos (review_choices.choices_kept_among)."""
    was, verb = ("rejected", "accept") if state == "accepted" else ("accepted", "reject")
    one = count == 1
    return (f"; {counted(count, f'{was} photo')} left as {'it is' if one else 'they are'} "
            f"(choose {'it' if one else 'them'} alone to {verb} {'it' if one else 'them'})")


def labelled_again_text(verb: str, photo_ids: Sequence[int], now: dict, *, alone: bool) -> str:
    """Why photos were left as they are (`now`: their (label, state) in the index): labelled
    again by another program since the app showed them, or taken out of the library (its
    folder forgotten in a terminal: state FORGOTTEN). `alone`: nothing else was done
    ("Not rejected: the photo was labelled again since (now “Our cabin”, accepted)"), else
    the end of what was ("; 1 photo not rejected, taken out of the library since")."""
    one = len(photo_ids) == 1
    since = left_since_text(photo_ids, now)
    if one and since == "labelled again since":
        label, state = now.get(photo_ids[0], (None, "unlabelled"))
        since += " (now not tagged)" if state == "unlabelled" else f" (now “{label or 'no landmark'}”, {state})"
    if alone:
        who = "the photo was" if one else f"those {len(photo_ids):,} photos were"
        return f"Not {verb}: {who} {since}"
    return f"; {counted(len(photo_ids), 'photo')} not {verb}, {since}"


def correction_text(summary: CorrectionSummary) -> str:
    """What a label set with L did, in one line: the photo (its file name) or the count,
    the label, whether it was learnt (and why not), the labels no longer suggested, and
    the photos left as they are, labelled again since (as A and R name them)."""
    left = list(summary.left)
    if not summary.photo_ids and left:
        return labelled_again_text("changed", left, summary.left, alone=True)
    count = len(summary.photo_ids)
    them = "it" if count == 1 else "them"
    photos = summary.first_name if count == 1 else counted(count, "photo")
    text = f"Labelled {photos} “{summary.label or 'no landmark'}”"
    if summary.label is not None:
        text += _learnt_text(summary, count)
    if summary.rejected:
        text += f"; {names_capped(summary.rejected)} won't be suggested for {them} again"
    text += untaught_text((place, len(withdrawn)) for place, withdrawn in summary.untaught)
    if summary.released:  # the hold note's way out, as the CLI's `label` says it
        files = display_name(summary.released[0]) if len(summary.released) == 1 else counted(
            len(summary.released), "file")
        text += f"; {files} no longer left alone: Write labels… writes it again"
    if left:
        text += labelled_again_text("changed", left, summary.left, alone=False)
    return text + "."


def names_capped(names: Sequence[str], shown: int = NAMES_SHOWN) -> str:
    """ "“Petra”, “Colosseum” and 148 other places": a bulk L can take 150 labels off its
    photos, and a line naming them all is read by no one."""
    quoted = [f"“{name}”" for name in names]
    if len(quoted) <= shown:
        return ", ".join(quoted)
    return f"{', '.join(quoted[:shown - 1])} and {len(quoted) - shown + 1:,} other places"


def untaught_text(untaught: Iterable[tuple[str, int]]) -> str:
    """ "; “Arezzo streets” is no longer taught: its 4 suggestions withdrawn": a place
    whose last taught photo was labelled or rejected (app.core.teaching_untaught), with
    the suggestions it made, which left Review."""
    text = ""
    for place, withdrawn in untaught:
        text += f"; “{place}” is no longer taught"
        if withdrawn:
            text += f": its {counted(withdrawn, 'suggestion')} withdrawn"
    return text


def _learnt_text(summary: CorrectionSummary, count: int) -> str:
    """ " — learnt", or why the label was set without teaching anything."""
    if summary.model_problem:
        return f"; not learnt: {model_problem(summary.model_problem)} — choose one in Settings"
    learnt = len(summary.learnt)
    if learnt == count:
        return " — learnt"
    if learnt:
        return f" — learnt from {learnt:,} of them; {count - learnt:,} could not be used (see Problems)"
    return f"; not learnt: {'the photo' if count == 1 else 'the photos'} could not be used (see Problems)"


def teach_failures_text(failures: list[tuple[str, str]]) -> str:
    """The photos a teach could not use, and why (a blank frame, a file not readable)."""
    if not failures:
        return ""
    if len(failures) == 1:
        path, why = failures[0]
        name = display_name(path)
        why = why.removeprefix(f"{path}: ").removeprefix(f"{name}: ")  # the name leads already
        return f"; {name} could not be used: {why}"
    names = ", ".join(display_name(path) for path, _ in failures[:3])
    more = f" and {len(failures) - 3:,} more" if len(failures) > 3 else ""
    return f"; {counted(len(failures), 'photo')} could not be used ({names}{more}): see Problems"


def teach_text(summary, taught_before: dict[str, int], taught_after: dict[str, int]) -> str:
    """What a Teach… did, in the status bar: the place taught, from how many photos, the
    photos it could not use and why, the places whose photos now teach this one instead
    (a photo teaches one place), the taught photos that look unlike the others, the model's
    landmarks the taught photos are, and what to do next."""
    place = f"“{summary.label}”"
    failures = list(getattr(summary, "failures", []) or [])
    if not summary.taught:
        if failures:
            return f"Nothing taught as {place}: " + teach_failures_text(failures).removeprefix("; ")
        return f"Nothing taught as {place}: {counted(summary.errors, 'photo')} could not be used"
    text = f"Taught {place} from {counted(summary.taught, 'photo')}"
    if taught_after.get(summary.label, 0) > summary.taught:  # a place that had photos: its new total
        text += f" ({taught_after[summary.label]:,} in all)"
    if summary.embedded:
        text += f" ({summary.embedded:,} decoded now)"
    text += teach_failures_text(failures)
    for other, count in sorted(taught_before.items()):
        left = taught_after.get(other, 0)
        if other == summary.label or left >= count:
            continue
        moved = counted(count - left, "photo")
        if left:
            text += f"; {moved} of “{other}” teach{'es' if count - left == 1 else ''} {place} now ({left:,} left)"
        else:
            its = "its photo teaches" if count == 1 else f"its {moved} teach"
            text += f"; “{other}” is no longer taught: {its} {place} now (a photo teaches one place)"
            withdrawn = sum(len(gone.withdrawn) for gone in getattr(summary, "untaught", ()) if gone.place == other)
            if withdrawn:
                text += f", its {counted(withdrawn, 'suggestion')} withdrawn"
    look = getattr(summary, "look", None)  # what the taught photos are to the model (app.core.teaching_look)
    if look is not None:
        lines = look.lines(quote=lambda name: f"“{name}”", how_to_label="(L)",
                           photo_name=lambda path: Path(path).name)
        text += "".join(f". {line[:1].upper()}{line[1:]}" for line in lines)
    return text + ". Find suggestions in Review looks for it in your other photos."


def write_text(summary, left_out: int) -> str:
    """ "Writing labels: done — 37 files written, 0 failed; 30 could not be, as the write
    list showed": the files left out are those the dry run listed with their problem."""
    return (f"Writing labels: done — {summary.line()}{cancelled_batch_text(summary)}; {left_out:,} could not be, "
            "as the write list showed (Write labels… lists them again with the reason)" + hard_links_text(summary))


def hard_links_text(summary) -> str:
    """ "; note: a.jpg has other names (hard links): those names keep the file as it was, …":
    the note the CLI's write gives after its line (hard_links), for the files this write
    replaced (WriteSummary.hard_linked), the first named as the line's other notes are."""
    from app.core.metadata.hard_links import hard_links_words

    linked = getattr(summary, "hard_linked", None)
    if not linked:
        return ""
    return f"; note: {hard_links_words([display_name(path) for path in linked], dry_run=False)}"


def write_moment(started_at: str | None, now: datetime | None = None) -> str:
    """When a write was made, in local time, as Undo write's question says it: "today at
    21:40", "on 5 Dec at 21:40", "on 5 Dec 2023 at 21:40" ("" when the index has no time)."""
    try:
        moment = datetime.fromisoformat(started_at).astimezone() if started_at else None
    except ValueError:
        moment = None
    if moment is None:
        return ""
    now = now or datetime.now().astimezone()
    clock = f"{moment.hour:02d}:{moment.minute:02d}"
    if moment.date() == now.date():
        return f"today at {clock}"
    year = f" {moment.year}" if moment.year != now.year else ""
    return f"on {moment.day} {moment.strftime('%b')}{year} at {clock}"


def cancelled_batch_text(summary) -> str:
    """ "; a write you cancelled today at 21:38 still holds 9 files: a second Undo takes them
    back": after a write or an undo (WriteSummary.cancelled_before), the write the user
    cancelled that the next Undo after this one takes; one Undo takes back this write only,
    and the cancelled write's photos would keep their label unsaid (the CLI says it too, by
    batch number: the app names it by when it was made, as the Undo write question does)."""
    left = getattr(summary, "cancelled_before", None)
    if left is None:
        return ""
    if summary.done_word == "restored":
        step = "Undo again takes them back"
    elif summary.batch_id is not None and not summary.undone_meanwhile:
        step = "a second Undo takes them back"
    else:
        step = "Undo takes them back"
    when = f" {write_moment(getattr(left, 'started_at', None))}".rstrip()
    return f"; a write you cancelled{when} still holds {counted(left.files, 'file')}: {step}"


def stopped_write_text(name: str, summary, started_at: str | None = None) -> str:
    """ "Writing labels: cancelled — 3 files written, 0 failed; Undo write takes back the 3
    files of the write started today at 21:38; Write labels… again writes the rest (as a
    write of its own, which Undo write takes back first)": the next steps the CLI gives after
    a stopped write (what_a_stopped_write_leaves), with the app's Undo write and Write labels…
    for its commands, and the write named by when it began (`started_at`: the batch's
    journal.batch_started_at; a carried-on write's is the stopped run's), not by its batch
    number, which the app shows nowhere else."""
    line = summary.line().replace(" (cancelled)", "", 1).replace(" (stopped)", "", 1)
    rest = "Write labels… again writes the rest"
    when = write_moment(started_at)
    this_write = f"the write started {when}" if when else "this write"
    if summary.batch_id is None or summary.undone_meanwhile:
        steps = rest
    elif summary.left_for_the_next_write:  # the window closed during it: not the user's Cancel
        steps = (f"{rest} as part of {this_write}, so that one Undo write takes back all its files "
                 f"(now it takes back these {counted(summary.batch_files, 'file')})")
    else:
        steps = (f"Undo write takes back the {counted(summary.batch_files, 'file')} of {this_write}; "
                 f"{rest} (as a write of its own, which Undo write takes back first)")
    return f"{name}: cancelled — {line}; {steps}" + cancelled_batch_text(summary) + hard_links_text(summary)


def stopped_undo_text(name: str, summary, started_at: str | None = None) -> str:
    """ "Undoing last write: cancelled — 3 files restored, 0 failed; Undo again restores the
    rest of the write made today at 21:38": Cancel (or the window closing) stops an undo
    after the file in hand and leaves the rest of its batch for the next Undo
    (undo_last_write), as the CLI says, the write named by when it began (`started_at`)."""
    line = summary.line().replace(" (cancelled)", "", 1)
    when = write_moment(started_at)
    return (f"{name}: cancelled — {line}; Undo again restores the rest of "
            + (f"the write made {when}" if when else "that write") + cancelled_batch_text(summary))


def stopped_write_words(index) -> str:
    """ "A write started today at 21:38 stopped before it finished (…) with 9 files written:
    Write labels… finishes it, Undo takes them back. " when the index holds a write left
    unfinished whose process is gone (app.core.metadata.stopped_write: the app closed
    during it, or was ended), else "": said when the app opens, as the CLI's carry-on line,
    the write named by when it began, as Undo write's question names it."""
    from app.core.metadata.journal import batch_started_at
    from app.core.metadata.stopped_write import stopped_write

    stopped = stopped_write(index)
    if stopped is None:
        return ""
    when = write_moment(batch_started_at(index, stopped.batch_id))
    write = f"A write started {when}" if when else "A write"
    return (f"{write} stopped before it finished (the app was closed or ended) with "
            f"{counted(stopped.files, 'file')} written: Write labels… finishes it, Undo takes them back. ")
