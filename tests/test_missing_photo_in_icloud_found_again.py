"""The library panel's "Missing photos 2" kept counting (and listing) a photo an older
version marked missing whose iCloud stand-in is there, after Forget missing photos… had
said it stays, until Tag folder rescanned (GUI tester round 7, finding 6). Now forget
marks such a photo found again, as a scan does, and so does the app's count before its
question; a dry run changes nothing."""

from __future__ import annotations

from pathlib import Path

from app.core.index import PhotoIndex
from app.core.index.forget import forget_missing, missing_photos
from app.core.scanner import scan
from tests.test_cloud_placeholders import evict, index, labelled_scan, library  # noqa: F401


def _marked_missing_in_icloud(tmp_path: Path, index: PhotoIndex, library: Path,  # noqa: F811
                              another_deleted: bool = True) -> int:
    """An older version's scan took the stand-in for a deletion; one other photo is deleted."""
    photo_id = labelled_scan(index, library)
    evict(library / "IMG_0001.jpg", tmp_path / "kept.jpg")
    stand_in = library / ".IMG_0001.jpg.icloud"
    stand_in.rename(tmp_path / "stand-in")
    if another_deleted:
        (library / "IMG_0002.jpg").unlink()
    assert scan(index, [library]).missing == 1 + another_deleted
    (tmp_path / "stand-in").rename(stand_in)
    return photo_id


def test_forget_missing_marks_the_photo_in_icloud_found_again(
        tmp_path: Path, index: PhotoIndex, library: Path) -> None:  # noqa: F811
    photo_id = _marked_missing_in_icloud(tmp_path, index, library)
    assert index.count("is:missing") == 2
    missing = forget_missing(index)
    assert (missing.photos, missing.in_icloud) == (1, 1)
    assert index.count("is:missing") == 0  # the panel's count and list: the deleted one went, this one is found
    assert index.get(photo_id).label == "Eiffel Tower" and not index.get(photo_id).missing
    assert [photo.id for photo in index.search('label:"Eiffel Tower"')] == [photo_id]
    again = scan(index, [library])  # as a scan leaves it: nothing more to change
    assert (again.new, again.changed, again.missing, again.not_downloaded) == (0, 0, 0, 1)


def test_with_nothing_to_forget_the_photo_in_icloud_is_found_again_too(
        tmp_path: Path, index: PhotoIndex, library: Path) -> None:  # noqa: F811
    photo_id = _marked_missing_in_icloud(tmp_path, index, library, another_deleted=False)
    missing = forget_missing(index)
    assert (missing.photos, missing.in_icloud, missing.backup) == (0, 1, None)
    assert index.count("is:missing") == 0 and index.get(photo_id).label == "Eiffel Tower"


def test_the_count_changes_nothing_unless_asked_to_find_them_again(
        tmp_path: Path, index: PhotoIndex, library: Path) -> None:  # noqa: F811
    photo_id = _marked_missing_in_icloud(tmp_path, index, library)
    assert (missing_photos(index).photos, missing_photos(index).in_icloud) == (1, 1)
    assert index.count("is:missing") == 2  # a dry run (forget --missing without --yes) changes nothing
    missing = missing_photos(index, find_again=True)
    assert (missing.photos, missing.in_icloud) == (1, 1)  # the question still says it stays, and why
    assert index.count("is:missing") == 1 and not index.get(photo_id).missing
