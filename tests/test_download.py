"""`landmark-train download` against a local HTTP server serving a generated
miniature GLDv2 in the official layout."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from training.download import DownloadConfig, download_file, download_gldv2, file_md5
from training.errors import DownloadError
from training.synthetic import make_mini_gldv2


class MiniServer:
    """Serves files from a folder with Range support; can corrupt a file's first N
    answers, and records the requests it saw."""

    def __init__(self, root: Path):
        self.root = root
        self.corrupt: dict[str, int] = {}
        self.honour_range = True
        self.requests: list[tuple[str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_GET(self):
                rel = self.path.lstrip("/")
                server.requests.append((rel, self.headers.get("Range")))
                path = server.root / rel
                if not path.is_file():
                    self.send_error(404)
                    return
                data = path.read_bytes()
                if server.corrupt.get(rel, 0) > 0:
                    server.corrupt[rel] -= 1
                    data = data[:-10] + b"0123456789"
                start = 0
                wanted = self.headers.get("Range")
                if wanted and server.honour_range:
                    start = int(wanted.split("=")[1].split("-")[0])
                    if start >= len(data):
                        self.send_error(416)
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                body = data[start:]
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def mini(tmp_path):
    return make_mini_gldv2(tmp_path / "server", classes=3, per_class=4, shards=3)


def config(out: Path, url: str, **kw) -> DownloadConfig:
    return DownloadConfig(out_dir=out, base_url=url, retry_wait_s=0.0, timeout_s=10, **kw)


def test_downloads_metadata_and_a_shard_range_verified(mini, tmp_path):
    out = tmp_path / "mirror"
    with MiniServer(mini.root) as server:
        summary = download_gldv2(config(out, server.url, first_shard=1, last_shard=2, workers=3))
    assert summary.ok, summary.failed
    for name in ("train.csv", "train_clean.csv", "train_label_to_category.csv"):
        assert (out / "metadata" / name).read_bytes() == (mini.root / "metadata" / name).read_bytes()
    assert not (out / "train" / "images_000.tar").exists()
    for shard in ("images_001.tar", "images_002.tar"):
        assert file_md5(out / "train" / shard) == file_md5(mini.root / "train" / shard)
    assert not list(out.rglob("*.part"))


def test_a_corrupted_shard_is_detected_and_fetched_again(mini, tmp_path):
    out = tmp_path / "mirror"
    with MiniServer(mini.root) as server:
        server.corrupt["train/images_000.tar"] = 1
        summary = download_gldv2(config(out, server.url, last_shard=0, metadata=False))
    assert summary.ok
    result = next(r for r in summary.files if r.path.name == "images_000.tar")
    assert result.attempts == 2
    assert file_md5(out / "train" / "images_000.tar") == file_md5(mini.root / "train" / "images_000.tar")


def test_a_corrupt_local_copy_is_replaced_and_a_good_one_kept(mini, tmp_path):
    out = tmp_path / "mirror"
    (out / "train").mkdir(parents=True)
    (out / "train" / "images_000.tar").write_bytes(b"truncated")
    good = (mini.root / "train" / "images_001.tar").read_bytes()
    (out / "train" / "images_001.tar").write_bytes(good)
    with MiniServer(mini.root) as server:
        summary = download_gldv2(config(out, server.url, last_shard=1, metadata=False))
        fetched = [rel for rel, _ in server.requests if rel.startswith("train/")]
    status = {r.path.name: r.status for r in summary.files}
    assert status["images_000.tar"] == "downloaded" and status["images_001.tar"] == "present"
    assert fetched == ["train/images_000.tar"]


@pytest.mark.parametrize("honour_range", [True, False])
def test_an_interrupted_file_resumes_or_restarts(mini, tmp_path, honour_range):
    source = mini.root / "train" / "images_000.tar"
    data = source.read_bytes()
    dest = tmp_path / "images_000.tar"
    dest.with_name(dest.name + ".part").write_bytes(data[:1000])
    with MiniServer(mini.root) as server:
        server.honour_range = honour_range
        result = download_file(f"{server.url}/train/images_000.tar", dest, file_md5(source), retry_wait_s=0)
        assert server.requests[-1][1] == "bytes=1000-"
    assert dest.read_bytes() == data
    assert result.status == ("resumed" if honour_range else "downloaded")
    assert result.bytes_fetched == (len(data) - 1000 if honour_range else len(data))


def test_a_shard_that_never_arrives_intact_is_reported(mini, tmp_path):
    out = tmp_path / "mirror"
    with MiniServer(mini.root) as server:
        server.corrupt["train/images_000.tar"] = 99
        summary = download_gldv2(config(out, server.url, last_shard=1, metadata=False, retries=1))
    assert not summary.ok
    assert "images_000.tar" in summary.failed and "md5" in summary.failed["images_000.tar"]
    assert (out / "train" / "images_001.tar").exists()


def test_missing_file_raises_a_download_error_naming_the_url(tmp_path):
    with MiniServer(tmp_path) as server:
        with pytest.raises(DownloadError, match="nothing.tar.*404"):
            download_file(f"{server.url}/nothing.tar", tmp_path / "x.tar", retries=5, retry_wait_s=0)
        assert len(server.requests) == 1  # a 404 is not retried


def test_bad_shard_range_is_refused(tmp_path):
    with pytest.raises(DownloadError, match="shard range"):
        DownloadConfig(out_dir=tmp_path, first_shard=3, last_shard=1).shards()


def test_the_download_command(mini, tmp_path, capsys):
    from training.cli import main

    out = tmp_path / "mirror"
    with MiniServer(mini.root) as server:
        assert main(["download", "--out", str(out), "--shards", "0-2", "--base-url", server.url, "--workers", "2"]) == 0
        assert len(list((out / "train").glob("images_*.tar"))) == 3
        assert main(["download", "--out", str(out), "--shards", "0-3", "--base-url", server.url, "--retries", "0"]) == 1
    assert "images_003" in capsys.readouterr().err
