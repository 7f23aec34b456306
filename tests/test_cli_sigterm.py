"""SIGTERM (cron's `timeout`, systemd stop, `kill`) on scan, tag, write and undo: it
used to end them at once with exit 143 and no summary, so a `write` left its batch with
no "`undo` reverts it" line. It now stops them as the first Ctrl-C does (between files,
the work kept, the summary printed) and the exit code stays 143, the shell's for it.

Each command runs in its own process, where SIGTERM is delivered as `kill` sends it,
from inside the job (after the first folder scanned, the first file written or
restored), so the stop comes mid-run at the same place every time."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from tests.test_cli_interrupts import two_folders  # noqa: F401 (a fixture)
from tests.test_index_support import write_jpeg

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Windows delivers no SIGTERM to a handler")

REPO = Path(__file__).resolve().parents[1]

# Runs landmark-tagger with a hook (a module and a function or Class.method in it) wrapped so that the
# process sends itself SIGTERM once the hook has run `after` times.
RUN_WITH_SIGTERM = """
import importlib, os, signal, sys
module, name, after = sys.argv[1], sys.argv[2], int(sys.argv[3])
target = importlib.import_module(module)
*owners, name = name.split(".")
for owner in owners:  # a method: Class.method
    target = getattr(target, owner)
real = getattr(target, name)
calls = []
def then_sigterm(*args, **kwargs):
    result = real(*args, **kwargs)
    calls.append(1)
    if len(calls) == after:
        os.kill(os.getpid(), signal.SIGTERM)
    return result
setattr(target, name, then_sigterm)
from app.cli.main import main
sys.argv = ["landmark-tagger", *sys.argv[4:]]
sys.exit(main())
"""


def _run(*argv: str, sigterm_after: tuple[str, str, int] | None = None) -> subprocess.CompletedProcess:
    if sigterm_after is None:
        command = [sys.executable, "-m", "app.cli.main", *argv]
    else:
        module, name, after = sigterm_after
        command = [sys.executable, "-c", RUN_WITH_SIGTERM, module, name, str(after), *argv]
    return subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=REPO, timeout=300)


def test_sigterm_stops_a_scan_between_folders_with_its_summary(tmp_path, two_folders) -> None:
    db = str(tmp_path / "index.db")
    done = _run("--db", db, "scan", *map(str, two_folders), sigterm_after=("app.core.scanner", "_Scan._walk_root", 1))
    assert done.returncode == 143, done.stderr
    err = done.stderr.splitlines()
    assert any(line.startswith("SIGTERM: stopping after the files being read") for line in err), err
    assert "scanned: 3 photos, 3 new, 0 changed, 0 moved, 0 missing, 0 errors (cancelled)" in err, err
    assert err[-1] == f"stopped before the end: run `landmark-tagger --db {db} scan` again to complete it"
    again = _run("--db", db, "scan")
    assert again.returncode == 0 and "3 new" in again.stderr, again.stderr  # the rest, nothing twice


def test_sigterm_stops_tag_with_its_summary_and_keeps_what_it_stored(tmp_path, two_folders, tiny_bundle) -> None:
    db = str(tmp_path / "index.db")
    done = _run("--db", db, "tag", "--model", str(tiny_bundle.path), "--workers", "0", str(two_folders[0]),
                sigterm_after=("app.core.tagging", "_scan", 1))
    assert done.returncode == 143, done.stderr
    summary = done.stderr.strip().splitlines()[-1]
    assert summary.startswith("tagged 0 photos") and "cancelled, the rest is left for the next run" in summary
    again = _run("--db", db, "tag", "--model", str(tiny_bundle.path), "--workers", "0", str(two_folders[0]))
    assert again.returncode == 0 and again.stderr.strip().splitlines()[-1].startswith("tagged 3 photos"), again.stderr


def _labelled(tmp_path: Path, photos: int) -> str:
    for i in range(photos):
        write_jpeg(tmp_path / "lib" / f"IMG_{i}.jpg", color=(i, 60, 10))
    db = str(tmp_path / "index.db")
    assert _run("--db", db, "scan", str(tmp_path / "lib")).returncode == 0
    with PhotoIndex.open(db) as index:
        for photo in index.search(""):
            index.set_label(photo.id, "Petra")
    return db


def test_sigterm_stops_a_write_after_the_file_being_written_and_names_its_batch(tmp_path) -> None:
    db = _labelled(tmp_path, 20)  # more than the files written at once (2 per thread)
    done = _run("--db", db, "write", "--json",
                sigterm_after=("app.core.metadata.atomic", "replace_atomically", 1))
    assert done.returncode == 143, done.stderr
    err = done.stderr.splitlines()
    assert any(line.startswith("SIGTERM: stopping after the files being written") for line in err), err
    summary = json.loads(done.stdout.splitlines()[-1])
    assert summary["cancelled"] is True and 1 <= summary["written"] < 20, summary
    # its batch is not cancelled, and the stop line alone says what undo and a rerun do with it (review 6, F3)
    assert f"write: {summary['written']} file{'s' if summary['written'] != 1 else ''} written, 0 failed (stopped)" \
        in err and not any("reverts it" in line for line in err), err
    assert err[-1].startswith(f"write: stopped by SIGTERM; `landmark-tagger --db {db} write` again writes the rest "
                              "into batch 1"), err
    again = _run("--db", db, "write", "--json")  # the rest, in the same batch (tests/test_write_stopped_by_sigterm.py)
    rest = json.loads(again.stdout.splitlines()[-1])
    assert again.returncode == 0 and rest["written"] == 20 - summary["written"] and rest["carried_on"], rest


def test_sigterm_stops_an_undo_and_a_second_run_finishes_the_batch(tmp_path) -> None:
    db = _labelled(tmp_path, 4)
    assert _run("--db", db, "write").returncode == 0
    done = _run("--db", db, "undo", "--json", sigterm_after=("app.core.metadata.atomic", "replace_atomically", 1))
    assert done.returncode == 143, done.stderr
    restored = json.loads(done.stdout)["restored"]
    assert 1 <= restored < 4
    assert done.stderr.splitlines()[-1] == (f"undo: stopped by SIGTERM; `landmark-tagger --db {db} undo` again "
                                            "restores the rest of this batch")
    again = _run("--db", db, "undo", "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["restored"] == 4 - restored
