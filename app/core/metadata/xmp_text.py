"""XML text as an XMP packet holds it exactly: the character data and attribute values
written by other programs read back, and are written back, with the characters the
file holds (xmp.XmpDocument parses and serialises with these)."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape


def escape_text(text: str) -> str:
    """Character data as XML. A CR in a value (a caption's CR LF, as Windows tools and
    exiftool write it) becomes &#xD;, since a parser turns a literal CR LF into LF; in
    the whitespace between elements (a sidecar saved with CR LF lines) it stays literal."""
    escaped = escape(text)
    return escaped if not text.strip() else escaped.replace("\r", "&#xD;")


# Markup whose insides are left alone (comments, CDATA, processing instructions,
# declarations), and tags, whose quoted attribute values may hold '>'.
_MARKUP = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<![^>]*>|<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.S)
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_ATTRIBUTE_BREAKS = str.maketrans({"\r": "&#xD;", "\n": "&#xA;", "\t": "&#x9;"})


def keep_line_breaks(body: str) -> str:
    """The XML with each CR in character data, and each CR, LF or tab inside an
    attribute value, written as a character reference, which a parser keeps (XML
    parsers turn a literal CR LF into LF, and a line break in an attribute into a
    space), so a value reads back with the exact characters the file holds and the
    whitespace between elements is written back as it was."""
    out: list[str] = []
    at = 0
    for markup in _MARKUP.finditer(body):
        text = body[at : markup.start()]
        out.append(text.replace("\r", "&#xD;"))
        token = markup.group(0)
        if token[1] not in "!?" and ("\r" in token or "\n" in token or "\t" in token):
            token = _QUOTED.sub(lambda quoted: quoted.group(0).translate(_ATTRIBUTE_BREAKS), token)
        out.append(token)
        at = markup.end()
    out.append(body[at:])
    return "".join(out)
