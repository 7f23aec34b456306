"""Decode a JPEG's picture and say whether its data is damaged.

libjpeg decodes a JPEG whose entropy-coded data is damaged (a few KB overwritten, a
copy cut short with an end marker added) without an error: it only warns ("Corrupt JPEG
data: premature end of data segment") and fills what it could not read with grey.
Pillow drops these warnings, so such a photo was tagged as if whole. simplejpeg
(libjpeg-turbo) raises them in strict mode: the picture is decoded by it, at the scale
Pillow's draft chose (the same pixels), and a photo it finds damaged is decoded by
Pillow as before (what could be read, or Pillow's error) with the warning kept. Where
simplejpeg is not installed, or for what it does not decode as Pillow does (CMYK), Pillow
decodes alone, unchecked.

libjpeg also says "Corrupt JPEG data: N extraneous bytes before marker 0x.." of a whole
picture: padding some cameras and tools put before a marker (EOI, RST, the next SOS, a
header segment), skipped with nothing lost. The same words come of damage when the
decoder, thrown off by it, finishes early with real data left over. Padding is zero
bytes: so the picture is decoded again with the zero runs before the markers of the family
the warning names (the end marker, restart markers, those after a scan) cut: all of each
run, all but one (an interval may end in a real 0x00), the run most restart markers have,
then only the runs not of that length, family after family as warnings come. When none
decodes clean, a one-scan baseline file with restart markers is told exactly, each interval
decoded on its own (jpeg_restart_intervals: its own zeros, the rest padding); damage when
that does not decode clean either. N is not where to look: libjpeg counts bytes it prefetched at one
restart marker into a later one's N. Zeros written over the last bytes before a marker
pass for padding. The bytes are walked once (a zeroed block of megabytes costs milliseconds, not hours).
"""

from __future__ import annotations

import re
from collections import Counter

from PIL import Image

from app.core.jpeg_restart_intervals import own_zeros, zeros_before

# libjpeg's words for damaged data (jerror.h): a warning in strict mode, not an unsupported file.
_DAMAGE_WORDS = ("Corrupt JPEG data", "Premature end of JPEG file", "Invalid JPEG file structure", "Bogus")
_COLOURSPACES = {"RGB": "RGB", "L": "GRAY"}
# JWRN_EXTRANEOUS_DATA: bytes skipped before a marker; padding, or data left over after damage.
_SKIPPED_BYTES = re.compile(r"Corrupt JPEG data: \d+ extraneous bytes before marker 0x[0-9a-f]{2}")
_ZEROS = re.compile(rb"\x00*")
_FILL = re.compile(rb"\xff*")
# the marker ending a scan's entropy-coded data (any but RSTn): its 0xFF fill bytes, from the
# first (FF00 is a stuffed 0xFF); possessive and anchored to a run's start: each run read once
_SCAN_END = re.compile(rb"(?<!\xff)\xff++(?=[\x01-\xcf\xd8-\xfe])")
# the last zero before a marker's fill (a zero before FF00, a stuffed 0xFF, is not one)
_ZERO_BEFORE_MARKER = re.compile(rb"\x00(?=\xff+[\x01-\xfe])")
_NO_LENGTH = {0x01, *range(0xD0, 0xDA)}  # TEM, RSTn, SOI, EOI: markers with no segment
_RESTARTS = range(0xD0, 0xD8)
# markers whose zero runs are cut alike: EOI, restart markers, and those after a scan (SOS, DHT…)
_FAMILIES = ("end", "restart", "scan")
# each family's cuts, tried in turn while its markers are still warned of
_CUTS = (0, 1, "typical", "odd")
_MOST_TRIES = 8  # decodes: bounded for a damaged file


def load_checked(image: Image.Image, data: bytes) -> tuple[Image.Image, str | None]:
    """The drafted JPEG `image` decoded (its bytes are `data`), and libjpeg's words when
    its data is damaged (None when whole, or not checked)."""
    decoded, damage = _strict_decode(image, data)
    if decoded is not None:
        return decoded, None
    image.load()  # Pillow's own reading: the part that could be read, or its error
    return image, damage


def _strict_decode(image: Image.Image, data: bytes) -> tuple[Image.Image | None, str | None]:
    colourspace = _COLOURSPACES.get(image.mode)
    if colourspace is None:
        return None, None
    try:
        import simplejpeg
    except ImportError:  # an optional speed-up of the check: Pillow alone then
        return None, None
    width, height = image.size  # the size Pillow's draft decodes to: the same scale
    try:
        pixels = _decode_unpadded(simplejpeg, data, colourspace, width, height)
    except ValueError as error:
        words = str(error)
        return None, (words if words.startswith(_DAMAGE_WORDS) else None)
    pixels = pixels[:, :, 0] if colourspace == "GRAY" else pixels
    if pixels.shape[:2] != (height, width):
        return None, None
    return Image.fromarray(pixels, image.mode), None


