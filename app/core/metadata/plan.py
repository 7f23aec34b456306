"""Decide what a write batch will do, without touching any file: which file of
which photo gets which keywords. `--dry-run` prints this plan; `write_labels`
carries it out. Which files a photo's label goes into, and which of them are
refused or left out, is plan_targets.py's; what a file holds now, and whether it
changed since it was indexed, file_now.py's; this module builds each file's item."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from app.core.cloud_files import not_downloaded_note, online_only_note
from app.core.errors import MetadataWriteError, TaggerError, UsageError
from app.core.folder_paths import private_library_of
from app.core.index import PhotoIndex, PhotoRecord
from app.core.index.connection import db_text
from app.core.index.labels import is_rejected
from app.core.metadata import journal, recovery
from app.core.file_owner import not_readable_words
from app.core.metadata.atomic import MAX_NAME_BYTES, unwritable_reason
from app.core.metadata.darktable_versions import DarktableVersions
from app.core.metadata.dry_run_wording import listed, listed_change
from app.core.metadata.file_now import (changed_since_indexed, gone_since_scan, jpeg_field_names, keywords_inside,
                                        read_current_fields, read_jpeg_head, stat_if_there, stat_or_none, why_changed)
from app.core.metadata.jpeg_fields import fit_fields
from app.core.metadata.keywords import (FIELD_NAMES, FIELD_TITLES, SIDECAR_FIELDS, KeywordFields, KeywordSet,
                                        holds_a_keyword, label_fields)
from app.core.metadata.landmark_in_users_tree import (PATH_FIELDS, kept_in_users_tree, ours_before,
                                                      users_own_and_maybe_ours_moved, without_a_second_path)
from app.core.metadata.plan_icloud import photos_with_sidecars_in_cloud_left_alone, sidecar_in_cloud_problem
from app.core.metadata.plan_jpeg_hold import photos_with_old_label_in_jpeg_left_alone
from app.core.metadata.plan_stripped_hold import photos_stripped_since_written_held
from app.core.metadata.plan_targets import (
    FolderStems,
    jpeg_sidecars,
    label_taken_back,
    left_over_sidecars,
    one_write_a_file,
    shared_sidecar,
    sidecar_owner,
    taken_back_accept,
    takes_ours_out,
    withdrawn_suggestion,
    written_as_accepted,
    write_targets,
)
from app.core.metadata.read_back import landmark_of
from app.core.metadata.read_back_keyword import read_back_from
from app.core.metadata.sidecar import SIDECAR_NAMINGS, sidecar_not_downloaded, sidecar_path, too_many_keywords
from app.core.metadata.taught_field import taught_field_after
from app.core.path_case import DiskNames, as_listed
from app.core.progress import CancelToken


@dataclass(frozen=True)
class WriteOptions:
    """How labels are written. `sidecar_naming`: "ext" (DSC_8188.NEF.xmp) or "stem"
    (DSC_8188.xmp); `write_into_jpeg`: False puts JPEG labels into sidecars too;
    `keep_mtime`: a JPEG keeps its modification time (file browsers sort photos by
    it), while a sidecar always gets a new one (darktable and Lightroom look at it)."""

    sidecar_naming: str = "ext"
    write_into_jpeg: bool = True
    keep_mtime: bool = True
    workers: int = 3  # threads overlapping file I/O and fsync; 1 writes one file at a time

    def __post_init__(self) -> None:
        if self.sidecar_naming not in SIDECAR_NAMINGS:
            raise UsageError(
                f"unknown sidecar naming {self.sidecar_naming!r}; use 'ext' (DSC_8188.NEF.xmp) or 'stem' (DSC_8188.xmp)"
            )


@dataclass(frozen=True)
class PlannedWrite:
    """One file to write: the photo file itself (JPEG) or the sidecar of `source`."""

    photo_id: int
    source: Path  # the indexed photo file
    target: Path  # the file we write: the JPEG itself or the sidecar
    kind: str  # "jpeg" or "sidecar"
    label: str | None
    previous_label: str | None  # what our last write put there, replaced now
    before: KeywordFields
    after: KeywordFields
    indexed_size: int | None = None
    indexed_mtime_ns: int | None = None
    problem: str | None = None  # why this file cannot be written (reported, not raised)
    fields: tuple[str, ...] = field(default=FIELD_NAMES)
    rejected: bool = False  # the photo's label is rejected (or withdrawn, or gone): our keyword comes out
    # the file holds exactly what a killed write of ours put into it, unrecorded: the
    # write records it first (indexed_size/indexed_mtime_ns are then the file's own)
    own_write: recovery.OwnWrite | None = None
    note: str | None = None  # what the write leaves undone or keeps, and why (a full EXIF block, the user's tree)
    kept_note: str | None = None  # the part of `note` saying the old landmark stays in the user's tree
    # the photo's (label, state) in the index when planned: the write leaves the file
    # alone when they changed since (rejected or relabelled meanwhile); None: not checked
    index_label: tuple[str | None, str] | None = None
    # the journal entry of our newest write of the target when planned, if any: an undo
    # since then may have taken out the label this plan found in the file
    last_write: int | None = None
    # `problem` is a hold the user's own choice makes (plan_jpeg_hold): a note, not a failure
    held: bool = False
    on_card: str | None = None  # held: the card not connected the file is on (plan_cards)
    # unlabelled now, our newest write there was its (plan_targets.label_taken_back); or a
    # suggestion now whose keyword our write put there as the user's `label`, not an accept
    label_taken_back: bool = False
    label_source: str | None = None  # the label's source when planned: the journal keeps it (labelled, or accepted)

    @property
    def changes_anything(self) -> bool:
        return self.problem is None and self.before != self.after

    def describe(self) -> str:
        """One line for --dry-run: what the write will do, its note included."""
        note = self.note
        if self.kept_note and self.rejected and self.changes_anything:  # said in the reason instead
            note = note.removeprefix(self.kept_note).removeprefix("; ") if note else None
        return self._change() + (f" (note: {note})" if note else "")

    def _change(self) -> str:
        if self.problem:
            return f"{self.target}: {'left alone' if self.held else 'cannot write'}: {self.problem}"
        if not self.changes_anything:
            if self.label is None:
                return f"{self.target}: unchanged (no landmark, and no keyword of ours to take out)"
            return f"{self.target}: unchanged ({listed([self.label])} already there)"
        why = f" ({self._why_ours_comes_out()})" if self.rejected else ""
        shown = self._shown_field()
        before, after = getattr(self.before, shown), self._shown_after(shown)
        if before == after:
            changed = [FIELD_TITLES[name] for name in self.fields
                       if getattr(self.before, name) != getattr(self.after, name)]
            return f"{self.target}: keywords {listed(after)} (changes only {', '.join(changed)}){why}"
        return f"{self.target}: keywords {listed_change(before, after)}{why}"

    def _why_ours_comes_out(self) -> str:
        state = self.index_label[1] if self.index_label is not None else "rejected"
        if state == "rejected":
            why, outcome = "label rejected: ", "our keyword comes out"
        elif self.label_taken_back:  # unlabelled, or a suggestion now (the model's, after the take-back)
            why, outcome = "its label taken back: ", "the keyword our write put there comes out"
        elif state == "suggested" and self.index_label is not None and self.index_label[0] is not None:
            why, outcome = "its accept taken back: ", "the keyword our write put there comes out"  # taken_back_accept
        elif state == "suggested":  # "no landmark" now (newer model, undo --review): plan_targets.withdrawn_suggestion
            why, outcome = 'a "no landmark" suggestion now: ', "the keyword our write put there comes out"
        else:
            why, outcome = "no label: our keyword was written for another photo this file was in then, " \
                           "which it has left; ", "it comes out"
        if self._only_our_record_changes():  # the user took the keyword out elsewhere: no keyword comes out
            outcome = "our own record of it comes out"
        # the user's tree keeps the landmark (landmark_in_users_tree.kept_in_users_tree): that is what happens
        return f"{why}{self.kept_note or outcome}"

    def _only_our_record_changes(self) -> bool:
        """Whether the write changes no keyword, only our private landmarkTagger:Teaches
        (the keyword was removed in another program since our write)."""
        return [name for name in self.fields if getattr(self.before, name) != getattr(self.after, name)] == ["taught"]

    def _shown_field(self) -> str:
        """The plain keyword list a dry run shows: dc:subject, or where the file had none
        (or an empty one), its IPTC Keywords or XPKeywords (a file tagged in an older program)."""
        for name in ("subject", "iptc", "xp"):
            if name in self.fields and holds_a_keyword(getattr(self.before, name)):
                return name
        return "subject"

    def _shown_after(self, shown: str) -> list[str] | None:
        """The keywords after the write, as dc:subject will hold them where the write
        fills it (it starts from the IPTC or XP list shown before): IPTC cuts a name at
        its 64 bytes ("東京スカイツリー・ソラマチ商店街 東京都墨田"), which looked as if the
        label itself would be cut."""
        if shown != "subject" and "subject" in self.fields and holds_a_keyword(self.after.subject):
            return self.after.subject
        return getattr(self.after, shown)

    def to_json(self) -> dict:
        return {
            "id": self.photo_id,  # as every per-photo --json line names it (`id:123` in a query)
            "photo_id": self.photo_id,
            "path": str(self.target),
            "source": str(self.source),
            "kind": self.kind,
            "label": self.label,
            "previous_label": self.previous_label,
            "before": self.before.to_json(),
            "after": self.after.to_json(),
            "changes": self.changes_anything,
            "problem": self.problem,
            "held": self.held,
            "note": self.note,
            "rejected": self.rejected,
        }


def plan_writes(
    index: PhotoIndex,
    query: str = "",
    include_suggested: bool = False,
    options: WriteOptions = WriteOptions(),
    cancel: CancelToken | None = None,
) -> list[PlannedWrite]:
    """The writes for every matching photo whose label is accepted (and suggested
    ones with `include_suggested`; those exist only at or above the model's
    threshold), and for each photo whose label is rejected while a keyword of ours
    is in its files: that keyword comes out, as for "no landmark" (else the photo
    keeps showing it, and an index built anew reads it back as accepted). So does a
    suggestion written with `include_suggested` that became "no landmark" since
    (plan_targets.withdrawn_suggestion), and an unlabelled photo's sidecar that our
    write put another photo's keyword into (a RAW an older version merged into another
    picture's photo, split off since). A JPEG's
    sidecar left from a `--no-jpeg` write gets the change too where it holds a
    keyword of ours. Unreadable files come back with `problem` set; so does each file of
    a photo whose JPEG, left untouched, holds another landmark of ours (plan_jpeg_hold).
    `cancel` is looked at before each photo (planning reads every file, minutes on a big
    library) and in the passes over the plan after: Cancelled is raised, and nothing was
    written, as a plan writes nothing (nor opens an index transaction)."""
    states = {"accepted", "suggested"} if include_suggested else {"accepted"}
    plan: list[PlannedWrite] = []
    owners: dict[Path, int] = {}  # a sidecar two files can share (DSC_0001.xmp of .NEF and .TIF)
    names = DiskNames()  # each folder listed once for the plan: it creates no file
    stems = FolderStems(index)  # and each folder's photos read once, where its disk ignores case
    versions = DarktableVersions()  # darktable's duplicates (DSC_0100_01.NEF.xmp), each folder listed once
    planned: set[Path] = set()
    sidecars_written = journal.sidecar_writers(index)
    photos_with_sidecars = {photo_id for ids in sidecars_written.values() for photo_id in ids}
    written_for = {path[:-4] for path in sidecars_written if path.lower().endswith(".xmp")}  # file or stem
    photo_files: dict[int, tuple[str, ...]] = {}  # a photo's evicted sidecars hold all its files
    written_photos = journal.photos_written(index)
    # label:X reaches photos whose X was rejected too: their files may hold our keyword X
    for photo in index.search(query, with_rejected_labels=True):
        if cancel is not None:
            cancel.raise_if_cancelled()
        left_over = photo.state == "unlabelled" and photo.label is None  # (see plan_targets.left_over_sidecars)
        taken_back = left_over and photo.id in written_photos  # its label taken back: plan_targets.label_taken_back
        withdrawn = photo.state == "suggested" and photo.label is None  # (see plan_targets.withdrawn_suggestion)
        if withdrawn and not withdrawn_suggestion(photo, written_photos, written_for):
            continue
        rejected = photo.state == "rejected" or left_over or withdrawn or taken_back_accept(
            photo, written_photos, include_suggested)
        if not rejected and photo.state not in states:
            continue
        photo_files[photo.id] = tuple(photo.files)
        for path in map(Path, photo.files):
            if left_over and not taken_back and str(path) not in written_for and str(path.with_suffix("")) not in written_for:
                continue  # no sidecar of it ours: nothing to look at (most unlabelled photos)
            indexed = _file_kind(index, path)
            targets = write_targets(path, indexed[0], options, names)
            if targets != [path]:  # in sidecars: each darktable version of the file gets the label
                targets += versions.of(path)
            if left_over:  # its duplicates' sidecars too: only those written for other photos
                targets = left_over_sidecars(targets, sidecars_written, photo.id) + (
                    label_taken_back(index, targets, photo.id) if taken_back else [])
            extra = (jpeg_sidecars(sidecars_written, photo.id, path, indexed[0], options, names)
                     if photo.id in photos_with_sidecars else [])
            for target in targets + extra:
                if target not in owners:
                    owners[target] = sidecar_owner(index, sidecars_written, target, path, photo.id, names, stems)
                owner = owners[target]
                if owner != photo.id and (target in extra or left_over):
                    continue  # not the JPEG's to take anything out of
                if owner != photo.id and options.sidecar_naming == "ext":
                    # a stem sidecar another photo's (IMG_0100.xmp of IMG_0100.PNG, beside
                    # IMG_0100.TIF), or nobody's, is left alone: this one gets its own, as asked
                    target = as_listed(sidecar_path(path, "ext"), names)  # the user's DSC_8188.NEF.XMP, if there
                    owner = owners.setdefault(target, photo.id)
                if owner == photo.id and target in planned:
                    continue  # the photo's other file planned it already
                item = _plan_file(index, photo, path, indexed, target, rejected)
                if (rejected or target in extra) and not takes_ours_out(item, only_changes=target in extra):
                    continue  # nothing of ours there: not listed, and not a failure
                planned.add(target)
                if owner != photo.id:
                    item = shared_sidecar(item, owned=owner is not None)
                if target in extra:
                    # the JPEG's own write (maybe running alongside) changes its size: its
                    # item checks it against the index, and this one was checked just now
                    item = replace(item, indexed_size=None, indexed_mtime_ns=None)
                plan.append(item)
    # the passes over the whole plan: looked at between them, and per photo in the two that
    # read the journal or a JPEG for each (seconds on a library of 100,000 photos)
    stop = cancel.raise_if_cancelled if cancel is not None else lambda: None
    stop()
    plan = one_write_a_file(plan, names)
    stop()
    plan = photos_with_sidecars_in_cloud_left_alone(plan, photo_files, names)
    stop()
    plan = photos_stripped_since_written_held(index, plan, stop)
    stop()
    from app.core.metadata.plan_cards import files_on_cards_not_connected_left_alone  # (it imports PlannedWrite)

    plan = files_on_cards_not_connected_left_alone(index, plan)
    stop()
    return photos_with_old_label_in_jpeg_left_alone(index, plan, options, photo_files, stop)


def plan_again_where_undone(index: PhotoIndex, plan: list[PlannedWrite]) -> list[PlannedWrite]:
    """`plan` with each file it found holding its label (after our write `last_write`)
    planned anew where an undo took that write back since: an undo run between the plan
    and the write (the app showing its plan, a long plan still being made) restored the
    file, and the write would count it unchanged and leave the photo without its label.
    The write calls this once its batch has started, when no undo can start any more.
    A file planned anew keeps the label and state the plan saw (`index_label`), so a
    photo labelled again meanwhile is left as any other."""
    held = [item for item in plan if item.last_write is not None and item.problem is None
            and not item.changes_anything]
    standing = journal.entries_not_undone(index, [item.last_write for item in held]) if held else set()
    again = {id(item): _plan_file_again(index, item) for item in held if item.last_write not in standing}
    return [again.get(id(item), item) for item in plan]


def _plan_file_again(index: PhotoIndex, item: PlannedWrite) -> PlannedWrite:
    try:
        photo = index.get(item.photo_id)
    except UsageError:
        return item  # forgotten since: nothing to plan
    fresh = _plan_file(index, photo, item.source, _file_kind(index, item.source), item.target, item.rejected)
    unchecked = item.indexed_size is None  # a JPEG's old sidecar, whose JPEG is written alongside
    return replace(fresh, index_label=item.index_label, label_source=item.label_source,
                   indexed_size=None if unchecked else fresh.indexed_size,
                   indexed_mtime_ns=None if unchecked else fresh.indexed_mtime_ns)


def _file_kind(index: PhotoIndex, path: Path) -> tuple[str | None, int | None, int | None, bool, str | None]:
    """(kind, size, mtime_ns, missing, fingerprint) the index holds for `path`."""
    row = index.conn.execute(
        "SELECT kind, size, mtime_ns, missing, fingerprint FROM files WHERE path = CAST(? AS TEXT)",
        (db_text(str(path)),),
    ).fetchone()
    return (row[0], row[1], row[2], bool(row[3]), row[4]) if row else (None, None, None, False, None)


def _plan_file(
    index: PhotoIndex, photo: PhotoRecord, path: Path, indexed: tuple, target: Path, rejected: bool = False
) -> PlannedWrite:
    _, size, mtime_ns, missing, fingerprint = indexed
    embed = target == path
    names = FIELD_NAMES if embed else SIDECAR_FIELDS
    history = journal.file_history(index, target)
    previous, users_own, untracked = history.label, history.users_own, history.untracked
    if (rejected and photo.state == "rejected" and previous != photo.label
            and not is_rejected(index.conn, photo.id, previous)):
        previous = None  # our last write put another label there: not one the user rejected
    # (an unlabelled photo, planned as rejected: our last write's label comes out, whichever)
    taken_back = rejected and photo.state == "suggested" and photo.label is not None  # plan_targets.taken_back_accept
    if taken_back:
        previous = written_as_accepted(index, history.last_entry, photo.id)
    # that label stays, and the rejected one is not ours there: nothing to read the file for
    # (after an accept taken back, only a keyword our write put there as accepted comes out)
    nothing_to_take_out = rejected and previous is None and (history.label is not None or taken_back)
    label = None if rejected else photo.label
    known = embed and not missing and size is not None and not nothing_to_take_out  # a file the index describes
    own = recovery.find_own_write(target, history.last_entry, (size, mtime_ns, fingerprint)) if known else None
    if own is not None:  # our own write, cut short by a kill: not a change made elsewhere
        size, mtime_ns = own.size, own.mtime_ns
    common = dict(
        photo_id=photo.id, source=path, target=target, kind="jpeg" if embed else "sidecar", label=label,
        previous_label=previous, indexed_size=size, indexed_mtime_ns=mtime_ns, fields=names, rejected=rejected,
        own_write=own, index_label=(photo.label, photo.state),
        last_write=history.last_entry.id if history.last_entry is not None else None,
        label_taken_back=rejected and history.last_entry is not None and history.last_entry.photo_id == photo.id
        and (photo.state == "unlabelled" or (taken_back and previous is not None and history.last_entry.after.get(
            "source") == "user")),  # (a write older than the source recorded: an accept, as before)
        label_source=photo.source,
    )
    if nothing_to_take_out:
        return PlannedWrite(before=KeywordFields(), after=KeywordFields(), **common)
    stat = stat_if_there(path)
    if missing or stat is None:  # (iCloud's stand-in in its place: in the cloud, not deleted)
        return PlannedWrite(before=KeywordFields(), after=KeywordFields(), **common,
                            problem=not_downloaded_note(path) or gone_since_scan(path, index.roots()))
    if (in_the_cloud := online_only_note(stat)) is not None:  # reading it would download it
        return PlannedWrite(before=KeywordFields(), after=KeywordFields(), problem=in_the_cloud, **common)
    if changed_since_indexed(stat, size, mtime_ns):  # `write` refuses it: a dry run says so first
        return PlannedWrite(before=KeywordFields(), after=KeywordFields(), **common,
                            problem=why_changed(index, path))
    if not embed and (in_the_cloud := sidecar_not_downloaded(path, target)) is not None:
        # a sidecar evicted by iCloud is not absent: a new one beside its stand-in (of either
        # naming) would hide the editor's development history when the original comes back
        return PlannedWrite(before=KeywordFields(), after=KeywordFields(), **common,
                            problem=sidecar_in_cloud_problem(*in_the_cloud))  # the photo left whole: plan_icloud
    library = private_library_of(target)
    if library is not None:
        return PlannedWrite(
            before=KeywordFields(), after=KeywordFields(), **common,
            problem=f"it lies inside {library.name}, another program's library, which writing would break; "
                    "export the photos from it and label the copies instead",
        )
    if len(os.fsencode(target.name)) > MAX_NAME_BYTES:
        return PlannedWrite(
            before=KeywordFields(), after=KeywordFields(), **common,
            problem=f"its sidecar's name would be {len(os.fsencode(target.name))} bytes, over the "
                    f"{MAX_NAME_BYTES} a file system allows; rename the photo, or write with --sidecar-naming stem",
        )
    layout = None  # a JPEG's segments before its image data: what the write rebuilds
    try:
        if embed:
            layout, current = read_jpeg_head(target)
            names = common["fields"] = jpeg_field_names(layout)
        else:
            current = read_current_fields(target, embed)
        if not embed and not target.exists():
            # a new sidecar starts from the keywords inside the file, else darktable and
            # digiKam, which read the sidecar, would lose them (and the old landmark stays)
            current = keywords_inside(path, indexed[0])
    except (TaggerError, OSError) as error:
        message = (not_readable_words(target, error) if isinstance(error, PermissionError)  # whose: file_owner
                   else error.strerror if isinstance(error, OSError) else str(error))
        return PlannedWrite(before=KeywordFields(), after=KeywordFields(), problem=message, **common)
    if history.label is None:
        # No write of ours journalled for this file (the labels were written from another
        # index, or this one was built anew and read them back): the landmark keyword in
        # it is the one to replace where the photo's label was read back from it (then
        # relabelled), or a relabelled photo would carry both landmarks. Any other (typed
        # in Lightroom, its own new sidecar) is the user's. A rejected label's keyword
        # alone comes out: another is the user's (tagged in Lightroom after saying no to
        # the model's guess).
        if rejected:
            previous = _keyword_of(current, photo.label)
        else:
            previous = landmark_of(current.hierarchical, current.subject or current.iptc)
            if previous is not None and not read_back_from(index, photo.id, target if target.exists() else path,
                                                            previous):
                previous = None
        common["previous_label"] = previous
    # a field our journalled writes never touched holds only the user's own keywords
    users_own = replace(users_own, **{name: getattr(current, name) for name in untracked})
    existed = history.existed or frozenset()
    after = label_fields(current, label, previous, names, users_own, existed, history.original)
    moved = ours_before(index.conn, photo.id, target, label, history.label, current.taught)
    users_own_of_label, maybe_ours_of_label = \
        users_own_and_maybe_ours_moved(index.conn, target, label) if moved and label else (KeywordFields(),) * 2
    with_ours = after
    after = without_a_second_path(current, after, label, moved, users_own_of_label)  # ours moved: left in their tree
    not_added_note = _ours_not_added(with_ours, after, label, maybe_ours_of_label)
    users_own_of_previous, maybe_users_of_previous = \
        users_own_and_maybe_ours_moved(index.conn, target, previous) if previous else (KeywordFields(), KeywordFields())
    after, kept_note = kept_in_users_tree(current, after, previous, label, users_own_of_previous,
                                          maybe_users_of_previous)  # the old one stays
    # whether the photo teaches its label, where a read back would otherwise teach it wrongly
    after = replace(after, taught=taught_field_after(index.conn, photo, label, current.taught,
                                                     rewritten=after != current))
    # a dry run must not promise a write that will be refused, or a field that it leaves
    note = None
    if layout is not None and after != current:
        try:
            after, note = fit_fields(layout, current, after, str(target))
        except MetadataWriteError as error:  # an XMP packet or IPTC block over one JPEG segment
            return PlannedWrite(before=current, after=after, problem=str(error).removeprefix(f"{target}: "), **common)
    note = "; ".join(text for text in (not_added_note, kept_note, note) if text) or None
    reason = None if after == current else (
        (None if embed else too_many_keywords(current, after)) or unwritable_reason(target, stat_or_none(target)))
    return PlannedWrite(before=current, after=after, problem=reason, note=note, kept_note=kept_note, **common)


def _ours_not_added(with_ours: KeywordFields, after: KeywordFields, label: str | None,
                    maybe_ours: KeywordFields) -> str | None:
    """The note for a write of `label` that adds no path of ours (`with_ours`: the fields
    before without_a_second_path took it out) beside a path of the user's tree that our
    Teaches field alone takes for our tag moved (`maybe_ours`: users_own_and_maybe_ours_moved):
    it may as well be a friend `People|Petra`, the photo then left without the landmark's
    path while the index names it, so the user hears of it. None where ours is written, or
    where the journal saw our tag moved there."""
    for name in PATH_FIELDS:  # the first field saying it (the others mirror it: digiKam's TagsList)
        kept = KeywordSet(getattr(after, name))
        dropped = [item for item in getattr(with_ours, name) or [] if item not in kept]
        theirs = sorted({item for item in getattr(maybe_ours, name) or [] if item in kept})
        if dropped and theirs:
            return (f"no {dropped[0]} added: your tag tree holds {' and '.join(theirs)}, taken for the landmark "
                    f"as our tag may have been moved there; if it is not the landmark, add {dropped[0]} yourself")
    return None


def _keyword_of(current: KeywordFields, label: str | None) -> str | None:
    """`label` when the file holds its `Landmarks|…` keyword, else None."""
    flat = current.subject or current.iptc
    found = any(landmark_of([keyword], flat) == label for keyword in current.hierarchical or [])
    return label if label is not None and found else None
