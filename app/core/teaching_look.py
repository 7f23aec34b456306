"""What `teach` says about the photos a place is taught from, after teaching them: those
that look unlike the others (app.core.teaching_odd: a photo of another place taught by
mistake), and the model's landmarks they are (app.core.teaching_alike), each named, with
what that means for those landmarks' other photos. The command line and the app's
Teach… say it in the same words (`TaughtLook.lines`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from app.core import teaching_store as store
from app.core.wording import counted

if TYPE_CHECKING:
    from app.core.index import PhotoIndex
    from model.bundle import ModelBundle


def plain_quotes(name: str) -> str:
    return f"'{name}'"


@dataclass(frozen=True)
class TaughtLook:
    """A taught place's photos as the model sees them: `photos` taught by this model,
    `landmarks` the model's landmarks some of them are, with how many, most first, and
    `unlike` the paths of those that look unlike the others."""

    place: str
    photos: int
    landmarks: tuple[tuple[str, int], ...] = ()
    unlike: tuple[str, ...] = ()

    def lines(self, quote: Callable[[str], str] = plain_quotes,
              how_to_label: str = "with `landmark-tagger label`", photo_name: Callable[[str], str] = str) -> list[str]:
        """The sentences to show, none when there is nothing to say. quote: how names are
        quoted ('…' on the command line, “…” in the app); how_to_label: the way to label
        photos there; photo_name: how a photo is named from its path."""
        return [line for line in (self._unlike_line(quote, photo_name), self._landmarks_line(quote, how_to_label))
                if line]

    def _unlike_line(self, quote: Callable[[str], str], photo_name: Callable[[str], str]) -> str | None:
        if not self.unlike:
            return None
        place, count = quote(self.place), len(self.unlike)
        if count == self.photos:
            return (f"the {count:,} photos taught as {place} look unlike each other (as unlike as photos of two "
                    "different landmarks): if they show different places, teach each place under its own name")
        shown = [photo_name(path) for path in self.unlike[:3]]
        if count > 3:
            shown.append(f"{count - 3:,} more")
        names = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
        one = count == 1
        return (f"{names} {'looks' if one else 'look'} unlike the other photos taught as {place} (as unlike as "
                f"photos of two different landmarks): if {'it shows' if one else 'they show'} another place, teach "
                f"{'it' if one else 'them'} under that place's name (a photo teaches one place)")

    def _landmarks_line(self, quote: Callable[[str], str], how_to_label: str) -> str | None:
        if not self.landmarks:
            return None
        place = quote(self.place)
        (first, first_count), *others = self.landmarks
        are = "is" if first_count == 1 else "are"
        if first_count == self.photos:
            photos = "the photo" if self.photos == 1 else f"the {self.photos:,} photos"
        else:
            photos = f"{first_count:,} of the {counted(self.photos, 'photo')}"
        text = f"{photos} taught as {place} {are} {quote(first)} to the model"
        text += "".join(f" and {count:,} {'is' if count == 1 else 'are'} {quote(name)}" for name, count in others)
        if not others:
            return (f"{text}, one of its landmarks: the two names count as one place, so its other photos keep "
                    f"a label, {quote(first)} where the model is sure of it or it fits better, else {place}; "
                    f"to name them all {place}, label them {how_to_label}")
        return (f"{text}, landmarks of its own: each counts as one place with {place}, so their other photos "
                f"keep a label, the landmark's where the model is sure of it or it fits better, else {place}; "
                f"to name them all {place}, label them {how_to_label}")

    def to_json(self) -> dict:
        return {"looks_like": [{"landmark": name, "photos": count} for name, count in self.landmarks],
                "unlike_the_others": list(self.unlike)}


def look_of_place(index: "PhotoIndex", bundle: "ModelBundle", place: str) -> TaughtLook:
    """How the model sees the photos `place` is taught from (its references by `bundle`).
    A bundle whose class centres cannot be read says nothing (`suggest` names that problem)."""
    from app.core.teaching_alike import alike_in_index
    from app.core.teaching_odd import odd_photos
    from app.core.teaching_space import teaching_space
    from model.errors import BundleError

    photos = sum(ref.label == place for ref in store.refs_of_model(index.conn, bundle.id))
    unlike = tuple(odd_photos(index, bundle, place))
    try:
        space = teaching_space(bundle)
    except BundleError:
        return TaughtLook(place, photos, unlike=unlike)
    names = space.class_names
    counts = alike_in_index(index, space, bundle, places=[place]).get(place, {})
    landmarks = sorted(((names[cls], count) for cls, count in counts.items()), key=lambda item: (-item[1], item[0]))
    return TaughtLook(place, photos, tuple(landmarks), unlike)
