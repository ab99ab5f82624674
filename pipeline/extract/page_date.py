"""The publication day read off the whole page, where metadata, ``<time>`` elements and the dateline
name none (the last tier of the date cascade; before extract-2.14 htmldate's ``find_date`` was asked).

Cheap first, each step only where the ones before found nothing:

1. a full day in the URL's path (``/2019/08/02/``, ``/29-10-2021``);
2. the first of the page's date elements (:func:`date_cues`: a class, id or itemprop that speaks of a
   date, publishing, a byline or meta data, and ``<time>``, ``<footer>``, ``<small>``) whose first
   :data:`_MAX_CUE_CHARS` characters of text hold a day (the first one not marked as a change:
   "Letzte Änderung: 31.10.2023 Erschienen am: 01.11.2023" gives 1 November);
3. the ``<title>`` and ``<h1>``;
4. a publication date in a script's data (``"datePublished": "2022-01-10..."``, ``"published_at"``);
5. the oldest day among the page's short lines of text and the lines that begin with a day (a
   dateline such as ``01.02.2022 – Der Arbeitsmarkt ...``).

Days are read in ISO, numeric (``28.01.2022``, ``02/10/2020``, ``28.01.22``) and written forms with
the month names of nine languages (``9. Mai 2020``, ``December 29th 2019``, ``22 de Abril de
2022``, ``15 августа 2016``), by regular expressions rather than a general date parser; only days
from :data:`EARLIEST` to tomorrow count. A page is read before it is cleaned: footers, meta bars and
comment headers are where such pages show their day.

Measured on the 201 evaluation pages of ``bench/extraction/real.py`` that reach this tier (88 with an
annotated date): 65 right and 14 wrong, where htmldate 1.11 (extensive search) had 62 right and 24
wrong, at a fraction of its time (htmldate was 19 % of all extraction time).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from urllib.parse import unquote, urlsplit

import lxml.etree

from .dates import MONTHS
from .text import El, any_word, marked_records, matching, norm, raw_text

EARLIEST = date(1995, 1, 1)
"""No news page here is older than the web's news sites."""

_MORE_MONTH_NAMES = {
    1: "janvier enero gennaio janeiro januari stycznia января janv ene gen",
    2: "feber février fevrier febrero febbraio fevereiro februari lutego февраля fév fevr févr",
    3: "mars marzo março marco maart marca марта mrt",
    4: "avril abril aprile kwietnia апреля avr abr",
    5: "maggio mayo maio mei maja мая mag",
    6: "juin junio giugno junho czerwca июня juin giu",
    7: "juillet julio luglio julho lipca июля juil lug",
    8: "août aout agosto augustus sierpnia августа ago",
    9: "septembre septiembre setiembre settembre setembro września сентября set",
    10: "octobre octubre ottobre outubro października октября ott out",
    11: "novembre noviembre novembro listopada ноября",
    12: "décembre decembre diciembre dicembre dezembro grudnia декабря déc dic",
}
"""Month names beyond German and English (:data:`~pipeline.extract.dates.MONTHS`): Austrian German, French,
Spanish, Italian, Portuguese, Dutch, Polish and Russian (the genitive, as days are written), and their
abbreviations."""
_MONTHS = MONTHS | {name: number for number, names in _MORE_MONTH_NAMES.items() for name in names.split()}
_MONTH = "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))
_YEAR = r"((?:19|20)\d{2})(?!\d)"

_DAY_MONTH_YEAR = re.compile(
    rf"(?<![\d\w])(\d{{1,2}})(?:\.|er|st|nd|rd|th)?\s*(?:de\s+)?\b({_MONTH})\b\.?,?\s*(?:de\s+)?{_YEAR}", re.I)
