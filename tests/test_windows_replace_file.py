"""On Windows a rewritten photo takes its old file's place through ReplaceFileW, which
keeps what belongs to the file rather than its bytes (creation time, permissions, EFS
encryption, NTFS compression, alternate data streams), where a rename brought in the
new file's own; the retry while another program holds the photo, the fallback to the
rename and the temp's cleanup stay, and a photo is never left only in its temp unsaid."""

from __future__ import annotations

import errno
import os
import types

import pytest

from app.core.errors import MetadataWriteError
from app.core.metadata import atomic, file_attributes, temp_names
from app.core.metadata.temp_names import MAX_WINDOWS_PATH
from app.core.metadata.disk_problems import FileInUseError
from app.core.metadata.windows_replace import (ERROR_SHARING_VIOLATION, ERROR_UNABLE_TO_MOVE_REPLACEMENT,
                                               ERROR_UNABLE_TO_REMOVE_REPLACED)
from tests.windows_fakes import FakeKernel32, use_fake_kernel32

ERROR_INVALID_FUNCTION = 1  # a file system or share that has no ReplaceFile (FAT32, some NAS)
ERROR_FILE_NOT_FOUND = 2


@pytest.fixture
def on_windows(monkeypatch):
    monkeypatch.setattr(atomic, "ON_WINDOWS", True)
    monkeypatch.setattr(file_attributes, "ON_WINDOWS", True)
    monkeypatch.setattr(atomic.replace_file, "__kwdefaults__", {"windows": True, "sleep": lambda _s: None})


def photo_in(tmp_path):
    photo = tmp_path / "DSC_0001.JPG"
    photo.write_bytes(b"old bytes")
    return photo


def renames(monkeypatch) -> list:
    calls = []
    real_replace = os.replace

    def counted(source, target):
        calls.append(target)
        real_replace(source, target)

    monkeypatch.setattr(atomic.os, "replace", counted)
    return calls


def test_a_photo_is_put_in_place_with_replacefile_not_a_rename(tmp_path, monkeypatch, on_windows):
    kernel32 = use_fake_kernel32(monkeypatch, FakeKernel32())
    moved = renames(monkeypatch)
    photo = photo_in(tmp_path)
    atomic.replace_atomically(photo, b"new bytes")
    assert photo.read_bytes() == b"new bytes" and moved == []
    (name, replaced, replacement, backup, flags), = [c for c in kernel32.calls if c[0] == "ReplaceFileW"]
    assert replaced == str(photo) and replacement.startswith(str(tmp_path / ".DSC_0001.JPG."))
    assert backup is None and flags == 0x2 | 0x4  # merge and ACL errors do not stop the write
    assert [p.name for p in tmp_path.iterdir()] == ["DSC_0001.JPG"]
    new = tmp_path / "new"  # other systems: the rename, as ever
    new.write_bytes(b"newer")
    atomic.replace_file(new, photo, windows=False)
    assert photo.read_bytes() == b"newer" and moved == [photo] and len(kernel32.calls) == 1


class CopiesStreams(FakeKernel32):
    """ReplaceFileW writing the old file's alternate data streams into the new one, which
    moves its modification time."""

    def ReplaceFileW(self, replaced, replacement, backup, flags, exclude, reserved):  # noqa: N802
        os.utime(replacement, None)
        return super().ReplaceFileW(replaced, replacement, backup, flags, exclude, reserved)


def test_the_photo_keeps_its_modification_time_through_replacefile(tmp_path, monkeypatch, on_windows):
    kernel32 = use_fake_kernel32(monkeypatch, CopiesStreams())
    photo = photo_in(tmp_path)
    os.utime(photo, ns=(1_500_000_000 * 10**9, 1_500_000_000 * 10**9))
    atomic.replace_atomically(photo, b"new bytes")
    assert [c[0] for c in kernel32.calls] == ["ReplaceFileW"]
    assert photo.read_bytes() == b"new bytes" and os.stat(photo).st_mtime_ns == 1_500_000_000 * 10**9


@pytest.mark.parametrize("code", [ERROR_SHARING_VIOLATION, ERROR_UNABLE_TO_REMOVE_REPLACED])
def test_a_photo_another_program_holds_is_retried_then_reported_and_left_intact(tmp_path, monkeypatch, on_windows,
                                                                                 code):
    kernel32 = use_fake_kernel32(monkeypatch, FakeKernel32(replace_error=code))
    moved = renames(monkeypatch)
    photo = photo_in(tmp_path)
    monkeypatch.setattr(atomic, "_held_by_another_program", lambda path, error: True)  # its probe opens the file
    with pytest.raises(FileInUseError) as raised:
        atomic.replace_atomically(photo, b"new bytes")
    assert len(kernel32.calls) == len(atomic.REPLACE_RETRIES_S) + 1 and moved == []
    assert "another program has it open" in str(raised.value) and "the original is intact" in str(raised.value)
    assert photo.read_bytes() == b"old bytes" and [p.name for p in tmp_path.iterdir()] == ["DSC_0001.JPG"]


