"""A JPEG renumbered over a written pair's JPEG (DSC_0002.JPG, written "Petra", renamed
DSC_0001.JPG beside DSC_0001.NEF, written "Colosseum") becomes a photo of its own and
reads back the keyword its file holds (Petra). Relabelling it and writing must replace
that keyword. Before, the write journal's newest entry for the path DSC_0001.JPG (the
pair's "Colosseum" write into the JPEG that was renamed over) was taken for this file's
history: the plan tried to take out Colosseum, which is not in it, and the file ended
with `Landmarks|Petra` beside the new landmark. The pair's entries stay for its undo,
which leaves the picture now at that name alone."""

from __future__ import annotations

from pathlib import Path

from app.core.metadata.jpeg_fields import apply_fields, read_fields
from app.core.metadata.keywords import KeywordFields
from tests.test_renumbered_jpeg_beside_an_unchanged_raw import run
from tests.test_renumbered_jpeg_keeps_its_written_label import rows, written_pairs_renumbered
from tests.test_roundtrip_other_tools import saved_later
from tests.test_renumbering_support import two_raw_jpeg_pairs


def relabelled_and_written(capsys, db: str, trip: Path) -> bytes:
    """written_pairs_renumbered, scanned; DSC_0001.JPG's bytes then (before the relabel)."""
    written_pairs_renumbered(capsys, db, trip)
    run(capsys, "--db", db, "scan", str(trip))
    assert rows(capsys, db)["DSC_0001.JPG"] == ("Petra", "accepted", "user")
    return (trip / "DSC_0001.JPG").read_bytes()


def test_relabelling_the_jpeg_renamed_over_a_pair_replaces_the_keyword_it_holds(tmp_path, capsys) -> None:
    trip, db = tmp_path / "Trip", str(tmp_path / "index.db")
    relabelled_and_written(capsys, db, trip)
    jpeg = trip / "DSC_0001.JPG"

    assert run(capsys, "--db", db, "label", f'path:"{jpeg}"', "Trevi Fountain")[0] == 0
    code, _, wrote = run(capsys, "--db", db, "write")

    assert code == 0 and "1 file written" in wrote
    fields = read_fields(jpeg.read_bytes())
    assert fields.hierarchical == ["Landmarks|Trevi Fountain"]
    assert "Petra" not in (fields.subject or []) and "Colosseum" not in (fields.subject or [])
    assert "Colosseum" in (trip / "DSC_0001.NEF.xmp").read_text(encoding="utf-8")  # the pair's, untouched


def test_other_programs_keywords_stay_through_the_relabel(tmp_path, capsys) -> None:
    trip, db = tmp_path / "Trip", str(tmp_path / "index.db")
    relabelled_and_written(capsys, db, trip)
    jpeg = trip / "DSC_0001.JPG"  # another program adds a person's keyword
    now = read_fields(jpeg.read_bytes())
    jpeg.write_bytes(apply_fields(jpeg.read_bytes(), KeywordFields(**{
        **vars(now), "subject": [*(now.subject or []), "Ana"], "hierarchical": [*now.hierarchical, "People|Ana"]})))
    saved_later(jpeg)
    run(capsys, "--db", db, "scan", str(trip))

    run(capsys, "--db", db, "label", f'path:"{jpeg}"', "Trevi Fountain")
    code, _, _ = run(capsys, "--db", db, "write")

    fields = read_fields(jpeg.read_bytes())
    assert code == 0 and sorted(fields.hierarchical) == ["Landmarks|Trevi Fountain", "People|Ana"]
    assert "Ana" in fields.subject and "Petra" not in fields.subject


def test_undo_of_the_relabel_puts_back_the_file_as_it_was(tmp_path, capsys) -> None:
    trip, db = tmp_path / "Trip", str(tmp_path / "index.db")
    before = relabelled_and_written(capsys, db, trip)
    jpeg = trip / "DSC_0001.JPG"
    run(capsys, "--db", db, "label", f'path:"{jpeg}"', "Trevi Fountain")
    run(capsys, "--db", db, "write")

    code, _, said = run(capsys, "--db", db, "undo")

    assert code == 0 and "1 file restored" in said
    assert jpeg.read_bytes() == before
    assert read_fields(jpeg.read_bytes()).hierarchical == ["Landmarks|Petra"]


def test_undo_of_the_pairs_write_leaves_the_picture_renamed_over_its_jpeg_alone(tmp_path, capsys) -> None:
    """The first batch wrote Colosseum into the old DSC_0001.JPG and Petra into DSC_0002.JPG:
    its undo takes Petra out of that picture at its new name, and never puts the old
    DSC_0001.JPG (Colosseum's picture) back over it, saying why: its name holds another
    picture (before, "changed in another program since our write (nothing of ours left in
    it)", as if the file were the one our write changed)."""
    trip, db = tmp_path / "Trip", str(tmp_path / "index.db")
    relabelled_and_written(capsys, db, trip)
    jpeg = trip / "DSC_0001.JPG"
    run(capsys, "--db", db, "label", f'path:"{jpeg}"', "Trevi Fountain")
    run(capsys, "--db", db, "write")
    run(capsys, "--db", db, "undo")  # the relabel's batch

    code, _, said = run(capsys, "--db", db, "undo")  # the pair's batch

    originals = tmp_path / "originals"
    two_raw_jpeg_pairs(originals, timed=True)
    assert code == 1 and "3 files restored, 1 failed" in said and "nothing of ours left in it" not in said
    assert f"{jpeg} now holds another picture (renamed over it since our write?)" in said
    assert jpeg.read_bytes() == (originals / "DSC_0002.JPG").read_bytes()  # Petra's picture, as it was
