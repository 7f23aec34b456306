"""digiKam mirrors its tag `Landmarks/AC|DC Tower` (our "AC/DC Tower") into lr:hierarchicalSubject
as `Landmarks|AC|DC Tower`. An index built anew read no label from it (a name of two levels),
and asked the model again; now it reads "AC/DC Tower" where the file says the levels are one
name (digiKam's tag beside it, or the plain keyword), and a tree of the user's
(`Landmarks|Rome|Colosseum`) is still no label."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.metadata.jpeg_fields import apply_fields, read_fields
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.read_back import landmark_of
from app.core.scanner import scan
from tests.test_metadata_support import require_exiftool
from tests.test_roundtrip_other_tools import saved_later
from tests.test_slash_label_round_trip import LABEL, _written
from tests.test_write_keyword_policy import index  # noqa: F401 (index: a fixture)

MIRRORED = ["People|Anna", "Landmarks|AC|DC Tower"]  # digiKam's mirror of its TagsList


def _saved_by_digikam(photo: Path, **fields) -> None:
    now = read_fields(photo.read_bytes())
    photo.write_bytes(apply_fields(photo.read_bytes(), KeywordFields(**{**vars(now), **fields})))
    saved_later(photo)


def _labels_read_anew(tmp_path: Path, folder: Path) -> dict[str, str | None]:
    with PhotoIndex.open(tmp_path / "built-anew.db") as anew:
        scan(anew, [folder])
        return {Path(row.path).name: row.label for row in anew.search("")}


@pytest.mark.parametrize("evidence", [
    {"subject": ["Anna"]},  # digiKam's TagsList `Landmarks/AC|DC Tower` alone says it is one tag
    {"digikam": None, "subject": ["Anna", "AC/DC Tower"]},  # the plain keyword alone says so
])
def test_an_index_built_anew_reads_the_label_from_digikams_mirror(tmp_path, index, evidence):
    jpeg, _ = _written(tmp_path, index)
    _saved_by_digikam(jpeg, hierarchical=MIRRORED, **evidence)

    assert _labels_read_anew(tmp_path, jpeg.parent)["IMG_0001.JPG"] == LABEL


def test_a_tree_of_the_users_under_landmarks_is_no_label():
    """`Landmarks|Rome|Colosseum` beside digiKam's `Landmarks/Rome/Colosseum` is no "Rome/Colosseum"."""
    tags = ["Landmarks/Rome/Colosseum"]
    assert landmark_of(["Landmarks|Rome|Colosseum"], ["Colosseum"], tags) is None
    assert landmark_of(["Landmarks|AC|DC Tower"], [], ["Landmarks/AC|DC Tower"]) == LABEL
    assert landmark_of(["Landmarks|AC|DC Tower"], ["AC|DC Tower"]) == "AC|DC Tower"  # as the plain keyword spells it
    assert landmark_of(["Landmarks|AC|DC Tower"], ["Anna"], ["People/Anna"]) is None  # nothing says one name


def test_digikams_save_of_our_tag_reads_back_as_our_label_though_dc_subject_holds_its_tag_name(tmp_path, index):
    """digiKam saves the names of its tags into dc:subject (its default write namespaces:
    Xmp.dc.subject as tag names, not paths), so after any save in digiKam the file holds
    "AC|DC Tower" there, the name of the tag `Landmarks/AC|DC Tower` our "AC/DC Tower" is;
    an index built anew read "AC|DC Tower", a second spelling of the landmark."""
    jpeg, _ = _written(tmp_path, index)
    subprocess.run([require_exiftool(), "-q", "-overwrite_original", "-XMP-lr:HierarchicalSubject=People|Anna",
                    "-XMP-lr:HierarchicalSubject=Landmarks|AC|DC Tower", "-XMP-dc:Subject=Anna",
                    "-XMP-dc:Subject=AC|DC Tower", str(jpeg)], check=True)
    fields = read_fields(jpeg.read_bytes())
    assert fields.digikam == ["People/Anna", "Landmarks/AC|DC Tower"] and fields.subject == ["Anna", "AC|DC Tower"]

    assert _labels_read_anew(tmp_path, jpeg.parent)["IMG_0001.JPG"] == LABEL
