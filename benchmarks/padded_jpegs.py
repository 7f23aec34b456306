"""How many whole-but-padded JPEGs `tag` calls damaged, and how many damaged ones it still catches.

Padding before a marker (0xFF fill, which the JPEG standard allows; zero runs some writers
leave) and data after the end-of-image marker (a Motion Photo's MP4, an MPF camera's
second JPEG, zeros) are not damage; a file cut short or with zeros over its scan is.
The files are made from real photos of /work/shared/data, re-encoded small (crops at a
few qualities and layouts, so that many restart intervals and scans end in a real 0x00
byte), into OUT (never the repository), then decoded as `tag` does (decode_for_model,
previews not used) and counted by variant.

    .venv/bin/python benchmarks/padded_jpegs.py /tmp/padjpeg/files [photos]
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections import Counter
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.decode import DAMAGE_INFO, decode_for_model  # noqa: E402
from app.core.errors import PhotoReadError  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
RST = [bytes([0xFF, code]) for code in range(0xD0, 0xD8)]
LAYOUTS = {
    "baseline": {"quality": 90},
    "q40": {"quality": 40},
    "grey": {"quality": 85, "grey": True},
    "444": {"quality": 92, "subsampling": 0},
    "progressive": {"quality": 85, "progressive": True},
    "restart": {"quality": 85, "restart_marker_rows": 1},
    "restart_blocks": {"quality": 60, "restart_marker_blocks": 2},
    "restart_progressive": {"quality": 85, "progressive": True, "restart_marker_rows": 1},
}


def encoded(picture: Image.Image, options: dict) -> bytes:
    options = dict(options)
    if options.pop("grey", False):
        picture = picture.convert("L")
    out = io.BytesIO()
    picture.save(out, "JPEG", **options)
    return out.getvalue()


def first_scan_data(data: bytes) -> int:
    sos = data.index(b"\xff\xda")
    return sos + 2 + int.from_bytes(data[sos + 2:sos + 4], "big")


def before_each(data: bytes, markers: list[bytes], pad: bytes, only: int | None = None) -> bytes:
    """`data` with `pad` before each of `markers` in the picture's data (the `only`-th one alone)."""
    start = first_scan_data(data)
    places = sorted(at for marker in markers for at in _find_all(data, marker, start))
    if only is not None:
        places = places[only:only + 1] if places else []
    pieces, last = [], 0
    for at in places:
        pieces += [data[last:at], pad]
        last = at
    return b"".join(pieces) + data[last:]


def _find_all(data: bytes, marker: bytes, start: int):
    at = data.find(marker, start)
    while at != -1:
        yield at
        at = data.find(marker, at + 2)


def padded_variants(good: bytes, layout: str) -> dict[str, bytes]:
    eoi = [b"\xff\xd9"]
    sos = [b"\xff\xda"]
    after_app0 = 4 + int.from_bytes(good[4:6], "big")
    variants = {
        "eoi_zeros1": before_each(good, eoi, bytes(1)),
        "eoi_zeros3": before_each(good, eoi, bytes(3)),
        "eoi_zeros16": before_each(good, eoi, bytes(16)),
        "eoi_fill4": before_each(good, eoi, b"\xff" * 4),
        "header_zeros2": good[:after_app0] + bytes(2) + good[after_app0:],
        "after_eoi_zeros": good + bytes(4096),
        "after_eoi_mp4": good + b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 16,
        "after_eoi_mpf_jpeg": good + good,
    }
    if "restart" in layout:
        variants |= {
            "rst_zeros3_each": before_each(good, RST, bytes(3)),
            "rst_zeros1_each": before_each(good, RST, bytes(1)),
            "rst_zeros3_one": before_each(good, RST, bytes(3), only=len(good) % 5),
            "rst_fill2_each": before_each(good, RST, b"\xff\xff"),
            "rst_zeros3_each_eoi16": before_each(before_each(good, RST, bytes(3)), eoi, bytes(16)),
        }
    if "progressive" in layout:
        variants |= {
            "sos_zeros4_each": before_each(good, sos, bytes(4)),
            "sos_zeros4_each_eoi16": before_each(before_each(good, sos, bytes(4)), eoi, bytes(16)),
            "sos_fill3_each": before_each(good, sos, b"\xff" * 3),
        }
    return variants


