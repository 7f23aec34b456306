"""The statements a connection ran, from its trace callback, once each.

SQLite reports a statement again at the start of every row trigger it fires (the kept
list of is:unwritten watches taught_refs, labels, files...: unwritten_list), and
Python's trace callback gives each report the statement's own text. One statement
followed by its trigger reports is one run of it."""

from __future__ import annotations


def statements_run(traced: list[str]) -> list[str]:
    """`traced` (set_trace_callback(traced.append)) without the repeats that follow a
    statement for its row triggers."""
    return [sql for number, sql in enumerate(traced) if number == 0 or sql != traced[number - 1]]
