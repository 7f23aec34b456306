"""Errors of the training package.

`training` may not import `app`, so its errors derive from the model layer's base
class; the CLI prints their one-line message and exits with status 2.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager

from model.errors import ModelError


class TrainingError(ModelError):
    """Base class of every error the training package reports to the user.

    torch's DataLoader re-raises an error of one of its worker processes as the same
    class built from a text of "Caught …", the worker's traceback and, last, the
    original "module.Class: message" line; that line's message is kept, so the CLI
    still prints one line (e.g. a damaged cached image)."""

    def __init__(self, message: object = "", *args: object) -> None:
        super().__init__(_message_of_worker(message), *args)


_WORKER_TEXT = "\nOriginal Traceback (most recent call last):"


def _message_of_worker(message: object) -> object:
    if not (isinstance(message, str) and message.startswith("Caught ") and _WORKER_TEXT in message):
        return message
    last = message.rstrip().rsplit("\n", 1)[-1]
    _name, separator, original = last.partition(": ")
    return original if separator else message


class DownloadError(TrainingError):
    """A GLDv2 file could not be fetched or failed its md5 check."""


class ServerUnreachableError(DownloadError):
    """The server could not even be connected to (no network, a wrong host or port)."""


class DatasetError(TrainingError):
    """A dataset folder, tar shard, manifest or Kaggle file is missing or malformed."""


class ConfigError(TrainingError):
    """A training configuration file or value is invalid."""


class CheckpointError(TrainingError):
    """A checkpoint is missing, corrupt or does not match the run being resumed."""


class OutputWriteError(TrainingError):
    """A command could not write its own output: a full disk or quota, a read-only
    folder, no permission, a file where a folder should be. It stops the command, as
    it is no fault of the data: an image left out for it would change the dataset."""


_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_NOT_ALLOWED = {errno.EROFS, errno.EACCES, errno.EPERM}
_IN_THE_WAY = {errno.ENOTDIR, errno.EEXIST}


def cannot_write(path: object, error: OSError, option: str = "--out") -> OutputWriteError:
    """The one-line error for `error`, raised while writing `path` (under `option`):
    the path, the system's reason and what to do."""
    reason = (error.strerror or str(error) or type(error).__name__).rstrip(".")
    reason = reason[:1].lower() + reason[1:]
    if error.errno in _FULL:
        advice = f"free some space there or give another {option}, then run it again"
    elif error.errno in _NOT_ALLOWED:
        advice = f"give {option} a folder you can write to"
    elif error.errno in _IN_THE_WAY:
        path = error.filename or path  # the folder that cannot be made, not a file to go in it
        advice = f"a file stands where a folder should be; move it or give another {option}"
    elif error.errno == errno.EISDIR:
        advice = f"a folder stands where a file should be; move it or give another {option}"
    else:
        advice = "check the disk, then run it again"
    return OutputWriteError(f"cannot write {path}: {reason}; {advice}")


@contextmanager
def writing(path: object, option: str = "--out") -> Iterator[None]:
    """Turn an OSError raised inside the block into cannot_write(path, …)."""
    try:
        yield
    except OSError as exc:
        raise cannot_write(path, exc, option) from exc
