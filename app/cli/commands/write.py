"""`landmark-tagger write`: put accepted labels into the photos (JPEG: XMP keywords, and
IPTC and EXIF ones where it holds them; RAW and other formats: XMP sidecars). A thin face of
app.core.metadata: plan, then write (or only print the plan with --dry-run)."""

from __future__ import annotations

import argparse
import sqlite3
import sys

from app.cli.common import (EXIT_INTERRUPTED, EXIT_TERMINATED, EndedAtOnce, Terminated, command_with_index, one_line,
                            print_json_line, stop_on_ctrl_c)
from app.cli.no_match import could_be_a_typo, names_a_path, no_match_hint, no_match_line
from app.cli.paths_typed import nothing_done_line, typed_paths
from app.core.errors import IndexStoreError
from app.core.wording import counted
from model.console import stderr_is_a_terminal


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "write",
        help="write accepted labels into the photos as keywords (XMP/IPTC/EXIF, or XMP sidecars for RAW)",
        description=(
            "Write the label of every matching photo whose label is accepted into the photo: "
            "JPEGs get XMP dc:subject and lr:hierarchicalSubject (Landmarks|<name>), IPTC Keywords where "
            "the photo holds IPTC, and, only where it holds them already, EXIF XPKeywords (no EXIF block is "
            "created: Windows Explorer reads dc:subject first), digiKam:TagsList and "
            "MicrosoftPhoto:LastKeywordXMP (Landmarks/<name>); RAW, PNG, "
            "TIFF and HEIC files get an XMP sidecar. A photo whose written label was rejected since, or "
            "whose accept or label was taken back since ('undo --review', the app's Ctrl+Z), has our keyword "
            "taken out (with --include-suggested, the suggestion it has again is written instead). The user's own "
            "keywords are kept. 'landmark-tagger undo' reverts the batch."
        ),
    )
    parser.add_argument("query", nargs="?", default="", help="search query choosing the photos (default: all)")
    parser.add_argument(
        "--include-suggested", action="store_true",
        help="also write suggested labels (those at or above the model's threshold)",
    )
    parser.add_argument("--dry-run", action="store_true", help="list each file and its change; touch nothing")
    parser.add_argument(
        "--sidecar-naming", choices=("ext", "stem"), default=None,
        help="name of a new sidecar: 'ext' gives DSC_8188.NEF.xmp, 'stem' gives DSC_8188.xmp (default: the one "
             "chosen in the app's Settings, else ext); an existing sidecar of either name is written into",
    )
    jpegs = parser.add_mutually_exclusive_group()
    jpegs.add_argument("--no-jpeg", dest="write_into_jpeg", action="store_false", default=None,
                       help="leave JPEGs untouched; write sidecars for them too (the default where the app's "
                            "Settings say not to write into JPEGs)")
    jpegs.add_argument("--jpeg", dest="write_into_jpeg", action="store_true", default=None,
                       help="write labels into JPEGs even where the app's Settings say not to (the default otherwise)")
    parser.add_argument(
        "--touch", action="store_true",
        help="give the JPEGs written a new modification time (by default they keep theirs, as file browsers "
             "sort by it), so programs that look for changed files notice: Lightroom's 'metadata changed on "
             "disk', backup and sync tools; sidecars always get a new time",
    )
    parser.add_argument("--json", action="store_true", help="print JSON lines on stdout")
    parser.set_defaults(handler=run, takes_query=True, checks_typed_paths=True)


def open_index(args: argparse.Namespace):
    """The index named by --db (or the default), through the CLI's common helper when present."""
    try:
        from app.cli.common import open_index as common_open_index
    except ImportError:
        from app.core.index import PhotoIndex

        return PhotoIndex.open(getattr(args, "db", None))
    return common_open_index(args)


def progress_printer(enabled: bool):
    """A progress callback drawing one line on stderr, only when it is a terminal."""
    if not enabled or not stderr_is_a_terminal():
        return None

    def report(progress) -> None:
        total = progress.total or 0
        print(f"\r{progress.done}/{total} files", end="", file=sys.stderr, flush=True)
        if progress.done == total:
            print(file=sys.stderr)

    return report


STOPPING = "stopping after the files being written… (Ctrl-C again to abort)"


