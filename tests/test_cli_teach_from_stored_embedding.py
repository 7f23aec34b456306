"""The command line refused to `teach` from a tagged photo whose file is in iCloud
("in iCloud, not downloaded; download it in Finder first", exit 2 when it was the only
photo) or deleted since ("does not exist; check the path"), while the app taught the
same photos from their stored embeddings (GUI tester round 7, finding 5). Teaching needs
only that embedding: the command line now teaches such a photo too and says so in one
line; a path the index never held still fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.teaching_targets import TAUGHT_FROM_STORED_GONE, TAUGHT_FROM_STORED_IN_ICLOUD
from tests.test_cli_teach import _photos, run_cli
from tests.test_cloud_placeholders import STAND_IN


def tagged_then_one_gone(capsys, tmp_path, tiny_bundle, how: str) -> tuple[Path, Path, str, list[str]]:
    """Two photos tagged, then the first moved away and, `how` == "icloud", left as iCloud's
    stand-in: (gone, kept, the index's path, the --model arguments)."""
    gone, kept = _photos(tmp_path / "iCloud Drive" / "Petra", ["0068b17cd885.jpg", "0cd882e8328e.jpg"])
    db = str(tmp_path / "index.db")
    model = ["--model", str(tiny_bundle.path)]
    assert run_cli(capsys, "--db", db, "tag", *model, str(gone.parent))[0] == 0
    gone.rename(tmp_path / "elsewhere.jpg")
    if how == "icloud":
        gone.with_name(f".{gone.name}.icloud").write_bytes(STAND_IN)
    return gone, kept, db, model


@pytest.mark.parametrize("how", ["icloud", "deleted"])
def test_a_tagged_photo_with_no_file_teaches_from_its_stored_embedding(capsys, tmp_path, tiny_bundle, how):
    gone, kept, db, model = tagged_then_one_gone(capsys, tmp_path, tiny_bundle, how)
    code, lines, err = run_cli(capsys, "--db", db, "teach", *model, "--json", "Jordan trip", str(gone), str(kept))
    assert code == 0, err
    assert lines[0]["taught"] == 2 and lines[0]["errors"] == 0
    note = TAUGHT_FROM_STORED_IN_ICLOUD if how == "icloud" else TAUGHT_FROM_STORED_GONE
    assert f"{gone}: {note}" in err and "error:" not in err
    code, lines, err = run_cli(capsys, "--db", db, "teach", *model, "--json", "Petra alone", str(gone))
    assert code == 0 and lines[0]["taught"] == 1, err


def test_a_path_the_index_never_held_still_fails(capsys, tmp_path, tiny_bundle):
    (kept,) = _photos(tmp_path / "Trip", ["IMG_0001.jpg"])
    db = str(tmp_path / "index.db")
    model = ["--model", str(tiny_bundle.path)]
    assert run_cli(capsys, "--db", db, "tag", *model, str(kept.parent))[0] == 0
    code, _, err = run_cli(capsys, "--db", db, "teach", *model, "Trip", str(kept.with_name("IMG_0009.jpg")), str(kept))
    assert code == 1 and "IMG_0009.jpg: does not exist; check the path" in err
