"""A folder typed in another letter case on a case-insensitive disk (macOS, Windows, an
exFAT camera card) is the library folder it opens, not a second one holding every
photo again. This sandbox's disks are case-sensitive: `case_insensitive_disk` makes
tmp_path answer as APFS does."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

import app.core.path_case as path_case
from app.cli.main import main
from app.core.errors import UsageError
from app.core.index import PhotoIndex
from app.core.index.forget import folder_contents, forget_folder
from app.core.path_case import canonical_entry, canonical_path, canonical_paths
from app.core.path_query import path_term
from app.core.relocate import relocate_folder
from app.core.scanner import scan
from app.core.tag_selection import photo_ids_under
from app.core.teaching import resolve_photo_ids
from tests.test_index_support import write_jpeg


def _folded(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


@pytest.fixture
def case_insensitive_disk(tmp_path, monkeypatch):
    """Call it to make tmp_path case-insensitive as APFS is by default (see
    simulate_case_insensitive_disk)."""
    return lambda: simulate_case_insensitive_disk(tmp_path, monkeypatch)


_STAT_NAMED = ("st_atime", "st_mtime", "st_ctime", "st_atime_ns", "st_mtime_ns", "st_ctime_ns",
               "st_blksize", "st_blocks", "st_rdev")


def simulate_case_insensitive_disk(tmp_path: Path, monkeypatch, inode_per_spelling: bool = False) -> None:
    """Make tmp_path case-insensitive: os.stat, os.lstat and os.readlink (through which
    pathlib, os.path and the app look names up) find the entry whose stored name differs
    from the typed one only in case or Unicode form. Listings keep the stored names.
    Listing or opening a path in the typed case is left to fail, so a typed spelling that
    reached the index would show, not pass unseen. `inode_per_spelling`: a spelling other
    than the stored one has an inode number of its own, as FUSE exFAT/FAT drivers give."""

    def other_inode(result: os.stat_result) -> os.stat_result:
        fields = tuple(result)
        named = {name: getattr(result, name) for name in _STAT_NAMED if hasattr(result, name)}
        return os.stat_result(fields[:1] + (result.st_ino + 1_000_000,) + fields[2:], named)

    def stored_spelling(path) -> str | None:
        if isinstance(path, int):
            return None
        text = os.fsdecode(os.fspath(path))
        if not text.startswith(str(tmp_path) + os.sep):
            return None
        current = tmp_path
        for part in Path(text).relative_to(tmp_path).parts:
            try:
                names = os.listdir(current)
            except OSError:
                return None
            match = part if part in names else next((n for n in names if _folded(n) == _folded(part)), None)
            if match is None:
                return None
            current = current / match
        return str(current)

    def insensitive(real):
        def lookup(path, *args, **kwargs):
            try:
                return real(path, *args, **kwargs)
            except FileNotFoundError:
                spelled = stored_spelling(path)
                if spelled is None or kwargs.get("dir_fd") is not None:
                    raise
                found = real(spelled, *args, **kwargs)
                return other_inode(found) if inode_per_spelling and isinstance(found, os.stat_result) else found
        return lookup

    for name in ("stat", "lstat", "readlink"):
        monkeypatch.setattr(os, name, insensitive(getattr(os, name)))


@pytest.fixture
def index():
    with PhotoIndex.open(":memory:") as idx:
        yield idx


@pytest.fixture
def trip(tmp_path) -> Path:
    """<tmp>/Trip with two photos (of different content), as the camera card holds them."""
    write_jpeg(tmp_path / "Trip" / "DSC_0001.JPG", color=(200, 10, 10))
    write_jpeg(tmp_path / "Trip" / "Day 2" / "DSC_0002.JPG", color=(10, 200, 10))
    return tmp_path / "Trip"


def indexed_paths(index: PhotoIndex) -> list[str]:
    return sorted(r[0] for r in index.conn.execute("SELECT path FROM files WHERE missing = 0"))


def test_the_simulated_disk_finds_a_name_typed_in_another_case(tmp_path, trip, case_insensitive_disk) -> None:
    assert not (tmp_path / "trip").exists()
    case_insensitive_disk()
    assert (tmp_path / "trip" / "day 2" / "dsc_0002.jpg").is_file()
    assert os.path.samefile(tmp_path / "TRIP", trip)
    assert sorted(os.listdir(tmp_path)) == ["Trip"]  # listings keep the stored names


# -- the function --------------------------------------------------------------------
def test_each_existing_name_is_spelled_as_the_disk_stores_it(tmp_path, trip, case_insensitive_disk) -> None:
    case_insensitive_disk()
    assert canonical_path(tmp_path / "trip") == trip
    assert canonical_path(tmp_path / "TRIP" / "day 2" / "dsc_0002.jpg") == trip / "Day 2" / "DSC_0002.JPG"
    assert canonical_path(str(tmp_path / "trip") + "/../TRIP/./day 2") == trip / "Day 2"


def test_names_not_there_are_kept_as_typed(tmp_path, trip, case_insensitive_disk) -> None:
    case_insensitive_disk()
    assert canonical_path(tmp_path / "Gone" / "sub") == tmp_path / "Gone" / "sub"
    # the part that is there is spelled as stored, the rest as typed
    assert canonical_path(tmp_path / "trip" / "day 3" / "x.jpg") == trip / "day 3" / "x.jpg"


def test_two_folders_whose_names_differ_in_case_stay_two_on_a_case_sensitive_disk(tmp_path) -> None:
    (tmp_path / "Trip").mkdir()
    (tmp_path / "trip").mkdir()
    assert canonical_path(tmp_path / "trip") == tmp_path / "trip"
    assert canonical_path(tmp_path / "Trip") == tmp_path / "Trip"
    # only Trip there: trip is no name of it on a case-sensitive disk
    (tmp_path / "trip").rmdir()
    assert canonical_path(tmp_path / "trip") == tmp_path / "trip"


def test_decomposed_names_as_macos_stores_them_are_found_from_composed_ones(tmp_path, case_insensitive_disk) -> None:
    stored = unicodedata.normalize("NFD", "Café")
    (tmp_path / stored).mkdir()
    case_insensitive_disk()
    assert canonical_path(tmp_path / unicodedata.normalize("NFC", "café")) == tmp_path / stored


def test_a_folder_that_cannot_be_listed_keeps_the_names_in_it_as_typed(tmp_path, trip, case_insensitive_disk,
                                                                        monkeypatch) -> None:
    case_insensitive_disk()
    real_listdir = os.listdir

    def listdir(folder="."):
        if Path(folder) == trip:
            raise PermissionError(13, "Permission denied", str(folder))
        return real_listdir(folder)

    monkeypatch.setattr(path_case.os, "listdir", listdir)
    assert canonical_path(tmp_path / "trip" / "day 2") == trip / "day 2"


def test_a_link_stays_the_link_in_its_folder_spelled_as_stored(tmp_path, trip, case_insensitive_disk) -> None:
    (trip / "Best.jpg").symlink_to(trip / "DSC_0001.JPG")
    case_insensitive_disk()
    assert canonical_entry(tmp_path / "trip" / "best.JPG") == trip / "Best.jpg"
    assert canonical_path(tmp_path / "trip" / "best.JPG") == trip / "DSC_0001.JPG"


def test_a_batch_lists_each_folder_once(tmp_path, case_insensitive_disk, monkeypatch, index) -> None:
    folder = tmp_path / "Trip"
    folder.mkdir()
    for number in range(300):
        (folder / f"DSC_{number:04d}.JPG").write_bytes(b"")
    case_insensitive_disk()
    listed: list[str] = []
    real = path_case._read_listing
    monkeypatch.setattr(path_case, "_read_listing", lambda path: listed.append(path) or real(path))
    typed = [tmp_path / "trip" / f"dsc_{number:04d}.jpg" for number in range(300)]
    assert canonical_paths(typed) == [folder / f"DSC_{number:04d}.JPG" for number in range(300)]
    assert listed.count(str(folder)) == 1 and len(listed) == len(set(listed))
    listed.clear()
    photo_ids_under(index, typed)  # `tag` and `teach` of many photos: one listing of their folder
    assert listed.count(str(folder)) == 1 and len(listed) == len(set(listed))


# -- the library -----------------------------------------------------------------------
def test_scanning_a_folder_typed_in_another_case_indexes_its_photos_once(tmp_path, trip, index,
                                                                         case_insensitive_disk) -> None:
    scan(index, [trip])
    before = indexed_paths(index)
    case_insensitive_disk()
    summary = scan(index, [tmp_path / "trip"])
    assert index.roots() == [trip]
    assert indexed_paths(index) == before and len(before) == 2
    assert (summary.photos, summary.new, summary.errors) == (2, 0, 0)
    assert index.count() == 2


def test_a_folder_first_typed_in_another_case_is_stored_as_the_disk_spells_it(tmp_path, trip, index,
                                                                             case_insensitive_disk) -> None:
    case_insensitive_disk()
    assert index.add_root(tmp_path / "TRIP") == trip  # the GUI's Add folder… and a dropped folder
    scan(index, [tmp_path / "trip"])
    scan(index, [trip])
    assert index.roots() == [trip]
    assert indexed_paths(index) == [str(trip / "DSC_0001.JPG"), str(trip / "Day 2" / "DSC_0002.JPG")]


def test_a_scan_looks_names_up_for_its_roots_only(tmp_path, trip, index, monkeypatch,
                                                  case_insensitive_disk) -> None:
    """The walk takes names from the folders' listings: no lookup per folder or photo."""
    case_insensitive_disk()
    listed: list[str] = []
    real = path_case._read_listing
    monkeypatch.setattr(path_case, "_read_listing", lambda path: listed.append(path) or real(path))
    scan(index, [tmp_path / "trip"])
    assert index.count() == 2
    assert not [folder for folder in listed if folder.startswith(str(trip))]


