"""`landmark-tagger stats`: what the index holds."""

from __future__ import annotations

from app.cli.common import add_json_flag, command_with_index, one_line, open_index, print_json_line
from app.core.index.backup import backups
from app.core.index.problem_terms import missing_photo_note
from app.core.library import landmark_counts, present_library_folders
from app.core.name_order import name_order
from app.core.relocate import twin_hint, twin_of_missing
from app.core.teaching_store import taught_labels
from app.core.wording import counted


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "stats", help="show counts: photos, RAW pairs, labels by state, landmarks, errors, last scan",
        description=(
            "Print what the index holds: its file, the library folders (and those not found), "
            "photos and files with the RAW+JPEG pairs, labelled photos (with a landmark, and those tagged "
            "\"no landmark\"), landmarks (the three with most photos), review states, taught places, "
            "missing photos, files with a problem by stage, the last scan (its counts, or that it is "
            "running, or that it was interrupted or stopped and should be run again) and the copies of "
            "the index."
        ),
    )
    parser.add_argument(
        "--landmarks", action="store_true",
        help="list every landmark on the photos with its count (as the app's library panel does)",
    )
    parser.add_argument(
        "--errors", nargs="?", type=int, const=1000, default=0, metavar="N",
        help="also list the files with a problem now (newest first; at most N, default 1000)",
    )
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args) -> int:
    with open_index(args) as index:
        stats = index.stats()
        stats["index"] = index.path
        problems = index.errors(limit=args.errors) if args.errors > 0 else []
        landmarks = landmark_counts(index)
        stats["folders"] = [str(root) for root in index.roots()]
        stats["folders_without_subfolders"] = [str(root) for root in index.folder_only_roots()]
        stats["folders_not_found"] = [str(root) for root in present_library_folders(index)[1]]
        stats["backups"] = [str(path) for path in backups(index.path)] if index.path != ":memory:" else []
        stats["taught"] = dict(sorted(taught_labels(index.conn).items(), key=lambda item: name_order(item[0])))
    stats["landmarks"] = len(landmarks)
    if args.landmarks:
        stats["by_landmark"] = dict(landmarks)
    if args.json:  # one shape: `problems` always, the files --errors N lists (none without it)
        stats["problems"] = [
            {"stage": p.stage, "path": p.path, "photo_id": p.photo_id, "message": p.message, "at": p.at,
             "missing": p.missing}
            for p in problems
        ]
        print_json_line(stats)
        return 0
    states = stats["by_state"]
    print(f"index:      {stats['index']}")
    alone, absent = set(stats["folders_without_subfolders"]), set(stats["folders_not_found"])
    folders = [one_line(f) + ("  (this folder only, not those in it)" if f in alone else "")
               + (_not_found(f) if f in absent else "") for f in stats["folders"]]
    print("folders:    " + ("\n            ".join(folders) or "none (run `landmark-tagger scan FOLDER`)"))
    print(
        f"photos:     {stats['photos']:,} ({counted(stats['files'], 'file')}, "
        f"{counted(stats['raw_pairs'], 'RAW+JPEG pair')})"
    )
    print(f"labelled:   {stats['labelled']:,} with a landmark, {stats['no_landmark']:,} tagged \"no landmark\"")
    most = sorted(landmarks, key=lambda row: -row[1])[:3]
    hint = ("" if args.landmarks or len(landmarks) <= len(most)
            else "; `landmark-tagger stats --landmarks` lists them all")
    print(f"landmarks:  {len(landmarks):,}" + (
        f" (most photos: {', '.join(f'{label} {count:,}' for label, count in most)}{hint})" if most else ""))
    print("states:     " + ", ".join(f"{n} {state}" for state, n in states.items()))
    taught = list(stats["taught"].items())
    shown = ", ".join(f"{label} ({counted(n, 'photo')})" for label, n in taught[:8])
    more = f", … ({len(taught)} places; `landmark-tagger stats --json` lists them all)" if len(taught) > 8 else ""
    print("taught:     " + (one_line(shown + more) if taught else "nothing yet (`landmark-tagger teach NAME PHOTO…`)"))
    print(f"missing:    {stats['missing']}")
    by_stage = ", ".join(f"{n} {stage}" for stage, n in stats["errors_by_stage"].items())
    hint = "" if args.errors else "; `landmark-tagger stats --errors` lists them"
    print(f"errors:     {stats['errors']}" + (f" ({by_stage}{hint})" if by_stage else ""))
    last = stats["last_scan"]
    if last and last["status"] == "interrupted":  # its counts are written when it ends: none to show
        print(f"last scan:  {last['started_at']} (interrupted: it did not finish; "
              f"run `{command_with_index(args.db)} scan` again to complete it)")
    elif last and last["status"] == "running":
        print(f"last scan:  running since {last['started_at']} (counts when it ends)")
    elif last:
        status = last["status"]
        if status == "cancelled":  # stopped by the user (Ctrl-C, Cancel): its counts are of the part done
            status += f": stopped before the end; run `{command_with_index(args.db)} scan` again to complete it"
        print(
            f"last scan:  {last['finished_at'] or last['started_at']} ({status}): "
            f"{counted(last['photos'], 'photo')}, {last['new']} new, {last['changed']} changed, "
            f"{last['moved']} moved, {last['missing']} missing, {counted(last['errors'], 'error')}"
        )
    else:
        print("last scan:  never (run `landmark-tagger scan FOLDER`)")
    copies = stats["backups"]
    print(f"copies:     {counted(len(copies), 'copy', 'copies')} of the index, the newest {copies[-1]}" if copies
          else "copies:     none yet (one is taken weekly, before a command that changes the index)")
    if args.landmarks:
        for label, count in landmarks:
            print(one_line(f"  {count:>6,}  {label}"))
    for problem in problems:
        where = problem.path or f"photo {problem.photo_id}"
        said = problem.message if where in problem.message else f"{where}: {problem.message}"
        print(one_line(f"{problem.stage}: {said}" + (f" {missing_photo_note(problem.stage)}" if problem.missing else "")))
    return 0


def _not_found(folder: str) -> str:
    """What a library folder not found may be: a drive not connected, a folder moved, or
    one a sync tool respelled (twin_of_missing), named with the very relocate command."""
    twin = twin_of_missing(folder)
    if twin is None:
        return "  (not found: drive not connected? `landmark-tagger relocate` if it moved)"
    return one_line(f"  (not found; {twin_hint(folder, twin)})")
