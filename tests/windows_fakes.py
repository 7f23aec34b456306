"""Fakes that let a test take the Windows paths on any system: a kernel32 whose calls
succeed or fail as told, and a decode-worker context of in-process "workers" with real
pipes (no process is spawned)."""

from __future__ import annotations

import multiprocessing
import os

import numpy as np

from app.core import windows_api
from app.core.decode_workers import DecodedPhoto

_rename = os.replace  # the real one, whatever a test makes of os.replace


class FakeKernel32:
    """The kernel32 calls the app makes, recorded; ReplaceFileW fails with `replace_error`
    (a Windows error code) when set, else does what Windows does to the two names."""

    def __init__(self, replace_error: int | None = None) -> None:
        self.calls: list[tuple] = []
        self.error = 0
        self.replace_error = replace_error
        self.ignoring_ctrl_c = False

    def ReplaceFileW(self, replaced, replacement, backup, flags, exclude, reserved):  # noqa: N802 - Windows' name
        self.calls.append(("ReplaceFileW", replaced, replacement, backup, flags))
        if self.replace_error is not None:
            self.error = self.replace_error
            return 0
        _rename(replacement, replaced)
        return 1

    def SetFileAttributesW(self, path, attributes):  # noqa: N802
        self.calls.append(("SetFileAttributesW", path, attributes))
        return 1

    def SetConsoleCtrlHandler(self, handler, add):  # noqa: N802
        self.calls.append(("SetConsoleCtrlHandler", handler, add))
        self.ignoring_ctrl_c = bool(add) and handler is None
        return 1


def use_fake_kernel32(monkeypatch, fake: FakeKernel32) -> FakeKernel32:
    monkeypatch.setattr(windows_api, "kernel32", lambda: fake)
    monkeypatch.setattr(windows_api, "last_error", lambda: fake.error)
    return fake


class FakeWorkerContext:
    """multiprocessing's spawn context for DecodeWorkers, with workers that live in this
    process: each answers the jobs it is sent through its real result pipe, until it
    has answered `answers` of them; then it is dead with `exit_code`. `started` records
    what `on_start()` says as each worker starts."""

    def __init__(self, answers: int | None = None, exit_code: int | None = None, on_start=lambda: None) -> None:
        self.answers = answers
        self.exit_code = exit_code
        self.on_start = on_start
        self.started: list[object] = []
        context = self

        class Process:
            def __init__(self, target, args, daemon, name) -> None:
                self.jobs, self.writer, self.worker_id = args
                self.alive = False
                self.exitcode = None

            def start(self) -> None:
                context.started.append(context.on_start())
                self.alive = context.answers != 0
                if not self.alive:
                    self._die()
                self.jobs.answer = self._answer

            def _answer(self, item) -> None:
                if not self.alive or item is None:
                    return
                job, _settings = item
                self.writer.send((self.worker_id, DecodedPhoto(job.photo_id, job.paths[0],
                                                               np.zeros((2, 2, 3), np.uint8))))
                self.jobs.answered += 1
                if context.answers is not None and self.jobs.answered >= context.answers:
                    self._die()

            def _die(self) -> None:
                self.alive = False
                self.exitcode = context.exit_code
                self.writer.close()

            def is_alive(self) -> bool:
                return self.alive

            def join(self, timeout=None) -> None:
                pass

            def terminate(self) -> None:
                if self.alive:
                    self.exitcode = -15
                    self._die()

            kill = terminate

        self.Process = Process

    class Queue:
        def __init__(self) -> None:
            self.answered = 0
            self.answer = lambda item: None

        def put(self, item) -> None:
            self.answer(item)

        def close(self) -> None:
            pass

        def cancel_join_thread(self) -> None:
            pass

    @staticmethod
    def Pipe(duplex):  # noqa: N802 - multiprocessing's name
        reader, writer = multiprocessing.Pipe(duplex=duplex)
        return reader, _KeptOpen(writer)


class _KeptOpen:
    """The worker's end of its result pipe, which two hold here: DecodeWorkers, which
    lets go of its copy once the worker is started (a real worker has its own), and the
    fake worker, until it dies. The pipe closes when both have let go."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.holders = 2

    def send(self, message) -> None:
        self.connection.send(message)

    def close(self) -> None:
        self.holders -= 1
        if self.holders == 0:
            self.connection.close()
