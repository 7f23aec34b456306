"""Ctrl+Z in review: takes back the latest accepts, rejects, labels, Teach… and Forget…
of a taught place (the steps LabelActions remembers), the latest first: an accept or reject
by setting each photo's state back while it is still as the step left it, an L, Teach… or
Forget… through the review journal, as `undo --review` does (an A or R is journalled too:
its Ctrl+Z takes its command out of the journal in the same transaction). Many photos go to the job
worker; a take-back cancelled there (rolled back) leaves its step for the next Ctrl+Z."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Sequence

from app.core.errors import TaggerError
from app.core.index import review_journal
from app.core.library import display_name
from app.core.name_order import name_order
from app.core.wording import counted, written_before_way
from app.gui.held_words import with_left_held
from app.gui.job_words import labelled_again_text, left_since_text
from app.gui.key_names import key_name
from app.gui.read_only_index import refused_as_read_only

if TYPE_CHECKING:
    from app.core.index.renames_journalled import RenameMark
    from app.core.index.review_journal import ReviewCommand

REVIEW_UNDO_DEPTH = 100  # accepts, rejects, labels, Teach… and Forget… that Ctrl+Z can take back


def files_named(paths: Sequence[str]) -> str:
    """ "DSC_0004.JPG" or "3 files": the files a hold's release (or its take-back) names."""
    return display_name(paths[0]) if len(paths) == 1 else counted(len(paths), "file")


def _not_held_again(released: Sequence[str], written: set[str]) -> str:
    """Why the files an A released are not left alone again after its Ctrl+Z (hold_again):
    Write labels… wrote them since, or each holds its landmark keyword again, put back in
    another program (what we wrote is there: nothing to hold)."""
    since = [path for path in released if path in written]
    back = [path for path in released if path not in written]
    reasons = ([f"{files_named(since)} not left alone again: written by Write labels… since"] if since else []) + (
        [f"{files_named(back)} not left alone again: "
         f"{'it holds' if len(back) == 1 else 'they hold'} the landmark keyword again (put back in another program)"]
        if back else [])
    return "; ".join(reasons)


def _still_written(message: str, still: int) -> str:
    """Ctrl+Z's message with how many photos, given back a label they had before Write
    labels… put the one taken back into their files, still have that keyword there
    (unwritten_term.taken_back_still_written), as `undo --review` says it."""
    if not still:
        return message
    return (f"{message}; {counted(still, 'photo')} still {'has its' if still == 1 else 'have their'} keyword "
            "in the files: Write labels… takes it out")


def _written_before(message: str, index, photo_ids: list[int]) -> str:
    """Ctrl+Z's message with how many photos given back their suggestion keep the keyword an
    earlier version's Write labels… put in their files (unwritten_term.written_before_state):
    it did not record whether the label was accepted, so the next write leaves it. R then
    write takes out only a suggestion's keyword; another label's (an L taken back) goes
    with A then write, the suggestion in its place (written_before_phrase, as the CLI says)."""
    photos = len(index.written_before_state(photo_ids))
    if not photos:
        return message
    another = len(index.written_before_state(photo_ids, another_label=True))
    one = photos == 1
    way = written_before_way(photos, another)
    return (f"{message}; {counted(photos, 'photo')} still {'has its' if one else 'have their'} keyword in the files, "
            "written by an earlier version that did not record whether the label was accepted: Write labels… "
            f"leaves it; {way}, to take it out")


@dataclass(frozen=True)
class ReviewStep:
    """One accept or reject: the photos it changed, each with its label and its state
    before; `state` is what they were given."""

    state: str
    before: tuple[tuple[int, str | None, str], ...]  # (photo id, label, state before)
    # a reject sets aside what a photo taught: (photo id, place) of those that taught it
    taught: tuple[tuple[int, str], ...] = ()
    # its command in the review journal: Ctrl+Z takes it out there too (None: not journalled)
    command: "ReviewCommand | None" = None
    # files Write labels… held that the A released (on photos accepted already, the whole
    # step where it changed no state): Ctrl+Z holds them again, as `undo --review` does
    released: tuple[str, ...] = ()


