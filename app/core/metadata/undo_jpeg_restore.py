"""Undo of one JPEG of a write batch: when the file is exactly our write's output
(proved by its bytes, our_write) its saved segments go back, giving the original byte for
byte; when it was edited since, only our keyword fields go back, and a block our write
created that holds nothing else then goes too (without_bare_creations)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.core.errors import TaggerError
from app.core.index import PhotoIndex
from app.core.metadata import atomic, iptc, journal, recovery
from app.core.metadata.exif_keywords import is_emptied_creation, older_creations
from app.core.metadata.jpeg_fields import apply_fields, read_fields, restore_segments, with_created_exif
from app.core.metadata.jpeg_segments import XMP_HEADER, parse_jpeg
from app.core.metadata.keywords import KeywordFields, revert_fields
from app.core.metadata.landmark_in_users_tree import kept_by_undo
from app.core.metadata.still_as_read import stat_before_reading
from app.core.metadata.undo_file_checks import (CHANGED_ELSEWHERE, KEPT_IN_USERS_TREE, current_bytes, held_by_write,
                                                none_left_of)
from app.core.metadata.undo_outcome import PhotoGoneError
from app.core.metadata.verify import VerificationError
from app.core.metadata.xmp import RDF, X, XmpDocument, refuse_duplicates


def undo_jpeg(index: PhotoIndex, path: Path, entry: journal.JournalEntry,
               library_folders: list[Path], notes: list[tuple[str, str]]) -> bool | str:
    read_as = stat_before_reading(path)  # another program's file renamed over it since is not overwritten
    data = current_bytes(path, library_folders)
    if data is None:
        raise PhotoGoneError(f"{path} has disappeared; cannot restore its keywords")
    # When the file is exactly what our write produced (our_write), the saved
    # segments give back the original byte for byte; otherwise only our fields go back.
    # A field the entry does not record (written by an older version) stays as it is.
    candidate = restore_segments(data, entry.saved_segments(), str(path))
    before, after = entry.fields_with(read_fields(candidate, str(path)))
    ours = our_write(data, candidate, entry, after, str(path))
    kept = None
    if ours is not None:
        restored, wanted = candidate, before
    else:  # edited since: keep what was added after our write
        _refuse_duplicates(data, str(path))
        current = read_fields(data, str(path))
        before, after = entry.fields_with(current)
        wanted, kept = kept_by_undo(index.conn, path, entry.after.get("label"), current,
                                    revert_fields(current, before, after), before)
        # nothing that write added is left (another program took it out): the older
        # write's keywords it replaced are not put back into the file the user stripped
        restored = data if wanted == current or none_left_of(current, before, after) else \
            without_bare_creations(apply_fields(data, wanted, str(path)), entry, str(path))
    if kept is not None:
        notes.append((str(path), kept))
    if restored == data:  # nothing to put back: maybe an undo killed after its rename
        if recovery.record_own_undo(index, path, entry):
            return True
        if kept is not None and entry.completed and (entry.size_after or 0) >= 0:
            return KEPT_IN_USERS_TREE
        if not entry.completed or (entry.size_after or 0) < 0:
            return False  # our write never reached it
        if not entry.undo_target:
            return CHANGED_ELSEWHERE  # no undo of ours got as far as its rename
        if recovery.undo_put_in(entry, data, str(path)):
            return False  # a killed undo put these bytes in: restored
        # a killed undo noted it, then it changed: renamed in and edited since, or never
        # renamed and stripped since; one `write` holds stays held either way
        return CHANGED_ELSEWHERE if held_by_write(entry) else False
    # before the rename: a kill after it is then recognised, and its rerun knows this file was reached
    if ours is None or not ours.rerun_knows_original:
        recovery.note_undo(index, path, entry, restored)
    else:  # a hash would be for nothing: the rerun knows the original by redoing the write
        recovery.note_undo_reaching(index, entry, restored)
    stat = atomic.replace_atomically(path, restored, keep_mtime=not entry.touched, library_folders=library_folders,
                                     read_as=read_as)
    if read_fields(path.read_bytes(), str(path)) != wanted:
        raise VerificationError(f"{path}: keywords did not read back as intended after undoing the write")
    journal.update_indexed_file(index, path, stat, restored)
    return True


def _refuse_duplicates(data: bytes, name: str) -> None:
    """A file edited since whose XMP holds a keyword array twice under one name (merged
    packets) is left alone (xmp.refuse_duplicates): taking ours out of the one we read
    could leave it in the one exiftool shows."""
    xmp = parse_jpeg(data, name).first("xmp")
    if xmp is not None:
        refuse_duplicates(XmpDocument.parse(xmp.payload[len(XMP_HEADER) :], name), name=name)


def without_bare_creations(data: bytes, entry: journal.JournalEntry, name: str = "file") -> bytes:
    """`data` (our keywords taken out of a file edited since) without each segment the
    entry's write created (it saved no payload for it) that holds nothing but what the
    write put there: an EXIF block with only its mandatory tags, an IPTC block with
    only its record version and UTF-8 mark, an XMP packet with no property. Another
    program's edit elsewhere (an XMP rating) then leaves no empty block of ours behind;
    a segment anyone put anything into since stays."""
    layout = parse_jpeg(data, name)
    jfif = layout.first("jfif")
    bare_ones = {
        "exif": lambda payload: is_emptied_creation(payload, jfif.payload if jfif else None),
        "photoshop": iptc.holds_only_bookkeeping,
        "xmp": lambda payload: _xmp_holds_nothing(payload[len(XMP_HEADER):], name),
    }
    bare = {
        kind: None for kind, saved in entry.saved_segments().items()
        if saved is None and kind in bare_ones
        and (segment := layout.first(kind)) is not None and bare_ones[kind](segment.payload)
    }
    return restore_segments(data, bare, name) if bare else data


def _xmp_holds_nothing(packet: bytes, name: str) -> bool:
    """Whether an XMP packet holds no property: only x:xmpmeta (its toolkit name aside),
    rdf:RDF and rdf:Description elements with nothing but rdf:about."""
    doc = XmpDocument.parse(packet, name)
    frame = {f"{{{X}}}xmpmeta", f"{{{RDF}}}RDF", f"{{{RDF}}}Description"}
    return all(
        element.tag in frame and not (element.text or "").strip()
        and set(element.attrib) <= {f"{{{RDF}}}about", f"{{{X}}}xmptk"}
        for element in doc.root.iter()
    )


@dataclass(frozen=True)
class OurWrite:
    """What proved a JPEG exactly our write (see our_write)."""

    digest: bool  # its bytes hash to the entry's SHA-256
    redone: bool  # today's writer makes exactly its bytes of the original

    @property
    def rerun_knows_original(self) -> bool:
        """Whether the rerun of an undo killed after its rename knows the original put
        back without a note of its SHA-256: redoing the write on it gives the entry's
        digest and undoing that gives it back (recovery.record_own_undo), so the undo
        hashes the file once, not twice."""
        return self.digest and self.redone


def our_write(data: bytes, candidate: bytes, entry: journal.JournalEntry,
              after: KeywordFields, name: str = "file") -> OurWrite | None:
    """Whether (and how) the JPEG `data` is exactly what `entry`'s write made of `candidate`
    (the file with the entry's saved segments put back), so that putting those segments
    back gives the original byte for byte and loses nobody's edit; None when it is not.
    The proof is the bytes, never the file's size or time (we keep the photo's time,
    other tools can too, and copying a library to a new disk changes it without
    changing a byte):
    - the entry's SHA-256 of the bytes its write put in (`after.sha256`, recorded by
      every version since it came in) is the file's: exact, whatever wrote them (not
      hashed when the entry's size or fingerprint of those bytes already differs);
    - or redoing the write on `candidate` with today's writer gives exactly `data`;
    - or, for an entry without a digest (an older version's), the file is byte for
      byte what today's writer makes of `candidate` with the one difference older
      versions are known to have made: they created an EXIF segment for XPKeywords in a
      JPEG that had none (today's writer creates none), as `exif_keywords.older_creations`
      rebuilds it.
    Restoring touches only the EXIF, XMP and IPTC segments the entry saved, so the
    last two also hold when another program changed something else since (a
    comment, an ICC profile): its change survives the undo, as it does now. A
    change inside one of our segments (a tag added to the EXIF we created, a
    caption in our XMP), or an older version's output we cannot rebuild exactly,
    fails the proof, and undo then takes out only our keyword fields."""
    digest = (entry.digest is not None and entry.could_hold(len(data), lambda: journal.fingerprint_of(data))
              and recovery.file_digest(data) == entry.digest)
    try:
        written = apply_fields(candidate, after, name)
    except TaggerError:
        if digest:  # ours by its bytes, whatever today's writer makes of them
            return OurWrite(digest=True, redone=False)
        raise
    if digest or written == data:
        return OurWrite(digest=digest, redone=written == data)
    if entry.digest is not None or entry.saved_segments().get("exif", b"") is not None or not after.xp:
        return None  # only a digestless write that created the EXIF segment can differ
    jfif = parse_jpeg(candidate, name).first("jfif")
    if any(with_created_exif(written, payload, name) == data
           for payload in older_creations(after.xp, jfif.payload if jfif else None)):
        return OurWrite(digest=False, redone=False)
    return None
