"""Second opinions from trafilatura and htmldate, asked only where newsmine's own cascade fails.

A real web page sometimes defeats the own cascade: no block holds the text, or everything that does
was cleaned away. Where its main text is shorter than :data:`FALLBACK_BELOW_CHARS`, trafilatura's
extraction (its own main-content rules, then readability and jusText) is taken when it is at least
twice as long and :data:`FALLBACK_BELOW_CHARS` long (a short news brief that the cascade read whole
stays as it is). Where no date was found, htmldate's (URL, markup and text patterns) is taken.
Measured on the real pages of ``bench/extraction/real.py`` (2026-12-06, this code with and without
both fallbacks): trafilatura is asked on 18 of 1,043 pages and lifts F1 from 0.907 to 0.915 on the
862 evaluation pages (0.907 to 0.912 on .de/.at/.ch, 0.965 to 0.970 on ScrapingHub); htmldate lifts
the share of right dates from 0.761 to 0.862.

Both are dependencies; if one is missing, its step is skipped (the cascade still works).
"""

from __future__ import annotations

import logging
import re
from functools import cache
from importlib import metadata

FALLBACK_BELOW_CHARS = 200
"""An own main text shorter than this asks trafilatura (chosen on the real pages with the own cascade
of that day: only empty results gave F1 0.910, under 200 characters 0.913, under 1,000 0.918 at six
times the calls and the cost of trafilatura on each)."""


MAX_FALLBACK_CHARS = 3_000_000
"""Pages longer than this get no second opinion (a warning says so): htmldate's text search alone
takes about 5 s on a 10 MB page. The longest of the 1,043 real pages has 1.6 million characters."""


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


def htmldate_date(html: bytes, url: str | None, warnings: list[str]) -> str | None:
    """htmldate's publication date (``YYYY-MM-DD``) or None; ``html`` is the page in UTF-8."""
    try:
        from htmldate import find_date
    except ImportError:
        return None
    try:
        _silence_loggers()
        # as bytes, never text: htmldate downloads a *string* that looks like a URL (a page whose whole
        # body is "http://10.0.0.1/admin" would make the extractor fetch it); UTF-8 bytes are decoded
        # back to the same text, first thing, so the date found is the same
        day = find_date(bytes(html), url=url, original_date=True, extensive_search=True) or None
    except Exception as err:  # noqa: BLE001
        warnings.append(f"htmldate fallback failed ({type(err).__name__})")
        return None
    return None if day and is_year_guess(day, html) else day


_MONTH_ONE = r"(?:januar|january|janvier|enero|gennaio|janeiro|jänner|jaenner|stycznia|jan)"


def is_year_guess(day: str, html: bytes) -> bool:
    """Whether ``day`` (htmldate's answer) is 1 January of a year that the page writes without that
    day: htmldate falls back to the year of a copyright notice (``© 2016``) or to a bare year, as
    ``2016-01-01``. A year is no publication date. Measured on the 201 evaluation pages that reach
    htmldate: 35 answers of 1 January, none of them right; 34 without that day on the page (32 on
    pages without an annotated date, 2 wrong), 1 with it (kept, and wrong too).

    Each written form of the day holds the year, so only the text around each occurrence of the year
    is searched (:data:`_DAY_REACH` characters before it): seven searches of a whole page cost 14 ms on
    an average page of these."""
    if not day.endswith("-01-01"):
        return False
    year = day[:4]
    text = html.decode("utf-8", "replace")
    written = _new_year_forms(year)
    at = text.find(year)
    while at >= 0:
        if written.search(text, max(0, at - _DAY_REACH), at + len(year) + 8):
            return False
        at = text.find(year, at + 1)
    return True


_DAY_REACH = 200
"""How far before a year the rest of its date may begin: "1. Januar" and "January 1st," with up to
about 180 characters of whitespace between their parts."""


@cache
def _new_year_forms(year: str) -> re.Pattern[str]:
    """1 January of ``year`` as pages write it: ISO, German, slashes, compact, and with month names."""
    year = re.escape(year)
    forms = (rf"{year}-0?1-0?1(?!\d)", rf"(?<![\d.])0?1\.\s?0?1\.\s?{year}", rf"{year}/0?1/0?1(?!\d)",
             rf"(?<!\d)0?1/0?1/{year}", rf"{year}0101", rf"(?<!\d)0?1\.?\s*{_MONTH_ONE}\.?,?\s+{year}",
             rf"{_MONTH_ONE}\.?\s+0?1(?:st)?,?\s+{year}")
    return re.compile("|".join(f"(?:{form})" for form in forms), re.I)
