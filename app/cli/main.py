"""Entry point of `landmark-tagger`: builds the parser from the command modules,
runs one command, and turns app errors into one line on stderr.

Exit codes: 0 success, 1 partial (some files failed), 2 usage or fatal error, 74 when
stdout could not be written (a full disk, closed) but the command's work is done, 75
when another run holds the index (a `tag`, a write or undo, SQLite's lock: nothing done,
try again later), 130
interrupted (Ctrl-C), 143 stopped by SIGTERM (`timeout`, systemd, `kill`), 141 when the
reader of the output went away (`… | head`).
"""

from __future__ import annotations

import argparse
import importlib
import sqlite3
import sys
from contextlib import contextmanager
from typing import Iterator, Sequence

from app.cli.common import (
    EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, EXIT_TERMINATED, EndedAtOnce, Terminated, end_the_process_now,
    release_held_signals, silence_stdout,
)

# Subcommand modules under app.cli.commands, in the order `--help` lists them.
COMMAND_MODULES = (
    "scan",
    "forget",
    "relocate",
    "search",
    "stats",
    "tag",
    "models",
    "review",
    "write",
    "undo",
    "teach",
    "rename",
    "suggest",
    "restore_index",
    "gui",
)

# Commands that change what only the index holds (labels, reviews, taught places, the
# write journal): before them, a weekly copy of the index is taken (app.core.index.backup).
BACKED_UP_COMMANDS = {"forget", "relocate", "tag", "accept", "reject", "label", "write", "undo", "teach", "rename", "suggest"}
# Commands that do their job without a model (labels change, names only): a Settings
# bundle that is gone is said, not a reason to stop.
_WORK_WITHOUT_A_MODEL = {"label", "rename"}

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
# Another run holds the index (a cron job's tag or write still running, the app's): nothing
# was done, and a later try will work. EX_TEMPFAIL of sysexits.h, so a script or a
# scheduler tells it from a failure (1) and a usage error (2).
EXIT_BUSY = 75


def build_parser() -> argparse.ArgumentParser:
    from app.cli.command_line import add_global_options, command_parsers, keep_empty_paths, refuse_negative_counts
    from model.version import add_version_option

    parser = argparse.ArgumentParser(
        prog="landmark-tagger",
        description="Find, recognise and tag landmarks in your travel photos.",
    )
    add_global_options(parser)
    add_version_option(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"app.cli.commands.{name}")
        module.register(subparsers)
    for command in command_parsers(parser).values():
        add_global_options(command, after_command=True)  # `stats --db X` as `--db X stats`
        refuse_negative_counts(command)
        keep_empty_paths(command)
    return parser


def _backup_index_if_due(db: str | None) -> None:
    """The weekly copy of the index, taken before a command that changes it (the app
    takes it at start); one that cannot be made is tried again next time, and one that
    would leave the command no room on the disk is skipped, said in one line."""
    from app.core.config import default_db_path
    from app.core.index.backup import backup_quietly

    backup_quietly(db or default_db_path(), skipped=lambda why: print(f"landmark-tagger: {why}", file=sys.stderr))


def _take_query_words(parser: argparse.ArgumentParser, args: argparse.Namespace, extras: list[str]) -> None:
    """The query of a command that takes one, whole: its NOT terms (`search -colosseum`,
    marked by shield_negated_words) and the files or folders a shell typed or
    completed (`accept Rome/*.JPG`, several of them meaning any) become terms. A word
    written as a path that names nothing there (`write Rome/ Romx/`, a drive not
    mounted) joins them too, for a command that checks the paths typed (its
    `checks_typed_paths`: paths_typed names a typo wherever it stands, or finds the
    photo the index holds there); any other word left over is refused. A command whose
    query is followed by other words (`label QUERY… NAME`) takes them off first (its
    `split_query`)."""
    from app.cli.command_line import command_parsers, is_negated_word, refuse_unrecognized, unshield, was_shielded
    from app.cli.paths_typed import written_as_a_path
    from app.core.path_query import any_of_the_paths, expand_wildcards, path_alternatives

    if (split_query := getattr(args, "split_query", None)) is not None:
        extras = [*split_query(args), *extras]
    for name, value in vars(args).items():  # `label Colosseum -rome`: no NOT term for NAME
        typed = value if isinstance(value, list) else [value]
        if name != "query" and any(map(was_shielded, typed)):
            refuse_unrecognized(parser, args, unshield(typed))
    query = getattr(args, "query", None)
    negated_query = was_shielded(query)
    # `accept Rome\*.JPG` on Windows: the files; elsewhere the shell expanded them
    words = expand_wildcards(unshield(query if isinstance(query, list) else [query])) if query else []
    given = expand_wildcards(unshield(extras))
    # paths found on disk are never respelled to another file the index holds in another case (exact)
    alternatives = path_alternatives([*words, *given], exact=True)
    if given:
        checked = getattr(args, "checks_typed_paths", False)
        plain = [word for word, terms in zip(given, alternatives[len(words):])
                 if not terms and not is_negated_word(word) and not (checked and written_as_a_path(word))]
        # `accept -colosseum state:suggested`: the NOT term took the query's place, the
        # query's word was left over (a query that is the command's only positional)
        command = command_parsers(parser).get(getattr(args, "command", None) or "")
        positionals = [action for action in command._actions if not action.option_strings] if command else []
        displaced = negated_query and len(positionals) == 1 and len(plain) == 1
        if not getattr(args, "takes_query", False) or plain and not displaced:
            # `label FILE Eiffel Tower`: label says the name goes in quotes (its unrecognized_hint)
            hint = getattr(args, "unrecognized_hint", None)
            refuse_unrecognized(parser, args, given, hint(args, [*words, *given], plain) if hint and plain else "")
    if not words and not given:
        return
    terms = any_of_the_paths([*words, *given], alternatives)
    args.query_as_typed = [*words, *given]  # for messages: the terms name paths the user never typed
    args.query = terms if isinstance(query, list) else " ".join(terms)


