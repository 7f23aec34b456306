"""How model.image_detail's limits were chosen: contrast and texture of real photos
against blank frames, and what the default bundle says about those frames.

    .venv/bin/python benchmarks/blank_frames.py            # ../shared/data photos + synthetic frames

Prints, for the landmark photos and the camera JPEGs of ../shared/data (skipped when
absent) at the default bundle's input size, the lowest contrast and texture and the
photos that have them; then the same for synthetic full-size blank frames, with the
bundle's top answer before the rule (the network alone) and after it (the predictor).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.bundle import default_bundle_path, load_bundle  # noqa: E402
from model.image_detail import MIN_CONTRAST, MIN_STRUCTURE, MIN_TEXTURE, detail, featureless, structure  # noqa: E402
from model.predictor import Predictor  # noqa: E402
from model.preprocess import prepare_image  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def synthetic_frames(width: int = 3000, height: int = 2000) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    ramp = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    sky = np.concatenate([90 + 60 * ramp, 140 + 60 * ramp, 220 + 20 * ramp], axis=2)
    frames = {
        "black (lens cap), noise σ 2": rng.normal(3, 2, (height, width, 3)),
        "white (blown out)": 255 - np.abs(rng.normal(0, 2, (height, width, 3))),
        "plain blue sky gradient": sky + rng.normal(0, 2, (height, width, 3)),
        "grey, noise σ 20": 128 + rng.normal(0, 20, (height, width, 3)),
        "flat green, noise σ 5": np.array([30, 120, 40], np.float32) + rng.normal(0, 5, (height, width, 3)),
        "random noise, 640 × 480": rng.integers(0, 256, (480, 640, 3)).astype(np.float32),
    }
    return {name: np.clip(a, 0, 255).astype(np.uint8) for name, a in frames.items()}


def real_photos() -> list[Path]:
    if not (SHARED / "README.md").is_file():
        return []
    return sorted((SHARED / "landmarks").glob("*/*/*.jpg")) + sorted((SHARED / "camera").glob("jpeg*/*.jpg"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="bundle (default: the default bundle)")
    parser.add_argument("--lowest", type=int, default=6, help="how many of the lowest photos to list")
    parser.add_argument("--size", type=int, default=None,
                        help="measure the real photos at this input size instead of the bundle's")
    args = parser.parse_args(argv)
    bundle = load_bundle(args.model or default_bundle_path())
    p = bundle.preprocessing if args.size is None else replace(bundle.preprocessing, input_size=args.size)
    print(f"limits: contrast < {MIN_CONTRAST}, texture < {MIN_TEXTURE} or structure < {MIN_STRUCTURE} "
          f"at {p.input_size} px is a blank frame")
    rows = []
    for path in real_photos():
        with Image.open(path) as img:
            img.draft("RGB", (p.input_size, p.input_size))
            pixels = prepare_image(img, p)
        contrast, texture = detail(pixels)
        rows.append((float(contrast[0]), float(texture[0]), float(structure(pixels)[0]), path))
    if rows:
        contrast, texture, structured = (np.array([r[k] for r in rows]) for k in range(3))
        flagged = sum(c < MIN_CONTRAST or t < MIN_TEXTURE or s < MIN_STRUCTURE for c, t, s, _ in rows)
        print(f"\n{len(rows)} real photos: contrast min {contrast.min():.2f}, 1st percentile "
              f"{np.percentile(contrast, 1):.2f}; texture min {texture.min():.2f}, 1st percentile "
              f"{np.percentile(texture, 1):.2f}; structure min {structured.min():.2f}, 1st percentile "
              f"{np.percentile(structured, 1):.2f}; taken for blank frames: {flagged}")
        for key, name in ((0, "contrast"), (1, "texture"), (2, "structure")):
            print(f"lowest {name}:")
            for row in sorted(rows, key=lambda r: r[key])[: args.lowest]:
                print(f"  contrast {row[0]:6.2f}  texture {row[1]:5.2f}  structure {row[2]:5.2f}  "
                      f"{row[3].relative_to(SHARED)}")
    else:
        print("\n../shared/data is absent: no real photos measured")
    predictor = Predictor(bundle, threads=2)
    print("\nsynthetic frames (3000 × 2000 unless said): contrast, texture, structure, the network alone, the predictor")
    for name, frame in synthetic_frames().items():
        image = Image.fromarray(frame)
        pixels = prepare_image(image, p)
        contrast, texture = detail(pixels)
        embeddings, cosines = predictor.embed(predictor.prepare([image]))
        alone = predictor.classify(embeddings, cosines, k=1)[0][0]
        ruled = predictor.predict([image], k=1)[0][0]
        print(f"  {name:30s} {contrast[0]:6.2f} {texture[0]:5.2f} {structure(pixels)[0]:5.2f}  "
              f"{alone.label} {alone.score:.2f}  "
              f"{'blank frame, score' if featureless(pixels)[0] else ruled.label} {ruled.score:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
