"""A JPEG renumbered over a pair's JPEG after `write` (DSC_0002.JPG, written "Petra",
renamed DSC_0001.JPG beside an untouched DSC_0001.NEF, written "Colosseum") leaves that
pair, whose label stays with the RAW; its file still holds our `Landmarks|Petra`, written
for exactly the picture it holds. Before, the new photo was left unlabelled, `write`
left the keyword there, and a new index of the same folder read it as Petra: the index
and the file disagreed, and the result hung on the index's history. Now the scan reads
the label back from the file as it does for any new file. A decision the user made about
that picture since (rejected, relabelled) and did not write yet goes with it: before, the
file's stale keyword came back as the user's accepted label."""

from __future__ import annotations

import json
from pathlib import Path

from app.core.metadata.jpeg_fields import apply_fields, read_fields
from app.core.metadata.keywords import KeywordFields
from tests.test_renumbered_jpeg_beside_an_unchanged_raw import run
from tests.test_roundtrip_other_tools import saved_later
from tests.test_renumbering_support import rename_all, two_raw_jpeg_pairs

SPLIT_NOTE = ("DSC_0001.JPG left DSC_0001.NEF's photo: it holds the picture that was DSC_0002.JPG "
              '(renamed over it); its label "Colosseum" stays with DSC_0001.NEF')


def written_pairs_renumbered(capsys, db: str, trip: Path, *then: str) -> None:
    """Two RAW+JPEG pairs labelled Colosseum and Petra and written; then (`then`: a command
    given DSC_0002's photo, e.g. "reject", not written) DSC_0001.JPG deleted and
    DSC_0002.JPG renamed over it."""
    two_raw_jpeg_pairs(trip, timed=True)
    run(capsys, "--db", db, "scan", str(trip))
    assert run(capsys, "--db", db, "label", f'path:"{trip / "DSC_0001.JPG"}"', "Colosseum")[0] == 0
    assert run(capsys, "--db", db, "label", f'path:"{trip / "DSC_0002.JPG"}"', "Petra")[0] == 0
    assert run(capsys, "--db", db, "write")[0] == 0
    assert read_fields((trip / "DSC_0002.JPG").read_bytes()).hierarchical == ["Landmarks|Petra"]
    if then == ("undo --review",):  # takes back the last review command: DSC_0002's label
        assert run(capsys, "--db", db, "undo", "--review")[0] == 0
    elif then:
        assert run(capsys, "--db", db, then[0], f'path:"{trip / "DSC_0002.JPG"}"', *then[1:])[0] == 0
    (trip / "DSC_0001.JPG").unlink()
    rename_all(trip, [("DSC_0002.JPG", "DSC_0001.JPG")])


def rows(capsys, db: str) -> dict[str, tuple]:
    _, out, _ = run(capsys, "--db", db, "search", "--json", "")
    return {Path(row["path"]).name: (row["label"], row["state"], row["source"]) for row in map(json.loads, out.splitlines())}


def test_the_jpeg_renamed_over_a_pair_takes_the_label_its_file_holds_as_a_new_index_does(tmp_path, capsys) -> None:
    trip, db = tmp_path / "Trip", str(tmp_path / "index.db")
    written_pairs_renumbered(capsys, db, trip)

    _, _, said = run(capsys, "--db", db, "scan", str(trip))
    after_scan = rows(capsys, db)
    code, _, wrote = run(capsys, "--db", db, "write")

    assert SPLIT_NOTE in said and "1 label read from the files" in said
    assert after_scan["DSC_0001.JPG"] == ("Petra", "accepted", "user")
    assert after_scan["DSC_0001.NEF"][0] == "Colosseum" and after_scan["DSC_0002.NEF"][0] == "Petra"
    assert code == 0 and "0 files written" in wrote  # index and files agree: nothing to write
    assert read_fields((trip / "DSC_0001.JPG").read_bytes()).hierarchical == ["Landmarks|Petra"]
    assert "Colosseum" in (trip / "DSC_0001.NEF.xmp").read_text(encoding="utf-8")
    fresh = str(tmp_path / "fresh.db")
    run(capsys, "--db", fresh, "scan", str(trip))
    assert rows(capsys, fresh)["DSC_0001.JPG"] == after_scan["DSC_0001.JPG"]


