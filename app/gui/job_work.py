"""The work functions the GUI's jobs run in a worker thread.

Each opens its own connection to the index (SQLite connections are not shared
across threads here) and calls exactly one app.core function.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from app.core.settings import AppSettings
from app.gui.job_runner import JobWork


def scan_work(db_path: Path, roots: Sequence[Path]) -> JobWork:
    """Add new/changed photos of these folders to the index."""

    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex
        from app.core.scanner import scan

        with PhotoIndex.open(db_path) as index:
            return scan(index, [Path(r) for r in roots], progress=progress, cancel=cancel)

    return work


def tag_options(settings: AppSettings):
    """The core's TagOptions from the user's settings."""
    from app.core.decode_workers import usable_cpus
    from app.core.tagging import TagOptions

    # One core stays free for the GUI thread, so the window keeps up while tagging.
    spare = max(1, usable_cpus() - 1)
    return TagOptions(
        model=Path(settings.model_bundle) if settings.model_bundle else None,
        threshold=settings.threshold,
        workers=spare,
        batch_size=8,  # small batches: cancel is checked between them
        retag=False,
        threads=spare,
    )


def tag_work(db_path: Path, targets: Sequence[Path] | Sequence[int], settings: AppSettings) -> JobWork:
    """Tag folders (scanning them first) or a list of photo ids; emits each TagResult."""

    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex
        from app.core.tagging import tag

        with PhotoIndex.open(db_path) as index:
            return tag(index, list(targets), tag_options(settings), progress=progress, cancel=cancel,
                       on_result=emit_item)

    return work


def write_options(settings: AppSettings):
    from app.core.metadata import WriteOptions

    return WriteOptions(sidecar_naming=settings.sidecar_naming, write_into_jpeg=settings.write_into_jpeg,
                        keep_mtime=True)


def plan_work(db_path: Path, query: str, include_suggested: bool, settings: AppSettings) -> JobWork:
    """The dry run: what would be written, without touching a file."""

    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex
        from app.core.metadata import plan_writes

        with PhotoIndex.open(db_path) as index:
            return plan_writes(index, query, include_suggested, write_options(settings))

    return work


def write_work(db_path: Path, plan: list, settings: AppSettings) -> JobWork:
    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex
        from app.core.metadata import write_labels

        with PhotoIndex.open(db_path) as index:
            return write_labels(index, plan, write_options(settings), progress=progress, cancel=cancel)

    return work


def undo_work(db_path: Path) -> JobWork:
    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex
        from app.core.metadata import undo_last_write

        with PhotoIndex.open(db_path) as index:
            return undo_last_write(index)

    return work
