"""`landmark-tagger search QUERY`: find photos with the search language."""

from __future__ import annotations

import sys

from app.cli.common import add_json_flag, one_line, open_index, print_json_line, print_summary

QUERY_HELP = (
    'free words, label:"Eiffel Tower", camera:D850, lens:18-55mm, date:2020-11, after:2020-11-01, before:2021, '
    "score>0.8 (how sure of the label; \"no landmark\": 1 - its best guess's score), state:suggested|accepted|rejected|unlabelled, folder:…, path:/photos/DSC_0001.JPG, has:gps, "
    "has:raw, has:date, has:label (-has:label -state:unlabelled: the photos tagged \"no landmark\"), is:missing, is:damaged|unreadable|write-failed|undo-failed|teach-failed|problem (the photos with that problem now, as `stats --errors` lists them), is:unwritten (the photos whose files `write` would change now), id:123,456 (the \"id\" of a --json line), -word for NOT; terms combine with AND, A OR B for either (several path: terms: any "
    "of those files); empty = every photo. A file or folder path typed as the query (Rome/DSC_0042.JPG, a shell "
    "glob) finds those photos, -PATH (-Rome/) all but those"
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "search",
        help="find photos (free words, label:, camera:, lens:, date:, score>, state:, has:gps …)",
        description="Search the index, newest photos first. Query language: " + QUERY_HELP,
    )
    parser.add_argument("query", nargs="*", help="the query; several words are joined with spaces")
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="show at most N photos")
    parser.add_argument("--offset", type=int, default=0, metavar="N", help="skip the first N photos")
    parser.add_argument("--count", action="store_true", help="only print how many photos match")
    parser.add_argument("--oldest-first", action="store_true",
                        help="oldest photos first (a trip from its first day; photos with no date last)")
    add_json_flag(parser)
    parser.set_defaults(handler=run, takes_query=True)


def run(args) -> int:
    from app.cli.paths_typed import typed_paths
    from app.core.errors import UsageError

    if args.limit is not None and args.limit < 0 or args.offset < 0:
        raise UsageError("--limit and --offset must be 0 or more")
    query = " ".join(args.query)
    with open_index(args) as index:
        # a path only the index holds (its drive not mounted) finds that photo or folder, as accept's does
        typed = typed_paths(index, args)
        if typed.negated_not_there:  # `-Rome/typo.jpg` would list every photo, as if one were left out
            _say_left_out_nothing(typed.negated_not_there, args.json)
            return 1
        query = typed.query or query
        if args.count:
            total = index.count(query)
            print_json_line({"count": total}) if args.json else print(total)
            _hint_missing(index, query, total)
            _hint_words(index, query, total)
            return 0
        shown = 0
        for record in index.search(query, limit=args.limit, offset=args.offset, oldest_first=args.oldest_first):
            shown += 1
            if args.json:
                print_json_line(_json_of(index, record))
            else:
                print(_line(record.to_json(), _guess_of(index, record)))
        cut = args.offset > 0 or args.limit is not None and shown >= args.limit
        total = index.count(query) if cut else shown
        print_summary(_shown_of(shown, total))
        _hint_missing(index, query, total)
        _hint_words(index, query, total)
    return 0


def _say_left_out_nothing(not_there: list[tuple[str, str]], as_json: bool) -> None:
    """A path typed after a "-" that names nothing, as accept and write name a typo (a
    script reading --json gets an error line, not every photo). A typo typed without
    "-" lists what it matches as words, "0 photos" as a rule, which says it already."""
    for path, why in not_there:
        if as_json:
            print_json_line({"id": None, "path": path, "error": why})
        print(one_line(f"search: {path}: {why}; nothing listed"), file=sys.stderr)


def _hint_missing(index, query: str, total: int) -> None:
    """After a problem term found nothing: how many missing photos it would find (every
    term leaves them out unless is:missing is given; `stats --errors` lists their rows)."""
    from app.core.index.problem_terms import asks_for_problems
    from app.core.wording import counted

    missing = index.count(f"is:missing {query}") if total == 0 and asks_for_problems(query) else 0
    if missing:
        print_summary(f"{counted(missing, 'missing photo')} match{'es' if missing == 1 else ''} too: add is:missing")


def _hint_words(index, query: str, total: int) -> None:
    """After a search found nothing: the term for a review state among its plain words
    ("accepted": state:accepted), which free words never find, or the label: term of a
    landmark on the photos its words or label: name are a likely typo of ("colloseum",
    "massenna", `label:Colloseum`: label:"Colosseum"); it exits 0 all the same."""
    from app.core.index.state_word_hints import state_word_hint
    from app.core.landmark_typo_hints import landmark_typo_hint
    from app.core.library import landmark_counts

    if total:
        return
    hint = state_word_hint(query) or landmark_typo_hint(query, (name for name, _ in landmark_counts(index)))
    if hint:
        print_summary(hint)


def _shown_of(shown: int, total: int) -> str:
    """The summary line: how many photos were listed, and how many match when --limit or
    --offset left some out ("3 photos" after `--limit 3` read as if only 3 matched)."""
    from app.core.wording import counted

    return counted(shown, "photo") if shown == total else f"{shown:,} of {counted(total, 'photo')} shown"


def _json_of(index, record) -> dict:
    """The --json line, whose "score" is the one `score>` compares (and `accept 'score>0.7'`
    acts on): for "no landmark", 1 - its best guess's score, with that guess under
    "best_guess" (null when there is none: set by the user, every guess rejected); a
    script re-filtering "score" gave the best guess's score and disagreed with the query."""
    data = record.to_json()
    if record.label is None and record.state != "unlabelled":
        guess = index.best_guess(record.id) if record.score else None
        data["score"] = None if record.score is None else 1.0 - record.score
        data["best_guess"] = None if guess is None else {
            "label": guess.label, "landmark_id": guess.landmark_id, "score": record.score}
    return data


def _guess_of(index, record) -> str | None:
    """The name of the best guess a "no landmark" photo's stored score is for (None for a
    label, a blank frame or every guess rejected: score 0, no guess's)."""
    if record.label is not None or record.state == "unlabelled" or not record.score:
        return None
    guess = index.best_guess(record.id)
    return guess.label if guess is not None else None


def _line(photo: dict, guess: str | None = None) -> str:
    """A "no landmark" photo with the score `score<0.5` compares, 1 - its best guess's, and
    that guess named: `(no landmark) 0.25; best guess Colosseum 0.75` (a bare "(no landmark)
    0.75", the guess's score, read as 75 % sure there is no landmark)."""
    label = photo["label"] or ("(no landmark)" if photo["state"] != "unlabelled" else "")
    score = photo["score"]
    if score is not None and not photo["label"]:
        score = 1.0 - score
    shown = f"{label} {score:.2f}" if score is not None and label else label
    if guess is not None:
        shown += f"; best guess {guess} {photo['score']:.2f}"
    details = "  ".join(x for x in (photo["taken_at"] or "", photo["camera"] or "", shown, photo["state"]) if x)
    return f"{one_line(photo['path'])}\t{one_line(details)}"
