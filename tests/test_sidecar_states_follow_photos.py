"""The last seen states of the sidecars that held a photo's keyword (index/sidecar_states.py)
go with their photo: forgetting the photo takes its rows out, a move or a relocated library
folder re-points them to the new paths. A row left behind cost a stat at every scan for
good, and a moved sidecar read as a changed one (its photo read again)."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.core.index import sidecar_states
from app.core.index.forget import forget_folder, forget_missing
from app.core.relocate import relocate_folder
from app.core.scanner import scan
from tests import test_sidecar_keywords_changed_elsewhere as lightroom

index = lightroom.index  # the fixture: an index of its own in tmp_path


def _states(index) -> list[tuple[str, int]]:
    return [(str(path), int(photo_id)) for path, photo_id in
            index.conn.execute("SELECT path, photo_id FROM sidecar_states ORDER BY path")]


def _recorded_pair(tmp_path: Path, index) -> tuple[Path, Path, int]:
    """A written JPEG+NEF pair whose sidecar Lightroom saved since, its state recorded by a scan."""
    photo, sidecar, photo_id = lightroom._written_pair(tmp_path, index)
    lightroom._lightroom_saved(sidecar, lightroom.OUR_SUBJECT + "<rdf:li>Rome trip</rdf:li>", lightroom.OUR_HIERARCHY)
    assert scan(index, [photo.parent]).changed == 1
    assert _states(index) == [(str(sidecar), photo_id)]
    return photo, sidecar, photo_id


def test_forgetting_a_folder_takes_its_photos_sidecar_states_out(tmp_path, index):
    photo, _sidecar, _photo_id = _recorded_pair(tmp_path, index)
    assert forget_folder(index, photo.parent).photos == 1
    assert _states(index) == []
    assert not sidecar_states.known_sidecars(index.conn)  # (the journal's rows stay, for undo, unread)


def test_forgetting_a_missing_photo_takes_its_sidecar_states_out(tmp_path, index):
    photo, sidecar, _photo_id = _recorded_pair(tmp_path, index)
    keep = photo.parent / "other.JPG"
    lightroom.make_jpeg(keep, seed=7)  # the folder keeps a photo (another picture): its missing one can go
    for path in (photo, photo.with_suffix(".NEF"), sidecar):
        path.unlink()
    scan(index, [photo.parent])
    assert forget_missing(index).photos == 1
    assert _states(index) == []
    assert not sidecar_states.known_sidecars(index.conn)  # nothing left to look at in the scans to come


def test_a_photo_moved_with_its_sidecar_takes_its_sidecar_state_along(tmp_path, index):
    photo, sidecar, photo_id = _recorded_pair(tmp_path, index)
    day = photo.parent / "Day 1"
    day.mkdir()
    for path in (photo, photo.with_suffix(".NEF"), sidecar):
        shutil.move(path, day / path.name)
    assert scan(index, [photo.parent]).moved == 1
    assert _states(index) == [(str(day / sidecar.name), photo_id)]
    again = scan(index, [photo.parent])
    assert (again.changed, again.new, again.moved) == (0, 0, 0)  # the moved sidecar is not read as changed


def test_a_relocated_library_folder_takes_its_sidecar_states_along(tmp_path, index):
    photo, sidecar, photo_id = _recorded_pair(tmp_path, index)
    moved = tmp_path / "Rome 2024"
    shutil.move(photo.parent, moved)
    relocate_folder(index, photo.parent, moved)
    assert _states(index) == [(str(moved / sidecar.name), photo_id)]
    assert scan(index, [moved]).changed == 0


def test_a_relocated_library_folder_takes_the_files_its_labels_were_read_back_from_along(tmp_path, index):
    """(found with the above) relocate re-pointed the write journal and these states but not
    read_back_keywords, as a move does: after it a relabel no longer knew which files held
    the keyword read back, nor the scan which files to look at for one removed elsewhere."""
    photo, sidecar, photo_id = _recorded_pair(tmp_path, index)
    index.conn.execute("INSERT OR REPLACE INTO read_back_keywords (photo_id, path, keyword) VALUES (?, ?, ?)",
                       (photo_id, str(sidecar), "Landmarks|Colosseum"))
    moved = tmp_path / "Rome 2024"
    shutil.move(photo.parent, moved)
    relocate_folder(index, photo.parent, moved)
    assert [(str(path), int(pid)) for path, pid in index.conn.execute(
        "SELECT path, photo_id FROM read_back_keywords")] == [(str(moved / sidecar.name), photo_id)]


def _written_pair_moved_and_edited(tmp_path: Path, index, subject: str, hierarchy: str) -> tuple[Path, Path, int]:
    """A written pair moved with its sidecar into Rome/Day 1 (`mv Rome/DSC_0001.* "Rome/Day 1/"`)
    and the sidecar then saved in Lightroom, before the next scan: (JPEG, sidecar, photo id) there."""
    photo, sidecar, photo_id = lightroom._written_pair(tmp_path, index)
    day = photo.parent / "Day 1"
    day.mkdir()
    for path in (photo, photo.with_suffix(".NEF"), sidecar):
        shutil.move(path, day / path.name)
    lightroom._lightroom_saved(day / sidecar.name, subject, hierarchy)
    return day / photo.name, day / sidecar.name, photo_id


def test_a_keyword_replaced_in_a_sidecar_moved_with_its_photo_becomes_the_label(tmp_path, index):
    """(review 13) the move scan recorded the edited sidecar as known under the photo: the
    label stayed Colosseum at every scan, and `write` put Colosseum back beside Petra."""
    photo, sidecar, photo_id = _written_pair_moved_and_edited(
        tmp_path, index, "<rdf:li>Petra</rdf:li>", "<rdf:li>Landmarks|Petra</rdf:li>")
    summary = scan(index, [photo.parent.parent])
    assert summary.moved == 1
    assert [(Path(change["path"]).name, change["how"], change["label"])
            for change in summary.keywords_changed_elsewhere] == [("DSC_0001.NEF.xmp", "replaced", "Petra")]
    assert lightroom._state(index, photo_id) == ("Petra", "accepted")
    again = scan(index, [photo.parent.parent])
    assert (again.changed, again.moved, again.keywords_changed_elsewhere) == (0, 0, [])
    lightroom.write_all(index)
    assert lightroom.fields_of_sidecar(sidecar.read_bytes()).hierarchical == ["Landmarks|Petra"]
    assert lightroom.read_fields(photo.read_bytes()).hierarchical == ["Landmarks|Petra"]


def test_a_keyword_removed_from_a_sidecar_moved_with_its_photo_rejects_the_label_at_the_move(tmp_path, index):
    photo, sidecar, photo_id = _written_pair_moved_and_edited(
        tmp_path, index, "<rdf:li>Rome trip</rdf:li>", "<rdf:li>Places|Rome</rdf:li>")
    edited = sidecar.read_bytes()
    summary = scan(index, [photo.parent.parent])
    assert summary.moved == 1
    assert [change["how"] for change in summary.keywords_changed_elsewhere] == ["removed"]
    assert lightroom._state(index, photo_id) == ("Colosseum", "rejected")
    again = scan(index, [photo.parent.parent])
    assert (again.changed, again.moved, again.keywords_changed_elsewhere) == (0, 0, [])
    lightroom.write_all(index)
    assert sidecar.read_bytes() == edited


def _gone_rows(index) -> int:
    return index.conn.execute("SELECT count(*) FROM sidecar_states WHERE size = -1").fetchone()[0]


def test_the_gone_row_of_a_sidecar_no_other_record_knows_is_dropped_by_the_next_scan(tmp_path, index):
    """A GONE row left for good cost a stat at every scan: once a scan read the photo
    without the sidecar, the next one that finds it still gone lets the row go."""
    photo, _sidecar, photo_id = _recorded_pair(tmp_path, index)
    stem_sidecar = photo.with_suffix(".xmp")  # a sidecar the scan recorded, no write of ours journalled
    stem_sidecar.write_text("<x:xmpmeta xmlns:x='adobe:ns:meta/'/>", encoding="utf-8")
    with index.transaction() as conn:
        sidecar_states.remember(conn, photo_id, [str(stem_sidecar)])
    stem_sidecar.unlink()
    assert scan(index, [photo.parent]).changed == 1  # read again once, without it
    assert _gone_rows(index) == 1
    assert scan(index, [photo.parent]).changed == 0
    assert _gone_rows(index) == 0
    assert [path for path, _ in _states(index)] == [str(_sidecar)]  # the journalled one's row stays


def test_a_written_sidecar_deleted_then_put_back_edited_is_still_followed(tmp_path, index):
    """Our write's journal entry still knows it: its GONE row stays (else the entry's state
    would read as changed at every scan), and the sidecar put back is read again."""
    photo, sidecar, photo_id = _recorded_pair(tmp_path, index)
    kept = sidecar.read_text(encoding="utf-8")
    sidecar.unlink()
    assert scan(index, [photo.parent]).changed == 1
    assert scan(index, [photo.parent]).changed == 0
    assert _gone_rows(index) == 1
    sidecar.write_text(kept.replace(lightroom.OUR_SUBJECT, "").replace(lightroom.OUR_HIERARCHY, ""), encoding="utf-8")
    lightroom.saved_later(sidecar)
    summary = scan(index, [photo.parent])
    assert [change["how"] for change in summary.keywords_changed_elsewhere] == ["removed"]
    assert lightroom._state(index, photo_id) == ("Colosseum", "rejected")
