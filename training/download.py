"""Fetch GLDv2's official files: the metadata CSVs and a range of `images_NNN.tar`
shards with their md5 lists — in parallel, resumable, md5-verified.

The local folder mirrors the server's layout, so a partial mirror can be served or
copied as is:

    metadata/train.csv                    id,url,landmark_id
    metadata/train_clean.csv              landmark_id,images
    metadata/train_label_to_category.csv  landmark_id,category
    md5sum/train/md5.images_NNN.txt       "<md5>  images_NNN.tar"
    train/images_NNN.tar

Bytes go to `<file>.part` first; an interrupted file resumes with an HTTP Range
request (or restarts when the server ignores it), and a shard only takes its final
name once its md5 matches. Only the standard library's urllib is used.
"""

from __future__ import annotations

import hashlib
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from training.errors import DownloadError

DEFAULT_BASE_URL = "https://s3.amazonaws.com/google-landmark"
METADATA_FILES = ("train.csv", "train_clean.csv", "train_label_to_category.csv")
GLDV2_TRAIN_SHARDS = 500
_CHUNK = 1 << 20


@dataclass(frozen=True)
class DownloadConfig:
    """What to fetch and how: shards `first`…`last` inclusive (000–499 for GLDv2)."""

    out_dir: Path
    base_url: str = DEFAULT_BASE_URL
    first_shard: int = 0
    last_shard: int = 0
    metadata: bool = True
    workers: int = 4
    retries: int = 3
    timeout_s: float = 60.0
    retry_wait_s: float = 1.0

    def shards(self) -> range:
        if not 0 <= self.first_shard <= self.last_shard:
            raise DownloadError(
                f"shard range {self.first_shard}-{self.last_shard} is empty or negative; "
                "give --shards FIRST-LAST with 0 <= FIRST <= LAST"
            )
        return range(self.first_shard, self.last_shard + 1)


@dataclass(frozen=True)
class FileResult:
    """One file: `status` is 'present' (already verified), 'downloaded', 'resumed' or
    'kept' (an md5 list the server could not refresh, the one already here used);
    `attempts` counts fetches including ones rejected by the md5 check."""

    path: Path
    status: str
    attempts: int
    bytes_fetched: int


@dataclass
class DownloadSummary:
    files: list[FileResult] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed


def shard_name(index: int) -> str:
    return f"images_{index:03d}.tar"


def file_md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def parse_md5_list(text: str) -> dict[str, str]:
    """`md5sum` output ("<hex>  name" per line) → {name: hex}."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.strip().split()
        if len(parts) >= 2:
            out[parts[-1].lstrip("*")] = parts[0].lower()
    return out


def _join(base_url: str, relative: str) -> str:
    return base_url.rstrip("/") + "/" + relative


def _fetch_into_part(url: str, part: Path, timeout_s: float) -> tuple[int, bool]:
    """Append the rest of `url` to `part`; returns (bytes fetched, resumed?)."""
    offset = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url)
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    try:
        response = urllib.request.urlopen(request, timeout=timeout_s)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:  # the .part is already complete (or too long)
            return 0, True
        raise
    with response:
        resumed = offset > 0 and response.status == 206
        mode = "ab" if resumed else "wb"  # a 200 answer means the server restarted
        fetched = 0
        with open(part, mode) as f:
            while block := response.read(_CHUNK):
                f.write(block)
                fetched += len(block)
    return fetched, resumed


def download_file(
    url: str,
    dest: Path,
    expected_md5: str | None = None,
    *,
    retries: int = 3,
    timeout_s: float = 60.0,
    retry_wait_s: float = 1.0,
) -> FileResult:
    """Fetch `url` to `dest` unless `dest` already matches `expected_md5`.

    A corrupt download (md5 mismatch) is discarded and fetched again, up to
    `retries` extra attempts. Raises DownloadError naming the URL when it never
    arrives intact.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists() and (expected_md5 is None or file_md5(dest) == expected_md5):
        return FileResult(dest, "present", 0, 0)
    part = dest.with_name(dest.name + ".part")
    attempts = 0
    fetched_total = 0
    resumed_any = False
    last_problem = ""
    while attempts <= retries:
        attempts += 1
        try:
            fetched, resumed = _fetch_into_part(url, part, timeout_s)
        except urllib.error.HTTPError as exc:
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise DownloadError(f"{url} answered {exc.code} {exc.reason}; check --base-url and the shard range") from exc
            last_problem = str(exc)
            time.sleep(retry_wait_s * attempts)
            continue
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            last_problem = str(exc)
            time.sleep(retry_wait_s * attempts)
            continue  # the .part keeps what arrived; the next attempt resumes it
        fetched_total += fetched
        resumed_any = resumed_any or resumed
        if expected_md5 is not None and file_md5(part) != expected_md5:
            last_problem = f"md5 mismatch (expected {expected_md5})"
            part.unlink()
            continue
        os.replace(part, dest)
        return FileResult(dest, "resumed" if resumed_any else "downloaded", attempts, fetched_total)
    raise DownloadError(
        f"could not fetch {url} to {dest} after {attempts} attempts: {last_problem}; "
        "check the network and --base-url, then run the command again to resume"
    )


