"""Placeholder for the `models` command; its owner replaces this module."""

from app.core.errors import UsageError


def register(subparsers) -> None:
    parser = subparsers.add_parser("models", help="(models: not implemented yet)")
    parser.set_defaults(handler=run)


def run(args) -> int:
    raise UsageError("'models' is not implemented yet")
