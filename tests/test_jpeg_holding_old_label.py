"""A JPEG an earlier write labelled inside, relabelled since, while JPEGs are left
untouched (Settings or --no-jpeg): a sidecar saying the new landmark beside a JPEG
saying the old one would be two answers, and a scan reads the JPEG's first. The photo
is left alone with a note saying why and how to update it (review8 G3)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes, write_labels
from app.core.metadata.file_now import read_current_fields
from app.core.metadata.read_back import landmark_of
from app.core.settings import AppSettings, save_settings
from app.gui.write_dialog import problem_text
from tests.test_metadata_support import add_photo, make_jpeg, read_back

NO_JPEG = WriteOptions(write_into_jpeg=False)


@pytest.fixture
def index(tmp_path):
    opened = PhotoIndex.open(tmp_path / "index.db")
    yield opened
    opened.close()


def written_into_the_jpeg(index: PhotoIndex, folder: Path, label: str = "Petra", raw: bool = False) -> tuple[int, Path]:
    """DSC_0001.JPG labelled `label` and written into (a cron `write` before Settings were followed)."""
    folder.mkdir(exist_ok=True)
    photo = make_jpeg(folder / "DSC_0001.JPG")
    files = [photo]
    if raw:
        (folder / "DSC_0001.NEF").write_bytes(b"raw data")
        files.append(folder / "DSC_0001.NEF")
    photo_id = add_photo(index, files, label)
    summary = write_labels(index, plan_writes(index), WriteOptions())
    assert summary.written == len(files) and landmark_inside(photo) == label
    return photo_id, photo


def landmark_inside(photo: Path) -> str | None:
    fields = read_current_fields(photo, embedded=True)
    return landmark_of(fields.hierarchical, fields.subject)


def test_a_relabelled_jpeg_holding_our_old_keyword_is_left_alone_with_the_reason(tmp_path, index):
    photo_id, photo = written_into_the_jpeg(index, tmp_path / "trip")
    index.set_label(photo_id, "Wadi")
    before = photo.read_bytes()
    plan = plan_writes(index, options=NO_JPEG)
    assert [item.target.name for item in plan] == ["DSC_0001.JPG.xmp"]
    item = plan[0]
    assert not item.changes_anything
    assert item.problem == ('DSC_0001.JPG holds "Petra", written into it earlier, and JPEGs are left untouched '
                            f"(Settings or --no-jpeg): {one_photo_command(photo)} updates this photo alone")
    assert item.held
    summary = write_labels(index, plan, NO_JPEG)
    assert (summary.written, summary.failed, summary.held) == (0, 0, 1)
    assert summary.notes == [(str(item.target), item.problem)]
    assert photo.read_bytes() == before and not list(photo.parent.glob("*.xmp"))


def test_the_same_label_inside_the_jpeg_needs_nothing(tmp_path, index):
    _, photo = written_into_the_jpeg(index, tmp_path / "trip")
    plan = plan_writes(index, options=NO_JPEG)
    assert all(not item.changes_anything and item.problem is None for item in plan)
    write_labels(index, plan, NO_JPEG)
    assert not list(photo.parent.glob("*.xmp"))


def test_a_label_read_back_from_the_jpeg_then_changed_is_held_too(tmp_path, index):
    """An index built anew read Petra back from the JPEG: relabelled, a sidecar saying
    Wadi alone would still be read under the JPEG's Petra."""
    folder = tmp_path / "trip"
    _, photo = written_into_the_jpeg(index, folder)
    with PhotoIndex.open(tmp_path / "fresh.db") as fresh:
        photo_id = add_photo(fresh, [photo], None, state="unlabelled")
        read_back(fresh, photo_id, "Petra", [photo])
        fresh.set_label(photo_id, "Wadi")
        plan = plan_writes(fresh, options=NO_JPEG)
        assert [item.problem for item in plan] == [
            'DSC_0001.JPG holds "Petra", the label read back from it, and JPEGs are left untouched '
            f"(Settings or --no-jpeg): {one_photo_command(photo)} updates this photo alone"]


def test_the_pairs_raw_sidecar_is_held_with_it_and_write_jpeg_updates_both(tmp_path, index):
    photo_id, photo = written_into_the_jpeg(index, tmp_path / "trip", raw=True)
    index.set_label(photo_id, "Wadi")
    plan = plan_writes(index, options=NO_JPEG)
    problems = {item.target.name: item.problem for item in plan}
    assert problems["DSC_0001.NEF.xmp"].startswith('its photo\'s JPEG DSC_0001.JPG holds "Petra"')
    assert problems["DSC_0001.JPG.xmp"].startswith('DSC_0001.JPG holds "Petra"')
    raw_sidecar = (photo.parent / "DSC_0001.NEF.xmp").read_bytes()  # Petra, from the first write
    assert write_labels(index, plan, NO_JPEG).written == 0
    assert (photo.parent / "DSC_0001.NEF.xmp").read_bytes() == raw_sidecar
    assert not (photo.parent / "DSC_0001.JPG.xmp").exists()
    write_labels(index, plan_writes(index), WriteOptions())  # `write --jpeg`
    assert landmark_inside(photo) == "Wadi"
    assert "Landmarks|Wadi" in (photo.parent / "DSC_0001.NEF.xmp").read_text(encoding="utf-8")