def test_tag_given_a_folder_and_its_photo_in_two_spellings_reads_the_folder_once(
    tmp_path, trip, index, tiny_bundle, case_insensitive_disk
) -> None:
    from app.core.tagging import TagOptions, tag

    case_insensitive_disk()
    summary = tag(index, [tmp_path / "trip", tmp_path / "TRIP" / "dsc_0001.jpg"],
                  TagOptions(model=Path(tiny_bundle.path), workers=0, batch_size=2, threads=1))
    assert (summary.tagged, summary.errors, summary.scan.errors) == (2, 0, 0)
    assert index.roots() == [trip] and index.folder_only_roots() == []  # the folder given whole stays whole
    assert indexed_paths(index) == [str(trip / "DSC_0001.JPG"), str(trip / "Day 2" / "DSC_0002.JPG")]


def test_two_folders_differing_in_case_on_a_case_sensitive_disk_stay_two_library_folders(tmp_path, index) -> None:
    write_jpeg(tmp_path / "Trip" / "DSC_0001.JPG", color=(200, 10, 10))
    write_jpeg(tmp_path / "trip" / "DSC_0001.JPG", color=(10, 10, 200))
    scan(index, [tmp_path / "Trip"])
    scan(index, [tmp_path / "trip"])
    assert sorted(index.roots()) == [tmp_path / "Trip", tmp_path / "trip"]
    assert indexed_paths(index) == [str(tmp_path / "Trip" / "DSC_0001.JPG"), str(tmp_path / "trip" / "DSC_0001.JPG")]


