"""A photo turned after the user accepted its label (its EXIF Orientation rewritten, or
its pixels turned losslessly) is the same picture: the next `tag` keeps the acceptance,
while another picture saved under the name still takes it back. Generated photos and
a tiny bundle with descriptors (those of the shared one are all alike, whatever the picture)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import piexif
import pytest
from PIL import Image

from app.core.index import PhotoIndex
from app.core.tagging import TagOptions, tag
from app.core.turned_pictures import other_orientations


def photo(path: Path, seed: int, size=(320, 240)) -> Path:
    """A JPEG with its own colours and a lopsided shape, so a turn changes what the network sees."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
    base[:2, :3] = 255
    Image.fromarray(base, "RGB").resize(size, Image.Resampling.BILINEAR).save(path, "JPEG", quality=90)
    return path


def set_orientation(path: Path, orientation: int) -> None:
    """What exiftool -Orientation=N does: the EXIF tag rewritten, the pixel data untouched."""
    piexif.insert(piexif.dump({"0th": {piexif.ImageIFD.Orientation: orientation}}), str(path))


@pytest.fixture(scope="module")
def tiny_bundle(tmp_path_factory):
    """A tiny bundle whose descriptors tell pictures, and turns of one picture, apart."""
    pytest.importorskip("torch")
    from model.testing import make_tiny_bundle

    folder = tmp_path_factory.mktemp("tiny-desc")
    return make_tiny_bundle(folder / "tiny-desc.ltbundle", ["Eiffel Tower", "Colosseum", "Taj Mahal"],
                            input_size=64, descriptors=True)


@pytest.fixture
def index():
    idx = PhotoIndex.open(":memory:")
    yield idx
    idx.close()


@pytest.fixture
def judged(monkeypatch) -> list[bool]:
    """The image_changed the tagger passes for each photo it stores."""
    seen: list[bool] = []
    keep = PhotoIndex.set_predictions
    monkeypatch.setattr(PhotoIndex, "set_predictions",
                        lambda self, *args, **kwargs: seen.append(kwargs["image_changed"]) or keep(self, *args, **kwargs))
    return seen


def options(tiny_bundle) -> TagOptions:
    # threshold 1.0: every photo "no landmark", which any other top-1 would replace
    return TagOptions(model=str(tiny_bundle.path), workers=0, batch_size=4, threads=1, threshold=1.0)


def tagged_and_accepted(index, tiny_bundle, folder: Path) -> list[int]:
    assert tag(index, [folder], options(tiny_bundle)).tagged == len(list(folder.iterdir()))
    ids = index.photo_ids("")
    index.set_state(ids, "accepted")
    return ids


@pytest.mark.parametrize("orientation", [6, 3, 8, 2])
def test_an_orientation_rewritten_keeps_the_acceptance(index, tiny_bundle, tmp_path, judged, orientation):
    folder = tmp_path / "Trip"
    folder.mkdir()
    paths = [photo(folder / f"DSC_{n:04d}.JPG", seed=n) for n in range(3)]
    ids = tagged_and_accepted(index, tiny_bundle, folder)
    judged.clear()
    for path in paths:
        set_orientation(path, orientation)
    assert tag(index, [folder], options(tiny_bundle)).tagged == 3  # the files changed: tagged again
    assert judged == [False] * 3  # the same pictures, turned
    assert {(index.get(i).state, index.get(i).source) for i in ids} == {("accepted", "model")}


def test_a_turned_back_orientation_keeps_the_acceptance(index, tiny_bundle, tmp_path, judged):
    folder = tmp_path / "Trip"
    folder.mkdir()
    path = photo(folder / "DSC_0001.JPG", seed=7)
    set_orientation(path, 6)
    ids = tagged_and_accepted(index, tiny_bundle, folder)
    judged.clear()
    set_orientation(path, 1)
    assert tag(index, [folder], options(tiny_bundle)).tagged == 1
    assert judged == [False]
    assert index.get(ids[0]).state == "accepted"


def test_another_picture_under_the_name_still_takes_the_acceptance_back(index, tiny_bundle, tmp_path, judged):
    folder = tmp_path / "Trip"
    folder.mkdir()
    path = photo(folder / "DSC_0001.JPG", seed=1)
    ids = tagged_and_accepted(index, tiny_bundle, folder)
    judged.clear()
    photo(path, seed=99)  # another textured picture: not blank, so it goes through the turned check
    assert tag(index, [folder], options(tiny_bundle)).tagged == 1
    assert judged == [True]
    assert index.get(ids[0]).state == "suggested"


def test_a_changed_picture_whose_answer_stays_pays_no_turned_check(index, tiny_bundle, tmp_path, monkeypatch):
    """Only where the acceptance would give way (the new top-1 says something else) is
    the picture turned back through the network; elsewhere the check changes nothing."""
    import app.core.tag_run as tag_run

    folder = tmp_path / "Trip"
    folder.mkdir()
    paths = [photo(folder / f"DSC_{n:04d}.JPG", seed=n) for n in range(12)]
    accepting = TagOptions(model=str(tiny_bundle.path), workers=0, batch_size=4, threads=1, threshold=0.0)
    assert tag(index, [folder], accepting).tagged == 12
    ids = index.photo_ids("")
    index.set_state(ids, "accepted")
    accepted = {i: index.get(i).label for i in ids}
    checked: list[int] = []
    keep = tag_run.turned_back_matches
    monkeypatch.setattr(tag_run, "turned_back_matches",
                        lambda embed, candidates, *args, **kwargs:
                        checked.append(len(candidates)) or keep(embed, candidates, *args, **kwargs))
    for n, path in enumerate(paths):
        photo(path, seed=100 + n)  # another picture under every name
    assert tag(index, [folder], accepting).tagged == 12
    top_now = {i: index.conn.execute("SELECT label FROM predictions WHERE photo_id = ? AND rank = 1",
                                      (i,)).fetchone()[0] for i in ids}
    answer_stays = [i for i in ids if top_now[i] == accepted[i]]
    assert 0 < len(answer_stays) < 12  # both kinds, so the count below tells them apart
    assert sum(checked) == 12 - len(answer_stays)
    assert all(index.get(i).state == "accepted" for i in answer_stays)
    assert all(index.get(i).state == "suggested" for i in ids if i not in answer_stays)


def test_the_seven_other_orientations_are_all_different():
    pixels = np.arange(4 * 4 * 3, dtype=np.uint8).reshape(4, 4, 3)
    views = [pixels] + other_orientations(pixels)
    assert len({view.tobytes() for view in views}) == 8
    assert all(view.shape == pixels.shape and view.flags["C_CONTIGUOUS"] for view in views)
