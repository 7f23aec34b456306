"""review10 F3: a failed Windows replace left .DSC_0001.NEF.xmp.<hex>.tmp as the only copy of
darktable's sidecar, recorded only in the write's problem row. `label --no-landmark` + `write`
("1 unchanged") or `relocate` cleared that row; the next write of the photo then created a
fresh sidecar and deleted the temp: the history was gone for good. Now a whole temp of ours
beside a missing file is never deleted, recorded or not: the write that creates the file
first keeps it under a visible name beside it and says so (temps_set_aside)."""

from __future__ import annotations

from pathlib import Path

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.metadata.killed_run_temps import TempsBeforeRun
from tests.test_only_copy_temp_kept import DARKTABLE, _temps, _windows_replace_removing_the_sidecar


def _failed_windows_write(tmp_path: Path, monkeypatch, capsys, shared_data: Path) -> tuple[list[str], Path, Path]:
    """DSC_0001.NEF with darktable's sidecar, scanned, labelled Petra; its write's replace
    removed the sidecar and failed: the temp is the sidecar's only copy, recorded so."""
    library = tmp_path / "photos" / "Raw"
    library.mkdir(parents=True)
    (library / "DSC_0001.NEF").write_bytes((shared_data / "camera/raw/Nikon_uncompressed.nef").read_bytes())
    sidecar = library / "DSC_0001.NEF.xmp"
    sidecar.write_text(DARKTABLE, encoding="utf-8")
    db = ["--db", str(tmp_path / "index.db")]
    assert main([*db, "scan", str(tmp_path / "photos")]) == 0
    assert main([*db, "label", "", "Petra", "--new"]) == 0
    with monkeypatch.context() as patched:
        _windows_replace_removing_the_sidecar(patched)
        main([*db, "write"])
    [temp] = _temps(library)
    assert not sidecar.exists() and "rename it DSC_0001.NEF.xmp" in capsys.readouterr().err
    return db, sidecar, temp


def _history_kept_beside(sidecar: Path) -> Path:
    """The one visible copy kept beside `sidecar`, holding darktable's history and Holiday."""
    assert any(b"USERS_HOURS_OF_GRADING" in path.read_bytes() for path in sidecar.parent.iterdir()
               if path.suffix != ".NEF"), "the only copy of darktable's history was deleted"
    [kept] = [path for path in sidecar.parent.iterdir() if path.name.startswith(sidecar.name + ".")]
    assert kept.name.startswith("DSC_0001.NEF.xmp.before-landmark-tagger-") and kept.suffix == ".bak"
    assert ":" not in kept.name and "USERS_HOURS_OF_GRADING" in kept.read_text(encoding="utf-8")
    return kept


def test_a_no_landmark_write_then_a_relabel_keeps_the_only_copy_aside(tmp_path, monkeypatch, capsys, shared_data):
    db, sidecar, temp = _failed_windows_write(tmp_path, monkeypatch, capsys, shared_data)
    assert main([*db, "label", "", "--no-landmark"]) == 0
    assert main([*db, "write"]) == 0  # "1 unchanged": clears the file's problem, and with it the record
    assert temp.exists() and not sidecar.exists()
    assert main([*db, "label", "", "Petra"]) == 0
    assert main([*db, "write"]) == 0
    err = capsys.readouterr().err
    assert "1 file written" in err and "Petra" in sidecar.read_text(encoding="utf-8")
    kept = _history_kept_beside(sidecar)
    assert f"kept the earlier copy of it a write of ours had left as {kept.name}" in err
    assert not temp.exists() and _temps(sidecar.parent) == []
    assert main([*db, "undo"]) == 0  # removes the sidecar it created, never the kept copy
    assert not sidecar.exists() and _history_kept_beside(sidecar) == kept


def test_a_relocated_library_keeps_the_only_copy_aside_at_its_next_write(tmp_path, monkeypatch, capsys, shared_data):
    db, sidecar, temp = _failed_windows_write(tmp_path, monkeypatch, capsys, shared_data)
    moved = tmp_path / "photos_moved"
    (tmp_path / "photos").rename(moved)
    assert main([*db, "relocate", str(tmp_path / "photos"), str(moved)]) == 0  # clears the problems below it
    sidecar = moved / "Raw" / sidecar.name
    assert main([*db, "write"]) == 0
    assert "Petra" in sidecar.read_text(encoding="utf-8")
    _history_kept_beside(sidecar)
    assert "kept the earlier copy" in capsys.readouterr().err


def test_a_run_never_deletes_a_whole_unrecorded_temp_of_a_missing_file(tmp_path):
    folder = tmp_path / "Raw"
    folder.mkdir()
    sidecar = folder / "DSC_0001.NEF.xmp"
    whole, cut = folder / ".DSC_0001.NEF.xmp.02a65626.tmp", folder / ".DSC_0001.NEF.xmp.02a65627.tmp"
    whole.write_text(DARKTABLE, encoding="utf-8")
    cut.write_text(DARKTABLE[:300], encoding="utf-8")
    with PhotoIndex.open(tmp_path / "index.db") as index:
        listed = TempsBeforeRun.listed_in([folder], index.conn)
    sidecar.write_text(DARKTABLE, encoding="utf-8")  # as a write (or an undo) completing that file
    assert listed.remove_those_of([sidecar]) == []
    assert whole.exists() and not cut.exists()
