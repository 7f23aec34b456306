"""The landmark a photo's files already carry: the `Landmarks|<name>` keyword that
`write` puts into XMP lr:hierarchicalSubject (a Lightroom keyword "Landmarks > <name>"
reads the same).

The scanner reads it for photos the index holds no word of the user's about, so an
index built anew (another computer, a lost index file, a folder forgotten and added
again) gets back the labels already written into the photos instead of asking the
model again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence, TypeVar

from app.core.label_names import unwritable_character
from app.core.metadata.keywords import HIERARCHY_ROOT, digikam_tag, holds_keyword, keyword_form, names_landmark
from app.core.metadata.sidecar import existing_sidecars
from app.core.metadata.sidecar_owner import files_of_stem, is_stem_sidecar, owner_by_files
from app.core.metadata.xmp import DC, DIGIKAM, KEYWORD_ARRAYS, LR, MICROSOFT_PHOTO, XmpDocument, held_twice_words
from model.labels import label_form

T = TypeVar("T")


def landmark_of(hierarchical: list[str] | None, flat: list[str] | None = None,
                tags: list[str] | None = None) -> str | None:
    """The first `Landmarks|<name>` keyword's name (one level, text a label can hold:
    is_label_text), else None.

    A `|` in a label is written as `/` in the hierarchy (it would add a level), so a
    name with `/` is looked up in the plain keywords (`flat`, dc:subject): one that
    becomes this name that way ("AC|DC Tower") is the label as it was given.
    A name of more levels is one name only where the file says so: digiKam mirrors its tag
    `Landmarks/AC|DC Tower` (our "AC/DC Tower") as `Landmarks|AC|DC Tower`, read as "AC/DC
    Tower" where `tags` (digiKam's TagsList, LastKeywordXMP) hold that tag (whatever
    dc:subject says: digiKam saves there the tag's own name, "AC|DC Tower") or a plain
    keyword is that name (spelt as that keyword); else it is the user's tree
    (`Landmarks|Rome|Colosseum`), no label."""
    for keyword in hierarchical or []:
        root, separator, name = keyword.partition("|")
        name = keyword_form(name)
        if root != HIERARCHY_ROOT or not separator or not name or not is_label_text(name):
            continue
        if "|" in name:
            name = name.replace("|", "/")
            if holds_keyword(tags, digikam_tag(name)):
                return name  # digiKam's tag and its mirror agree; its dc:subject is the tag's name, "|" and all
            if not any(names_landmark(item, name) for item in flat or []):
                continue
        return _spelling_in(flat, name) if "/" in name else name
    return None


def _spelling_in(flat: list[str] | None, name: str) -> str:
    """The plain keyword `name` was written from: a `|` the label held became `/` in the
    hierarchy, spaces and all ("Rome | Vittoriano" is "Landmarks|Rome / Vittoriano"), so
    the keyword is compared whole, not level by level as keyword_form would trim it."""
    for keyword in flat or []:
        spelled = label_form(keyword)
        if spelled != name and "|" in spelled and spelled.replace("|", "/") == name and is_label_text(spelled):
            return spelled
    return name


def is_label_text(name: str) -> bool:
    """Whether `name` can be a label read back: the text `label` takes (teaching.check_label,
    label_names.unwritable_character: no control character, U+FFFE, U+FFFF or lone
    surrogate). Unicode format characters are text: the
    zero-width non-joiner of a Persian name, the joiner of an emoji sequence, a
    direction mark in a Hebrew or Arabic name, a soft hyphen pasted from the web are
    written into the files and come back as they were (str.isprintable refused them)."""
    return unwritable_character(name) is None


def landmark_in_xmp(packet: bytes | str | None) -> str | None:
    """The landmark of an XMP packet; None when it has none or cannot be parsed (the
    scan goes on: a damaged packet is the writer's business when it is written)."""
    return landmark_in_document(XmpDocument.read(packet))


def landmark_in_document(document: XmpDocument | None) -> str | None:
    """The landmark of a parsed packet (XmpDocument.read), None for none, and None where
    readers disagree about it (as_readers_see: a write is refused there too)."""
    if document is None:
        return None
    landmark = as_readers_see(document, _landmark_read)
    return None if isinstance(landmark, Disagreement) else landmark


@dataclass(frozen=True)
class Disagreement:
    """What as_readers_see gives where readers see a packet differently: the keyword
    arrays (prefix:local) it holds more than once under one name."""

    properties: tuple[str, ...]

    def words(self, so: str) -> str:
        """Why the file is left so (`so`), and how to tidy it (xmp.held_twice_words)."""
        return held_twice_words(" and ".join(self.properties), so)


def as_readers_see(document: XmpDocument, read: Callable[[XmpDocument, bool], T]) -> T | Disagreement:
    """What `read(document, last)` makes of a packet as every reader sees it, or a
    Disagreement where it holds a keyword array twice under one name (merged packets:
    XmpDocument.duplicated) and a reader taking the first (one that stops at the first it finds: `last`
    False) and one taking the last (exiftool: `last` True) see it differently. The one
    rule for every reading of such a file (the scan's label, a keyword changed elsewhere),
    so none goes by one copy's word."""
    seen = read(document, False)
    duplicated = tuple(name for namespace, local in KEYWORD_ARRAYS
                       if (name := document.duplicated(namespace, local)) is not None)
    if not duplicated or read(document, True) == seen:
        return seen
    return Disagreement(duplicated)


def _landmark_read(document: XmpDocument, last: bool) -> str | None:
    """The landmark as a reader taking the first (`last`: the last) of each property sees it."""
    tags = [*(document.get_bag(DIGIKAM, "TagsList", last) or []),
            *(document.get_bag(MICROSOFT_PHOTO, "LastKeywordXMP", last) or [])]
    return landmark_of(document.get_bag(LR, "hierarchicalSubject", last), document.get_bag(DC, "subject", last), tags)


def same_landmark(name: str, other: str) -> bool:
    """Whether two landmark names are one keyword: in any Unicode form, spacing or letter
    case, as keywords compare (keywords.keyword_form) and labels do."""
    return keyword_form(name).casefold() == keyword_form(other).casefold()


def landmark_in_sidecars(paths: Iterable[str | Path], family: Sequence[Sequence[str | Path]] = ()) -> str | None:
    """The landmark of the first sidecar of these files that has one (either naming)."""
    return next((landmark for _, landmark, _ in landmarks_in_sidecars(paths, family)), None)


def landmarks_in_sidecars(paths: Iterable[str | Path],
                          family: Sequence[Sequence[str | Path]] = ()) -> Iterator[tuple[Path, str, bool | None]]:
    """Each sidecar of these files that holds a landmark, with it and whether our field
    says the photo teaches it (taught_field.taught_in), in the order they are looked up
    (the first wins; the scan records every one holding the same keyword)."""
    from app.core.metadata.taught_field import taught_in

    for sidecar, packet in _sidecars_read(paths, family):
        document = XmpDocument.read(packet)
        landmark = landmark_in_document(document)
        if landmark is not None:
            yield sidecar, landmark, taught_in(document, landmark)


def sidecar_packets(paths: Iterable[str | Path], family: Sequence[Sequence[str | Path]] = ()) -> Iterator[bytes]:
    """The contents of the readable sidecars of these files (either naming), in the
    order they are looked up. A stem sidecar (IMG_0100.xmp) counts only where it is
    this photo's among the photos of its stem in the folder (`family`: each one's files,
    this one's included; sidecar_owner.owner_by_files): one nobody owns is no photo's."""
    return (packet for _, packet in _sidecars_read(paths, family))


def _sidecars_read(paths: Iterable[str | Path], family: Sequence[Sequence[str | Path]]) -> Iterator[tuple[Path, bytes]]:
    """(sidecar, contents) for sidecar_packets."""
    own = [Path(path) for path in paths]
    for path in own:
        for sidecar in existing_sidecars(path):
            if is_stem_sidecar(sidecar, path) and not _owns(sidecar, own, family):
                continue
            try:
                yield sidecar, sidecar.read_bytes()
            except OSError:
                continue  # unreadable


def _owns(sidecar: Path, own: list[Path], family: Sequence[Sequence[str | Path]]) -> bool:
    photos: dict[int, list[Path]] = {-1: files_of_stem(sidecar, own)}
    for number, files in enumerate(family):
        theirs = files_of_stem(sidecar, files)
        if theirs and not set(theirs) & set(own):
            photos[number] = theirs
    return owner_by_files(sidecar, photos) == -1
