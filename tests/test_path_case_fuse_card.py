"""exFAT and FAT cards under a FUSE driver (exfat-fuse, fusefat; found by the disk
tester): case-insensitive, but each spelling of a name gets an inode number of its own
(`stat -c %i DCIM dcim` gives 2 and 7), so "same entry, other case" cannot be told by
(device, inode) there. A folder typed in another case must still be the library folder
already there, and a stem sidecar in another case still the photo's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.path_case import DiskNames, canonical_path, names_one_entry
from app.core.scanner import scan
from tests.test_index_support import write_jpeg
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
