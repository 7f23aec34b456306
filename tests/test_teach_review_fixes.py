"""Teaching defects a review found (each test failed before its fix): `teach NAME FOLDER`
skipped the photos copied into the folder since its last scan; suggest's "not tagged by
this model yet" hint gave a command tagging with another model; a taught photo whose
file is gone was sent to a rescan that cannot help after a model change."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.cli.main import main
from app.core import teaching_store as store
from app.core.index import PhotoIndex
from app.core.teaching import teach
from app.core.teaching_suggest import SuggestReport, close_hint, untagged_hint


def _jpeg(path: Path, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 255, size=(40, 56, 3), dtype=np.uint8)).save(path)
    return path


def _folder(path: Path, count: int, seed: int = 0) -> Path:
    path.mkdir()
    for i in range(count):
        _jpeg(path / f"IMG_{i}.jpg", seed + i)
    return path


@pytest.fixture(scope="module")
def other_bundle(tmp_path_factory, tiny_bundle):
    """A second model (another id than tiny_bundle), to change models."""
    from model.testing import make_tiny_bundle

    folder = tmp_path_factory.mktemp("other-bundle")
    return make_tiny_bundle(folder / "other.ltbundle", ["Eiffel Tower", "Colosseum", "Taj Mahal"],
                            input_size=64, seed=3)


def _taught_names(capsys, db: str, label: str) -> list[str]:
    capsys.readouterr()
    assert main(["--db", db, "search", "--json", f'label:"{label}"']) == 0
    return sorted(Path(json.loads(line)["path"]).name
                  for line in capsys.readouterr().out.splitlines() if line.strip())


def _teach_problems(capsys, db: str) -> list[str]:
    capsys.readouterr()
    main(["--db", db, "stats", "--errors"])
    return [line for line in capsys.readouterr().out.splitlines() if line.startswith("teach:")]


# -- 1. teach NAME FOLDER scans the folder, as `tag FOLDER` does ---------------------------------

def test_teaching_a_folder_teaches_it_as_it_is_now_and_a_new_file_given_directly_too(capsys, tmp_path,
                                                                                    tiny_bundle):
    """A photo copied into an indexed folder after its last scan is taught with the
    others, a photo deleted from it is not; a new photo given by its file, in another
    indexed folder, is taught alone (that folder's other photos are not)."""
    greenland, iceland = _folder(tmp_path / "Greenland", 3), _folder(tmp_path / "Iceland", 2, seed=10)
    db, model = str(tmp_path / "index.db"), str(tiny_bundle.path)
    assert main(["--db", db, "tag", "--model", model, "--workers", "0", str(greenland), str(iceland)]) == 0
    _jpeg(greenland / "IMG_3.jpg", 3)  # copied from the card after the last scan
    (greenland / "IMG_0.jpg").unlink()  # culled since
    new = _jpeg(iceland / "IMG_9.jpg", 19)
    capsys.readouterr()

    code = main(["--db", db, "teach", "--model", model, "--json", "Our cabin", str(greenland), str(new)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out.splitlines()[0])["taught"] == 4, err
    assert _taught_names(capsys, db, "Our cabin") == ["IMG_1.jpg", "IMG_2.jpg", "IMG_3.jpg", "IMG_9.jpg"]


# -- 2. the untagged hint names the model suggest was given --------------------------------------

def test_the_untagged_hint_tags_with_the_model_suggest_was_given(capsys, tmp_path, tiny_bundle, other_bundle):
    folder = _folder(tmp_path / "photos", 4)
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "tag", "--model", str(tiny_bundle.path), "--workers", "0", str(folder)]) == 0
    assert main(["--db", db, "teach", "--model", str(other_bundle.path), "Our cabin", str(folder / "IMG_0.jpg")]) == 0
    capsys.readouterr()

    assert main(["--db", db, "suggest", "--model", str(other_bundle.path), "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert f"3 photos are not tagged by this model yet, so suggest could not look at them: run " \
           f"`landmark-tagger --db {db} tag --model {other_bundle.path}` first" in err, err  # --db kept


def test_the_hints_to_tag_first_spell_the_model_as_the_close_hint_does() -> None:
    model = Path("/m/my model.ltbundle")
    report = SuggestReport(threshold=0.8, taught=2, tagged=5, scored=3, untagged=1)
    assert "run `landmark-tagger tag --model '/m/my model.ltbundle'` first" in untagged_hint(report, model)
    assert "run `landmark-tagger tag` first" in untagged_hint(report)  # the default model: no option
    nothing_tagged = SuggestReport(threshold=0.8, taught=2, tagged=0, scored=0)
    assert "run `landmark-tagger tag --model '/m/my model.ltbundle' FOLDER` first" in close_hint(
        nothing_tagged, "", model)


# -- 3. a missing taught photo after a model change ----------------------------------------------

def _taught_then_deleted_then_other_model(capsys, tmp_path, tiny_bundle, other_bundle) -> tuple[str, Path]:
    """A folder tagged and taught by tiny_bundle, one taught photo deleted, then tagged by
    other_bundle: (db, the deleted photo)."""
    folder = _folder(tmp_path / "photos", 3)
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "tag", "--model", str(tiny_bundle.path), "--workers", "0", str(folder)]) == 0
    assert main(["--db", db, "teach", "--model", str(tiny_bundle.path), "Our cabin",
                 str(folder / "IMG_0.jpg"), str(folder / "IMG_1.jpg")]) == 0
    gone = folder / "IMG_1.jpg"
    gone.rename(tmp_path / "IMG_1.jpg")  # moved out of the library
    assert main(["--db", db, "tag", "--model", str(other_bundle.path), "--workers", "0", str(folder)]) == 0
    return db, gone


