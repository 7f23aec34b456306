"""A new RAW sidecar is named DSC_0001.NEF.xmp (darktable, digiKam), which Lightroom
never reads: the write that creates one says so once, with the way to Lightroom's
DSC_0001.xmp, unless the folders show a Lightroom user's stem sidecars already."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes
from app.core.metadata.lightroom_sidecars import is_stem_sidecar, new_raw_sidecars_lightroom_misses
from tests.test_metadata_fields import LIGHTROOM_SIDECAR
from tests.test_metadata_support import add_photo, make_jpeg

NOTE = "Lightroom reads DSC_0001.xmp"


def raw_pair(folder: Path, stem: str) -> list[Path]:
    """DSC_0001.NEF (a stub: never opened) with its JPEG, the RAW first as a scan keys it."""
    folder.mkdir(exist_ok=True)
    raw = folder / f"{stem}.NEF"
    raw.write_bytes(b"not really a raw file, never opened")
    return [raw, make_jpeg(folder / f"{stem}.JPG")]


@pytest.fixture
def rome(tmp_path) -> tuple[Path, Path]:
    """The index and its folder holding two labelled RAW+JPEG pairs, no sidecar yet."""
    folder = tmp_path / "2019-05 Rome"
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        add_photo(index, raw_pair(folder, "DSC_0001"), "Colosseum")
        add_photo(index, raw_pair(folder, "DSC_0002"), "Pantheon")
    return db, folder


def test_a_first_write_making_ext_sidecars_says_once_that_lightroom_reads_the_other_name(rome, capsys):
    db, folder = rome
    assert main(["--db", str(db), "write"]) == 0
    assert (folder / "DSC_0001.NEF.xmp").exists() and (folder / "DSC_0002.NEF.xmp").exists()
    err = capsys.readouterr().err
    assert err.count(NOTE) == 1  # two sidecars made, one line
    line = next(line for line in err.splitlines() if NOTE in line)
    assert "DSC_0001.NEF.xmp (darktable, digiKam" in line and "--sidecar-naming stem" in line
    assert f"--db {db} undo" in line  # stem naming alone would write into the sidecar now there
    assert main(["--db", str(db), "write"]) == 0  # nothing new made: nothing said
    assert NOTE not in capsys.readouterr().err


def test_an_existing_lightroom_sidecar_gets_the_label_and_nothing_is_said(rome, capsys):
    db, folder = rome
    (folder / "DSC_0001.xmp").write_text(LIGHTROOM_SIDECAR)
    (folder / "DSC_0002.xmp").write_text(LIGHTROOM_SIDECAR)
    assert main(["--db", str(db), "write"]) == 0
    assert "Colosseum" in (folder / "DSC_0001.xmp").read_text(encoding="utf-8")
    assert not list(folder.glob("*.NEF.xmp"))
    assert "Lightroom" not in capsys.readouterr().err


def test_a_folder_holding_a_stem_sidecar_is_a_lightroom_users_and_is_left_unsaid(rome, capsys):
    """DSC_0002.xmp there (Lightroom's): DSC_0001 still gets a new DSC_0001.NEF.xmp, as
    chosen (ext naming), and the user evidently knows both names."""
    db, folder = rome
    (folder / "DSC_0002.xmp").write_text(LIGHTROOM_SIDECAR)
    assert main(["--db", str(db), "write"]) == 0
    assert (folder / "DSC_0001.NEF.xmp").exists()
    assert "Lightroom" not in capsys.readouterr().err


@pytest.mark.parametrize("naming", ["stem", "ext"])
def test_naming_given_on_the_command_line_is_not_second_guessed(rome, capsys, naming):
    db, folder = rome
    assert main(["--db", str(db), "write", "--sidecar-naming", naming]) == 0
    assert "Lightroom" not in capsys.readouterr().err


def test_json_carries_the_note_as_a_new_key_of_the_summary(rome, capsys):
    db, _folder = rome
    assert main(["--db", str(db), "write", "--json"]) == 0
    out = capsys.readouterr().out
    record = json.loads(out.strip().splitlines()[-1])
    assert record["written"] == 4 and NOTE in record["sidecar_note"]


def test_a_dry_run_says_it_before_anything_is_written(rome, capsys):
    db, folder = rome
    assert main(["--db", str(db), "write", "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert "would go into new sidecars named DSC_0001.NEF.xmp" in err and "--sidecar-naming stem" in err
    assert not list(folder.glob("*.xmp"))


def test_dng_jpeg_only_and_failing_sidecars_are_not_counted(tmp_path):
    """Lightroom keeps a DNG's XMP inside it and reads no sidecar of a JPEG: no note for them."""
    folder = tmp_path / "trip"
    folder.mkdir()
    dng = folder / "IMG_0001.dng"
    dng.write_bytes(b"stub")
    with PhotoIndex.open(tmp_path / "index.db") as index:
        add_photo(index, [dng], "Colosseum")
        add_photo(index, [make_jpeg(folder / "IMG_0002.jpg")], "Pantheon")
        plan = plan_writes(index, "", False, WriteOptions(write_into_jpeg=False))
    assert {item.target.name for item in plan} == {"IMG_0001.dng.xmp", "IMG_0002.jpg.xmp"}
    assert new_raw_sidecars_lightroom_misses(plan) == []


@pytest.mark.parametrize("name, stem", [("DSC_0001.xmp", True), ("DSC_0001.XMP", True),
                                        ("DSC_0001.NEF.xmp", False), ("DSC_0001_01.NEF.xmp", False),
                                        ("IMG_1.jpg.xmp", False), (".xmp", False), ("DSC_0001.NEF", False)])
def test_what_counts_as_a_stem_sidecar(name, stem):
    assert is_stem_sidecar(name) is stem


def test_the_apps_write_list_says_it_in_app_words(rome, qtbot):
    """The app's Preparing write hands the dialog the sidecars; its note points to
    Settings, not to a command-line option, and shows only when there are some."""
    pytest.importorskip("pytestqt")
    from app.core.settings import AppSettings
    from app.gui import job_work
    from app.gui.write_dialog import WritePlanDialog

    db, folder = rome
    plan, misses, _ = job_work.plan_work(db, "", False, AppSettings())(None, None, None)
    assert sorted(path.name for path in misses) == ["DSC_0001.NEF.xmp", "DSC_0002.NEF.xmp"]
    dialog = WritePlanDialog(plan, False, lightroom_misses=misses)
    qtbot.addWidget(dialog)
    text = dialog.lightroom_note.text()
    assert not dialog.lightroom_note.isHidden() and NOTE in text
    assert "New sidecar names in Settings" in text and "--" not in text
    plain = WritePlanDialog(plan, False)
    qtbot.addWidget(plain)
    assert plain.lightroom_note.isHidden()
    stem_plan, stem_misses, _ = job_work.plan_work(db, "", False, AppSettings(sidecar_naming="stem"))(None, None, None)
    assert stem_misses == [] and {item.target.name for item in stem_plan if item.kind == "sidecar"} == {
        "DSC_0001.xmp", "DSC_0002.xmp"}


def test_a_sidecar_name_that_is_not_utf8_is_given_to_paste(monkeypatch) -> None:
    """It read n\\udce9f.nef.xmp, naming no file: now as the CLI's other lines quote a path
    (wording.shell_quote, bash's and zsh's $'...'), and in the app's list readable (U+FFFD)."""
    from app.core import wording
    from app.core.metadata.lightroom_sidecars import lightroom_dry_run_line, lightroom_line

    monkeypatch.setattr(wording, "ON_WINDOWS", False)
    sidecar = Path("photos") / "n\udce9f.nef.xmp"  # os.fsdecode(b"n\xe9f.nef.xmp") on POSIX
    for line in (lightroom_line([sidecar]), lightroom_dry_run_line([sidecar])):
        assert "named $'n\\xe9f.nef.xmp' (darktable" in line and "Lightroom reads $'n\\xe9f.xmp'" in line, line
        line.encode("utf-8")  # no surrogate left: a strict stream prints it
    pytest.importorskip("PySide6")
    from app.gui.write_dialog import lightroom_text

    assert "named n\ufffdf.nef.xmp, which" in lightroom_text([sidecar])
