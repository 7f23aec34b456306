"""Whether a photo whose picture looks changed to the tagger was only turned: its
EXIF Orientation rewritten (a "rotate" in Windows Photos, digiKam, exiftool) or its
pixels turned losslessly. A quarter turn gives the network another view and so another
embedding, but the picture is the same, and the user's acceptance of what it shows
must stay (tag_run.same_picture alone takes it for another picture saved under the name).
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

# The network's square input turned back through the seven other orientations EXIF can
# give: the square crop and resize the decoder applies commute with each, so one of them
# is the picture as this model saw it before. The turns first (what "rotate" in a viewer
# writes), the flips and transposes only for a picture no turn matched.
_TURNS: tuple[Callable[[np.ndarray], np.ndarray], ...] = (
    lambda a: np.rot90(a, 1),
    lambda a: np.rot90(a, 3),
    lambda a: np.rot90(a, 2),
)
_MIRRORS: tuple[Callable[[np.ndarray], np.ndarray], ...] = (
    lambda a: a[:, ::-1],
    lambda a: a[::-1, :],
    lambda a: np.swapaxes(a, 0, 1),
    lambda a: np.rot90(a, 2).swapaxes(0, 1),
)


def other_orientations(pixels: np.ndarray) -> list[np.ndarray]:
    """The [S, S, 3] network input as it would look at each of the 7 other orientations."""
    return [np.ascontiguousarray(turn(pixels)) for turn in _TURNS + _MIRRORS]


def turned_back_matches(
    embed: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray | None]],
    candidates: Sequence[tuple[np.ndarray, tuple]],
    same_picture: Callable[[tuple, tuple], bool],
    chunk: int = 64,
) -> list[bool]:
    """For each (pixels, vectors stored before), whether the pixels at another
    orientation show the picture those vectors came from. `embed`: uint8 [N, S, S, 3] →
    (embeddings, descriptors or None), called with at most `chunk` inputs at a time."""
    matched = [False] * len(candidates)
    for views in (_TURNS, _MIRRORS):
        left = [n for n, found in enumerate(matched) if not found]
        if not left:
            break
        inputs = [np.ascontiguousarray(view(candidates[n][0])) for n in left for view in views]
        vectors: list[tuple] = []
        for start in range(0, len(inputs), chunk):
            found, described = embed(np.stack(inputs[start:start + chunk]))
            vectors += zip(found, [None] * len(found) if described is None else described)
        for i, n in enumerate(left):
            before = candidates[n][1]
            matched[n] = any(same_picture(before, vectors[j]) for j in range(i * len(views), (i + 1) * len(views)))
    return matched
