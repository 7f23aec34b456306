"""Deep folder chains scan in linear work, and a folder past the path limit or a link
loop is named with its own cause, not "check its permissions" (hostile input, finding 9)."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import pytest

from app.core.index import PhotoIndex
from app.core.scanner import scan
from tests.test_index_support import write_jpeg

@pytest.fixture
def index():
    with PhotoIndex.open(":memory:") as idx:
        yield idx


posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX symbolic links and lstat counts")


def _chain(root: Path, depth: int) -> Path:
    folder = root.joinpath(*[f"d{i}" for i in range(depth)])
    write_jpeg(folder / "deep.jpg")
    return folder


def _lstats_to_scan(tmp_path: Path, index: PhotoIndex, monkeypatch, depth: int) -> int:
    root = tmp_path / f"chain{depth}"
    _chain(root, depth)
    calls = 0
    real_lstat = os.lstat

    def lstat(*args, **kwargs):
        nonlocal calls
        calls += 1
        return real_lstat(*args, **kwargs)

    monkeypatch.setattr(os, "lstat", lstat)
    try:
        assert scan(index, [root]).new == 1
    finally:
        monkeypatch.setattr(os, "lstat", real_lstat)
    return calls


@posix_only
def test_a_chain_twice_as_deep_costs_about_twice_the_lstats(tmp_path, index, monkeypatch):
    shallow = _lstats_to_scan(tmp_path, index, monkeypatch, 40)
    deep = _lstats_to_scan(tmp_path, index, monkeypatch, 80)
    # os.path.ismount resolved every folder's parent: lstats grew with depth squared (x4)
    assert deep < 2.5 * shallow, (shallow, deep)


@posix_only
def test_a_link_loop_is_named_as_one(tmp_path, index):
    write_jpeg(tmp_path / "ok.jpg")
    (tmp_path / "self").symlink_to("self")
    scan(index, [tmp_path])
    [problem] = [p for p in index.errors() if "self" in p.message]
    assert "points back into itself" in problem.message
    assert "permissions" not in problem.message


def test_a_folder_past_the_path_limit_is_named_as_one(tmp_path, index, monkeypatch):
    write_jpeg(tmp_path / "ok.jpg")
    long_folder = tmp_path / "long"
    long_folder.mkdir()
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fspath(path) == str(long_folder):
            raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    summary = scan(index, [tmp_path])
    assert summary.new == 1
    [problem] = [p for p in index.errors() if "long" in p.message]
    assert "cannot list the folder" in problem.message and "path is too long" in problem.message
    assert "permissions" not in problem.message
