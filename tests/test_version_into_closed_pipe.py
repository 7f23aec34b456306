"""`--version` (printed by argparse while the arguments are read) into a pipe whose
reader has gone: both command lines stop quietly with 141, as any other output does
(found in review: a BrokenPipeError traceback, exit 1)."""

from __future__ import annotations

import sys

import pytest

from tests.closed_pipe import assert_quiet_stop_into_closed_pipe


@pytest.mark.parametrize("module", ["app.cli.main", "training.cli"])
@pytest.mark.parametrize("unbuffered", [None, "1"])
def test_version_into_a_closed_pipe_stops_quietly(module: str, unbuffered: str | None) -> None:
    command = [sys.executable, "-c", f"import sys; from {module} import main; sys.exit(main())", "--version"]
    assert_quiet_stop_into_closed_pipe(command, unbuffered)