@dataclass(frozen=True)
class LabelStep:
    """One L (or a Teach…, `taught`, or a Forget… of a taught place, `forgot`): its command
    in the review journal (which holds each photo's label before it), the photos it labelled
    (a Forget…: those that taught the place and its suggestions), in the list's order, and
    the label they got (the place)."""

    command: "ReviewCommand"
    photo_ids: tuple[int, ...]
    label: str | None
    taught: bool = False
    forgot: bool = False

    @property
    def named(self) -> str:
        """ "the label “Bakery”", "the teaching of “Bakery”" or "forgetting “Bakery”", as
        Ctrl+Z's message names the step."""
        if self.forgot:
            return f"forgetting “{self.label}”"
        return f"the {'teaching of' if self.taught else 'label'} “{self.label or 'no landmark'}”"




@dataclass(frozen=True)
class RenameStep:
    """A Rename place…: Ctrl+Z does not take it back (a merge cannot be parted by renaming,
    app.core.index.renames_journalled), but meets it, says how to put the name back and
    leaves it, rather than take back the unrelated step before it with the rename staying."""

    old: str
    new: str
    merged: bool

    def message(self, now: str = "", gone: bool = False, named_again: bool = False) -> str:
        """`now`: the name the place has now, renamed again since; `gone`: nothing holds it now;
        `named_again`: it has its old name again (the journal's mark met says so: renames_journalled)."""
        if self.merged:
            return (f"Ctrl+Z does not take back merging “{self.old}” into “{self.new}”: the copy of the index "
                    "taken before it puts the index back as it was (landmark-tagger restore-index COPY). Nothing "
                    "was taken back; Ctrl+Z again takes back the step before it.")
        from app.core.index.renames_journalled import NO_WAY_BACK, can_be_put_back

        if not can_be_put_back(self.old):
            return (f"Ctrl+Z does not take back renaming “{self.old}” to “{self.new}”, and {NO_WAY_BACK}. Nothing "
                    "was taken back; Ctrl+Z again takes back the step before it.")
        if named_again:
            return (f"Ctrl+Z does not take back renaming “{self.old}” to “{self.new}”, and the place is called "
                    f"“{self.old}” again since: there is no name to rename back. Nothing was taken back; "
                    "Ctrl+Z again takes back the step before it.")
        if gone:
            return (f"Ctrl+Z does not take back renaming “{self.old}” to “{self.new}”, and no photo or taught place "
                    f"is called “{now or self.new}” now: there is no name to rename back. Nothing was taken back; "
                    "Ctrl+Z again takes back the step before it.")
        return (f"Ctrl+Z does not take back renaming “{self.old}” to “{self.new}”: Rename place… “{now or self.new}” "
                f"to “{self.old}” puts the name back. Nothing was taken back; Ctrl+Z again takes back the step "
                "before it.")


