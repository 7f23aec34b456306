"""benchmarks/gui_responsiveness.py leaves nothing in the temp folder: the settings home
and the tag job's photos it makes are removed when it ends, even by an error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_a_folder_the_gui_benchmark_makes_is_gone_when_it_ends_by_an_error(tmp_path):
    script = ("import sys, tempfile; sys.path.insert(0, sys.argv[1]); tempfile.tempdir = sys.argv[2]\n"
              "from gui_responsiveness import folder_removed_at_exit\n"
              "folder = folder_removed_at_exit('lt-gui-bench-home-'); (folder / 'settings.json').write_text('{}')\n"
              "print(folder, flush=True); raise RuntimeError('the benchmark failed')")
    done = subprocess.run([sys.executable, "-c", script, str(BENCHMARKS), str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "the benchmark failed" in done.stderr, done.stderr
    assert Path(done.stdout.strip()).parent == tmp_path and list(tmp_path.iterdir()) == []
