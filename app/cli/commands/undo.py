"""`landmark-tagger undo`: revert the last write batch (keywords and sidecars); with
--review, take back the last review command (accept, reject, label, teach, teach --forget) instead."""

from __future__ import annotations

import argparse
import sys
import textwrap

from app.cli.commands.write import open_index, progress_printer, say_above_progress
from app.cli.common import command_with_index, one_line, print_json_line, stop_on_ctrl_c


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "undo",
        help="revert the last 'write' batch: restore the photos' previous keywords, remove created sidecars",
        # wrapped here, not by argparse, so that the guide's path is never broken at its hyphen
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=textwrap.fill(
            "Restore every file changed by the last write batch: its previous keywords come back, and a "
            "sidecar the write created is removed. With --review: take back the last accept, reject, label, "
            "teach or teach --forget instead (files are not touched). "
            "A file undo cannot restore keeps the batch open for the next undo; a full disk, a read-only or "
            "unplugged card, a read-only or locked file, or one another program holds open never closes it. "
            "Details: docs/guide/writing-labels.md (Undo) and docs/guide/reviewing.md (undo --review).",
            width=78, break_on_hyphens=False),
    )
    parser.add_argument("--review", action="store_true",
                        help="take back the last accept, reject, label, teach or teach --forget command "
                        "instead of a write batch")
    parser.add_argument("--json", action="store_true", help="print the summary as a JSON line on stdout")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.review:
        return run_review(args)
    return run_write(args)


def run_review(args: argparse.Namespace) -> int:
    """Take back the last review command (app.core.index.review_journal)."""
    from app.core.index import review_journal
    from app.core.index.labels import FORGOTTEN
    from app.core.index.released_holds import held_files_given_back, left_held_line
    from app.core.index.unwritten_term import taken_back_still_written, written_before_state
    from app.core.wording import counted

    index = open_index(args)
    try:
        if (said := _rename_met(index, args)) is not None:  # the last change was a rename: not taken back
            return said
        taken = review_journal.take_back_last(index)
        left_held = len(held_files_given_back(index.conn, taken))
        # an accept or label taken back after its write: the keyword stays in the files until `write`
        still_written = len(taken_back_still_written(index.conn, taken.restored)) if taken else 0
        # ... or put there by an earlier version, which recorded no state: `write` leaves it
        written_before = len(written_before_state(index.conn, taken.restored)) if taken else 0
        # of them, those holding another label than their suggestion (a `label` taken back): reject cannot
        another_label = (len(written_before_state(index.conn, taken.restored, another_label=True))
                         if written_before else 0)
    finally:
        index.close()
    if taken is None:
        print("undo: no accept, reject, label, teach or teach --forget to take back", file=sys.stderr)
        return 0
    if args.json:
        # a forgotten photo's id is no photo's now (the next one added may get it): counted, not listed
        record = {"command": taken.command.command, "restored": len(taken.restored),
                  "left": sorted(i for i, (_, state) in taken.left.items() if state != FORGOTTEN),
                  "forgotten": sum(state == FORGOTTEN for _, state in taken.left.values())}
        if taken.command.verb == "label" or taken.held_again:  # the files its release is taken back for
            record["held_again"] = list(taken.held_again)
        if taken.command.verb == review_journal.FORGET_PLACE:  # what the text says of its place
            record.update(taught_again=[{"place": place, "photos": photos} for place, photos in taken.taught_again],
                          unforgotten=list(taken.unforgotten), not_taught_again=list(taken.not_taught_again),
                          still_withdrawn=len(taken.still_withdrawn))
        record.update({"still_written": still_written} if still_written else {})
        record.update({"written_by_earlier_version": written_before} if written_before else {})
        record.update({"written_by_earlier_version_another_label": another_label} if another_label else {})
        print_json_line({**record, **({"left_held": left_held} if left_held else {})})  # as `accept`'s, when some
    line = f"undo: took back `{taken.command.command}`: {counted(len(taken.restored), 'photo')} as before it"
    for phrase in taken.place_phrases(lambda place: f"'{place}'"):  # a `teach --forget` taken back
        line += f"; {phrase}"
    if still_written:
        line += (f"; {still_written:,} of them still {'has its' if still_written == 1 else 'have their'} keyword in "
                 f"{'its' if still_written == 1 else 'their'} files: "
                 f"`{command_with_index(getattr(args, 'db', None))} write` takes it out")
    if written_before:
        command = command_with_index(getattr(args, "db", None))
        line += f"; {written_before_phrase(written_before, command, another_label)}"
    for path in taken.held_again:  # the release a `label` or `accept` gave: the hold comes back
        line += f"; {path}: left alone again by `write`"
    if taken.all_forgotten:  # `forget` took them all out of the library since
        command = command_with_index(getattr(args, "db", None))
        were = "was" if len(taken.left) == 1 else "were"
        line = (f"undo: nothing to take back of `{taken.command.command}`: its {counted(len(taken.left), 'photo')} "
                f"{were} taken out of the library since (`forget FOLDER` is not taken back by undo: "
                f"`{command} scan FOLDER` adds its photos again, and `{command} restore-index COPY` with the "
                "copy `forget` named brings back their labels)")
    elif taken.left:
        line += (f"; {counted(len(taken.left), 'photo')} left as {'it is' if len(taken.left) == 1 else 'they are'} "
                 "(labelled again since, or no longer in the library)")
    print(line, file=sys.stderr)
    if left_held:  # the label given back does not go into them at the next `write`, as after `accept`
        print(left_held_line("undo", left_held), file=sys.stderr)
    return 1 if taken.left else 0


