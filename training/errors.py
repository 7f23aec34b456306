"""Errors of the training package.

`training` may not import `app`, so its errors derive from the model layer's base
class; the CLI prints their one-line message and exits with status 2.
"""

from __future__ import annotations

from model.errors import ModelError


class TrainingError(ModelError):
    """Base class of every error the training package reports to the user."""


class DownloadError(TrainingError):
    """A GLDv2 file could not be fetched or failed its md5 check."""


class DatasetError(TrainingError):
    """A dataset folder, tar shard, manifest or Kaggle file is missing or malformed."""


class ConfigError(TrainingError):
    """A training configuration file or value is invalid."""


class CheckpointError(TrainingError):
    """A checkpoint is missing, corrupt or does not match the run being resumed."""
