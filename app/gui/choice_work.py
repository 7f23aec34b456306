"""The app's A or R on thousands of chosen photos (Ctrl+A on a search), done in the job
worker from the look to the change: reading 30,000 photos' states, sorting out those
labelled again or the user's own choices, and the change with its journal entry took
0.2-0.3 s, a frozen window, on the GUI thread. The GUI thread only gathers the labels it
showed and, after the job, says what changed.

The look and the change share one transaction, so no other program's label can come
between them. Held files (an A): the first run changes nothing and returns a HeldQuestion;
the app asks and runs the job again with the answer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Mapping, Sequence

from app.core.index.labels import FORGOTTEN
from app.core.review_choices import choices_kept_among
from app.core.wording import counted
from app.gui.job_runner import JobWork
from app.gui.review_work import app_state_command

if TYPE_CHECKING:
    from app.core.index import PhotoIndex
    from app.core.teaching_untaught import StatesChanged


def still_as_shown(ids: Sequence[int], now: Mapping, shown: Mapping[int, str | None]) -> tuple[list[int], list[int]]:
    """(the photos whose label in the index (`now`) is the one the app shows, those labelled
    again since by another program: `landmark-tagger label` in a terminal, a script, or taken
    out of the library). A photo the app has not shown (`shown` leaves it out) is taken as
    the index holds it."""
    again = [i for i in ids if (was := now.get(i, (None, "unlabelled")))[1] == FORGOTTEN
             or (i in shown and was[0] != shown[i])]
    if not again:
        return list(ids), []
    left = set(again)
    return [i for i in ids if i not in left], again


def teaching_photos(index: "PhotoIndex", before: Mapping) -> tuple[tuple[int, str], ...]:
    """(photo id, place) of the photos that teach their label: the user's accepted label of
    a taught place. A reject sets aside what they taught; Ctrl+Z brings it back."""
    from app.core.teaching import taught_labels

    candidates = [(i, label) for i, (label, was) in before.items() if was == "accepted" and label]
    if not candidates:
        return ()
    places = taught_labels(index)
    return tuple((i, label) for i, label in candidates if label in places and index.get(i).source == "user")


@dataclass(frozen=True)
class HeldQuestion:
    """An A found files Write labels… holds among its photos: nothing changed yet; the app
    asks whether to write them again and runs the A again with the answer."""

    held: tuple[str, ...]
    count: int  # the photos the A would change
    # JobHost: the job's end says line() in place of "done", and a cancelled one changed nothing
    nothing_done_yet: ClassVar[bool] = True

    def line(self) -> str:
        """The status bar's words while the question is up (not "done": nothing is accepted yet)."""
        return f"waiting for your answer about {counted(len(self.held), 'file')} changed in another program"


@dataclass(frozen=True)
class ChoiceMade:
    """What a bulk A or R did, for _state_changed: the photos it meant to change (`ids`, in
    the list's order), each photo's (label, state) as the worker looked (`before`), those
    labelled again since they were shown (`again`), the user's opposite choices it left
    (`kept`), the photos that taught what a reject set aside (`taught`), the change (None when
    every photo was labelled again) and how many held files it left alone (`left_held`)."""

    ids: list[int]
    before: dict
    again: list[int]
    kept: list[int]
    taught: tuple[tuple[int, str], ...]
    change: "StatesChanged | None"
    left_held: int = 0

    def line(self) -> str:
        """Nothing of its own for the job's end ("…: done"): the follow-up (_state_changed) says
        what changed, in words; describe_summary would list its int fields ("left held 0")."""
        return ""


def choice_work(db_path: Path, ids: Sequence[int], state: str, shown: Mapping[int, str | None],
                release_held: bool | None = None) -> JobWork:
    """Accept or reject these chosen photos as the app's A or R does on a few (LabelActions.
    _change_state), in one transaction; `shown`: the label the app showed on each photo it
    painted. `release_held`: the user's answer about held files (None: not asked yet, and a
    HeldQuestion comes back when there are some). Cancelled or killed, nothing changed."""

    def work(progress, cancel, emit_item):
        from app.core.index import PhotoIndex
        from app.core.teaching_untaught import set_states_withdrawing

        with PhotoIndex.open(db_path) as index, index.transaction():
            before = index.review_states_now(ids)
            # R means "not the label shown": another label set since (a terminal) is left alone
            changing, again = still_as_shown(ids, before, shown)
            if not changing:
                return ChoiceMade([], before, again, [], (), None)
            changing, kept = choices_kept_among(changing, state, before)
            # of the photos it changes only: those left as they are go on teaching
            taught = (teaching_photos(index, {i: before[i] for i in changing if i in before})
                      if state == "rejected" else ())
            held = index.held_files(changing) if state == "accepted" else []
            cancel.raise_if_cancelled()  # the look may take seconds: a Cancel meanwhile asks nothing
            if held and release_held is None:
                return HeldQuestion(tuple(held), len(changing))
            release = bool(held) and bool(release_held)
            change = set_states_withdrawing(index, changing, state, before, progress=progress, cancel=cancel,
                                            journal=app_state_command(state, len(changing)), release_held=release)
        return ChoiceMade(changing, before, again, kept, taught, change, 0 if release else len(held))

    return work
