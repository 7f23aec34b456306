"""Placeholder for the `teach` command; its owner replaces this module."""

from app.core.errors import UsageError


def register(subparsers) -> None:
    parser = subparsers.add_parser("teach", help="(teach: not implemented yet)")
    parser.set_defaults(handler=run)


def run(args) -> int:
    raise UsageError("'teach' is not implemented yet")