def run(args: argparse.Namespace) -> int:
    from app.core.index import running_writes
    from app.core.metadata import WriteOptions, journal, plan_writes, write_labels
    from app.core.metadata.closing_a_write import StoppedWhileWriting
    from app.core.metadata.hard_links import hard_linked, hard_links_words, now_alone
    from app.core.metadata.lightroom_sidecars import (lightroom_dry_run_line, lightroom_line, made_now,
                                                      new_raw_sidecars_lightroom_misses)
    from app.core.progress import CancelToken

    from app.core.write_choice import write_choice

    choice = write_choice(args.sidecar_naming, args.write_into_jpeg)  # not given: the app's Settings' choice
    if choice.line():
        print(choice.line(), file=sys.stderr)
    options = WriteOptions(
        sidecar_naming=choice.sidecar_naming, write_into_jpeg=choice.write_into_jpeg, keep_mtime=not args.touch
    )
    index = open_index(args)
    left_open = False
    try:
        typed = typed_paths(index, args)
        if typed.not_there:  # a typo is named, as accept and label name it, not "0 files written"; nothing written
            say_paths_not_there(typed.not_there, args.json)
            if line := nothing_done_line("write", args, typed.not_there):
                print(line, file=sys.stderr)
            return 1
        if typed.query is not None:  # paths only the index holds (the drive not mounted): their terms
            args.query = typed.query
        elif args.query and could_be_a_typo(args.query, index) and not names_a_path(args) \
                and not index.count(args.query, limit=1):
            return say_no_photo_matches(index, args)  # a typo: named as accept names it, not "0 files written"
        if not args.dry_run:  # said before planning, which reads every file (the write checks again)
            running_writes.refuse_while_busy(index.conn, "write")
        try:
            plan = plan_writes(index, args.query, args.include_suggested, options)
        except KeyboardInterrupt as stop:  # Ctrl-C while planning: no batch was opened, no file touched
            if type(stop) is not KeyboardInterrupt or str(stop):  # (Terminated, or one saying more already)
                raise
            raise KeyboardInterrupt("nothing written") from None
        waiting = 0 if args.include_suggested else index.count_suggested_labels(args.query)
        # --sidecar-naming ext given: the user chose darktable's name knowingly, nothing to say
        lightroom_misses = [] if args.sidecar_naming == "ext" else new_raw_sidecars_lightroom_misses(plan)
        if args.dry_run:
            for item in plan:
                if args.json:
                    print_json_line(item.to_json())
                else:
                    print(one_line(item.describe()))
            changing = sum(item.changes_anything for item in plan)
            held = sum(item.held for item in plan)  # left alone by the user's choice: no failure
            problems = sum(item.problem is not None for item in plan) - held
            print(
                f"dry run: {counted(changing, 'file')} would change, {len(plan) - changing - problems - held} "
                f"unchanged, {problems} cannot be written" + (f", {held:,} left alone" if held else ""),
                file=sys.stderr,
            )
            if lightroom_misses:
                print(lightroom_dry_run_line(lightroom_misses), file=sys.stderr)
            if linked := hard_linked(plan):
                print(f"note: {hard_links_words(linked, dry_run=True)}", file=sys.stderr)
            print_waiting_suggestions(waiting)
            print_nothing_to_write(plan, waiting, args)
            return 1 if problems else 0  # as the write itself would end: a script can tell
        cancel = CancelToken()
        newest_before = running_writes.newest_batch(index.conn)
        if journal.interrupted_batch(index.conn) is not None:  # the write carries it on: its files count too
            newest_before -= 1
        with stop_on_ctrl_c(cancel, STOPPING, say_above_progress, hold_after_abort=True) as stop:
            linked = hard_linked(plan)  # read before: the write's rename leaves the name alone
            try:
                summary = write_labels(index, plan, options, progress=progress_printer(not args.json), cancel=cancel)
            except (sqlite3.Error, IndexStoreError):
                say_written_before_the_index_failed(index, newest_before, command_with_index(getattr(args, "db", None)))
                raise
            except StoppedWhileWriting as cut:  # pressed on while a file write stalls: no line claims a count
                left_open = True  # its worker may yet use the index: the process ends now (main), as a kill would
                raise ended_at_once(cut, command_with_index(getattr(args, "db", None))) from None
            except KeyboardInterrupt as again:  # a second Ctrl-C or SIGTERM: no summary came; the batch is closed
                if type(again) not in (KeyboardInterrupt, Terminated) or str(again):
                    raise
                raise type(again)(what_an_aborted_write_leaves(
                    index, newest_before, command_with_index(getattr(args, "db", None)))) from None
    finally:
        if not left_open:
            index.close()
    command = command_with_index(getattr(args, "db", None))  # the hints act on this index
    made = made_now(lightroom_misses)
    lightroom = lightroom_line(made, command) if made else ""
    if args.json:
        ids = {str(path): item.photo_id for item in plan for path in (item.target, item.source)}
        for path, message in summary.errors:
            print_json_line({"id": ids.get(str(path)), "path": path, "error": message})
        record = summary.to_json()
        cancelled_before = summary.cancelled_before  # undo leaves it behind this one
        if cancelled_before is not None:
            record["cancelled_batch"] = {"batch_id": cancelled_before.id, "files": cancelled_before.files}
        if lightroom:
            record["sidecar_note"] = lightroom.removeprefix("note: ")
        print_json_line(record)
    else:
        for path, message in summary.errors:
            print(one_line(f"error: {message}"), file=sys.stderr)
        for path, message in summary.notes[1:]:  # the summary line below gives the first
            print(one_line(f"note: {path}: {message}"), file=sys.stderr)
    batch = f" (batch {summary.batch_id}; `{command} undo` reverts it)" if summary.batch_id else ""
    if summary.undone_meanwhile or summary.left_for_the_next_write:  # the line, the stop line say what undo does
        batch = ""
    elif summary.carried_on:  # the killed write's files are in it too: undo takes them back with this run's
        batch = (f" (batch {summary.batch_id} now holds {counted(summary.batch_files, 'file')}; "
                 f"`{command} undo` reverts {'it' if summary.batch_files == 1 else 'them all'})")
    print(f"write: {summary.line()}{batch}", file=sys.stderr)
    if lightroom:
        print(lightroom, file=sys.stderr)
    if linked := now_alone(linked):
        print(f"note: {hard_links_words(linked, dry_run=False)}", file=sys.stderr)
    cancelled_before = summary.cancelled_before
    if cancelled_before is not None:  # one undo takes back this write only
        second = "a second " if summary.batch_id is not None and not summary.undone_meanwhile else ""
        print(f"write: batch {cancelled_before.id}, a write you cancelled, still holds "
              f"{counted(cancelled_before.files, 'file')}: {second}`{command} undo` takes them back", file=sys.stderr)
    if summary.cancelled:
        print(f"write: stopped by {stop.by}; {what_a_stopped_write_leaves(summary, command)}", file=sys.stderr)
        return stop.exit_code
    print_waiting_suggestions(waiting)
    print_nothing_to_write(plan, waiting, args)
    return 1 if summary.failed else 0


