"""Build a synthetic index of N photos for the search benchmark, straight into
SQLite (no image files): realistic folders, cameras, dates, labels and states."""

from __future__ import annotations

import random
import time
from pathlib import Path

from app.core.camera_names import camera_name
from app.core.index import PhotoIndex
from app.core.index.search_text import build_search_text, fts_row, label_key

PLACES = [
    "Paris", "Rome", "London", "Barcelona", "Nice", "Marseille", "Avignon", "Kyoto", "Istanbul",
    "Agra", "Cusco", "Petra", "Granada", "Cologne", "Beijing", "Cairo", "Lisbon", "Prague",
    "Vienna", "Venice", "Florence", "Athens", "Berlin", "Amsterdam", "Toulon", "Orange",
]
LANDMARKS = [
    "Eiffel Tower", "Colosseum", "Taj Mahal", "Alhambra", "Angkor Wat", "Chichen Itza",
    "Christ the Redeemer", "Cologne Cathedral", "Dome of the Rock", "Forbidden City",
    "Great Pyramid of Giza", "Great Wall of China", "Hagia Sophia", "Machu Picchu",
    "Palace of Versailles", "Petra", "Haleakala National Park", "Louvre", "Notre-Dame de Paris",
    "Sagrada Familia", "Big Ben", "Tower Bridge", "Trevi Fountain", "Pantheon", "Acropolis",
] + [f"Local Landmark {n:03d}" for n in range(175)]
CAMERAS = [
    ("NIKON CORPORATION", "NIKON D850"), ("NIKON CORPORATION", "NIKON D40"), ("NIKON CORPORATION", "NIKON D90"),
    ("Canon", "Canon EOS 5D Mark IV"), ("Canon", "Canon EOS R5"), ("SONY", "ILCE-7M3"),
    ("FUJIFILM", "X-T4"), ("Apple", "iPhone 13 Pro"), ("samsung", "SM-G935L"), ("Panasonic", "DMC-LX3"),
    ("OLYMPUS IMAGING CORP.", "E-M5"), ("Google", "Pixel 7"),
]
PHOTOS_PER_FOLDER = 500


def generate_index(path: Path, photos: int, seed: int = 7, batch: int = 20_000) -> float:
    """Create (replacing) an index of `photos` synthetic photos; returns seconds taken."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    rng = random.Random(seed)
    started = time.perf_counter()
    with PhotoIndex.open(path) as index:
        conn = index.conn
        conn.execute("PRAGMA synchronous = OFF")
        for start in range(1, photos + 1, batch):
            rows = [_photo(rng, n) for n in range(start, min(photos, start + batch - 1) + 1)]
            with index.transaction():
                conn.executemany(
                    "INSERT INTO photos (id, folder, stem, primary_path, taken_at, camera_make, camera_model, "
                    "orientation, width, height, gps_lat, gps_lon, has_raw, missing, added_at, updated_at, search_text) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, 1, 6000, 4000, ?, ?, ?, 0, '2024-01-01', '2024-01-01', ?)",
                    [r["photo"] for r in rows],
                )
                conn.executemany(
                    "INSERT INTO files (photo_id, path, name, ext, kind, size, mtime_ns, fingerprint, missing, "
                    "last_scan_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 1)",
                    [f for r in rows for f in r["files"]],
                )
                conn.executemany(
                    "INSERT INTO labels (photo_id, label, label_key, landmark_id, score, source, state, model_id, "
                    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'bench-model', '2024-01-01')",
                    [(r["label"][0], r["label"][1], label_key(r["label"][1]), *r["label"][2:]) for r in rows if r["label"]],
                )
                conn.executemany(
                    "INSERT INTO photos_fts (rowid, label, folder, names, camera, lens) VALUES (?, ?, ?, ?, ?, ?)",
                    [r["fts"] for r in rows],
                )
        conn.execute("ANALYZE")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return time.perf_counter() - started


def _photo(rng: random.Random, n: int) -> dict:
    folder_number = (n - 1) // PHOTOS_PER_FOLDER
    place = PLACES[folder_number % len(PLACES)]
    year = 2005 + folder_number % 20
    month = 1 + (folder_number // 20) % 12
    folder = f"/home/user/Pictures/{year}/{year}-{month:02d} {place} {folder_number}"
    stem = f"DSC_{n:07d}"
    taken = (
        f"{year}-{month:02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:"
        f"{rng.randint(0, 59):02d}.{rng.randint(0, 99):02d}+01:00"
    )
    make, model = CAMERAS[rng.randrange(len(CAMERAS))]
    has_gps = rng.random() < 0.4
    has_raw = rng.random() < 0.25
    jpeg = f"{folder}/{stem}.JPG"
    files = [(n, jpeg, f"{stem}.JPG", ".jpg", "jpeg", 4_000_000, 1_600_000_000_000_000_000 + n, f"{n:x}-j", )]
    if has_raw:
        files.append((n, f"{folder}/{stem}.NEF", f"{stem}.NEF", ".nef", "raw", 25_000_000, 1_600_000_000_000_000_000 + n, f"{n:x}-r"))
    label_row = None
    label_text = ""
    if rng.random() < 0.6:
        landmark = LANDMARKS[min(len(LANDMARKS) - 1, int(rng.paretovariate(1.2)) - 1)]
        roll = rng.random()
        state = "suggested" if roll < 0.7 else "accepted" if roll < 0.95 else "rejected"
        label_row = (n, landmark, landmark.lower().replace(" ", "_"), round(rng.uniform(0.2, 1.0), 3), "model", state)
        label_text = landmark if state != "rejected" else ""
    names = " ".join(f[2] for f in files)
    camera = f"{make} {model} {camera_name(make, model)}"
    return {
        "photo": (n, folder, stem, jpeg, taken, make, model,
                  rng.uniform(-60, 60) if has_gps else None, rng.uniform(-120, 120) if has_gps else None, int(has_raw),
                  build_search_text(label_text, folder, names, camera)),
        "files": files,
        "label": label_row,
        "fts": (n, *fts_row(label_text, folder, names, camera)),
    }
