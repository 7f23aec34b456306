"""Counts in words people read: "1 photo", "2 photos", "1,204 photos"."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` with `noun`, plural unless it is exactly 1, thousands separated."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
