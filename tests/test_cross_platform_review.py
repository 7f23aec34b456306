"""A reviewer's Windows and macOS findings, simulated on Linux: the other platform's
separator, console encoding, shell (no wildcard expansion), junctions and
case-insensitive disks are put in place with monkeypatch."""

from __future__ import annotations

import io
import json
import ntpath
import os
import stat
import sys
import types
from pathlib import PureWindowsPath

import pytest


def _as_windows(monkeypatch, module) -> None:
    """`module` sees os as on Windows: its separator and path functions."""
    fake = types.SimpleNamespace(**{name: getattr(os, name) for name in dir(os) if not name.startswith("__")})
    fake.sep, fake.altsep, fake.path, fake.name = "\\", "/", ntpath, "nt"
    monkeypatch.setattr(module, "os", fake)


# 1. A drive that comes back under another letter (relocate's first use case).

def test_relocating_a_drive_root_keeps_single_separators(monkeypatch):
    from app.core import relocate

    _as_windows(monkeypatch, relocate)
    assert relocate.moved_path("E:\\DCIM\\100CANON\\IMG_0001.JPG", "E:\\", "F:\\") == "F:\\DCIM\\100CANON\\IMG_0001.JPG"
    assert relocate.moved_path("E:\\", "E:\\", "F:\\") == "F:\\"  # the library folder itself
    assert relocate.moved_path("D:\\Card\\IMG_0001.JPG", "D:\\Card", "F:\\") == "F:\\IMG_0001.JPG"
    assert relocate.moved_path("E:\\IMG_0001.JPG", "E:\\", "F:\\Card") == "F:\\Card\\IMG_0001.JPG"


def test_relocating_to_or_from_the_posix_root_keeps_single_separators():
    from app.core.relocate import moved_path as _moved

    assert _moved("/Volumes/Card/DCIM/a.jpg", "/Volumes/Card", "/") == "/DCIM/a.jpg"
    assert _moved("/DCIM/a.jpg", "/", "/Volumes/Card") == "/Volumes/Card/DCIM/a.jpg"
    assert _moved("/Volumes/Card", "/Volumes/Card", "/") == "/"


def test_the_locate_dialog_names_a_whole_drive_by_its_letter(monkeypatch):
    from app.gui import library_actions

    monkeypatch.setattr(library_actions, "Path", PureWindowsPath)
    assert library_actions.folder_title("E:\\") == "E:"
    assert library_actions.folder_title("E:\\Trip 2019") == "Trip 2019"
    assert library_actions.folder_title("\\\\nas\\photos\\") == "\\\\nas\\photos"


def test_the_locate_dialog_names_the_posix_root():
    from app.gui.library_actions import folder_title

    assert folder_title("/") == "/"


# 2. stdout redirected on Windows (`search > list.txt`, `| findstr`) is cp1252 and strict.

def _photo_library(tmp_path, folder_name: str) -> str:
    from PIL import Image

    from app.cli.main import main

    folder = tmp_path / "Photos" / folder_name
    folder.mkdir(parents=True)
    Image.new("RGB", (32, 24), (120, 90, 60)).save(folder / "DSC_0001.JPG")
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(folder)]) == 0
    return db


class _Cp1252Stdout(io.TextIOWrapper):
    """sys.stdout as Windows opens it for a file or a pipe (or, terminal=True, a
    console in a legacy code page)."""

    def __init__(self, raw: io.BytesIO, terminal: bool = False) -> None:
        super().__init__(raw, encoding="cp1252", newline="\r\n")
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


def test_search_redirected_on_windows_writes_utf8_text_and_json(tmp_path, monkeypatch):
    from app.cli.main import main

    db = _photo_library(tmp_path, "Łódź Zürich")  # Ł, ź are not in cp1252; ü is, as 0xFC
    for flags in ([], ["--json"]):
        raw = io.BytesIO()
        monkeypatch.setattr(sys, "stdout", _Cp1252Stdout(raw))
        assert main(["--db", db, "search", *flags]) == 0
        sys.stdout.flush()
        text = raw.getvalue().decode("utf-8")
        assert "Łódź Zürich" in (json.loads(text)["path"] if flags else text)
        assert text.endswith("\r\n")  # still Windows' line ends


