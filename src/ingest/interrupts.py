"""Signals end a command the same way wherever they land: one line, code 130 or 143.

Raising from a signal handler (Python's ``KeyboardInterrupt``, Prefect's
``TerminationSignal``) can land between any two bytecodes, including inside
``importlib`` while it holds the global import lock: the exception then leaks the
lock and every other thread that imports hangs (seen: a run killed with SIGTERM in
the parse phase hung for good).  So the CLI installs handlers that never raise:

* the Python-level handler only records the signal;
* the C-level handler also writes to a wake-up pipe, which a small *stopper*
  thread reads even while the main thread is inside DuckDB or waiting for a
  worker.  It silences logging, then runs the stop actions the running code
  registered (:func:`on_stop`: kill the parse workers, interrupt the DuckDB
  statement), so whatever the main thread waits for fails promptly;
* the main thread notices at its next :func:`check` (lock and server waits,
  between batches, before loading and publishing), or through the error the stop
  action caused, and unwinds through its ``with`` blocks: the build is
  discarded, the lock released, the temporary Prefect server stopped.

If the process is still alive :data:`BACKSTOP_S` seconds after the signal (or a
second signal comes), it exits at once with the same line: the live warehouse is
safe at every instant (publishing is one rename), the next run removes the
stale build, and children die with their parent (:func:`die_with_parent`).
Parse workers ignore Ctrl-C and the temporary server has a session of its own,
so only the leader decides.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType

EXIT_CODES = {int(signal.SIGINT): 130, int(signal.SIGTERM): 143}
BACKSTOP_S = 4.0
_PR_SET_PDEATHSIG = 1

_requested: list[int] = []  # signals received, in order
_actions: dict[int, Callable[[], object]] = {}
_published: list[str] = []  # warehouses this process published (for the message)
_installed = False
_serving = False  # the command serves a deployment (for the message)


class Interrupted(BaseException):
    """The command was asked to stop (a BaseException, like KeyboardInterrupt, so that no
    ``except Exception`` on the way up swallows it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def requested() -> int | None:
    """The first signal received, if any."""
    return _requested[0] if _requested else None


def check() -> None:
    """Raise :class:`Interrupted` if a stop was requested (a safe point to unwind)."""
    if _requested:
        raise Interrupted(_requested[0])


def exit_code(signum: int) -> int:
    """The exit code for a command stopped by ``signum``: 130 for SIGINT, 143 for SIGTERM,
    the shell's ``128 + signum`` for any other."""
    return EXIT_CODES.get(signum, 128 + signum)


def describe(signum: int, *, serving: bool = False) -> str:
    """The one line printed for a stop by ``signum``: it says whether the run had already
    published a warehouse (so the user knows whether the live one changed)."""
    name = signal.Signals(signum).name
    if serving:
        return f"stopped serving ({name})"
    if _published:
        return f"interrupted ({name}) after the run was published to {_published[-1]}"
    return f"interrupted ({name}); the live warehouse is unchanged by this run"


def note_published(db: str) -> None:
    """Record that this process published warehouse ``db``, so a later interrupt's line
    (:func:`describe`) no longer claims the live warehouse is unchanged."""
    _published.append(db)


@contextlib.contextmanager
def on_stop(action: Callable[[], object]) -> Iterator[None]:
    """Run ``action`` (from the stopper thread) if a stop is requested within the block;
    at once if one already was."""
    key = id(action)
    _actions[key] = action
    try:
        if _requested:
            _run(action)
        yield
    finally:
        _actions.pop(key, None)


@contextlib.contextmanager
def installed(*, serving: bool = False) -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM are this module's (from the CLI's main
    thread); the process's own handlers are back afterwards (``ingest.cli.main`` may be
    called from a longer-lived program, or a test)."""
    global _installed, _serving
    if _installed or threading.current_thread() is not threading.main_thread():
        yield
        return
    _requested.clear()
    _published.clear()
    _serving = serving
    read_fd, write_fd = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    old_fd = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    old = {sig: signal.signal(sig, _note) for sig in (signal.SIGINT, signal.SIGTERM)}
    stopper = threading.Thread(target=_stopper, args=(read_fd,), name="ingest-stopper")
    stopper.daemon = True
    stopper.start()
    _installed = True
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(old_fd)
        os.close(write_fd)  # the stopper reads end-of-file and returns
        stopper.join(timeout=1)
        _installed = False


@contextlib.contextmanager
def own_sigterm() -> Iterator[None]:
    """Within the block, SIGTERM is ours again if :func:`install` ran (Prefect's flow
    engine installs a handler that raises; a served run keeps Prefect's, which the
    runner's cancellation relies on)."""
    if not _installed or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _note)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def reclaim_sigterm() -> None:
    """Make SIGTERM ours again after a library replaced the handler (Prefect's Runner)."""
    if _installed and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _note)


def _note(signum: int, _frame: FrameType | None) -> None:
    if signum not in _requested:
        _requested.append(signum)


def _stopper(read_fd: int) -> None:
    import select

    first: float | None = None
    while True:
        timeout = None if first is None else max(0.0, first + BACKSTOP_S - time.monotonic())
        ready, _, _ = select.select([read_fd], [], [], timeout)
        if not ready:  # the backstop: still alive long after the signal
            _exit_now(_requested[0] if _requested else signal.SIGTERM)
        try:
            data = os.read(read_fd, 64)
        except BlockingIOError:
            continue
        if not data:  # uninstalled
            os.close(read_fd)
            return
        signums = [b for b in data if b in EXIT_CODES]
        if not signums:
            continue
        if first is not None:  # a second Ctrl-C: the user means now
            _exit_now(signums[-1])
        first = time.monotonic()
        _note(signums[0], None)
        logging.disable(logging.CRITICAL)  # Prefect's crash reports are not for the user
        for action in list(_actions.values()):
            _run(action)


def _run(action: Callable[[], object]) -> None:
    with contextlib.suppress(Exception):
        action()


def _exit_now(signum: int) -> None:
    with contextlib.suppress(Exception):
        sys.stderr.write(f"ingest: {describe(signum, serving=_serving)}\n")
        sys.stderr.flush()
    os._exit(exit_code(signum))


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask the kernel to send ``sig`` to this process when its parent dies (Linux
    ``PR_SET_PDEATHSIG``); if the parent is already gone, act now.  Elsewhere, a no-op."""
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os.kill(os.getpid(), sig)


def ignore_sigint() -> None:
    """For children: the leader handles Ctrl-C and stops them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
