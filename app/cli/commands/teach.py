"""`landmark-tagger teach NAME PATH…`: teach a landmark of your own from a few photos."""

from __future__ import annotations

from pathlib import Path

from app.cli.common import (
    add_json_flag, command_with_index, folders_joined_for_files, index_exists, open_index, paths_there,
    print_json_line, print_summary, progress_bar, refuse_file_as_name, say_folders_joined,
)
from app.cli.landmark_names import add_new_flag, refuse_a_state_as_name, said_near_landmarks
from app.core.name_order import name_order
from app.core.wording import counted, shell_quote

EXIT_OK, EXIT_PARTIAL = 0, 1
EXIT_ASKED = 1  # a likely typo named, nothing taught (as `label` does)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "teach",
        help="teach a landmark of your own from a few photos of it",
        description="Give NAME to the photos (files, folders or both) and make them references for "
        "NAME: tagging then recognises that place like a built-in landmark, and `suggest` finds it "
        "in the rest of the library. Folders are scanned first, as `tag` does, so that photos copied "
        "into them since the last scan are taught too, and so is the folder of a photo not in the index "
        "yet; embeddings come from the index when tagged, else the photos are decoded now. "
        "A NAME that is no landmark the library or the model knows but is close to one (\"Colloseum\" "
        "beside \"Colosseum\") is refused, naming it, and so is a word the app uses for a state (\"no "
        "landmark\", \"rejected\"): give --new to teach it as typed. "
        "`undo --review` takes a teach back: each photo gets its label and the place it taught "
        "before it again. With --forget, NAME is no longer recognised (the photos keep their label); "
        "`undo --review` takes that back too: NAME is taught again and its suggestions come back.",
    )
    parser.add_argument("name", metavar="NAME", help="the landmark's name, e.g. \"Our cabin at Ilulissat\"")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="photos or folders showing the landmark")
    parser.add_argument("--model", metavar="BUNDLE", type=Path,
                        help="model bundle whose embeddings to use (default: the one chosen in the app's Settings, else the "
                             "bundled default model)")
    parser.add_argument("--forget", action="store_true", help="stop recognising NAME (drops its references)")
    add_new_flag(parser, "NAME")
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args) -> int:
    from app.core.errors import UsageError
    from app.core.teaching import canonical_label, check_label, forget, load_model_bundle, stored_label, teach
    from app.core.teaching_store import taught_labels

    name = stored_label(args.name) if args.forget else check_label(args.name)  # a stored name may be forgotten
    if args.forget:
        if args.paths:
            raise UsageError("--forget takes only NAME, no PATH")
        with open_index(args) as index:
            name = canonical_label(index, name)  # as typed, in any case
            done = forget(index, name, journal=" ".join(map(shell_quote, ["teach", "--forget", args.name])))
            taught = sorted(taught_labels(index.conn), key=name_order)
        if args.json:
            print_json_line({"label": name, "forgotten": done.photos, "withdrawn": done.withdrawn, "kept": done.kept})
        undo = f"; `{command_with_index(args.db)} undo --review` takes it back" if done.journalled else ""
        if done.photos == 0:
            known = f"; taught now: {', '.join(taught)}" if taught else "; nothing is taught"
            # journalled with no photo: only forgotten, the photos the user labelled so are kept from teaching it
            held = (f"; '{name}' is forgotten all the same, so the photos you labelled so do not teach it "
                    "at the next `tag`") if done.journalled and not done.photo_ids else ""
            print_summary(f"nothing was taught as '{name}'{known}{held}{forget_details(done, name)}{undo}")
            return EXIT_PARTIAL
        one = done.photos == 1
        print_summary(f"forgot '{name}' ({counted(done.photos, 'taught photo')} no longer "
                      f"{'teaches' if one else 'teach'} it; the {'photo keeps its' if one else 'photos keep their'} "
                      f"label){forget_details(done, name)}{undo}")
        return EXIT_OK
    # (--forget must still take a path-like name a swapped `label` once taught)
    refuse_file_as_name(name, "the name comes first, then the photos: `landmark-tagger teach NAME PHOTO…`")
    refuse_a_state_as_name(name, args)
    if not args.paths:
        raise UsageError(f"give the photos of '{name}': {command_with_index(args.db)} teach \"{name}\" PHOTO…")
    if not index_exists(args.db):  # none of the paths there: one line, and no empty index left behind
        paths_there(args.paths, "file or folder", say_missing=False)
    bundle = load_model_bundle(args.model)  # a bad --model: one line, and the library as it was
    if not args.new and _said_near_landmarks(args, name, bundle.class_names()):
        return EXIT_ASKED
    targets = [Path(p) for p in args.paths]
    with open_index(args) as index, progress_bar("teaching") as progress:
        roots_before = index.roots()
        try:
            summary = teach(index, name, targets, bundle=bundle, progress=progress, journal=_as_typed(args))
        except UsageError:
            if args.json:  # no photo to teach from: each still gets its line, with why
                _print_failures_json(_failures_when_none_taught(index, targets))
            raise
        joined = folders_joined_for_files(index, roots_before, targets)
    if args.json:
        if summary.taught:  # taught from none: the failure lines alone, as when refused above
            print_json_line(summary.to_json())
            _print_from_stored_json(summary.from_stored)
        _print_failures_json(summary.failures)
    say_folders_joined(joined)
    for line in summary.move_lines():
        print_summary(line)
    for path, note in summary.from_stored:
        print_summary(f"{path}: {note}")
    for path, why in summary.failures:
        print_summary(f"error: {failure_text(path, why)}")
    if summary.taught == 0:
        print_summary(summary.line())
        return 2
    undo = f"; `{command_with_index(args.db)} undo --review` takes it back" if summary.journalled else ""
    print_summary(summary.line() + f"; run `{command_with_index(args.db)} suggest` to find it in your library{undo}")
    for line in summary.look.lines(how_to_label=f"with `{command_with_index(args.db)} label`") if summary.look else ():
        print_summary(line)
    if summary.left_held:  # the label does not go into them at the next `write`, as after `accept`
        from app.core.index.released_holds import left_held_line

        print_summary(left_held_line("teach", summary.left_held))
    return EXIT_PARTIAL if summary.errors else EXIT_OK


