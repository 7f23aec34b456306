"""Review commands: `accept QUERY`, `reject QUERY`, `label QUERY NAME`.

One module registers three short verbs; each opens the index, changes the label
state of the matching photos through PhotoIndex, and prints one summary line."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from app.cli.common import command_with_index, print_summary
from app.cli.landmark_names import add_new_flag, known_spelling_note, refuse_a_state_as_name, said_near_landmarks
from app.cli.no_match import no_match_hint, no_match_line
from app.cli.paths_typed import NOT_THERE, nothing_done_line, typed_paths
from app.cli.paths_typed import words_as_typed as _words_as_typed
from app.cli.commands.write import open_index
from app.core.wording import counted, pasted_whole, shell_quote


def register(subparsers) -> None:
    accept = subparsers.add_parser(
        "accept", help="accept the current (suggested) labels of the matching photos",
        description="Mark the labels of the photos matching QUERY as accepted, so 'write' puts them into the files. "
        "A photo whose label you rejected is left as it is, unless you name it (its file or file name) or "
        "QUERY holds state:rejected.",
    )
    accept.add_argument("query", help="search query choosing the photos ('' for all)")
    accept.add_argument("--release-held", action="store_true",
                        help="also write again the files `write` left alone because another program changed them since our write (their XMP taken out, an older copy put back): without it they stay held, whatever the query")
    accept.add_argument("--json", action="store_true", help="print the summary as a JSON line on stdout")
    accept.set_defaults(handler=run_accept, takes_query=True, checks_typed_paths=True)

    reject = subparsers.add_parser(
        "reject", help="reject the current labels of the matching photos (not suggested again)",
        description="Mark the labels of the photos matching QUERY as rejected; a rejected label is not suggested "
        "again. A photo whose label you accepted or gave is left as it is, unless you name it (its file or file "
        "name) or QUERY holds state:accepted.",
    )
    reject.add_argument("query", help="search query choosing the photos ('' for all)")
    reject.add_argument("--json", action="store_true", help="print the summary as a JSON line on stdout")
    reject.set_defaults(handler=run_reject, takes_query=True, checks_typed_paths=True)

    label = subparsers.add_parser(
        "label", help="give the matching photos a label of your own (accepted)",
        usage="%(prog)s [-h] [--new] [--model BUNDLE] [--release-held] [--json] [--db PATH] "
              "QUERY [PATH ...] (NAME | --no-landmark)",
        description="Set NAME as the label of every photo matching QUERY (source user, state accepted); the "
        "label it replaces is rejected for those photos and they teach NAME. As for accept and reject, the "
        "photos may be given as files and folders, as many as a shell glob gives, NAME coming last: "
        "`label Rome/DSC_00*.JPG Colosseum`; a photo file the index does not hold yet (copied in since the "
        "last scan) is added first, its folder alone, as `tag FILE` does. With --no-landmark instead of NAME: "
        "the photos show no landmark (as the app's \"(no landmark)\" label). A NAME that is no landmark the "
        "library or the model knows but is close to one (\"Colloseum\" beside \"Colosseum\") is refused, "
        "naming it: give --new to add it as a new landmark all the same. So is a word the app uses for a state "
        "(\"no landmark\", \"rejected\": give --no-landmark, or use reject).",
    )
    label.add_argument("query", nargs="+", metavar="QUERY [PATH ...] NAME",
                       help="search query choosing the photos ('' for all), or their files and folders; then "
                            "the landmark name, e.g. \"Chateau d'If\" (none with --no-landmark)")
    label.add_argument("--no-landmark", action="store_true", help="the photos show no landmark (instead of NAME)")
    add_new_flag(label, "NAME")
    label.add_argument("--model", metavar="BUNDLE", help="model bundle whose embeddings the corrected photos teach (default: the one chosen in the app's Settings, else the default bundle)")
    label.add_argument("--release-held", action="store_true",
                       help="also write again the files `write` left alone because another program changed them since our write (their XMP taken out, an older copy put back): without it they stay held, whatever the query")
    label.add_argument("--json", action="store_true", help="print the summary as a JSON line on stdout")
    label.set_defaults(handler=run_label, takes_query=True, checks_typed_paths=True, split_query=_name_after_the_query,
                       name=None, unrecognized_hint=_name_not_quoted)


def _name_after_the_query(args: argparse.Namespace) -> list[str]:
    """`label QUERY NAME`, `label Rome/DSC_0041.JPG Rome/DSC_0042.JPG Colosseum` (a shell
    glob, then the name): NAME is the last word, none with --no-landmark (or with one
    word only: run_label says NAME is missing). args.query becomes the first word and
    the words between are returned, for the CLI to take as it takes the files and
    folders after accept's query. With --no-landmark, a last word that is no file or
    folder was meant as NAME: both were given."""
    from app.cli.command_line import is_negated_word, unshield
    from app.core.errors import UsageError
    from app.core.path_query import expand_wildcards, path_term

    words = list(args.query)
    if args.no_landmark and len(words) > 1:
        last = unshield(words[-1])
        if not is_negated_word(last) and expand_wildcards([last]) == [last] and path_term(last) is None:
            raise UsageError("give NAME or --no-landmark, not both")
    args.name = words.pop() if len(words) > 1 and not args.no_landmark else None
    args.query = words[0]
    return words[1:]


def _name_split_by_the_shell(args: argparse.Namespace, not_there: list[tuple[str, str]]) -> str:
    """The end of label's "nothing changed" line when the words before NAME that name no
    file or folder look like the first pieces of a NAME the shell split, its quotes
    forgotten (`label FILE AC/DC Tower`: "AC/DC" was taken for a mistyped path): the
    command with the name quoted. "" when those words are no such pieces (a path, a NOT
    term, or none named as not there)."""
    from app.cli.paths_typed import may_be_a_name_piece

    words = _words_as_typed(args)
    start = len(words)
    while start > 1 and may_be_a_name_piece(words[start - 1]):
        start -= 1  # the first word stays the query
    pieces = words[start:]
    named = {path for path, _ in not_there}
    if not pieces or args.name is None or not named & {str(Path(word).expanduser()) for word in pieces}:
        return ""
    return _name_in_quotes(args, words[:start], pieces)


def _name_not_quoted(args: argparse.Namespace, words: list[str], refused: list[str]) -> str:
    """The end of argparse's "unrecognized arguments" for label when the plain words it
    refused (`Eiffel` of `label FILE Eiffel Tower`) are the first pieces of a NAME the
    shell split, its quotes forgotten: the command with the name quoted. `words`: the
    query and the words after it, before NAME. "" when a refused word is no such piece
    (an option, a NOT term, a file or folder) or sits before a path."""
    from app.cli.paths_typed import may_be_a_name_piece

    if args.name is None or not refused:
        return ""
    start = len(words)
    while start > 1 and not words[start - 1].startswith("-") and may_be_a_name_piece(words[start - 1]):
        start -= 1  # the first word stays the query
    if not set(refused) <= set(words[start:]):
        return ""
    return _name_in_quotes(args, words[:start], words[start:])


def _name_in_quotes(args: argparse.Namespace, before: list[str], pieces: list[str]) -> str:
    """"; a place name of several words goes in quotes", with the command as it should
    have been typed: `before`, then the `pieces` and NAME as one quoted name."""
    command = [*before, " ".join([*pieces, args.name]), *(["--new"] if args.new else [])]
    if not all(map(pasted_whole, command)):
        return "; a place name of several words goes in quotes"
    return f"; a place name of several words goes in quotes: " \
           f"`{command_with_index(getattr(args, 'db', None))} label {' '.join(map(shell_quote, command))}`"


def _finish(args: argparse.Namespace, verb: str, matched: int, changed: int, hint: str = "",
            left_out: list[tuple[str, str]] = (), kept: int = 0, kept_state: str = "", released: int = 0,
            left_held: int = 0) -> int:
    """One summary line, with the command that takes the change back; exit 1 when the
    query matched nothing, so a typo in a file name fails a script instead of looking
    like success, and when a photo file named was left out (`left_out`: path and why,
    one line each, before the summary). `kept`: how many of the user's own choices (in
    `kept_state`) the query left as they are, said last (_choices_kept). `released`: the
    files `write` held that a `label` or `accept` released (taken back with it); `left_held`:
    those it left held (no --release-held), said after the summary."""
    if args.json:
        print(json.dumps({"command": verb, "matched": matched, "changed": changed,
                          "left_out": [path for path, _ in left_out], "kept": kept,
                          **({"released": released} if verb in ("label", "accept") else {}),
                          **({"left_held": left_held} if verb in ("label", "accept") else {})}))
    for path, why in left_out:
        print_summary(f"{verb}: {path}: {why}")
    if matched == 0 and left_out:
        not_there = [(path, why) for path, why in left_out if why == NOT_THERE]
        if line := nothing_done_line(verb, args, not_there):
            print_summary(line + (_name_split_by_the_shell(args, not_there) if verb == "label" else ""))
        return 1  # each file named is accounted for above
    if matched == 0:
        print(no_match_line(verb, args, hint), file=sys.stderr)
        return 1
    undo = f"; `{command_with_index(getattr(args, 'db', None))} undo --review` takes it back" \
        if changed or released else ""
    freed = f", {counted(released, 'file')} released for the next `write`" if released else ""
    kept_line = _choices_kept(verb, kept, kept_state)
    print(f"{verb}: {changed:,} of {counted(matched, 'matching photo')} changed{freed}{undo}{kept_line}",
          file=sys.stderr)
    if left_held:
        from app.core.index.released_holds import left_held_line

        print_summary(left_held_line(verb, left_held))
    return 1 if left_out else 0


def _photo_files_named(args: argparse.Namespace) -> list[Path]:
    """The photo files typed as the query (`label Rome/DSC_00*.JPG NAME`, as a shell glob
    gives them); a sidecar or other file that is no photo, which a glob brings along, is
    not one (the query never matched it, and says nothing of it)."""
    from app.core.photo_names import not_a_photo_reason

    files = []
    for word in getattr(args, "query_as_typed", None) or []:
        path = Path(word).expanduser()
        try:
            if path.is_file() and not_a_photo_reason(path.name) is None:
                files.append(path)
        except (OSError, ValueError):  # a name too long, a NUL byte: no file
            continue
    return files


@dataclass(frozen=True)
class NamedPhotos:
    """The photo files typed as the query, each looked up once: the photos they are, and
    (path, why) for each one the index does not hold and each path typed that is not there
    (app.cli.paths_typed). `only_files`: nothing else was typed, so these photos are all the
    query matches (no search to run again)."""

    files: list[Path]
    ids: list[int]
    left_out: list[tuple[str, str]]
    only_files: bool


def _named_photos(index, args: argparse.Namespace, add_new: bool) -> NamedPhotos:
    """The photos of the files typed as the query. `add_new` (label): a file the index does
    not hold yet (copied in since the last scan) is added first, its folder alone, as `tag
    FILE` and `teach` do, since the user named it; else (accept, reject: a label never
    suggested cannot be reviewed) it is left out, naming `tag FILE`, or the problem the
    scan met in it (a damaged file, which `tag` cannot add)."""
    from app.core.path_case import DiskNames
    from app.core.tag_selection import photo_ids_of_files
    from app.core.teaching_targets import resolve_photo_ids, scan_problem_of

    files = _photo_files_named(args)
    typed = typed_paths(index, args)
    if typed.not_there:  # a typo among good paths: nothing is changed, each one is named (exit 1)
        return NamedPhotos([], [], typed.not_there, only_files=True)
    if typed.query is not None:  # paths only the index holds (the drive not mounted): their terms
        args.query = typed.query
    only_files = bool(files) and len(files) == len(_words_as_typed(args))
    if add_new:
        ids, left_out = resolve_photo_ids(index, files) if files else ([], [])
        return NamedPhotos(files, ids, left_out, only_files)
    names = DiskNames()  # the files' folders listed once, however many a glob gives
    found = photo_ids_of_files(index, files, names)  # one indexed query for them all
    db = getattr(args, "db", None)
    left_out = [(str(path), scan_problem_of(index, path, names, as_now=True)  # a damaged file: `tag` cannot help
                 or f"not in the library yet; `{command_with_index(db)} tag {shell_quote(str(path))}` "
                    "adds it and suggests its label") for path, ids in found.items() if not ids]
    ids = list(dict.fromkeys(photo_id for ids in found.values() for photo_id in ids))
    return NamedPhotos(files, ids, left_out, only_files)


def _matching(index, args: argparse.Namespace, named: NamedPhotos) -> list[int]:
    """The photos the query matches: those of the files named when nothing else was typed
    (already looked up), else the search's, with the files' photos among them."""
    if named.only_files:
        return named.ids
    return list(dict.fromkeys([*index.photo_ids(args.query), *named.ids]))


def _command_as_typed(args: argparse.Namespace, verb: str) -> str:
    """The review command as the user typed it, for the journal (`undo --review` names it)."""
    words = [verb, *(["--release-held"] if getattr(args, "release_held", False) else []), *_words_as_typed(args)]
    if verb == "label":
        words += ["--no-landmark"] if args.no_landmark else [args.name or ""]
    return " ".join(map(shell_quote, words))


def _set_state(args: argparse.Namespace, state: str, verb: str) -> int:
    """accept or reject: the photos matching, less the user's own choices the command did
    not name (app.core.review_choices), read and changed in one transaction. A reject of
    the last photos teaching a place withdraws the place's suggestions (app.core.teaching_untaught)."""
    from app.core.index import review_journal
    from app.core.index.released_holds import held_files
    from app.core.review_choices import review_targets
    from app.core.teaching_untaught import places_taught_by, withdraw_untaught

    index = open_index(args)
    try:
        named = _named_photos(index, args, add_new=False)
        ids = _matching(index, args, named)
        hint = no_match_hint(index, args.query) if not ids and args.query else ""  # a landmark misspelt
        with index.transaction():
            targets = review_targets(index, ids, state, args.query, named.ids)
            taught_before = places_taught_by(index.conn, targets.change) if state == "rejected" else set()
            released: list[tuple[str, str]] = []  # --release-held: the hold note's way out
            release_held = getattr(args, "release_held", False)
            changed = review_journal.change_states(index, targets.change, state, verb, _command_as_typed(args, verb),
                                                   released, release_held=release_held)
            left_held = [] if release_held or state != "accepted" else held_files(index.conn, targets.change)
            untaught = withdraw_untaught(index.conn, taught_before) if taught_before else []
    finally:
        index.close()
    for place in untaught:  # its reference comes back with an accept; its suggestions with a `suggest`
        print_summary(f"{verb}: {place.line(why='')}")
    for path, label in released:
        print_summary(f"{verb}: {path}: no longer left alone: the next `write` writes \"{label}\" into it again")
    return _finish(args, verb, len(ids), changed, hint, left_out=named.left_out,
                   kept=len(targets.kept), kept_state=targets.kept_state, released=len(released),
                   left_held=len(left_held))


