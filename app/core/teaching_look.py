"""What `teach` says about the photos a place is taught from, after teaching them: those
that look unlike the others (app.core.teaching_odd: a photo of another place taught by
mistake), and the model's landmarks they are (app.core.teaching_alike), each named, with
what that means for those landmarks' other photos. The command line and the app's
Teach… say it in the same words (`TaughtLook.lines`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Collection

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
    `landmarks` the model's landmarks some of them are, with how many, most first,
    `unlike` the paths of those that look unlike the others, `counted` (path, landmark) of
    those `landmarks` counts, and `unsure` (path, landmark, score) of those the model
    suggested as one of `landmarks` without being sure of it (teaching_alike.sure_classes),
    so the user, who saw that suggestion, hears why it does not count. taught_now: the
    paths this teach taught (None: all of them), and `unlike_before` those of `unlike` that
    looked unlike the others before it: a teach names the photos it taught that look
    unlike, and an earlier taught photo only once it stands out, as an earlier one, never
    again at every later teach of the place."""

    place: str
    photos: int
    landmarks: tuple[tuple[str, int], ...] = ()
    unlike: tuple[str, ...] = ()
    counted: tuple[tuple[str, str], ...] = ()
    unsure: tuple[tuple[str, str, float], ...] = ()
    taught_now: tuple[str, ...] | None = None
    unlike_before: tuple[str, ...] = ()

    def lines(self, quote: Callable[[str], str] = plain_quotes,
              how_to_label: str = "with `landmark-tagger label`", photo_name: Callable[[str], str] = str) -> list[str]:
        """The sentences to show, none when there is nothing to say. quote: how names are
        quoted ('…' on the command line, “…” in the app); how_to_label: the way to label
        photos there; photo_name: how a photo is named from its path."""
        return [line for line in (self._unlike_line(quote, photo_name),
                                  self._landmarks_line(quote, how_to_label, photo_name)) if line]

    def _unlike_line(self, quote: Callable[[str], str], photo_name: Callable[[str], str]) -> str | None:
        place = quote(self.place)
        if self.unlike and len(self.unlike) == self.photos and set(self.unlike) - set(self.unlike_before):
            return (f"the {len(self.unlike):,} photos taught as {place} look unlike each other (as unlike as photos "
                    "of two different landmarks): if they show different places, teach each place under its own name")
        now = [path for path in self.unlike if self.taught_now is None or path in self.taught_now]
        earlier = [path for path in self.unlike if path not in now and path not in self.unlike_before]
        said = []
        if now:
            one = len(now) == 1
            said.append(f"{_names([photo_name(path) for path in now])} {'looks' if one else 'look'} unlike the other "
                        f"photos taught as {place}")
        if earlier:
            one = len(earlier) == 1
            said.append(f"{'an earlier taught photo' if one else 'earlier taught photos'}, "
                        f"{_names([photo_name(path) for path in earlier])}, now {'looks' if one else 'look'} unlike "
                        f"the other photos taught as {place}")
        if not said:
            return None
        one = len(now) + len(earlier) == 1
        text = said[0] if len(said) == 1 else f"{said[0]}, and {said[1]}"
        return (f"{text} (as unlike as photos of two different landmarks): if {'it shows' if one else 'they show'} another place, teach "
                f"{'it' if one else 'them'} under that place's name (a photo teaches one place)")

    def _landmarks_line(self, quote: Callable[[str], str], how_to_label: str,
                        photo_name: Callable[[str], str]) -> str | None:
        if not self.landmarks:
            return None
        place = quote(self.place)
        (first, first_count), *others = self.landmarks
        are = "is" if first_count == 1 else "are"
        if first_count == self.photos:
            photos = "the photo" if self.photos == 1 else f"the {self.photos:,} photos"
        else:
            photos = f"{first_count:,} of the {counted(self.photos, 'photo')}"
        named = sum(count for _, count in self.landmarks) < self.photos  # say which photos count
        text = f"{photos} taught as {place} {are} {quote(first)} to the model{self._which(first, named, photo_name)}"
        text += "".join(f" and {count:,} {'is' if count == 1 else 'are'} {quote(name)}"
                        f"{self._which(name, named, photo_name)}" for name, count in others)
        if not others:
            text = (f"{text}, one of its landmarks: the two names count as one place, so its other photos keep "
                    f"a label, {quote(first)} where the model is sure of it or it fits better, else {place}; "
                    f"to name them all {place}, label them {how_to_label}")
        else:
            text = (f"{text}, landmarks of its own: each counts as one place with {place}, so their other photos "
                    f"keep a label, the landmark's where the model is sure of it or it fits better, else {place}; "
                    f"to name them all {place}, label them {how_to_label}")
        return text + self._unsure_words(quote, photo_name) + self._odd_landmark_words(quote, photo_name)

    def _which(self, landmark: str, named: bool, photo_name: Callable[[str], str]) -> str:
        paths = [path for path, name in self.counted if name == landmark]
        return f" ({_names([photo_name(path) for path in paths])})" if named and paths else ""

    def _unsure_words(self, quote: Callable[[str], str], photo_name: Callable[[str], str]) -> str:
        """Why a photo the model suggested as the landmark is not counted as it."""
        if not self.unsure:
            return ""
        if len(self.unsure) == 1:
            path, landmark, score = self.unsure[0]
            who = f"{photo_name(path)}, which the model suggested as {quote(landmark)} at {score:.0%}, is"
        else:
            who = f"{_names([photo_name(path) for path, _, _ in self.unsure])}, which the model suggested so, are"
        return (f"; {who} not close enough to the landmark's photos for the model to be sure, so not counted "
                "(a score says how much likelier that landmark is than the others, not how close the photo is)")

    def _odd_landmark_words(self, quote: Callable[[str], str], photo_name: Callable[[str], str]) -> str:
        """A landmark counted only through photos unlike the others: teaching them under
        another name, as the unlike line says to if they show another place, parts it from
        this place again."""
        words = ""
        for landmark, _ in self.landmarks:
            paths = [path for path, name in self.counted if name == landmark]
            if paths and set(paths) <= set(self.unlike):
                one = len(paths) == 1
                words += (f"; {quote(landmark)} is one place with {quote(self.place)} only while "
                          f"{_names([photo_name(p) for p in paths])}, {'the photo' if one else 'the photos'} unlike "
                          f"the others, {'is' if one else 'are'} taught as {quote(self.place)}")
        return words

    def to_json(self) -> dict:
        return {"looks_like": [{"landmark": name, "photos": count} for name, count in self.landmarks],
                "unlike_the_others": list(self.unlike)}


