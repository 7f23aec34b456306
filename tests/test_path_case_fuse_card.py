"""exFAT and FAT cards under a FUSE driver (exfat-fuse, fusefat; found by the disk
tester): case-insensitive, but each spelling of a name gets an inode number of its own
(`stat -c %i DCIM dcim` gives 2 and 7), so "same entry, other case" cannot be told by
(device, inode) there. A folder typed in another case must still be the library folder
already there, and a stem sidecar in another case still the photo's."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.metadata import WriteOptions, plan_writes
from app.core.metadata.sidecar import NEW_SIDECAR, sidecar_path
from app.core.path_case import DiskNames, canonical_path, names_one_entry
from app.core.scanner import scan
from tests.test_index_support import write_jpeg
from tests.test_metadata_support import add_photo
from tests.test_path_case import indexed_paths, simulate_case_insensitive_disk


@pytest.fixture
def fuse_exfat_card(tmp_path, monkeypatch):
    """Call it to make tmp_path answer as an exFAT card under exfat-fuse: any case finds
    the entry, and a spelling other than the stored one has an inode number of its own."""
    return lambda: simulate_case_insensitive_disk(tmp_path, monkeypatch, inode_per_spelling=True)


@pytest.fixture
def trip(tmp_path) -> Path:
    """<tmp>/Trip with two photos, as the card holds them."""
    write_jpeg(tmp_path / "Trip" / "DSC_0001.JPG", color=(200, 10, 10))
    write_jpeg(tmp_path / "Trip" / "Day 2" / "DSC_0002.JPG", color=(10, 200, 10))
    return tmp_path / "Trip"


@pytest.fixture
def index():
    with PhotoIndex.open(":memory:") as idx:
        yield idx


def test_the_simulated_card_gives_each_spelling_its_own_inode(tmp_path, trip, fuse_exfat_card) -> None:
    fuse_exfat_card()
    assert (tmp_path / "trip" / "DSC_0001.JPG").is_file()
    assert os.stat(tmp_path / "trip").st_ino != os.stat(trip).st_ino


def test_a_folder_typed_in_another_case_is_spelled_as_the_card_lists_it(tmp_path, trip, fuse_exfat_card) -> None:
    fuse_exfat_card()
    assert canonical_path(tmp_path / "trip" / "day 2") == trip / "Day 2"


def test_scanning_the_card_folder_typed_in_another_case_indexes_its_photos_once(tmp_path, trip, index,
                                                                              fuse_exfat_card) -> None:
    scan(index, [trip])
    before = indexed_paths(index)
    fuse_exfat_card()
    scan(index, [tmp_path / "trip"])
    assert index.roots() == [trip]
    assert indexed_paths(index) == before and index.count() == 2


def test_a_stem_sidecar_in_another_case_names_the_raw_on_the_card(tmp_path, fuse_exfat_card) -> None:
    raw = tmp_path / "DSC_0001.NEF"
    raw.write_bytes(b"raw")
    fuse_exfat_card()
    assert names_one_entry(raw, "dsc_0001.NEF")


def test_a_name_made_since_the_listing_is_not_taken_for_another_spelling(tmp_path: Path) -> None:
    """A case-sensitive disk: `dsc_0001.jpg` made after the folder was listed is a file of
    its own, not `DSC_0001.JPG` spelled otherwise, though it is not in that listing."""
    (tmp_path / "DSC_0001.JPG").write_bytes(b"a")
    names = DiskNames()
    assert names.stored_name(tmp_path, "DSC_0001.JPG") == "DSC_0001.JPG"  # the folder listed
    (tmp_path / "dsc_0001.jpg").write_bytes(b"b")
    assert names.stored_name(tmp_path, "dsc_0001.jpg") is None  # as before: not a name of that listing
    assert not names_one_entry(tmp_path / "DSC_0001.JPG", "dsc_0001.jpg")


def path_case_listings(monkeypatch) -> list[str]:
    """The folders app.core.path_case lists from now on (the simulated card's own
    look-ups not counted)."""
    listed: list[str] = []
    real = os.listdir

    def listdir(folder="."):
        if sys._getframe(1).f_globals.get("__name__") == "app.core.path_case":
            listed.append(os.fspath(folder))
        return real(folder)

    monkeypatch.setattr(os, "listdir", listdir)
    return listed


@pytest.mark.parametrize("naming, suffix", [("stem", ".xmp"), ("ext", ".xmp"), ("stem", ".XMP"), ("ext", ".XMP")])
def test_a_write_plan_lists_a_card_folder_once_not_once_a_photo(tmp_path, index, fuse_exfat_card, monkeypatch,
                                                                naming, suffix) -> None:
    """Each photo's sidecars were looked up on the card by listing its whole folder again
    (a stem sidecar's owner, .xmp and .XMP of one sidecar): 2-3 listings a RAW, O(n²)
    for a card of a few thousand. One plan lists the folder once, also to find the name
    the card lists a sidecar of another spelling by (Photo Mechanic's .XMP)."""
    card = tmp_path / "DCIM"
    card.mkdir()
    for number in range(30):
        raw = card / f"DSC_{number:04d}.NEF"
        raw.write_bytes(b"raw" * (number + 1))
        sidecar_path(raw, naming).with_suffix(suffix).write_text(NEW_SIDECAR, encoding="utf-8")
        add_photo(index, [raw], "Colosseum")
    fuse_exfat_card()
    listed = path_case_listings(monkeypatch)
    plan = plan_writes(index, options=WriteOptions(sidecar_naming=naming))
    assert len(plan) == 30 and all(item.problem is None for item in plan), [item.problem for item in plan]
    assert {item.target.name for item in plan} == {sidecar_path(Path(f"DSC_{n:04d}.NEF"), naming).with_suffix(
        suffix).name for n in range(30)}
    assert len(listed) <= 2, len(listed)
