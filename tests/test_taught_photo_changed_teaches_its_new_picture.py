"""A taught photo whose file is replaced or edited teaches what it shows now (t_teach-3):
`tag` stored the new picture's embedding but the place kept learning from the old one
(its reference untouched), while the photo stayed counted as one of its taught photos.
Its references by the tagging model now follow the new embedding; an unchanged taught
photo's stay as they were."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.core import teaching_store as store
from app.core.index import PhotoIndex
from app.core.tagging import TagOptions, tag
from app.core.teaching import teach
from app.core.teaching_embedder import PhotoEmbedder
from tests.test_tag_turned_photos import photo, tiny_bundle  # noqa: F401 (a bundle whose descriptors tell pictures apart)

PLACE = "Arezzo streets"


def _refs(index: PhotoIndex, bundle) -> dict[int, np.ndarray]:
    return {ref.photo_id: ref.vector for ref in store.refs_of_model(index.conn, bundle.id)}


def test_a_taught_photo_replaced_by_another_picture_teaches_the_new_one(tmp_path: Path, tiny_bundle) -> None:  # noqa: F811
    folder = tmp_path / "photos"
    folder.mkdir()
    for number in range(3):
        photo(folder / f"DSC_{number:04d}.JPG", seed=number)
    options = TagOptions(model=tiny_bundle.path, workers=0, batch_size=2, threads=1)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        tag(index, [folder], options)
        ids = sorted(photo.id for photo in index.search(""))
        teach(index, PLACE, ids[:2], bundle=tiny_bundle)
        before = _refs(index, tiny_bundle)
        photo(folder / "DSC_0000.JPG", seed=40)  # replaced: another picture under the same name

        assert tag(index, [folder], options).tagged == 1
        after, embedder = _refs(index, tiny_bundle), PhotoEmbedder(index, tiny_bundle)
        assert not np.array_equal(after[ids[0]], before[ids[0]])
        assert np.allclose(after[ids[0]], embedder.stored_reference(ids[0]), atol=1e-6)  # the new picture
        assert np.array_equal(after[ids[1]], before[ids[1]])  # unchanged
        assert store.taught_labels(index.conn) == {PLACE: 2}