def test_a_terminal_in_a_legacy_code_page_shows_what_it_cannot_encode_escaped(tmp_path, monkeypatch):
    from app.cli.main import main

    db = _photo_library(tmp_path, "Łódź")
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", _Cp1252Stdout(raw, terminal=True))
    assert main(["--db", db, "search"]) == 0
    sys.stdout.flush()
    assert "\\u0141ód\\u017a" in raw.getvalue().decode("cp1252")  # the terminal's encoding kept


# 3. Windows junctions (`mklink /J`): DirEntry.is_symlink() is False for them on 3.11.

IO_REPARSE_TAG_MOUNT_POINT = 0xA0000003  # Windows' stat module has it; Linux's has not


class _WindowsEntry:
    """A DirEntry as Windows lists a junction: is_symlink() False, the lstat that came
    with the listing carries st_reparse_tag. `lstats` counts the lstat calls."""

    lstats = 0

    def __init__(self, entry: os.DirEntry, junctions: bool) -> None:
        self._entry, self._junctions = entry, junctions
        self.name, self.path = entry.name, entry.path

    def _junction(self) -> bool:
        return self._junctions and self._entry.is_symlink() and self._entry.is_dir()

    def is_symlink(self) -> bool:
        return self._entry.is_symlink() and not self._junction()

    def is_dir(self, *, follow_symlinks: bool = True) -> bool:
        return self._entry.is_dir(follow_symlinks=follow_symlinks)

    def is_file(self, *, follow_symlinks: bool = True) -> bool:
        return self._entry.is_file(follow_symlinks=follow_symlinks)

    def stat(self, *, follow_symlinks: bool = True):
        if follow_symlinks:
            return self._entry.stat()
        type(self).lstats += 1
        return types.SimpleNamespace(st_reparse_tag=IO_REPARSE_TAG_MOUNT_POINT if self._junction() else 0)


def _listing(monkeypatch, junctions: bool) -> None:
    import app.core.scan_links as scan_links_module
    import app.core.scanner as scanner_module

    class Scandir:
        def __init__(self, path) -> None:
            self._it = os.scandir(path)

        def __enter__(self):
            return (_WindowsEntry(entry, junctions) for entry in self._it)

        def __exit__(self, *exc) -> None:
            self._it.close()

    fake = types.SimpleNamespace(**{name: getattr(os, name) for name in dir(os) if not name.startswith("__")})
    fake.scandir = Scandir
    monkeypatch.setattr(scanner_module, "os", fake)
    monkeypatch.setattr(scan_links_module, "os", fake)  # is_link's readlink: the same fake
    monkeypatch.setattr(_WindowsEntry, "lstats", 0)
    if junctions:
        monkeypatch.setattr(stat, "IO_REPARSE_TAG_MOUNT_POINT", IO_REPARSE_TAG_MOUNT_POINT, raising=False)


@pytest.fixture
def index():
    from app.core.index import PhotoIndex

    idx = PhotoIndex.open(":memory:")
    yield idx
    idx.close()


def test_a_junction_into_the_library_or_a_junction_loop_is_walked_once(tmp_path, index, monkeypatch):
    from app.core.scanner import scan
    from tests.test_index_support import write_jpeg

    _listing(monkeypatch, junctions=True)
    write_jpeg(tmp_path / "lib" / "2019" / "Rome" / "DSC_0001.JPG")
    (tmp_path / "lib" / "Best of").symlink_to(tmp_path / "lib" / "2019" / "Rome")  # mklink /J "Best of" 2019\Rome
    (tmp_path / "lib" / "2019" / "loop").symlink_to(tmp_path / "lib")  # mklink /J loop ..
    summary = scan(index, [tmp_path / "lib"])
    assert (summary.photos, summary.errors) == (1, 0)