def test_search_tag_and_teach_find_the_photos_by_a_path_in_another_case(tmp_path, trip, index,
                                                                         case_insensitive_disk) -> None:
    scan(index, [trip])
    case_insensitive_disk()
    assert len(index.search(path_term(str(tmp_path / "trip")))) == 2
    one = index.search(path_term(str(tmp_path / "TRIP" / "dsc_0001.jpg")))
    assert [Path(r.path).name for r in one] == ["DSC_0001.JPG"]
    assert len(photo_ids_under(index, [tmp_path / "trip" / "day 2"])) == 1
    ids, problems = resolve_photo_ids(index, [tmp_path / "trip" / "dsc_0001.jpg"])
    assert ids == [one[0].id] and problems == []
    assert index.roots() == [trip]


def test_forget_and_relocate_take_a_library_folder_typed_in_another_case(tmp_path, trip, index,
                                                                          case_insensitive_disk) -> None:
    scan(index, [trip])
    case_insensitive_disk()
    assert folder_contents(index, tmp_path / "trip").folder == str(trip)
    trip.rename(tmp_path / "Trip 2021")  # the card copied under a new name
    relocate_folder(index, tmp_path / "trip", tmp_path / "TRIP 2021")
    assert index.roots() == [tmp_path / "Trip 2021"]
    assert indexed_paths(index) == [str(tmp_path / "Trip 2021" / "DSC_0001.JPG"),
                                    str(tmp_path / "Trip 2021" / "Day 2" / "DSC_0002.JPG")]
    assert forget_folder(index, tmp_path / "trip 2021").photos == 2
    assert index.roots() == [] and index.count() == 0


