"""SIGKILL a write batch at random moments: every photo must afterwards be a valid
JPEG that is exactly the old or exactly the new version, never a broken one."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.metadata import undo_last_write
from app.core.metadata.file_now import jpeg_field_names
from app.core.metadata.jpeg_fields import apply_fields, read_fields
from app.core.metadata.jpeg_segments import parse_jpeg
from app.core.metadata.keywords import label_fields
from tests.test_metadata_support import add_photo, make_jpeg

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")]

REPO = Path(__file__).resolve().parents[1]
CHILD = """
import sys
from app.core.index import PhotoIndex
from app.core.metadata import plan_writes, write_labels
index = PhotoIndex.open(sys.argv[1])
plan = plan_writes(index)
print("ready", flush=True)
write_labels(index, plan, progress=lambda p: print("wrote", p.done, flush=True))
print("done", flush=True)
"""
LABEL = "Château d'If"


def test_sigkill_leaves_old_or_new_files(tmp_path):
    rng = random.Random(4)
    for attempt in range(4):
        folder = tmp_path / f"run{attempt}"
        folder.mkdir()
        photos = [make_jpeg(folder / f"p{i:02d}.jpg", size=(640, 480), seed=i) for i in range(24)]
        old = {p: p.read_bytes() for p in photos}
        new = {p: apply_fields(data, label_fields(read_fields(data), LABEL, None, jpeg_field_names(parse_jpeg(data))))
               for p, data in old.items()}
        db = folder / "index.db"
        index = PhotoIndex.open(db)
        for photo in photos:
            add_photo(index, [photo], LABEL)
        index.close()
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(db)], cwd=REPO, stdout=subprocess.PIPE, text=True
        )
        assert child.stdout.readline().strip() == "ready"
        # Kill while the batch runs: after a random number of files, plus a random instant.
        for _ in range(rng.randint(1, 16)):
            child.stdout.readline()
        time.sleep(rng.uniform(0.0, 0.01))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        written = 0
        for photo in photos:
            data = photo.read_bytes()
            parse_jpeg(data, str(photo))  # a readable JPEG
            assert data in (old[photo], new[photo]), f"{photo.name} is neither the old nor the new version"
            written += data == new[photo]
        assert written >= 1  # the kill did land inside the batch
        # The interrupted batch can be undone: every photo is back to its old bytes.
        index = PhotoIndex.open(db)
        summary = undo_last_write(index)
        index.close()
        assert summary.failed == 0, summary.errors
        assert all(photo.read_bytes() == old[photo] for photo in photos)
