"""Read and change the keyword bags of an XMP packet, keeping everything else.

We parse with xml.etree (no native library to install) but serialise ourselves, so
every element, attribute, comment and namespace prefix written by Lightroom,
darktable or a camera survives; ElementTree's own writer would rename prefixes to
ns0, ns1 unless they were registered in a process-wide table. We own
`dc:subject` and `lr:hierarchicalSubject`, both rdf:Bag, and digiKam's
`digiKam:TagsList`, an rdf:Seq, and Windows' `MicrosoftPhoto:LastKeywordXMP`, an
rdf:Bag, where the packet has one already; and our own `landmarkTagger:Teaches`, an rdf:Bag
(app/core/metadata/taught_field.py).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

from app.core.errors import MetadataWriteError
from app.core.metadata.xmp_refusal_words import not_well_formed_words
from app.core.metadata.xmp_text import escape_text, keep_line_breaks

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDF_ROOT, _DESCRIPTION = f"{{{RDF}}}RDF", f"{{{RDF}}}Description"
DC = "http://purl.org/dc/elements/1.1/"
LR = "http://ns.adobe.com/lightroom/1.0/"
DIGIKAM = "http://www.digikam.org/ns/1.0/"
XMP_MM = "http://ns.adobe.com/xap/1.0/mm/"
MICROSOFT_PHOTO = "http://ns.microsoft.com/photo/1.0/"
LANDMARK_TAGGER = "http://ns.landmark-tagger.org/xmp/1.0/"  # our own properties, no other program's
# Namespaces packets spell in more than one way, each property read and written under the
# spelling it has: Windows writes MicrosoftPhoto's with its final slash, exiftool (and
# digiKam through it) without.
OTHER_SPELLINGS = {MICROSOFT_PHOTO: ("http://ns.microsoft.com/photo/1.0",)}
KEYWORD_ARRAYS = ((DC, "subject"), (LR, "hierarchicalSubject"), (DIGIKAM, "TagsList"),
                  (MICROSOFT_PHOTO, "LastKeywordXMP"), (LANDMARK_TAGGER, "Teaches"))
X = "adobe:ns:meta/"
XML_NS = "http://www.w3.org/XML/1998/namespace"
PREFERRED_PREFIXES = {
    RDF: "rdf", DC: "dc", LR: "lr", X: "x", DIGIKAM: "digiKam", XMP_MM: "xmpMM", MICROSOFT_PHOTO: "MicrosoftPhoto",
    LANDMARK_TAGGER: "landmarkTagger",
}

PACKET_BEGIN = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
PACKET_END = '<?xpacket end="w"?>'
EMPTY_BODY = (
    f'<x:xmpmeta xmlns:x="{X}">\n'
    f' <rdf:RDF xmlns:rdf="{RDF}">\n'
    '  <rdf:Description rdf:about=""/>\n'
    " </rdf:RDF>\n"
    "</x:xmpmeta>"
)
_ROOT_START = re.compile(r"<([\w.-]+:)?(xmpmeta|xapmeta|RDF)\b")
_END_PI = re.compile(r"<\?xpacket\s+end=[^>]*\?>\s*$")


class XmpFormatError(MetadataWriteError):
    """An XMP packet is not well-formed XML, so we do not touch it."""


_OTHER_ENCODINGS = {
    b"\xff\xfe\x00\x00": "UTF-32", b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16",
}
_DECLARED_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _decode_packet(packet: bytes, name: str) -> str:
    """The packet as text. This app reads and writes UTF-8 XMP (what cameras, Lightroom
    and darktable write); a packet in another encoding, or with bytes that are not
    UTF-8, is refused with its reason rather than rewritten in an encoding it does not
    declare."""
    for bom, encoding in _OTHER_ENCODINGS.items():
        if packet.startswith(bom) and not packet.startswith(b"\xef\xbb\xbf"):
            raise XmpFormatError(f"{name}: the XMP is {encoding}, and this app writes UTF-8 XMP only; it leaves it alone")
    declared = _DECLARED_ENCODING.search(packet[:200])
    if declared and declared.group(1).decode("ascii").lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise XmpFormatError(
            f"{name}: the XMP declares the encoding {declared.group(1).decode('ascii')}, and this app writes "
            "UTF-8 XMP only; it leaves it alone"
        )
    try:
        return packet.decode("utf-8")
    except UnicodeDecodeError as error:
        raise XmpFormatError(
            f"{name}: the XMP is not valid UTF-8 (byte {error.start}); this app leaves it alone"
        ) from None


class DuplicatePropertyError(MetadataWriteError):
    """A keyword array we would take out is in the packet more than once."""


def refuse_duplicates(doc: XmpDocument, arrays: tuple[tuple[str, str], ...] | None = None, name: str = "") -> None:
    """Raise DuplicatePropertyError where `doc` holds one of `arrays` (default: every
    keyword array we write, KEYWORD_ARRAYS) more than once under one name
    (XmpDocument.duplicated): our keyword written into one would not be what every
    program shows, and one taken out of one would stay in the other."""
    for namespace, local in arrays or KEYWORD_ARRAYS:
        duplicate = doc.duplicated(namespace, local)
        if duplicate is not None:
            raise DuplicatePropertyError(f"{name + ': ' if name else ''}" + held_twice_words(
                duplicate, "a keyword written into one would not show in all of them and the file is left alone"))


def held_twice_words(duplicate: str, so: str) -> str:
    """Why a file holding `duplicate` (e.g. dc:subject) twice is left so (`so`), and how to tidy it."""
    return (f"the XMP holds {duplicate} more than once, which XMP forbids; programs disagree about which one "
            f"is the photo's (exiftool shows the last, Adobe's XMP Toolkit refuses the whole packet), so {so}: merge them "
            "into one in the program that wrote it")


class _TreeWithPrefixes(ET.TreeBuilder):
    """The tree, comments and processing instructions kept, and the first prefix the
    packet gives each namespace (in one parse: the parser reports each declaration)."""

    def __init__(self):
        super().__init__(insert_comments=True, insert_pis=True)
        self.prefixes: dict[str, str] = {}  # uri -> prefix

    def start_ns(self, prefix: str, uri: str) -> None:
        self.prefixes.setdefault(uri, prefix)


@dataclass
class XmpDocument:
    """A parsed packet: the text around the XML root, the tree and its prefixes."""

    prologue: str
    root: ET.Element
    epilogue: str
    prefixes: dict[str, str] = field(default_factory=dict)  # uri -> prefix

    @classmethod
    def parse(cls, packet: bytes | str | None, name: str = "XMP") -> XmpDocument:
        """Parse a packet (None or empty: a fresh, empty packet). Raises XmpFormatError."""
        text = _decode_packet(packet, name) if isinstance(packet, bytes) else (packet or "")
        text = text.rstrip("\x00")
        if not text.strip():
            text = PACKET_BEGIN + EMPTY_BODY + "\n" + PACKET_END
        match = _ROOT_START.search(text)
        if match is None:
            raise XmpFormatError(f"{name}: no x:xmpmeta or rdf:RDF element found")
        root_name = match.group(0)[1:]
        end = text.rfind("</" + root_name)
        end = text.find(">", end) + 1 if end >= 0 else -1
        if end <= 0:
            raise XmpFormatError(f"{name}: the <{root_name}> element is not closed")
        body = text[match.start() : end]
        after = text[end:]
        end_pi = _END_PI.search(after)
        # what closes a wrapper the prologue opened (<meta>…</meta> around rdf:RDF) is kept
        kept = (after[: end_pi.start()] if end_pi else after).strip()
        epilogue = "\n".join(part for part in (kept, end_pi.group(0).strip() if end_pi else "") if part)
        body = keep_line_breaks(body)
        builder = _TreeWithPrefixes()
        try:
            parser = ET.XMLParser(target=builder)
            parser.feed(body)
            root = parser.close()
        except ET.ParseError as error:
            raise XmpFormatError(not_well_formed_words(name, text, match.start(), text[match.start() : end], error)) from None
        _refuse_deep_nesting(root, name)
        return cls(text[: match.start()], root, epilogue, builder.prefixes)

    @classmethod
    def read(cls, packet: bytes | str | None) -> XmpDocument | None:
        """A photo's packet parsed once for everything read from it (its lens, date and
        landmark keyword); None when there is none or it is not well-formed: a damaged
        packet names nothing, and the scan goes on (writing into it is refused with
        its reason when it is written)."""
        if not packet:
            return None
        try:
            return cls.parse(packet)
        except (XmpFormatError, ValueError, SyntaxError):
            return None

    # -- reading ---------------------------------------------------------------

    def descriptions(self) -> list[ET.Element]:
        """The photo's own rdf:Descriptions: the top-level ones, children of rdf:RDF. One
        nested in a property (an xmpMM:Pantry item: a placed file's metadata) describes
        something else; its keywords are not the photo's, and a write leaves it alone."""
        if self.root.tag == _RDF_ROOT:
            tops = [self.root]
        else:  # under x:xmpmeta, or a wrapper deeper down (the first rdf:RDF found, then)
            tops = self.root.findall(_RDF_ROOT) or [next(self.root.iter(_RDF_ROOT), None)]
        return [child for top in tops if top is not None for child in top if child.tag == _DESCRIPTION]

    def ours(self, namespace: str, local: str, last: bool = False) -> tuple[ET.Element, str, ET.Element | None] | None:
        """Where the one occurrence of an array property we read and write is: its
        rdf:Description, its tag and its element (None: the attribute form); None when
        absent. The first in document order, a Description's own spelling first; another
        under a second spelling is another program's, which a write keeps as it is. One
        under the same name in another Description (`duplicated`) makes readers
        disagree: `last` gives the one exiftool shows (the last)."""
        descriptions = self.descriptions()
        for description in reversed(descriptions) if last else descriptions:
            for tag in _tags(namespace, local):
                props = description.findall(tag)
                if last and props:
                    return description, tag, props[-1]
                if tag in description.attrib:  # attribute form, not valid for a bag but seen
                    return description, tag, None
                if props:
                    return description, tag, props[0]
        return None

    def duplicated(self, namespace: str, local: str) -> str | None:
        """The name (prefix:local) of an array property the packet holds more than once
        under one spelling of its namespace (in two top-level rdf:Descriptions, as tools
        merging packets leave it, or twice in one), else None. XMP forbids it, and readers
        disagree: exiftool shows the last, Adobe's XMP Toolkit (its C++ SDK, in Exiv2's copy
        for digiKam and darktable, and its Java XMPCore) refuses the whole packet ("Duplicate
        property or field node"), and a reader that stops at the first shows the first."""
        for tag in _tags(namespace, local):
            if sum((tag in description.attrib) + len(description.findall(tag))
                   for description in self.descriptions()) > 1:
                return self._qname(tag)[0]
        return None

    def occurrences(self, namespace: str, local: str) -> int:
        """How many times the property is in the packet, under any spelling, in any form."""
        return sum((tag in description.attrib) + len(description.findall(tag))
                   for description in self.descriptions() for tag in _tags(namespace, local))

    def get_bag(self, namespace: str, local: str, last: bool = False) -> list[str] | None:
        """Items of an array property (each item_value); None when the property is absent.
        `last`: the occurrence exiftool shows where the property is `duplicated`."""
        found = self.ours(namespace, local, last)
        if found is None:
            return None
        description, tag, prop = found
        if prop is None:
            return [description.attrib[tag]]
        # exact: a user's " Holiday " is theirs to keep, and written back as it was
        return [item_value(li) for li in _items_of(prop)]

    def bag_items(self, namespace: str, local: str) -> list[ET.Element] | None:
        """The rdf:li elements of an array property in element form; None when absent."""
        found = self.ours(namespace, local)
        return None if found is None or found[2] is None else _items_of(found[2])

    def get_text(self, namespace: str, local: str) -> str | None:
        """A simple property's value (attribute or element form); None when absent."""
        tag = f"{{{namespace}}}{local}"
        for description in self.descriptions():
            if tag in description.attrib:
                return description.attrib[tag].strip()
            prop = description.find(tag)
            if prop is not None and prop.text and prop.text.strip():
                return prop.text.strip()
        return None

    # -- changing --------------------------------------------------------------

    def set_bag(self, namespace: str, local: str, values: list[str] | None, container: str = "Bag") -> None:
        """Make the property an array of `values`; None removes it. An existing
        rdf:Bag, rdf:Seq or rdf:Alt stays what it is; a new one is `container`. A
        property keeps its namespace's spelling (OTHER_SPELLINGS). Only the occurrence we
        read (`ours`) changes: a second one, under the other spelling or in another
        rdf:Description, is another program's and stays as it is; taking ours out while
        one is there would have it read in our place, so that is refused
        (DuplicatePropertyError); so is any change to one `duplicated` under one name,
        which no single place would show to every reader."""
        tags = _tags(namespace, local)
        refuse_duplicates(self, ((namespace, local),))
        found = self.ours(namespace, local)
        prop = None
        if found is not None:
            description, tag, prop = found
            if values is None and self.occurrences(namespace, local) > 1:
                spellings = " or ".join(tag[1:].split("}", 1)[0] for tag in tags)
                raise DuplicatePropertyError(
                    f"the XMP holds {local} more than once (namespace {spellings}); taking out the one "
                    "this app writes would leave the other program's read in its place, so the file is "
                    "left alone: remove one of them in the program that wrote it"
                )
            if prop is None:
                del description.attrib[tag]  # attribute form: becomes an element below
            elif values is None:
                description.remove(prop)
        if values is None:
            return
        if prop is None:
            descriptions = self.descriptions()
            if not descriptions:
                raise XmpFormatError("XMP has no rdf:Description to hold keywords")
            holder = descriptions[0]
            closing = "\n  "
            if len(holder):
                indent = holder.text if holder.text and not holder.text.strip() else "\n   "
                closing, holder[-1].tail = holder[-1].tail, indent
            else:
                holder.text = "\n   "
            prop = ET.SubElement(holder, tags[0])
            prop.tail = closing
        self._fill_bag(prop, values, container)
        self.prefix_for(prop.tag[1:].split("}", 1)[0])

    def set_text(self, namespace: str, local: str, value: str) -> None:
        """Give a simple property `value`, as an attribute of the first rdf:Description
        (how darktable writes xmpMM:DerivedFrom), replacing it wherever it is."""
        tag = f"{{{namespace}}}{local}"
        descriptions = self.descriptions()
        if not descriptions:
            raise XmpFormatError(f"XMP has no rdf:Description to hold {local}")
        for description in descriptions:
            description.attrib.pop(tag, None)
            for found in description.findall(tag):
                description.remove(found)
        descriptions[0].set(tag, value)
        self.prefix_for(namespace)

    def _fill_bag(self, prop: ET.Element, values: list[str], kind: str = "Bag") -> None:
        """Make the array hold `values`. An item already there with one of them keeps its
        element, attributes and qualifiers (an xml:lang, a confidence another tool gave
        it); only an item new to the array is written as plain text."""
        container = _container_of(prop)
        if container is None:
            prop.clear()
            container = ET.SubElement(prop, f"{{{RDF}}}{kind}")
        kept: dict[str, list[ET.Element]] = {}
        for child in list(container):
            if child.tag == _LI:
                kept.setdefault(item_value(child), []).append(child)
            container.remove(child)
        prop.text = "\n    "
        container.tail = "\n   "
        container.text = "\n     " if values else None
        for position, value in enumerate(values):
            same = kept.get(value)
            if same:
                li = same.pop(0)
                container.append(li)
            else:
                li = ET.SubElement(container, _LI)
                li.text = value
            li.tail = "\n     " if position + 1 < len(values) else "\n    "

    def prefix_for(self, namespace: str) -> str:
        """The document's prefix for a namespace, adding a fresh one when needed."""
        if namespace == XML_NS:
            return "xml"
        if namespace not in self.prefixes:
            taken = set(self.prefixes.values())
            base = PREFERRED_PREFIXES.get(namespace, "ns")
            prefix, number = base, 1
            while prefix in taken:
                prefix, number = f"{base}{number}", number + 1
            self.prefixes[namespace] = prefix
        return self.prefixes[namespace]

    # -- writing ---------------------------------------------------------------

    def serialize(self, padding: int = 0) -> bytes:
        """The packet as UTF-8, with `padding` spaces before the end marker."""
        out: list[str] = []
        self._write(self.root, out, declared=set(), depth=0)
        body = "".join(out)
        pad = ""
        if padding > 0:
            line = " " * 99 + "\n"
            pad = "\n" + line * (padding // 100) + " " * (padding % 100)
        tail = ("\n" + self.epilogue) if self.epilogue else ""
        return (self.prologue + body + pad + tail).encode("utf-8")

    def _qname(self, tag: str) -> tuple[str, str | None]:
        if tag.startswith("{"):
            uri, local = tag[1:].split("}", 1)
            prefix = self.prefix_for(uri)
            return (f"{prefix}:{local}" if prefix else local), uri
        return tag, None

    def _namespaces_in(self, element: ET.Element, whole_tree: bool) -> list[str]:
        found: list[str] = []
        for node in element.iter() if whole_tree else [element]:
            if not isinstance(node.tag, str):
                continue
            for name in [node.tag, *node.attrib]:
                if name.startswith("{"):
                    uri = name[1:].split("}", 1)[0]
                    if uri != XML_NS and uri not in found:
                        found.append(uri)
        return found

    def _write(self, element: ET.Element, out: list[str], declared: set[str], depth: int) -> None:
        if element.tag is ET.Comment:
            out.append(f"<!--{element.text or ''}-->")
        elif element.tag is ET.ProcessingInstruction:
            out.append(f"<?{element.text or ''}?>")
        else:
            # A Description declares what its whole subtree uses; other elements what they use.
            is_description = element.tag == f"{{{RDF}}}Description"
            needed = [u for u in self._namespaces_in(element, is_description) if u not in declared]
            name, _ = self._qname(element.tag)
            parts = [name]
            for uri in needed:
                prefix = self.prefix_for(uri)
                parts.append(f"xmlns:{prefix}={quoteattr(uri)}" if prefix else f"xmlns={quoteattr(uri)}")
            for key, value in element.attrib.items():
                parts.append(f"{self._qname(key)[0]}={quoteattr(value)}")
            inner = declared | set(needed)
            if len(element) == 0 and not element.text:
                out.append("<" + " ".join(parts) + "/>")
            else:
                out.append("<" + " ".join(parts) + ">")
                out.append(escape_text(element.text or ""))
                for child in element:
                    self._write(child, out, inner, depth + 1)
                out.append(f"</{name}>")
        if depth > 0 and element.tail:
            out.append(escape_text(element.tail))


# Far deeper than any editor nests XMP (Lightroom and darktable stay under 15 levels), and
# far below Python's recursion limit, which the serialiser and ElementTree's own copy and
# search would reach at about 990 levels: a packet nested deeper is refused as it is read.
MAX_XMP_DEPTH = 200


def _refuse_deep_nesting(root: ET.Element, name: str) -> None:
    """Raise XmpFormatError when elements nest more than MAX_XMP_DEPTH levels deep
    (walked without recursion, so any depth is measured)."""
    level: list[tuple[ET.Element, int]] = [(root, 1)]
    while level:
        element, depth = level.pop()
        if depth > MAX_XMP_DEPTH:
            raise XmpFormatError(
                f"{name}: the XMP nests elements more than {MAX_XMP_DEPTH} levels deep, which no photo "
                "editor writes; this app leaves it alone"
            )
        if len(element):
            level.extend((child, depth + 1) for child in element)


def _tags(namespace: str, local: str) -> list[str]:
    """The element names a property may have: under its namespace and its other spellings."""
    return [f"{{{uri}}}{local}" for uri in (namespace, *OTHER_SPELLINGS.get(namespace, ()))]


_LI = f"{{{RDF}}}li"
_VALUE = f"{{{RDF}}}value"
_CONTAINERS = {f"{{{RDF}}}{kind}" for kind in ("Bag", "Seq", "Alt")}


def _container_of(prop: ET.Element) -> ET.Element | None:
    """The rdf:Bag, rdf:Seq or rdf:Alt of an array property, None when it has none."""
    return next((child for child in prop if child.tag in _CONTAINERS), None)


def _items_of(prop: ET.Element) -> list[ET.Element]:
    """The items of an array property: its container's rdf:li children (an item's own
    qualifiers are no items), or, where it has no container, any rdf:li inside it."""
    container = _container_of(prop)
    if container is None:
        return list(prop.iter(_LI))
    return [child for child in container if child.tag == _LI]


def item_value(li: ET.Element) -> str:
    """An array item's text. An item with qualifiers holds it in rdf:value: as an element
    of an rdf:li with rdf:parseType="Resource" or of an rdf:Description inside it, or as
    an attribute of either (RDF's shorthand); a plain item (one with xml:lang too) is
    its text."""
    for holder in (li, li.find(f"{{{RDF}}}Description")):
        if holder is None:
            continue
        if _VALUE in holder.attrib:
            return holder.attrib[_VALUE]
        value = holder.find(_VALUE)
        if value is not None:
            return value.text or ""
    return li.text or ""


def is_plain_item(li: ET.Element) -> bool:
    """Whether an array item is text alone: no attribute (xml:lang, rdf:parseType) and no
    element inside (qualifiers)."""
    return not li.attrib and len(li) == 0
