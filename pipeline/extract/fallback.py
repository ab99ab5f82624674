"""Second opinions from trafilatura and htmldate, asked only where newsmine's own cascade fails.

The own cascade is about twice as fast as trafilatura and as accurate on news pages, but a real
web page sometimes defeats it: no block holds the text, or everything that does was cleaned away.
Where its main text is shorter than :data:`FALLBACK_BELOW_CHARS`, trafilatura's extraction (its
own main-content rules, then readability and jusText) is taken when it is longer. Where no date
was found, htmldate's (URL, markup and text patterns) is. Measured on the real pages of
``bench/extraction/real.py`` (2026-12-06): the text fallback fires on about 2 % of pages and adds
F1 +0.005 there (ScrapingHub +0.004); the date fallback lifts dates from 0.76 to 0.86.

Both libraries are dependencies; if one is missing, its step is skipped (the cascade still works).
"""

from __future__ import annotations

import logging
from functools import cache
from importlib import metadata

FALLBACK_BELOW_CHARS = 200
"""An own main text shorter than this asks trafilatura (chosen on the real pages: 0 chars, i.e.
only empty results, gives F1 0.910, 200 gives 0.913, 1,000 gives 0.918 at 6x the calls)."""


def versions() -> dict[str, str]:
    """Installed versions of the fallback libraries (read from package metadata, no import)."""
    out: dict[str, str] = {}
    for name in ("trafilatura", "htmldate"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


@cache
def _silence_loggers() -> None:
    """trafilatura and htmldate log odd pages at WARNING/ERROR; for newsmine they are no page errors."""
    for name in ("trafilatura", "htmldate", "courlan", "justext"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def trafilatura_text(html: str, url: str | None, warnings: list[str]) -> str:
    """trafilatura's main text of ``html`` (paragraphs separated by a blank line, reader comments
    left out), or "" when it finds none, is not installed or fails (failure: a warning)."""
    try:
        import trafilatura
    except ImportError:
        return ""
    try:
        _silence_loggers()
        text = trafilatura.extract(html, url=url, include_comments=False, include_tables=True) or ""
    except Exception as err:  # noqa: BLE001 - a second opinion must not end the page
        warnings.append(f"trafilatura fallback failed ({type(err).__name__})")
        return ""
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n\n".join(line for line in lines if line)


def htmldate_date(html: str, url: str | None, warnings: list[str]) -> str | None:
    """htmldate's publication date (``YYYY-MM-DD``) or None."""
    try:
        from htmldate import find_date
    except ImportError:
        return None
    try:
        _silence_loggers()
        return find_date(html, url=url, original_date=True, extensive_search=True) or None
    except Exception as err:  # noqa: BLE001
        warnings.append(f"htmldate fallback failed ({type(err).__name__})")
        return None
