"""`tag` checks for damaged data only the picture it decodes (6d5311f): for a camera JPEG
whose embedded preview is used, that preview, so damage in its full-size picture goes
unseen (decoding the full picture of every photo too would take the previews' speed
away). README said only "the picture checked is the one decoded"; it now says plainly
that the full-size picture behind a used preview is not checked."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from app.cli.main import main
from app.core.decode import DAMAGE_INFO, decode_with_pillow
from app.core.image_limits import MAX_PIXELS
from tests.docs_text import user_docs_text
from tests.test_damaged_jpeg_data import camera_like_jpeg
from tests.test_decode import write_mpo


def test_damage_in_the_full_picture_behind_a_used_preview_is_not_checked(tmp_path: Path, capsys) -> None:
    camera_like_jpeg(tmp_path / "source.jpg")
    picture = Image.open(tmp_path / "source.jpg").resize((1600, 1200))
    (tmp_path / "Rome").mkdir()
    photo = write_mpo(tmp_path / "Rome" / "DSC_0003.JPG", picture, picture.resize((400, 300)))
    data = photo.read_bytes()
    preview_at = data.rfind(b"\xff\xd8\xff")  # the preview follows the full-size picture
    start = preview_at // 2
    photo.write_bytes(data[:start] + bytes(4096) + data[start + 4096:])  # zeros in the full picture only
    assert DAMAGE_INFO in decode_with_pillow(photo, 224, MAX_PIXELS, use_previews=False).info  # damaged it is
    code = main(["--db", str(tmp_path / "index.db"), "tag", "--json", str(photo)])
    line = json.loads(capsys.readouterr().out.splitlines()[0])
    assert code == 0 and line["top"] and "damage" not in line  # the preview was decoded, and it is whole
    readme = " ".join(user_docs_text().split())
    assert "a camera JPEG whose embedded preview is decoded is not checked in its full-size picture" in readme
