"""How the words of the command line reach argparse: the global options (--db), which
are taken after the command too; counts, refused when negative; empty arguments,
refused; a query's NOT terms (`search -has:gps`), which argparse would take for
options; and the paths or query words typed after an option (`scan DIR1 --json DIR2`)."""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from model.console import count

# Marks a NOT term of a query while argparse reads the command line: argparse takes a
# word that starts with anything but '-' for a positional, and no argument can hold NUL.
_SHIELD = "\x00"


def add_global_options(parser: argparse.ArgumentParser, after_command: bool = False) -> None:
    """The options of the whole tool. After the command (`stats --db X`) they default
    to SUPPRESS, so the value given before the command stays unless one is given there."""
    default = argparse.SUPPRESS if after_command else None
    parser.add_argument(
        "--db", metavar="PATH", default=default,
        help="index file to use (default: $LANDMARK_TAGGER_DB or the user data folder)",
    )


def refuse_negative_counts(parser: argparse.ArgumentParser) -> None:
    """Every whole-number option of this tool is a count (--errors, --limit, --offset,
    --workers, --batch-size …): argparse refuses a negative one with its usage line."""
    for action in parser._actions:
        if action.type is int:
            action.type = count


def keep_empty_paths(parser: argparse.ArgumentParser) -> None:
    """A path option (`--model ""`) given empty stays "" instead of becoming Path("."), the
    current folder, so that refuse_empty_arguments can tell it from `--model .`."""
    for action in parser._actions:
        if action.type is Path:
            action.type = _path_unless_empty


def _path_unless_empty(text: str) -> Path | str:
    return Path(text) if text else text


def refuse_empty_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """UsageError naming an argument given as "" (a path, a name, --db, --model): it is
    what an unset shell variable gives (`scan "$PHOTOS"`), and taken as a path it would
    mean the current folder (or, for --db, the default index). A query may be empty:
    '' matches every photo."""
    from app.core.errors import UsageError

    command = command_parsers(parser).get(getattr(args, "command", None) or "")
    for action in [*parser._actions, *(command._actions if command else [])]:
        if action.dest in ("query", "help", "command") or isinstance(action, argparse._SubParsersAction):
            continue
        value = getattr(args, action.dest, None)
        if value == "" or (isinstance(value, list) and "" in value):
            name = action.option_strings[-1] if action.option_strings else (action.metavar or action.dest.upper())
            where = f" given to {args.command}" if command else ""
            raise UsageError(f'the {name}{where} is empty ("", an unset shell variable?); {name}: {action.help}')


def command_parsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The subcommands' parsers by name."""
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def refuse_unrecognized(parser: argparse.ArgumentParser, args: argparse.Namespace, words: list[str],
                        hint: str = "") -> NoReturn:
    """argparse's "unrecognized arguments" (exit 2), said by the command's own parser, so
    that its usage line lists the options it takes (the tool's lists none of them), with
    "did you mean --dry-run?" for a mistyped option close to one of them (`write --dryrun`),
    else the command's own `hint` ("; …", label's for a place name not quoted)."""
    command = command_parsers(parser).get(getattr(args, "command", None) or "") or parser
    message = f"unrecognized arguments: {' '.join(words)}"
    close = [option for word in words if (option := _option_meant(command, word))]
    if close:
        message += f"; did you mean {' '.join(dict.fromkeys(close))}?"
    else:
        message += hint
    command.error(message)


def _option_meant(parser: argparse.ArgumentParser, word: str) -> str | None:
    """The long option of `parser` that a `--word` unknown to it most likely misspells, or None."""
    if not word.startswith("--") or word == "--":
        return None
    name = word.partition("=")[0]
    options = {option.lstrip("-"): option for action in parser._actions for option in action.option_strings
               if option.startswith("--")}
    # compared without the dashes, which every long option shares (`--x` is no `--db`)
    close = difflib.get_close_matches(name.lstrip("-"), list(options), n=1)
    return options[close[0]] if close else None


def is_negated_word(word: str) -> bool:
    """`-colosseum`, `-has:gps`: a query's NOT term (or an option: see shield_negated_words)."""
    return len(word) > 1 and word.startswith("-") and not word.startswith("--")


def shield_negated_words(parser: argparse.ArgumentParser, argv: Sequence[str]) -> list[str]:
    """`argv` with the NOT terms of a command that takes a QUERY marked, so that argparse
    reads them as positionals: left as they are, `-has:gps` is `-h` with the value
    'as:gps' to argparse, and `-colosseum` an unknown option. A word is a NOT term when
    it starts with one '-' and is none of the command's options (`-h` stays help; a value
    after an option, such as `--limit -1`, stays its value; after `--` nothing changes)."""
    words = list(argv)
    position = _command_position(parser, words)
    if position is None:
        return words
    command = command_parsers(parser)[words[position]]
    if not command.get_default("takes_query"):
        return words
    values_due = 0  # words still owed to the option before them
    for at in range(position + 1, len(words)):
        word = words[at]
        if word == "--":
            break
        if values_due:
            values_due -= 1
            continue
        option = _option_of(command, word)
        if option is not None:
            values_due = option
        elif is_negated_word(word):
            words[at] = _SHIELD + word
    return words


