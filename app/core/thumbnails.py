"""Thumbnails and previews for the photo grid and the detail pane, GUI-free.

Grid tiles come from the embedded EXIF thumbnail when it is big enough for the tile's
device pixels (reading a few KB instead of decoding megapixels), else from a larger
preview the camera embedded (MPF, Nikon MakerNote: `jpeg_previews`), else from a
reduced JPEG decode (`draft`); a RAW file's from its embedded preview. The GUI asks
for the tile's size in device pixels (240 at 150 % screen scale), so a 160-px EXIF
thumbnail serves a tile at 100 % only. Results are cached as small JPEGs under
`cache_dir()/thumbnails`, keyed by path, size, file size and mtime, so a changed
photo gets a fresh thumbnail, an unchanged one is never decoded twice, and the 1x
and 2x thumbnails of a photo are two files that do not replace each other. A changed
photo (a write adds its keywords) leaves its old thumbnail behind, so the cache is
kept under a size limit: `prune_thumbnail_cache` removes the oldest thumbnails first.
A photo in iCloud or online only (app/core/cloud_files.py) is never read here:
NotDownloadedError, for the GUI to show a placeholder instead. The GUI calls these
functions from worker threads only.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, JpegImagePlugin

from app.core.cloud_files import NotDownloadedError, online_only_note, refuse_not_downloaded
from app.core.config import cache_dir
from app.core.errors import PhotoReadError
from app.core.exif_counts import oversized_count
from app.core.image_limits import MAX_PIXELS, check_decodable
from app.core.image_modes import apply_orientation, exif_orientation, to_rgb
from app.core.jpeg_named_raw import holds_jpeg
from app.core.pillow_setup import set_up_pillow

# Bumped when the way thumbnails are made changes, so old cache files are ignored.
THUMBNAIL_VERSION = 4  # 4: no embedded picture stretched to a larger tile; 3: 16-bit scans, letterbox trimmed
RAW_EXTENSIONS = frozenset(
    ".nef .nrw .cr2 .cr3 .crw .arw .srf .sr2 .dng .raf .orf .rw2 .pef .srw .kdc .dcr "
    ".mrw .iiq .x3f .3fr .erf .mef .mos .raw .rwl".split()
)
# An embedded thumbnail or preview is used when its long side, as shown, reaches this
# share of the size asked (the tile in device pixels). 0.6 let a 160-px EXIF thumbnail
# be stretched over a 240-px tile (150 % screen scale), visibly blurred; 5 % short
# does not show, and keeps Nikon's 160-px thumbnails (152 px once their letterbox is
# trimmed) on 160-px tiles: 1 ms against 25-50 ms to decode a 6-24 MP photo at 1/8.
EMBEDDED_ENOUGH = 0.95
# rawpy's flip values to the EXIF orientation they mean.
RAW_FLIP_TO_ORIENTATION = {0: 1, 3: 3, 5: 8, 6: 6}


def thumbnail_cache_dir() -> Path:
    """The folder of cached thumbnails: cache_dir()/thumbnails."""
    return cache_dir() / "thumbnails"


def thumbnail_cache_path(path: Path, size: int, cache: Path | None = None) -> Path:
    """Where the thumbnail of `path` at `size` is (or will be) cached.

    Raises PhotoReadError when the file cannot be stat'ed (moved, unreadable), and
    NotDownloadedError for a photo in iCloud or online only (cloud_files): browsing must
    not download it, so no thumbnail is made of it nor taken from the cache.
    """
    try:
        stat = os.stat(path)
    except OSError as error:
        if isinstance(error, FileNotFoundError):
            refuse_not_downloaded(path)  # its iCloud stand-in lies in its place
        raise PhotoReadError(f"cannot read {path}: {error.strerror or error}") from error
    if (note := online_only_note(stat)) is not None:  # an online-only placeholder: a read downloads it
        raise NotDownloadedError(path, note)
    key = f"{THUMBNAIL_VERSION}|{os.fsencode(str(path)).hex()}|{size}|{stat.st_size}|{stat.st_mtime_ns}"
    digest = hashlib.sha1(key.encode("ascii")).hexdigest()
    return (cache or thumbnail_cache_dir()) / digest[:2] / f"{digest}.jpg"


def cached_thumbnail(path: Path, size: int, cache: Path | None = None) -> Path:
    """Return a cached JPEG thumbnail of `path` whose long side is at most `size`.

    Makes and stores it on the first call. Raises PhotoReadError (or a subclass)
    when the photo cannot be read; nothing is cached then.
    """
    target = thumbnail_cache_path(path, size, cache)
    if target.is_file():
        return target
    image = make_thumbnail(path, size)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=".thumb-", suffix=".jpg", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            image.save(handle, "JPEG", quality=85, optimize=True)
        try:
            os.replace(temp_name, target)
        except PermissionError:
            # Windows: another window or process made the same thumbnail meanwhile and
            # has it open, so it cannot be replaced; that one is just as good
            if not target.is_file():
                raise
            Path(temp_name).unlink(missing_ok=True)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return target


# The thumbnail cache's size limit; pruning leaves it at PRUNE_TO of that, so it runs
# rarely. 2 GiB holds about 150,000 grid thumbnails.
CACHE_LIMIT_BYTES = 2 * 1024**3
PRUNE_TO = 0.8
RECENT_S = 3600  # thumbnails made within the last hour are never removed (they are on screen)


@dataclass(frozen=True)
class PruneResult:
    removed: int
    freed_bytes: int
    kept_bytes: int


def prune_thumbnail_cache(
    limit_bytes: int = CACHE_LIMIT_BYTES, cache: Path | None = None, now: float | None = None
) -> PruneResult:
    """Keep the cache under `limit_bytes`: when it is over, remove the oldest
    thumbnails (by the time they were made) until it holds PRUNE_TO of the limit, and
    temp files a crash left. Removed thumbnails are made again when next shown; files
    that cannot be removed are skipped."""
    folder = cache or thumbnail_cache_dir()
    now = time.time() if now is None else now
    entries: list[tuple[float, int, str]] = []
    removed = freed = 0
    try:
        shards = [entry.path for entry in os.scandir(folder) if entry.is_dir(follow_symlinks=False)]
    except OSError:
        return PruneResult(0, 0, 0)
    for shard in shards:
        try:
            with os.scandir(shard) as listing:
                for entry in listing:
                    stat = entry.stat(follow_symlinks=False)
                    if entry.name.startswith(".thumb-") and now - stat.st_mtime > RECENT_S:
                        if _remove(entry.path):
                            removed, freed = removed + 1, freed + stat.st_size
                    elif entry.name.endswith(".jpg") and entry.is_file(follow_symlinks=False):
                        entries.append((stat.st_mtime, stat.st_size, entry.path))
        except OSError:
            continue
    total = sum(size for _, size, _ in entries)
    if total > limit_bytes:
        target = limit_bytes * PRUNE_TO
        for mtime, size, path in sorted(entries):
            if total <= target or now - mtime <= RECENT_S:
                break
            if _remove(path):
                removed, freed, total = removed + 1, freed + size, total - size
    return PruneResult(removed, freed, total)


def _remove(path: str) -> bool:
    try:
        os.remove(path)
        return True
    except OSError:
        return False


def remade_thumbnail(path: Path, size: int, cache: Path | None = None) -> Path:
    """The cached thumbnail made anew: for one that vanished (pruned) or could not be
    loaded between its lookup and its use."""
    thumbnail_cache_path(path, size, cache).unlink(missing_ok=True)
    return cached_thumbnail(path, size, cache)


def make_thumbnail(path: Path, size: int) -> Image.Image:
    """An RGB thumbnail with orientation applied, long side at most `size`."""
    path = Path(path)
    set_up_pillow()  # HEIC content under a .JPG name too; Pillow's EXIF warnings kept quiet
    if path.suffix.lower() in RAW_EXTENSIONS and not holds_jpeg(path):  # a JPEG named .NEF: by its content
        image = _raw_preview(path, size)
    else:
        image = _embedded_thumbnail(path, size) or _embedded_preview(path, size) or _decoded_image(path, size)
    image.thumbnail((size, size), Image.Resampling.LANCZOS)
    return to_rgb(image)


def load_preview(path: Path, max_side: int = 1600) -> Image.Image:
    """A large RGB preview for the detail pane, orientation applied. Raises
    NotDownloadedError for a photo in iCloud or online only, which is not read."""
    path = Path(path)
    refuse_not_downloaded(path)  # reading it would download it while the user only looks
    set_up_pillow()  # HEIC content under a .JPG name too; Pillow's EXIF warnings kept quiet
    if path.suffix.lower() in RAW_EXTENSIONS and not holds_jpeg(path):  # a JPEG named .NEF: by its content
        image = _raw_preview(path, max_side)
    else:
        image = _decoded_image(path, max_side)
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return to_rgb(image)


def _open(path: Path) -> Image.Image:
    try:
        return Image.open(path)
    except (OSError, ValueError, SyntaxError) as error:
        raise PhotoReadError(f"cannot open {path}: {error}") from error


def _embedded_thumbnail(path: Path, size: int) -> Image.Image | None:
    """The EXIF IFD1 thumbnail, oriented and cropped to the photo's aspect; None if unusable."""
    import piexif

    with _open(path) as image:
        exif_bytes = image.info.get("exif")
        full_size = image.size
        if not exif_bytes or oversized_count(exif_bytes) is not None:
            return None  # a forged count would have piexif build gigabytes, the GIL held
        try:
            exif = piexif.load(exif_bytes)
        except Exception:  # piexif raises bare errors on odd maker data; fall back to decoding
            return None
    data = exif.get("thumbnail")
    if not data:
        return None
    try:
        thumb = Image.open(io.BytesIO(data))
        if not _plausible_thumbnail(thumb.size, full_size):
            return None  # a forged header: decoding it would allocate gigabytes
        thumb.load()
    except (OSError, ValueError, SyntaxError):
        return None
    if max(thumb.size) < size * EMBEDDED_ENOUGH:
        return None
    aspect = full_size[0] / max(1, full_size[1])
    thumb = _crop_to_aspect(_trim_letterbox(thumb.convert("RGB"), aspect), aspect)
    if max(thumb.size) < size * EMBEDDED_ENOUGH:  # its letterbox took more than the margin
        return None
    orientation = exif.get("0th", {}).get(piexif.ImageIFD.Orientation, 1)
    return apply_orientation(thumb, orientation)


