"""Running a command line whose reader has gone (`| head -n 0`, a pager quit): both
command lines must stop quietly with 141, also when stdout is only flushed at exit."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def assert_quiet_stop_into_closed_pipe(command: list[str], unbuffered: str | None) -> None:
    """Run `command` with its stdout a pipe whose reader closed before anything was
    printed; PYTHONUNBUFFERED is set to `unbuffered`, or unset for None (the usual
    shell, where the output waits in the buffer for the flush at exit)."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = unbuffered
    reader, writer = os.pipe()
    os.close(reader)
    try:
        process = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=writer, stderr=subprocess.PIPE, env=env,
                                 cwd=REPO, timeout=120)
    finally:
        os.close(writer)
    err = process.stderr.decode()
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert process.returncode == 141, err
