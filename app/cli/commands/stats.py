"""`landmark-tagger stats`: what the index holds."""

from __future__ import annotations

from app.cli.common import add_json_flag, open_index, print_json_line


def register(subparsers) -> None:
    parser = subparsers.add_parser("stats", help="show counts: photos, RAW pairs, labels by state, errors, last scan")
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args) -> int:
    with open_index(args) as index:
        stats = index.stats()
        stats["index"] = index.path
    if args.json:
        print_json_line(stats)
        return 0
    states = stats["by_state"]
    print(f"index:      {stats['index']}")
    print(f"photos:     {stats['photos']} ({stats['files']} files, {stats['raw_pairs']} RAW+JPEG pairs)")
    print(f"labelled:   {stats['labelled']}")
    print("states:     " + ", ".join(f"{n} {state}" for state, n in states.items()))
    print(f"missing:    {stats['missing']}")
    print(f"errors:     {stats['errors']}")
    last = stats["last_scan"]
    if last:
        print(
            f"last scan:  {last['finished_at'] or last['started_at']} ({last['status']}): {last['photos']} photos, "
            f"{last['new']} new, {last['changed']} changed, {last['moved']} moved, {last['missing']} missing, "
            f"{last['errors']} errors"
        )
    else:
        print("last scan:  never (run `landmark-tagger scan FOLDER`)")
    return 0
