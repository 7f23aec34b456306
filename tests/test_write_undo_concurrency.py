"""A write and an undo (or two writes) of one index at once: the app beside a cron
job, two terminals. An undo must not take a batch a live process is still writing
(its later files would land in a batch already undone, beyond any undo), a second
write waits its turn, and a file our other write just wrote is no lasting problem.
While an undo runs, a write (which would find the label in files the undo has not
reached yet) and a second undo (which would take the same batch) wait their turn too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.index.running_writes import UndoRunningError, WriteRunningError
from app.core.metadata import WriteOptions, plan_writes, undo_last_write, write_labels
from app.core.metadata.jpeg_fields import read_fields
from app.core.scanner import scan
from tests.test_metadata_support import add_photo, make_jpeg

REPO = Path(__file__).resolve().parents[1]
ONE_WORKER = WriteOptions(workers=1)

# A `write` in its own process that writes one file, says so, and then hangs (a slow
# disk, a big batch) until it is killed.
SLOW_WRITE = """
import sys, time
from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, write_labels
index = PhotoIndex.open(sys.argv[1])
options = WriteOptions(workers=1)

def after_each_file(progress):
    print("wrote", progress.done, flush=True)
    time.sleep(600)

write_labels(index, plan_writes(index, "", False, options), options, progress=after_each_file)
"""


def _labelled_photos(tmp_path: Path, count: int) -> tuple[Path, list[Path]]:
    db = tmp_path / "index.db"
    photos = [make_jpeg(tmp_path / f"p{i}.jpg", seed=i) for i in range(count)]
    with PhotoIndex.open(db) as index:
        for photo in photos:
            add_photo(index, [photo], "Petra")
    return db, photos


def _still_labelled(photos: list[Path]) -> list[str]:
    return [p.name for p in photos if read_fields(p.read_bytes(), str(p)).subject]


def _refused_after_the_first_file(refusal: type[Exception], action):
    """A progress callback that runs `action` once the first file is done, expecting
    `refusal`, and the list its messages go to."""
    refused: list[str] = []

    def after_the_first_file(progress) -> None:
        if progress.done == 1:
            with pytest.raises(refusal) as error:
                action()
            refused.append(str(error.value))

    return after_the_first_file, refused


def test_an_undo_while_a_write_runs_is_refused_and_every_file_stays_undoable(tmp_path: Path) -> None:
    db, photos = _labelled_photos(tmp_path, 4)
    originals = {p: p.read_bytes() for p in photos}
    writer, other = PhotoIndex.open(db), PhotoIndex.open(db)  # the `write`, and the app's Undo write
    press_undo_after_the_first_file, refused = _refused_after_the_first_file(
        WriteRunningError, lambda: undo_last_write(other))

    summary = write_labels(writer, plan_writes(writer, "", False, ONE_WORKER), ONE_WORKER,
                           progress=press_undo_after_the_first_file)
    assert summary.written == 4
    assert refused == [f"a write is running (batch {summary.batch_id}, process {os.getpid()}); "
                       "undo when it has finished"]
    undone = undo_last_write(other)  # as the write's summary line says
    assert (undone.batch_id, undone.written, undone.failed) == (summary.batch_id, 4, 0)
    assert undo_last_write(other).batch_id is None
    writer.close(), other.close()
    assert _still_labelled(photos) == []
    assert all(p.read_bytes() == originals[p] for p in photos)


def test_a_second_write_while_one_runs_is_refused(tmp_path: Path) -> None:
    db, photos = _labelled_photos(tmp_path, 3)
    first, second = PhotoIndex.open(db), PhotoIndex.open(db)
    plan_2 = plan_writes(second, "", False, ONE_WORKER)
    second_write_after_the_first_file, refused = _refused_after_the_first_file(
        WriteRunningError, lambda: write_labels(second, plan_2, ONE_WORKER))

    summary = write_labels(first, plan_writes(first, "", False, ONE_WORKER), ONE_WORKER,
                           progress=second_write_after_the_first_file)
    assert refused and refused[0].startswith(f"another write is running (batch {summary.batch_id}, process ")
    assert refused[0].endswith("; try again when it has finished")
    assert (summary.written, summary.failed) == (3, 0)
    batches = second.conn.execute("SELECT count(*) FROM write_batches").fetchone()[0]
    problems = second.conn.execute("SELECT count(*) FROM errors").fetchone()[0]
    first.close(), second.close()
    assert (batches, problems) == (1, 0)  # the refused write started no batch and failed no file


def test_a_write_in_a_live_process_blocks_undo_and_a_killed_one_does_not(tmp_path: Path) -> None:
    db, photos = _labelled_photos(tmp_path, 3)
    originals = {p: p.read_bytes() for p in photos}
    child = subprocess.Popen([sys.executable, "-c", SLOW_WRITE, str(db)], cwd=REPO,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "wrote 1"
        with PhotoIndex.open(db) as index:
            with pytest.raises(WriteRunningError, match=rf"a write is running \(batch 1, process {child.pid}\); "
                                                        "undo when it has finished"):
                undo_last_write(index)
            with pytest.raises(WriteRunningError, match=r"another write is running \(batch 1, "):
                write_labels(index, plan_writes(index, "", False, ONE_WORKER), ONE_WORKER)
    finally:
        child.kill()  # SIGKILL: the batch row still says 'running'
        child.wait(timeout=30)
    assert _still_labelled(photos)  # the file reported (another may have been under way)
    with PhotoIndex.open(db) as index:
        undone = undo_last_write(index)  # its writer is dead: undoable as before
    assert (undone.batch_id, undone.failed) == (1, 0)
    assert all(p.read_bytes() == originals[p] for p in photos)


def test_a_file_another_write_wrote_since_the_plan_is_unchanged_not_changed_on_disk(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    make_jpeg(folder / "DSC_0001.jpg")
    db = tmp_path / "index.db"
    first, second = PhotoIndex.open(db), PhotoIndex.open(db)
    scan(first, [folder])
    (photo_id,) = first.photo_ids("")
    first.set_label(photo_id, "Petra", source="user", state="accepted")
    plan_1 = plan_writes(first, "", False, ONE_WORKER)  # both plan from the same index…
    plan_2 = plan_writes(second, "", False, ONE_WORKER)
    assert write_labels(first, plan_1, ONE_WORKER).written == 1  # …and the first writes the photo
    late = write_labels(second, plan_2, ONE_WORKER)
    problems = second.conn.execute("SELECT stage, message FROM errors").fetchall()
    first.close(), second.close()
    assert (late.written, late.unchanged, late.failed, late.batch_id) == (0, 1, 0, None)
    assert problems == []


def test_a_file_found_holding_its_label_loses_its_old_write_problem(tmp_path: Path) -> None:
    db, (photo,) = _labelled_photos(tmp_path, 1)
    with PhotoIndex.open(db) as index:
        assert write_labels(index, plan_writes(index, "", False, ONE_WORKER), ONE_WORKER).written == 1
        # what two writes at once left before they took turns: a problem no later job cleared
        index.record_error(photo, "write", f"{photo} changed on disk since it was indexed; run 'scan' again, "
                                           "then 'write'")
        again = write_labels(index, plan_writes(index, "", False, ONE_WORKER), ONE_WORKER)
        assert (again.written, again.unchanged, again.failed) == (0, 1, 0)
        assert index.errors(stage="write") == []


def test_the_cli_refuses_write_and_undo_in_one_line_while_a_write_runs(tmp_path: Path, capsys) -> None:
    from app.cli.main import main
    from app.core.metadata import journal

    db, photos = _labelled_photos(tmp_path, 1)
    with PhotoIndex.open(db) as app_index:  # the app is writing batch 1
        batch_id = journal.start_batch(app_index)
        capsys.readouterr()
        assert main(["--db", str(db), "write"]) == 75  # EX_TEMPFAIL: another run holds it, try later
        assert main(["--db", str(db), "undo"]) == 75
        said = capsys.readouterr().err.splitlines()
        journal.finish_batch(app_index, batch_id, "done")
    who = f"batch {batch_id}, process {os.getpid()}"
    assert said == [f"landmark-tagger: error: another write is running ({who}); try again when it has finished",
                    f"landmark-tagger: error: a write is running ({who}); undo when it has finished"]
    assert main(["--db", str(db), "write"]) == 0  # its turn now
    assert _still_labelled(photos) == ["p0.jpg"]


# An `undo` in its own process that restores one file, says so, and then hangs (a slow
# disk, a big batch) until it is killed.
SLOW_UNDO = """
import sys, time
from app.core.index import PhotoIndex
from app.core.metadata import undo_last_write
index = PhotoIndex.open(sys.argv[1])

