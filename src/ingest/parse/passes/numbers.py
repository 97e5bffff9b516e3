"""How a set of citation numbers is shown in a warning: ``[1], [4] and 3 more``."""

from __future__ import annotations

from collections.abc import Iterable


def shown(found: Iterable[int]) -> str:
    """Up to twenty numbers in brackets, sorted, then how many more."""
    nums = sorted(found)
    text = ", ".join(f"[{n}]" for n in nums[:20])
    return text + (f" and {len(nums) - 20} more" if len(nums) > 20 else "")