# An EXIF thumbnail lives in a 64 KB APP1 segment: cameras write 160 x 120 to 640 x 480.
# One that declares more (a patched header claimed 60,000 x 60,000, 10 GB to decode)
# or more pixels than the photo itself is forged, and is ignored before it is decoded.
MAX_EXIF_THUMBNAIL_PIXELS = 4_000_000


def _plausible_thumbnail(thumb_size: tuple[int, int], photo_size: tuple[int, int]) -> bool:
    """Whether an EXIF thumbnail's declared size is one worth decoding."""
    pixels = thumb_size[0] * thumb_size[1]
    return 0 < pixels <= min(MAX_EXIF_THUMBNAIL_PIXELS, photo_size[0] * photo_size[1])


def _embedded_preview(path: Path, size: int) -> Image.Image | None:
    """The cheapest preview embedded in a JPEG (MPF, Nikon MakerNote) big enough for
    `size` and of the photo's shape (one of another shape shows the photo as it was
    before a crop), decoded at reduced size with the photo's orientation; None when
    there is none. Nikon's 570-px preview takes 2-3 ms where its 24 MP photo takes 40."""
    from app.core.jpeg_previews import embedded_previews

    try:
        with open(path, "rb") as stream:
            image = Image.open(stream)
            if not isinstance(image, JpegImagePlugin.JpegImageFile):
                return None
            width, height = image.size
            aspect = width / max(1, height)
            usable = [preview for preview in embedded_previews(stream, image, MAX_PIXELS)
                      if max(preview.width, preview.height) >= size * EMBEDDED_ENOUGH
                      and preview.width * preview.height < width * height
                      and _aspect_off(preview.width / preview.height, aspect) < ASPECT_TOLERANCE]
            if not usable:
                return None
            chosen = min(usable, key=lambda preview: len(preview.data))
            orientation = exif_orientation(image)
        preview = Image.open(io.BytesIO(chosen.data))
        preview.draft("RGB", (size, size))
        preview.load()
    except (OSError, ValueError, SyntaxError):  # decoding the photo itself says what is wrong
        return None
    return apply_orientation(to_rgb(preview), orientation)