def test_without_junctions_no_entry_is_stat_twice(tmp_path, index, monkeypatch):
    """POSIX has no junctions: the listing's link test costs no lstat."""
    from app.core.scanner import scan
    from tests.test_index_support import write_jpeg

    _listing(monkeypatch, junctions=False)
    write_jpeg(tmp_path / "lib" / "Rome" / "DSC_0001.JPG")
    (tmp_path / "lib" / "Best of").symlink_to(tmp_path / "lib" / "Rome")
    assert not hasattr(stat, "IO_REPARSE_TAG_MOUNT_POINT") or os.name == "nt"
    summary = scan(index, [tmp_path / "lib"])
    assert (summary.photos, summary.errors, _WindowsEntry.lstats) == (1, 0, 0)


def test_a_drive_mounted_into_a_folder_is_walked_under_its_folder(tmp_path, index, monkeypatch):
    """A volume mounted into an empty NTFS folder has a junction's reparse tag, but it is
    the drive's own folder: its photos are indexed under the folder's path (not a
    `\\?\\Volume{…}` path, and not skipped when links are not followed)."""
    import app.core.scanner as scanner_module
    from app.core.scanner import ScanOptions, scan
    from tests.test_index_support import write_jpeg

    _listing(monkeypatch, junctions=True)
    mounted = tmp_path / "lib" / "Archive"
    real_readlink = os.readlink
    volume = "\\\\?\\Volume{4c1b02c1-d990-11dc-99ae-806e6f6e6963}\\"
    monkeypatch.setattr(scanner_module.os, "readlink",
                        lambda path: volume if os.path.samefile(path, mounted) else real_readlink(path))
    write_jpeg(tmp_path / "drive" / "DSC_0001.JPG")
    (tmp_path / "lib").mkdir()
    mounted.symlink_to(tmp_path / "drive")  # what the listing shows of a mounted volume
    (tmp_path / "lib" / "loop").symlink_to(tmp_path / "lib")  # a plain junction: still a link
    for follow in (True, False):
        summary = scan(index, [tmp_path / "lib"], options=ScanOptions(follow_symlinks=follow))
        assert summary.errors == 0
        folders = {row[0] for row in index.conn.execute("SELECT folder FROM photos WHERE NOT missing")}
        assert folders == {str(mounted)}


# 4. cmd.exe and PowerShell hand wildcards over unexpanded (`accept Rome\*.JPG`).

def _archive(tmp_path) -> tuple:
    from PIL import Image

    from app.cli.main import main

    root = tmp_path / "archive"
    for folder, stems in {"Rome": ["DSC_0041", "DSC_0042"], "Paris": ["DSC_0050"]}.items():
        (root / folder).mkdir(parents=True)
        for stem in stems:
            Image.new("RGB", (32, 24), (120, 90, 60)).save(root / folder / f"{stem}.JPG")
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(root)]) == 0
    return root, db


def test_wildcards_windows_passes_as_typed_are_expanded(tmp_path, monkeypatch, capsys):
    from app.cli.main import main
    from app.core import path_query

    root, db = _archive(tmp_path)
    _as_windows(monkeypatch, path_query)
    monkeypatch.setattr(path_query.os, "sep", "/")  # Windows' shell, on this disk
    capsys.readouterr()
    assert main(["--db", db, "search", str(root / "Rome" / "*.JPG")]) == 0
    assert sorted(line.split("\t")[0] for line in capsys.readouterr().out.splitlines()) == [
        str(root / "Rome" / "DSC_0041.JPG"), str(root / "Rome" / "DSC_0042.JPG")]
    assert main(["--db", db, "label", str(root / "Rome" / "DSC_004?.JPG"), "Colosseum"]) == 0
    assert main(["--db", db, "accept", str(root / "Paris" / "*.JPG")]) == 0
    assert "0 of 1 matching photo changed" in capsys.readouterr().err  # Paris alone: matched, not labelled
    assert main(["--db", db, "search", "--count", "label:Colosseum"]) == 0
    assert capsys.readouterr().out.strip() == "2"
    assert main(["--db", db, "accept", str(root / "Rome" / "*.PNG")]) == 1
    assert capsys.readouterr().err.strip() == f"landmark-tagger: error: no file matches {root / 'Rome' / '*.PNG'}"


