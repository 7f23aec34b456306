"""What a refusal of an XMP packet that is not well-formed XML says: its cause in the
packet's own terms and what the user can do, since the app leaves such a file alone.

A DTD (<!DOCTYPE …> with <!ENTITY …> declarations) is the common case worth naming:
XMP forbids it, xmp.XmpDocument.parse drops everything before the XML root so no
entity is ever expanded (no billion laughs, no file read through an external
entity), and the parser's own words, "undefined entity", would blame the wrong thing.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

_DTD = re.compile(r"<!DOCTYPE\b|<!ENTITY\b")

# The way out for either refusal: the photo's keywords saved again by a program that
# writes plain XMP; never "remove the XMP", which would take the user's keywords too.
# A JPEG's packet can also be left alone with --no-jpeg (a sidecar written instead); a
# sidecar's cannot: --no-jpeg writes the very sidecar refused.
_WAY_OUT = ("save the photo's metadata again in the program that wrote it (or another photo editor) so it "
            "writes the XMP afresh, then write again; for a JPEG, a sidecar written with --no-jpeg needs no change to it")
_SIDECAR_WAY_OUT = ("save the photo's metadata again in the program that wrote this sidecar (or another photo editor) "
                    "so it writes the sidecar afresh, then write again")


def _way_out(name: str) -> str:
    """The way out for the packet of `name`: a sidecar's (IMG_0001.NEF.xmp; "sidecar" when
    unnamed, sidecar.py's default) has no JPEG to leave alone."""
    return _SIDECAR_WAY_OUT if name.lower().endswith(".xmp") or name == "sidecar" else _WAY_OUT


def holds_dtd(text: str) -> bool:
    """Whether the packet declares a DTD or entities anywhere (before or inside its root)."""
    return _DTD.search(text) is not None


def not_well_formed_words(name: str, text: str, root_at: int, body: str, error: ET.ParseError) -> str:
    """The refusal for packet `text` whose XML root starts at `root_at`, `body` (the text
    from there, as parsed) having raised `error`."""
    if holds_dtd(text):
        return (f"{name}: its XMP holds a DTD (<!DOCTYPE …> with entity declarations), which XMP does not allow; "
                f"this app does not expand it and leaves the file as it is: {_way_out(name)}")
    return (f"{name}: its XMP is not well-formed XML ({_where(text, root_at, body, error)}); this app leaves "
            f"the file as it is: {_way_out(name)}")


def _where(text: str, root_at: int, body: str, error: ET.ParseError) -> str:
    """The parser's reason with its line and column counted in the whole packet (the
    parser counts in the body, from the root on)."""
    reason = str(error).split(":", 1)[0]
    try:  # the body as the file holds it: the parsed one has line breaks in attributes as references
        ET.fromstring(body)
    except ET.ParseError as plain:
        error = plain
    line, column = getattr(error, "position", (1, 0))
    before = text[:root_at]
    if line == 1:
        column += root_at - (before.rfind("\n") + 1)
    return f"{reason} at line {before.count(chr(10)) + line}, column {column + 1} of the XMP"