class ReviewUndo:
    """Mixed into MainWindow through LabelActions, which provides _states_now,
    _goes_to_worker (many photos: the job worker), _index_held_by_a_job and _waits_for_the_running_job."""

    def remember_label_step(self, command: "ReviewCommand | None", photo_ids: Sequence[int],
                            label: str | None, taught: bool = False, forgot: bool = False) -> None:
        """An L (a Teach…: `taught`; a Forget… of a taught place: `forgot`) that changed
        photos, journalled as `command`, for Ctrl+Z to take back."""
        if command is not None:
            self.review_undo.append(LabelStep(command, tuple(photo_ids), label, taught, forgot))
            del self.review_undo[:-REVIEW_UNDO_DEPTH]

    def remember_rename(self, old: str, new: str, merged: bool) -> None:
        """A Rename place… done: Ctrl+Z meets it before the steps it came after (RenameStep),
        which name the place by its new name, as the journal gives it back."""
        self.review_undo[:] = [replace(step, label=new) if isinstance(step, LabelStep) and step.label is not None
                               and step.label.casefold() == old.casefold() else step for step in self.review_undo]
        self.review_undo.append(RenameStep(old, new, merged))
        del self.review_undo[:-REVIEW_UNDO_DEPTH]

    def _meet_rename_mark(self, step: RenameStep) -> "RenameMark | None":
        """The journal's mark of the rename Ctrl+Z met is met too, as `undo --review` meets it:
        a later `undo --review` does not meet it again, and Rename place… back cancels it. The
        mark met, with the name its place has now; None when the journal holds no such mark."""
        from app.core.index.renames_journalled import RenameMark, take_out_newest_rename

        try:
            return take_out_newest_rename(self.index, RenameMark("", step.old, step.new, step.merged))
        except TaggerError:  # (an index that cannot be written: the journal keeps the mark, as before)
            return None

    def undo_review(self) -> bool:
        """Take back the latest accept, reject, label, Teach… or Forget… (Ctrl+Z): its photos get their
        label and state back and the view shows the first of them. A photo whose label changed
        since (set again, tagged again) is left as it is."""
        if refused_as_read_only(self):
            return False
        if not self.review_undo:
            self.show_message(f"Nothing to take back: {key_name('Ctrl+Z')} undoes accepts (A), rejects (R), "
                              "labels (L) and Teach… (T), and Forget… of a taught place, the latest first.")
            return False
        latest = self.review_undo[-1]
        if isinstance(latest, RenameStep):  # said, and left: the next Ctrl+Z takes back the step before it
            self.review_undo.pop()
            met = self._meet_rename_mark(latest)
            said = latest.message(met.now, met.gone, met.named_again) if met is not None else latest.message()
            self.show_message(said.replace("Ctrl+Z", key_name("Ctrl+Z")))
            return False
        size = len(latest.photo_ids) if isinstance(latest, LabelStep) else len(latest.before)
        # the step stays for the Ctrl+Z after that job
        if self._index_held_by_a_job() or self._waits_for_the_running_job(size):
            return False
        step = self.review_undo.pop()
        older = list(self.review_undo)
        if isinstance(step, LabelStep):
            return self._take_back_label(step, older)
        if not step.before:  # an A that only released held files
            return self._take_back_release(step, older)
        step = self._with_photos_journalled_since(step)
        stepped = [photo_id for photo_id, _, _ in step.before]
        verb = "accept" if step.state == "accepted" else "reject"
        if self._goes_to_worker(len(stepped)):
            return self._take_back_in_worker(step, older, verb)
        now = self._states_now(stepped)
        back: dict[str, list[int]] = {}
        for photo_id, label, was in step.before:
            if now.get(photo_id) == (label, step.state):
                back.setdefault(was, []).append(photo_id)
        taken = {photo_id for photo_ids in back.values() for photo_id in photo_ids}
        ids = [photo_id for photo_id in stepped if photo_id in taken]  # in the list's order
        # labelled again or taken out of the library since the step: left, and named
        skipped = {photo_id: now.get(photo_id, (None, "unlabelled")) for photo_id in stepped if photo_id not in taken}
        if not ids:
            if step.command is not None and step.state == "rejected":
                try:  # as `undo --review` does, the rejections go all the same (else the next Tag gives them back)
                    with self.index.transaction() as conn:
                        review_journal.drop_taken_back(conn, step.command, stepped, step.state, set_back=0)
                except TaggerError as error:
                    self.show_message(f"{error} — {self._put_back(step, older, f'the {verb}')}")
                    return False
            return self._nothing_taken_back(skipped)
        accepted = set(back.get("accepted", []))
        # their references come back with the label (app.core.teaching_store)
        teaching = [(photo_id, place) for photo_id, place in step.taught if photo_id in accepted]
        expected = {photo_id: (label, step.state) for photo_id, label, _ in step.before}
        held_again: list[str] = []  # an A's releases, taken back with it
        try:
            with self.index.transaction() as conn:  # all its photos or none: a failure keeps the step
                left: dict = dict(skipped)
                for was, photo_ids in back.items():
                    left.update(self.index.set_state_if_unchanged(photo_ids, was, expected).left)
                if step.command is not None:  # so `undo --review` takes back the command before it
                    review_journal.drop_taken_back(conn, step.command, stepped, step.state,
                                                   set_back=sum(1 for i in ids if i not in left), held_again=held_again)
        except TaggerError as error:
            self.show_message(f"{error} — {self._put_back(step, older, f'the {verb}')}")
            return False
        return self._taken_back(verb, ids, back, teaching, left, held_again)

    def _with_photos_journalled_since(self, step: ReviewStep) -> ReviewStep:
        """The step with the photos its journalled command holds now besides its own (a card's
        RAW split off the pair it was taken on), after them: Ctrl+Z takes it back on the same
        photos as `undo --review` and takes it out of the journal whole. Unread: the step as it is."""
        if step.command is None:
            return step
        try:
            added = review_journal.photos_added_to_step(self.index, step.command,
                                                        [photo_id for photo_id, _, _ in step.before])
        except TaggerError:
            return step  # taken back on the photos the app knew: drop_taken_back leaves the command
        return replace(step, before=step.before + tuple(added)) if added else step

    def _take_back_in_worker(self, step: ReviewStep, older: list, verb: str) -> bool:
        """Ctrl+Z of an A or R on thousands of photos as a job: no look here (30,000 photos'
        states took 0.1 s on the GUI thread); the worker gives back each photo still as the
        step left it and leaves the others (set_state_if_unchanged), named after it as here.
        Its journal entry leaves the journal in the take-back's transaction (killed: both stay)."""
        back: dict[str, list[int]] = {}
        for photo_id, _label, was in step.before:
            back.setdefault(was, []).append(photo_id)
        ids = [photo_id for photo_id, _, _ in step.before]  # in the list's order
        accepted = set(back.get("accepted", []))
        teaching = [(photo_id, place) for photo_id, place in step.taught if photo_id in accepted]
        expected = {photo_id: (label, step.state) for photo_id, label, _ in step.before}
        return self.jobs.set_states(back, expected, f"Taking back the {verb} of {counted(len(ids), 'photo')}",
                                    lambda change: self._taken_back(verb, ids, back, teaching, change.left),
                                    unchanged=lambda: self._put_back(step, older, f"the {verb}"),
                                    taken_back=step.command)

    def _take_back_release(self, step: ReviewStep, older: list) -> bool:
        """Ctrl+Z after an A that changed no state but released files Write labels… held
        (the label accepted already): its command taken back as `undo --review` does, which
        holds them again (released_holds.hold_again)."""
        try:
            written = self.index.written_since_release(step.command) if step.command is not None else set()
            taken = review_journal.take_back(self.index, step.command) if step.command is not None else None
        except TaggerError as error:
            self.show_message(f"{error} — {self._put_back(step, older, 'the accept')}")
            return False
        if taken is None:  # `undo --review` in a terminal took it back, or newer commands pushed it out
            self.show_message("Nothing to take back: the accept was taken back already, or is older than the last "
                              "100 labels, teachings, accepts and rejects (the app's and the command line's).")
            return False
        if not taken.held_again:  # written since, or holding our keyword again: nothing to hold
            self.show_message(f"Took back the accept; {_not_held_again(step.released, written)}")
            return True
        self.show_message(f"Took back the accept: {files_named(taken.held_again)} left alone by Write labels… again")
        self.refresh_results()
        return True

    def _taken_back(self, verb: str, ids: list[int], back: dict[str, list[int]],
                    teaching: Sequence[tuple[int, str]] = (), left: dict | None = None,
                    held_again: Sequence[str] = ()) -> bool:
        """Say what came back and show the first of `ids` (in the list's order, as selected).
        `left`: photos labelled again by another program (or taken out of the library)
        since the step, or as they were being taken back, each with its (label, state) now,
        left as they are and named as A and R name them; False when that was every one.
        `held_again`: files an A released that are left alone again."""
        if left:
            ids = [photo_id for photo_id in ids if photo_id not in left]
            back = {was: kept for was, photo_ids in back.items() if (kept := [i for i in photo_ids if i not in left])}
            teaching = [pair for pair in teaching if pair[0] not in left]
            if not ids:
                return self._nothing_taken_back(left)
            self.photos_changed(list(left))
        states = " / ".join(sorted(back))
        message = f"Took back the {verb}: {counted(len(ids), 'photo')} {states} again"
        if teaching:
            places = ", ".join(f"“{place}”" for place in sorted({place for _, place in teaching}, key=name_order))
            message += f"; {counted(len(teaching), 'photo')} teach{'es' if len(teaching) == 1 else ''} {places} again"
        if held_again:
            message += f"; {files_named(held_again)} left alone by Write labels… again"
        try:  # an R taken back: the label accepted again does not go into the files Write labels… holds
            again = [path for path in self.index.held_files(back.get("accepted", [])) if path not in held_again]
            message = with_left_held(message, len(again))
            # an A taken back after Write labels…: the keyword stays in the files until the next write
            message = _still_written(message, len(self.index.taken_back_still_written(back.get("suggested", []))))
            message = _written_before(message, self.index, back.get("suggested", []))
        except TaggerError:
            pass  # the note alone is lost; what Ctrl+Z did is still said
        return self._show_taken_back(ids, message, left or {})

    def _show_taken_back(self, ids: list[int], message: str, left: dict) -> bool:
        """Say what Ctrl+Z gave back (`left`: the photos it left, labelled again or taken
        out of the library since, named as A and R name them) and show the first of `ids`."""
        if left:
            message += labelled_again_text("taken back", list(left), left, alone=False)
        self.show_message(message)
        self.photos_changed(ids)
        self.counts_changed()
        if ids:  # none when only a Forget…'s place was unforgotten
            self.select_after_load = ids[0]
        self.refresh_results()
        return True

    def _put_back(self, step: "ReviewStep | LabelStep", older: list, what: str) -> str:
        """A Ctrl+Z that changed nothing (cancelled, rolled back, or failed) puts its step back
        where it was, under any step remembered since, so the next Ctrl+Z takes it back;
        `older`: the steps under it when Ctrl+Z took it. Returns the words that say so."""
        kept = {id(older_step) for older_step in older}
        at = sum(1 for remembered in self.review_undo if id(remembered) in kept)
        self.review_undo.insert(at, step)
        del self.review_undo[:-REVIEW_UNDO_DEPTH]
        return f"{key_name('Ctrl+Z')} takes {what} back"

    def _take_back_label(self, step: LabelStep, older: list) -> bool:
        """Ctrl+Z after L or Teach…: the photos get the label they had before it back (source,
        score, state) and no longer teach the one it gave (but what they taught before), through
        the review journal as `undo --review` takes it back, compared and changed in one transaction."""
        from app.gui.review_work import take_back_work

        if self._goes_to_worker(len(step.photo_ids)):  # off the GUI thread, as A and R
            work = take_back_work(self.db_path, step.command)  # counted in the job bar
            what = "forgetting" if step.forgot else "teaching" if step.taught else "label"
            return self.jobs.start(f"Taking back the {what} of {counted(len(step.photo_ids), 'photo')}", work,
                                   after=lambda taken: self._label_taken_back(step, taken), all_or_nothing=True,
                                   unchanged=lambda: self._put_back(step, older, step.named), holds_index=True)
        try:
            taken = review_journal.take_back(self.index, step.command)
        except TaggerError as error:
            self.show_message(f"{error} — {self._put_back(step, older, step.named)}")
            return False
        return self._label_taken_back(step, taken)

    def _label_taken_back(self, step: LabelStep, taken) -> bool:
        """Say what Ctrl+Z of an L gave back (review_journal.TakenBack, None: nothing was
        left to take back) and show the first of its photos."""
        if taken is None:  # `undo --review` in a terminal took it back, or a hundred newer ones pushed it out
            self.show_message(f"Nothing to take back: {step.named} was taken back already, or is older than "
                              "the last 100 labels, teachings, accepts and rejects (the app's and the command line's; fewer "
                              "when they changed over a million photos in all).")
            return False
        restored = set(taken.restored)
        ids = [photo_id for photo_id in step.photo_ids if photo_id in restored]  # in the list's order
        ids += sorted(restored.difference(step.photo_ids))  # a card's RAW split off since: journalled too
        if not ids and not taken.unforgotten and not taken.held_again:  # a place unforgotten, a hold: taken back
            return self._nothing_taken_back(taken.left)
        if taken.left:
            self.photos_changed(list(taken.left))
        message = f"Took back {step.named}: {counted(len(ids), 'photo')} as before it"
        for phrase in taken.place_phrases(lambda place: f"“{place}”"):  # a Forget… taken back
            message += f"; {phrase}"
        if taken.held_again:  # the release an L gave a file Write labels… held
            message += f"; {files_named(taken.held_again)} left alone by Write labels… again"
        try:  # the label given back does not go into the files Write labels… holds, as after A
            message = with_left_held(message, len(self.index.held_files_given_back(taken)))
            # an L taken back after Write labels…: its keyword stays in the files until the next write
            message = _still_written(message, len(self.index.taken_back_still_written(taken.restored)))
            message = _written_before(message, self.index, taken.restored)
        except TaggerError:
            pass  # the note alone is lost; what Ctrl+Z did is still said
        return self._show_taken_back(ids, message, taken.left)

    def _nothing_taken_back(self, left: dict) -> bool:
        """Ctrl+Z found every photo of its step labelled again or taken out of the library
        since (`left`: each one's (label, state) now): say so and show them as they are now
        at once, as A and R do, not at the next check for outside changes."""
        self.show_message(f"Nothing to take back: those photos were {left_since_text(list(left), left)}.")
        self.photos_changed(list(left))
        self.counts_changed()
        self.refresh_results()
        return False