def test_a_case_slip_on_a_case_sensitive_disk_names_no_library_folder(tmp_path, trip, index) -> None:
    """On Linux or a NAS `~/trip` is not `~/Trip`: forget and relocate must not take it
    for that library folder, which is there (found by review)."""
    scan(index, [trip])
    with pytest.raises(UsageError):
        folder_contents(index, tmp_path / "trip")
    with pytest.raises(UsageError):
        relocate_folder(index, tmp_path / "trip", tmp_path / "elsewhere")
    assert index.roots() == [trip]


def test_a_folder_that_is_no_library_folder_is_still_refused(tmp_path, trip, index, case_insensitive_disk) -> None:
    scan(index, [trip])
    case_insensitive_disk()
    with pytest.raises(UsageError, match="inside the library folder"):
        folder_contents(index, tmp_path / "trip" / "day 2")


def test_the_cli_says_the_folder_is_in_the_library_already(tmp_path, trip, case_insensitive_disk, capsys) -> None:
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(trip)]) == 0
    case_insensitive_disk()
    capsys.readouterr()
    assert main(["--db", db, "scan", str(tmp_path / "trip")]) == 0
    err = capsys.readouterr().err
    assert f"{tmp_path / 'trip'} is already in the library as {trip}" in err
    assert "2 photos, 0 new" in err
    with PhotoIndex.open(db) as index:
        assert index.roots() == [trip] and index.count() == 2


# -- an index an older version made: both spellings ---------------------------------------
def test_an_index_holding_both_spellings_keeps_each_photo_once_after_the_next_scan(
    tmp_path, index, case_insensitive_disk
) -> None:
    """The older version stored `trip` as typed, then `Trip` as typed: two library folders,
    every photo twice. The next scan of either leaves one folder, each photo once, the
    labels given to either copy kept."""
    typed = tmp_path / "trip"
    write_jpeg(typed / "DSC_0001.JPG", color=(200, 10, 10))
    write_jpeg(typed / "Day 2" / "DSC_0002.JPG", color=(10, 200, 10))
    scan(index, [typed])
    first = index.search("DSC_0001")[0]
    index.set_label(first.id, "Colosseum")
    typed.rename(tmp_path / "Trip")  # the same folder, now reached under its stored name
    trip = tmp_path / "Trip"
    scan(index, [trip])  # the disk is case-sensitive here: this made the second copies
    assert sorted(index.roots()) == [trip, typed] and index.count() == 4

    case_insensitive_disk()
    summary = scan(index, [typed])
    assert index.roots() == [trip]
    assert indexed_paths(index) == [str(trip / "DSC_0001.JPG"), str(trip / "Day 2" / "DSC_0002.JPG")]
    assert index.count() == 2 and index.count("is:missing") == 0
    assert summary.photos == 2 and summary.errors == 0
    labelled = index.get(first.id)
    assert labelled.label == "Colosseum" and labelled.path == str(trip / "DSC_0001.JPG")


def test_a_rescan_of_the_library_merges_the_spellings_too(tmp_path, index, case_insensitive_disk) -> None:
    typed = tmp_path / "trip"
    write_jpeg(typed / "DSC_0001.JPG", color=(200, 10, 10))
    scan(index, [typed])
    typed.rename(tmp_path / "Trip")
    scan(index, [tmp_path / "Trip"])
    case_insensitive_disk()
    summary = scan(index, index.roots())
    assert index.roots() == [tmp_path / "Trip"] and index.count() == 1 and summary.errors == 0


def test_a_folder_inside_a_library_folder_stored_in_another_case_is_not_indexed_twice(
        tmp_path, index, case_insensitive_disk) -> None:
    """An older version kept `~/pictures` as typed; scanning `~/Pictures/Trip` as the disk
    spells it made a second library folder and a second, unlabelled row for each photo
    (found by review). The library folder is respelled with all under it, labels kept."""
    typed = tmp_path / "pictures"
    write_jpeg(typed / "Trip" / "DSC_0001.JPG", color=(200, 10, 10))
    scan(index, [typed])  # as the older version stored it
    photo = index.search("DSC_0001")[0]
    index.set_label(photo.id, "Colosseum")
    typed.rename(tmp_path / "Pictures")  # the disk's own spelling
    case_insensitive_disk()
    scan(index, [tmp_path / "Pictures" / "Trip"])
    assert index.roots() == [tmp_path / "Pictures"]
    assert indexed_paths(index) == [str(tmp_path / "Pictures" / "Trip" / "DSC_0001.JPG")]
    assert index.count() == 1 and index.get(photo.id).label == "Colosseum"
    assert photo_ids_under(index, [tmp_path / "pictures" / "trip" / "dsc_0001.jpg"]) == [photo.id]


