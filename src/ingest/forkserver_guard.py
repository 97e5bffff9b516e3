"""Imported first, and only, by the parse workers' fork server (see :mod:`ingest.workers`).

The fork server is a child of the run's leader; its workers are its children.
Python's fork server does not notice when the leader is killed outright (SIGKILL,
the OOM killer), so without this it and its workers lived on, ~300 MB each.  Here
the kernel is asked to kill it with the leader (``PR_SET_PDEATHSIG``); each worker
asks the same of the fork server (:func:`ingest.workers._worker_start`).  Nothing
else imports this module: the request would bind whatever process did.
"""

from __future__ import annotations

from .interrupts import die_with_parent, ignore_sigint

ignore_sigint()  # the leader handles Ctrl-C
die_with_parent()
