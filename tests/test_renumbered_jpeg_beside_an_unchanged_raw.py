"""JPEGs renumbered while their RAW files stay: DSC_0001.JPG deleted and DSC_0002.JPG
renamed DSC_0001.JPG, DSC_0001.NEF untouched. A photo with a file unchanged keeps its
name and its label: the RAW still holds the picture the user labelled. The JPEG renamed
over it holds another photo's picture: it leaves the photo (a photo of its own, with the
label the user gave that picture in the photo it was renamed from), so `write` never puts
the RAW's label into it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.scanner import scan
from tests.test_index_support import write_jpeg
from tests.test_renumbering_support import (  # noqa: F401 (index: a fixture)
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


# -- which JPEG renamed over a pair's is the RAW's own shot (mutation run findings) --------

def nef_headers(monkeypatch, taken_at) -> None:
    """NEF stand-ins read as a real NEF's header: one camera, taken_at(file name) its moment."""
    import app.core.scan_folder_sync as scan_folder_sync
    from app.core.photo_info import PhotoInfo, read_photo_info

    def read(path):
        if str(path).lower().endswith(".nef"):
            return PhotoInfo(kind="raw", width=6000, height=4000, taken_at=taken_at(Path(path).name),
                             camera_make="NIKON CORPORATION", camera_model="NIKON D850")
        return read_photo_info(path)

    monkeypatch.setattr(scan_folder_sync, "read_photo_info", read)


def test_the_raws_own_shot_renamed_from_a_duplicate_pairs_jpeg_stays_in_the_pair(tmp_path, index, monkeypatch) -> None:
    """A card imported twice (DSC_0001 and DSC_0001-2, one shot); the user tidies: deletes
    DSC_0001.JPG and DSC_0001-2.NEF and renames the edited DSC_0001-2.JPG DSC_0001.JPG. It
    records the RAW's moment and camera, so it stays in the labelled pair though it was
    another pair's JPEG."""
    nef_headers(monkeypatch, lambda name: "2020-11-03T14:05:01")
    trip = tmp_path / "Trip"
    write_jpeg(trip / "DSC_0001.JPG", color=(200, 10, 10), taken="2020:11:03 14:05:01")
    (trip / "DSC_0001.NEF").write_bytes(b"\x01" * 5000)
    write_jpeg(trip / "DSC_0001-2.JPG", color=(210, 30, 10), taken="2020:11:03 14:05:01")  # edited since
    (trip / "DSC_0001-2.NEF").write_bytes(b"\x01" * 5000)
    scan(index, [trip])
    before = names_to_ids(index)
    index.set_label(before["DSC_0001.NEF"], "Colosseum")
    (trip / "DSC_0001.JPG").unlink()
    (trip / "DSC_0001-2.NEF").unlink()
    (trip / "DSC_0001-2.JPG").rename(trip / "DSC_0001.JPG")

    summary = scan(index, [trip])

    after = names_to_ids(index)
    assert summary.split_notes == []
    assert after["DSC_0001.JPG"] == after["DSC_0001.NEF"] == before["DSC_0001.NEF"]
    assert index.get(after["DSC_0001.JPG"]).label == "Colosseum"


def names_to_ids(index) -> dict[str, int]:
    """{file name: photo id} of every present file (a pair's two files both named)."""
    return dict(index.conn.execute("SELECT name, photo_id FROM files WHERE missing = 0").fetchall())


def split_pairs(tmp_path, index, monkeypatch) -> tuple[Path, dict[str, int]]:
    """Two pairs of a walk (NEF headers a second apart), labelled Colosseum and Petra;
    DSC_0001.JPG deleted and DSC_0002.JPG renamed over it, scanned: it left the pair."""
    nef_headers(monkeypatch, lambda name: f"2020-11-03T14:05:0{name[-5]}")
    trip = tmp_path / "Trip"
    two_raw_jpeg_pairs(trip, timed=True)
    scan(index, [trip])
    before = names_to_ids(index)
    index.set_label(before["DSC_0001.JPG"], "Colosseum")
    index.set_label(before["DSC_0002.JPG"], "Petra")
    (trip / "DSC_0001.JPG").unlink()
    rename_all(trip, [("DSC_0002.JPG", "DSC_0001.JPG")])
    assert scan(index, [trip]).split_notes  # left the pair, as designed
    return trip, before


