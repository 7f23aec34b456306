"""Teaching as photographers trip over it: one bad file among good ones, a photo given
through a symbolic link, a taught photo rejected afterwards."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.teaching_store import taught_pairs


def photos(folder, count, seed=0):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(count):
        path = folder / f"IMG_{i}.jpg"
        Image.fromarray(rng.integers(0, 255, size=(40, 56, 3), dtype=np.uint8)).save(path)
        paths.append(path)
    return paths


def test_one_unreadable_file_among_the_photos_does_not_stop_the_others(capsys, tmp_path, tiny_bundle):
    good = photos(tmp_path / "cabin", 2)
    text = tmp_path / "cabin" / "notes.jpg"
    text.write_text("not a photo at all")
    db = str(tmp_path / "index.db")
    code = main(["--db", db, "teach", "--model", str(tiny_bundle.path), "--json", "Our cabin",
                 str(good[0]), str(text), str(tmp_path / "gone.jpg"), str(good[1])])
    out, err = capsys.readouterr()
    assert code == 1  # some failed
    summary, *failures = [json.loads(line) for line in out.splitlines()]
    assert summary["taught"] == 2
    # one line per photo it could not teach from (d510872), each naming it
    assert sorted(line["path"] for line in failures) == sorted([str(text), str(tmp_path / "gone.jpg")])
    assert f"error: {tmp_path / 'gone.jpg'}: does not exist" in err and str(text) in err
    assert err.count(str(text)) == 1  # named once per line


def test_nothing_to_teach_from_is_a_usage_error_naming_each_file(capsys, tmp_path, tiny_bundle):
    text = tmp_path / "notes.jpg"
    text.write_text("not a photo at all")
    code = main(["--db", str(tmp_path / "index.db"), "teach", "--model", str(tiny_bundle.path), "Our cabin",
                 str(text), str(tmp_path / "gone.jpg")])
    err = capsys.readouterr().err
    assert code == 2 and "gone.jpg: does not exist" in err and "notes.jpg" in err


def test_photos_damaged_since_the_scan_teach_nothing_and_exit_2(capsys, tmp_path, tiny_bundle):
    """Photos the index knows pass the usage check and fail only when decoded: nothing
    taught is still exit 2, which a script tells from 1 (some taught, some failed)."""
    damaged = photos(tmp_path / "cabin", 2)
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(tmp_path / "cabin")]) == 0
    for photo in damaged:
        photo.write_bytes(photo.read_bytes()[:200])  # cut short: cannot be decoded
    capsys.readouterr()
    code = main(["--db", db, "teach", "--model", str(tiny_bundle.path), "Our cabin", *map(str, damaged)])
    err = capsys.readouterr().err
    assert code == 2
    assert "nothing taught as 'Our cabin'" in err
    assert all(f"error: {photo}: cannot decode the image" in err for photo in damaged)
    with PhotoIndex.open(db) as index:
        assert taught_pairs(index.conn) == []


def linked_photo(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(a photo in originals/, the "best of" folder, a link there to the photo)."""
    (real,) = photos(tmp_path / "originals", 1)
    best = tmp_path / "best of"
    best.mkdir()
    link = best / "favourite.jpg"
    link.symlink_to(real)
    return real, best, link


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="symbolic links need privileges on Windows")
def test_a_photo_given_through_a_symbolic_link_is_tagged_and_taught(capsys, tmp_path, tiny_bundle):
    real, best, link = linked_photo(tmp_path)
    db, model = str(tmp_path / "index.db"), str(tiny_bundle.path)
    assert main(["--db", db, "tag", "--model", model, "--workers", "0", "--json", str(link)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["path"] for line in lines] == [str(link)]
    assert main(["--db", db, "teach", "--model", model, "Favourite", str(link)]) == 0
    assert "taught 'Favourite' from 1 photo" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="symbolic links need privileges on Windows")
def test_a_link_to_a_photo_of_the_library_tags_and_teaches_that_photo(capsys, tmp_path, tiny_bundle):
    """The library holds the photo under its own name (a link to it is no second photo):
    given through a link, `tag` and `teach` act on that photo."""
    real, best, link = linked_photo(tmp_path)
    db, model = str(tmp_path / "index.db"), str(tiny_bundle.path)
    assert main(["--db", db, "scan", str(tmp_path / "originals"), str(best)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "tag", "--model", model, "--workers", "0", "--json", str(link)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["path"] for line in lines] == [str(real.resolve())]
    assert main(["--db", db, "teach", "--model", model, "Favourite", str(link)]) == 0
    assert "taught 'Favourite' from 1 photo" in capsys.readouterr().err
    with PhotoIndex.open(db) as index:
        assert index.count("") == 1


def test_rejecting_a_taught_photo_takes_it_out_of_the_references(capsys, tmp_path, tiny_bundle):
    cabin = photos(tmp_path / "cabin", 3)
    db, model = str(tmp_path / "index.db"), str(tiny_bundle.path)
    assert main(["--db", db, "teach", "--model", model, "Our cabin", *map(str, cabin)]) == 0
    assert main(["--db", db, "reject", str(cabin[0])]) == 0
    capsys.readouterr()
    with PhotoIndex.open(db) as index:
        assert [label for label, _ in taught_pairs(index.conn)].count("Our cabin") == 2
