"""A progress bar on stderr for long runs (tqdm), silent when not wanted."""

from __future__ import annotations

from typing import Any


class Progress:
    """A bar of documents done: :meth:`start` it with the total to parse, :meth:`update`
    it as batches finish, :meth:`close` it.  Disabled (``--no-progress``, or stderr not a
    terminal) it does nothing, so callers need no checks of their own; tqdm is imported
    only when a bar is shown."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._bar: Any = None

    def start(self, total: int, desc: str = "parsing") -> None:
        """Show a bar of ``total`` documents labelled ``desc``; nothing when disabled or
        when there is nothing to count."""
        if not self.enabled or total <= 0:
            return
        from tqdm import tqdm

        self._bar = tqdm(total=total, desc=desc, unit="doc", leave=False, dynamic_ncols=True)

    def update(self, n: int) -> None:
        """Advance the bar by ``n`` finished documents (no-op without a bar)."""
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        """Remove the bar from the terminal (it is not left behind); safe to call twice."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