def say_no_photo_matches(index, args: argparse.Namespace) -> int:
    """The query matched no photo at all (`write Colosseun`): the line accept gives, with the
    landmark it likely misspells, and with --json a summary line holding "matched": 0; exit 1,
    as a script's `write QUERY && …` must not take it for done. Nothing is written."""
    if args.json:
        from app.core.metadata.write_summary import WriteSummary

        print_json_line({**WriteSummary().to_json(), "matched": 0})
    print(no_match_line("write", args, no_match_hint(index, args.query)), file=sys.stderr)
    return 1


def say_paths_not_there(not_there: list[tuple[str, str]], as_json: bool) -> None:
    """One line for each path typed that names nothing (app.cli.paths_typed), on stderr,
    and with --json an error line on stdout, as a file that failed gets."""
    for path, why in not_there:
        if as_json:
            print_json_line({"id": None, "path": path, "error": why})
        print(one_line(f"write: {path}: {why}"), file=sys.stderr)


def what_a_stopped_write_leaves(summary, command: str) -> str:
    """After "stopped by Ctrl-C/SIGTERM": what undo and a rerun do with its batch. Stopped
    by SIGTERM, the rerun carries the batch on (one undo then takes back both runs');
    cancelled by the user, the batch is closed: undo takes back its files, and the rerun
    is a batch of its own, which undo takes back first."""
    rest = f"`{command} write` again writes the rest"
    if summary.batch_id is None or summary.undone_meanwhile:
        return rest
    files = counted(summary.batch_files, "file")
    if summary.left_for_the_next_write:
        return (f"{rest} into batch {summary.batch_id}, so that one `{command} undo` takes back all its files "
                f"(now it takes back these {files})")
    return (f"`{command} undo` takes back the {files} batch {summary.batch_id} holds; {rest} "
            "(a batch of its own, which `undo` takes back first)")


