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
bytes: so the picture is decoded again without the zero bytes right before each marker,
then (a scan or restart interval may end in a real 0x00 byte) keeping one of them before
each marker of the picture's data, and the warning is damage only when it comes both
times. N is not where to look: libjpeg counts bytes it prefetched at one restart marker
into the next one's N. Zeros written over the last bytes before a marker pass for padding.
The bytes are walked once (a zeroed block of megabytes costs milliseconds, not hours).
"""

from __future__ import annotations

import re

from PIL import Image

# libjpeg's words for damaged data (jerror.h): a warning in strict mode, not an unsupported file.
_DAMAGE_WORDS = ("Corrupt JPEG data", "Premature end of JPEG file", "Invalid JPEG file structure", "Bogus")
_COLOURSPACES = {"RGB": "RGB", "L": "GRAY"}
# JWRN_EXTRANEOUS_DATA: bytes skipped before a marker; padding, or data left over after damage.
_SKIPPED_BYTES = re.compile(r"Corrupt JPEG data: \d+ extraneous bytes before marker 0x[0-9a-f]{2}")
_ZEROS = re.compile(rb"\x00*")
_FILL = re.compile(rb"\xff*")
# a marker in entropy-coded data: its 0xFF fill bytes, from the first (FF00 is a stuffed
# 0xFF); possessive and anchored to a run's start so that each run is read once
_MARKER = re.compile(rb"(?<!\xff)\xff++(?=[\x01-\xfe])")
_NO_LENGTH = {0x01, *range(0xD0, 0xDA)}  # TEM, RSTn, SOI, EOI: markers with no segment
_RESTARTS = range(0xD0, 0xD8)


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
    """simplejpeg's strict decode of `data`; when libjpeg says it skipped bytes, once more
    without the zero padding before its markers, then keeping one zero before each marker
    of the picture's data (ValueError, the file's own words, when still warned)."""
    try:
        return simplejpeg.decode_jpeg(data, colourspace, min_width=width, min_height=height, strict=True)
    except ValueError as error:
        if not _SKIPPED_BYTES.fullmatch(str(error)):
            raise
        warned = error
    tried = data
    for kept_zeros in (0, 1):
        unpadded = without_padding(data, kept_zeros)
        if unpadded == tried:  # no zero run for this try to change: no decode
            continue
        tried = unpadded
        try:
            return simplejpeg.decode_jpeg(unpadded, colourspace, min_width=width, min_height=height, strict=True)
        except ValueError:
            continue
    raise warned


def without_padding(data: bytes, kept_zeros: int = 0) -> bytes:
    """`data` without the zero bytes before its markers: all of them between segments (outside
    the picture's data); in a scan's data all but `kept_zeros` of a run, as its last byte may
    be a real 0x00. Segments are skipped by their lengths (an EXIF thumbnail is left whole);
    what cannot be walked is kept as it is. Linear in len(data)."""
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
            at = _scan_data_unpadded(data, at, kept_zeros, kept)
    kept.append(data[at:])
    return b"".join(kept)


def _scan_data_unpadded(data: bytes, at: int, kept_zeros: int, kept: list[bytes]) -> int:
    """Append a scan's entropy-coded data from `at` to `kept`, its restart intervals' zero
    runs before a marker cut to `kept_zeros`; where the marker ending the scan is."""
    while True:
        found = _MARKER.search(data, at)
        end = found.start() if found else len(data)
        piece = data[at:end]
        zeros = len(piece) - len(piece.rstrip(b"\0"))
        if zeros and zeros < len(piece) and piece[-zeros - 1] == 0xFF:
            zeros -= 1  # the first zero stuffs a 0xFF: data
        if found and zeros > kept_zeros:
            piece = piece[:len(piece) - zeros + kept_zeros]
        kept.append(piece)
        if not found or data[found.end()] not in _RESTARTS:
            return end
        kept.append(data[end:found.end() + 1])
        at = found.end() + 1


def damage_note(path: str, words: str) -> str:
    """The per-file warning of a photo labelled from a damaged picture."""
    return (f"{path}: the picture's data is damaged ({words}); labelled from the part that could be read, "
            "which may be grey or garbled: check the file against a backup")
