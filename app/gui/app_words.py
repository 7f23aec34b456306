"""The core's messages in the app's words: the core speaks to the command line
("run 'scan' again, then 'write'"), and the app's user has buttons, not commands. A
command kept for a terminal (`landmark-tagger forget --missing`, after the app's action
and where it is) stays, quoted as the command line quotes it (app/cli/hints.py): with `--db` when the app runs on another index than
the default one (`landmark-tagger --db X gui`), which a terminal would not find without it."""

from __future__ import annotations

import re
from pathlib import Path

from app.cli.hints import keep_the_index

# (pattern, the app's words); tried in order, the most specific first
_IN_THE_APP = (
    (re.compile(r"run 'scan' again, then 'write'"), "read its folder again (Tag folder), then Write labels… again"),
    (re.compile(r"`landmark-tagger scan [^`]*`, then `landmark-tagger write`"),
     "read its folder again (Tag folder), then Write labels… again"),
    (re.compile(r"run 'write' again"), "Write labels… again"),
    (re.compile(r" If the library folder moved, relocate it: `landmark-tagger relocate OLD NEW`, or Locate "
                r"folder… in the app\."), " If the library folder moved, Locate folder… in its menu follows it."),
    (re.compile(r" If it is this one, relocate it: `landmark-tagger relocate [^`]*`, or Locate folder… in the app\."),
     " If it is this one, Locate folder… in its menu follows it."),
    # the app's action first, and where it is (only there); the command stays for a terminal
    (re.compile(r"forget the photo \(`landmark-tagger forget --missing`, or Forget missing photos… in the app\)"),
     "forget it (right-click Missing photos in the Library panel: Forget missing photos…; "
     "in a terminal, `landmark-tagger forget --missing`)"),
    (re.compile(r"run `landmark-tagger tag(?: FOLDER)?` first"), "tag the folders first (Tag folder)"),
    (re.compile(r"`tag --retry-failed` tries them again"), "Tag selection tries the photos chosen again"),
    (re.compile(r"`tag --retry-failed` tries it again"), "Tag selection tries it again"),
    (re.compile(r"`landmark-tagger write`"), "Write labels…"),
    # the photos' problems are in the app's Problems panel (a tag job's "labelled before from a damaged picture")
    (re.compile(r"\(`landmark-tagger stats --errors` lists them\)"), "(see Problems)"),
    # a JPEG holding an older label of ours, left alone (plan_jpeg_hold): Write labels… has no
    # "into JPEGs" choice of its own, and Settings' would write every JPEG from then on
    # (the command up to its "` updates": a path may hold a backtick)
    (re.compile(r"and JPEGs are left untouched \(Settings or --no-jpeg\): (?:in (PowerShell), )?"
                r"(`landmark-tagger write --jpeg .+?`) (updates|takes it out of) this photo alone"),
     lambda said: (f"and Settings leave JPEGs untouched (for every photo Write labels… writes): in "
                   f"{said[1] or 'a terminal'}, {said[2]} {said[3]} this photo alone")),
    (re.compile(r"`landmark-tagger forget` one of the two first"),
     "take one of the two out of the library first (Remove from library… in its menu)"),
    (re.compile(r"; pass one with --model PATH\.ltbundle \(`landmark-tagger models` lists the bundles it knows\)"),
     "; choose a model bundle in Settings"),
    (re.compile(r"; check the path or run `landmark-tagger models`"), "; check the path, or choose a model bundle in Settings"),
    (re.compile(r" is not a zip file; it is corrupt or not a bundle"),
     " is not a Landmark Tagger model (a file of another kind, or a damaged one)"),
    # the app's user may never see the docs: the why in a few words (app.core.metadata.hard_links)
    (re.compile(r' \(see "Hard links" in docs/guide/writing-labels\.md\)'), " (a write saves a new file under the name it writes; "
     "nothing is lost)"),
    # the command line names the files on stderr before its summary; the app lists them in Problems
    (re.compile(r"\bnamed above\b"), "listed in Problems"),
    (re.compile(r"write with --sidecar-naming stem"),
     "choose “New sidecar names: DSC_0001.xmp” in Settings and Write labels… again"),
    (re.compile(r"write with --sidecar-naming ext \(one sidecar a file\) instead"),
     "choose “New sidecar names: DSC_0001.NEF.xmp” in Settings instead (one sidecar a file)"),
)


def in_app_words(text: str, index_named: str | None = None) -> str:
    """`text` with the command-line steps it names replaced by the app's actions, and
    the commands left quoted with `--db index_named` (see index_named_in_commands)."""
    for pattern, words in _IN_THE_APP:
        text = pattern.sub(words, text)
    return keep_the_index(text, index_named)


def index_named_in_commands(db_path: Path | str) -> str | None:
    """The `--db` the commands the app's messages quote carry: the app's index, or None
    for the default one (or $LANDMARK_TAGGER_DB's), which a command finds without it."""
    from app.core.config import default_db_path

    if str(db_path) == ":memory:":
        return None
    path = Path(db_path).expanduser().absolute()
    default = Path(default_db_path()).expanduser().absolute()
    try:
        same = path == default or path.resolve() == default.resolve()
    except (OSError, RuntimeError):  # a link loop: compared as written
        same = False
    return None if same else str(path)


# a file that is no model bundle at all (a photo renamed, another program's file)
NOT_A_MODEL = re.compile(r"not a zip file|has no manifest\.json|not a landmark-tagger bundle")

# (pattern in a model bundle's error, what is wrong in the app's words); the first match wins
_MODEL_PROBLEMS = (
    (re.compile(r"no default model bundle"), "no model is installed"),
    (re.compile(r"does not exist"), "the model file is missing"),
    (NOT_A_MODEL, "the model file is not a Landmark Tagger model"),
    (re.compile(r"format version"), "the model file is for another version of the app"),
)


def model_problem(error: str) -> str:
    """What is wrong with the chosen model, short enough for the end of a status line
    ("the model file is missing"); the path and the details stay in Settings."""
    for pattern, words in _MODEL_PROBLEMS:
        if pattern.search(error):
            return words
    return "the model file cannot be read"
