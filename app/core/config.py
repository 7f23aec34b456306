"""Where the app keeps its files, resolved per platform with platformdirs.

Nothing is read at import time; call the functions. Environment overrides:
LANDMARK_TAGGER_DB (the index file) and LANDMARK_TAGGER_HOME (a folder that
replaces both the data and the cache folder, handy for tests and portable installs).
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "landmark-tagger"
APP_AUTHOR = "landmark-tagger"
DB_ENV = "LANDMARK_TAGGER_DB"
HOME_ENV = "LANDMARK_TAGGER_HOME"


def data_dir() -> Path:
    """The per-user folder for the index and settings."""
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home) / "data"
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def cache_dir() -> Path:
    """The per-user cache folder (thumbnails)."""
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home) / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR))


def default_db_path() -> Path:
    """The index used when --db is not given: $LANDMARK_TAGGER_DB or the data folder."""
    override = os.environ.get(DB_ENV)
    if override:
        return Path(override)
    return data_dir() / "index.db"


def assets_dir() -> Path:
    """The repository's assets folder (the default model bundle, icons)."""
    return Path(__file__).resolve().parents[2] / "assets"
