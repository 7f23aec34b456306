"""A computer is told by the id its OS keeps for the machine, not by a file in the
user's data folder, which is copied whole to a new computer (Migration Assistant, a
restore from a backup): another computer's live write must never become this
computer's killed one (review 3 F4), and a lost id file must not make this computer's
own killed write another's without a word (review 3 F5)."""

from __future__ import annotations

import logging
import shutil
import socket
import sqlite3
import subprocess
import sys
import types
from datetime import datetime, timezone
from pathlib import Path

import pytest

from app.core import machine_id, this_computer
from app.core.index import PhotoIndex, running_writes
from app.core.metadata import plan_writes, undo_last_write, write_labels
from app.core.metadata.plan import WriteOptions
from tests.test_write_rerun_carries_on import NAMES, _killed_write
from tests.test_write_safety_support import _library

MAC_A = "564D1A2B-3C4D-5E6F-7A8B-9C0D1E2F3A4B"
MAC_B = "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0"


def _computer(monkeypatch, home: Path, machine: str | None) -> None:
    """Run as the computer of data folder `home` whose OS keeps `machine` (a new process)."""
    monkeypatch.setenv("LANDMARK_TAGGER_HOME", str(home))
    monkeypatch.setattr(machine_id, "READERS", {sys.platform: lambda: machine})
    monkeypatch.setattr(this_computer, "_KNOWN", {})


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _as_if_live_on_computer_a(db: Path, computer: str | None) -> None:
    """Batch 1 as computer A's write still running looks from elsewhere."""
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE write_batches SET status = 'running', pid = 4242, host = 'alice-old-mac', "
                     "computer = ?, started_at = ? WHERE id = 1", (computer, _now()))
    conn.close()


def _undo_refused(db: Path) -> str:
    with PhotoIndex.open(db) as index, pytest.raises(running_writes.WriteRunningError) as refused:
        undo_last_write(index)
    return str(refused.value)


def test_a_copied_data_folder_never_makes_another_computers_live_write_ours(tmp_path, monkeypatch):
    db, _ = _library(tmp_path, NAMES[:2])
    _killed_write(db, 1)
    home_a, home_b = tmp_path / "hA", tmp_path / "hB"
    (home_a / "data").mkdir(parents=True)  # the random id an earlier version made there
    (home_a / "data" / this_computer.ID_FILE).write_text("0123456789abcdef0123456789abcdef\n", encoding="ascii")
    _computer(monkeypatch, home_a, MAC_A)
    a_id = this_computer.computer_id()
    _as_if_live_on_computer_a(db, a_id)
    _computer(monkeypatch, home_b, MAC_B)
    assert this_computer.computer_id() != a_id
    assert "(batch 1, process 4242 on alice-old-mac)" in _undo_refused(db)
    shutil.copytree(home_a, home_b, dirs_exist_ok=True)  # Migration Assistant, a restore, a cloned disk
    _computer(monkeypatch, home_b, MAC_B)
    assert "(batch 1, process 4242 on alice-old-mac)" in _undo_refused(db)
    assert MAC_A.lower() not in this_computer.computer_id().lower()  # hashed: the raw id is not in the index


def test_the_random_id_an_earlier_version_kept_stays_ours_and_not_the_copys(tmp_path, monkeypatch):
    """A write killed under the version that told computers by the random computer-id
    alone is carried on here after the upgrade; on the computer the folder was copied
    to, that id is another computer's."""
    db, _ = _library(tmp_path, NAMES[:2])
    _killed_write(db, 1)
    home_a, home_b = tmp_path / "hA", tmp_path / "hB"
    earlier = "0123456789abcdef0123456789abcdef"
    (home_a / "data").mkdir(parents=True)
    (home_a / "data" / this_computer.ID_FILE).write_text(earlier + "\n", encoding="ascii")
    with sqlite3.connect(db) as conn:  # the killed write's row, as that version recorded it
        conn.execute("UPDATE write_batches SET host = 'Mac.lan', computer = ?", (earlier,))
    conn.close()
    _computer(monkeypatch, home_a, MAC_A)
    with PhotoIndex.open(db) as index:
        assert running_writes.running_write(index.conn) is None  # ours, its process gone: carried on
    shutil.copytree(home_a, home_b)
    _computer(monkeypatch, home_b, MAC_B)
    _as_if_live_on_computer_a(db, earlier)
    assert "(batch 1, process 4242 on alice-old-mac)" in _undo_refused(db)
    _computer(monkeypatch, home_a, MAC_A)  # and A itself still knows it
    assert this_computer.is_this_computer(earlier, "alice-old-mac")


def test_the_os_id_does_not_change_when_the_id_file_is_lost(tmp_path, monkeypatch):
    db, _ = _library(tmp_path, NAMES[:2])
    _killed_write(db, 1)
    home = tmp_path / "h"
    _computer(monkeypatch, home, MAC_A)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE write_batches SET computer = ?", (this_computer.computer_id(),))
    conn.close()
    shutil.rmtree(home, ignore_errors=True)  # the data folder reset
    _computer(monkeypatch, home, MAC_A)
    with PhotoIndex.open(db) as index:
        rerun = write_labels(index, plan_writes(index), WriteOptions(workers=1))
    assert (rerun.batch_id, rerun.carried_on, rerun.failed) == (1, True, 0)


