"""The core's messages in the app's words: the core speaks to the command line
("run 'scan' again, then 'write'"), and the app's user has buttons, not commands."""

from __future__ import annotations

import re

# (pattern, the app's words); tried in order, the most specific first
_IN_THE_APP = (
    (re.compile(r"run 'scan' again, then 'write'"), "read its folder again (Tag folder), then Write labels… again"),
    (re.compile(r"run 'write' again"), "Write labels… again"),
    (re.compile(r" If the library folder moved, relocate it: `landmark-tagger relocate OLD NEW`, or Locate "
                r"folder… in the app\."), " If the library folder moved, Locate folder… in its menu follows it."),
    (re.compile(r"run `landmark-tagger tag(?: FOLDER)?` first"), "tag the folders first (Tag folder)"),
    (re.compile(r"`landmark-tagger write`"), "Write labels…"),
    (re.compile(r"`landmark-tagger forget` one of the two first"),
     "take one of the two out of the library first (Remove from library… in its menu)"),
    (re.compile(r"; pass one with --model PATH\.ltbundle \(`landmark-tagger models` lists the bundles it knows\)"),
     "; choose a model bundle in Settings"),
    (re.compile(r"; check the path or run `landmark-tagger models`"), "; check the path, or choose a model bundle in Settings"),
    (re.compile(r"write with --sidecar-naming stem"),
     "choose “New sidecar names: DSC_0001.xmp” in Settings and Write labels… again"),
    (re.compile(r"write with --sidecar-naming ext \(one sidecar a file\) instead"),
     "choose “New sidecar names: DSC_0001.NEF.xmp” in Settings instead (one sidecar a file)"),
)


def in_app_words(text: str) -> str:
    """`text` with the command-line steps it names replaced by the app's actions."""
    for pattern, words in _IN_THE_APP:
        text = pattern.sub(words, text)
    return text
