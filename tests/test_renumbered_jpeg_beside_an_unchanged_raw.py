"""JPEGs renumbered while their RAW files stay: DSC_0001.JPG deleted and DSC_0002.JPG
renamed DSC_0001.JPG, DSC_0001.NEF untouched. A photo with a file unchanged keeps its
name and its label: the RAW still holds the picture the user labelled."""

from __future__ import annotations

from pathlib import Path

from app.core.photo_info import PhotoInfo, read_photo_info
from app.core.scanner import scan
from tests.test_index_support import write_jpeg
from tests.test_scan_renumbering import COLOURS, ids_by_name, index, rename_all  # noqa: F401 (index: a fixture)


def test_a_photo_whose_raw_is_unchanged_keeps_its_label_when_its_jpeg_is_renumbered_over(
        tmp_path, index, monkeypatch) -> None:
    import app.core.scan_folder_sync as scan_folder_sync

    def read(path):  # the NEF stand-ins are no real RAW files
        if str(path).lower().endswith(".nef"):
            return PhotoInfo(kind="raw", width=6000, height=4000)
        return read_photo_info(path)

    monkeypatch.setattr(scan_folder_sync, "read_photo_info", read)
    trip = tmp_path / "Trip"
    for number in (1, 2):
        write_jpeg(trip / f"DSC_000{number}.JPG", color=COLOURS[number])
        (trip / f"DSC_000{number}.NEF").write_bytes(bytes([number]) * 5000)
    scan(index, [trip])
    before = ids_by_name(index)
    index.set_label(before["DSC_0001.JPG"], "Colosseum")
    index.set_label(before["DSC_0002.JPG"], "Petra")
    (trip / "DSC_0001.JPG").unlink()
    rename_all(trip, [("DSC_0002.JPG", "DSC_0001.JPG")])

    summary = scan(index, [trip])

    assert (summary.new, summary.missing) == (0, 0)
    kept = index.get(before["DSC_0001.JPG"])
    assert kept.label == "Colosseum" and "DSC_0001.NEF" in [Path(f).name for f in kept.files]
    assert index.search("is:missing") == []
    assert index.get(before["DSC_0002.JPG"]).label == "Petra"
