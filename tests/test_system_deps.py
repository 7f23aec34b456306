"""scripts/system-deps.sh (run by `make test`, and by `make run` with a display) installs
what is missing with sudo apt-get, and nothing when all is there. It reads the library
cache with ldconfig, which lives in /sbin: not on a normal user's PATH on Debian, where
every library then looked missing and each `make test` ran sudo apt-get update/install.
apt-get, sudo and id are fakes that record their calls; nothing is installed."""
import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "system-deps.sh"
DEBIAN_USER_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games"  # /etc/profile's, without /sbin
ROOT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@pytest.fixture
def fake_tools(tmp_path) -> Path:
    """A folder of stand-ins for sudo and apt-get that say they were called, and an id
    that answers as a normal user's (uid 1000)."""
    folder = tmp_path / "fakebin"
    folder.mkdir()
    for name in ("sudo", "apt-get"):
        (folder / name).write_text(f'#!/bin/sh\necho "FAKE {name} $*" >&2\n')
    (folder / "id").write_text('#!/bin/sh\nif [ "$1" = "-u" ]; then echo 1000; else exec /usr/bin/id "$@"; fi\n')
    for tool in folder.iterdir():
        tool.chmod(0o755)
    return folder


def _run(fake_tools: Path, path: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{fake_tools}:{path}"}
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)


def _skip_unless_all_installed(fake_tools: Path) -> None:
    with_sbin = _run(fake_tools, ROOT_PATH)
    if "installing" in with_sbin.stderr or with_sbin.returncode != 0:
        pytest.skip(f"some of the packages really are missing here: {with_sbin.stderr.strip()}")


def test_nothing_is_installed_for_a_user_without_sbin_on_path(fake_tools):
    _skip_unless_all_installed(fake_tools)
    as_user = _run(fake_tools, DEBIAN_USER_PATH)
    assert as_user.returncode == 0, as_user.stderr
    assert "FAKE" not in as_user.stderr and "installing" not in as_user.stderr, as_user.stderr


def test_without_a_library_cache_dpkg_says_what_is_installed(fake_tools):
    """An ldconfig that lists nothing (no cache): dpkg's list of packages decides."""
    _skip_unless_all_installed(fake_tools)
    if not Path("/usr/bin/dpkg-query").exists():
        pytest.skip("no dpkg here")
    (fake_tools / "ldconfig").write_text("#!/bin/sh\nexit 0\n")
    (fake_tools / "ldconfig").chmod(0o755)
    result = _run(fake_tools, DEBIAN_USER_PATH)
    assert result.returncode == 0, result.stderr
    assert "FAKE" not in result.stderr, result.stderr