# A letterbox bar's pixels stay this dark (JPEG noise on black); bars never take more
# than this share of a side (a wholly dark thumbnail, a lens cap, is left as it is).
BAR_LEVEL = 24
MAX_BAR_SHARE = 0.15
ASPECT_TOLERANCE = 0.03  # a thumbnail this near the photo's shape is the photo, bars and all


def _trim_letterbox(thumb: Image.Image, aspect: float) -> Image.Image:
    """Cut black bars on both opposite sides (Nikon pads its 160 × 120 thumbnails of 3:2
    photos with 8-10 rows above and below, some with 4 columns at the sides too): the
    aspect crop alone left a black frame round the tile. Only a thumbnail whose shape is
    not the photo's (`aspect`) is padded, and only a cut that brings it nearer is one:
    a night scene dark above and below, or one dark side alone, is the photo's own."""
    import numpy as np

    width, height = thumb.size
    if _aspect_off(width / max(1, height), aspect) < ASPECT_TOLERANCE:
        return thumb
    gray = np.asarray(thumb.convert("L"))
    rows, cols = gray.max(axis=1), gray.max(axis=0)
    top, bottom = _dark_run(rows, height), _dark_run(rows[::-1], height)
    left, right = _dark_run(cols, width), _dark_run(cols[::-1], width)
    if not (top and bottom):
        top = bottom = 0
    if not (left and right):
        left = right = 0
    if not (top or left):
        return thumb
    trimmed = (width - left - right) / max(1, height - top - bottom)
    if _aspect_off(trimmed, aspect) >= _aspect_off(width / max(1, height), aspect):
        return thumb
    return thumb.crop((left, top, width - right, height - bottom))


