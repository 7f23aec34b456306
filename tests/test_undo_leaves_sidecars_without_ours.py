"""`undo` of a write into a sidecar that another program rewrote since without our keyword
(darktable writes its XMP anew from its database) leaves that file as it is, bytes and
modification time: there is nothing of ours to take out, and a new time makes darktable's
"look for updated XMP files" flag the image. One still holding our keyword loses it."""

from __future__ import annotations

import os

from app.core.index import PhotoIndex
from app.core.metadata import undo_last_write
from app.core.metadata.sidecar import fields_of_sidecar
from app.core.metadata.undo import LEFT_AS_IT_IS
from tests.test_metadata_support import add_photo, raw_with_sidecar
from tests.test_write_odd_files import write_all

# as darktable writes it: one attribute a line, also inside rdf:li (our writer joins them)
DARKTABLE_REWRITE = """<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmlns:darktable="http://darktable.sf.net/"
   xmp:Rating="{rating}"
   darktable:xmp_version="5"
   darktable:history_end="1">
   <dc:subject>
    <rdf:Bag>
     <rdf:li>Rome</rdf:li>{ours}
    </rdf:Bag>
   </dc:subject>
   <darktable:history>
    <rdf:Seq>
     <rdf:li
      darktable:num="0"
      darktable:operation="exposure"
      darktable:enabled="1"
      darktable:params="0000"/>
    </rdf:Seq>
   </darktable:history>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""
LONG_AGO = (1_600_000_000, 1_600_000_000)


def written_then_rewritten(tmp_path, ours: str):
    """DSC_0001.NEF with darktable's sidecar, labelled and written, then that sidecar
    rewritten by darktable (rating 3 to 4) holding `ours` in dc:subject, dated long ago."""
    raw, sidecar, _ = raw_with_sidecar(tmp_path / "raw", "DSC_0001.NEF.xmp", DARKTABLE_REWRITE.format(rating=3, ours=""))
    index = PhotoIndex.open(tmp_path / "index.db")
    add_photo(index, [raw], "Colosseum")
    assert write_all(index).written == 1
    assert "Colosseum" in fields_of_sidecar(sidecar.read_bytes()).subject
    sidecar.write_text(DARKTABLE_REWRITE.format(rating=4, ours=ours))
    os.utime(sidecar, LONG_AGO)
    return index, sidecar, sidecar.read_bytes()


def test_undo_leaves_a_sidecar_rewritten_without_our_keyword_as_it_is(tmp_path) -> None:
    index, sidecar, rewritten = written_then_rewritten(tmp_path, ours="")
    with index:
        summary = undo_last_write(index)
    assert (summary.written, summary.held, summary.failed) == (0, 1, 0)  # counted apart, not "restored" (review10 F2)
    assert summary.notes == [(str(sidecar), LEFT_AS_IT_IS)]
    assert sidecar.read_bytes() == rewritten
    assert os.stat(sidecar).st_mtime_ns == LONG_AGO[1] * 10**9


def test_undo_takes_our_keyword_out_of_a_sidecar_rewritten_with_it(tmp_path) -> None:
    index, sidecar, _ = written_then_rewritten(tmp_path, ours="\n     <rdf:li>Colosseum</rdf:li>")
    with index:
        assert undo_last_write(index).written == 1
    assert fields_of_sidecar(sidecar.read_bytes()).subject == ["Rome"]
    assert 'xmp:Rating="4"' in sidecar.read_text()  # darktable's own change stays


def test_undo_of_a_relabel_puts_no_older_label_into_a_sidecar_rewritten_without_ours(tmp_path) -> None:
    """review17 F1: "Colosseum" written (batch 1), relabelled "Petra" and written (batch 2),
    then darktable rewrote the sidecar with no landmark: the undo of batch 2 put "Colosseum"
    back into it. Nothing of that write is left, so it is left as it is, as for a JPEG."""
    raw, sidecar, _ = raw_with_sidecar(tmp_path / "raw", "DSC_0001.NEF.xmp", DARKTABLE_REWRITE.format(rating=3, ours=""))
    index = PhotoIndex.open(tmp_path / "index.db")
    photo_id = add_photo(index, [raw], "Colosseum")
    assert write_all(index).written == 1  # batch 1
    index.set_label(photo_id, "Petra")
    assert write_all(index).written == 1  # batch 2
    assert "Petra" in fields_of_sidecar(sidecar.read_bytes()).subject
    sidecar.write_text(DARKTABLE_REWRITE.format(rating=4, ours=""))
    os.utime(sidecar, LONG_AGO)
    rewritten = sidecar.read_bytes()
    with index:
        summary = undo_last_write(index)
    assert (summary.written, summary.held, summary.failed) == (0, 1, 0)
    assert summary.notes == [(str(sidecar), LEFT_AS_IT_IS)]
    assert sidecar.read_bytes() == rewritten  # no "Colosseum" put back
    assert os.stat(sidecar).st_mtime_ns == LONG_AGO[1] * 10**9
