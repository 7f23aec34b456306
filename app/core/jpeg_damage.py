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
"""

from __future__ import annotations

from PIL import Image

# libjpeg's words for damaged data (jerror.h): a warning in strict mode, not an unsupported file.
_DAMAGE_WORDS = ("Corrupt JPEG data", "Premature end of JPEG file", "Invalid JPEG file structure", "Bogus")
_COLOURSPACES = {"RGB": "RGB", "L": "GRAY"}


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
        pixels = simplejpeg.decode_jpeg(data, colourspace, min_width=width, min_height=height, strict=True)
    except ValueError as error:
        words = str(error)
        return None, (words if words.startswith(_DAMAGE_WORDS) else None)
    pixels = pixels[:, :, 0] if colourspace == "GRAY" else pixels
    if pixels.shape[:2] != (height, width):
        return None, None
    return Image.fromarray(pixels, image.mode), None


def damage_note(path: str, words: str) -> str:
    """The per-file warning of a photo labelled from a damaged picture."""
    return (f"{path}: the picture's data is damaged ({words}); labelled from the part that could be read, "
            "which may be grey or garbled: check the file against a backup")
