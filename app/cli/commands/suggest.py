"""`landmark-tagger suggest [QUERY]`: find what you taught in the rest of the library."""

from __future__ import annotations

import sys
from pathlib import Path

from model.console import threshold_figure
from app.cli.common import (
    add_json_flag, command_with_index, one_line, open_index, print_json_line, print_summary, progress_bar,
)
from app.cli.paths_typed import nothing_done_line, typed_paths
from app.core.wording import counted


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "suggest",
        help="re-score the library against the landmarks you taught and list new suggestions",
        description="Re-score the tagged photos matching QUERY (all when omitted) against the landmarks "
        "taught with `teach`, from the embeddings stored when tagging (no photo is decoded), and list "
        "the new suggestions, best first. They are stored as suggested labels, to review with `accept`, "
        "`reject` or `label` (or in the app's review view); a rejected suggestion is never made again for "
        "that photo. Photos not tagged yet are skipped. Teaching lowers the model's own scores where a taught "
        "place competes: a label of the model that falls under the threshold becomes 'no landmark', and is "
        "listed as withdrawn.",
    )
    parser.add_argument("query", nargs="?", default="", metavar="QUERY",
                        help="search query choosing the photos (default: the whole library)")
    parser.add_argument("--model", metavar="BUNDLE", type=Path,
                        help="model bundle (default: the one chosen in the app's Settings, else the bundled default model)")
    parser.add_argument("--threshold", metavar="T", type=threshold_figure,
                        help="minimum score for a suggestion, 0..1 (default: the one chosen in the app's Settings, "
                             "else the bundle's threshold)")
    parser.add_argument("--dry-run", action="store_true", help="list the suggestions without storing them")
    add_json_flag(parser)
    # a path typed that names nothing refuses the command, as accept and write do (app.cli.paths_typed)
    parser.set_defaults(handler=run, takes_query=True, checks_typed_paths=True)


def run(args) -> int:
    from app.core.errors import UsageError
    from app.core.teaching import load_model_bundle
    from app.core.teaching_suggest import (
        SuggestOptions, SuggestReport, cli_label, close_hint, held_hints, suggest, untagged_hint,
    )

    if args.threshold is not None and not 0.0 <= args.threshold <= 1.0:
        raise UsageError(f"--threshold {args.threshold} must be between 0 and 1")
    options = SuggestOptions(model=args.model, threshold=args.threshold, store=not args.dry_run)
    bundle = load_model_bundle(args.model)  # a bad --model: one line, before the index is opened
    with open_index(args) as index:
        typed = typed_paths(index, args)
        if typed.not_there:  # `suggest Rome/ Romx/`: named, not "no photo matches" nor the Rome photos alone
            return _paths_not_there(args, typed.not_there)
        if typed.query is not None:  # paths only the index holds (the drive not mounted): their terms
            args.query = typed.query
        with progress_bar("suggesting") as progress:
            found = suggest(index, args.query, options, bundle=bundle, progress=progress,
                            report=(report := SuggestReport()))
    program = command_with_index(args.db)  # a hint followed must act on this index, not the default one
    if report.taught == 0:  # no summary of nothing: the hint says what to do
        if args.json:
            print_json_line(_json_summary(report, [], args.dry_run))
        print_summary(close_hint(report, args.query, args.model, program))
        return _exit_code(report)
    for s in found:
        if args.json:
            print_json_line(s.to_json())
        else:
            before = f"  (was {s.previous})" if s.previous else ""
            print(one_line(f"{s.score:.2f}  {s.label}  {s.path}{before}"))
    for withdrawal in report.withdrawn:
        if args.json:
            print_json_line(withdrawal.to_json())
        else:
            print(one_line(f"{withdrawal.path}: {withdrawal.previous} -> no landmark ({withdrawal.score:.2f})"))
    if args.json:  # one last line, whatever was found: a script reads its counts, zeros included
        print_json_line(_json_summary(report, found, args.dry_run))
    print_summary(_summary(len(found), len(report.withdrawn), args.dry_run, args.threshold is not None))
    # a taught place the model holds is named whatever the other places found (close_hint names it when none did)
    more = held_hints(report, cli_label(program)) if found else [close_hint(report, args.query, args.model, program)]
    for hint in (untagged_hint(report, args.model, program), *more):
        if hint:
            print_summary(hint)
    return _exit_code(report)


def _paths_not_there(args, not_there: list[tuple[str, str]]) -> int:
    """Each path typed that names nothing, on stderr (and as an error line with --json),
    as write names them; nothing is suggested (exit 1)."""
    for path, why in not_there:
        if args.json:
            print_json_line({"id": None, "path": path, "error": why})
        print(one_line(f"suggest: {path}: {why}"), file=sys.stderr)
    if line := nothing_done_line("suggest", args, not_there):
        print(line, file=sys.stderr)
    return 1


def _exit_code(report) -> int:
    return 1 if report.matched == 0 else 0  # a query matching nothing fails a script, as accept/reject do


def _json_summary(report, found: list, dry_run: bool) -> dict:
    """The last --json line, after the suggestions' and withdrawals' (which carry "id"): what
    the summary line on stderr says, under "summary" as scan's is (a withdrawal's line holds
    "withdrawn": true). "matched": the photos the query matched (null without a query: the
    whole library); "taught": the taught photos this model could use (0: nothing to
    suggest from, the hint on stderr says why)."""
    return {"summary": {"matched": report.matched, "taught": report.taught, "scored": report.scored,
                        "suggested": len(found), "withdrawn": len(report.withdrawn), "dry_run": dry_run}}


def _summary(found: int, withdrawn: int, dry_run: bool, threshold_given: bool = False) -> str:
    """The last line: the new suggestions, and the model's labels that fell under the
    threshold (teaching lowers the model's scores) instead of vanishing unsaid. A dry run
    says it stored nothing: "5 new suggestions" read as a real run's, and `accept
    state:suggested` then found none of them."""
    if dry_run:
        text = f"dry run: would suggest {counted(found, 'label')}"
        if withdrawn:
            text += f"; {counted(withdrawn, 'suggestion')} of the model would be withdrawn (now under the threshold: no landmark)"
        if not found and not withdrawn:
            return text + "; nothing stored"
        same = ", with the same --threshold," if threshold_given else ""
        return text + f"; nothing stored (run it again without --dry-run{same} to store them)"
    text = f"{counted(found, 'new suggestion')}, stored as suggested labels"
    if withdrawn:
        text += f"; {counted(withdrawn, 'suggestion')} of the model withdrawn (now under the threshold: no landmark)"
    return text
