"""How many of the zero bytes ending each restart interval of a baseline JPEG are its own data.

An interval's entropy-coded data may end in real 0x00 bytes (a flat stretch codes as zero
bits), and some writers put zero padding before the restart marker: the bytes alone cannot
tell them apart, guesses by run length fail where both are in one file. The decoder can:
DC predictions start again at each restart marker, so an interval is a picture by itself.
Put in a small JPEG of the file's own tables with its zero run cut, libjpeg says "premature
end of data segment" when it needs some of those zeros; the fewest it decodes with are the
interval's own, the rest padding. Intervals are tested in groups (a group that decodes with
every run cut needs none of its zeros), halved where one does: a few decodes of small
pictures for a whole file. Progressive files, several scans, and what cannot be walked are
not told (None).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEQUENTIAL = (0xC0, 0xC1)  # baseline and extended Huffman: one scan per picture, intervals alone
_OTHER_FRAMES = {*range(0xC2, 0xC4), *range(0xC5, 0xC8), *range(0xC9, 0xCC), *range(0xCD, 0xD0)}
_TABLES = (0xC4, 0xDB)  # DHT, DQT
_NO_LENGTH = {0x01, *range(0xD0, 0xDA)}
_RESTARTS = range(0xD0, 0xD8)
_SCAN_END = re.compile(rb"(?<!\xff)\xff++(?=[\x01-\xcf\xd8-\xfe])")  # as jpeg_damage reads a scan
_ZERO_BEFORE_MARKER = re.compile(rb"\x00(?=\xff+[\x01-\xfe])")
_ZEROS = re.compile(rb"\x00*")
_FILL = re.compile(rb"\xff*")
_SIDE = 65535  # a JPEG's largest width or height
_MOST_DECODES = 2048  # bounded: past it the file is not told (a damaged one fails early)
_SHORT = "premature end of data segment"
_SKIPPED = re.compile(r"Corrupt JPEG data: \d+ extraneous bytes before marker 0x[0-9a-f]{2}")


@dataclass(frozen=True)
class Interval:
    """One restart interval's entropy-coded data: data[start:end], then `zeros` zero bytes
    before the marker (a 0x00 stuffing a 0xFF not counted)."""

    start: int
    end: int
    zeros: int
    mcus: int


@dataclass(frozen=True)
class _Layout:
    tables: bytes  # the DHT and DQT segments, as they are
    frame: bytes  # the SOF segment
    scan_header: bytes  # the SOS segment
    grey: bool
    mcu_width: int
    mcu_height: int
    mcus: int
    interval: int  # MCUs in each restart interval
    data_start: int


def own_zeros(simplejpeg, data: bytes) -> dict[int, int] | None:
    """For each restart interval of `data` ending in zeros, the last one (before the end
    marker) included, how many of them the decoder reads, by where the marker's fill starts;
    None where not told."""
    layout = _layout(data)
    intervals = _intervals(data, layout) if layout else None
    if intervals is None:
        return None
    kept = {interval.end + interval.zeros: 0 for interval in intervals}
    decodes = 0
    for mcus in {interval.mcus for interval in intervals}:
        group = [number for number, interval in enumerate(intervals) if interval.mcus == mcus]
        most = _most_in_one_picture(layout, mcus)
        if most is None:
            return None
        stack = [group[at:at + most] for at in range(0, len(group), most)]
        while stack:
            numbers = stack.pop()
            decodes += 1
            if decodes > _MOST_DECODES:
                return None
            verdict = _verdict(simplejpeg, layout, data, [intervals[n] for n in numbers], [0] * len(numbers))
            if verdict == "short" and len(numbers) > 1:
                stack += [numbers[:len(numbers) // 2], numbers[len(numbers) // 2:]]
            elif verdict == "short":
                found = _fewest_zeros(simplejpeg, layout, data, intervals[numbers[0]])
                if found is None:
                    return None
                decodes += found[1]
                kept[intervals[numbers[0]].end + intervals[numbers[0]].zeros] = found[0]
            elif verdict != "whole":
                return None
    return kept


def _fewest_zeros(simplejpeg, layout: _Layout, data: bytes, interval: Interval) -> tuple[int, int] | None:
    """The fewest zeros `interval` decodes with (more than none), and the decodes spent."""
    low, high, decodes = 1, interval.zeros, 1
    if _verdict(simplejpeg, layout, data, [interval], [high]) not in ("whole", "extra"):
        return None  # short with all its zeros: not padding that is at stake
    while low < high:
        middle = (low + high) // 2
        decodes += 1
        verdict = _verdict(simplejpeg, layout, data, [interval], [middle])
        if verdict == "short":
            low = middle + 1
        elif verdict in ("whole", "extra"):
            high = middle
        else:
            return None
    return low, decodes


def _verdict(simplejpeg, layout: _Layout, data: bytes, intervals: list[Interval], zeros: list[int]) -> str:
    """Decode `intervals` (each with that many of its zeros) as one small picture: "whole",
    "short" (the decoder needed more bytes), "extra" (bytes left over), or "bad"."""
    parts = [_SOI, layout.tables, _frame(layout, len(intervals) * intervals[0].mcus, intervals[0].mcus),
             layout.scan_header]
    for number, (interval, kept) in enumerate(zip(intervals, zeros)):
        parts += [data[interval.start:interval.end], bytes(kept), _RST[number % 8]]
    parts[-1] = b"\xff\xd9"
    try:
        simplejpeg.decode_jpeg(b"".join(parts), "GRAY" if layout.grey else "RGB", min_width=1, min_height=1,
                               strict=True)
    except ValueError as error:
        words = str(error)
        return "short" if words.endswith(_SHORT) else "extra" if _SKIPPED.fullmatch(words) else "bad"
    return "whole"


_SOI = b"\xff\xd8"
_RST = [bytes([0xFF, code]) for code in _RESTARTS]


def _across(layout: _Layout, mcus: int) -> int | None:
    """MCUs across a small picture of whole intervals of `mcus`: a divisor of it that fits."""
    fits = _SIDE // layout.mcu_width
    return next((across for across in range(min(mcus, fits), 0, -1) if mcus % across == 0), None)


def _most_in_one_picture(layout: _Layout, mcus: int) -> int | None:
    across = _across(layout, mcus)
    most = (_SIDE // layout.mcu_height) // (mcus // across) if across else 0
    return most or None


def _frame(layout: _Layout, mcus: int, interval_mcus: int) -> bytes:
    """The SOF segment of a picture `mcus` MCUs big, a whole number of intervals across and down."""
    across = _across(layout, interval_mcus)
    width, height = across * layout.mcu_width, mcus // across * layout.mcu_height
    frame = layout.frame
    return frame[:5] + height.to_bytes(2, "big") + width.to_bytes(2, "big") + frame[9:]


def _layout(data: bytes) -> _Layout | None:
    """The tables, frame and scan of a one-scan sequential JPEG with restart markers (None otherwise)."""
    tables, frame, interval, at = [], None, 0, 2
    while at < len(data):
        marker = _ZEROS.match(data, at).end()
        code_at = _FILL.match(data, marker).end()
        if code_at == marker or code_at + 3 > len(data) or data[code_at] == 0:
            return None
        code, at = data[code_at], code_at + 1
        if code in _NO_LENGTH:
            continue
        end = at + int.from_bytes(data[at:at + 2], "big")
        segment = b"\xff" + data[code_at:end]
        if code in _OTHER_FRAMES:
            return None
        if code in _SEQUENTIAL:
            frame = segment
        elif code in _TABLES:
            tables.append(segment)
        elif code == 0xDD:
            interval = int.from_bytes(segment[4:6], "big")
        elif code == 0xDA:
            return _scan_layout(b"".join(tables), frame, segment, interval, end) if frame and interval else None
        at = end
    return None


def _scan_layout(tables: bytes, frame: bytes, scan_header: bytes, interval: int, data_start: int) -> _Layout | None:
    height, width, count = int.from_bytes(frame[5:7], "big"), int.from_bytes(frame[7:9], "big"), frame[9]
    if count not in (1, 3) or scan_header[4] != count or not height or not width or len(frame) < 10 + 3 * count:
        return None
    factors = [(frame[11 + 3 * n] >> 4, frame[11 + 3 * n] & 15) for n in range(count)]
    if count == 1:  # one component: an MCU is one block, whatever its sampling factors
        mcu_width = mcu_height = 8
    else:
        mcu_width, mcu_height = 8 * max(h for h, _ in factors), 8 * max(v for _, v in factors)
    mcus = -(-width // mcu_width) * -(-height // mcu_height)
    return _Layout(tables, frame, scan_header, count == 1, mcu_width, mcu_height, mcus, interval, data_start)


def _intervals(data: bytes, layout: _Layout) -> list[Interval] | None:
    """The scan's restart intervals that end in zeros (None when it has not as many
    intervals as its MCUs make, or another scan follows). Only the markers with a zero
    before them are looked at one by one."""
    found = _SCAN_END.search(data, layout.data_start)
    if not found or data[found.end()] != 0xD9:
        return None
    end = found.start()
    whole, last = divmod(layout.mcus, layout.interval)
    if sum(data.count(marker, layout.data_start, end) for marker in _RST) + 1 != whole + (1 if last else 0):
        return None
    intervals = []
    for zero in _ZERO_BEFORE_MARKER.finditer(data, layout.data_start, found.end() + 1):
        marker = zero.end()
        start = max(data.rfind(restart, layout.data_start, marker) for restart in _RST)
        start = start + 2 if start >= 0 else layout.data_start
        zeros = zeros_before(data, marker, start)
        if zeros < marker - start and data[marker - zeros - 1] == 0xFF:
            zeros -= 1  # the first zero stuffs a 0xFF: data
        if zeros:
            mcus = last if last and marker == end else layout.interval
            intervals.append(Interval(start, marker - zeros, zeros, mcus))
    return intervals


def zeros_before(data: bytes, end: int, start: int) -> int:
    """How many zero bytes data[start:end] ends in, looked at from the end (a run of
    megabytes in steps that double)."""
    at, step = end, 16
    while at > start:
        low = max(start, at - step)
        left = len(data[low:at].rstrip(b"\0"))
        if left:
            return end - low - left
        at, step = low, step * 2
    return end - start