def _choices_kept(verb: str, kept: int, kept_state: str) -> str:
    """The end of the summary line for the user's own choices a query left as they are,
    naming the two ways to change them all the same."""
    if not kept:
        return ""
    photos = counted(kept, f"{kept_state} photo")
    return f"; {photos} left as {'it is' if kept == 1 else 'they are'}: {verb} " \
           f"{'it' if kept == 1 else 'them'} by name or with state:{kept_state}"


def run_accept(args: argparse.Namespace) -> int:
    return _set_state(args, "accepted", "accept")


def run_reject(args: argparse.Namespace) -> int:
    return _set_state(args, "rejected", "reject")


def run_label(args: argparse.Namespace) -> int:
    from app.cli.common import folders_joined_for_files, refuse_file_as_name, say_folders_joined
    from app.core.errors import UsageError
    from model.labels import label_form
    name = None if args.no_landmark else (args.name or "").strip()
    if name is not None and not label_form(name):  # spaces or invisible characters alone
        raise UsageError("the label NAME is empty; give a landmark name such as \"Chateau d'If\" "
                         "(or --no-landmark for photos that show none)")
    if name is not None:
        refuse_file_as_name(name, "the search query comes first, then the name: `landmark-tagger label QUERY NAME`")
        refuse_a_state_as_name(name, args, "give --no-landmark instead of NAME")
    from app.core.teaching import load_model_bundle
    from model.errors import ModelError

    try:
        bundle = load_model_bundle(getattr(args, "model", None))
    except (UsageError, ModelError):
        if getattr(args, "model", None) is not None and not getattr(args, "model_from_settings", False):
            raise  # the bundle asked for is unusable: one line, before any label changes
        bundle = None  # no usable default (or Settings') model: labels still count, teaching waits for one, as in the app
    index = open_index(args)
    hint = ""
    try:
        classes = bundle.class_names() if bundle is not None else ()
        if name is not None and said_near_landmarks(index, name, classes, args, "label"):
            return 1
        respelled = known_spelling_note(index, name, classes) if name is not None else None
        # Photo files named that the index does not hold yet (copied in since the last
        # scan) are indexed first, their folder alone, as `tag FILE` and `teach` do: the
        # user named them, and a count that leaves one out would look like success.
        roots_before = index.roots()
        named = _named_photos(index, args, add_new=True)
        joined = folders_joined_for_files(index, roots_before, named.files)
        ids = _matching(index, args, named)
        still_matching = None if named.only_files else (lambda: _matching(index, args, named))
        changed, untaught, gone, stale, released, left_held = _correct_and_journal(
            index, ids, name, bundle, _command_as_typed(args, "label"), still_matching,
            args.release_held)
        if not ids and name is not None and index.photo_ids(name):
            # teach's order (NAME first) is an easy slip: say which order label takes
            words = [name, *_words_as_typed(args)]
            # a word holding a " reaches the program from no quoting in Windows PowerShell 5.1
            order = " ".join(map(shell_quote, words)) if all(map(pasted_whole, words)) else "QUERY NAME"
            hint = f"the query comes first: `landmark-tagger label {order}`"
    finally:
        index.close()
    say_folders_joined(joined)
    if respelled and ids:  # said with the count: a photo already so labelled is "0 of 1 changed"
        print_summary(f"label: {respelled}")
    for place in untaught:
        print_summary(f"label: {place.line()}")
    for path in released:  # the hold note's way out: say it worked, however many labels changed
        print_summary(f"label: {path}: no longer left alone: the next `write` writes \"{name}\" into it again")
    if gone:  # never a silent "0 of 1 changed"
        print_summary(f"label: {counted(gone, 'photo')} left the library while this waited for the index "
                      "(another Landmark Tagger removed its folder); left out")
    if stale:
        query = " ".join(_words_as_typed(args))
        print_summary(f"label: {counted(stale, 'photo')} no longer match{'es' if stale == 1 else ''} `{query}` "
                      "(changed by another job while this waited); left as "
                      f"{'it is' if stale == 1 else 'they are'}")
    return (_finish(args, "label", len(ids) - stale, changed, hint, named.left_out, released=len(released),
                    left_held=len(left_held))
            or (1 if gone or stale else 0))


def _correct_and_journal(index, ids: list[int], name: str | None, bundle, command: str,
                         still_matching, release_held: bool) -> tuple[int, list, int, int, list[str], list[str]]:
    """A correction teaches, journalled for `undo --review` in the same transaction
    (app.core.journalled_labels); how many photos changed, the places they were the
    last to teach (teaching_untaught.Untaught: no longer taught, their suggestions withdrawn),
    how many left the library while it waited for the index (the app's job holding it), and
    how many no longer matched the query then (`still_matching`, asked again once the wait
    is over: the app's L, or another `label`, relabelled them; left as they are), and the
    files `write` held that the label given releases (`release_held`: --release-held), and those
    it left held (without it, whatever the query and the label). A photo
    named by its file gets the label as it is once the wait is over: the user named it."""
    from app.core.journalled_labels import correct_and_journal

    done = correct_and_journal(index, ids, name, command=command, bundle=bundle, still_matching=still_matching,
                               release_held=release_held)
    stale = len(done.no_longer_matching)
    gone = sum(1 for correction in done.corrections if correction.labelled_since is not None) - stale
    return len(done.changed), done.untaught, gone, stale, done.released, done.left_held


run = run_label  # the module-level entry point the CLI contract expects
