"""Undo of one XMP sidecar of a write batch: one exactly our write's output gets its
original bytes back (one we created is removed); one edited since loses only our keyword
fields, and one holding nothing of ours any more is left as it is, bytes and time."""

from __future__ import annotations

import os
from pathlib import Path

from app.core.index import PhotoIndex
from app.core.metadata import atomic, journal, recovery
from app.core.metadata.keywords import SIDECAR_FIELDS, revert_fields
from app.core.metadata.landmark_in_users_tree import kept_by_undo
from app.core.metadata.sidecar import fields_of_sidecar, render_sidecar
from app.core.metadata.still_as_read import refuse_if_not_as_read, stat_before_reading
from app.core.metadata.undo_file_checks import CHANGED_ELSEWHERE, KEPT_IN_USERS_TREE, current_bytes, none_left_of
from app.core.metadata.undo_outcome import GONE_WITH_ITS_PHOTO, SidecarGoneError, SidecarMovedError
from app.core.metadata.verify import VerificationError
from app.core.metadata.xmp import XmpDocument, refuse_duplicates
from app.core.path_case import fold


def _photo_file_gone_too(sidecar: Path) -> bool:
    """Whether no file the sidecar describes is beside it any more (DSC_0001.NEF of
    DSC_0001.NEF.xmp, any DSC_0001.* of DSC_0001.xmp): moved or renamed with it, maybe."""
    described = fold(sidecar.with_suffix("").name)
    try:
        names = os.listdir(sidecar.parent)
    except OSError:
        return True
    return not any(fold(name) == described or (fold(name).rpartition(".")[0] == described
                                               and not name.lower().endswith(".xmp")) for name in names)


def undo_sidecar(index: PhotoIndex, path: Path, entry: journal.JournalEntry, library_folders: list[Path],
                  notes: list[tuple[str, str]]) -> bool | str:
    read_as = stat_before_reading(path)  # another program's sidecar renamed over it since is not overwritten
    existing = current_bytes(path, library_folders)
    if existing is None:
        with_its_photo = _photo_file_gone_too(path)
        if entry.before.get("absent"):  # already gone; never created (killed before its rename): not restored
            created = entry.completed and (entry.size_after or 0) >= 0
            if created and with_its_photo:  # deleted, or moved off the library: undo cannot tell
                notes.append((str(path), GONE_WITH_ITS_PHOTO))
            return created
        gone = SidecarMovedError if with_its_photo else SidecarGoneError
        raise gone(f"the sidecar {path} has disappeared; cannot restore it")
    original = None if entry.before.get("absent") else journal.decode_blob(entry.before["text"])
    _, after = entry.fields_with(fields_of_sidecar(original, str(path)))
    # exactly our output: the bytes our write put in (a sidecar we created names its
    # photo, xmpMM:DerivedFrom), or what today's writer makes of the original (an entry
    # an older version wrote without a digest)
    ours = entry.digest is not None and recovery.file_digest(existing) == entry.digest
    if ours or render_sidecar(original, after, str(path)) == existing:
        if entry.before.get("absent"):
            if read_as is not None:  # another program's sidecar renamed over ours since is not removed
                refuse_if_not_as_read(path, read_as, gone=lambda: SidecarGoneError(
                    f"the sidecar {path} has disappeared; cannot restore it"))
            atomic.remove_file(path)
        else:
            atomic.replace_atomically(path, original, keep_mtime=not entry.touched, library_folders=library_folders,
                                      read_as=read_as)
        return True
    # edited since: take out only our change, keep what was added after it; not from a
    # packet holding a keyword array twice (merged), where ours could stay in the other
    refuse_duplicates(XmpDocument.parse(existing, str(path)), name=str(path))
    current = fields_of_sidecar(existing, str(path))
    before, after = entry.fields_with(current)
    wanted, kept = kept_by_undo(index.conn, path, entry.after.get("label"), current,
                                revert_fields(current, before, after, SIDECAR_FIELDS), before)
    wanted = wanted.only(SIDECAR_FIELDS)
    if kept is not None:
        notes.append((str(path), kept))
        if wanted == current.only(SIDECAR_FIELDS):
            return KEPT_IN_USERS_TREE if entry.completed and (entry.size_after or 0) >= 0 else True
    if wanted == current.only(SIDECAR_FIELDS) or none_left_of(current, before, after):
        # nothing of ours left to take out (darktable rewrote it from its database; for a
        # relabel, the older label is not put back): its bytes and time stay, else its
        # "look for updated XMP files" flags the image
        return CHANGED_ELSEWHERE if entry.completed and (entry.size_after or 0) >= 0 else True
    restored = render_sidecar(existing, wanted, str(path))
    if restored != existing:
        atomic.replace_atomically(path, restored, keep_mtime=not entry.touched, library_folders=library_folders,
                                  read_as=read_as)
    if fields_of_sidecar(path.read_bytes(), str(path)) != wanted:
        raise VerificationError(f"{path}: keywords did not read back as intended after undoing the write")
    return True