def test_where_replacefile_cannot_work_the_photo_is_renamed_in_as_before(tmp_path, monkeypatch, on_windows):
    kernel32 = use_fake_kernel32(monkeypatch, FakeKernel32(replace_error=ERROR_INVALID_FUNCTION))
    moved = renames(monkeypatch)
    photo = photo_in(tmp_path)
    atomic.replace_atomically(photo, b"new bytes")
    assert [c[0] for c in kernel32.calls] == ["ReplaceFileW"]  # tried first
    assert photo.read_bytes() == b"new bytes" and moved == [photo]
    assert [p.name for p in tmp_path.iterdir()] == ["DSC_0001.JPG"]


class RemovesThenFails(FakeKernel32):
    """ReplaceFileW that removed the old file and could not rename the new one
    (ERROR_UNABLE_TO_MOVE_REPLACEMENT: the temp is still under its own name)."""

    def ReplaceFileW(self, replaced, replacement, backup, flags, exclude, reserved):  # noqa: N802
        self.calls.append(("ReplaceFileW", replaced, replacement, backup, flags))
        if not os.path.exists(replaced):
            self.error = ERROR_FILE_NOT_FOUND
            return 0
        os.remove(replaced)
        self.error = ERROR_UNABLE_TO_MOVE_REPLACEMENT
        return 0


def test_a_replacefile_that_removed_the_old_file_is_finished_by_the_rename(tmp_path, monkeypatch, on_windows):
    kernel32 = use_fake_kernel32(monkeypatch, RemovesThenFails())
    moved = renames(monkeypatch)
    photo = photo_in(tmp_path)
    atomic.replace_atomically(photo, b"new bytes")
    assert [c[0] for c in kernel32.calls] == ["ReplaceFileW"]
    assert photo.read_bytes() == b"new bytes" and moved == [photo]
    assert [p.name for p in tmp_path.iterdir()] == ["DSC_0001.JPG"]


def _deep_folder(tmp_path, monkeypatch):
    """A folder whose 229-character path leaves a 21-character name too little room for
    its temp's (on Windows, as if there): the temp's name is cut."""
    monkeypatch.setattr(atomic.sys, "platform", "win32")
    folder = tmp_path
    while len(str(folder)) < 200:
        folder = folder / "Trip to Kyoto and Nara"
    folder = folder / ("x" * (229 - len(str(folder))))
    folder.mkdir(parents=True)
    return folder


LONG_NAME = "京都旅行の写真" * 11 + "_DSC_0001.JPG"  # 244 bytes: its temp's name is cut


