"""Landmark tagger: scan, recognise, index and tag travel photos."""

__version__ = "0.1.0"