def test_a_keyword_another_program_adds_to_the_jpeg_renamed_over_stays_with_its_label(tmp_path, capsys) -> None:
    trip, db = tmp_path / "Trip", str(tmp_path / "index.db")
    written_pairs_renumbered(capsys, db, trip)
    run(capsys, "--db", db, "scan", str(trip))
    jpeg = trip / "DSC_0001.JPG"  # then another program adds a person's keyword to it
    now = read_fields(jpeg.read_bytes())
    jpeg.write_bytes(apply_fields(jpeg.read_bytes(), KeywordFields(**{
        **vars(now), "subject": [*(now.subject or []), "Ana"], "hierarchical": [*now.hierarchical, "People|Ana"]})))
    saved_later(jpeg)

    _, _, said = run(capsys, "--db", db, "scan", str(trip))
    code, _, wrote = run(capsys, "--db", db, "write")

    assert "changed or removed in another program" not in said
    assert rows(capsys, db)["DSC_0001.JPG"] == ("Petra", "accepted", "user")
    assert code == 0 and "0 files written" in wrote
    fields = read_fields(jpeg.read_bytes())
    assert fields.hierarchical == ["Landmarks|Petra", "People|Ana"] and "Ana" in fields.subject


def test_a_rejection_not_written_yet_goes_with_the_picture_renamed_over_a_pair(tmp_path, capsys) -> None:
    trip, db = tmp_path / "Trip", str(tmp_path / "index.db")
    written_pairs_renumbered(capsys, db, trip, "reject")

    _, _, said = run(capsys, "--db", db, "scan", str(trip))
    after_scan = rows(capsys, db)
    code, _, wrote = run(capsys, "--db", db, "write")

    assert SPLIT_NOTE in said and "label read from the files" not in said
    assert after_scan["DSC_0001.JPG"] == ("Petra", "rejected", "user") == after_scan["DSC_0002.NEF"]
    assert code == 0 and "0 failed" in wrote
    fields = read_fields((trip / "DSC_0001.JPG").read_bytes())  # the rejected keyword taken out
    assert not fields.hierarchical and "Petra" not in (fields.subject or [])
    assert "Colosseum" in (trip / "DSC_0001.NEF.xmp").read_text(encoding="utf-8")
    assert rows(capsys, db)["DSC_0001.JPG"] == ("Petra", "rejected", "user")


def test_a_relabel_not_written_yet_goes_with_the_picture_renamed_over_a_pair(tmp_path, capsys) -> None:
    trip, db = tmp_path / "Trip", str(tmp_path / "index.db")
    written_pairs_renumbered(capsys, db, trip, "label", "Trevi Fountain")

    run(capsys, "--db", db, "scan", str(trip))
    after_scan = rows(capsys, db)
    code, _, _ = run(capsys, "--db", db, "write")

    assert after_scan["DSC_0001.JPG"] == ("Trevi Fountain", "accepted", "user") == after_scan["DSC_0002.NEF"]
    fields = read_fields((trip / "DSC_0001.JPG").read_bytes())
    assert code == 0 and fields.hierarchical == ["Landmarks|Trevi Fountain"] and "Petra" not in fields.subject


def test_a_label_taken_back_after_write_stays_taken_back_for_the_picture_renamed_over_a_pair(
        tmp_path, capsys) -> None:
    """`undo --review` took Petra back (the pair unlabelled, its files left as they are): the
    index's "no label" goes with the picture, not the keyword `write` had put in its file."""
    trip, db = tmp_path / "Trip", str(tmp_path / "index.db")
    written_pairs_renumbered(capsys, db, trip, "undo --review")

    _, _, said = run(capsys, "--db", db, "scan", str(trip))
    after_scan = rows(capsys, db)
    _, found, _ = run(capsys, "--db", db, "search", "--json", "label:Petra")

    assert "label read from the files" not in said
    assert after_scan["DSC_0001.JPG"][0] is None and after_scan["DSC_0001.JPG"] == after_scan["DSC_0002.NEF"]
    assert after_scan["DSC_0001.NEF"][0] == "Colosseum"
    assert found.splitlines() == []


def test_the_split_note_calls_a_rejected_label_rejected(tmp_path, capsys) -> None:
    trip, db = tmp_path / "Trip", str(tmp_path / "index.db")
    two_raw_jpeg_pairs(trip, timed=True)
    run(capsys, "--db", db, "scan", str(trip))
    assert run(capsys, "--db", db, "label", f'path:"{trip / "DSC_0001.JPG"}"', "Colosseum")[0] == 0
    assert run(capsys, "--db", db, "reject", f'path:"{trip / "DSC_0001.JPG"}"')[0] == 0
    (trip / "DSC_0001.JPG").unlink()
    rename_all(trip, [("DSC_0002.JPG", "DSC_0001.JPG")])

    _, _, said = run(capsys, "--db", db, "scan", str(trip))

    assert SPLIT_NOTE.replace("its label", "its rejected label") in said
