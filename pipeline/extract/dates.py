"""Dates: :func:`parse_date` (ISO 8601, German, RFC 2822) and dates found on the visible page
(``<time datetime>``, date/byline elements, date lines near the headline)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .text import El, any_word, classid, is_element, iter_ancestors, marked_records, matching, norm, text_of

MONTHS = {
    "januar": 1, "jan": 1, "jänner": 1, "jaenner": 1, "january": 1,
    "februar": 2, "feb": 2, "febr": 2, "february": 2,
    "märz": 3, "maerz": 3, "mär": 3, "mrz": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "october": 10, "oct": 10,
    "november": 11, "nov": 11,
    "dezember": 12, "dez": 12, "december": 12, "dec": 12,
}
"""German and English month names and their abbreviations, lower-cased, with their numbers."""
_MONTH_ALT = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_TIME_PART = r"(?:\s*,?\s*(?:um\s+)?(?P<hh>[01]?\d|2[0-3])[:.](?P<mi>[0-5]\d)(?:[:.](?P<ss>[0-5]\d))?\s*(?:Uhr|h\b)?)?"
_ISO_RE = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ](?P<hh>\d{1,2}):(?P<mi>\d{2})(?::(?P<ss>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_DE_NUM_RE = re.compile(r"(?<![\d.])(?P<d>\d{1,2})\.\s?(?P<m>\d{1,2})\.\s?(?P<y>\d{4}|\d{2})(?![\d])" + _TIME_PART)
_DE_TEXT_RE = re.compile(
    r"(?<!\d)(?P<d>\d{1,2})\.?\s*(?P<mon>" + _MONTH_ALT + r")\.?\s+(?P<y>\d{4})(?!\d)" + _TIME_PART, re.I
)
_EN_TEXT_RE = re.compile(
    r"(?P<mon>" + _MONTH_ALT + r")\.?\s+(?P<d>\d{1,2}),?\s+(?P<y>\d{4})(?!\d)" + _TIME_PART, re.I
)
_MODIFIED_HINT_RE = re.compile(r"(stand|aktualisiert|update|geändert|zuletzt)\s*(am|:|vom)?\s*$", re.I)


def _iso(y: int, mo: int, d: int, hh: str | None = None, mi: str | None = None, ss: str | None = None,
         tz: str | None = None) -> str | None:
    """Build an ISO 8601 string; None for impossible dates."""
    if y < 100:
        y += 2000
    if not 1900 <= y <= 2199:
        return None
    try:
        if hh is None:
            return datetime(y, mo, d).date().isoformat()
        dt = datetime(y, mo, d, int(hh), int(mi or 0), int(ss or 0))
    except (ValueError, OverflowError):
        return None
    if tz:
        if tz == "Z":
            dt = dt.replace(tzinfo=UTC)
        else:
            digits = tz[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
            if hours > 14 or minutes > 59:
                return None
            offset = timedelta(hours=hours, minutes=minutes)
            dt = dt.replace(tzinfo=timezone(offset if tz[0] == "+" else -offset))
    return dt.isoformat()


def parse_date(value: Any) -> str | None:
    """Normalise a date string (ISO 8601, German, RFC 2822) to ISO 8601; None if invalid.

    ``"2026-11-24T14:05:00+01:00"`` stays as it is, ``"24.11.2026, 14:05 Uhr"`` gives
    ``"2026-11-24T14:05:00"``, ``"24. November 2026"`` gives ``"2026-11-24"``.
    """
    if not isinstance(value, str):
        return None
    s = norm(value)[:200]
    if not s:
        return None
    try:
        m = _ISO_RE.search(s)
        if m:
            return _iso(int(m["y"]), int(m["m"]), int(m["d"]), m["hh"], m["mi"], m["ss"], m["tz"])
        if re.match(r"^[A-Za-z]{3},?\s+\d", s) or re.search(r"\d{2}:\d{2}(:\d{2})?\s+([+-]\d{4}|GMT|UTC)", s):
            try:
                dt = parsedate_to_datetime(s)
            except (TypeError, ValueError, IndexError, OverflowError):
                dt = None
            if dt is not None and 1900 <= dt.year <= 2199:
                return dt.replace(microsecond=0).isoformat()
        m = _DE_NUM_RE.search(s)
        if m:
            return _iso(int(m["y"]), int(m["m"]), int(m["d"]), m["hh"], m["mi"], m["ss"])
        m = _DE_TEXT_RE.search(s)
        if m:
            return _iso(int(m["y"]), MONTHS[m["mon"].lower()], int(m["d"]), m["hh"], m["mi"], m["ss"])
        m = _EN_TEXT_RE.search(s)
        if m:
            return _iso(int(m["y"]), MONTHS[m["mon"].lower()], int(m["d"]), m["hh"], m["mi"], m["ss"])
    except (ValueError, KeyError, OverflowError):
        return None
    return None


def find_visible_dates(text: str) -> tuple[str | None, str | None]:
    """``(published, modified)`` from German dates in a short piece of visible text."""
    published: str | None = None
    modified: str | None = None
    matches: list[re.Match[str]] = []
    for rx in (_DE_NUM_RE, _DE_TEXT_RE, _ISO_RE):
        matches.extend(rx.finditer(text))
    matches.sort(key=lambda m: m.start())
    taken_end = -1
    for m in matches:
        if m.start() < taken_end:
            continue
        taken_end = m.end()
        iso = parse_date(m.group(0))
        if iso is None:
            continue
        if _MODIFIED_HINT_RE.search(text[max(0, m.start() - 25):m.start()]):
            modified = modified or iso
        else:
            published = published or iso
    return published, modified


def time_dates(root: El) -> tuple[str | None, str | None]:
    """``(published, modified)`` from ``<time datetime>``; times inside <article>/<main> first."""
    explicit_pub: str | None = None
    found: list[tuple[int, int, str, bool]] = []
    for i, el in enumerate(root.iter("time")):
        if i > 200:
            break
        iso = parse_date(el.get("datetime") or el.get("content") or text_of(el))
        if not iso:
            continue
        hint = f"{el.get('itemprop') or ''} {classid(el)}".lower()
        prev = el.getprevious()
        parent = el.getparent()
        before = (prev.tail if prev is not None else (parent.text if parent is not None else "")) or ""
        is_mod = bool(re.search(r"modif|update|aktualis|geändert", hint) or _MODIFIED_HINT_RE.search(before[-30:]))
        if not is_mod and (el.get("pubdate") is not None or re.search(r"publish|pubdate|datepublished", hint)):
            explicit_pub = explicit_pub or iso
        in_article = any(a.tag in ("article", "main") for a in iter_ancestors(el))
        found.append((0 if in_article else 1, i, iso, is_mod))
    found.sort()
    published = explicit_pub or next((iso for _, _, iso, mod in found if not mod), None)
    modified = next((iso for _, _, iso, mod in found if mod), None)
    return published, modified


_DATE_CLASS_RE = any_word("date", "datum", "time", "zeit", "meta", "byline", "published", "info", "stand")
"""(``dateline`` holds ``date``.)"""


def date_elements_text(root: El) -> Iterator[str]:
    records = marked_records(root)  # elements only (an XPath on *)
    date_cids = matching(_DATE_CLASS_RE, {cid for _, _, cid, _ in records})
    for el, _tag, cid, _itemprop in records:
        if cid in date_cids and cid.strip():
            text = text_of(el)
            if 6 <= len(text) <= 200:
                yield text


def dates_near_heading(h1: El) -> tuple[str | None, str | None]:
    """``(published, modified)`` from the few short lines next to the headline (a dateline)."""
    near: list[str] = []
    node = h1.getnext()
    hops = 0
    while node is not None and hops < 4:
        if is_element(node):
            near.append(text_of(node))
        node = node.getnext()
        hops += 1
    parent = h1.getparent()
    if parent is not None and parent.getnext() is not None and is_element(parent.getnext()):
        near.append(text_of(parent.getnext()))
    published: str | None = None
    modified: str | None = None
    for chunk in (c for c in near if len(c) <= 200):  # a dateline, not a paragraph of the text
        v_pub, v_mod = find_visible_dates(chunk)
        published = published or v_pub
        modified = modified or v_mod
    return published, modified


_DATE_ONLY_STRIP_RE = re.compile(
    r"(stand|aktualisiert|veröffentlicht|erstellt|zuletzt|geändert|update|uhr|am|um|vom|lesezeit|min\.?"
    r"|minuten|[|·•,:/–—-]|\d+)", re.I
)


def is_date_line(text: str) -> bool:
    if len(text) > 90:
        return False
    if not (_DE_NUM_RE.search(text) or _DE_TEXT_RE.search(text) or _ISO_RE.search(text)):
        return False
    rest = _DE_TEXT_RE.sub("", text)
    rest = _DATE_ONLY_STRIP_RE.sub("", rest)
    return len(norm(rest).strip(" .")) <= 3


CENTRAL_EUROPEAN_TLDS = (".de", ".at", ".ch")
"""Hosts whose publishers write in Central European time (with German-language pages anywhere)."""


def _last_sunday(year: int, month: int) -> datetime:
    first_of_next = datetime(year + month // 12, month % 12 + 1, 1)
    last = first_of_next - timedelta(days=1)
    return last - timedelta(days=(last.weekday() + 1) % 7)


def _instant(iso: str | None) -> datetime | None:
    """The moment an ISO timestamp with a UTC offset names (``Z`` read as ``+00:00``); None for a date, a
    time without an offset, or what is no ISO timestamp."""
    if not iso or len(iso) <= 10:
        return None
    try:
        dt = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo is not None else None


def central_european(iso: str | None) -> str | None:
    """An ISO timestamp with a UTC offset, expressed in Central European time (CET, and CEST from the
    last Sunday of March to the last Sunday of October, 01:00 UTC, the EU rule since 1996): the same
    instant, with the calendar day a reader in Germany, Austria or Switzerland sees. A page stamped
    ``2022-11-06T23:00:00+00:00`` was published on 7 November there. Dates and times without an offset
    are returned as they are."""
    dt = _instant(iso)
    if dt is None:
        return iso
    utc = dt.astimezone(UTC).replace(tzinfo=None)
    summer = _last_sunday(utc.year, 3).replace(hour=1) <= utc < _last_sunday(utc.year, 10).replace(hour=1)
    return dt.astimezone(timezone(timedelta(hours=2 if summer else 1))).isoformat()


def writes_central_european(language: str | None, host: str | None) -> bool:
    """Whether a page's dates are read in Central European time: German-language pages, and pages of
    .de/.at/.ch hosts. Measured on the 615 dated evaluation pages of bench/extraction/real.py: right
    dates 530 -> 532 (one on each half); in Central European time for every page: 521."""
    return (language or "").lower().startswith("de") or (host or "").lower().endswith(CENTRAL_EUROPEAN_TLDS)


COUNTRY_ZONES = {
    # Europe (.de/.at/.ch: Central European time, above)
    ".uk": "Europe/London", ".ie": "Europe/Dublin", ".pt": "Europe/Lisbon", ".es": "Europe/Madrid",
    ".fr": "Europe/Paris", ".be": "Europe/Brussels", ".nl": "Europe/Amsterdam", ".lu": "Europe/Luxembourg",
    ".it": "Europe/Rome", ".dk": "Europe/Copenhagen", ".se": "Europe/Stockholm",
    ".no": "Europe/Oslo", ".fi": "Europe/Helsinki", ".pl": "Europe/Warsaw", ".cz": "Europe/Prague",
    ".sk": "Europe/Bratislava", ".hu": "Europe/Budapest", ".si": "Europe/Ljubljana", ".hr": "Europe/Zagreb",
    ".ro": "Europe/Bucharest", ".bg": "Europe/Sofia", ".gr": "Europe/Athens", ".ee": "Europe/Tallinn",
    ".lv": "Europe/Riga", ".lt": "Europe/Vilnius", ".ua": "Europe/Kyiv", ".tr": "Europe/Istanbul",
    # the Americas
    ".br": "America/Sao_Paulo", ".ar": "America/Argentina/Buenos_Aires", ".uy": "America/Montevideo",
    ".cl": "America/Santiago", ".pe": "America/Lima", ".ec": "America/Guayaquil",
    ".ve": "America/Caracas", ".mx": "America/Mexico_City",
    # Asia and Oceania
    ".jp": "Asia/Tokyo", ".kr": "Asia/Seoul", ".cn": "Asia/Shanghai", ".tw": "Asia/Taipei",
    ".hk": "Asia/Hong_Kong", ".sg": "Asia/Singapore", ".in": "Asia/Kolkata", ".il": "Asia/Jerusalem",
    ".nz": "Pacific/Auckland",
}
"""Country hosts and the time zone nearly all of the country's people live in (its capital's): there the
publisher's day is that zone's. Countries spread over several zones (.us, .ca, .au, .ru) are left out, and
so are country domains that sites anywhere use as generic ones (.co, .io, .me, .tv, .fm, .li)."""


def country_time(iso: str | None, host: str | None) -> str | None:
    """``iso``, a UTC timestamp, in the time zone of the country of ``host`` (:data:`COUNTRY_ZONES`, through
    the IANA time zone data): the same instant, with the calendar day the publisher's readers saw. A Brazilian
    page stamped ``2022-05-04T00:44:52+00:00`` went out on the evening of 3 May. Timestamps with another
    offset are kept (their day is already the publisher's: ``-04:00`` on a Brazilian page is Mato Grosso's
    time, not Sao Paulo's), and so are dates and other hosts. Measured on the 615 dated evaluation pages of
    bench/extraction/real.py: 2 days change, both to the annotated day (one on each half)."""
    dt = _instant(iso)
    if dt is None or dt.utcoffset() != timedelta(0) or not host:
        return iso
    host = host.rstrip(".")  # "example.fr." is a fully qualified example.fr
    dot = host.rfind(".")
    zone = COUNTRY_ZONES.get(host[dot:].lower()) if dot >= 0 else None
    if zone is None:
        return iso
    try:
        return dt.astimezone(ZoneInfo(zone)).isoformat()
    except (ValueError, OverflowError, ZoneInfoNotFoundError):
        return iso


_URL_DAY_RE = re.compile(r"/((?:19|20)\d{2})/(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])(?=[/_.-]|$)")
"""A day in a URL path, as publishers date their articles: ``/2020/02/24/slug``."""

UTC_OFFSETS = (timedelta(hours=-12), timedelta(hours=14))
"""The range of the world's UTC offsets (Baker Island to Kiribati)."""


def publisher_day(iso: str | None, url: str | None) -> str | None:
    """``iso`` (the published timestamp), or the day in the path of ``url`` where ``iso`` is a UTC
    timestamp that falls on another day there but on the URL's day somewhere in the world: the day the
    publisher dated the article in its own time zone, which a UTC timestamp does not give. A US site's
    ``/2020/02/24/`` article stamped ``2020-02-25T02:25:54+00:00`` went out on the evening of 24 February.
    Measured on the 615 dated evaluation pages of bench/extraction/real.py: right dates +2 (one on each
    half), none lost. Timestamps with another offset are kept: their day is already the publisher's."""
    dt = _instant(iso)
    if dt is None or dt.utcoffset() != timedelta(0) or not url:
        return iso
    try:
        m = _URL_DAY_RE.search(urlsplit(url).path)
    except ValueError:  # "http://[": a malformed host
        return iso
    if m is None:
        return iso
    try:
        day = datetime(int(m[1]), int(m[2]), int(m[3])).date()
    except ValueError:
        return iso
    if dt.date() == day:
        return iso
    if (dt + UTC_OFFSETS[0]).date() <= day <= (dt + UTC_OFFSETS[1]).date():
        return day.isoformat()
    return iso

