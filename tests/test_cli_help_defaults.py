"""The defaults a command's --help states are the ones the command uses."""

from __future__ import annotations

import pytest

from app.cli.main import main
from app.core.tagging import default_threads, usable_cpus


def test_tag_threads_help_states_the_default_used(capsys) -> None:
    # The help said "ONNX Runtime's choice"; tag sets half the CPUs (1 on 2 cores).
    with pytest.raises(SystemExit):
        main(["tag", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "inference threads (default: half the CPUs, at least 1)" in text
    assert default_threads(0) == max(1, usable_cpus() // 2)