def after_each_file(progress):
    print("restored", progress.done, flush=True)
    time.sleep(600)

undo_last_write(index, progress=after_each_file)
"""


def _written_batch(db: Path) -> int:
    with PhotoIndex.open(db) as index:
        summary = write_labels(index, plan_writes(index, "", False, ONE_WORKER), ONE_WORKER)
    assert summary.failed == 0
    return summary.batch_id


def test_a_write_while_an_undo_runs_is_refused_then_writes_every_file(tmp_path: Path) -> None:
    # the write would find its label in the files the undo had not reached yet, count them
    # unchanged, and the undo would then take the label out of them
    db, photos = _labelled_photos(tmp_path, 4)
    batch_id = _written_batch(db)
    undoer, other = PhotoIndex.open(db), PhotoIndex.open(db)  # the `undo`, and the app's Write labels…
    refused: list[str] = []

    def press_write_after_the_first_file(progress) -> None:
        if progress.done == 1:
            plan = plan_writes(other, "", False, ONE_WORKER)
            with pytest.raises(UndoRunningError) as error:
                write_labels(other, plan, ONE_WORKER)
            refused.append(str(error.value))

    undone = undo_last_write(undoer, progress=press_write_after_the_first_file)
    assert (undone.batch_id, undone.written, undone.failed) == (batch_id, 4, 0)
    assert refused == [f"an undo is running (batch {batch_id}, process {os.getpid()}); write when it has finished"]
    assert other.conn.execute("SELECT count(*) FROM errors").fetchone()[0] == 0  # no file failed
    again = write_labels(other, plan_writes(other, "", False, ONE_WORKER), ONE_WORKER)  # its turn now
    undoer.close(), other.close()
    assert (again.written, again.unchanged, again.failed) == (4, 0, 0)
    assert _still_labelled(photos) == [p.name for p in photos]


def test_a_second_undo_while_one_runs_is_refused_and_the_next_one_takes_the_older_batch(tmp_path: Path) -> None:
    db, photos = _labelled_photos(tmp_path, 3)
    older = _written_batch(db)
    newer_photos = [make_jpeg(tmp_path / f"q{i}.jpg", seed=10 + i) for i in range(2)]
    with PhotoIndex.open(db) as index:
        for photo in newer_photos:
            add_photo(index, [photo], "Petra")
    newer = _written_batch(db)
    app_index, cli_index = PhotoIndex.open(db), PhotoIndex.open(db)  # the app's Undo write, a terminal's undo
    press_undo_again_after_the_first_file, refused = _refused_after_the_first_file(
        UndoRunningError, lambda: undo_last_write(cli_index))

    first = undo_last_write(app_index, progress=press_undo_again_after_the_first_file)
    assert refused == [f"another undo is running (batch {newer}, process {os.getpid()}); "
                       "try again when it has finished"]
    second = undo_last_write(cli_index)
    app_index.close(), cli_index.close()
    assert [(first.batch_id, first.written), (second.batch_id, second.written)] == [(newer, 2), (older, 3)]
    assert _still_labelled(photos + newer_photos) == []


def test_an_undo_in_a_live_process_blocks_write_and_undo_and_a_killed_one_does_not(tmp_path: Path) -> None:
    db, photos = _labelled_photos(tmp_path, 3)
    originals = {p: p.read_bytes() for p in photos}
    batch_id = _written_batch(db)
    child = subprocess.Popen([sys.executable, "-c", SLOW_UNDO, str(db)], cwd=REPO,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "restored 1"
        with PhotoIndex.open(db) as index:
            who = rf"\(batch {batch_id}, process {child.pid}\)"
            with pytest.raises(UndoRunningError, match=rf"an undo is running {who}; write when it has finished"):
                write_labels(index, plan_writes(index, "", False, ONE_WORKER), ONE_WORKER)
            with pytest.raises(UndoRunningError, match=rf"another undo is running {who}; try again"):
                undo_last_write(index)
    finally:
        child.kill()  # SIGKILL: the batch still names the undo's process
        child.wait(timeout=30)
    with PhotoIndex.open(db) as index:
        rest = undo_last_write(index)  # its undoer is dead: the next undo takes the batch over
        assert (rest.batch_id, rest.failed) == (batch_id, 0)
        assert write_labels(index, plan_writes(index, "", False, ONE_WORKER), ONE_WORKER).failed == 0
        assert undo_last_write(index).failed == 0
    assert all(p.read_bytes() == originals[p] for p in photos)


def test_the_cli_refuses_write_and_undo_in_one_line_while_an_undo_runs(tmp_path: Path, capsys) -> None:
    from app.cli.main import main
    from app.core.metadata import journal

    db, photos = _labelled_photos(tmp_path, 1)
    _written_batch(db)
    with PhotoIndex.open(db) as app_index:  # the app is undoing batch 1
        batch_id = journal.start_undo(app_index)
        capsys.readouterr()
        assert main(["--db", str(db), "write"]) == 75  # EX_TEMPFAIL: another run holds it, try later
        assert main(["--db", str(db), "undo"]) == 75
        said = capsys.readouterr().err.splitlines()
        journal.finish_undo(app_index, batch_id)
    who = f"batch {batch_id}, process {os.getpid()}"
    assert said == [f"landmark-tagger: error: an undo is running ({who}); write when it has finished",
                    f"landmark-tagger: error: another undo is running ({who}); try again when it has finished"]
    assert main(["--db", str(db), "undo"]) == 0  # its turn now
    assert _still_labelled(photos) == []


@pytest.mark.parametrize("options", [ONE_WORKER, WriteOptions(workers=1, write_into_jpeg=False)],
                         ids=["into the jpeg", "into sidecars"])
def test_a_write_planned_before_an_undo_writes_the_files_the_undo_took_the_label_out_of(
        tmp_path: Path, options: WriteOptions) -> None:
    """An undo run between the plan and the write (the app showing its plan while a
    terminal undoes; a short undo while a long write still plans) took the label out of
    files the plan had found holding it: the write counted them "unchanged", wrote none,
    and the photos ended with no keyword. The write now plans those files again."""
    db, photos = _labelled_photos(tmp_path, 3)
    with PhotoIndex.open(db) as index:
        assert write_labels(index, plan_writes(index, "", False, options), options).written == 3
        plan = plan_writes(index, "", False, options)  # every file holds its label now…
        assert not any(item.changes_anything for item in plan)
        assert undo_last_write(index).written == 3  # …until this undo takes it out again
        late = write_labels(index, plan, options)
        assert (late.written, late.unchanged, late.failed, late.relabelled) == (3, 0, 0, 0)
        assert not any(item.changes_anything for item in plan_writes(index, "", False, options))  # all hold it
        assert undo_last_write(index).written == 3  # the late write is a batch undo reverts as any other
    if options.write_into_jpeg:
        assert _still_labelled(photos) == []


def test_a_write_planned_before_an_undo_leaves_a_photo_labelled_again_since(tmp_path: Path) -> None:
    """A file planned again after an undo is still judged against the label the plan
    saw: relabelled since, it is left as it is, as any other file of the plan."""
    db, (photo,) = _labelled_photos(tmp_path, 1)
    with PhotoIndex.open(db) as index:
        write_labels(index, plan_writes(index, "", False, ONE_WORKER), ONE_WORKER)
        plan = plan_writes(index, "", False, ONE_WORKER)
        undo_last_write(index)
        (photo_id,) = index.photo_ids("")
        index.set_label(photo_id, "Our cabin", source="user", state="accepted")
        late = write_labels(index, plan, ONE_WORKER)
    assert (late.written, late.unchanged, late.relabelled) == (0, 0, 1)
    assert _still_labelled([photo]) == []
