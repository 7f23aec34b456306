"""`teach --json` gave a line for each photo it could not teach from (d510872) but none
for a photo it taught from its stored embedding, its file in iCloud or deleted since
(c7de5f2): only stderr said so, and a script saw the photo as taught from its file. Each
such photo now gets a line too, in the shape of the failures' lines: "path" and "note"."""

from __future__ import annotations

import pytest

from app.core.teaching_targets import TAUGHT_FROM_STORED_GONE, TAUGHT_FROM_STORED_IN_ICLOUD
from tests.test_cli_teach import run_cli
from tests.test_cli_teach_from_stored_embedding import tagged_then_one_gone


@pytest.mark.parametrize("how", ["icloud", "deleted"])
def test_a_photo_taught_from_its_stored_embedding_gets_its_own_json_line(capsys, tmp_path, tiny_bundle, how):
    gone, kept, db, model = tagged_then_one_gone(capsys, tmp_path, tiny_bundle, how)
    typo = kept.with_name("IMG_0009.jpg")
    code, lines, err = run_cli(capsys, "--db", db, "teach", *model, "--json", "Jordan trip",
                               str(gone), str(kept), str(typo))
    assert code == 1, err
    assert lines[0]["taught"] == 2 and lines[0]["errors"] == 1
    note = TAUGHT_FROM_STORED_IN_ICLOUD if how == "icloud" else TAUGHT_FROM_STORED_GONE
    assert lines[1:] == [{"path": str(gone), "note": f"{gone}: {note}"},
                         {"path": str(typo), "error": f"{typo}: does not exist; check the path"}]
    assert f"{gone}: {note}" in err  # the text says it as before