def _names(shown: list[str]) -> str:
    """"a", "a and b", "a, b, c and 2 more"."""
    if len(shown) > 3:
        shown = shown[:3] + [f"{len(shown) - 3:,} more"]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def look_of_place(index: "PhotoIndex", bundle: "ModelBundle", place: str,
                  taught_now: Collection[int] | None = None) -> TaughtLook:
    """How the model sees the photos `place` is taught from (its references by `bundle`).
    taught_now: the ids of the photos the teach just taught (None: all are new), so its
    words are about them, not about a photo taught earlier (TaughtLook.taught_now).
    A bundle whose class centres cannot be read says nothing (`suggest` names that problem)."""
    from app.core.teaching_alike import alike_in_index
    from app.core.teaching_odd import odd_photo_ids
    from app.core.teaching_space import teaching_space
    from model.errors import BundleError

    photos = sum(ref.label == place for ref in store.refs_of_model(index.conn, bundle.id))
    def path_of(photo_id: int) -> str:
        return index.get(photo_id).path

    unlike = tuple(map(path_of, odd_photo_ids(index, bundle, place)))
    now = None if taught_now is None else tuple(map(path_of, taught_now))
    before = () if taught_now is None else tuple(map(path_of, odd_photo_ids(index, bundle, place, taught_now)))
    told = {"taught_now": now, "unlike_before": before}
    try:
        space = teaching_space(bundle)
    except BundleError:
        return TaughtLook(place, photos, unlike=unlike, **told)
    names = space.class_names
    counts = alike_in_index(index, space, bundle, places=[place]).get(place, {})
    landmarks = sorted(((names[cls], count) for cls, count in counts.items()), key=lambda item: (-item[1], item[0]))
    counted, unsure = _counted_and_unsure(index, space, bundle, place, {names[cls] for cls in counts})
    return TaughtLook(place, photos, tuple(landmarks), unlike, counted, unsure, **told)


def _counted_and_unsure(index: "PhotoIndex", space, bundle: "ModelBundle", place: str, landmarks: set[str]):
    """(path, landmark) of the place's taught photos counted as `landmarks`, and (path,
    landmark, score) of those whose stored suggestion (what the user saw) named one of them
    over the threshold while the model is not sure of it."""
    from app.core.teaching_alike import sure_classes, taught_vectors

    if not landmarks:
        return (), ()
    refs, embeddings, factors = taught_vectors(index, bundle, [place])
    best, sure = sure_classes(space, embeddings, factors)
    counted, unsure = [], []
    for ref, cls, confident in zip(refs, best, sure):
        path, landmark = index.get(ref.photo_id).path, space.class_names[int(cls)]
        if confident and landmark in landmarks:
            counted.append((path, landmark))
            continue
        top = index.predictions(ref.photo_id, bundle.id)[:1]
        if top and top[0].label in landmarks and top[0].score >= bundle.threshold:
            unsure.append((path, top[0].label, float(top[0].score)))
    return tuple(counted), tuple(unsure)