def damaged_variants(good: bytes, layout: str) -> dict[str, bytes]:
    start = first_scan_data(good)
    scan = len(good) - 2 - start
    middle = start + scan // 2
    zeros = max(64, scan // 8)
    variants = {
        "cut60_eoi": good[:start + scan * 6 // 10] + b"\xff\xd9",
        "cut30_eoi": good[:start + scan * 3 // 10] + b"\xff\xd9",
        "cut60": good[:start + scan * 6 // 10],
        "zeroed_middle": good[:middle] + bytes(zeros) + good[middle + zeros:],
        "zeroed_then_eoi_zeros16": before_each(good[:middle] + bytes(zeros) + good[middle + zeros:], [b"\xff\xd9"], bytes(16)),
    }
    if "restart" in layout:
        variants["restart_zeroed_then_rst_zeros3"] = before_each(variants["zeroed_middle"], RST, bytes(3))
    return variants


def verdict(path: Path) -> str:
    try:
        image = decode_for_model(path, 8, use_previews=False)
    except PhotoReadError:
        return "refused"
    return "damaged" if DAMAGE_INFO in image.info else "whole"


def sources(photos: int) -> list[Path]:
    found = sorted((DATA / "landmarks").rglob("*.jpg"))
    step = max(1, len(found) // photos)
    return found[::step][:photos]


def pictures(path: Path):
    """Crops of a real photo: detailed, and a flat corner (sky: long zero runs)."""
    with Image.open(path) as photo:
        photo = photo.convert("RGB")
        width, height = photo.size
        for box in ((0, 0, 96, 64), (width // 3, height // 3, width // 3 + 160, height // 3 + 120),
                    (width - 128, height - 48, width, height)):
            yield photo.crop(box)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder for the made files (never the repository)")
    parser.add_argument("photos", type=int, nargs="?", default=12, help="real photos to make them from (default 12)")
    args = parser.parse_args()
    out, photos = args.out, args.photos
    out.mkdir(parents=True, exist_ok=True)
    said = {"padded": Counter(), "damaged": Counter()}
    false_alarms: Counter = Counter()
    missed: Counter = Counter()
    started = time.process_time()
    for number, source in enumerate(sources(photos)):
        for crop_number, picture in enumerate(pictures(source)):
            for layout, options in LAYOUTS.items():
                good = encoded(picture, options)
                for kind, variants in (("padded", padded_variants(good, layout)),
                                       ("damaged", damaged_variants(good, layout))):
                    for name, data in variants.items():
                        path = out / f"{number:02d}_{crop_number}_{layout}_{name}.jpg"
                        path.write_bytes(data)
                        result = verdict(path)
                        said[kind][result] += 1
                        if kind == "padded" and result != "whole":
                            false_alarms[f"{layout}/{name}"] += 1
                        if kind == "damaged" and result == "whole":
                            missed[f"{layout}/{name}"] += 1
    padded, damaged = said["padded"], said["damaged"]
    print(f"padded (whole) files: {sum(padded.values())}, called damaged or refused: "
          f"{padded['damaged'] + padded['refused']}")
    print(f"damaged files: {sum(damaged.values())}, caught: {damaged['damaged'] + damaged['refused']} "
          f"({damaged['damaged']} damaged, {damaged['refused']} refused), read as whole: {damaged['whole']}")
    print(f"CPU {time.process_time() - started:.1f} s")
    for title, counts in (("false alarms", false_alarms), ("damage read as whole", missed)):
        for variant, count in counts.most_common():
            print(f"  {title}: {variant}: {count}")


if __name__ == "__main__":
    main()