def _decode_unpadded(simplejpeg, data: bytes, colourspace: str, width: int, height: int):
    """simplejpeg's strict decode of `data`; when libjpeg says it skipped bytes, again with
    the zero padding cut, family of markers by family as its warnings point (ValueError,
    the file's own words, when no cut decodes clean)."""
    try:
        return simplejpeg.decode_jpeg(data, colourspace, min_width=width, min_height=height, strict=True)
    except ValueError as error:
        if not _SKIPPED_BYTES.fullmatch(str(error)):
            raise
        warned = error
    cuts = dict.fromkeys(_FAMILIES)  # None: left as it is
    tried, words, last = {data}, str(warned), None
    for _ in range(_MOST_TRIES):
        skipped = _SKIPPED_BYTES.fullmatch(words)
        # named first; bytes skipped at restart markers are counted at a later marker
        families = [_family(int(words[-2:], 16)), *_FAMILIES] if skipped else [last]
        unpadded = None
        for family in filter(None, families):
            while _next_cut(cuts, family):
                candidate = without_padding(data, cuts)
                if candidate not in tried:
                    unpadded, last = candidate, family
                    break
            if unpadded is not None:
                break
        if unpadded is None:
            break
        tried.add(unpadded)
        try:
            return simplejpeg.decode_jpeg(unpadded, colourspace, min_width=width, min_height=height, strict=True)
        except ValueError as error:
            words = str(error)
    own = own_zeros(simplejpeg, data)  # no guess fits: a baseline file's intervals are told exactly
    if own is not None:
        exact = without_padding(data, {"end": own, "restart": own, "scan": None})
        if exact not in tried:
            try:
                return simplejpeg.decode_jpeg(exact, colourspace, min_width=width, min_height=height, strict=True)
            except ValueError:
                pass
    raise warned


def _family(code: int) -> str:
    return "end" if code == 0xD9 else "restart" if code in _RESTARTS else "scan"


def _next_cut(cuts: dict, family: str) -> bool:
    """Move `family` to its next cut (False when all were tried)."""
    order = _CUTS[:2] if family == "end" else _CUTS  # one EOI: no typical run to tell
    at = order.index(cuts[family]) + 1 if cuts[family] in order else 0
    if at == len(order):
        return False
    cuts[family] = order[at]
    return True


def without_padding(data: bytes, cuts: int | dict = 0) -> bytes:
    """`data` without the zero bytes before its markers: all of them between segments (outside
    the picture's data); in a scan's data as `cuts` says for the family of the marker ("end",
    "restart", "scan"): None leaves a run, 0 or 1 keeps that many zeros of it (as the last
    may be a real 0x00), "typical" cuts the run length most restart markers have (padding
    before each, some intervals also ending in real zeros), "odd" cuts whole the runs not of
    that length (padding before a few, the typical run being real zeros), a dict the zeros
    kept before each marker by where its fill starts (a run not in it left). An int is the same
    for every family. Segments are skipped by their lengths (an EXIF thumbnail is left
    whole); what cannot be walked is kept as it is. Linear in len(data)."""
    if isinstance(cuts, int):
        cuts = dict.fromkeys(_FAMILIES, cuts)
    kept = [data[:2]]
    at = 2
    while at < len(data):
        marker = _ZEROS.match(data, at).end()  # a segment ends here: zeros before the next are padding
        code_at = _FILL.match(data, marker).end()
        if code_at == marker or code_at >= len(data) or data[code_at] == 0:
            break  # not a marker: left as it is
        code = data[code_at]
        kept.append(data[marker:code_at + 1])
        at = code_at + 1
        if code == 0xD9:
            break
        if code in _NO_LENGTH:
            continue
        end = at + int.from_bytes(data[at:at + 2], "big")
        kept.append(data[at:end])
        at = end
        if code == 0xDA:
            at = _scan_data_unpadded(data, at, cuts, kept)
    kept.append(data[at:])
    return b"".join(kept)


def _scan_data_unpadded(data: bytes, at: int, cuts: dict, kept: list[bytes]) -> int:
    """Append a scan's entropy-coded data from `at` to `kept`, the zero runs before its
    markers cut as `cuts` says; where the marker ending the scan is. Only the markers with
    a zero before them are looked at one by one (millions of restart markers are common)."""
    found = _SCAN_END.search(data, at)
    end = found.start() if found else len(data)
    runs = []  # (where the marker's fill starts, zeros before it, its family)
    for zero in _ZERO_BEFORE_MARKER.finditer(data, at, found.end() + 1 if found else len(data)):
        marker = zero.end()
        zeros = zeros_before(data, marker, at)
        if zeros < marker - at and data[marker - zeros - 1] == 0xFF:
            zeros -= 1  # the first zero stuffs a 0xFF: data
        runs.append((marker, zeros, _family(data[_FILL.match(data, marker).end()])))
    typical = Counter(zeros for _, zeros, family in runs if zeros and family == "restart").most_common(1)
    for marker, zeros, family in runs:
        cut = cuts.get(family)
        if isinstance(cut, dict):  # each marker's own: the zeros its interval keeps (where told)
            cut_zeros = zeros - min(zeros, cut.get(marker, zeros))
        elif cut in ("typical", "odd"):
            common = typical[0][0] if family == "restart" and typical else 0
            cut_zeros = min(zeros, common) if cut == "typical" else 0 if zeros == common else zeros
        else:
            cut_zeros = 0 if cut is None else max(0, zeros - cut)
        kept.append(data[at:marker - cut_zeros])
        at = marker
    kept.append(data[at:end])
    return end


def damage_note(path: str, words: str) -> str:
    """The per-file warning of a photo labelled from a damaged picture."""
    return (f"{path}: the picture's data is damaged ({words}); labelled from the part that could be read, "
            "which may be grey or garbled: check the file against a backup")
