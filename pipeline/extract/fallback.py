"""A second opinion from trafilatura, asked only where newsmine's own cascade finds no main text.

A real web page sometimes defeats the own cascade: no block holds the text, or everything that does
was cleaned away. Where its main text is shorter than :data:`FALLBACK_BELOW_CHARS`, trafilatura's
extraction (its own main-content rules, ``fast``: without its readability and jusText fallbacks) is
taken when it is at least twice as long and :data:`FALLBACK_BELOW_CHARS` long (a short news brief that
the cascade read whole stays as it is). Measured on the real pages of ``bench/extraction/real.py``
(2026-12-06, this code with and without the fallback): trafilatura is asked on 18 of 1,043 pages and
lifts F1 from 0.907 to 0.915 on the 862 evaluation pages (0.907 to 0.912 on .de/.at/.ch, 0.965 to
0.970 on ScrapingHub). Its own fallbacks (2026-12-07, extract-2.14): the same F1 on the evaluation
pages to four places (0.9411) and on ScrapingHub, and 40 % less of its time on the 15 evaluation pages
that ask it.

trafilatura is a dependency; if it is missing, the step is skipped (the cascade still works). Dates
have no second opinion since extract-2.14: :mod:`~pipeline.extract.page_date` reads them.
"""

from __future__ import annotations

import logging
from functools import cache
from importlib import metadata

FALLBACK_BELOW_CHARS = 200
"""An own main text shorter than this asks trafilatura (chosen on the real pages with the own cascade
of that day: only empty results gave F1 0.910, under 200 characters 0.913, under 1,000 0.918 at six
times the calls and the cost of trafilatura on each)."""


MAX_FALLBACK_CHARS = 3_000_000
"""Pages longer than this get no second opinion (a warning says so): trafilatura would parse and clean
the whole page again. The longest of the 1,043 real pages has 1.6 million characters."""


def versions() -> dict[str, str]:
    """Installed versions of the fallback libraries (read from package metadata, no import)."""
    out: dict[str, str] = {}
    for name in ("trafilatura",):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


@cache
def _silence_loggers() -> None:
    """trafilatura and the libraries it uses log odd pages at WARNING/ERROR; for newsmine they are no
    page errors."""
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
        text = trafilatura.extract(html, url=url, include_comments=False, include_tables=True, fast=True) or ""
    except Exception as err:  # noqa: BLE001 - a second opinion must not end the page
        warnings.append(f"trafilatura fallback failed ({type(err).__name__})")
        return ""
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n\n".join(line for line in lines if line)
