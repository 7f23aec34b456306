"""The question A and L ask when the selection holds files Write labels… leaves alone (another
program took our keywords out, or an older copy was put back since our write): releasing them
is the user's decision about each such file, never a side effect of a select-all and a key."""

from __future__ import annotations

from typing import Sequence

from PySide6.QtWidgets import QMessageBox, QWidget

from app.core.library import display_name
from app.core.wording import counted

TITLE = "Changed in another program"


def held_buttons(held: int) -> tuple[str, str]:
    """("Write it again", "Leave it alone") for one file, "them" for more."""
    it = "it" if held == 1 else "them"
    return f"Write {it} again", f"Leave {it} alone"


def held_question_text(held: Sequence[str], selected: int) -> str:
    """The question's words: which of the selected photos' files (named when one, counted
    when more) were changed in another program, and that Write labels… leaves them alone."""
    why = "changed in another program since our write (our keywords taken out, or an older copy put back)"
    if len(held) == 1:
        name = display_name(held[0])
        whose = f"This photo's file {name}" if selected == 1 else f"{name} (a file of these photos)"
        return f"{whose} was {why}. Write labels leaves it alone."
    return f"{counted(len(held), 'file')} of these photos were {why}. Write labels leaves them alone."


def ask_to_write_held_again(parent: QWidget, held: Sequence[str], selected: int) -> bool:
    """True when the user answers "Write it/them again"; "Leave it/them alone" (the default,
    and Escape) keeps them held, the label changed all the same."""
    write_again, leave_alone = held_buttons(len(held))
    box = QMessageBox(QMessageBox.Icon.Question, TITLE, held_question_text(held, selected), parent=parent)
    write = box.addButton(write_again, QMessageBox.ButtonRole.AcceptRole)
    leave = box.addButton(leave_alone, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(leave)
    box.setEscapeButton(leave)
    box.exec()
    return box.clickedButton() is write
