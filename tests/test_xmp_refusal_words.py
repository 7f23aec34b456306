"""An XMP packet that is not well-formed is refused with its cause in the packet's own
terms and a way out: a DTD named as a DTD (not "undefined entity"), never expanded;
any other fault placed at its line and column in the packet."""

import pytest

from app.core.metadata.xmp import XmpDocument, XmpFormatError

BODY = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{}</dc:title>'
        '</rdf:Description></rdf:RDF></x:xmpmeta>')


@pytest.mark.parametrize("entity", ['"ha"', 'SYSTEM "file:///etc/passwd"'])
def test_dtd_is_named_and_never_expanded(entity):
    packet = f'<?xpacket begin=""?>\n<!DOCTYPE x [<!ENTITY e {entity}>]>\n' + BODY.format("&e;")
    with pytest.raises(XmpFormatError) as refused:
        XmpDocument.parse(packet.encode(), "a.jpg")
    words = str(refused.value)
    assert words.startswith("a.jpg: its XMP holds a DTD")
    assert "leaves the file as it is" in words and "undefined entity" not in words


def test_other_fault_is_placed_in_the_packet_and_says_what_to_do():
    packet = '<?xpacket begin=""?>\n<!-- a -->\n  ' + BODY.format("a < b")
    with pytest.raises(XmpFormatError) as refused:
        XmpDocument.parse(packet.encode(), "a.jpg")
    words = str(refused.value)
    column = 2 + BODY.index("{}") + len("a <") + 1
    assert f"at line 3, column {column} of the XMP" in words, words
    assert "save the photo's metadata again" in words


@pytest.mark.parametrize("name", ["DSC_0001.NEF.xmp", "DSC_0001.XMP"])
@pytest.mark.parametrize("fault", ["<!DOCTYPE x [<!ENTITY e \"ha\">]>\n", ""])
def test_a_sidecars_refusal_says_no_word_of_jpegs(name, fault):
    """--no-jpeg writes the very sidecar refused: its way out is saving it afresh."""
    packet = f'<?xpacket begin=""?>\n{fault}' + BODY.format("&e;" if fault else "a < b")
    with pytest.raises(XmpFormatError) as refused:
        XmpDocument.parse(packet.encode(), name)
    words = str(refused.value)
    assert "writes the sidecar afresh, then write again" in words and "JPEG" not in words, words
