"""A Ctrl-C handled on entry to the code that ends an index transaction (where CPython runs
a pending signal's handler) is held until the transaction has ended: it still reaches the
caller, and no transaction is left open for later blocks to join and a close to throw away."""

from __future__ import annotations

import signal
import sys

import pytest

import app.core.index.connection as connection
from app.cli.common import stop_on_ctrl_c
from app.cli.main import _ctrl_c_held_at_commit
from app.core.held_at_commit import held_while_a_transaction_ends
from app.core.index import PhotoIndex
from app.core.progress import CancelToken


@pytest.fixture
def index(tmp_path):
    index = PhotoIndex.open(tmp_path / "index.db")
    with index.transaction() as conn:
        conn.execute("CREATE TABLE ctrl_c (n INTEGER)")
    previous = signal.signal(signal.SIGINT, held_while_a_transaction_ends(signal.default_int_handler))
    yield index
    signal.signal(signal.SIGINT, previous)
    index.close()


def ctrl_c_on_entry_to(name: str) -> None:
    """A real SIGINT whose handler runs as `name` (of connection.py) is entered, before its
    first line: as when the signal came while the block's body had given up the GIL."""

    def tracer(frame, event, arg):
        if event == "call" and frame.f_code.co_name == name and frame.f_code.co_filename == connection.__file__:
            sys.settrace(None)
            signal.raise_signal(signal.SIGINT)
        return None

    sys.settrace(tracer)


def rows(index: PhotoIndex) -> int:
    return index.conn.execute("SELECT count(*) FROM ctrl_c").fetchone()[0]


@pytest.mark.parametrize("name", ["__exit__", "_end"])
def test_a_ctrl_c_as_a_block_ends_is_raised_after_its_commit(index, name):
    with pytest.raises(KeyboardInterrupt):
        try:
            with index.transaction() as conn:
                conn.execute("INSERT INTO ctrl_c VALUES (1)")
                ctrl_c_on_entry_to(name)
        finally:
            sys.settrace(None)
    assert not index.conn.in_transaction
    assert rows(index) == 1
    with index.transaction() as conn:  # the next block is a transaction of its own, committed
        conn.execute("INSERT INTO ctrl_c VALUES (2)")
    assert not index.conn.in_transaction and rows(index) == 2


def test_a_ctrl_c_as_a_failed_block_rolls_back_is_raised_after_the_rollback(index):
    with pytest.raises(KeyboardInterrupt) as caught:
        try:
            with index.transaction() as conn:
                conn.execute("INSERT INTO ctrl_c VALUES (1)")
                ctrl_c_on_entry_to("_roll_back")
                raise ValueError("the block failed")
        finally:
            sys.settrace(None)
    assert isinstance(caught.value.__context__, ValueError)
    assert not index.conn.in_transaction and rows(index) == 0


def test_a_ctrl_c_in_a_nested_block_s_end_stops_the_outer_block(index):
    with pytest.raises(KeyboardInterrupt):
        try:
            with index.transaction():
                with index.transaction() as inner:
                    inner.execute("INSERT INTO ctrl_c VALUES (1)")
                    ctrl_c_on_entry_to("__exit__")
                pytest.fail("the outer block went on after the Ctrl-C")
        finally:
            sys.settrace(None)
    assert not index.conn.in_transaction and rows(index) == 0


def test_a_ctrl_c_in_a_block_s_body_is_raised_at_once(index):
    went_on = []
    with pytest.raises(KeyboardInterrupt):
        with index.transaction() as conn:
            conn.execute("INSERT INTO ctrl_c VALUES (1)")
            signal.raise_signal(signal.SIGINT)
            went_on.append(True)
    assert not went_on
    assert not index.conn.in_transaction and rows(index) == 0


def test_the_command_line_s_handlers_hold_a_ctrl_c_at_commit():
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with _ctrl_c_held_at_commit():
        assert getattr(signal.getsignal(signal.SIGINT), "held_handler", None) is signal.default_int_handler
        with stop_on_ctrl_c(CancelToken(), "stopping"):
            assert getattr(signal.getsignal(signal.SIGINT), "held_handler", None) is not None
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