def test_wildcards_are_left_to_the_shell_elsewhere_and_words_stay_words(tmp_path, monkeypatch):
    from app.core import path_query

    pattern = str(tmp_path / "*.JPG")
    (tmp_path / "DSC_0001.JPG").write_bytes(b"")
    assert path_query.expand_wildcards([pattern]) == [pattern]  # POSIX: the shell's job
    _as_windows(monkeypatch, path_query)
    monkeypatch.chdir(tmp_path)
    assert path_query.expand_wildcards(["eiff*", "-Rome*", 'label:"Notre*"', "DSC_*.JPG"]) == [
        "eiff*", "-Rome*", 'label:"Notre*"', "DSC_0001.JPG"]



def test_a_folder_with_brackets_is_no_character_class_on_windows(tmp_path, monkeypatch):
    from app.core import path_query

    folder = tmp_path / "Trip [2019]"  # cmd.exe has no "[" wildcard
    folder.mkdir()
    for name in ("DSC_0001.JPG", "DSC_0002.JPG"):
        (folder / name).write_bytes(b"")
    (tmp_path / "Trip 2").mkdir()  # what "[2019]" would match as a class
    (tmp_path / "Trip 2" / "DSC_0003.JPG").write_bytes(b"")
    _as_windows(monkeypatch, path_query)
    monkeypatch.setattr(path_query.os, "sep", "/")  # Windows' shell, on this disk
    assert path_query.expand_wildcards([f"{folder}/*.JPG", f"{folder}/DSC_000?.JPG"]) == [
        str(folder / "DSC_0001.JPG"), str(folder / "DSC_0002.JPG")] * 2
    assert path_query.expand_wildcards([f"{tmp_path}/Trip [2]/x.JPG"]) == [f"{tmp_path}/Trip [2]/x.JPG"]

# 6. A whole Windows path typed or pasted bare (its drive unplugged): no field "e".

@pytest.mark.parametrize("typed, field, value, negated", [
    ("E:\\Trip\\DSC_0001.JPG", "path", "E:\\Trip\\DSC_0001.JPG", False),
    ('"E:\\Best of\\DSC_0001.NEF"', "path", "E:\\Best of\\DSC_0001.NEF", False),  # "Copy as path" quotes it
    ("-e:/Trip", "folder", "e:/Trip", True),
    ("\\\\nas\\photos\\Rome", "folder", "\\\\nas\\photos\\Rome", False),
])
def test_a_bare_windows_path_is_a_path_or_folder_term(typed, field, value, negated):
    from app.core.index.query import parse_query

    term = parse_query(typed).terms[0]
    assert (term.field, term.value, term.negated) == (field, value, negated)


def test_a_bare_windows_path_searches_without_a_syntax_error(tmp_path, capsys):
    from app.cli.main import main

    _root, db = _archive(tmp_path)
    capsys.readouterr()
    assert main(["--db", db, "search", "E:\\Trip\\DSC_0001.JPG"]) == 0
    assert capsys.readouterr().err.strip() == "0 photos"


# 5. `path:"…"` typed in another case (macOS, Windows): respelled from the index as folder: is.

def _names(index, query: str) -> list[str]:
    return sorted(os.path.basename(record.path) for record in index.search(query))


