"""A folder linked into a library folder (library/d -> Drive) is indexed under the link's
path (README). A photo named by its real path (`Drive/D1.JPG`, as a file manager copies it
or tab completion on the drive gives it) is the photo the library holds as `library/d/D1.JPG`:
`label` labels that photo, and a new one there is added under the link's path, rather than
the drive joining the library as a second folder with each photo indexed twice."""

from __future__ import annotations

import os

import pytest
from PIL import Image

from app.cli.main import main
from app.core.index import PhotoIndex

pytestmark = pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")


def _photo(path, shade: int) -> None:
    Image.new("RGB", (64, 48), (40 * shade, 90, 160)).save(path)


@pytest.fixture
def linked_drive(tmp_path):
    """(index path, library folder, drive): the drive linked into the library as `d`, scanned."""
    drive, library = tmp_path / "X" / "Drive", tmp_path / "library"
    drive.mkdir(parents=True)
    library.mkdir()
    _photo(drive / "D1.JPG", 1)
    _photo(drive / "D2.JPG", 2)
    _photo(library / "L1.JPG", 3)
    (library / "d").symlink_to(drive, target_is_directory=True)
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(library)]) == 0
    return db, library, drive


def _library_and_labels(db: str) -> tuple[list, dict[str, str | None]]:
    index = PhotoIndex.open(db)
    try:
        return index.roots(), {record.path: record.label for record in index.search("")}
    finally:
        index.close()


def test_label_by_the_real_path_of_a_photo_in_a_linked_folder_labels_the_library_photo(linked_drive):
    db, library, drive = linked_drive
    assert main(["--db", db, "label", str(drive / "D1.JPG"), "Colosseum"]) == 0
    roots, labels = _library_and_labels(db)
    assert roots == [library]  # the drive did not join the library
    assert labels == {str(library / "d" / "D1.JPG"): "Colosseum", str(library / "d" / "D2.JPG"): None,
                      str(library / "L1.JPG"): None}


def test_label_by_the_real_path_of_a_new_photo_in_a_linked_folder_adds_it_under_the_link(linked_drive):
    db, library, drive = linked_drive
    _photo(drive / "D3.JPG", 4)  # copied in since the scan
    assert main(["--db", db, "label", str(drive / "D3.JPG"), "Colosseum"]) == 0
    roots, labels = _library_and_labels(db)
    assert roots == [library]
    assert labels == {str(library / "d" / "D1.JPG"): None, str(library / "d" / "D2.JPG"): None,
                      str(library / "d" / "D3.JPG"): "Colosseum", str(library / "L1.JPG"): None}


def test_a_search_by_the_real_path_of_a_photo_in_a_linked_folder_finds_the_library_photo(linked_drive, capsys):
    db, library, drive = linked_drive
    capsys.readouterr()
    assert main(["--db", db, "search", str(drive / "D2.JPG")]) == 0
    assert str(library / "d" / "D2.JPG") in capsys.readouterr().out


def test_tagging_a_new_photo_by_its_real_path_in_a_linked_folder_adds_it_under_the_link(linked_drive, tiny_bundle):
    db, library, drive = linked_drive
    _photo(drive / "D3.JPG", 4)
    assert main(["--db", db, "tag", "--model", str(tiny_bundle.path), str(drive / "D3.JPG")]) == 0
    roots, labels = _library_and_labels(db)
    assert roots == [library]
    assert sorted(labels) == sorted(str(path) for path in (
        library / "d" / "D1.JPG", library / "d" / "D2.JPG", library / "d" / "D3.JPG", library / "L1.JPG"))
