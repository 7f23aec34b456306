"""`landmark-tagger tag PATH…`: scan, then classify new and changed photos."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from model.console import stderr_is_a_terminal, threshold_figure
from app.cli.common import (
    EXIT_BROKEN_PIPE, add_folders_given, add_json_flag, command_with_index, exit_code_with_missing, not_found,
    one_line, open_index, paths_there, print_json_line, print_summary, say_folders_joined, silence_stdout,
    stop_on_ctrl_c, write_above_bar,
)
from app.cli.index_full import ProgressSeen, said_when_the_index_fills
from app.core.path_case import in_other_unicode_form
from app.core.wording import counted, shell_quote

EXIT_OK, EXIT_PARTIAL = 0, 1
STOPPING = "stopping after the current batch… (Ctrl-C again to abort)"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "tag",
        help="recognise the landmarks in photos and store the suggestions in the index",
        description="Scan the folders, then classify every new or changed photo (all of them again "
        "when the model changed) and store its top-5 landmarks. A JPEG+RAW pair is classified once. "
        "Below the threshold a photo gets 'no landmark' but keeps its top-5. Ctrl-C stops cleanly "
        "and keeps what was done. A file or folder given that is not there is named and left out (exit 1); "
        "when none is there, nothing is done (exit 2). While another tag of the same index runs, "
        "nothing is done either: one line names its process (exit 75, try again later).",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="folders or photos to tag (default: the library's folders)")
    parser.add_argument("--model", metavar="BUNDLE", type=Path,
                        help="model bundle to use: a path, or a name or id that `landmark-tagger models` lists "
                             "(default: the one chosen in the app's Settings, else the bundled default model)")
    parser.add_argument("--threshold", metavar="T", type=threshold_figure,
                        help="minimum score for a label, 0..1 (default: the one chosen in the app's Settings, else the "
                             "bundle's calibrated threshold)")
    parser.add_argument("--workers", metavar="N", type=int,
                        help="decode processes (default: one per CPU; 0 decodes in this process)")
    parser.add_argument("--threads", metavar="N", type=int,
                        help="inference threads (default: half the CPUs, at least 1)")
    parser.add_argument("--batch-size", metavar="N", type=int, default=16,
                        help="photos per inference batch (default 16)")
    parser.add_argument("--retag", action="store_true",
                        help="classify every photo again, even those already tagged by this model, and try "
                             "again those that could not be decoded; a retag stopped part-way is carried on "
                             "by the next `tag` (or `tag --retag`) with this model")
    parser.add_argument("--start-over", action="store_true",
                        help="with --retag: begin the retag anew rather than carry on the one stopped part-way")
    parser.add_argument("--retry-failed", action="store_true",
                        help="try again the photos that could not be decoded (corrupt, truncated), which are "
                             "otherwise skipped until one of their files changes; naming a photo's file "
                             "does it for that photo")
    parser.add_argument("--errors", type=int, default=10, metavar="N",
                        help="show at most N file errors (default 10)")
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args) -> int:
    from app.core.config import default_db_path
    from app.core.progress import CancelToken
    from app.core.tag_lock import one_tag_at_a_time
    from app.core.tag_result import TagResult
    from app.core.tag_selection import up_to_date_results
    from app.core.tagging import TagOptions, load_tag_bundle, tag

    if args.start_over and not args.retag:  # before any folder joins the library
        from app.core.errors import UsageError

        raise UsageError("--start-over begins a retag anew: give it with --retag (`tag --retag --start-over`)")
    options = TagOptions(
        model=args.model, threshold=args.threshold, workers=args.workers,
        batch_size=args.batch_size, retag=args.retag, threads=args.threads, retry_failed=args.retry_failed,
        start_over=args.start_over,
    )
    cancel = CancelToken()
    shown_errors: list[str] = []
    reader_gone = []
    tagged = [0]  # photos whose label is stored: what a full index disk leaves done

    def on_result(result) -> None:
        tagged[0] += result.error is None
        if args.json:
            if reader_gone:
                return
            try:
                print_json_line(result.to_json())
            except BrokenPipeError:  # `tag --json | head`: stop, keep what is stored
                reader_gone.append(True)
                cancel.cancel()
                silence_stdout()
        elif result.error is not None and len(shown_errors) < max(0, args.errors):
            shown_errors.append(result.error)
            write_above_bar(one_line(f"error: {result.error}"))
        elif result.damage is not None:
            write_above_bar(one_line(f"warning: {result.damage}"))

    # none there: one line, and no index made; a photo in iCloud is skipped by tag() with its note
    paths = paths_there(args.paths, "file or folder", db=args.db, photos_in_icloud=True)
    bundle = load_tag_bundle(options.model)  # a bad --model: one line, and the library as it was
    again = " ".join([f"{command_with_index(args.db)} tag", *(["--retag"] if args.retag else []),
                      *map(shell_quote, args.paths)])
    seen = ProgressSeen()
    with (said_when_the_index_fills("tag", args.db or default_db_path(), again=again,
                                    done=lambda: _tagged_so_far(tagged[0], seen)),
          open_index(args) as index, one_tag_at_a_time(index),  # another tag running: nothing done, exit 75
          stop_on_ctrl_c(cancel, STOPPING, write_above_bar) as stop, _progress_bars() as progress):
        add_folders_given(index, paths)
        targets = [Path(p) for p in paths] or _library_folders(index)
        seen.forward = progress
        summary = tag(index, targets, options, progress=seen, cancel=cancel, on_result=on_result,
                      bundle=bundle, on_retag_carried_on=lambda carried_on: write_above_bar(carried_on.line()))
        # a photo given by its file has its line, up to date too: what the index keeps
        up_to_date = up_to_date_results(index, summary.up_to_date_named, summary.model_id) if args.json else []
    say_folders_joined(summary.folders_joined)
    scan_errors = summary.unscanned
    for path, reason in summary.not_photos:
        print_summary(f"error: {path}: {reason}")
    if args.json and not reader_gone:  # every file asked for gets its line, the unreadable ones too
        for result in up_to_date:
            print_json_line(result.to_json())
        for path, reason in summary.not_photos:
            print_json_line(TagResult.unreadable(str(Path(path).expanduser().absolute()), f"{path}: {reason}").to_json())
        for path, message in summary.scan_problems:
            print_json_line(TagResult.unreadable(path, message).to_json())
        for given in args.paths:
            if given not in paths and in_other_unicode_form(given) is None:  # not there: named on stderr already
                where = str(Path(given).expanduser().absolute())
                print_json_line(TagResult.unreadable(where, not_found(given, "file or folder")).to_json())
    for _, message in summary.scan_problems[: max(0, args.errors)]:
        print_summary(one_line(f"error: {message}"))
    if len(summary.scan_problems) > max(0, args.errors):
        more = len(summary.scan_problems) - max(0, args.errors)
        print_summary(f"… and {counted(more, 'more file')} that could not be scanned (see `landmark-tagger stats --errors`)")
    if summary.errors > len(shown_errors) and not args.json:
        print_summary(f"… and {summary.errors - len(shown_errors)} more errors (see `landmark-tagger stats --errors`)")
    line = summary.line()
    if scan_errors:
        files = "1 file" if scan_errors == 1 else f"{scan_errors} files"
        line += f"; {files} could not be scanned"
    print_summary(f"{line} — model {summary.model_name} ({summary.model_id})" if summary.model_id else line)
    if reader_gone:  # stopped early, as `search | head` is: the rest is left for the next run
        return EXIT_BROKEN_PIPE
    if summary.cancelled:  # 130 for Ctrl-C, 143 for SIGTERM
        return stop.exit_code
    # photos that could not be decoded before and are unchanged are failed still (each listed by stats --errors)
    failed = summary.errors or summary.failed_before or scan_errors or summary.not_photos
    code = EXIT_PARTIAL if failed else EXIT_OK
    return exit_code_with_missing(code, args.paths, paths)


def _tagged_so_far(tagged: int, seen: ProgressSeen) -> str:
    """What a tag stopped by a full index disk kept: "24 of 322 photos tagged"."""
    if seen.message != "tagging" or seen.total is None:
        return "no photo tagged yet" if not tagged else f"{counted(tagged, 'photo')} tagged"
    return f"{tagged:,} of {counted(seen.total, 'photo')} tagged"


def _library_folders(index) -> list[Path]:
    """The library's folders that are there now; an unplugged drive is skipped with a
    note (its photos are neither decoded nor marked missing)."""
    from app.core.errors import UsageError
    from app.core.library import present_library_folders
    from app.core.relocate import twin_message, twin_of_missing

    present, absent = present_library_folders(index)
    if not present and not absent:
        raise UsageError("no folder to tag: give one, e.g. `landmark-tagger tag ~/Pictures`")
    for root in absent:
        if (twin := twin_of_missing(str(root))) is not None:  # respelled by a sync tool: the very command
            print_summary(f"skipped {twin_message(str(root), twin)}")
            continue
        print_summary(f"skipped {root}: folder not found (is the drive mounted? if the folder moved: "
                      f"`landmark-tagger relocate {shell_quote(str(root))} NEW_PLACE`)")
    if not present:
        raise UsageError("none of the library's folders is there; mount the drive, give a folder, or "
                         "`landmark-tagger relocate` one that moved")
    return present


class _PhaseBars:
    """tqdm bars on stderr, one per phase: scanning (files), then tagging (photos/s, ETA)."""

    def __init__(self) -> None:
        self.phase: str | None = None
        self.bar = None

    def __call__(self, progress) -> None:
        phase = "tagging" if progress.message == "tagging" else "scanning"
        if phase != self.phase:
            self.close()
            from tqdm import tqdm

            self.phase = phase
            self.bar = tqdm(total=progress.total, desc=phase, unit="photo" if phase == "tagging" else "file",
                            file=sys.stderr, leave=False, dynamic_ncols=True, smoothing=0.1)
        if progress.total is not None and self.bar.total != progress.total:
            self.bar.total = progress.total
        if progress.done > self.bar.n:
            self.bar.update(progress.done - self.bar.n)  # keeps tqdm's rate and ETA smoothing
        else:
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


@contextmanager
def _progress_bars() -> Iterator:
    """Bars only when stderr is a terminal; pipes and logs stay clean."""
    if not stderr_is_a_terminal():
        yield None
        return
    bars = _PhaseBars()
    try:
        yield bars
    finally:
        bars.close()
