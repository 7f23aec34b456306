"""A typed label the index takes as a known one spelt otherwise (t_unicode-3): case
folding makes "ß" "ss", so "Bahnhofstrasse" typed for a photo became the "Bahnhofstraße"
of another without a word, and --new then said "0 of 1 changed" with no reason. `label`
now says which spelling it used. A full-width name was refused as differing "only in
accents": it differs in character width."""

from __future__ import annotations

from app.cli.main import main
from app.core.label_names import did_you_mean
from tests.test_index_support import write_jpeg


def test_label_says_it_took_the_known_spelling_beyond_case(tmp_path, capsys) -> None:
    for stem in ("IMG_0001", "IMG_0002"):
        write_jpeg(tmp_path / "Zurich" / f"{stem}.jpg")
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(tmp_path / "Zurich")]) == 0
    assert main(["--db", db, "label", "IMG_0001", "Bahnhofstraße", "--new"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "label", "IMG_0002", "Bahnhofstrasse"]) == 0
    said = capsys.readouterr()
    assert "'Bahnhofstrasse' is labelled as the known spelling 'Bahnhofstraße'" in said.out + said.err
    assert main(["--db", db, "label", "IMG_0002", "Bahnhofstrasse", "--new"]) == 0
    said = capsys.readouterr()
    assert "0 of 1" in said.out + said.err and "known spelling 'Bahnhofstraße'" in said.out + said.err
    assert main(["--db", db, "label", "IMG_0002", "BAHNHOFSTRASSE"]) == 0  # ß/ss and case: said
    assert main(["--db", db, "label", "IMG_0001", "bahnhofstraße"]) == 0  # case alone: nothing to say
    said = capsys.readouterr()
    assert said.out.count("known spelling") + said.err.count("known spelling") == 1


def test_a_full_width_name_differs_in_character_width() -> None:
    said = did_you_mean("Tokyo Tower", ["ＴＯＫＹＯ Ｔｏｗｅｒ"])
    assert "differs from it only in character width" in said and "accents" not in said
    assert "only in accents" in did_you_mean("Zurich", ["Zürich"])
