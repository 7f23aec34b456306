"""The counts `landmark-tagger stats` prints and the GUI's status bar shows: photos,
files, labels by review state, problems by stage, and how the last scan went."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from app.core.index import problems, scan_runs


def index_stats(conn: sqlite3.Connection) -> dict[str, Any]:
    """Counts for `landmark-tagger stats` and the GUI's status bar."""
    one = lambda sql: int(conn.execute(sql).fetchone()[0])  # noqa: E731
    by_state = {state: 0 for state in ("suggested", "accepted", "rejected")}
    for state, n in conn.execute(
        "SELECT l.state, count(*) FROM labels l JOIN photos p ON p.id = l.photo_id "
        "WHERE p.missing = 0 GROUP BY l.state"
    ):
        by_state[state] = n
    photos = one("SELECT count(*) FROM photos WHERE missing = 0")
    by_state["unlabelled"] = photos - sum(by_state.values())
    last = conn.execute(
        "SELECT id, started_at, finished_at, roots, photos, new, changed, moved, missing, errors, status, "
        f"{', '.join(scan_runs.PROCESS_COLUMNS)} FROM scan_runs ORDER BY id DESC LIMIT 1"
    ).fetchone()
    last_scan = None
    if last is not None:
        keys = ("id", "started_at", "finished_at", "roots", "photos", "new", "changed", "moved", "missing",
                "errors", "status", *scan_runs.PROCESS_COLUMNS)
        last_scan = dict(zip(keys, last))
        last_scan["roots"] = json.loads(last_scan["roots"] or "[]")
        # a scan killed (or on a computer turned off) still says 'running': 'interrupted'
        last_scan["status"] = scan_runs.shown_status(conn, last_scan)
        for key in scan_runs.PROCESS_COLUMNS:
            del last_scan[key]
    return {
        "photos": photos,
        "files": one("SELECT count(*) FROM files WHERE missing = 0"),
        "raw_pairs": one(
            "SELECT count(*) FROM photos p WHERE p.has_raw = 1 AND p.missing = 0 AND EXISTS "
            "(SELECT 1 FROM files f WHERE f.photo_id = p.id AND f.kind != 'raw' AND f.missing = 0)"
        ),
        # labelled (with a landmark) + no_landmark + rejected + unlabelled = photos
        "labelled": one(
            "SELECT count(*) FROM labels l JOIN photos p ON p.id = l.photo_id "
            "WHERE p.missing = 0 AND l.label IS NOT NULL AND l.state != 'rejected'"
        ),
        "no_landmark": one(  # tagged "no landmark": neither labelled nor unlabelled
            "SELECT count(*) FROM labels l JOIN photos p ON p.id = l.photo_id "
            "WHERE p.missing = 0 AND l.label IS NULL AND l.state != 'rejected'"
        ),
        "by_state": by_state,
        "missing": one("SELECT count(*) FROM photos WHERE missing = 1"),
        "errors": one("SELECT count(*) FROM errors"),
        "errors_by_stage": problems.counts_by_stage(conn),
        "last_scan": last_scan,
    }
