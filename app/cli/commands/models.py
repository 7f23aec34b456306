"""`landmark-tagger models`: list the model bundles the app knows, marking the one in use
(the app's Settings' choice, else the default: what `tag` without --model uses).

Looks in the repository's assets/ folder and the user data folder's models/; a bundle
that fails its checks is listed with the reason instead of being hidden.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.core.bundle_choices import bundle_folders, check_bundle
from app.core.wording import counted


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "models",
        help="list the model bundles (the one in use marked with *)",
        description=(
            "List the model bundles in the app's assets folder and in the user data "
            "folder's models/ folder: name, id, number of classes and input size. "
            "The bundle used when --model is not given (the one chosen in the app's Settings, else the "
            "default) is marked with '*'; "
            "a corrupt bundle is listed with its error."
        ),
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object per bundle")
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="extra bundle files or folders to check as well",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from model.bundle import default_bundle_path
    from model.bundle_listing import find_bundles

    from app.core.model_choice import model_choice

    choice = model_choice()
    in_use = (choice.model or default_bundle_path()).expanduser().absolute()
    paths = find_bundles(bundle_folders())
    known = {p.resolve() for p in paths}
    if choice.model is not None and in_use.resolve() not in known:  # chosen in Settings elsewhere: listed too
        known.add(in_use.resolve())
        paths.append(in_use)  # one not there is listed with its error
    for extra in getattr(args, "paths", None) or []:
        extra_path = Path(extra).expanduser().absolute()  # as every other path field: absolute
        if extra_path.is_dir() and not (extra_path / "bundle.json").is_file():
            candidates = find_bundles([extra_path])
        else:
            candidates = [extra_path]
        for candidate in candidates:
            if candidate.resolve() not in known:
                known.add(candidate.resolve())
                paths.append(candidate)
    infos = [check_bundle(path) for path in paths]  # a broken bundle is listed with its error
    used = [info.path.resolve() == in_use.resolve() for info in infos]
    broken = sum(1 for info in infos if info.error)
    if args.json:
        for info, is_used in zip(infos, used):
            print(json.dumps({**info.to_json(), "in_use": is_used}, ensure_ascii=False))
    else:
        _print_table(infos, used)
    if choice.line():
        print(choice.line().replace(" (--model/--threshold to use others)", ""), file=sys.stderr)
    if choice.model is None and not any(info.is_default for info in infos):
        print(f"note: the default bundle {default_bundle_path()} is not installed", file=sys.stderr)
    if infos:
        print(f"{counted(len(infos), 'bundle')}, {broken} unusable", file=sys.stderr)
    else:
        folders = ", ".join(str(folder) for folder in bundle_folders())
        print(f"no model bundles found in {folders}", file=sys.stderr)
    return 1 if broken else 0


def _print_table(infos, used: list[bool]) -> None:
    rows = [("", "NAME", "ID", "CLASSES", "INPUT", "PATH")]
    for info, is_used in zip(infos, used):
        mark = "*" if is_used else ""
        if info.error:
            rows.append((mark, "(unusable)", "-", "-", "-", str(info.path)))
        else:
            rows.append(
                (mark, info.name or "", info.id or "", str(info.num_classes), f"{info.input_size}px", str(info.path))
            )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1])
    for info in infos:
        if info.error:
            print(f"error: {info.error}")
