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
picture: padding some cameras and tools put before a marker (EOI, RST, the next SOS),
skipped with nothing lost. The same words come of damage when the decoder, thrown off by
it, finishes early with real data left over. Padding is zero bytes: so the picture is
decoded again without the zero bytes right before each marker of its scans, and the
warning is damage only when it comes again (real data is left over). N is not where to
look: libjpeg counts bytes it prefetched at one restart marker into the next one's N.
Zeros written over the last bytes before a marker pass for padding.
"""

from __future__ import annotations

import re

from PIL import Image

# libjpeg's words for damaged data (jerror.h): a warning in strict mode, not an unsupported file.
_DAMAGE_WORDS = ("Corrupt JPEG data", "Premature end of JPEG file", "Invalid JPEG file structure", "Bogus")
_COLOURSPACES = {"RGB": "RGB", "L": "GRAY"}
# JWRN_EXTRANEOUS_DATA: bytes skipped before a marker; padding, or data left over after damage.
_SKIPPED_BYTES = re.compile(r"Corrupt JPEG data: \d+ extraneous bytes before marker 0x[0-9a-f]{2}")
# zero bytes right before a marker (0xFF fill bytes allowed between; FF00 is a stuffed 0xFF)
_PADDING = re.compile(rb"(?<!\xff)\x00+(?=\xff+[\x01-\xfe])")


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
    """simplejpeg's strict decode of `data`, once more without the padding before its
    scans' markers when libjpeg says it skipped bytes (ValueError when still warned)."""
    try:
        return simplejpeg.decode_jpeg(data, colourspace, min_width=width, min_height=height, strict=True)
    except ValueError as error:
        if not _SKIPPED_BYTES.fullmatch(str(error)):
            raise
        scans = _first_scan(data)  # header segments (EXIF, its thumbnail) kept as they are
        unpadded = data[:scans] + _PADDING.sub(b"", data[scans:]) if scans else data
        if unpadded == data:
            raise
        return simplejpeg.decode_jpeg(unpadded, colourspace, min_width=width, min_height=height, strict=True)


def _first_scan(data: bytes) -> int | None:
    """Where the first SOS marker of `data` is, found by its header segments' lengths."""
    at = 2
    while at + 4 <= len(data) and data[at] == 0xFF:
        if data[at + 1] == 0xFF:  # a fill byte
            at += 1
        elif data[at + 1] == 0xDA:
            return at
        else:
            at += 2 + int.from_bytes(data[at + 2:at + 4], "big")
    return None


def damage_note(path: str, words: str) -> str:
    """The per-file warning of a photo labelled from a damaged picture."""
    return (f"{path}: the picture's data is damaged ({words}); labelled from the part that could be read, "
            "which may be grey or garbled: check the file against a backup")
