"""A write plan on a disk that ignores letter case (macOS, Windows, an exFAT card) looked
up the photos sharing each stem sidecar (DSC_0001.xmp of DSC_0001.NEF) with a query that
read every photo of the folder: N sidecars, N × N rows, so a card folder of RAWs cost
the square of its size to plan. The plan now reads each folder's photos once
(plan_targets.FolderStems). The work is counted in SQLite VM instructions (a progress
handler), never in time."""

from __future__ import annotations

import pytest

from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.sidecar import render_sidecar
from tests.test_metadata_support import add_photo
from tests.test_path_case import simulate_case_insensitive_disk


def _planned_with_work(root, monkeypatch, count: int) -> tuple[list, int]:
    """The write plan of `count` RAWs, each with its Lightroom stem sidecar, in one folder
    of a disk that ignores case, and the SQLite work it took (hundreds of instructions)."""
    folder = root / "DCIM"
    folder.mkdir(parents=True)
    with PhotoIndex.open(":memory:") as index:
        for number in range(count):
            raw = folder / f"DSC_{number:04d}.NEF"
            raw.write_bytes(b"raw")
            (folder / f"DSC_{number:04d}.xmp").write_bytes(render_sidecar(None, KeywordFields()))
            add_photo(index, [raw], "Colosseum")
        with monkeypatch.context() as patched:
            simulate_case_insensitive_disk(root, patched)
            assert (folder / "dsc_0000.nef").exists()  # the case-insensitive lookups are the ones measured
            work = [0]
            index.conn.set_progress_handler(lambda: work.__setitem__(0, work[0] + 1) or 0, 100)
            plan = plan_writes(index, "", False, WriteOptions(sidecar_naming="stem"))
            index.conn.set_progress_handler(None, 0)
    return plan, work[0]


def test_a_plan_of_stem_sidecars_on_a_case_insensitive_disk_grows_with_the_folder_not_its_square(
        tmp_path, monkeypatch) -> None:
    work = {}
    for count in (20, 200):
        plan, work[count] = _planned_with_work(tmp_path / f"card-{count}", monkeypatch, count)
        assert len(plan) == count and not [item.problem for item in plan if item.problem]
        assert sorted(item.target.name for item in plan) == [f"DSC_{n:04d}.xmp" for n in range(count)]
    # 10 times the RAWs: about 10 times the work; a folder read a sidecar was about 100 times
    assert work[200] <= 15 * work[20], work


@pytest.mark.parametrize("spelling", ["dsc_0001.xmp", "DSC_0001.XMP"])
def test_a_stem_sidecar_in_another_case_is_still_the_raws_own(tmp_path, monkeypatch, spelling) -> None:
    """Read from the folder's photos by folded stem, the stem sidecar Lightroom made in
    another case is still found as the RAW's and written under its own name."""
    folder = tmp_path / "DCIM"
    folder.mkdir()
    with PhotoIndex.open(":memory:") as index:
        raws = []
        for number in range(3):
            raws.append(folder / f"DSC_{number:04d}.NEF")
            raws[-1].write_bytes(b"raw")
            add_photo(index, [raws[-1]], "Colosseum")
        (folder / spelling).write_bytes(render_sidecar(None, KeywordFields()))
        simulate_case_insensitive_disk(tmp_path, monkeypatch)
        plan = plan_writes(index, "", False, WriteOptions(sidecar_naming="stem"))
    targets = {item.source.name: (item.target.name, item.problem) for item in plan}
    assert targets["DSC_0001.NEF"] == (spelling, None)
    assert targets["DSC_0000.NEF"] == ("DSC_0000.xmp", None)