def _use_settings_model(args) -> None:
    """Fill --model and --threshold, when not given, from the app's Settings (one line says so).
    A Settings bundle that is gone stops the commands that need a model, with one line
    saying so, rather than "check the path" of a path the user never typed; label and
    rename, which work without one, say that none is used."""
    from app.core.errors import UsageError
    from app.core.model_choice import model_choice

    choice = model_choice(args.model, getattr(args, "threshold", None))
    if choice.settings_model_gone and args.command not in _WORK_WITHOUT_A_MODEL:
        raise UsageError(choice.gone_problem())
    args.model = choice.model
    args.model_from_settings = choice.model_from_settings
    if hasattr(args, "threshold"):
        args.threshold = choice.threshold
    if choice.line():
        print(choice.line(), file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; Ctrl-C at any point, even while the command modules are still
    being imported, ends it with one line and exit 130, not a traceback. A stdout that
    cannot be written (`--json > log` on a full disk, `>&-`) does not stop the command:
    one line says so at the end and the exit code is 74 (model.console)."""
    from model.console import code_of_parser_exit, lost_output_code, output_guarded, reopen_closed_stderr

    reopen_closed_stderr()  # `2>&-`: messages go nowhere, never into stdout
    if argv is None:  # this process's own command line: file names read as UTF-8 (model.utf8_mode)
        from model.utf8_mode import run_in_utf8_mode

        run_in_utf8_mode("landmark-tagger")
    with _ctrl_c_held_at_commit(), output_guarded() as output:
        try:
            code = _run(argv)
        except EndedAtOnce as stop:  # a worker still writes a file: the process ends now, its line said
            print(f"landmark-tagger: {stop.word}; {stop}", file=sys.stderr)
            release_held_signals()
            end_the_process_now(stop.exit_code)
            code = stop.exit_code  # (reached only where a test replaces end_the_process_now)
        except Terminated as stop:  # a second SIGTERM while a job was stopping (a write says what it left)
            print("landmark-tagger: terminated" + (f"; {stop}" if str(stop) else ""), file=sys.stderr)
            code = EXIT_TERMINATED
        except KeyboardInterrupt as stop:  # (an interrupted upgrade of the index says what it left)
            print("landmark-tagger: interrupted" + (f"; {stop}" if str(stop) else ""), file=sys.stderr)
            code = EXIT_INTERRUPTED
        except BrokenPipeError:  # the reader gone while argparse printed (`--version | true`)
            silence_stdout()
            return EXIT_BROKEN_PIPE
        except SystemExit as stop:  # argparse's --help, --version, a usage error
            return code_of_parser_exit("landmark-tagger", output, stop)
        finally:  # the line is said: a Ctrl-C held since an aborted write may end the process now
            release_held_signals()
        return lost_output_code("landmark-tagger", output, code)


@contextmanager
def _ctrl_c_held_at_commit() -> Iterator[None]:
    """Python's own Ctrl-C (KeyboardInterrupt), for the commands that install no handler
    of their own and the app: held while an index transaction ends, so that none is left
    open (app.core.held_at_commit). The handler found is put back after (a test's main())."""
    import signal
    import threading

    from app.core.held_at_commit import held_while_a_transaction_ends

    found = signal.getsignal(signal.SIGINT)
    if found is not signal.default_int_handler or threading.current_thread() is not threading.main_thread():
        yield  # (ignored, as under `nohup … &`, or another program's handler: left as it is)
        return
    signal.signal(signal.SIGINT, held_while_a_transaction_ends(found))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, found)


def _run(argv: Sequence[str] | None) -> int:
    from app.cli.command_line import shield_negated_words
    from app.cli.hints import hints_keep_the_index
    from model.console import make_stdout_safe

    make_stdout_safe()
    parser = build_parser()
    args, extras = parser.parse_known_args(shield_negated_words(parser, sys.argv[1:] if argv is None else argv))
    with hints_keep_the_index(getattr(args, "db", None), bool(getattr(args, "json", False))), \
            _waits_said(getattr(args, "command", None) != "gui"):  # the app: no terminal line on its stderr
        return _run_command(parser, args, extras)


def _leave_a_gone_current_folder(args: argparse.Namespace) -> None:
    """A terminal sitting in a deleted folder: relative paths refused, the rest run (app.cli.gone_folder)."""
    from pathlib import Path

    from app.cli.gone_folder import leave_a_gone_current_folder
    from app.core.config import default_db_path

    leave_a_gone_current_folder(args, Path(args.db) if getattr(args, "db", None) else default_db_path())


@contextmanager
def _waits_said(said: bool = True) -> Iterator[None]:
    """A command that waits for another run's hold on the index (the app's bulk Accept or
    L, seconds to tens of seconds) says so once on stderr rather than look hung; not `said`
    (`gui`): the app's waits are not said."""
    from app.core.index import connection

    if not said:
        yield
        return

    def say() -> None:
        print("landmark-tagger: waiting for another Landmark Tagger job to finish (the app's, or another "
              "command's)…", file=sys.stderr, flush=True)

    connection.wait_notice = say
    try:
        yield
    finally:
        connection.wait_notice = None


def _run_command(parser: argparse.ArgumentParser, args: argparse.Namespace, extras: list[str]) -> int:
    """The command the arguments name, its app errors turned into one line on stderr."""
    from app.cli.command_line import refuse_empty_arguments, refuse_words_after_paths, take_words_after_options
    from app.core.errors import IndexBusyError, TaggerError, UsageError
    from app.core.path_query import NoFileMatches

    try:
        extras = take_words_after_options(parser, args, extras)
        refuse_words_after_paths(parser, args, extras)  # `forget lib nothere`: nothere not found, one line
        _take_query_words(parser, args, extras)
        refuse_empty_arguments(parser, args)
        _leave_a_gone_current_folder(args)  # `scan .` in a deleted folder: one line
    except NoFileMatches as error:  # a Windows wildcard matching no file: as a query matching no photo
        print(f"landmark-tagger: error: {error}", file=sys.stderr)
        return EXIT_PARTIAL
    except UsageError as error:
        print(f"landmark-tagger: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if args.command in BACKED_UP_COMMANDS:
        _backup_index_if_due(args.db)
    try:
        if getattr(args, "model", None) is not None:  # `--model default`, as `models` lists them
            from app.core.bundle_choices import bundle_by_name

            args.model = bundle_by_name(args.model)
        if hasattr(args, "model"):  # what is not given is the app's Settings' choice, as the app's jobs use
            _use_settings_model(args)
        code = int(args.handler(args) or 0)
        sys.stdout.flush()  # a reader gone away is found here, not as "Exception ignored" at exit
        return code
    except BrokenPipeError:  # `… | head` closed the pipe: stop quietly, as Unix tools do
        silence_stdout()
        return EXIT_BROKEN_PIPE
    except UsageError as error:
        print(f"landmark-tagger: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except IndexBusyError as error:  # another tag, write or undo runs on the index: try later
        print(f"landmark-tagger: error: {error}", file=sys.stderr)
        return EXIT_BUSY
    except sqlite3.DatabaseError as error:  # the index file went bad (or busy) under a command
        from app.core.config import default_db_path
        from app.core.index.connection import held_by_another, index_problem_message

        print(f"landmark-tagger: error: {index_problem_message(args.db or default_db_path(), error)}", file=sys.stderr)
        return EXIT_BUSY if held_by_another(error) else EXIT_USAGE
    except TaggerError as error:
        print(f"landmark-tagger: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # errors of the model layer share their own base
        from model.errors import ModelError

        if isinstance(error, ModelError):
            print(f"landmark-tagger: error: {error}", file=sys.stderr)
            return EXIT_USAGE
        raise


if __name__ == "__main__":
    raise SystemExit(main())