def _refresh_md5_list(url: str, md5_path: Path, options: dict) -> FileResult:
    """Fetch an md5 list afresh (they are tiny, so a changed shard is noticed), into a
    side file that replaces the old list only once it has arrived. When the server
    cannot be reached, the list already here is kept (status 'kept'), so a complete
    mirror stays verifiable offline. Raises DownloadError when there is neither."""
    fresh = md5_path.with_name(md5_path.name + ".new")
    fresh.unlink(missing_ok=True)
    try:
        result = download_file(url, fresh, **options)
    except DownloadError:
        fresh.unlink(missing_ok=True)
        fresh.with_name(fresh.name + ".part").unlink(missing_ok=True)
        if md5_path.is_file():
            return FileResult(md5_path, "kept", 0, 0)
        raise
    os.replace(fresh, md5_path)
    return FileResult(md5_path, result.status, result.attempts, result.bytes_fetched)


def download_gldv2(
    config: DownloadConfig, on_file: Callable[[FileResult], None] | None = None
) -> DownloadSummary:
    """Fetch the metadata and the chosen shards with `config.workers` threads.

    A failure of one file is recorded in the summary and the others go on.
    """
    out = Path(config.out_dir)
    summary = DownloadSummary()
    options = dict(retries=config.retries, timeout_s=config.timeout_s, retry_wait_s=config.retry_wait_s)
    jobs: list[tuple[str, Path, str | None]] = []
    if config.metadata:
        for name in METADATA_FILES:
            jobs.append((_join(config.base_url, f"metadata/{name}"), out / "metadata" / name, None))
    for index in config.shards():
        name = shard_name(index)
        md5_rel = f"md5sum/train/md5.{name.removesuffix('.tar')}.txt"
        md5_path = out / md5_rel
        try:
            summary.files.append(_refresh_md5_list(_join(config.base_url, md5_rel), md5_path, options))
            expected = parse_md5_list(md5_path.read_text(encoding="utf-8")).get(name)
        except DownloadError as exc:
            summary.failed[name] = str(exc)
            continue
        except (OSError, UnicodeDecodeError) as exc:
            summary.failed[name] = f"cannot read {md5_path} ({exc}); delete it and run the command again"
            continue
        if expected is None:
            summary.failed[name] = f"{md5_path} has no line for {name}"
            continue
        jobs.append((_join(config.base_url, f"train/{name}"), out / "train" / name, expected))

    with ThreadPoolExecutor(max_workers=max(1, config.workers)) as pool:
        futures = {pool.submit(download_file, url, dest, md5, **options): dest for url, dest, md5 in jobs}
        for future in as_completed(futures):
            dest = futures[future]
            try:
                result = future.result()
            except DownloadError as exc:
                summary.failed[dest.name] = str(exc)
                continue
            summary.files.append(result)
            if on_file is not None:
                on_file(result)
    return summary