def _aspect_off(current: float, aspect: float) -> float:
    return abs(current - aspect) / aspect


def _dark_run(maxima, length: int) -> int:
    """How many lines from the start are bar-dark; 0 when more than a bar's share is."""
    import numpy as np

    bright = np.flatnonzero(maxima > BAR_LEVEL)
    run = int(bright[0]) if bright.size else length
    return run if run <= length * MAX_BAR_SHARE else 0


def _crop_to_aspect(thumb: Image.Image, aspect: float) -> Image.Image:
    """Cut the letterbox bars cameras add when the thumbnail's aspect differs from the photo's."""
    width, height = thumb.size
    current = width / max(1, height)
    if _aspect_off(current, aspect) < ASPECT_TOLERANCE:
        return thumb
    if current < aspect:  # bars above and below
        new_height = max(1, round(width / aspect))
        top = (height - new_height) // 2
        return thumb.crop((0, top, width, top + new_height))
    new_width = max(1, round(height * aspect))
    left = (width - new_width) // 2
    return thumb.crop((left, 0, left + new_width, height))


def _decoded_image(path: Path, size: int) -> Image.Image:
    """Decode at reduced size (JPEG draft) and apply the EXIF orientation."""
    with _open(path) as image:
        check_decodable(path, image, size)
        try:
            image.draft("RGB", (size, size))
            image.load()
            oriented = ImageOps.exif_transpose(image)
        except (OSError, ValueError, SyntaxError) as error:
            raise PhotoReadError(f"cannot decode {path}: {error}") from error
        return to_rgb(oriented)  # 16-bit scans scaled, not clipped to white; transparency on white


def _raw_preview(path: Path, size: int) -> Image.Image:
    """A RAW file's embedded preview, or a half-size demosaic when it has none."""
    import numpy as np
    import rawpy

    from app.core.raw_open import open_raw

    try:
        with open_raw(path) as raw:  # any name, UTF-8 or not
            orientation = RAW_FLIP_TO_ORIENTATION.get(raw.sizes.flip, 1)
            try:
                thumb = raw.extract_thumb()
            except (rawpy.LibRawNoThumbnailError, rawpy.LibRawUnsupportedThumbnailError):
                thumb = None
            if thumb is not None and thumb.format == rawpy.ThumbFormat.JPEG:
                image = Image.open(io.BytesIO(thumb.data))
                check_decodable(path, image, size)
                image.draft("RGB", (size, size))
                image = ImageOps.exif_transpose(image.convert("RGB"))
                if max(image.size) >= size * EMBEDDED_ENOUGH:
                    return image
            elif thumb is not None and max(thumb.data.shape[:2]) >= size * EMBEDDED_ENOUGH:
                bitmap = Image.fromarray(np.ascontiguousarray(thumb.data[..., :3]).astype("uint8"))
                return apply_orientation(bitmap.convert("RGB"), orientation)
            # No usable preview: demosaic at half size; user_sat keeps files with a
            # wrong white level from coming out white.
            rgb = raw.postprocess(half_size=True, use_camera_wb=True, output_bps=8, user_sat=None)
            if rgb.mean() > 250:
                rgb = raw.postprocess(half_size=True, use_camera_wb=True, output_bps=8, user_sat=65535)
            return Image.fromarray(rgb)
    except rawpy.LibRawError as error:
        raise PhotoReadError(f"cannot decode RAW file {path}: {error}") from error
    except (OSError, ValueError) as error:
        raise PhotoReadError(f"cannot read RAW file {path}: {error}") from error