def what_an_aborted_write_leaves(index, newest_before: int, command: str) -> str:
    """After "interrupted"/"terminated" (a second Ctrl-C or SIGTERM aborted the write):
    the files its batch holds, what undo and a rerun do with them, as the batch was left
    by the first signal: closed as cancelled after a Ctrl-C, left 'running' for the next
    write to carry on after a SIGTERM."""
    from app.core.index import running_writes
    from app.core.metadata import journal

    try:
        batch, files = running_writes.files_journalled_since(index.conn, newest_before)
        status = journal.batch_status(index, batch) if batch is not None else None
    except sqlite3.Error:
        return f"`{command} undo` takes back what this write changed"
    if not files:
        return "nothing written"
    held = counted(files, "file")
    if status == "running":  # stopped first by SIGTERM: the next write carries the batch on
        return (f"batch {batch}, stopped before it finished, holds {held}: `{command} write` again writes the rest "
                f"into batch {batch}, so that one `{command} undo` takes back all its files "
                f"(now it takes back these {held})")
    return (f"batch {batch}, a write you cancelled, holds {held}: `{command} undo` takes them "
            f"back; `{command} write` again writes the rest")


def ended_at_once(cut, command: str) -> EndedAtOnce:
    """The line of a write ended while a file write stalled (StoppedWhileWriting): which
    file, and that the next write checks it; no count, as the batch was not closed."""
    sigterm = isinstance(cut.signal_exception, Terminated)
    files = (f"{cut.paths[0]} was" if len(cut.paths) == 1
             else f"{len(cut.paths)} files were ({', '.join(str(path) for path in cut.paths)})")
    batch = f"batch {cut.batch_id}" if cut.batch_id is not None else "its batch"
    return EndedAtOnce(f"stopped at once: {files} being written; the next `{command} write` checks "
                       f"{'it' if len(cut.paths) == 1 else 'them'} and carries {batch} on "
                       f"(or `{command} undo` takes back what it holds)",
                       "terminated" if sigterm else "interrupted", EXIT_TERMINATED if sigterm else EXIT_INTERRUPTED)


def say_above_progress(text: str) -> None:
    """A message on its own line, below the `\\r` progress line when there is one."""
    if stderr_is_a_terminal():
        print(file=sys.stderr)
    print(one_line(text), file=sys.stderr, flush=True)


def say_written_before_the_index_failed(index, newest_before: int, command: str) -> None:
    """The index failed under the write (its disk full): the files already written keep
    their labels and the journal holds them, while the error line that follows speaks
    of the index only. Its batch left 'running' (writer.index_took_no_write), the next
    write carries it on, so that one undo takes back both runs' files: said here, as a
    stopped write says it. `command`: this tool with the --db given (command_with_index)."""
    from app.core.index import running_writes
    from app.core.metadata import journal

    try:
        batch, files = running_writes.files_journalled_since(index.conn, newest_before)
        left = batch is not None and journal.batch_status(index, batch) == "running"
    except sqlite3.Error:
        return
    if not files:
        print("write: the index failed before any file was changed", file=sys.stderr)
        return
    rest = (f", or `{command} write` then writes the rest into batch {batch}, so that one `{command} undo` takes "
            "back all its files") if left else ""
    print(f"write: {counted(files, 'file')} changed before the index failed (batch {batch}; "
          f"`{command} undo` reverts it once the index can be used again{rest})", file=sys.stderr)


def print_waiting_suggestions(count: int) -> None:
    """Only accepted labels are written: say so when suggested ones were left out."""
    if count:
        print(
            f"{counted(count, 'photo')} with a suggested label left out: accept them first "
            "(`landmark-tagger accept QUERY`, or the review view) or add --include-suggested",
            file=sys.stderr,
        )


def print_nothing_to_write(plan: list, waiting: int, args: argparse.Namespace) -> None:
    """No photo has a label to write and none is waiting to be accepted (`write` right
    after `scan`, the quick start's first slip): a bare "0 files written" would not say
    that labels come from `tag` and are written once accepted."""
    if plan or waiting:
        return
    which = "no matching photo" if args.query else "no photo"
    command = command_with_index(getattr(args, "db", None))
    if args.include_suggested:
        print(f"write: {which} has a label to write: `{command} tag FOLDER` suggests labels "
              f"(or `{command} label QUERY NAME` gives one)", file=sys.stderr)
        return
    print(f"write: {which} has an accepted label to write: `{command} tag FOLDER` suggests labels, "
          f"`{command} accept QUERY` accepts them (or `{command} write --include-suggested` writes them as they are)",
          file=sys.stderr)
