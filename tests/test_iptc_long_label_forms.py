"""A long label's IPTC keyword is cut at the 64-byte IIM limit. Rewritten decomposed
(NFD, as a macOS tool writes it), it is cut on another character than our composed
one: it is still the label's keyword, so a write of the same label adds no second one
and a relabel takes it out."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from app.core.metadata import journal, plan_writes
from app.core.metadata.iptc import iptc_keyword
from app.core.metadata.jpeg_fields import apply_fields, read_fields
from tests import test_write_keyword_policy as keyword_policy
from tests.test_metadata_support import add_photo, make_jpeg, with_iptc_block

index = keyword_policy.index  # the fixture: an index of its own in tmp_path
write_all = keyword_policy.write_all

LABEL = "Église Saint-Étienne-du-Mont à Paris, façade et jubé de la nef N."


def _nfd(values: list[str] | None) -> list[str] | None:
    return None if values is None else [unicodedata.normalize("NFD", value) for value in values]


def _written_then_decomposed(tmp_path, index):
    """LABEL written by us, then every keyword rewritten decomposed by a macOS tool
    (the IPTC one cut at 64 bytes of its own form), and the file rescanned."""
    assert len(LABEL.encode("utf-8")) == 70 and unicodedata.is_normalized("NFC", LABEL)
    photo = with_iptc_block(make_jpeg(tmp_path / "a.jpg"))
    photo_id = add_photo(index, [photo], LABEL)
    write_all(index)
    data = photo.read_bytes()
    fields = read_fields(data)
    assert fields.iptc == [iptc_keyword(LABEL)]
    decomposed = iptc_keyword(unicodedata.normalize("NFD", LABEL))
    assert unicodedata.normalize("NFC", decomposed) != iptc_keyword(LABEL)  # cut on another character
    photo.write_bytes(apply_fields(data, replace(
        fields, subject=_nfd(fields.subject), hierarchical=_nfd(fields.hierarchical), iptc=[decomposed],
        xp=_nfd(fields.xp))))
    journal.update_indexed_file(index, photo, photo.stat(), photo.read_bytes())  # what a scan records
    return photo, photo_id, decomposed


def test_writing_the_same_label_again_leaves_its_decomposed_iptc_keyword_alone(tmp_path, index):
    photo, _, decomposed = _written_then_decomposed(tmp_path, index)
    before = photo.read_bytes()
    [item] = plan_writes(index)
    assert not item.changes_anything, item.describe()
    write_all(index)
    assert photo.read_bytes() == before and read_fields(before).iptc == [decomposed]


def test_a_relabel_takes_out_the_decomposed_iptc_keyword(tmp_path, index):
    photo, photo_id, _ = _written_then_decomposed(tmp_path, index)
    index.set_label(photo_id, "Panthéon")
    assert write_all(index).written == 1
    fields = read_fields(photo.read_bytes())
    assert fields.iptc == ["Panthéon"] and fields.subject == ["Panthéon"]
