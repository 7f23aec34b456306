"""A photo whose JPEG holds, inside, a landmark of ours other than its label (an earlier
write put it there, or the photo's label was read back from it, relabelled since) is
left alone by a write that leaves JPEGs untouched (Settings, `--no-jpeg`): the label
would go into sidecars only, and a scan reads a JPEG's own keyword before its sidecar's,
so the photo's files would name two landmarks and a rebuilt index would get the old one
back. Each of its files says why and names the `write --jpeg` of that one photo, which
updates them all. The hold follows the user's standing choice, so it is a note, not a
failure (PlannedWrite.held: a nightly `write` still exits 0). A JPEG that holds the
photo's own label needs nothing; a landmark keyword the user typed into it is theirs and
stays, as in any file (plan.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

from app.core.errors import TaggerError
from app.core.index import PhotoIndex
from app.core.index.read_back_records import labelled_before_records, read_back_keyword
from app.core.metadata import journal
from app.core.metadata.dry_run_wording import listed
from app.core.metadata.file_now import read_jpeg_head
from app.core.metadata.keywords import KeywordFields
from app.core.metadata.read_back import landmark_of, same_landmark
from app.core.metadata.read_back_keyword import read_back_from
from app.core.photo_info import file_kind
from app.core.wording import in_which_shell, photo_file_word

if TYPE_CHECKING:
    from app.core.metadata.plan import PlannedWrite, WriteOptions


def old_label_in_jpeg(index: PhotoIndex, photo_id: int, jpeg: Path, label: str | None) -> str | None:
    """Why `jpeg` holds a landmark of ours that is not `label` (None: the label is
    rejected), as a note's start; None where it holds `label`, none, or the user's own."""
    written = journal.file_history(index, jpeg).label
    if written is None and not may_have_been_read_back(index, photo_id, jpeg):
        return None  # nothing of ours can be inside: the JPEG is not read (a nightly write of every photo)
    try:
        inside = read_jpeg_head(jpeg)[1]
    except (TaggerError, OSError):
        return None  # its own plan item says what is wrong with it
    old = landmark_of(inside.hierarchical, inside.subject or inside.iptc)
    if old is None or (label is not None and same_landmark(old, label)):
        return None
    if written is not None and same_landmark(written, old):
        how = "written into it earlier"
    elif read_back_from(index, photo_id, jpeg, old):
        how = "the label read back from it"
    else:
        return None
    update = "updates" if label is not None else "takes it out of"
    return (f"{jpeg.name} holds {listed([old])}, {how}, and JPEGs are left untouched (Settings or --no-jpeg): "
            f"{in_which_shell()}{this_photo_into_its_jpeg(jpeg)} {update} this photo alone")


def may_have_been_read_back(index: PhotoIndex, photo_id: int, jpeg: Path) -> bool:
    """Whether the index says the photo's label may have been read back from `jpeg`: its
    record names that file, or the photo was labelled before such records were kept
    (read_back_from then goes by the file's time)."""
    return (read_back_keyword(index.conn, photo_id, jpeg) is not None
            or labelled_before_records(index.conn, photo_id))


def this_photo_into_its_jpeg(jpeg: Path) -> str:
    """The command that writes the one photo of `jpeg`, into its JPEG too: a bare
    `write --jpeg` would write every labelled JPEG of the library, which the user
    chose to leave untouched (its file named as every shell passes it: photo_file_word)."""
    return f"`landmark-tagger write --jpeg {photo_file_word(jpeg)}`"


def photos_with_old_label_in_jpeg_left_alone(index: PhotoIndex, plan: list[PlannedWrite], options: WriteOptions,
                                             photo_files: Mapping[int, Iterable[Path | str]] = {},
                                             stop: Callable[[], None] = lambda: None) -> list[PlannedWrite]:
    """`plan` with every file of a photo refused where one of its JPEGs (`photo_files`,
    by photo id; else the plan's sources) holds a landmark of ours other than its label
    while JPEGs are left untouched: the JPEG's own sidecar and the pair's RAW sidecar
    alike, or they would disagree with it. A file whose write would change nothing stays
    as it is. An unlabelled photo's left-over sidecars (plan_targets.left_over_sidecars)
    are not about its JPEG. `stop` is called before each photo's JPEGs are read (a
    cancelled plan's CancelToken.raise_if_cancelled raises there)."""
    if options.write_into_jpeg:
        return plan
    sources: dict[int, list[Path]] = {}
    for item in plan:
        sources.setdefault(item.photo_id, []).append(item.source)
    held: dict[int, tuple[Path, str]] = {}
    checked: set[int] = set()
    for item in plan:
        if not item.changes_anything or item.photo_id in checked:
            continue
        checked.add(item.photo_id)
        stop()
        if item.index_label is not None and item.index_label[1] == "unlabelled":
            continue
        for jpeg in dict.fromkeys(map(Path, photo_files.get(item.photo_id, sources[item.photo_id]))):
            why = old_label_in_jpeg(index, item.photo_id, jpeg, item.label) if file_kind(jpeg.name) == "jpeg" else None
            if why is not None:
                held[item.photo_id] = (jpeg, why)
                break
    if not held:
        return plan
    return [replace(item, before=KeywordFields(), after=KeywordFields(), note=None,
                    problem=_problem(item, *held[item.photo_id]), held=True)
            if item.photo_id in held and item.changes_anything else item for item in plan]


def _problem(item: PlannedWrite, jpeg: Path, why: str) -> str:
    """The JPEG's own sidecar says it as it is; the photo's other files name the JPEG."""
    return why if item.source == jpeg else f"its photo's JPEG {why}"
