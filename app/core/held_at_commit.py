"""A Ctrl-C (or the CLI's SIGTERM) that comes while an index transaction is ending is held
until it has ended, so no signal leaves a transaction open.

CPython runs a signal's Python handler at the next check of its eval loop, and the entry of
every Python function is one: a KeyboardInterrupt raised on entry to the code that ends a
`with index.transaction()` block (its __exit__, the COMMIT or ROLLBACK) skipped both, the
transaction stayed open, every later block joined it, and closing the index threw them all
away (an aborted write's 'cancelled', its journal entries). No Python code can guard its own
entry, so the handlers the app installs are wrapped (held_while_a_transaction_ends): a signal
handled inside that ending code is noted, and its handler is called once the transaction has
ended (block_closed, release_held). A signal in the block's body is handled at once, as ever
(the block rolls back), so a long body, or a wait for another program's lock, stays stoppable.

Signals are handled in the main thread alone: the count of open blocks is each thread's own
(a threading.local), so only the main thread's counts, and only it calls held handlers.
"""

from __future__ import annotations

import threading
from types import CodeType, FrameType
from typing import Any, Callable

SignalHandler = Callable[[int, "FrameType | None"], Any]

# the code that ends a transaction (connection.py names it: hold_signals_inside)
_ENDING_CODE: set[CodeType] = set()


class _OpenBlocks(threading.local):
    def __init__(self) -> None:
        self.count = 0  # top-level transaction blocks of this thread begun and not yet closed
        self.held: list[tuple[SignalHandler, int]] = []


_blocks = _OpenBlocks()


def hold_signals_inside(*functions: Callable) -> None:
    """Name the functions that end a transaction: a signal handled while one of them runs
    (or a function it called) is held until the block has closed."""
    _ENDING_CODE.update(function.__code__ for function in functions)


def block_opened() -> None:
    """A top-level block is about to BEGIN (called before it)."""
    _blocks.count += 1


def block_closed() -> None:
    """The block's transaction has ended (committed or rolled back): its count taken back
    first, so a signal from here on is handled at once, then the held ones raised."""
    blocks = _blocks
    blocks.count -= 1
    if blocks.held:
        release_held()


def release_held() -> None:
    """Call the handlers of the signals held meanwhile (a KeyboardInterrupt raised from
    here); one that comes while they run is held and called too."""
    held = _blocks.held
    while held:
        handler, signum = held.pop(0)
        handler(signum, None)


def held_while_a_transaction_ends(handler: SignalHandler) -> SignalHandler:
    """`handler`, held while this thread ends an index transaction (see the module)."""

    def hold_or_handle(signum: int, frame: FrameType | None) -> Any:
        if _blocks.count > 0 and _inside_ending_code(frame):
            _blocks.held.append((handler, signum))
            return None
        return handler(signum, frame)

    hold_or_handle.held_handler = handler  # type: ignore[attr-defined]  # (what it wraps, for tests)
    return hold_or_handle


def _inside_ending_code(frame: FrameType | None) -> bool:
    """Whether `frame` or a caller of it is ending a transaction: the callers too, since a
    second signal is handled inside the first one's handler, on top of __exit__."""
    while frame is not None:
        if frame.f_code in _ENDING_CODE:
            return True
        frame = frame.f_back
    return False