"""``9. Mai 2020``, ``9 Apr 2020``, ``22 de Abril de 2022``, ``1er juin 2019``, ``15 августа 2016``."""
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH})\b\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}", re.I)
"""``April 19, 2019``, ``Jan 18, 2019``, ``December 29th 2019``, ``Mai 10, 2017``."""
_YEAR_MONTH_DAY = re.compile(r"(?<![\d.])((?:19|20)\d{2})([-/.])(\d{1,2})\2(\d{1,2})(?![\d])")
"""``2013-04-04``, ``2019/05/31``, ``2022.01.26``."""
_DAY_MONTH_NUM = re.compile(r"(?<![\d.,/])(\d{1,2})([./-])(\d{1,2})\2((?:19|20)?\d{2})(?![\d]|[.,]\d)")
"""``28.01.2022``, ``28.01.22``, ``02/10/2020``, ``26/10/13``, ``03-10-2004``."""

_YEARISH = re.compile(r"(?:19|20)\d\d|\d[./-]\d{1,2}[./-]\d\d")
"""What every written day holds: a year, or a numeric day with a two-digit year (a cheap first test)."""
_PATTERNS = (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _YEAR_MONTH_DAY, _DAY_MONTH_NUM)

_DATE_CUE_RE = any_word(
    "date", "datum", "time", "zeit", "publi", "posted", "submitted", "created", "erstellt", "meta", "byline",
    "subline", "info", "autor", "author", "fecha", "parution", "footer", "calendar", "clock")
"""Class, id or itemprop (lower-cased) of elements that show the day a page was published."""
_DATE_TAGS = frozenset(("time", "footer", "small"))
_MAX_CUE_CHARS = 250
"""Of a date element's text, only the beginning is read (a footer may hold the whole imprint)."""
_LINE_CHARS = (6, 52)
"""Short lines of text (a dateline, a list entry's date) are read for the last step; longer ones are
sentences, whose days are what they tell about."""


def _valid(year: int, month: int, day: int, today: date) -> date | None:
    """The day, if it exists and lies from :data:`EARLIEST` to ``today``."""
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found if EARLIEST <= found <= today else None


def _days(text: str, today: date, month_first: bool) -> list[tuple[int, date]]:
    """Every valid day written in ``text`` with where it starts, in order of position (at one position,
    in the order of :data:`_PATTERNS`). Numeric days with slashes are read day first unless
    ``month_first`` (US English)."""
    if _YEARISH.search(text) is None:
        return []
    found = [(match.start(), day) for pattern in _PATTERNS for match in pattern.finditer(text)
             if (day := _read(pattern, match, today, month_first)) is not None]
    found.sort(key=itemgetter(0))
    return found


def first_day(text: str, today: date, month_first: bool = False) -> date | None:
    """The first valid day written in ``text`` (earliest position), or None."""
    found = _days(text, today, month_first)
    return found[0][1] if found else None


_CHANGED_BEFORE_RE = re.compile(
    r"(?:stand|aktualisiert|geändert|zuletzt|änderung|updated?|modified|bearbeitet)\W{0,3}(?:am|vom|on)?\W{0,3}$", re.I)
"""What precedes a day that is when the page was changed, not published ("Letzte Änderung: 31.10.2023")."""


def published_day(text: str, today: date, month_first: bool = False) -> date | None:
    """The first day in ``text`` that is not marked as a change ("Letzte Änderung: ..."), else the first
    day."""
    found = _days(text, today, month_first)
    for start, day in found:
        if not _CHANGED_BEFORE_RE.search(text, max(0, start - 30), start):
            return day
    return found[0][1] if found else None


def _read(pattern: re.Pattern[str], match: re.Match[str], today: date, month_first: bool) -> date | None:
    """The day a match of one of :data:`_PATTERNS` writes, if valid."""
    groups = match.groups()
    if pattern is _DAY_MONTH_YEAR:
        return _valid(int(groups[2]), _MONTHS[groups[1].lower()], int(groups[0]), today)
    if pattern is _MONTH_DAY_YEAR:
        return _valid(int(groups[2]), _MONTHS[groups[0].lower()], int(groups[1]), today)
    if pattern is _YEAR_MONTH_DAY:
        return _valid(int(groups[0]), int(groups[2]), int(groups[3]), today)
    first, sep, second, year_text = groups
    if len(year_text) == 2 and (len(first) < 2 or len(second) < 2):
        return None  # "2.1.14" is a version; "02.01.14" a day
    year = int(year_text) if len(year_text) == 4 else 2000 + int(year_text)
    day, month = int(first), int(second)
    if sep == "/" and month_first:
        day, month = month, day
    return _valid(year, month, day, today)


