"""The name of the camera a photo was taken with, as the app shows it: one rule for the
index (the CLI's result line, `search --json`, the detail pane) and for the words of a
read error, so a camera is never named two ways."""

from __future__ import annotations


def camera_name(make: str | None, model: str | None) -> str | None:
    """"NIKON CORPORATION" + "NIKON D40" -> "Nikon D40": the make is shortened to its
    first word, taken off the model that starts with it as a word of its own, and left
    out where the model's own name starts with it ("OM Digital Solutions" + "OM-1" ->
    "OM-1"); a model that merely starts with its letters keeps both ("Canon" +
    "Canonet QL17" -> "Canon Canonet QL17")."""
    make = (make or "").strip()
    model = (model or "").strip()
    if not make and not model:
        return None
    brand = make.split()[0] if make else ""
    if brand and model.lower().startswith(brand.lower()):
        rest = model[len(brand):]
        if not rest or rest[0].isspace():
            model = rest.strip()
        elif not rest[0].isalpha():
            brand = ""
    if brand.isupper() and len(brand) > 3:
        brand = brand.capitalize()
    return " ".join(part for part in (brand, model) if part) or None
