"""JPEGs renumbered while their RAW files stay: DSC_0001.JPG deleted and DSC_0002.JPG
renamed DSC_0001.JPG, DSC_0001.NEF untouched. A photo with a file unchanged keeps its
name and its label: the RAW still holds the picture the user labelled. The JPEG renamed
over it holds another photo's picture: it leaves the photo (a photo of its own, with the
label the user gave that picture in the photo it was renamed from), so `write` never puts
the RAW's label into it."""

from __future__ import annotations

import json
from pathlib import Path

from app.cli.main import main
from app.core.scanner import scan
from tests.test_scan_renumbering import (  # noqa: F401 (index: a fixture)
    ids_by_name, index, raw_jpeg_pairs_scanned, rename_all, two_raw_jpeg_pairs)


def test_a_photo_whose_raw_is_unchanged_keeps_its_label_when_its_jpeg_is_renumbered_over(
        tmp_path, index, monkeypatch) -> None:
    trip, before = raw_jpeg_pairs_scanned(tmp_path, index, monkeypatch)
    index.set_label(before["DSC_0001.JPG"], "Colosseum")
    index.set_label(before["DSC_0002.JPG"], "Petra")
    (trip / "DSC_0001.JPG").unlink()
    rename_all(trip, [("DSC_0002.JPG", "DSC_0001.JPG")])

    summary = scan(index, [trip])

    assert (summary.new, summary.missing) == (1, 0)  # DSC_0001.JPG, a photo of its own
    kept = index.get(before["DSC_0001.JPG"])
    assert kept.label == "Colosseum" and [Path(f).name for f in kept.files] == ["DSC_0001.NEF"]
    assert index.search("is:missing") == []
    assert index.get(before["DSC_0002.JPG"]).label == "Petra"
    jpeg = ids_by_name(index)["DSC_0001.JPG"]
    assert jpeg not in before.values() and index.get(jpeg).label == "Petra"  # the picture's, from DSC_0002
    assert summary.split_notes == [
        "DSC_0001.JPG left DSC_0001.NEF's photo: it holds the picture that was DSC_0002.JPG (renamed over it); "
        'its label "Colosseum" stays with DSC_0001.NEF']
    assert scan(index, [trip]).new == 0 and index.get(jpeg).files == [str(trip / "DSC_0001.JPG")]  # stays apart


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def labelled_pairs_renumbered(capsys, db: str, trip: Path, scanned: Path) -> None:
    """Two RAW+JPEG pairs, scanned from `scanned` and labelled Colosseum and Petra; then
    DSC_0001.JPG deleted and DSC_0002.JPG renamed over it."""
    two_raw_jpeg_pairs(trip, timed=True)
    run(capsys, "--db", db, "scan", str(scanned))
    assert run(capsys, "--db", db, "label", f'path:"{trip / "DSC_0001.JPG"}"', "Colosseum")[0] == 0
    assert run(capsys, "--db", db, "label", f'path:"{trip / "DSC_0002.JPG"}"', "Petra")[0] == 0
    (trip / "DSC_0001.JPG").unlink()
    rename_all(trip, [("DSC_0002.JPG", "DSC_0001.JPG")])


def test_write_never_puts_the_raws_label_into_the_jpeg_renamed_over_it(tmp_path, capsys) -> None:
    """End to end through the CLI: before, the scan kept DSC_0001.JPG (now Petra's picture)
    in the Colosseum photo and `write` put "Colosseum" into it."""
    trip, db = tmp_path / "Trip", str(tmp_path / "index.db")
    labelled_pairs_renumbered(capsys, db, trip, trip)  # broken RAW stand-ins: the scan reports them, pairs them

    _, _, said = run(capsys, "--db", db, "scan", str(trip))
    code, _, _ = run(capsys, "--db", db, "write")

    assert code == 0
    assert b"Colosseum" not in (trip / "DSC_0001.JPG").read_bytes() and b"Petra" in (trip / "DSC_0001.JPG").read_bytes()
    assert "DSC_0001.JPG left DSC_0001.NEF's photo" in said and 'label "Colosseum" stays with DSC_0001.NEF' in said
    assert "Colosseum" in (trip / "DSC_0001.NEF.xmp").read_text(encoding="utf-8")
    assert "Petra" in (trip / "DSC_0002.NEF.xmp").read_text(encoding="utf-8")
    _, out, _ = run(capsys, "--db", db, "search", "--json", "")
    labels = {Path(row["path"]).name: row["label"] for row in map(json.loads, out.splitlines())}
    assert labels == {"DSC_0001.JPG": "Petra", "DSC_0001.NEF": "Colosseum", "DSC_0002.NEF": "Petra"}


def test_a_renumbered_pairs_jpeg_leaves_the_pair_it_is_renamed_over_though_its_raw_was_moved_too(
        tmp_path, capsys) -> None:
    """The renumbering done while sorting the RAWs into a subfolder: DSC_0002.NEF moved to
    RAW/ as DSC_0002.JPG is renamed DSC_0001.JPG. The index knew DSC_0002.JPG as a pair's
    JPEG, so the JPEG renamed over DSC_0001.JPG holds Petra's picture whether or not its RAW
    is still beside it; before, it stayed in the Colosseum photo and `write` put "Colosseum"
    into the Petra picture."""
    trip, db = tmp_path / "Trip", str(tmp_path / "index.db")
    labelled_pairs_renumbered(capsys, db, trip, tmp_path)
    (trip / "RAW").mkdir()
    (trip / "DSC_0002.NEF").replace(trip / "RAW" / "DSC_0002.NEF")

    _, _, said = run(capsys, "--db", db, "scan", str(tmp_path))
    run(capsys, "--db", db, "write")

    assert "DSC_0001.JPG left DSC_0001.NEF's photo" in said
    written = (trip / "DSC_0001.JPG").read_bytes()
    assert b"Colosseum" not in written and b"Petra" in written
    assert "Colosseum" in (trip / "DSC_0001.NEF.xmp").read_text(encoding="utf-8")
