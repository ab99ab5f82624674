"""Allowed ranges of the numeric fetch settings, shared by a sources config (:mod:`pipeline.sources`)
and :class:`pipeline.fetch.FetchSettings`: a value outside them (``min_delay = 1e9`` would hang a run)
is refused with one line naming the setting and the range."""

from __future__ import annotations

import math

__all__ = ["MAX_CRAWL_DELAY", "SETTING_RANGES", "check_setting"]

#: Upper bound on a robots.txt Crawl-delay, in seconds.
MAX_CRAWL_DELAY = 60.0

#: Allowed values of the numeric settings (here and in a sources config): name -> (type, smallest, largest).
SETTING_RANGES: dict[str, tuple[type, float, float]] = {
    "concurrency": (int, 1, 1024), "per_host": (int, 1, 64), "min_delay": (float, 0.0, MAX_CRAWL_DELAY),
    "timeout": (float, 0.05, 600.0), "retries": (int, 0, 10), "backoff": (float, 0.0, 60.0),
    "max_retry_after": (float, 0.0, 3600.0), "max_redirects": (int, 0, 30), "max_bytes": (int, 1024, 1 << 30),
}


def check_setting(name: str, value: object) -> int | float:
    """``value`` for the numeric setting ``name`` if it lies in :data:`SETTING_RANGES`; else ValueError
    with a one-line reason naming the setting and the range (NaN, infinity and booleans are refused)."""
    kind, low, high = SETTING_RANGES[name]
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if kind is int and not isinstance(value, int):
        ok = False
    if not ok or not low <= value <= high:  # type: ignore[operator]
        what, show = ("a whole number", lambda x: str(int(x))) if kind is int else ("a number of seconds", "{:g}".format)
        raise ValueError(f"{name!r} must be {what} from {show(low)} to {show(high)}")
    return kind(value)
