"""Stopping means stopping: Ctrl-C (SIGINT) or a scheduler's SIGTERM ends a whole ``build``, not just one gemeente.

Dagster takes SIGINT and SIGTERM over while a run executes and turns them into an error inside the run (the
gemeente in flight is rolled back and keeps its previous site), then gives the handlers back. It does not say which
signal it was, so :class:`StopSignals` also asks Python to write every signal's number to a pipe
(:func:`signal.set_wakeup_fd`), which works whichever handler is installed at that moment. Outside a run our own
handler raises :class:`KeyboardInterrupt`, so the command stops where it is.

Dagster raises its error from the signal handler, wherever Python happens to be; when that is a weakref callback,
Python cannot raise it and prints "Exception ignored" with a traceback, and the run goes on to its end (and then
publishes whole). The pipe has the signal all the same; :func:`stop_signals` keeps that traceback off the screen.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from dagster._core.errors import DagsterExecutionInterruptedError

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopSignals:
    """Which stop signal, if any, reached this process since :meth:`install`."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)
        self._previous: dict[int, object] = {}
        self._previous_wakeup = -1

    def install(self, *, raise_interrupt: bool = True) -> None:
        """Record SIGINT and SIGTERM (and raise :class:`KeyboardInterrupt` when ``raise_interrupt``)."""
        for signum in STOP_SIGNALS:
            self._previous[signum] = signal.getsignal(signum)
            signal.signal(signum, self._handler if raise_interrupt else self._record)
        self._previous_wakeup = signal.set_wakeup_fd(self._write)

    def restore(self) -> None:
        """Give back the handlers found at :meth:`install` and close the pipe."""
        self.received()
        signal.set_wakeup_fd(self._previous_wakeup)
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]
        os.close(self._read)
        os.close(self._write)

    def received(self) -> int | None:
        """The first stop signal received so far (read from the wake-up pipe as well), or None."""
        try:
            numbers = os.read(self._read, 512)
        except BlockingIOError:
            numbers = b""
        for number in numbers:
            if number in STOP_SIGNALS and self.signum is None:
                self.signum = number
        return self.signum

    @property
    def exit_code(self) -> int:
        """128 + the signal's number, as shells and schedulers expect: 130 for SIGINT, 143 for SIGTERM."""
        assert self.signum is not None
        return 128 + self.signum

    @property
    def name(self) -> str:
        """'Ctrl-C' or 'SIGTERM'."""
        return "Ctrl-C" if self.signum == signal.SIGINT else signal.Signals(self.signum or signal.SIGTERM).name

    def _record(self, signum: int, _frame: FrameType | None) -> None:
        if self.signum is None:
            self.signum = signum

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        self._record(signum, frame)
        raise KeyboardInterrupt


@contextmanager
def stop_signals(*, raise_interrupt: bool = True) -> Iterator[StopSignals | None]:
    """:class:`StopSignals` installed for the duration (None off the main thread, where no handler can be set)."""
    if threading.current_thread() is not threading.main_thread():
        yield None
        return
    stop = StopSignals()
    stop.install(raise_interrupt=raise_interrupt)
    previous_hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: quiet_lost_interrupt(unraisable, previous_hook)
    try:
        yield stop
    finally:
        sys.unraisablehook = previous_hook
        stop.restore()


def quiet_lost_interrupt(
    unraisable: sys.UnraisableHookArgs, previous_hook: Callable[[sys.UnraisableHookArgs], object]
) -> None:
    """Drop an interrupt Python could not raise (the pipe recorded its signal); pass anything else on."""
    if not isinstance(unraisable.exc_value, KeyboardInterrupt | DagsterExecutionInterruptedError):
        previous_hook(unraisable)


def ignore_stop_signals() -> None:
    """For a worker process between builds: the parent decides when to stop (see ``build_in_parallel``)."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
