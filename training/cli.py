"""`landmark-train`: one subcommand per step — download, prepare, train, evaluate,
export. Each parses its arguments, calls one library function, and turns a
TrainingError/ModelError into one line on stderr and exit status 2 (1 when some
files failed but the rest was done; 141, quietly, when the reader of stdout went away; 74
when stdout could not be written, a full disk or closed, and the step's work is done)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from model.console import EXIT_BROKEN_PIPE, at_least_one, count, silence_stdout, threshold_figure
from model.errors import ModelError
from model.version import add_version_option


def _progress_printer(label: str):
    """A (done, total) callback drawing a tqdm bar on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar = tqdm(total=0, desc=label, file=sys.stderr, leave=False)

    def report(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return report


# ------------------------------------------------------------------ download


def run_download(args) -> int:
    from training.download import DownloadConfig, download_gldv2

    first, _, last = args.shards.partition("-")
    try:
        first_i, last_i = int(first), int(last or first)
    except ValueError:
        print(f"--shards {args.shards!r} must look like 0-9 or 5", file=sys.stderr)
        return 2
    config = DownloadConfig(
        out_dir=Path(args.out), base_url=args.base_url, first_shard=first_i, last_shard=last_i,
        metadata=not args.no_metadata, workers=args.workers, retries=args.retries,
    )
    summary = download_gldv2(
        config,
        on_file=lambda r: print(f"{r.status:10} {r.path}", file=sys.stderr, flush=True),
        on_failure=lambda name, problem: print(f"failed     {name}: {problem}", file=sys.stderr, flush=True),
    )
    print(f"{len(summary.files)} files ready, {len(summary.failed)} failed, in {args.out}", file=sys.stderr)
    return 0 if summary.ok else 1


def add_download(sub) -> None:
    from training.download import DEFAULT_BASE_URL

    p = sub.add_parser(
        "download", help="fetch GLDv2 metadata and image shards (parallel, resumable, md5-verified)",
        description="Download GLDv2's train.csv, train_clean.csv, train_label_to_category.csv and the "
        "images_NNN.tar shards with their md5 lists. Run it again to resume.",
    )
    p.add_argument("--out", required=True, help="folder that receives the official layout")
    p.add_argument("--shards", default="0-0", help="shard range FIRST-LAST, inclusive (GLDv2: 0-499); default 0-0")
    p.add_argument("--base-url", default=DEFAULT_BASE_URL, help=f"server root (default {DEFAULT_BASE_URL})")
    p.add_argument("--workers", type=at_least_one, default=4, help="parallel downloads (default 4)")
    p.add_argument("--retries", type=count, default=3, help="extra attempts per file (default 3)")
    p.add_argument("--no-metadata", action="store_true", help="skip the metadata CSVs")
    p.set_defaults(handler=run_download)


# ------------------------------------------------------------------ prepare


def run_prepare(args) -> int:
    from training.prepare import PrepareConfig, prepare_dataset

    config = PrepareConfig(
        source=Path(args.source), out_dir=Path(args.out), cache_size=args.size, min_images=args.min_images,
        max_images_per_class=args.max_per_class, val_fraction=args.val_fraction, seed=args.seed,
        workers=args.workers, clean=not args.all_labels,
    )
    summary = prepare_dataset(config, progress=_progress_printer("resizing"))
    for source, problem in list(summary.errors.items())[:20]:
        print(f"skipped {source}: {problem}", file=sys.stderr)
    if summary.duplicates:
        print(f"{summary.duplicates} images listed twice (one id in two shards) were prepared once, "
              "from the first shard", file=sys.stderr)
    for merged in summary.merged:
        print(f"note: {merged.describe()}", file=sys.stderr)
    for note in summary.notes:
        print(f"note: {note}", file=sys.stderr)
    print(
        f"{summary.classes} {'class' if summary.classes == 1 else 'classes'} ({summary.dropped_classes} dropped), {summary.train_images} train / "
        f"{summary.val_images} val images; {summary.resized} resized, {summary.reused} reused, "
        f"{len(summary.errors)} unreadable; manifest {summary.manifest_path}",
        file=sys.stderr,
    )
    return 1 if summary.errors else 0


def add_prepare(sub) -> None:
    p = sub.add_parser(
        "prepare", help="filter, split 80/20 and resize a dataset into a cache with a manifest",
        description="Read a GLDv2 mirror (tar shards, read in place) or any folder-per-class dataset, "
        "drop rare classes, split each class 80/20 (seeded), resize in parallel and write manifest.json.",
    )
    p.add_argument("source", help="GLDv2 mirror (with metadata/ and train/) or a folder with one sub-folder per class")
    p.add_argument("--out", required=True, help="folder for the cache and manifest")
    p.add_argument("--size", type=int, default=128, help="shorter side of cached images in px (default 128)")
    p.add_argument("--min-images", type=int, default=1, help="drop classes with fewer images (report: 250)")
    p.add_argument("--max-per-class", type=int, default=None, help="cap images per class (seeded sample)")
    p.add_argument("--val-fraction", type=float, default=0.2, help="validation share per class (default 0.2)")
    p.add_argument("--seed", type=int, default=0, help="split seed (default 0)")
    p.add_argument("--workers", type=count, default=0,
                   help="resize processes (default: one per core; at most 61 on Windows)")
    p.add_argument("--all-labels", action="store_true", help="GLDv2: use train.csv instead of train_clean.csv")
    p.set_defaults(handler=run_prepare)


# ------------------------------------------------------------------ train


def run_train(args) -> int:
    from training.config import TrainConfig, load_config, parse_override, with_overrides
    from training.datasets import load_manifest

    overrides = dict(parse_override(text) for text in args.set)
    if args.manifest:
        overrides["data.manifest"] = args.manifest
    if args.run_dir:
        overrides["run_dir"] = args.run_dir
    config = load_config(Path(args.config), overrides) if args.config else with_overrides(TrainConfig(), overrides)
    config.validate()
    load_manifest(Path(config.data.manifest))  # fail fast, before torch is imported
    if args.processes < 1:
        print(f"--processes {args.processes} must be at least 1", file=sys.stderr)
        return 2
    from training.distributed import env_world_size
    from training.train import check_run_folder

    if env_world_size() <= 1:  # under torchrun, rank 0 checks it for all ranks (see train)
        check_run_folder(config, resume=args.resume, overwrite=args.overwrite)
    if args.processes > 1:
        from training.launch import train_on_local_processes

        train_on_local_processes(config, args.processes, resume=args.resume, overwrite=args.overwrite)
        print(f"done; see {config.run_dir}", file=sys.stderr)
        return 0
    from training.train import train

    result = train(config, resume=args.resume, overwrite=args.overwrite)
    if result.final_metrics is not None:
        m = result.final_metrics
        print(f"epoch {result.epochs_done}: val μAP {m.gap:.4f}, accuracy {m.accuracy:.4f}", file=sys.stderr)
    from training.distributed import env_rank

    if env_rank() == 0:  # under torchrun only rank 0 writes checkpoints, and only it says where
        print(f"checkpoints in {result.last_checkpoint.parent}", file=sys.stderr)
    return 0


def add_train(sub) -> None:
    p = sub.add_parser(
        "train", help="train a landmark network from a prepared manifest (CPU, GPU, or torchrun/SLURM)",
        description="Train with a TOML/JSON config (see training/README.md). Under torchrun every process "
        "runs this same command. The resolved config is saved in the run folder as config.json.",
    )
    p.add_argument("--config", help="TOML or JSON config file")
    p.add_argument("--manifest", help="prepared dataset folder (overrides data.manifest)")
    p.add_argument("--run-dir", help="output folder (overrides run_dir)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a setting, e.g. --set optim.lr=0.05 --set loss.name=cosface")
    p.add_argument("--resume", action="store_true", help="continue from run_dir/checkpoints/last.pt when it exists")
    p.add_argument("--overwrite", action="store_true",
                   help="start afresh in a run_dir that holds an earlier run, replacing its checkpoints, metrics, "
                   "plots and TensorBoard events")
    p.add_argument("--processes", type=int, default=1, help="DDP over N local CPU processes (Gloo) without torchrun")
    p.set_defaults(handler=run_train)


# ------------------------------------------------------------------ evaluate


def run_evaluate(args) -> int:
    from training.evaluate import evaluate_bundle, evaluate_kaggle, format_report, write_confusion_plot

    if args.predictions or args.solution:
        if not (args.predictions and args.solution):
            print("--predictions and --solution go together", file=sys.stderr)
            return 2
        evaluation = evaluate_kaggle(Path(args.predictions), Path(args.solution), args.usage)
    elif args.model:
        evaluation = evaluate_bundle(
            Path(args.model), data_dir=Path(args.data) if args.data else None,
            manifest=Path(args.manifest) if args.manifest else None, split=args.split,
            threshold=args.threshold, threads=args.threads, progress=_progress_printer("evaluating"),
        )
    else:
        print("give --model BUNDLE with --data DIR or --manifest DIR, or --predictions and --solution", file=sys.stderr)
        return 2
    for warning in evaluation.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for path, problem in list(evaluation.errors.items())[:20]:
        print(f"skipped {path}: {problem}", file=sys.stderr)
    if len(evaluation.errors) > 20:
        print(f"… and {len(evaluation.errors) - 20} more unreadable photos", file=sys.stderr)
    if args.plot:
        write_confusion_plot(evaluation, Path(args.plot))
    if args.json:
        print(json.dumps(evaluation.to_json(), ensure_ascii=False))
        if evaluation.files_line():  # the report's line on what was read, for a reader of the terminal
            print(evaluation.files_line(), file=sys.stderr)
    else:
        print(format_report(evaluation))
    if evaluation.errors:
        print(f"{len(evaluation.errors)} unreadable photo(s) skipped", file=sys.stderr)
    return 1 if evaluation.errors else 0


def add_evaluate(sub) -> None:
    p = sub.add_parser(
        "evaluate", help="μAP (Kaggle GAP), accuracy and per-class figures of a bundle or of Kaggle files",
        description="Score a model bundle on a folder per class (unknown folders are non-landmark queries) "
        "or on a prepared split, or score Kaggle predictions (id,landmarks) against a solution (id,landmarks,Usage).",
    )
    p.add_argument("--model", help="model bundle (.ltbundle)")
    p.add_argument("--data", help="folder with one sub-folder per class")
    p.add_argument("--manifest", help="prepared dataset folder (use with --split)")
    p.add_argument("--split", default="val", help="split of the manifest to score (default val)")
    p.add_argument("--threshold", type=threshold_figure, default=None, help="abstain when the top score is below this")
    p.add_argument("--threads", type=int, default=None, help="ONNX Runtime threads")
    p.add_argument("--predictions", help="Kaggle submission CSV: id,landmarks ('landmark score')")
    p.add_argument("--solution", help="Kaggle solution CSV: id,landmarks,Usage")
    p.add_argument("--usage", default=None, help="only solution rows with this Usage (Public or Private)")
    p.add_argument("--plot", help="write a confusion-matrix PNG here")
    p.add_argument("--json", action="store_true", help="print one JSON object (gap, accuracy, per_class, …)")
    p.set_defaults(handler=run_evaluate)


# ------------------------------------------------------------------ export


def run_export(args) -> int:
    from training.export import ExportOptions, export_checkpoint

    options = ExportOptions(
        name=args.name, threshold=args.threshold, temperature=args.temperature, as_folder=args.folder,
        places_csv=Path(args.places) if args.places else None,
    )
    bundle = export_checkpoint(Path(args.checkpoint), Path(args.out), options)
    training = bundle.extra.get("training") or {}
    planned, trained = training.get("epochs_planned"), training.get("epochs_trained")
    if planned and trained is not None and trained < planned:
        print(f"note: {args.checkpoint} is epoch {training.get('epoch')} of a run that stopped after {trained} of "
              f"its {planned} epochs (unfinished; `train --resume` finishes it)", file=sys.stderr)
    print(f"bundle {args.out}: {bundle.num_classes} classes, id {bundle.id}", file=sys.stderr)
    return 0


def _with_places(bundle, places_csv: Path, out: Path, as_folder: bool = False):
    from model.bundle import labels_with_places
    from model.bundle_writer import resave_bundle
    from model.places import read_places_csv

    labels = labels_with_places(bundle.labels, read_places_csv(places_csv))
    return resave_bundle(bundle, out, labels=labels, as_folder=as_folder)


def run_places(args) -> int:
    from model.bundle import load_bundle

    source = Path(args.bundle)
    out = Path(args.out) if args.out else source
    bundle = _with_places(load_bundle(source), Path(args.csv), out, as_folder=source.is_dir() and out == source)
    located = sum(place is not None for place in bundle.places())
    print(f"bundle {out}: {located} of {bundle.num_classes} landmarks have a place, id {bundle.id}", file=sys.stderr)
    return 0


def add_places(sub) -> None:
    p = sub.add_parser(
        "places", help="say where a bundle's landmarks are, so photos with GPS taken far away are not labelled with them",
        description="Give a bundle's landmarks a place (a CSV of name,lat,lon,radius_km): the app then keeps only "
        "1% of a landmark's score for a photo whose GPS position is farther than the radius from it. "
        "Everything else in the bundle is unchanged; its id changes.",
    )
    p.add_argument("bundle", help="the bundle (.ltbundle or folder)")
    p.add_argument("csv", help="name,lat,lon,radius_km rows after a header line; names as in the bundle")
    p.add_argument("--out", help="write a new bundle here (default: replace the given one, atomically)")
    p.set_defaults(handler=run_places)


def add_export(sub) -> None:
    p = sub.add_parser(
        "export", help="turn a checkpoint into the app's model bundle (ONNX checked against torch)",
        description="Export a checkpoint (.pt, or a run folder: its best.pt) to a .ltbundle with labels, "
        "preprocessing and a model card.",
    )
    p.add_argument("checkpoint", help="checkpoint file or run folder")
    p.add_argument("--out", required=True, help="bundle path, e.g. my-model.ltbundle")
    p.add_argument("--name", help="bundle name (default: file stem)")
    p.add_argument("--threshold", type=threshold_figure, default=0.5,
                   help="'no landmark' threshold on the top score (default 0.5)")
    p.add_argument("--temperature", type=float, default=1.0, help="calibration temperature (default 1.0)")
    p.add_argument("--folder", action="store_true", help="write a folder instead of a zip file")
    p.add_argument("--places", help="CSV of name,lat,lon,radius_km: where each landmark is (see `places`)")
    p.set_defaults(handler=run_export)


# ------------------------------------------------------------------ main

COMMANDS = (add_download, add_prepare, add_train, add_evaluate, add_export, add_places)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="landmark-train",
        description="Train landmark recognisers: download GLDv2, prepare a dataset, train, evaluate, export a bundle.",
    )
    add_version_option(parser)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one step; a stdout that cannot be written (`evaluate --json > log` on a full
    disk, `>&-`) does not stop it: one line says so at the end, exit 74 (model.console)."""
    from model.console import code_of_parser_exit, lost_output_code, output_guarded

    if argv is None:  # this process's own command line: file names read as UTF-8 (model.utf8_mode)
        from model.utf8_mode import run_in_utf8_mode

        run_in_utf8_mode("landmark-train")
    with output_guarded() as output:
        try:
            code = _run(argv)
        except BrokenPipeError:  # the reader gone while argparse printed (`--version | true`)
            silence_stdout()
            return EXIT_BROKEN_PIPE
        except SystemExit as stop:  # argparse's --help, --version, a usage error
            return code_of_parser_exit("landmark-train", output, stop)
        return lost_output_code("landmark-train", output, code)


def _run(argv: list[str] | None) -> int:
    from model.console import make_stdout_safe

    make_stdout_safe()  # a report redirected on Windows ("μAP" in cp1252) must not fail at the end
    args = build_parser().parse_args(argv)
    try:
        code = int(args.handler(args))
        sys.stdout.flush()  # a reader gone away is found here, not as "Exception ignored" at exit
        return code
    except BrokenPipeError:  # `… | head`, a pager quit: stop quietly, as landmark-tagger does
        silence_stdout()
        return EXIT_BROKEN_PIPE
    except ModelError as exc:  # TrainingError derives from it
        print(f"landmark-train {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"landmark-train {args.command}: interrupted; run it again (train: with --resume) to go on", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
