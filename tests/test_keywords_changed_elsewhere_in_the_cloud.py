"""The scan's check for a landmark keyword taken out in another program reads the photo's
files that held it: one online-only (OneDrive Files On-Demand, iCloud's dataless files) it
must not open, since that downloads it, while the same scan says it is "not downloaded
(kept as indexed)" (portability review F2). Such a photo is left as it was until the file
is downloaded."""

from __future__ import annotations

from pathlib import Path

import app.core.metadata.file_now as file_now
import app.core.scan_folder_sync as scan_folder_sync
from app.core.metadata import plan_writes, write_labels
from app.core.photo_info import PhotoInfo
from app.core.scanner import scan
from tests.test_cloud_placeholders import online_only  # noqa: F401  (the fixture)
from tests.test_sidecar_keywords_changed_elsewhere import (  # noqa: F401  (index: the fixture)
    _lightroom_saved, _state, _written_pair, index, write_all)


def test_a_photo_whose_jpeg_is_online_only_is_left_as_it_was_and_the_jpeg_unread(tmp_path, index, online_only,
                                                                                  monkeypatch):
    read_header = scan_folder_sync.read_photo_info  # the NEF read as one (the sidecar's change reads it again)
    monkeypatch.setattr(scan_folder_sync, "read_photo_info", lambda path: PhotoInfo(kind="raw", width=6000, height=4000)
                        if str(path).endswith(".NEF") else read_header(path))
    photo, sidecar, photo_id = _written_pair(tmp_path, index)
    _lightroom_saved(sidecar, "<rdf:li>Rome trip</rdf:li>", "<rdf:li>Places|Rome</rdf:li>")  # the user took it out
    online_only.names.add(photo.name)
    online_only.read.clear()
    heads_read: list[str] = []
    real_head = file_now.read_jpeg_head
    monkeypatch.setattr(file_now, "read_jpeg_head", lambda path: heads_read.append(Path(path).name) or real_head(path))
    summary = scan(index, [photo.parent])
    assert heads_read == [] and photo.name not in online_only.read
    assert summary.not_downloaded == 1
    assert [(Path(change["path"]).name, change["how"]) for change in summary.keywords_changed_elsewhere] == [
        ("DSC_0001.JPG", "not downloaded")]
    assert "1 file in iCloud or online-only, not downloaded (kept as indexed)" in summary.line()
    assert "changed or removed in another program" not in summary.line()
    assert _state(index, photo_id) == ("Colosseum", "accepted")  # cannot tell yet: never rejected
    edited = sidecar.read_bytes()
    meanwhile = write_labels(index, plan_writes(index))  # skips the photo, its sidecar too, saying why
    assert (meanwhile.written, meanwhile.failed, sidecar.read_bytes()) == (0, 2, edited)
    assert scan(index, [photo.parent]).keywords_changed_elsewhere[0]["how"] == "not downloaded"  # still put off
    online_only.names.clear()  # downloaded (its size and time as before): the user's edit of the sidecar is followed
    summary = scan(index, [photo.parent])
    assert [(Path(change["path"]).name, change["how"]) for change in summary.keywords_changed_elsewhere] == [
        ("DSC_0001.NEF.xmp", "removed")]
    assert _state(index, photo_id) == ("Colosseum", "rejected")
    write_all(index)
    assert sidecar.read_bytes() == edited  # as the user saved it
