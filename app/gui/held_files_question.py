"""The question A and L ask when the selection holds files Write labels… leaves alone (another
program took our keywords out, or an older copy was put back since our write): releasing them
is the user's decision about each such file, never a side effect of a select-all and a key."""

from __future__ import annotations

from typing import Sequence

from PySide6.QtWidgets import QMessageBox, QWidget

from app.core.wording import counted

WRITE_AGAIN = "Write them again"
LEAVE_ALONE = "Leave them alone"


def held_question_text(held: int, selected: int) -> str:
    """The question's words: how many of the selected photos' files are held, and why."""
    these = "this photo's file was" if selected == 1 else (
        f"{held:,} of these photos' files were" if held != 1 else "1 of these photos' files was")
    return (f"{these.capitalize()} changed in another program since our write (our keywords taken out, "
            "or an older copy put back). Write labels leaves them alone.")


def ask_to_write_held_again(parent: QWidget, held: Sequence[str], selected: int) -> bool:
    """True when the user answers "Write them again"; "Leave them alone" (the default, and
    Escape) keeps them held, the label changed all the same."""
    box = QMessageBox(QMessageBox.Icon.Question, f"{counted(len(held), 'held file')}",
                      held_question_text(len(held), selected), parent=parent)
    write = box.addButton(WRITE_AGAIN, QMessageBox.ButtonRole.AcceptRole)
    leave = box.addButton(LEAVE_ALONE, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(leave)
    box.setEscapeButton(leave)
    box.exec()
    return box.clickedButton() is write
