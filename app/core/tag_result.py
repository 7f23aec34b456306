"""One photo's answer from the tagging job (app.core.tagging): what the model said, and
what the index keeps for it, as `tag --json` prints it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class TagResult:
    """One classified photo (or one that failed: error set, no predictions). label,
    landmark_id, score: the model's answer, until as_stored gives what the index keeps."""

    photo_id: int | None  # None: a file that could not be scanned (see unreadable)
    path: str
    files: list[str]
    label: str | None
    landmark_id: str | None
    score: float | None
    top: list[Any]  # model.predictor.Prediction, best first
    decoded_from: str | None = None
    error: str | None = None
    state: str | None = None  # the label's review state in the index (suggested, accepted, rejected)
    damage: str | None = None  # labelled from a damaged picture: the per-file warning (jpeg_damage)
    up_to_date: bool = False  # not classified now: tagged by this model as it is (tag_selection.up_to_date_results)
    best_guess: Any = None  # a stored "no landmark": the Prediction its score is for (stored_guess)

    @classmethod
    def unreadable(cls, path: str, error: str) -> "TagResult":
        """The result for a file asked for that could not even be scanned, so the index
        holds no photo for it: every field of a `tag --json` line, empty, and the error."""
        return cls(photo_id=None, path=path, files=[], label=None, landmark_id=None, score=None, top=[],
                   error=error)

    def as_stored(self, stored: tuple | None, guess: Any = None) -> "TagResult":
        """The result with what the index keeps for the photo (labels.stored_labels): the
        user's word stays, and a rejected label stays rejected, which `state` says; the
        model's answer would show a rejected label as the photo's. guess: stored_guess."""
        if stored is None:
            return self
        label, landmark_id, score, state = stored
        return replace(self, label=label, landmark_id=landmark_id, score=score, state=state, best_guess=guess)

    @property
    def is_no_landmark(self) -> bool:
        """A "no landmark" the index keeps (a state, no label), not a failure or a photo
        the index holds no label for."""
        return self.label is None and self.state is not None and self.error is None

    def to_json(self) -> dict[str, Any]:
        """The `tag --json` line for this photo; "id" (None for a file the index has no
        photo for) names it again in a query (`id:123`) when "path" cannot."""
        data: dict[str, Any] = {
            "id": self.photo_id,
            "path": self.path,
            "files": list(self.files),
            "label": self.label,
            "landmark_id": self.landmark_id,
            "score": self._json_score(),
            "state": self.state,
            "top": [
                {"label": p.label, "landmark_id": p.landmark_id, "score": round(float(p.score), 6)}
                for p in self.top
            ],
        }
        if self.is_no_landmark:
            guess = self.best_guess
            data["best_guess"] = None if guess is None else {
                "label": guess.label, "landmark_id": guess.landmark_id, "score": round(float(self.score), 6)}
        if self.error is not None:
            data["error"] = self.error
        if self.damage is not None:
            data["damage"] = self.damage
        if self.up_to_date:
            data["up_to_date"] = True
        return data

    def _json_score(self) -> float | None:
        """The score `score>` compares, as `search --json` gives it: for "no landmark",
        1 - its best guess's (the guess under "best_guess"); `tag --json` gave the best
        guess's score, so the two disagreed on the same photo."""
        if self.score is None:
            return None
        score = 1.0 - float(self.score) if self.is_no_landmark else float(self.score)
        return round(score, 6)


def stored_guess(index, photo_id: int | None, stored: tuple | None) -> Any:
    """The best guess (not rejected) a stored "no landmark" is scored by, as `search`
    names it (PhotoIndex.best_guess); None for a label, the user's "no landmark" (no
    score), a blank frame or every guess rejected (score 0)."""
    if photo_id is None or stored is None or stored[0] is not None or not stored[2]:
        return None
    return index.best_guess(photo_id)