def test_a_rejected_label_inside_the_jpeg_is_held_and_says_how_to_take_it_out(tmp_path, index):
    photo_id, photo = written_into_the_jpeg(index, tmp_path / "trip")
    index.set_label(photo_id, "Petra", state="rejected")
    plan = plan_writes(index, options=NO_JPEG)
    assert [item.problem for item in plan] == [
        'DSC_0001.JPG holds "Petra", written into it earlier, and JPEGs are left untouched '
        f"(Settings or --no-jpeg): {one_photo_command(photo)} takes it out of this photo alone"]
    write_labels(index, plan, NO_JPEG)
    assert landmark_inside(photo) == "Petra" and not list(photo.parent.glob("*.xmp"))
    write_labels(index, plan_writes(index), WriteOptions())  # `write --jpeg`
    assert landmark_inside(photo) is None


def test_a_landmark_keyword_the_user_typed_into_the_jpeg_is_theirs_and_not_held(tmp_path, index):
    """Landmarks|Petra that no write of ours put there and no scan read back (typed in
    Lightroom after the scan) is the user's: the sidecar gets the label beside it, as before."""
    _, photo = written_into_the_jpeg(index, tmp_path / "trip")
    with PhotoIndex.open(tmp_path / "other.db") as other:
        add_photo(other, [photo], "Wadi")
        plan = plan_writes(other, options=NO_JPEG)
        assert [item.problem for item in plan] == [None] and plan[0].changes_anything


def one_photo_command(photo: Path) -> str:
    return f"`landmark-tagger write --jpeg {shlex.quote(f'path:{chr(34)}{photo}{chr(34)}')}`"


def test_the_cli_names_the_write_of_that_photo_alone_and_a_hold_is_no_failure(tmp_path, index, capsys):
    """`write --jpeg`, as it said, wrote every labelled JPEG the user keeps untouched, and
    the hold failed every nightly `write` (exit 1) for as long as they kept Settings
    (review9 F2)."""
    photo_id, photo = written_into_the_jpeg(index, tmp_path / "trip")
    other = make_jpeg(tmp_path / "trip" / "B.jpg")
    add_photo(index, [other], "Colosseum")
    save_settings(AppSettings(write_into_jpeg=False))
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "write"]) == 0  # B.jpg's sidecar
    untouched = other.read_bytes()
    index.set_label(photo_id, "Wadi")
    assert main(["--db", db, "write", "--dry-run"]) == 0  # only a hold: as the write ends
    out, err = capsys.readouterr()
    command = f"`landmark-tagger --db {shlex.quote(db)} write --jpeg {shlex.quote(f'path:{chr(34)}{photo}{chr(34)}')}`"
    assert f'DSC_0001.JPG.xmp: left alone: DSC_0001.JPG holds "Petra", written into it earlier' in out
    assert f"{command} updates this photo alone" in out and "1 left alone" in err
    assert main(["--db", db, "write"]) == 0  # a nightly cron `write`: a note, not a failure
    err = capsys.readouterr().err
    assert "0 failed, 1 left alone; note: DSC_0001.JPG.xmp: DSC_0001.JPG holds" in err and "error:" not in err
    query = shlex.split(command.strip("`"))[-1]
    assert main(["--db", db, "write", "--jpeg", query]) == 0  # the command it named, as a shell passes it
    assert landmark_inside(photo) == "Wadi" and other.read_bytes() == untouched


def test_the_write_dialog_says_it_in_the_apps_words_without_changing_settings(tmp_path, index):
    photo_id, photo = written_into_the_jpeg(index, tmp_path / "trip")
    index.set_label(photo_id, "Wadi")
    shown = problem_text(plan_writes(index, options=NO_JPEG)[0], unchanged=False, index_named="/x/other.db")
    assert shown == ('DSC_0001.JPG holds "Petra", written into it earlier, and Settings leave JPEGs untouched '
                     "(for every photo Write labels… writes): in a terminal, `landmark-tagger --db /x/other.db "
                     f"write --jpeg {shlex.quote(f'path:{chr(34)}{photo}{chr(34)}')}` updates this photo alone")
    assert "tick" not in shown


def test_a_jpeg_the_index_says_holds_nothing_of_ours_is_read_once(tmp_path, index, monkeypatch):
    """The hold read every JPEG's head a second time (2,000 camera JPEGs, never written
    into: write --dry-run 3.06 s against 2.46 s, review9 F1); a JPEG no write of ours went
    into and no label was read back from cannot hold our keyword."""
    from app.core.metadata import file_now, plan as plan_module, plan_jpeg_hold

    folder = tmp_path / "trip"
    folder.mkdir()
    photos = [make_jpeg(folder / f"DSC_000{number}.JPG") for number in range(3)]
    for photo in photos:
        add_photo(index, [photo], "Petra")
    reads: list[str] = []
    real = file_now.read_jpeg_head

    def counted_read(path, *args, **kwargs):
        reads.append(Path(path).name)
        return real(path, *args, **kwargs)

    for module in (file_now, plan_module, plan_jpeg_hold):  # each reads a JPEG's head through its own name
        monkeypatch.setattr(module, "read_jpeg_head", counted_read)
    plan = plan_writes(index, options=NO_JPEG)
    assert sorted(reads) == sorted(photo.name for photo in photos)  # once each, for its sidecar's start
    assert all(item.changes_anything and item.problem is None for item in plan)
