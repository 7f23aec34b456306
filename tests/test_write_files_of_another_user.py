"""Photos of another user (hostile-3): a rw-r--r-- file of someone else is not "read-only;
make it writable" (only its owner can chmod it), and one `write` may not read is named as
`scan` names it, with its owner, rather than a bare "Permission denied". Where the owner
cannot be told (Windows: no pwd module) the plain words stay. Tests may run as root, whom
permissions do not stop: os.access and the read are faked, and this process is made
another user than the files' owner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core import file_owner
from app.core.metadata import plan
from tests.test_cli_core import run_cli
from tests.test_write_safety_support import _library

pwd = pytest.importorskip("pwd")  # the owner's name is POSIX's


@pytest.mark.parametrize("owner_known", [True, False])
def test_write_names_the_owner_of_a_file_it_may_not_change_or_read(tmp_path, capsys, monkeypatch, owner_known):
    db, ids = _library(tmp_path, ["mine.jpg", "theirs.jpg", "unreadable.jpg"])
    theirs, unreadable = tmp_path / "theirs.jpg", tmp_path / "unreadable.jpg"
    owner = pwd.getpwuid(theirs.stat().st_uid).pw_name
    monkeypatch.setattr(file_owner, "_this_users_id", lambda: theirs.stat().st_uid + 1)  # we are someone else
    if not owner_known:
        monkeypatch.setitem(__import__("sys").modules, "pwd", None)  # as on Windows: `import pwd` fails
    real_access, real_read = os.access, plan.read_jpeg_head
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if Path(path) == theirs and mode & os.W_OK
                        else real_access(path, mode, **kw))

    def may_not_read(path, *args, **kwargs):
        if Path(path) == unreadable:
            raise PermissionError(13, "Permission denied", str(path))
        return real_read(path, *args, **kwargs)

    monkeypatch.setattr(plan, "read_jpeg_head", may_not_read)
    code, _, err = run_cli(capsys, "--db", str(db), "write")
    assert code == 1 and "write: 1 file written, 2 failed" in err, err
    if owner_known:
        assert (f"error: {theirs}: the file belongs to {owner}, another user: you may not change it "
                f"({owner} or an administrator can make it writable for you)") in err
        assert (f"error: {unreadable}: cannot read the file (Permission denied): it belongs to {owner}, another "
                "user; check its permissions") in err
        assert "make it writable for this app" not in err
    else:
        assert f"error: {theirs}: the file is read-only; make it writable for this app to change it" in err
        assert f"error: {unreadable}: cannot read the file (Permission denied); check its permissions" in err