# Files beginning with the photo's name: darktable's and digiKam's sidecar of the JPEG, an
# export, and, when the temp's name was cut, another photo whose name begins the same.
@pytest.mark.parametrize("name, beside", [
    ("DSC_0001.JPG", None), ("DSC_0001.JPG", ".xmp"), ("DSC_0001.JPG", " (edited).jpg"),
    (LONG_NAME, ".xmp"), (LONG_NAME, "-e.jpg"), (LONG_NAME, "-2.JPG"),
    ("DSC_0001 (edited).JPG", ".xmp"),  # in a deep folder, on Windows
])
def test_a_photo_left_only_in_its_temp_is_kept_and_named(tmp_path, monkeypatch, on_windows, name, beside):
    """The rename after it refused as well (an antivirus scanning the new file, say): the
    temp is then the photo, so it stays, and the message says where it is; a sweep long
    after keeps it too, even beside a file whose name begins with the photo's, and when
    the temp's name had to be cut to fit, for a long name or a deep folder."""
    use_fake_kernel32(monkeypatch, RemovesThenFails())

    def refuse(source, target):
        raise PermissionError(errno.EACCES, "The process cannot access the file")

    monkeypatch.setattr(atomic.os, "replace", refuse)
    folder = _deep_folder(tmp_path, monkeypatch) if name == "DSC_0001 (edited).JPG" else tmp_path
    photo = folder / name
    photo.write_bytes(b"old bytes")
    other = folder / (name + beside) if beside else None
    if other:
        other.write_bytes(b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>")
    with pytest.raises(MetadataWriteError) as raised:
        atomic.replace_atomically(photo, b"new bytes")
    temp, = (p for p in folder.iterdir() if p != other)
    assert temp.read_bytes() == b"new bytes" and not photo.exists()
    assert (name == "DSC_0001.JPG") == (temp.name == f".{name}{temp.name[-13:]}")  # cut for the others
    assert str(temp) in str(raised.value) and f"rename it {photo.name}" in str(raised.value)
    assert atomic.remove_stale_temps_in(folder, clock=lambda folder: 10**30) == 0 and temp.exists()


def _folder_leaving_room(tmp_path, monkeypatch, units: int):
    """A deep folder (on Windows, as if there) whose path leaves a temp's stem exactly
    `units` UTF-16 units."""
    folder = _deep_folder(tmp_path, monkeypatch).parent
    folder = folder / ("x" * (MAX_WINDOWS_PATH - len(".01234567.tmp") - 1 - units - len(str(folder)) - 2))
    folder.mkdir()
    assert temp_names.path_room(folder) == units
    return folder


JPEG_OF_241_BYTES = "京都旅行の写真" * 11 + "_DSC_0.jpg"  # its sidecar's temp stem is cut to exactly this name


@pytest.mark.parametrize("case", ["241-byte name", "12 units left"])
def test_a_sidecar_left_only_in_its_temp_beside_its_jpeg_is_kept(tmp_path, monkeypatch, on_windows, case):
    """A JPEG's sidecar (darktable's history, an older --no-jpeg write) whose temp's name
    is cut to exactly the JPEG's name: when it is the sidecar's only copy, the sweep
    keeps it, though a temp of that JPEG would be named the same but for its tag; a
    stale one beside the sidecar goes."""
    use_fake_kernel32(monkeypatch, RemovesThenFails())

    def refuse(source, target):
        raise PermissionError(errno.EACCES, "The process cannot access the file")

    monkeypatch.setattr(atomic.os, "replace", refuse)
    if case == "241-byte name":
        folder, jpeg = tmp_path, JPEG_OF_241_BYTES
    else:
        folder, jpeg = _folder_leaving_room(tmp_path, monkeypatch, 12), "DSC_0001.JPG"
    (folder / jpeg).write_bytes(b"the photo")
    sidecar = folder / (jpeg + ".xmp")
    sidecar.write_bytes(b"<x:xmpmeta>the user's darktable history</x:xmpmeta>")
    with pytest.raises(MetadataWriteError) as raised:
        atomic.replace_atomically(sidecar, b"<x:xmpmeta>history and our keyword</x:xmpmeta>")
    temp, = (p for p in folder.iterdir() if p.name != jpeg)
    assert temp.name.startswith(f".{jpeg}.") and f"rename it {sidecar.name}" in str(raised.value)
    assert atomic.remove_stale_temps_in(folder, clock=lambda folder: 10**30) == 0
    assert temp.read_bytes() == b"<x:xmpmeta>history and our keyword</x:xmpmeta>"
    temp.rename(sidecar)
    stale = atomic.temp_path_for(sidecar)
    stale.write_bytes(b"half")
    os.utime(stale, (1_000_000_000, 1_000_000_000))
    assert atomic.remove_stale_temps_in(folder) == 1 and not stale.exists()


@pytest.mark.parametrize("deep", [False, True])
def test_a_stale_temp_with_a_cut_name_goes_when_its_photo_is_there(tmp_path, monkeypatch, deep):
    """The photo it copies is there (a kill before the rename): the temp is clutter and
    goes, though a sidecar and another photo beginning with the same cut name are there."""
    folder = _deep_folder(tmp_path, monkeypatch) if deep else tmp_path
    name = "DSC_0001 (edited).JPG" if deep else LONG_NAME
    for each in (name, name + ".xmp", name + "-2.JPG"):
        (folder / each).write_bytes(b"photo")
    temp = atomic.temp_path_for(folder / name)
    assert temp.name != f".{name}{temp.name[-13:]}"
    temp.write_bytes(b"half")
    os.utime(temp, (1_000_000_000, 1_000_000_000))
    assert atomic.remove_stale_temps_in(folder) == 1 and not temp.exists()


def test_only_a_stem_cut_to_fit_stands_for_the_longer_names_it_begins(tmp_path):
    """A temp's stem is its file's whole name unless that name was too long: a short
    stem that names no JPEG or sidecar is not a cut one, so it is nobody's of ours."""
    long_name = tmp_path / ("Colosseum at dawn " * 13 + "DSC_0001.JPG")
    long_name.write_bytes(b"photo")
    (tmp_path / "DSC_0001.JPG (edited).jpg").write_bytes(b"photo")
    cut, short = atomic.temp_path_for(long_name), tmp_path / ".DSC_0001.1a2b3c4d.tmp"
    assert cut.name != f".{long_name.name}{cut.name[-14:]}"  # the name was cut to fit
    for temp in (cut, short):
        temp.write_bytes(b"half")
        os.utime(temp, (1_000_000_000, 1_000_000_000))
    assert atomic.remove_stale_temps_in(tmp_path) == 1
    assert not cut.exists() and short.exists()


def test_a_hidden_or_system_photo_stays_so(tmp_path, monkeypatch):
    kernel32 = use_fake_kernel32(monkeypatch, FakeKernel32())
    temp = tmp_path / ".a.jpg.0123abcd.tmp"
    hidden, system, archive, readonly = 0x2, 0x4, 0x20, 0x1
    file_attributes.keep_windows_attributes(temp, types.SimpleNamespace(st_file_attributes=hidden | system | readonly))
    file_attributes.keep_windows_attributes(temp, types.SimpleNamespace(st_file_attributes=archive))  # nothing to keep
    file_attributes.keep_windows_attributes(temp, os.stat(tmp_path))  # a stat without Windows attributes
    assert kernel32.calls == [("SetFileAttributesW", str(temp), hidden | system | archive)]