def take_words_after_options(parser: argparse.ArgumentParser, args: argparse.Namespace,
                             extras: list[str]) -> list[str]:
    """The words parse_known_args left over, given to the command's last positional when
    it takes several values and every one of them is such a value: argparse fills that
    positional once, from the words before the first option, so the paths or query words
    after it (`scan DIR1 --json DIR2`, `search 2020 --json paris`) would be refused.
    Returns what is still left: all of `extras` when any is an option (an unknown option
    stays an error; the words after `--` are never one) or the command takes no list."""
    command = command_parsers(parser).get(getattr(args, "command", None) or "")
    positionals = [action for action in command._actions if not action.option_strings] if command else []
    last = positionals[-1] if positionals else None
    if last is None or last.nargs not in ("*", "+") or not extras:
        return extras
    before, after = _split_at_double_dash(extras)  # `scan DIR --json -- -x`: after `--`, words only
    if any(word.startswith("-") and word != "-" for word in before):  # a NOT term comes shielded
        return extras
    setattr(args, last.dest, [*(getattr(args, last.dest, None) or []), *before, *after])
    return []


def refuse_words_after_paths(parser: argparse.ArgumentParser, args: argparse.Namespace,
                             extras: list[str]) -> None:
    """UsageError, one line, for the words left over after the paths of a command that
    takes a set number of them (`forget lib nothere`, `relocate OLD NEW typo`, `gui lib
    nothere`: those commands set `takes_paths`): the word not there is named as a path
    not found, as the command names one it takes, instead of argparse's usage block and
    "unrecognized arguments". An option among them is left to argparse (a real option
    mistake, exit 2 with its usage)."""
    from app.core.errors import UsageError

    command = command_parsers(parser).get(getattr(args, "command", None) or "")
    if command is None or not command.get_default("takes_paths") or not extras:
        return
    before, after = _split_at_double_dash(extras)
    if any(word.startswith("-") and word != "-" for word in before):
        return
    words = [*before, *after]
    positionals = [action for action in command._actions if not action.option_strings]
    names = [action.metavar or action.dest.upper() for action in positionals]
    takes = f"`{args.command}` takes " + (f"one {names[0]}" if len(names) == 1 else " and ".join(names))
    missing = [word for word in words if not _there(word)]
    if missing:
        raise UsageError(f"{', '.join(missing)}: not found; check the path (is the drive mounted?); {takes}")
    raise UsageError(f"{takes}, not also {' '.join(words)}: run `{args.command}` once for each")


def _split_at_double_dash(words: list[str]) -> tuple[list[str], list[str]]:
    """(the words before the first `--`, those after it)."""
    if "--" not in words:
        return list(words), []
    at = words.index("--")
    return list(words[:at]), list(words[at + 1:])


def _there(path: str) -> bool:
    try:
        return Path(path).expanduser().exists()
    except (OSError, ValueError):  # a name too long, a NUL byte
        return False


def was_shielded(value: object) -> bool:
    return isinstance(value, str) and value.startswith(_SHIELD)


def unshield(value):
    """The words as typed again (a string, or each string of a list)."""
    if isinstance(value, list):
        return [unshield(item) for item in value]
    return value[len(_SHIELD):] if was_shielded(value) else value


def _command_position(parser: argparse.ArgumentParser, words: list[str]) -> int | None:
    """Where the command's name is in `words` (after the global options), or None."""
    names = command_parsers(parser)
    values_due = 0
    for at, word in enumerate(words):
        if values_due:
            values_due -= 1
        elif word == "--":
            return None
        elif word in names:
            return at
        elif (option := _option_of(parser, word)) is not None:
            values_due = option
        else:
            return None  # a word argparse will refuse on its own
    return None


def _option_of(parser: argparse.ArgumentParser, word: str) -> int | None:
    """How many of the next words an option `word` of `parser` takes (0 for a flag or a
    value given with it: `--limit=5`, `-n5`), or None when `word` is none of its options."""
    if not word.startswith("-") or word == "-":
        return None
    actions = {option: action for action in parser._actions for option in action.option_strings}
    if word in actions:
        return _values_taken(actions[word])
    if word.startswith("--"):
        name = word.partition("=")[0]
        matches = {action for option, action in actions.items() if option.startswith(name)}
        if len(matches) != 1:
            return None  # unknown or ambiguous: argparse says so
        return 0 if "=" in word else _values_taken(matches.pop())
    short = actions.get(word[:2])
    if short is not None and _values_taken(short):
        return 0  # `-n5`: a short option with its value attached
    return None


def _values_taken(action: argparse.Action) -> int:
    """The words an option always takes after it (none counted for nargs '?', '*' or
    '+': no command that takes a query has such an option)."""
    if action.nargs is None:
        return 1
    return action.nargs if isinstance(action.nargs, int) else 0
