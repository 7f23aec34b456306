"""Placeholder for the `review` command; its owner replaces this module."""

from app.core.errors import UsageError


def register(subparsers) -> None:
    parser = subparsers.add_parser("review", help="(review: not implemented yet)")
    parser.set_defaults(handler=run)


def run(args) -> int:
    raise UsageError("'review' is not implemented yet")