def test_a_lost_random_id_names_this_host_and_says_when_the_write_is_given_back(tmp_path, monkeypatch):
    """Where the OS keeps no id: the killed write recorded under the lost id names this
    computer's host; the message says its process is not running here and when the
    write is carried on."""
    db, _ = _library(tmp_path, NAMES[:2])
    _killed_write(db, 1)
    home = tmp_path / "h"
    _computer(monkeypatch, home, None)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE write_batches SET computer = ?, host = ?, started_at = '2026-12-05T18:00:00+00:00'",
                     (this_computer.computer_id(), socket.gethostname()))
    conn.close()
    (home / "data" / this_computer.ID_FILE).unlink()
    _computer(monkeypatch, home, None)
    refused = _undo_refused(db)
    free = datetime(2026, 12, 6, 18, 0, tzinfo=timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M")
    pid = int(refused.split("process ")[1].split(" ")[0])
    assert refused.startswith(f"a write is running (batch 1, process {pid} on {socket.gethostname()}); ")
    assert refused.endswith(f". No process {pid} runs on this computer: if {socket.gethostname()} was this "
                            f"computer when it started (its computer id has changed since), it was stopped, and "
                            f"from {free}, a day after it started, `write` carries that write on and `undo` "
                            f"takes it back")
    _as_if_live_on_computer_a(db, "id-of-another-computer")  # another host: no such hint
    assert _undo_refused(db).endswith("(batch 1, process 4242 on alice-old-mac); undo when it has finished")


def test_an_id_file_that_cannot_be_read_now_is_never_replaced(tmp_path, monkeypatch):
    home = tmp_path / "h"
    _computer(monkeypatch, home, None)
    made = this_computer.computer_id()
    kept = home / "data" / this_computer.ID_FILE
    real_read_text = Path.read_text

    def locked(path, *args, **kwargs):  # a sharing lock, an antivirus scan
        if path == kept:
            raise PermissionError(13, "locked", str(path))
        return real_read_text(path, *args, **kwargs)

    with monkeypatch.context() as busy:
        busy.setattr(Path, "read_text", locked)
        busy.setattr(this_computer, "_KNOWN", {})
        assert this_computer.computer_id() is None  # told by host name this time
    assert kept.read_text(encoding="ascii").strip() == made


def test_a_damaged_id_file_is_replaced_with_a_warning(tmp_path, monkeypatch, caplog):
    home = tmp_path / "h"
    damaged = home / "data" / this_computer.ID_FILE
    damaged.parent.mkdir(parents=True)
    damaged.write_text("0123\n", encoding="ascii")  # cut short
    _computer(monkeypatch, home, None)
    with caplog.at_level(logging.WARNING, logger="app.core.this_computer"):
        made = this_computer.computer_id()
    assert made is not None and damaged.read_text(encoding="ascii").strip() == made
    assert f"{damaged} held no computer id ('0123')" in caplog.text


# the readers, one per platform


def test_linux_reads_systemds_machine_id_then_dbus(tmp_path, monkeypatch):
    etc, dbus = tmp_path / "machine-id", tmp_path / "dbus-machine-id"
    monkeypatch.setattr(machine_id, "LINUX_ID_FILES", (etc, dbus))
    assert machine_id.linux_machine_id() is None
    etc.write_text("uninitialized\n", encoding="ascii")  # systemd's first boot
    dbus.write_text("d" * 32 + "\n", encoding="ascii")
    assert machine_id.linux_machine_id() == "d" * 32
    etc.write_text("e" * 32 + "\n", encoding="ascii")
    assert machine_id.linux_machine_id() == "e" * 32


def test_macos_reads_the_platform_uuid_from_ioreg_with_a_timeout(monkeypatch):
    asked = []
    shown = ('+-o J314sAP  <class IOPlatformExpertDevice, id 0x100000211>\n  {\n'
             f'    "IOPlatformSerialNumber" = "C02XXXX"\n    "IOPlatformUUID" = "{MAC_A}"\n  }}\n')

    def ioreg(command, **options):
        asked.append((command, options.get("timeout")))
        return subprocess.CompletedProcess(command, 0, shown, "")

    monkeypatch.setattr(subprocess, "run", ioreg)
    assert machine_id.mac_platform_uuid() == MAC_A
    assert asked == [(machine_id.MAC_IOREG, machine_id.MAC_IOREG_TIMEOUT_S)]

    def hung(command, **options):
        raise subprocess.TimeoutExpired(command, options["timeout"])

    monkeypatch.setattr(subprocess, "run", hung)
    assert machine_id.mac_platform_uuid() is None


def test_windows_reads_machine_guid_from_the_64_bit_registry(monkeypatch):
    opened = []

    class Key:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    fake = types.SimpleNamespace(
        HKEY_LOCAL_MACHINE="HKLM", KEY_READ=0x20019, KEY_WOW64_64KEY=0x0100,
        OpenKey=lambda root, key, reserved, access: opened.append((root, key, access)) or Key(),
        QueryValueEx=lambda key, name: ("6F9619FF-8B86-D011-B42D-00C04FC964FF", 1))
    monkeypatch.setitem(sys.modules, "winreg", fake)
    assert machine_id.windows_machine_guid() == "6f9619ff-8b86-d011-b42d-00c04fc964ff"
    assert opened == [("HKLM", machine_id.WINDOWS_KEY, 0x20019 | 0x0100)]


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_each_platform_asks_its_own_reader(monkeypatch, platform):
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(machine_id, "READERS", {name: (lambda name=name: f"{name}-MACHINE-ID")
                                                for name in ("linux", "darwin", "win32")})
    assert machine_id.os_machine_id() == f"{platform}-MACHINE-ID"
    monkeypatch.setattr(machine_id, "READERS", {platform: lambda: "00000000-0000-0000-0000-000000000000"})
    assert machine_id.os_machine_id() is None  # a firmware that fills in none