def test_a_missing_taught_photo_says_what_helps_and_forgetting_it_clears_the_problem(capsys, tmp_path, tiny_bundle,
                                                                                     other_bundle):
    db, gone = _taught_then_deleted_then_other_model(capsys, tmp_path, tiny_bundle, other_bundle)
    assert main(["--db", db, "scan", str(gone.parent)]) == 0  # changes nothing
    problems = _teach_problems(capsys, db)
    assert len(problems) == 1 and str(gone) in problems[0]
    problem = problems[0]
    assert "rescan" not in problem and "file not found" not in problem
    assert f"this taught photo is missing, so the new model ({other_bundle.name}) cannot learn 'Our cabin' " \
           "from it" in problem
    assert "put the file back" in problem and f"`landmark-tagger --db {db} forget --missing`" in problem
    assert "relocate" not in problem  # its folder is still there: no "if the library folder moved" (009862c)

    assert main(["--db", db, "forget", "--missing", "--yes"]) == 0
    assert _teach_problems(capsys, db) == []


def test_a_missing_taught_photo_put_back_teaches_the_new_model_and_its_problem_goes(capsys, tmp_path, tiny_bundle,
                                                                                   other_bundle):
    db, gone = _taught_then_deleted_then_other_model(capsys, tmp_path, tiny_bundle, other_bundle)
    assert "this taught photo is missing" in _teach_problems(capsys, db)[0]

    (tmp_path / "IMG_1.jpg").rename(gone)  # put back
    assert main(["--db", db, "tag", "--model", str(other_bundle.path), "--workers", "0", str(gone.parent)]) == 0
    assert _teach_problems(capsys, db) == []
    with PhotoIndex.open(db) as index:
        refs = store.refs_of_model(index.conn, other_bundle.id)
        assert sorted(Path(index.get(ref.photo_id).path).name for ref in refs) == ["IMG_0.jpg", "IMG_1.jpg"]


def test_a_photo_known_missing_is_not_decoded_and_teach_says_it_is_missing(tmp_path, tiny_bundle, other_bundle,
                                                                           monkeypatch):
    """Teaching a missing photo (by id, as the app does) with a model that has no
    embedding of it: said missing, with the ways out, and no decoder is asked."""
    from app.core import decode
    from app.core.scanner import scan

    folder = _folder(tmp_path / "photos", 2)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        [missing] = [r.id for r in index.search("") if Path(r.path).name == "IMG_1.jpg"]
        (folder / "IMG_1.jpg").unlink()
        scan(index, [folder])
        assert index.get(missing).missing

        def no_decoding(*args, **kwargs):
            raise AssertionError("a missing photo was decoded")

        monkeypatch.setattr(decode, "decode_for_model", no_decoding)
        summary = teach(index, "Our cabin", [missing], bundle=other_bundle)
        assert summary.taught == 0 and summary.errors == 1
        [(path, why)] = summary.failures
        assert Path(path).name == "IMG_1.jpg"
        assert "the photo is missing" in why and "`landmark-tagger forget --missing`" in why
        assert "rescan" not in why
