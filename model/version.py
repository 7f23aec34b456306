"""Which version of landmark-tagger is running, for both command lines' `--version`
(an index written by a newer version tells the user to upgrade: they must be able to
see what they have)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DISTRIBUTION = "landmark-tagger"
_PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def package_version() -> str:
    """The installed package's version; from a source tree that is not installed (run
    with PYTHONPATH), the version its pyproject.toml gives; "unknown" when neither says."""
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return source_tree_version(_PYPROJECT) or "unknown"


def source_tree_version(pyproject: Path) -> str | None:
    """[project] version of a pyproject.toml, or None when it is not there or says none."""
    import tomllib

    try:
        with open(pyproject, "rb") as file:
            return tomllib.load(file).get("project", {}).get("version")
    except (OSError, tomllib.TOMLDecodeError):
        return None


class _VersionAction(argparse.Action):
    """argparse's "version" action with the version looked up only when asked for: no
    package metadata is read on every run of a command."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        print(f"{parser.prog} {package_version()}", file=sys.stdout)
        parser.exit(0)


def add_version_option(parser: argparse.ArgumentParser) -> None:
    """`--version`: print "PROG X.Y.Z" and exit 0."""
    parser.add_argument("--version", action=_VersionAction, help="print the version and exit")