def test_a_path_term_in_another_case_finds_the_file_the_index_holds(tmp_path, index, monkeypatch):
    from app.core.scanner import scan
    from tests.test_index_support import write_jpeg

    write_jpeg(tmp_path / "Trip" / "DSC_0001.JPG", color=(200, 10, 10))
    write_jpeg(tmp_path / "Trip" / "DSC_0002.JPG", color=(10, 200, 10))
    scan(index, [tmp_path / "Trip"])
    (tmp_path / "Trip" / "DSC_0002.JPG").unlink()
    scan(index, [tmp_path / "Trip"])  # DSC_0002 is missing now
    typed = tmp_path / "trip"
    queries = [f'path:"{typed / "dsc_0001.jpg"}"', f'is:missing path:"{typed / "DSC_0002.jpg"}"',
               f'-path:"{typed / "dsc_0001.jpg"}"', f'path:"{typed / "dsc_0001.jpg"}" OR label:Petra',
               f'path:"{typed / "dsc_0003.jpg"}"']
    looked: list[str] = []
    with monkeypatch.context() as disk:  # from the index alone: the drive may be unplugged
        for name in ("listdir", "scandir", "stat", "lstat"):
            disk.setattr(os, name, lambda *a, _name=name, **k: looked.append(_name) or 1 / 0)
        found = [_names(index, query) for query in queries]
    assert looked == []
    assert found == [["DSC_0001.JPG"], ["DSC_0002.JPG"], [], ["DSC_0001.JPG"], []]  # -path: DSC_0002 is missing


def test_files_differing_in_case_are_each_found_by_their_own_name_and_both_by_a_third(tmp_path, index):
    from app.core.scanner import scan
    from tests.test_index_support import write_jpeg

    write_jpeg(tmp_path / "Trip" / "DSC_0001.JPG", color=(200, 10, 10))
    write_jpeg(tmp_path / "Trip" / "dsc_0001.jpg", color=(10, 200, 10))  # a case-sensitive disk holds both
    scan(index, [tmp_path / "Trip"])
    folder = tmp_path / "Trip"
    assert _names(index, f'path:"{folder / "DSC_0001.JPG"}"') == ["DSC_0001.JPG"]
    assert _names(index, f'path:"{folder / "dsc_0001.jpg"}"') == ["dsc_0001.jpg"]
    assert _names(index, f'path:"{tmp_path / "TRIP" / "Dsc_0001.Jpg"}"') == ["DSC_0001.JPG", "dsc_0001.jpg"]
    assert _names(index, f'-path:"{tmp_path / "TRIP" / "Dsc_0001.Jpg"}"') == []



@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="needs a case-sensitive disk")
def test_a_file_not_yet_indexed_is_not_taken_for_its_case_twin(tmp_path, capsys):
    """img_0001.jpg copied in after the scan beside IMG_0001.JPG: `label …/img_0001.jpg`
    labelled IMG_0001.JPG, another picture. label now adds the new file first (2416de0)
    and labels it, never its twin."""
    from app.cli.main import main
    from app.core.index import PhotoIndex
    from tests.test_index_support import write_jpeg

    write_jpeg(tmp_path / "Trip" / "IMG_0001.JPG", color=(200, 10, 10))
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "scan", str(tmp_path / "Trip")]) == 0
    new = tmp_path / "Trip" / "img_0001.jpg"
    write_jpeg(new, color=(10, 200, 10))  # not scanned yet
    assert main(["--db", db, "label", str(new), "Trevi Fountain"]) == 0
    with PhotoIndex.open(db) as index:
        assert _names(index, 'label:"Trevi Fountain"') == ["img_0001.jpg"]
        assert _names(index, f'path:"{new}"') == ["img_0001.jpg"]


def test_a_training_report_redirected_on_windows_is_written_whole(tmp_path, monkeypatch):
    """`landmark-train evaluate > report.txt` on Windows ended, after the whole evaluation,
    in UnicodeEncodeError on the report's "μAP" (cp1252 has no μ)."""
    from training.cli import main

    (tmp_path / "pred.csv").write_text("id,landmarks\nq1,7 0.9\nq2,8 0.4\n", encoding="utf-8")
    (tmp_path / "sol.csv").write_text("id,landmarks,Usage\nq1,7,Public\nq2,9,Public\n", encoding="utf-8")
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", _Cp1252Stdout(raw))
    assert main(["evaluate", "--predictions", str(tmp_path / "pred.csv"), "--solution", str(tmp_path / "sol.csv")]) == 0
    sys.stdout.flush()
    assert "μAP" in raw.getvalue().decode("utf-8")