@pytest.mark.parametrize("undone", [True, False], ids=["renumbering-undone", "written-over"])
def test_a_re_export_of_the_raws_shot_put_back_at_a_split_pairs_jpeg_name_rejoins_it(
        tmp_path, index, monkeypatch, undone) -> None:
    """After the split, the RAW's own shot (its moment and camera, other bytes: a re-export)
    put back at DSC_0001.JPG rejoins the pair, so `write` puts Colosseum into it."""
    trip, before = split_pairs(tmp_path, index, monkeypatch)
    if undone:
        rename_all(trip, [("DSC_0001.JPG", "DSC_0002.JPG")])
    write_jpeg(trip / "DSC_0001.JPG", color=(1, 2, 3), taken="2020:11:03 14:05:01")

    scan(index, [trip])

    after = names_to_ids(index)
    assert after["DSC_0001.JPG"] == after["DSC_0001.NEF"] == before["DSC_0001.NEF"]
    assert index.get(after["DSC_0001.JPG"]).label == "Colosseum"


def test_a_frame_numbered_without_padding_renamed_over_a_pairs_jpeg_leaves_the_pair(
        tmp_path, index, monkeypatch) -> None:
    """IMG_1 (RAW+JPEG, Colosseum) and a later JPEG-only IMG_12 (Petra): `rm IMG_1.JPG;
    mv IMG_12.JPG IMG_1.JPG`. IMG_12 is no edit "named after" IMG_1: another frame, it
    leaves the pair and `write` would put Petra, not Colosseum, into it."""
    nef_headers(monkeypatch, lambda name: "2020-11-03T14:05:01")
    trip = tmp_path / "Trip"
    write_jpeg(trip / "IMG_1.JPG", color=(200, 10, 10), taken="2020:11:03 14:05:01")
    (trip / "IMG_1.NEF").write_bytes(b"\x01" * 5000)
    write_jpeg(trip / "IMG_12.JPG", color=(10, 200, 10), taken="2020:11:03 14:07:30")
    scan(index, [trip])
    before = names_to_ids(index)
    index.set_label(before["IMG_1.NEF"], "Colosseum")
    index.set_label(before["IMG_12.JPG"], "Petra")
    (trip / "IMG_1.JPG").unlink()
    (trip / "IMG_12.JPG").rename(trip / "IMG_1.JPG")

    summary = scan(index, [trip])

    after = names_to_ids(index)
    assert [note.split(":")[0] for note in summary.split_notes] == ["IMG_1.JPG left IMG_1.NEF's photo"]
    assert after["IMG_1.JPG"] != after["IMG_1.NEF"]
    assert index.get(after["IMG_1.JPG"]).label == "Petra" and index.get(after["IMG_1.NEF"]).label == "Colosseum"


def test_a_jpeg_naming_no_camera_renamed_over_a_pairs_jpeg_leaves_the_pair(tmp_path, index, monkeypatch) -> None:
    """A burst (NEF headers 14:05:01.2 and .7); DSC_0002.JPG keeps its capture second but
    names no camera (exported without camera info): renamed over DSC_0001.JPG, it is not
    taken for DSC_0001's shot on the second alone and leaves the pair."""
    nef_headers(monkeypatch, lambda name: "2020-11-03T14:05:01." + ("2" if "0001" in name else "7"))
    trip = tmp_path / "Trip"
    write_jpeg(trip / "DSC_0001.JPG", color=(200, 10, 10), taken="2020:11:03 14:05:01", subsec="2")
    (trip / "DSC_0001.NEF").write_bytes(b"\x01" * 5000)
    write_jpeg(trip / "DSC_0002.JPG", color=(10, 200, 10), taken="2020:11:03 14:05:01", make=None, model=None)
    (trip / "DSC_0002.NEF").write_bytes(b"\x02" * 5000)
    scan(index, [trip])
    before = names_to_ids(index)
    index.set_label(before["DSC_0001.NEF"], "Colosseum")
    index.set_label(before["DSC_0002.NEF"], "Petra")
    (trip / "DSC_0001.JPG").unlink()
    (trip / "DSC_0002.JPG").rename(trip / "DSC_0001.JPG")

    scan(index, [trip])

    after = names_to_ids(index)
    assert after["DSC_0001.JPG"] != after["DSC_0001.NEF"]
    assert index.get(after["DSC_0001.JPG"]).label != "Colosseum"
