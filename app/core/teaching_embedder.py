"""Teaching-space vectors of indexed photos by one model bundle (app.core.teaching
teaches from them): from the embedding, and descriptor, that tagging stored, else the
photo is decoded and embedded now, and stored for next time."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from app.core import teaching_store as store
from app.core.errors import PhotoReadError
from app.core.relocate import relocate_hint
from app.core.wording import FORGET_MISSING_HINT

if TYPE_CHECKING:
    from app.core.index import PhotoIndex
    from model.bundle import ModelBundle
    from model.predictor import Predictor


class MissingPhotoError(PhotoReadError):
    """The photo has no file left (a scan found it deleted or moved out of the library):
    nothing to decode, and a rescan will not find it again."""

    def __init__(self, path: str) -> None:
        super().__init__(missing_photo(path, "the photo is missing, so this model cannot learn from it"))
        self.path = path


def missing_photo(path: str, cannot: str) -> str:
    """`path: cannot`, and the ways out for a photo a scan found missing (a rescan is none):
    relocating its library folder only when that folder is gone (a file deleted from a
    folder that is there was not moved with it)."""
    folder_gone = not os.path.lexists(os.path.dirname(os.path.abspath(path)))
    relocate = relocate_hint(path) if folder_gone else ""
    return f"{path}: {cannot}: put the file back and tag its folder again, or {FORGET_MISSING_HINT}.{relocate}"


class PhotoEmbedder:
    """Teaching-space vectors of indexed photos by one bundle, from the embedding (and
    descriptor) tagging stored, else the photo is decoded and embedded now (and stored
    for next time)."""

    def __init__(self, index: "PhotoIndex", bundle: "ModelBundle", predictor: "Predictor | None" = None) -> None:
        from app.core.teaching_space import space_beta

        self.index = index
        self.bundle = bundle
        self._predictor = predictor
        self.beta = space_beta(bundle)
        self.decoded = 0

    @property
    def predictor(self) -> "Predictor":
        if self._predictor is None:
            from model.predictor import Predictor

            self._predictor = Predictor(self.bundle)
        return self._predictor

    def reference(self, photo_id: int) -> np.ndarray:
        """The photo's L2-normalised vector in the bundle's teaching space; raises
        PhotoReadError when no file decodes (MissingPhotoError when the photo has no
        file left to decode)."""
        embedding, descriptor = self._stored(photo_id)
        if embedding is None:
            embedding, descriptor = self._embed_and_store(photo_id)
        return self._vector(embedding, descriptor)

    def prepare(self, photo_id: int) -> None:
        """Decode and store the photo's embedding now when none is stored, so that
        `stored_reference` finds it inside a transaction; raises as `reference` does."""
        if self._stored(photo_id)[0] is None:
            self._embed_and_store(photo_id)

    def stored_reference(self, photo_id: int) -> np.ndarray | None:
        """`reference` from the stored embedding alone (None when there is none): it
        never decodes, so a transaction can ask it."""
        embedding, descriptor = self._stored(photo_id)
        return None if embedding is None else self._vector(embedding, descriptor)

    def _vector(self, embedding: np.ndarray, descriptor: np.ndarray | None) -> np.ndarray:
        from app.core.teaching_space import space_vectors

        return space_vectors(self.beta, embedding[None], None if descriptor is None else descriptor[None])[0]

    def _embed_and_store(self, photo_id: int) -> tuple[np.ndarray, np.ndarray | None]:
        embedding, descriptor = self._embed_now(photo_id)
        with self.index.transaction() as conn:
            store.store_embedding(conn, photo_id, self.bundle.id, embedding, descriptor)
        self.decoded += 1
        return embedding, descriptor

    def _stored(self, photo_id: int) -> tuple[np.ndarray | None, np.ndarray | None]:
        conn = self.index.conn
        embedding = store.stored_embedding(conn, photo_id, self.bundle.id)
        descriptor = store.stored_descriptor(conn, photo_id, self.bundle.id) if self.beta > 0 else None
        if embedding is None or (self.beta > 0 and descriptor is None):
            return None, None
        return embedding, descriptor

    def _embed_now(self, photo_id: int) -> tuple[np.ndarray, np.ndarray | None]:
        from app.core.decode import decode_for_model
        from app.core.decode_workers import decode_min_side
        from model.image_detail import FEATURELESS_NOTE, featureless
        from model.preprocess import normalize_batch, prepare_image

        record = self.index.get(photo_id)
        if record.missing:  # known gone: decoding would only say "file not found"
            raise MissingPhotoError(record.path)
        paths = [record.path] + [p for p in record.files if p != record.path]
        failures = []
        for path in paths:
            try:
                image = decode_for_model(Path(path), decode_min_side(self.bundle.preprocessing))
            except PhotoReadError as error:
                failures.append(str(error))
                continue
            pixels = prepare_image(image, self.bundle.preprocessing)[None]
            if featureless(pixels)[0]:  # a blank frame would teach the place nothing but noise
                raise PhotoReadError(f"{FEATURELESS_NOTE}; teach from photos that show the place")
            embeddings, _, descriptors = self.predictor.embed_all(normalize_batch(pixels, self.bundle.preprocessing))
            return store.normalised(embeddings[0]), None if descriptors is None else descriptors[0]
        raise PhotoReadError("; ".join(failures) or f"photo {photo_id} has no readable file")
