"""The status line at the end of a tagging run, in the app's words: the core's summary is the
command line's (every count, the time and rate, a closing "; cancelled, the rest is left for
the next run"), and the app's status bar said it whole after its own "cancelled —", so a
stopped run read "cancelled" twice, "0 without a landmark", "(see Problems) in 2.3 s"."""

from __future__ import annotations

import re

from app.core.wording import counted
from app.gui.app_words import in_app_words

# the lead of the core's words for what resumes a stopped retag: the app's line says it already
_STOPPED_LEAD = re.compile(r"^; cancelled(?: after [\d,]+ of [\d,]+ photos)?[:,] ")
CANCELLING_TAG_TEXT = "Cancelling: finishing the photos in progress…"


def tagged_words(summary) -> str:
    """ "tagged 3 photos", or for a stopped run "tagged 16 of 17 photos, 1 left for next
    time" (the photos already being read when Cancel came are finished, so more are tagged
    than the bar showed at the press)."""
    if not summary.cancelled or not summary.selected:
        return f"tagged {counted(summary.tagged, 'photo')}"
    left = max(summary.selected - summary.tagged - summary.errors, 0)
    words = f"tagged {summary.tagged:,} of {counted(summary.selected, 'photo')}"
    if left and summary.retag_left is None and not summary.retag and not summary.retry_failed:
        words += f", {left:,} left for next time"
    return words


def problem_parts(summary) -> list[str]:
    """The photos and files the run could not read whole, each said once; the last one
    ends with "(see Problems)", where the panel lists them all."""
    parts = []
    if summary.damaged:
        parts.append(f"{counted(summary.damaged, 'damaged photo')} labelled from the part that could be read")
    if summary.damaged_before:
        parts.append(f"{counted(summary.damaged_before, 'unchanged photo')} labelled before from a damaged picture")
    if summary.errors:
        parts.append(f"{summary.errors:,} failed")
    if summary.unscanned:
        parts.append(f"{counted(summary.unscanned, 'file')} could not be read")
    if parts:
        parts[-1] += " (see Problems)"
    if summary.failed_before:  # its own way out (Tag selection tries them again), not the panel's
        parts.append(in_app_words(f"{counted(summary.failed_before, 'unchanged photo')} that could not be "
                                  "decoded skipped (`tag --retry-failed` tries them again)"))
    return parts


def tag_counts_line(summary) -> str:
    """A tagging run's summary without its zero counts, time or rate (the job bar showed
    the rate while it ran): what was tagged, what was already, what could not be read."""
    parts = [tagged_words(summary)]
    if summary.tagged and summary.no_landmark:
        parts.append(f"{summary.no_landmark:,} without a landmark")
    if summary.up_to_date:
        parts.append(f"{summary.up_to_date:,} already up to date"
                     + (f" ({len(summary.relabelled):,} relabelled for this model and threshold)"
                        if summary.relabelled else ""))
    read_back = getattr(summary.scan, "labels_read", 0)
    if read_back:
        parts.append(f"{counted(read_back, 'label')} read from the files")
    if summary.taught:
        parts.append(f"{counted(summary.taught, 'photo')} you labelled taught your places")
    line = ", ".join(parts + problem_parts(summary))
    if summary.cancelled and (summary.retag_left is not None or summary.retag or summary.retry_failed):
        line += "; " + in_app_words(_STOPPED_LEAD.sub("", summary.what_is_left(again="Tag")))
    return line

