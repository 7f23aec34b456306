"""review6 F2: on Windows ReplaceFileW removed DSC_0001.NEF.xmp (darktable's history, the
keyword Holiday) and the rename of our temp after it failed; our error said the temp is
the only copy: "rename it DSC_0001.NEF.xmp". A plain `write` again created a fresh sidecar
holding only Petra and deleted that temp at once. Now a write refuses to create a file
beside such a temp (app/core/metadata/only_copy_temps.py: the failed replace records it as
the file's only copy), and a run never deletes a temp so recorded (killed_run_temps)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from app.core.index import PhotoIndex
from app.core.metadata import atomic, plan_writes, write_labels
from app.core.metadata.killed_run_temps import TempsBeforeRun
from app.core.metadata.plan import WriteOptions
from tests.test_metadata_support import add_photo

DARKTABLE = """<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:darktable="http://darktable.sf.net/" xmlns:dc="http://purl.org/dc/elements/1.1/"
    darktable:xmp_version="5" darktable:history_end="1">
   <darktable:history><rdf:Seq>
     <rdf:li darktable:operation="colorbalancergb" darktable:enabled="1" darktable:params="USERS_HOURS_OF_GRADING"/>
   </rdf:Seq></darktable:history>
   <dc:subject><rdf:Bag><rdf:li>Holiday</rdf:li></rdf:Bag></dc:subject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
"""


def _windows_replace_removing_the_sidecar(monkeypatch) -> None:
    """ReplaceFileW removed the old sidecar, then the rename after it failed (as review6's winfail.py)."""
    real = atomic.replace_file

    def replace(source, target, *args, **kwargs):
        if str(target).endswith(".xmp"):
            os.remove(target)
            raise PermissionError(errno.EACCES, "Access is denied (simulated)", str(target))
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(atomic, "replace_file", replace)


def _temps(folder: Path) -> list[Path]:
    return sorted(path for path in folder.iterdir() if atomic.named_as_our_temp(path.name))


def _failed_windows_write(tmp_path: Path, monkeypatch) -> tuple[Path, Path, Path]:
    library = tmp_path / "Raw"
    library.mkdir()
    raw, sidecar = library / "DSC_0001.NEF", library / "DSC_0001.NEF.xmp"
    raw.write_bytes(b"not really a raw file, never read")
    sidecar.write_text(DARKTABLE, encoding="utf-8")
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        add_photo(index, [raw], "Petra")
        with monkeypatch.context() as patched:
            _windows_replace_removing_the_sidecar(patched)
            failed = write_labels(index, plan_writes(index), WriteOptions(workers=1))
    [(path, message)] = failed.errors
    [temp] = _temps(library)
    assert path == str(sidecar) and not sidecar.exists() and f"rename it {sidecar.name}" in message
    assert "USERS_HOURS_OF_GRADING" in temp.read_text(encoding="utf-8")  # the only copy of the user's edits
    return db, sidecar, temp


def test_a_write_again_refuses_to_create_the_sidecar_beside_its_only_copy(tmp_path, monkeypatch):
    db, sidecar, temp = _failed_windows_write(tmp_path, monkeypatch)
    kept = temp.read_bytes()
    with PhotoIndex.open(db) as index:
        again = write_labels(index, plan_writes(index), WriteOptions(workers=1))
    assert again.written == 0 and again.failed == 1
    [(path, message)] = again.errors
    assert path == str(sidecar) and str(temp) in message and f"rename it {sidecar.name}" in message
    assert not sidecar.exists() and temp.read_bytes() == kept
    with PhotoIndex.open(db) as index:  # the refusal keeps the record of the only copy: again and again
        assert write_labels(index, plan_writes(index), WriteOptions(workers=1)).failed == 1
    assert not sidecar.exists() and temp.read_bytes() == kept


def test_once_renamed_as_advised_the_write_goes_on_with_the_users_edits(tmp_path, monkeypatch):
    db, sidecar, temp = _failed_windows_write(tmp_path, monkeypatch)
    temp.rename(sidecar)
    with PhotoIndex.open(db) as index:
        again = write_labels(index, plan_writes(index), WriteOptions(workers=1))
    assert again.failed == 0
    text = sidecar.read_text(encoding="utf-8")
    assert "USERS_HOURS_OF_GRADING" in text and "Holiday" in text and "Petra" in text


def test_a_temp_recorded_as_a_missing_files_only_copy_is_never_deleted_for_it(tmp_path, monkeypatch):
    """Even were the file written meanwhile (another program wrote it), the temp our failed
    replace left, recorded as its only copy, may be what the user still needs. (A temp of a
    missing file not so recorded goes: tests/test_unrecorded_temps_never_block.py.)"""
    db, sidecar, temp = _failed_windows_write(tmp_path, monkeypatch)
    kept = temp.read_bytes()
    with PhotoIndex.open(db) as index:
        listed = TempsBeforeRun.listed_in([sidecar.parent], index.conn)
    sidecar.write_text("a fresh sidecar", encoding="utf-8")
    assert listed.remove_those_of([sidecar]) == []
    assert temp.read_bytes() == kept