def failure_text(path: str, why: str) -> str:
    """"PATH: why", the path once (some reasons start with it)."""
    return why if why.startswith(str(path)) else f"{path}: {why}"


def _print_failures_json(failures) -> None:
    """A `--json` line per photo not taught, as `tag --json` gives an unreadable file's:
    "path" and "error" (the summary line's "errors" only counts them)."""
    for path, why in failures:
        print_json_line({"path": str(path), "error": failure_text(path, why)})


def _print_from_stored_json(notes) -> None:
    """A `--json` line per photo taught from its stored embedding, its file in iCloud or
    deleted (teaching_targets.taught_from_stored): "path" and "note", the line stderr gives."""
    for path, note in notes:
        print_json_line({"path": str(path), "note": failure_text(path, note)})


def _failures_when_none_taught(index, targets) -> list[tuple[str, str]]:
    """(path, why) of the photos given when none could be taught (teach raised): looked up
    again, cheaply, as their folders were read already; none when some photo was found
    (the error was another)."""
    from app.core.teaching_targets import resolve_photo_ids

    photo_ids, problems = resolve_photo_ids(index, targets)
    return [] if photo_ids else problems


def _as_typed(args) -> str:
    """The teach command as the user typed it, for the review journal (`undo --review` names it)."""
    return " ".join(map(shell_quote, ["teach", *(["--new"] if args.new else []), args.name, *args.paths]))


def _said_near_landmarks(args, name: str, class_names: list[str]) -> bool:
    """A typo of a known landmark ("Colloseum") asked about before anything is taught;
    no index yet is none made for the question (the model's landmarks alone)."""
    if not index_exists(args.db):
        return said_near_landmarks(None, name, class_names, args, "teach")
    with open_index(args) as index:
        return said_near_landmarks(index, name, class_names, args, "teach")


def forget_details(done, name: str) -> str:
    """What forgetting did to the suggestions: those teaching made are withdrawn (the
    next `tag` decides them again), the model's own of a landmark of that name stay."""
    text = ""
    if done.withdrawn:
        text += (f"; {counted(done.withdrawn, 'suggestion')} of it withdrawn (now no landmark, "
                 "until `landmark-tagger tag` decides them again)")
    if done.kept:
        text += f"; {counted(done.kept, 'suggestion')} of the model's own '{name}' kept"
    return text
