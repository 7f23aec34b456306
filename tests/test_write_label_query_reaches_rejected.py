"""`label:X` means one thing per command (query.LABEL_NOT_REJECTED): search and the review
commands find the photos whose X the user has not rejected; `write 'label:X'` also
reaches those whose X was rejected, as its files may hold our keyword X and taking it out
is part of what `write` does."""

from __future__ import annotations

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.metadata.jpeg_fields import read_fields
from tests.test_metadata_support import add_photo, make_jpeg


def test_write_of_label_takes_a_rejected_keyword_out_of_the_file(tmp_path, capsys):
    db = tmp_path / "index.db"
    kept, rejected = make_jpeg(tmp_path / "kept.jpg"), make_jpeg(tmp_path / "rejected.jpg", seed=1)
    with PhotoIndex.open(db) as index:
        for path in (kept, rejected):
            add_photo(index, [path], "Colosseum")
    assert main(["--db", str(db), "write"]) == 0
    assert read_fields(rejected.read_bytes()).subject == ["Colosseum"]
    assert main(["--db", str(db), "reject", f"path:{rejected}"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "write", "--dry-run", "label:Colosseum"]) == 0
    assert "1 file would change" in capsys.readouterr().err
    assert main(["--db", str(db), "write", "label:Colosseum"]) == 0
    assert not read_fields(rejected.read_bytes()).subject
    assert read_fields(kept.read_bytes()).subject == ["Colosseum"]
    # search (and the review commands built on it) still leave the rejected photo out
    capsys.readouterr()
    assert main(["--db", str(db), "search", "label:Colosseum"]) == 0
    out = capsys.readouterr().out
    assert str(kept) in out and str(rejected) not in out
