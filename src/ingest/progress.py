"""A progress bar on stderr for long runs (tqdm), silent when not wanted."""

from __future__ import annotations

from typing import Any


class Progress:
    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._bar: Any = None

    def start(self, total: int, desc: str = "parsing") -> None:
        if not self.enabled or total <= 0:
            return
        from tqdm import tqdm

        self._bar = tqdm(total=total, desc=desc, unit="doc", leave=False, dynamic_ncols=True)

    def update(self, n: int) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
