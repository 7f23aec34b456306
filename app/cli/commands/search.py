"""Placeholder for the `search` command; its owner replaces this module."""

from app.core.errors import UsageError


def register(subparsers) -> None:
    parser = subparsers.add_parser("search", help="(search: not implemented yet)")
    parser.set_defaults(handler=run)


def run(args) -> int:
    raise UsageError("'search' is not implemented yet")
