"""Placeholder for the `undo` command; its owner replaces this module."""

from app.core.errors import UsageError


def register(subparsers) -> None:
    parser = subparsers.add_parser("undo", help="(undo: not implemented yet)")
    parser.set_defaults(handler=run)


def run(args) -> int:
    raise UsageError("'undo' is not implemented yet")
