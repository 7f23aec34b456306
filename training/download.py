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
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from training.errors import DownloadError, ServerUnreachableError

DEFAULT_BASE_URL = "https://s3.amazonaws.com/google-landmark"
METADATA_FILES = ("train.csv", "train_clean.csv", "train_label_to_category.csv")
GLDV2_TRAIN_SHARDS = 500
_CHUNK = 1 << 20
# Give up when this many files (or --workers, if more) are the first to finish and
# none could even connect: offline, the rest would only fail the same way, slowly.
UNREACHABLE_STOP = 3


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
        if self.last_shard >= GLDV2_TRAIN_SHARDS:
            raise DownloadError(
                f"shard range {self.first_shard}-{self.last_shard} goes past GLDv2's last shard; "
                f"it has {GLDV2_TRAIN_SHARDS} (--shards 0-{GLDV2_TRAIN_SHARDS - 1})"
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
    stop: threading.Event | None = None,
) -> FileResult:
    """Fetch `url` to `dest` unless `dest` already matches `expected_md5`.

    A corrupt download (md5 mismatch) is discarded and fetched again, up to
    `retries` extra attempts. Raises DownloadError naming the URL when it never
    arrives intact: ServerUnreachableError when no attempt could even connect.
    Setting `stop` ends the retries early (the whole download is given up).
    """
    stop = stop or threading.Event()
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists() and (expected_md5 is None or file_md5(dest) == expected_md5):
        return FileResult(dest, "present", 0, 0)
    part = dest.with_name(dest.name + ".part")
    attempts = 0
    fetched_total = 0
    resumed_any = False
    last_problem = ""
    never_connected = True
    while attempts <= retries and not stop.is_set():
        attempts += 1
        try:
            fetched, resumed = _fetch_into_part(url, part, timeout_s)
        except urllib.error.HTTPError as exc:
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise DownloadError(f"{url} answered {exc.code} {exc.reason}; check --base-url and the shard range") from exc
            last_problem, never_connected = str(exc), False
            _wait_before_retry(attempts, retries, retry_wait_s, stop)
            continue
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            # urlopen wraps a failure to connect in URLError; a transfer cut short is a plain OSError
            last_problem = str(exc)
            never_connected = never_connected and isinstance(exc, urllib.error.URLError)
            _wait_before_retry(attempts, retries, retry_wait_s, stop)
            continue  # the .part keeps what arrived; the next attempt resumes it
        never_connected = False
        fetched_total += fetched
        resumed_any = resumed_any or resumed
        if expected_md5 is not None and file_md5(part) != expected_md5:
            last_problem = f"md5 mismatch (expected {expected_md5})"
            part.unlink()
            continue
        os.replace(part, dest)
        return FileResult(dest, "resumed" if resumed_any else "downloaded", attempts, fetched_total)
    error = ServerUnreachableError if never_connected and attempts else DownloadError
    raise error(
        f"could not fetch {url} to {dest} after {attempts} attempts: {last_problem}; "
        "check the network and --base-url, then run the command again to resume"
    )


def _wait_before_retry(attempts: int, retries: int, retry_wait_s: float, stop: threading.Event) -> None:
    """Back off before the next attempt; after the last one there is nothing to wait for."""
    if attempts <= retries:
        stop.wait(retry_wait_s * attempts)


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


def _shard_md5_list(config: DownloadConfig, index: int, options: dict) -> tuple[FileResult, str]:
    """Refresh shard `index`'s md5 list; returns it and the shard's expected md5.
    Raises DownloadError naming what is wrong."""
    name = shard_name(index)
    md5_rel = f"md5sum/train/md5.{name.removesuffix('.tar')}.txt"
    md5_path = Path(config.out_dir) / md5_rel
    result = _refresh_md5_list(_join(config.base_url, md5_rel), md5_path, options)
    try:
        expected = parse_md5_list(md5_path.read_text(encoding="utf-8")).get(name)
    except (OSError, UnicodeDecodeError) as exc:
        raise DownloadError(f"cannot read {md5_path} ({exc}); delete it and run the command again") from exc
    if expected is None:
        raise DownloadError(f"{md5_path} has no line for {name}")
    return result, expected


def _unreachable_message(base_url: str, failed: int, given_up: int) -> str:
    """Why the download stopped: none of the files tried so far could connect."""
    if given_up:
        what = f"the first {failed} files could not connect, so the other {given_up} were given up"
    else:  # a range smaller than the early stop (the default, 0-0): every file was tried
        what = f"none of the {failed} files could connect"
    return f"cannot reach {base_url}: {what}; check the network and --base-url, then run the command again"


def download_gldv2(
    config: DownloadConfig,
    on_file: Callable[[FileResult], None] | None = None,
    on_failure: Callable[[str, str], None] | None = None,
) -> DownloadSummary:
    """Fetch the metadata and the chosen shards with `config.workers` threads: each
    shard's md5 list, then the shard. `on_file(result)` and `on_failure(name,
    problem)` are called, in this thread, as each file is done.

    A failure of one file is recorded in the summary and the others go on. Raises
    ServerUnreachableError, after the files already started have finished, when the
    first files to finish (UNREACHABLE_STOP, or `workers` if more) could not even
    connect and none arrived, or when every file failed so (a range smaller than that).
    """
    out = Path(config.out_dir)
    shards = config.shards()
    summary = DownloadSummary()
    stop = threading.Event()
    options = dict(retries=config.retries, timeout_s=config.timeout_s, retry_wait_s=config.retry_wait_s, stop=stop)
    give_up_after = max(UNREACHABLE_STOP, config.workers)
    unreachable: list[str] = []
    pool = ThreadPoolExecutor(max_workers=max(1, config.workers))
    # each future maps to (the name reported, the shard whose tar follows its md5 list, or None)
    pending: dict[Future, tuple[str, int | None]] = {}
    if config.metadata:
        for name in METADATA_FILES:
            future = pool.submit(download_file, _join(config.base_url, f"metadata/{name}"), out / "metadata" / name, None, **options)
            pending[future] = (name, None)
    for index in shards:
        pending[pool.submit(_shard_md5_list, config, index, options)] = (shard_name(index), index)
    try:
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                name, shard = pending.pop(future)
                try:
                    outcome = future.result()
                except DownloadError as exc:
                    summary.failed[name] = str(exc)
                    if on_failure is not None:
                        on_failure(name, str(exc))
                    if isinstance(exc, ServerUnreachableError):
                        unreachable.append(name)
                    continue
                result = outcome[0] if shard is not None else outcome
                summary.files.append(result)
                if on_file is not None:
                    on_file(result)
                if shard is not None:  # the md5 list is here: now the shard itself
                    tar = pool.submit(download_file, _join(config.base_url, f"train/{name}"), out / "train" / name, outcome[1], **options)
                    pending[tar] = (name, None)
            nothing_connected = bool(unreachable) and not summary.files and len(unreachable) == len(summary.failed)
            if nothing_connected and (len(unreachable) >= give_up_after or not pending):
                raise ServerUnreachableError(_unreachable_message(config.base_url, len(unreachable), len(pending)))
    finally:
        stop.set()  # the files still running stop retrying
        pool.shutdown(wait=True, cancel_futures=True)
    return summary
