"""Where each landmark is, and what a photo's GPS position says about it.

A landmark cannot be in a photo taken thousands of kilometres away, whatever the
pixels look like: a church in Arezzo that resembles the Palais des Papes is not the
Palais des Papes if the camera recorded Arezzo. A bundle may give each class a place
(centre and radius, `labels.json`); a photo with a GPS position farther than the
radius from a landmark keeps only FAR_FACTOR of that landmark's score. The factor is
small rather than zero because positions can be wrong (a stale fix, a clock-synced
track log off by a flight), and the scores are not renormalised: the share a far
landmark loses goes to "no landmark", not to the next-best class.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from model.errors import BundleError

FAR_FACTOR = 0.01
EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Place:
    """A landmark's centre (degrees) and how far from it (km) a photo of it may be taken."""

    lat: float
    lon: float
    radius_km: float

    def __post_init__(self) -> None:
        if not (-90.0 <= self.lat <= 90.0 and -180.0 <= self.lon <= 180.0):
            raise ValueError(f"latitude {self.lat}, longitude {self.lon} is not a position on Earth")
        if not self.radius_km > 0:
            raise ValueError(f"radius {self.radius_km} km must be positive")

    def to_dict(self) -> dict[str, float]:
        return {"lat": self.lat, "lon": self.lon, "radius_km": self.radius_km}

    @classmethod
    def from_dict(cls, data: dict) -> "Place":
        return cls(float(data["lat"]), float(data["lon"]), float(data["radius_km"]))


def distances_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle distances (haversine) from one position to many."""
    phi1, phi2 = np.radians(lat), np.radians(lats)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = np.radians(lons - lon) / 2
    a = np.sin(half_dphi) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def location_factors(
    places: Sequence[Place | None], positions: Sequence[tuple[float, float] | None]
) -> np.ndarray | None:
    """[N, C] score factors: FAR_FACTOR where photo n was taken outside landmark c's
    radius, else 1 (no GPS position, or a landmark without a place). None when no
    factor differs from 1, so callers can skip the multiplication."""
    known = [c for c, place in enumerate(places) if place is not None]
    located = [n for n, position in enumerate(positions) if position is not None]
    if not known or not located:
        return None
    lats = np.array([places[c].lat for c in known])
    lons = np.array([places[c].lon for c in known])
    radii = np.array([places[c].radius_km for c in known])
    factors = np.ones((len(positions), len(places)), dtype=np.float32)
    for n in located:
        lat, lon = positions[n]
        far = distances_km(lat, lon, lats, lons) > radii
        factors[n, np.asarray(known)[far]] = FAR_FACTOR
    return None if bool((factors == 1.0).all()) else factors


def apply_factors(probabilities: np.ndarray, factors: np.ndarray | None) -> np.ndarray:
    """Scale the first C columns (the built-in classes) of [N, C + T] scores in place;
    taught labels (the columns after) have no place and keep theirs."""
    if factors is not None:
        probabilities[:, : factors.shape[1]] *= factors
    return probabilities


def read_places_csv(path: str | Path) -> dict[str, Place]:
    """name,lat,lon,radius_km rows (a header line first) → {landmark name: Place}."""
    path = Path(path)
    places: dict[str, Place] = {}
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                try:
                    places[row["name"]] = Place(float(row["lat"]), float(row["lon"]), float(row["radius_km"]))
                except (KeyError, TypeError, ValueError) as error:
                    raise BundleError(f"{path}, line {line}: expected name,lat,lon,radius_km ({error})") from error
    except OSError as error:
        raise BundleError(f"cannot read the landmark places {path}: {error.strerror or error}") from error
    return places
