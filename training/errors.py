"""Errors of the training package.

`training` may not import `app`, so its errors derive from the model layer's base
class; the CLI prints their one-line message and exits with status 2.
"""

from __future__ import annotations

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