def _rename_met(index, args: argparse.Namespace) -> int | None:
    """When the journal's newest entry is a rename (renames_journalled): its mark taken out,
    nothing taken back, said with the way to put the name back and what the next `undo
    --review` takes back; 1. None otherwise: undo --review goes on."""
    from app.core.index import renames_journalled, review_journal

    mark = renames_journalled.take_out_newest_rename(index)
    if mark is None:
        return None
    command = command_with_index(getattr(args, "db", None))
    after = review_journal.last_command(index.conn)
    if args.json:
        print_json_line({"command": mark.command, "restored": 0, "not_taken_back": "rename",
                         "next": after.command if after is not None else None})
    then = (f"`{command} undo --review` again takes back `{after.command}`, the change before it"
            if after is not None else "no change before it to take back")
    if after is not None and after.verb in (renames_journalled.RENAMED, renames_journalled.MERGED):
        then = f"the change before it was `{after.command}` too"
    print(f"undo: nothing taken back: the last review change was `{mark.command}`, which undo --review cannot take "
          f"back ({mark.way_back(command)}); {then}", file=sys.stderr)
    return 1


def _review_to_take_back(args: argparse.Namespace) -> str:
    """When there is no write batch to undo: the hint to `undo --review` when a review
    command can be taken back, else nothing."""
    from app.core.index import renames_journalled, review_journal

    index = open_index(args)
    try:
        command = review_journal.last_command(index.conn)
    finally:
        index.close()
    if command is None:
        return ""
    if command.verb in (renames_journalled.RENAMED, renames_journalled.MERGED):  # no photos: not taken back
        return (f"; the last review change, `{command.command}`, is not taken back by `undo --review` "
                "(`undo --review` says how to put the name back)")
    return (f"; `{command_with_index(getattr(args, 'db', None))} undo --review` takes back the last review "
            f"command (`{command.command}`, {command.photos:,} photo{'s' if command.photos != 1 else ''})")


def run_write(args: argparse.Namespace) -> int:
    from app.cli.index_full import ProgressSeen, said_when_the_index_fills
    from app.core.config import default_db_path
    from app.core.metadata import undo_last_write
    from app.core.wording import counted
    from app.core.progress import CancelToken

    index = open_index(args)
    cancel = CancelToken()
    command = command_with_index(getattr(args, "db", None))
    seen = ProgressSeen(progress_printer(not args.json))
    try:
        with (said_when_the_index_fills("undo", args.db or default_db_path(), done=lambda: _undone_so_far(seen),
                                        again=f"{command} undo", rest="restores the rest of the batch"),
              stop_on_ctrl_c(cancel, "stopping after the file being restored… (Ctrl-C again to abort)",
                             say_above_progress) as stop):
            # the ways out it suggests (relocate, forget) act on this index
            summary = undo_last_write(index, progress=seen, cancel=cancel, command=command)
    finally:
        index.close()
    left = summary.cancelled_before  # the batch the next undo takes, when the user cancelled it
    if args.json:
        # a write's summary: the files it counts as "written" were restored (its done_word)
        record = {("restored" if key == "written" else key): value for key, value in summary.to_json().items()}
        if left is not None:
            record["cancelled_batch"] = {"batch_id": left.id, "files": left.files}
        print_json_line(record)
    for path, message in summary.errors:
        print(one_line(f"error: {message}"), file=sys.stderr)
    if summary.batch_id is None:
        print(f"undo: no write batch to undo{_review_to_take_back(args)}", file=sys.stderr)
        return 0
    print(f"undo: batch {summary.batch_id}: {summary.line()}", file=sys.stderr)
    if left is not None:  # the rest of a cancelled write, which the rerun after it did not carry on
        print(f"undo: batch {left.id}, a write you cancelled, still holds {counted(left.files, 'file')}: "
              f"`{command} undo` again takes them back", file=sys.stderr)
    if summary.cancelled:
        print(f"undo: stopped by {stop.by}; `{command} undo` again restores the rest of this batch", file=sys.stderr)
        return stop.exit_code
    return 1 if summary.failed else 0


def _undone_so_far(seen) -> str | None:
    """What an undo stopped by a full index disk did: "1 of 33 files undone", its batch open."""
    from app.core.wording import counted

    if seen.total is None:  # stopped at its first file: whether that was put back is not known here
        return None
    return f"{seen.done:,} of {counted(seen.total, 'file')} undone, the batch stays open"


def written_before_phrase(photos: int, command: str, another_label: int = 0) -> str:
    """What `undo --review` says of photos whose keyword an earlier version's `write` put
    into their files (unwritten_term.written_before_state): it stays, and how to take it out.
    `reject` then `write` takes out their suggestion's keyword only; of the `another_label`
    holding another (a `label` taken back), `accept` then `write` puts the suggestion in its
    place. `command` (the program with its --db) is named once: four times over, the way out
    was lost among them."""
    from app.core.wording import written_before_way

    one = photos == 1
    way = written_before_way(photos, another_label, command=lambda verb: f"`{verb}`")
    return (f"{photos:,} of them still {'has its' if one else 'have their'} keyword in {'its' if one else 'their'} "
            f"files, written by an earlier version that did not record whether the label was accepted: "
            f"`write` leaves it; to take it out, {way} (run each as `{command} …`)")