_URL_DAY_RES = (  # year/month/day, and day-month-year
    re.compile(r"(?<!\d)((?:19|20)\d{2})[/_-](0?[1-9]|1[0-2])[/_-](0?[1-9]|[12]\d|3[01])(?!\d)"),
    re.compile(r"(?<!\d)(0?[1-9]|[12]\d|3[01])[_.-](0?[1-9]|1[0-2])[_.-]((?:19|20)\d{2})(?!\d)"),
)


def url_day(url: str | None, today: date) -> date | None:
    """A full day in the URL's path: ``/2019/08/02/``, ``/2021-10-20-...``, ``/29-10-2021``."""
    if not url:
        return None
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return None
    for number, pattern in enumerate(_URL_DAY_RES):
        match = pattern.search(path)
        if match:
            y, m, d = (match[1], match[2], match[3]) if number == 0 else (match[3], match[2], match[1])
            return _valid(int(y), int(m), int(d), today)
    return None


def date_cues(root: El) -> list[El]:
    """Elements that show a page's day: those whose class, id or itemprop names a date, publishing, a
    byline or meta data, and ``<time>``, ``<footer>``, ``<small>`` (in document order; those without any
    class, id or itemprop last)."""
    records = marked_records(root)
    hits = matching(_DATE_CUE_RE, {cid for _, _, cid, _ in records} | {itemprop for *_, itemprop in records})
    cues = [el for el, tag, cid, itemprop in records if tag in _DATE_TAGS or cid in hits or itemprop in hits]
    listed = set(cues)
    cues.extend(el for el in root.iter(*_DATE_TAGS) if el not in listed)
    return cues


_TEXTS = lxml.etree.XPath("//text()", smart_strings=False)
_DIGITS_RE = re.compile(r"\d{2}")
_STARTS_WITH_DAY = tuple(re.compile(rf"\W{{0,3}}(?:{p.pattern})", p.flags) for p in _PATTERNS)
"""A line that begins with a day (after at most three other characters): a dateline."""

_SCRIPT_KEY_RE = re.compile(  # the keys of schema.org, Shopify, WordPress's REST API, Strapi
    r"[\"'](?:datePublished|published_?[aA]t|publishDate|publish_date|publicationDate|pubDate|date_published"
    r"|createdAt|created_at|dateCreated)[\"']\s*:\s*[\"'](\d{4})-(\d{2})-(\d{2})")


def page_day(root: El, page: str, url: str | None, month_first: bool = False, today: date | None = None) -> str | None:
    """The publication day (``YYYY-MM-DD``) read off the page, or None: from ``url``, the date elements of
    the tree ``root`` (not yet cleaned), its title and headline, a publication date in a script of ``page``
    (the page's markup), and its short lines of text (the oldest day they name)."""
    today = today or (datetime.now(UTC) + timedelta(days=1)).date()  # a day ahead: zones east of UTC
    found = url_day(url, today)
    if found is not None:
        return found.isoformat()
    for el in date_cues(root):
        found = published_day(norm(raw_text(el)[:_MAX_CUE_CHARS * 2])[:_MAX_CUE_CHARS], today, month_first)
        if found is not None:
            return found.isoformat()
    for el in root.iter("title", "h1"):
        found = first_day(norm(raw_text(el)), today, month_first)
        if found is not None:
            return found.isoformat()
    for match in _SCRIPT_KEY_RE.finditer(page):
        found = _valid(int(match[1]), int(match[2]), int(match[3]), today)
        if found is not None:
            return found.isoformat()
    low, high = _LINE_CHARS
    chosen: date | None = None
    for piece in _TEXTS(root):
        if _DIGITS_RE.search(piece) is None:
            continue
        line = norm(piece)
        if low < len(line) < high:
            days = _days(line, today, month_first)
        elif any(p.match(line) for p in _STARTS_WITH_DAY):
            days = _days(line[:40], today, month_first)
        else:
            continue
        for _, found in days:
            if chosen is None or found < chosen:
                chosen = found
    return chosen.isoformat() if chosen else None
