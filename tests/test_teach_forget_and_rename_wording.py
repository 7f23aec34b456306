"""Two small wordings: `teach --forget` of a place of one photo said "1 taught photo no
longer teach it", and renaming a place taught under a model landmark's name was refused
without the way out (a teaching tester)."""

from __future__ import annotations

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.scanner import scan
from tests.test_metadata_support import make_jpeg
from tests.test_untaught_place_withdraws_suggestions import cabin_suggested  # noqa: F401


def test_forgetting_a_place_of_one_photo_says_it_in_the_singular(cabin_suggested, capsys) -> None:
    db, photos, ids, options = cabin_suggested
    assert main(["--db", str(db), "teach", "Our cabin", "--forget"]) == 0
    err = capsys.readouterr().err
    assert "forgot 'Our cabin' (1 taught photo no longer teaches it; the photo keeps its label)" in err


def test_renaming_a_place_taught_under_a_model_landmarks_name_names_the_way_out(tmp_path, tiny_bundle,
                                                                                capsys) -> None:
    """L "colosseum" on the user's own photos teaches "Colosseum": its rename is refused (the
    model's name), and the refusal now says how to give the place another name."""
    from app.core.errors import UsageError
    from app.core.rename import rename_place
    from app.core.teaching import teach

    folder = tmp_path / "photos"
    folder.mkdir()
    make_jpeg(folder / "DSC_0000.JPG", size=(64, 48), seed=0)
    with PhotoIndex.open(tmp_path / "index.db") as index:
        scan(index, [folder])
        landmarks = {"Palais des Papes": "gld-17", "Colosseum": "gld-3"}
        with pytest.raises(UsageError) as refused:
            rename_place(index, "Colosseum", "Arezzo church", landmarks)
        assert "teach --forget" not in str(refused.value)  # nothing of the user's is called so
        teach(index, "Colosseum", [folder / "DSC_0000.JPG"], bundle=tiny_bundle)
        with pytest.raises(UsageError) as refused:
            rename_place(index, "colosseum", "Arezzo church", landmarks)
    assert "one of the model's landmarks" in str(refused.value)
    assert ("to give your place another name, forget it (teach --forget Colosseum, or Forget… in the app's "
            "Taught places) and teach its photos under the new name") in str(refused.value)