@pytest.mark.parametrize("stronger_on", ["the old spelling", "the disk's spelling"])
def test_merging_two_spellings_keeps_the_stronger_word_of_the_user(tmp_path, index, case_insensitive_disk,
                                                                   stronger_on) -> None:
    """Both rows of one file held a word of the user's (an accepted label on one, a
    rejected suggestion on the other): move recognition adopts only into a row holding
    nothing of the user's, so the accepted label stayed on a row marked missing, which
    `forget --missing` would drop (found by review). The stronger word stays, the
    rejection joins it."""
    typed = tmp_path / "trip"
    write_jpeg(typed / "DSC_0001.JPG", color=(200, 10, 10))
    scan(index, [typed])  # an older version: stored as typed
    old = index.search("DSC_0001")[0]
    typed.rename(tmp_path / "Trip")
    scan(index, [tmp_path / "Trip"])  # and again as the disk spells it, before this fix
    new = next(r for r in index.search("DSC_0001") if r.id != old.id)
    accepted, rejected = (old, new) if stronger_on == "the old spelling" else (new, old)
    index.set_label(accepted.id, "Colosseum")
    index.set_label(rejected.id, "Pantheon", source="model", state="suggested")
    index.set_state([rejected.id], "rejected")
    case_insensitive_disk()
    scan(index, [tmp_path / "Trip"])
    assert index.count("is:missing") == 0 and index.count() == 1
    [photo] = index.search("DSC_0001")
    assert (photo.label, photo.state, photo.path) == ("Colosseum", "accepted", str(tmp_path / "Trip" / "DSC_0001.JPG"))
    assert index.photo_ids('label:"colosseum"') == [photo.id]
    assert index.conn.execute("SELECT photo_id, label FROM rejections").fetchall() == [(photo.id, "Pantheon")]


def test_a_folder_term_in_another_case_finds_the_folder_the_index_holds(tmp_path, trip, index) -> None:
    """`folder:"…"` inside a query is matched as the index spells the folder (search is
    case-insensitive everywhere else), without a look at the disk."""
    scan(index, [trip])
    typed = str(tmp_path / "trip")
    assert len(index.search(f'folder:"{typed}"')) == 2
    assert index.count(f'folder:"{tmp_path / "TRIP" / "day 2"}"') == 1
    assert [Path(r.path).name for r in index.search(f'-folder:"{tmp_path / "trip" / "DAY 2"}"')] == ["DSC_0001.JPG"]
    assert len(index.search(f'folder:"{typed}" OR label:Petra')) == 2
    assert index.search(f'folder:"{tmp_path / "trip" / "day 3"}"') == []


def test_a_folder_stored_decomposed_is_found_by_its_composed_name(tmp_path, index) -> None:
    decomposed = unicodedata.normalize("NFD", "Zürich")
    write_jpeg(tmp_path / decomposed / "DSC_0001.JPG")
    scan(index, [tmp_path / decomposed])
    assert len(index.search(f'folder:"{tmp_path / unicodedata.normalize("NFC", "zürich")}"')) == 1


def test_folders_differing_in_case_are_each_found_by_their_own_name_and_both_by_a_third(tmp_path, index) -> None:
    write_jpeg(tmp_path / "Trip" / "DSC_0001.JPG", color=(200, 10, 10))
    write_jpeg(tmp_path / "trip" / "DSC_0002.JPG", color=(10, 200, 10))
    scan(index, [tmp_path / "Trip", tmp_path / "trip"])

    def names(query: str) -> list[str]:
        return sorted(Path(r.path).name for r in index.search(query))

    assert names(f'folder:"{tmp_path / "Trip"}"') == ["DSC_0001.JPG"]
    assert names(f'folder:"{tmp_path / "trip"}"') == ["DSC_0002.JPG"]
    assert names(f'folder:"{tmp_path / "TRIP"}"') == ["DSC_0001.JPG", "DSC_0002.JPG"]
    assert names(f'-folder:"{tmp_path / "TRIP"}"') == []
    assert index.count(f'folder:"{tmp_path / "TRIP"}" OR folder:"{tmp_path / "elsewhere"}"') == 2
