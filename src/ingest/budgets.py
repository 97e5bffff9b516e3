"""Per-document time and memory budgets, enforced by the process that parses.

:mod:`ingest.parse.read.preflight` refuses the shapes known to explode before any parser
allocates; this module is the last line of defence for whatever it cannot see.
While one document is parsed, a profiling timer (``ITIMER_PROF``: it counts the
process's CPU time, so a busy machine does not make a document "slow") ticks every
20 ms of CPU; its handler compares the CPU seconds and the growth of
the resident memory since the document started against the budgets
(``max_parse_seconds``, ``max_parse_memory_mb`` in :class:`~ingest.limits.Limits`)
and raises :class:`BudgetExceeded`, a ``BaseException`` so that no ``except
Exception`` of the parse layer takes it for a bad document of its own.  The
document becomes a ``resource_limit`` error naming the budget and the value
measured; the rest of its batch is kept.  A tick costs one read of
``/proc/self/statm`` (~10 us), fifty per CPU second.  When a document that lasted
past its first tick ends, its peak is checked too (``VmHWM``, reset through
``/proc/self/clear_refs`` at that tick), so a jump of memory inside one C call that no tick saw still counts; the
largest such jump, the Markdown parser's tree, is estimated and refused before it is
built (:mod:`ingest.parse.read.preflight`).

Python runs signal handlers between bytecodes, so a parse stuck inside one C call
(a regular expression on a huge string) or one huge allocation would never see a
tick.  In a parse worker (``hard=True``), the kernel backs the budgets: the soft
``RLIMIT_CPU`` is moved, at the document's first tick, to three times the time budget
further (the kernel kills the worker with SIGXCPU past it) and ``RLIMIT_DATA`` caps the
worker's data at three times the memory budget above what it held (an allocation
past it fails: a ``MemoryError``, or a crash).  A worker that dies so is replaced
and its document found and quarantined by :mod:`ingest.supervise`.  Both limits are
lifted when the document ends, so validating and staging a batch are not bounded by
them, and a document done within 20 ms pays for none of this.  Outside workers (``ingest validate`` parsing a few files in its own process)
only the ticks apply: a backstop that kills would kill the command.

The ticks need the main thread (signals are delivered there); a batch parsed in
another thread (a Dask worker's) gets preflight's counts and the size limits only.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import threading
import time
from collections.abc import Iterator
from types import FrameType

from .errors import Issue
from .limits import Limits

STAGE, CODE = "parse", "resource_limit"
# The kernel's backstops sit this many times past the budgets (plus a floor), far
# enough that the ticks always act first when Python code is running.
HARD_FACTOR = 3
HARD_FLOOR_SECONDS = 5
HARD_FLOOR_MB = 256
_MB = 1024 * 1024
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class BudgetExceeded(BaseException):
    """A document went over a budget while it was parsed (raised by the tick handler)."""

    def __init__(self, budget: str, measured: str, cap: str) -> None:
        super().__init__(f"{budget}: {measured} > {cap}")
        self.budget, self.measured, self.cap = budget, measured, cap

    def issue(self, source_path: str) -> Issue:
        """The ``resource_limit`` error of the document, naming the budget and the value."""
        return Issue(
            STAGE,
            CODE,
            source_path,
            f"parsing took {self.measured}, over the budget of {self.cap} ({self.budget}); "
            "stopped and refused",
        )


def rss_bytes() -> int | None:
    """This process's resident memory now, or None where ``/proc`` is missing."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def _reset_peak() -> bool:
    """Reset this process's peak resident memory (``VmHWM``) to its current value
    (Linux's ``clear_refs``); False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "wb", buffering=0) as fh:
            fh.write(b"5")
    except OSError:
        return False
    return True


def _peak_bytes() -> int | None:
    return _status_field(b"VmHWM:")


def _statm() -> tuple[int | None, int | None]:
    """Resident memory and data size (about what ``RLIMIT_DATA`` counts) now, in bytes."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            fields = fh.read().split()
        return int(fields[1]) * _PAGE, int(fields[5]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None, None


def _status_field(name: bytes) -> int | None:
    """A size field of ``/proc/self/status`` in bytes (``VmHWM``: the peak resident
    memory), or None."""
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(name):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


class Watch:
    """The budgets of one process; :meth:`document` guards the parse of one document.

    A document's start costs a clock read, one ``statm`` read and a timer; what costs
    more (the kernel's backstops, resetting the peak and reading it back at the end)
    is set up at the first tick, so only documents that take 20 ms of CPU pay it."""

    def __init__(self, limits: Limits, *, hard: bool) -> None:
        self.seconds = float(limits.max_parse_seconds)
        self.memory = int(limits.max_parse_memory_mb) * _MB
        self.hard = hard
        self.tick = min(0.02, max(0.005, self.seconds / 8))
        self._cpu0 = 0.0
        self._rss0: int | None = None
        self._data0: int | None = None
        self._armed = False
        self._long = False  # the document has had a tick: backstops and peak are set
        self._peak_reset = False  # its peak was reset at that tick (Linux)
        self._saved: list[tuple[int, tuple[int, int]]] = []
        self.peak_growth = 0  # largest growth of resident memory seen (bytes)

    @contextlib.contextmanager
    def document(self) -> Iterator[None]:
        """Within the block, the budgets hold; :class:`BudgetExceeded` leaves it."""
        self._cpu0 = time.process_time()
        self._rss0, self._data0 = _statm()
        self._long = self._peak_reset = False
        self._armed = True
        signal.setitimer(signal.ITIMER_PROF, self.tick, self.tick)
        try:
            yield
        finally:
            self._armed = False  # first: a tick still pending now does nothing
            signal.setitimer(signal.ITIMER_PROF, 0, 0)
            self._restore()
        if self._peak_reset:
            self._check_peak()

    def on_tick(self, _signum: int, _frame: FrameType | None) -> None:
        """The timer's handler: raise when the document is over a budget."""
        if not self._armed:
            return
        if not self._long:
            self._long = True
            self._arm_long()
        used = time.process_time() - self._cpu0
        if used > self.seconds:
            self._armed = False
            raise BudgetExceeded(
                "max_parse_seconds", f"{used:.1f} CPU seconds", f"{self.seconds:g} s"
            )
        rss = rss_bytes()
        if rss is None or self._rss0 is None:
            return
        self.peak_growth = max(self.peak_growth, rss - self._rss0)
        if rss - self._rss0 > self.memory:
            self._armed = False
            raise BudgetExceeded(
                "max_parse_memory_mb",
                f"{(rss - self._rss0) / _MB:.0f} MB more memory",
                f"{self.memory // _MB} MB",
            )

    def _arm_long(self) -> None:
        """A document past its first tick: reset the peak, and in a worker set the
        kernel's backstops (CPU seconds and data size), never above what it was given."""
        self._peak_reset = _reset_peak()
        if not self.hard:
            return
        usage = resource.getrusage(resource.RUSAGE_SELF)
        spent = int(usage.ru_utime + usage.ru_stime) + 1
        cpu = spent + max(HARD_FLOOR_SECONDS, int(HARD_FACTOR * self.seconds) + 1)
        self._limit(resource.RLIMIT_CPU, cpu)
        if self._data0 is not None:
            room = max(HARD_FLOOR_MB * _MB, HARD_FACTOR * self.memory)
            self._limit(resource.RLIMIT_DATA, self._data0 + room)

    def _limit(self, which: int, soft: int) -> None:
        old = resource.getrlimit(which)
        if old[0] == resource.RLIM_INFINITY or soft < old[0]:
            resource.setrlimit(which, (soft, old[1]))
            self._saved.append((which, old))

    def _restore(self) -> None:
        while self._saved:
            which, old = self._saved.pop()
            resource.setrlimit(which, old)

    def _check_peak(self) -> None:
        """After the document: its peak, jumps inside one C call included (``VmHWM``,
        reset at its first tick)."""
        peak = _peak_bytes()
        if peak is None or self._rss0 is None:
            return
        self.peak_growth = max(self.peak_growth, peak - self._rss0)
        if peak - self._rss0 > self.memory:
            raise BudgetExceeded(
                "max_parse_memory_mb",
                f"{(peak - self._rss0) / _MB:.0f} MB more memory at its peak",
                f"{self.memory // _MB} MB",
            )

    def hard_memory_issue(self, source_path: str) -> Issue:
        """The error of a document whose allocation failed under the data backstop."""
        cap = max(HARD_FLOOR_MB * _MB, HARD_FACTOR * self.memory) // _MB
        return Issue(
            STAGE,
            CODE,
            source_path,
            f"parsing ran out of memory: an allocation failed at the worker's limit of "
            f"{cap} MB more data (the max_parse_memory_mb budget is {self.memory // _MB} MB); "
            "stopped and refused",
        )


@contextlib.contextmanager
def watching(limits: Limits, *, hard: bool) -> Iterator[Watch | None]:
    """A :class:`Watch` for the batch parsed within the block (its handler installed,
    the previous one given back), or None where ticks cannot be delivered: outside the
    main thread, or without ``ITIMER_PROF``."""
    main = threading.current_thread() is threading.main_thread()
    if not main or not hasattr(signal, "ITIMER_PROF"):
        yield None
        return
    watch = Watch(limits, hard=hard)
    previous = signal.signal(signal.SIGPROF, watch.on_tick)
    try:
        yield watch
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, previous)
