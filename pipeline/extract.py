"""Main-content extraction from German news HTML pages.

One call of :func:`extract` parses the page once (``lxml``) and works through a
cheap-first chain:

1. **JSON-LD** (``<script type="application/ld+json">``, also ``@graph`` lists and arrays):
   headline, dates, authors, section, description, ``articleBody``, canonical URL.
2. **Meta tags and microdata** (``og:*``, ``article:*``, ``author``, ``DC.date``,
   ``itemprop`` attributes, ``<link rel="canonical">``).
3. **Page heuristics**: ``<h1>``, ``<time datetime>``, visible German dates
   ("24.11.2026, 14:05 Uhr", "24. November 2026", "Stand: ..."), bylines ("Von Anna
   Schmidt", elements whose class contains ``author``/``byline``) and a main-content
   scorer (paragraph text, low link density, ``<article>``/``articleBody``/class hints)
   after boilerplate (navigation, cookie banners, "Meistgelesen", "Zum Thema",
   newsletter and paywall teasers, photo credits, captions) has been removed.

The main text is the JSON-LD ``articleBody`` when it is substantial (split into
paragraphs along the HTML paragraphs it contains), otherwise the heuristic text.
Paragraphs are separated by ``"\\n\\n"``. Captions are returned separately.

:func:`extract` never raises: bad input gives an :class:`Extracted` with empty text
and a warning. :func:`decode_html` turns fetched bytes into text, validating the
declared charset (UTF-8 pages that are really windows-1252, and the reverse).
"""

from __future__ import annotations

import codecs
import html as html_lib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree

EXTRACTOR_VERSION = "extract-1.1"  # bump when output changes

_El = lxml.etree._Element
_STRING = lxml.etree.XPath("string()")  # the text content of an element, computed in C

MAX_INPUT_CHARS = 20_000_000
"""Longer inputs are truncated (with a warning) before parsing."""

MIN_TEXT_CHARS = 25
"""A main text shorter than this counts as "no main text found"."""

MAX_TEXT_CHARS = 100_000
"""Longer main texts are cut at a paragraph boundary (with a warning). A news article is far
shorter (a long read has ~40,000 characters); the cap keeps NLP time and memory of one page
bounded (about 1.5 s and 110 MB for 100,000 characters; spaCy refuses texts over
``nlp.max_length``, 1,000,000 characters, which would end the run)."""

MAX_TITLE_CHARS = 1_000
"""Longer titles are cut (with a warning)."""

__all__ = ["EXTRACTOR_VERSION", "MAX_TEXT_CHARS", "Extracted", "decode_html", "extract", "failure_reason",
           "parse_date"]


# --------------------------------------------------------------------------- result


@dataclass
class Extracted:
    """The result of :func:`extract`.

    ``text`` holds the main text with paragraphs separated by ``"\\n\\n"``;
    ``method`` names the strategy that produced it (``"json-ld"``, ``"heuristic"``,
    or ``"none"`` when no main text was found); ``warnings`` lists anything odd
    (charset fallback, truncated or unparsable input, no main text).
    """

    url: str | None = None
    title: str | None = None
    text: str = ""
    published: str | None = None
    modified: str | None = None
    authors: list[str] = field(default_factory=list)
    section: str | None = None
    lead: str | None = None
    captions: list[str] = field(default_factory=list)
    language: str | None = None
    method: str = "none"
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict of all fields."""
        return asdict(self)


# --------------------------------------------------------------------------- charset

# windows-1252 as browsers decode it: the five undefined bytes map to C1 controls.
_CP1252_TABLE: tuple[str, ...] = tuple(
    bytes([b]).decode("cp1252") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(b) for b in range(256)
)


def _cp1252_error_handler(err: UnicodeError) -> tuple[str, int]:
    """Codec error handler: decode offending bytes one by one as windows-1252."""
    if not isinstance(err, UnicodeDecodeError):
        raise err
    chunk = err.object[err.start:err.end]
    return "".join(_CP1252_TABLE[b] for b in chunk), err.end


codecs.register_error("newsmine-cp1252", _cp1252_error_handler)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET_RE = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.+-]{1,40})""", re.I)
_XML_DECL_RE = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_:.+-]{1,40})""", re.I)
_UTF8_SEQ_RE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH_BYTE_RE = re.compile(rb"[\x80-\xff]")
_LATIN1_ALIASES = {"latin1", "latin-1", "iso-8859-1", "iso8859-1", "iso_8859-1", "l1", "us-ascii", "ascii",
                   "iso-ir-100", "ibm819", "cp819", "csisolatin1", "iso_8859-1:1987", "x-cp1252"}


def _normalize_charset(name: str | None) -> str | None:
    """Return a Python codec name for a declared charset label, or None if unusable."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    if not label:
        return None
    if label in _LATIN1_ALIASES or label in ("windows-1252", "cp1252"):
        return "windows-1252"  # as browsers do (WHATWG encoding standard)
    if label in ("utf8", "utf-8", "unicode-1-1-utf-8", "utf8mb4", "x-unicode20utf8"):
        return "utf-8"
    if label in ("utf-7", "utf7", "x-user-defined", "replacement"):
        return None
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    return "windows-1252" if info.name == "cp1252" else info.name


def _sniff_charset(data: bytes) -> str | None:
    """The charset named by an XML declaration or ``<meta charset>``/http-equiv, if any."""
    head = data[:65536]
    m = _XML_DECL_RE.search(head) or _META_CHARSET_RE.search(head)
    return m.group(1).decode("ascii", "replace") if m else None


def _decode(data: bytes, declared_charset: str | None) -> tuple[str, str, list[str]]:
    """Decode page bytes; return ``(text, charset, warnings)``. Never raises."""
    warnings: list[str] = []
    if len(data) > MAX_INPUT_CHARS:
        data = data[:MAX_INPUT_CHARS]
        warnings.append(f"input truncated to {MAX_INPUT_CHARS} bytes")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace"), encoding, warnings

    declared: list[str] = []
    for label, from_meta in ((declared_charset, False), (_sniff_charset(data), True)):
        if not label:
            continue
        codec = _normalize_charset(label)
        if codec is None:
            warnings.append(f"unknown charset {label.strip()[:40]!r} ignored")
            continue
        if from_meta and codec.startswith(("utf-16", "utf-32")):
            codec = "utf-8"  # a page that can declare it in ASCII is not UTF-16
        if codec not in declared:
            declared.append(codec)

    # Encodings that are not ASCII-compatible must be tried first (UTF-8 would "work").
    for codec in declared:
        if codec.startswith(("utf-16", "utf-32")):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                text = ""
            if "<" in text[:2048]:
                return text, codec, warnings
            warnings.append(f"declared charset {codec} does not match the data")

    # UTF-8 that decodes strictly is almost never anything else.
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        others = [c for c in declared if c != "utf-8" and not c.startswith(("utf-16", "utf-32"))]
        if others and _HIGH_BYTE_RE.search(data):
            warnings.append(f"declared charset {others[0]} ignored: data is valid utf-8")
        return text, "utf-8", warnings

    for codec in declared:
        if codec == "utf-8" or codec.startswith(("utf-16", "utf-32")):
            continue
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        if "utf-8" in declared:
            warnings.append(f"declared charset utf-8 does not match the data; using {codec}")
        return text, codec, warnings

    valid = len(_UTF8_SEQ_RE.findall(data))
    high = len(_HIGH_BYTE_RE.findall(data))
    invalid = high - 2 * valid  # rough: most valid sequences are two bytes long
    if valid and valid >= invalid:
        warnings.append("charset fallback utf-8 with windows-1252 for invalid bytes")
        return data.decode("utf-8", errors="newsmine-cp1252"), "utf-8", warnings
    warnings.append("charset fallback windows-1252")
    return data.decode("cp1252", errors="newsmine-cp1252"), "windows-1252", warnings


def decode_html(data: bytes, declared_charset: str | None = None) -> tuple[str, str]:
    """Decode the bytes of an HTML page; return ``(text, charset used)``.

    Order: byte order mark, then the declared charset (``declared_charset``, e.g. from
    the HTTP header, then ``<meta charset>``/http-equiv), validated against the data:
    bytes that decode strictly as UTF-8 are taken as UTF-8 whatever the page claims,
    and bytes that claim UTF-8 but are not valid UTF-8 fall back to windows-1252
    (a superset of ISO-8859-1, so ``ä ö ü ß`` come out right). Never raises.
    """
    if isinstance(data, str):
        return data, "unicode"
    try:
        text, charset, _ = _decode(bytes(data), declared_charset)
    except Exception:  # noqa: BLE001 - decoding must never fail
        return bytes(data).decode("utf-8", errors="replace"), "utf-8"
    return text, charset


# Mojibake: UTF-8 bytes decoded as windows-1252 ("Ã¤" for "ä", "â€ž" for "„").
_CONT_CHARS = "".join(re.escape(_CP1252_TABLE[b]) for b in range(0x80, 0xC0))
_MOJIBAKE_RE = re.compile(
    f"[\u00c2-\u00df][{_CONT_CHARS}]|[\u00e0-\u00ef][{_CONT_CHARS}]{{2}}|[\u00f0-\u00f4][{_CONT_CHARS}]{{3}}"
)
_CP1252_REVERSE = {ch: i for i, ch in enumerate(_CP1252_TABLE) if i >= 0x80}


def _repair_one(m: re.Match[str]) -> str:
    s = m.group(0)
    try:
        fixed = bytes(_CP1252_REVERSE[c] for c in s).decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        return s
    cp = ord(fixed)
    # Only characters a German page plausibly contains (avoids "ß«" -> an N'Ko letter).
    if 0xA0 <= cp <= 0x24F or 0x2000 <= cp <= 0x206F or cp in (0x20AC, 0x2122):
        return fixed
    return s


def _repair_mojibake(text: str) -> tuple[str, int]:
    """Undo UTF-8-read-as-windows-1252 sequences; return ``(text, number repaired)``."""
    count = 0

    def sub(m: re.Match[str]) -> str:
        nonlocal count
        fixed = _repair_one(m)
        if fixed != m.group(0):
            count += 1
        return fixed

    if "\u00c3" not in text and "\u00c2" not in text and "\u00e2" not in text and "\u00c5" not in text:
        return text, 0
    return _MOJIBAKE_RE.sub(sub, text), count


# --------------------------------------------------------------------------- text helpers

_INVISIBLE_RE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

_BR_MARK = "\u2028"
_DOUBLE_BR_RE = re.compile(f"{_BR_MARK}\\s*{_BR_MARK}")


def _norm(text: str | None) -> str:
    """Collapse whitespace, drop invisible characters; German characters are untouched."""
    if not text:
        return ""
    return " ".join(_INVISIBLE_RE.sub("", text).split())


def _unescape(text: str | None) -> str:
    """Normalise a metadata string that may still contain HTML entities."""
    if not text:
        return ""
    if "&" in text:
        text = html_lib.unescape(text)
    return _norm(text)


def _raw_text(el: _El) -> str:
    try:
        value = _STRING(el)
    except (ValueError, TypeError, lxml.etree.LxmlError):
        return ""
    return value if isinstance(value, str) else ""


def _text_of(el: _El) -> str:
    return _norm(_raw_text(el))


def _link_text_len(el: _El) -> int:
    total = 0
    for a in el.iter("a"):
        total += len(_norm(_raw_text(a)))
    return total


def _in_link(el: _El, levels: int = 6) -> bool:
    """Whether ``el`` sits inside an ``<a>`` (a teaser card: block content wrapped in a link)."""
    node = el.getparent()
    n = 0
    while node is not None and n < levels:
        if node.tag == "a":
            return True
        node = node.getparent()
        n += 1
    return False


def _classid(el: _El) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}".lower()


def _is_element(el: Any) -> bool:
    return isinstance(getattr(el, "tag", None), str)


# Pre-selections in C: only elements that carry the attributes a pass looks at.
_xp_classid = lxml.etree.XPath("//*[@class or @id]")
_xp_attrs = lxml.etree.XPath("//*[@class or @id or @itemprop]")
_xp_byline = lxml.etree.XPath("//*[@class or @id or @itemprop or @rel]")
_xp_boiler = lxml.etree.XPath("//*[@class or @id or @role or @hidden or self::header or self::form]")


def _ancestors(el: _El, limit: int = 400) -> Iterator[_El]:
    parent = el.getparent()
    n = 0
    while parent is not None and n < limit:
        yield parent
        parent = parent.getparent()
        n += 1


def _drop(el: _El) -> None:
    """Remove an element with its subtree, keeping its tail text."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    try:
        parent.remove(el)
    except (ValueError, lxml.etree.LxmlError):
        pass


# --------------------------------------------------------------------------- dates

_MONTHS = {
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
_MONTH_ALT = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
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
    s = _norm(value)[:200]
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
            return _iso(int(m["y"]), _MONTHS[m["mon"].lower()], int(m["d"]), m["hh"], m["mi"], m["ss"])
        m = _EN_TEXT_RE.search(s)
        if m:
            return _iso(int(m["y"]), _MONTHS[m["mon"].lower()], int(m["d"]), m["hh"], m["mi"], m["ss"])
    except (ValueError, KeyError, OverflowError):
        return None
    return None


def _find_visible_dates(text: str) -> tuple[str | None, str | None]:
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


# --------------------------------------------------------------------------- patterns

_ARTICLE_TYPES = {
    "newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "reviewnewsarticle", "backgroundnewsarticle", "askpublicnewsarticle", "blogposting", "liveblogposting",
    "report", "techarticle", "satiricalarticle", "socialmediaposting", "posting",
}
_DROP_TAGS = (
    "script", "style", "noscript", "template", "nav", "footer", "aside", "iframe", "frame",
    "frameset", "button", "select", "input", "textarea", "object", "embed", "video", "audio", "canvas",
    "svg", "map", "dialog", "menu", "link", "meta", "head", "picture", "source", "img",
)
_DROP_ROLES = {"navigation", "contentinfo", "search", "complementary", "dialog", "alertdialog", "menu",
               "menubar", "toolbar"}
# Always removed.
_STRONG_BOILER_RE = re.compile(
    r"cookie|consent|gdpr|newsletter|comments?(?:$|[\s_-])|kommentare|disqus|advert|(?:^|[\s_])ads?(?:$|[\s_-])"
    r"|(?:^|[\s_])ad-|-ad(?:$|[\s_])|adslot|ad_slot|anzeige|outbrain|taboola|breadcrumb|social|share|sharing"
    r"|sr-only|visually-hidden|screen-reader|skip-?link|print-only|banner-ad"
)
_EXEMPT_BOILER_RE = re.compile(r"cookie|consent|gdpr|newsletter|comment|kommentar|disqus")
# Removed unless the element holds most of the page's paragraph text.
_WEAK_BOILER_RE = re.compile(
    r"paywall|teaser-?list|related|recommend|meistgelesen|most-?read|mostviewed|most-?popular|popular"
    r"|promo|sidebar|widget|trending|toplist|top-?news|more-?articles|weitere|empfehlung|read-?more"
    r"|subscribe|abo-?(?:box|teaser|hint)|plus-?teaser|login|signup|overlay|modal"
)
# Footer-like blocks ("article-footer", "story__footer"): removed unless they wrap much of the text.
_FOOTER_CLASS_RE = re.compile(r"footer")
_POSITIVE_RE = re.compile(
    r"article-?body|article__body|articlebody|article-?text|article__text|artikel|story|content|text|entry"
    r"|post-?body|main|body|copy"
)
_NEGATIVE_RE = re.compile(
    r"comment|meta|footer|sidebar|teaser|promo|widget|caption|byline|author|navigation|menu|tags|sponsor"
    r"|banner|related|shop|contact"
)
_LEAD_RE = re.compile(r"(?:^|[\s_-])(lead|intro|standfirst|teaser-?text|teaser__text|summary|abstract|vorspann"
                      r"|subtitle|article__lead|article-lead)(?:$|[\s_-])")
_BYLINE_RE = re.compile(r"author|byline|autor|verfasser|credits-?author")
_CAPTION_CLASS_RE = re.compile(r"caption|bildunterschrift|bu-text|image-?text|img-?text|legend")
_CREDIT_CLASS_RE = re.compile(r"credit|copyright|source|photographer|fotograf|quelle|foto|photo-?by")
_BOX_HEADINGS = (
    "meistgelesen", "meistgelesene artikel", "meistgelesene nachrichten", "meist gelesen", "neueste artikel",
    "neueste nachrichten", "zum thema", "aus dem ressort", "mehr zum thema", "auch interessant",
    "das könnte sie auch interessieren", "das könnte dich auch interessieren", "lesen sie auch",
    "weitere artikel", "weitere nachrichten", "mehr aus dem ressort", "mehr nachrichten", "top-themen",
    "topthemen", "empfehlungen", "unsere empfehlungen", "beliebte artikel", "verwandte artikel",
    "ähnliche artikel", "newsletter", "kommentare", "artikel teilen", "teilen",
)
_BOX_HEADINGS_SET = set(_BOX_HEADINGS)
_BOX_HEADING_PREFIX_RE = re.compile(
    "(?:" + "|".join(re.escape(h) for h in _BOX_HEADINGS if h != "teilen") + r") .{1,35}$"
)
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCK_TAGS = frozenset((
    "address", "article", "aside", "blockquote", "dd", "details", "dialog", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr",
    "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "thead", "tfoot", "tr", "td", "th",
    "ul", "center", "summary", "caption", "body", "html",
))
_UNIT_TAGS = frozenset(("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "dt", "dd", "td", "th",
                        "caption", "address", "blockquote", "div", "section", "article", "header", "summary"))

_CREDIT_LINE_RE = re.compile(
    r"^(?:\(?\s*(?:foto|fotos|bild|bilder|grafik|illustration|video|quelle|copyright|titelbild|titelfoto"
    r"|symbolbild|symbolfoto|archivbild|archivfoto|fotomontage|montage|karte|bildquelle|bildrechte|photo)"
    r"\s*(?:[:©/]|\(c\))|©|\(c\)\s|copyright\s)",
    re.I,
)
_CREDIT_TAIL_RE = re.compile(
    r"\s*[(\[|/–-]?\s*(?:(?:fotos?|bild|quelle|grafik|archivbild|archivfoto|symbolbild|symbolfoto|photo)\s*(?::|©)"
    r"|©|\(c\)\s).*$",
    re.I,
)
_SHORT_CREDIT_RE = re.compile(r"^(?:dpa|afp|ap|epd|kna|sid|reuters|imago|getty images|picture alliance)"
                              r"(?:\s*[/|,]\s*[\w .-]{0,40})?$", re.I)
_READ_ALSO_RE = re.compile(
    r"^(?:(?:lesen sie auch|lies auch|lesetipp|hier lesen sie|das könnte sie auch interessieren"
    r"|empfehlung der redaktion)\b"
    # phrases that can also open a real sentence ("Zum Thema Verkehr sagte ...") need a colon or dash
    r"|(?:auch interessant|mehr zum thema|zum thema|weiterlesen|mehr dazu|mehr lesen|passend dazu|siehe auch)"
    r"\s*(?:[:\-–—]|$))",
    re.I,
)
_TEASER_PHRASES = (
    "jetzt abonnieren", "weiterlesen mit", "sie haben bereits ein abo", "jetzt weiterlesen",
    "newsletter abonnieren", "zum newsletter", "jetzt registrieren", "jetzt anmelden", "mit plus weiterlesen",
    "abo abschließen", "jetzt kostenlos registrieren", "dieser artikel ist exklusiv", "exklusiv für abonnenten",
    "wir verwenden cookies", "cookie-einstellungen", "artikel teilen", "artikel drucken", "artikel merken",
    "hier geht es zum newsletter", "hier geht's zum newsletter", "kostenlosen newsletter",
)
# Ancestors that mark a teaser card or teaser list (not the article's own "teaser text" lead).
_TEASER_BOX_RE = re.compile(r"(?:^|\s)teaser(?:$|\s|--|_(?!_?text|_?lead))|teaser-?list|teaser-?box")
# "Mehr aus dem Ressort Lokales", "Mehr zum Thema: ...", "Alle Artikel aus Essen": link lines closing an article.
_MORE_LINE_RE = re.compile(
    r"^(?:mehr\s+(?:aus|zum|zu|von|über|ueber|news|nachrichten|artikel|themen|lesen|dazu|infos?)\b"
    r"|weitere\s+(?:artikel|nachrichten|themen|news|infos?|meldungen)\b|alle\s+(?:artikel|nachrichten|news|meldungen)\b"
    r"|zur(?:ück zur)?\s+(?:übersicht|startseite|ressort)|zurück\b)",
    re.I,
)
# Live-blog entry chrome: "00:51 Uhr", "Heute, 14:05", "vor 5 Minuten", "Update 14:05 Uhr".
_TIME_LINE_RE = re.compile(
    r"^(?:(?:update|aktualisiert|neu|heute|gestern|vorgestern|montag|dienstag|mittwoch|donnerstag|freitag"
    r"|samstag|sonntag|mo|di|mi|do|fr|sa|so)\.?\s*[,:|·–-]?\s*)?(?:um\s+)?(?:[01]?\d|2[0-3])[:.][0-5]\d"
    r"(?:[:.][0-5]\d)?\s*(?:uhr|h)?\.?$"
    r"|^vor\s+(?:\d+|einer|einem|wenigen)\s+(?:sekunden?|minuten?|min\.?|stunden?|std\.?|tagen?)$",
    re.I,
)
_AD_LINES = {"anzeige", "werbung", "advertisement", "sponsored", "- anzeige -", "– anzeige –"}
_NAME_PARTICLES = {"von", "van", "de", "der", "den", "del", "da", "di", "du", "la", "le", "zu", "zur", "vom",
                   "ter", "ten", "al", "el", "bin", "ibn", "y", "und"}
_AGENCIES = {"dpa", "afp", "ap", "epd", "kna", "sid", "reuters", "dts", "ddp", "apa", "red", "redaktion"}
_NOT_NAME_WORDS = {"uhr", "stand", "aktualisiert", "foto", "bild", "quelle", "mehr", "artikel", "teilen",
                   "kommentar", "kommentare", "minuten", "lesezeit", "update", "von", "am", "um", "heute",
                   "gestern", "autor", "autorin", "folgen", "profil", "e-mail", "mail", "redakteur", "redakteurin",
                   "newsletter", "anzeige", "startseite", "anfang", "ende", "mitte", "seit", "bis",
                   "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
                   "januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september",
                   "oktober", "november", "dezember"}
_BYLINE_PREFIX_RE = re.compile(r"^(?:ein\s+(?:bericht|beitrag|kommentar)\s+)?(?:von|text|autor|autorin|autoren"
                               r"|verfasst von|geschrieben von|by)\s*[:]?\s+", re.I)
_NAME_SPLIT_RE = re.compile(r"\s*(?:,|;|&|\bund\b|\band\b|/|\|)\s*")
_HOME_WORDS = {"start", "startseite", "home", "homepage", "übersicht", "nachrichten", "news"}
_TITLE_SEP_RE = re.compile(r"\s+(?:\||–|—|-|::|·|»)\s+")


def _norm_key(text: str) -> str:
    return _norm(text).casefold().rstrip(" :.!?…").strip()


def _is_box_heading(text: str) -> bool:
    """ "Meistgelesen", "Zum Thema", "Mehr zum Thema Verkehr", "Lesen Sie auch:" ..."""
    if len(text) > 200:
        return False
    key = _norm_key(text)
    if not key or len(key) > 80:
        return False
    return key in _BOX_HEADINGS_SET or bool(_BOX_HEADING_PREFIX_RE.match(key))


def _looks_like_name(s: str, strict: bool = True) -> bool:
    """Plausible person name ("Anna Schmidt", "Selin Aydın", "Hans-Peter von der Heide")."""
    if not s or len(s) > 60 or any(ch.isdigit() for ch in s) or "@" in s or "http" in s.lower():
        return False
    tokens = s.split()
    if len(tokens) == 1:
        return s.casefold() in _AGENCIES if strict else (s[0].isupper() or s.casefold() in _AGENCIES)
    if len(tokens) > 5:
        return False
    if any(t.casefold().strip(".") in _NOT_NAME_WORDS and t.casefold() not in _NAME_PARTICLES for t in tokens):
        return False
    for t in tokens:
        if t.casefold() in _NAME_PARTICLES:
            continue
        if not t[0].isupper():
            return False
        if not all(ch.isalpha() or ch in "-.'’" for ch in t):
            return False
    return tokens[-1].casefold() not in _NAME_PARTICLES


def _clean_author(raw: str) -> str:
    s = _unescape(raw)
    s = _BYLINE_PREFIX_RE.sub("", s).strip(" ,;|·–-")
    return s


def _split_names(raw: str, strict: bool) -> list[str]:
    """Split an author string into names; structured sources (strict=False) may keep odd names."""
    s = _clean_author(raw)
    if not s:
        return []
    parts = [p.strip(" .,;|·–-") for p in _NAME_SPLIT_RE.split(s)]
    parts = [p for p in parts if p]
    if parts and all(_looks_like_name(p, strict=True) for p in parts):
        return parts
    # "Anna Schmidt, Redakteurin" or "Anna Schmidt, Duisburg": keep the names.
    names = [p for p in parts if _looks_like_name(p, strict=True)]
    if names or strict:
        return names
    if len(s) <= 100 and not s.lower().startswith("http"):
        return [s]  # structured data: an organisation name like "Rhein-Ruhr-Bote"
    return []


def _dedupe(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        key = item.casefold()
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _normalize_language(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name")
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    if not isinstance(value, str):
        return None
    s = value.strip().replace("_", "-")
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", s):
        return None
    parts = s.split("-")
    out = [parts[0].lower()]
    for p in parts[1:]:
        out.append(p.upper() if len(p) == 2 else p)
    return "-".join(out)


def _absolute_url(value: Any, base: str | None) -> str | None:
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url")
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    if not isinstance(value, str):
        return None
    href = value.strip()
    if not href or len(href) > 2000 or any(ch.isspace() for ch in href):
        return None
    try:
        if base:
            href = urljoin(base, href)
        parts = urlsplit(href)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return href


# --------------------------------------------------------------------------- JSON-LD


def _parse_json_ld(raw: str) -> Any:
    s = raw.strip()
    for junk in ("<!--", "-->", "//<![CDATA[", "//]]>", "<![CDATA[", "]]>"):
        s = s.replace(junk, "")
    s = s.strip().rstrip(";")
    if not s:
        return None
    try:
        return json.loads(s, strict=False)
    except (ValueError, RecursionError):
        pass
    repaired = re.sub(r",\s*([}\]])", r"\1", s)
    try:
        return json.loads(repaired, strict=False)
    except (ValueError, RecursionError):
        return None


def _json_nodes(data: Any, limit: int = 5000) -> list[dict[str, Any]]:
    """All dicts in a JSON-LD document (iteratively, depth- and size-limited)."""
    out: list[dict[str, Any]] = []
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack and len(out) < limit:
        node, depth = stack.pop()
        if depth > 40:
            continue
        if isinstance(node, dict):
            out.append(node)
            for value in node.values():
                if isinstance(value, dict | list):
                    stack.append((value, depth + 1))
        elif isinstance(node, list):
            for value in reversed(node):
                if isinstance(value, dict | list):
                    stack.append((value, depth + 1))
    return out


def _types(node: dict[str, Any]) -> set[str]:
    t = node.get("@type")
    values = t if isinstance(t, list) else [t]
    out = set()
    for v in values:
        if isinstance(v, str):
            out.add(v.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower())
    return out


def _first_str(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        for v in value:
            if isinstance(v, str) and v.strip():
                return v
    if isinstance(value, dict):
        for key in ("name", "@value", "text"):
            if isinstance(value.get(key), str):
                return value[key]
    return None


@dataclass
class _JsonLd:
    headline: str | None = None
    published: str | None = None
    modified: str | None = None
    authors: list[str] = field(default_factory=list)
    section: str | None = None
    description: str | None = None
    body: str | None = None
    url: str | None = None
    language: str | None = None
    breadcrumb_section: str | None = None


def _json_ld_authors(value: Any, index: dict[str, dict[str, Any]]) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items[:50]:
        if isinstance(item, dict) and set(item) <= {"@id", "@type"} and isinstance(item.get("@id"), str):
            item = index.get(item["@id"], item)
        if isinstance(item, str):
            names.extend(_split_names(item, strict=False))
        elif isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, list):
                for n in name:
                    if isinstance(n, str):
                        names.extend(_split_names(n, strict=False))
            elif isinstance(name, str):
                names.extend(_split_names(name, strict=False))
            else:
                given, family = item.get("givenName"), item.get("familyName")
                if isinstance(given, str) and isinstance(family, str):
                    names.append(_norm(f"{given} {family}"))
    return names


def _read_json_ld(root: _El, warnings: list[str]) -> _JsonLd:
    result = _JsonLd()
    nodes: list[dict[str, Any]] = []
    bad = 0
    for script in root.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        data = _parse_json_ld(script.text or "")
        if data is None:
            bad += 1
            continue
        nodes.extend(_json_nodes(data))
    if bad:
        warnings.append(f"invalid JSON-LD ignored ({bad} block{'s' if bad > 1 else ''})")
    if not nodes:
        return result
    index = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str) and len(n) > 2}
    articles = [n for n in nodes if _types(n) & _ARTICLE_TYPES
                or any(t.endswith("newsarticle") for t in _types(n))]
    webpages = [n for n in nodes if _types(n) & {"webpage", "itempage", "collectionpage"}]
    for n in nodes:
        if "breadcrumblist" in _types(n) and result.breadcrumb_section is None:
            result.breadcrumb_section = _breadcrumb_from_json(n)
        if result.language is None and n.get("inLanguage") is not None:
            result.language = _normalize_language(n.get("inLanguage"))
    if not articles:
        if webpages:
            page = webpages[0]
            result.published = parse_date(_first_str(page.get("datePublished")))
            result.modified = parse_date(_first_str(page.get("dateModified")))
        return result

    def rank(n: dict[str, Any]) -> tuple[int, int]:
        body = n.get("articleBody")
        return (len(body) if isinstance(body, str) else 0, 1 if n.get("headline") else 0)

    art = max(articles, key=rank)
    result.headline = _unescape(_first_str(art.get("headline")) or _first_str(art.get("name"))) or None
    result.published = parse_date(_first_str(art.get("datePublished")) or _first_str(art.get("dateCreated")))
    result.modified = parse_date(_first_str(art.get("dateModified")))
    authors = _json_ld_authors(art.get("author"), index) or _json_ld_authors(art.get("creator"), index)
    result.authors = _dedupe(a for a in authors if a)
    result.section = _unescape(_first_str(art.get("articleSection"))) or None
    result.description = _unescape(_first_str(art.get("description"))) or None
    body = art.get("articleBody") or art.get("text")
    if isinstance(body, str) and body.strip():
        result.body = body
    result.url = art.get("url") or art.get("mainEntityOfPage")  # resolved by the caller
    if art.get("inLanguage") is not None:
        result.language = _normalize_language(art.get("inLanguage")) or result.language
    return result


def _breadcrumb_from_json(node: dict[str, Any]) -> str | None:
    items = node.get("itemListElement")
    if not isinstance(items, list):
        return None
    named: list[tuple[int, str]] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        name = item.get("name")
        if not isinstance(name, str) and isinstance(item.get("item"), dict):
            name = item["item"].get("name")
        pos = item.get("position")
        if isinstance(name, str) and name.strip():
            named.append((pos if isinstance(pos, int) else i, _unescape(name)))
    named.sort(key=lambda t: t[0])
    names = [n for _, n in named if n.casefold() not in _HOME_WORDS]
    if len(names) >= 2:
        return names[-2]  # the last item is usually the article itself
    return None


# --------------------------------------------------------------------------- meta tags


def _read_meta(root: _El) -> dict[str, list[str]]:
    meta: dict[str, list[str]] = {}
    for el in root.iter("meta"):
        content = el.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = el.get(attr)
            if key:
                meta.setdefault(key.strip().lower(), []).append(content)
    return meta


def _meta_first(meta: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        for value in meta.get(key, ()):
            text = _unescape(value)
            if text:
                return text
    return None


_PUBLISHED_KEYS = (
    "article:published_time", "og:article:published_time", "datepublished", "og:published_time",
    "published_time", "article.published", "pubdate", "publishdate", "publish-date", "publication_date",
    "date", "dc.date", "dc.date.issued", "dcterms.date", "dcterms.issued", "dcterms.created",
    "sailthru.date", "parsely-pub-date", "og:pubdate", "datecreated",
)
_MODIFIED_KEYS = (
    "article:modified_time", "og:article:modified_time", "datemodified", "og:updated_time", "modified_time",
    "article.updated", "dcterms.modified", "dc.date.modified", "last-modified", "lastmod", "revised",
)


# --------------------------------------------------------------------------- page cleaning


def _collect_captions(root: _El) -> list[str]:
    """Collect image captions (without photo credits) and remove figures/caption elements."""
    captions: list[str] = []
    targets: list[_El] = []
    for el in root.iter("figure", "figcaption"):
        targets.append(el)
    for el in _xp_attrs(root):
        if not _is_element(el) or el.tag in ("figure", "figcaption", "body", "html", "article", "main"):
            continue
        cid = _classid(el)
        if (cid.strip() and _CAPTION_CLASS_RE.search(cid)) or (el.get("itemprop") or "").lower() == "caption":
            targets.append(el)
    for el in targets:
        nodes = [el] if el.tag != "figure" else []
        if el.tag == "figure":
            nodes = list(el.iter("figcaption")) or [
                d for d in el.iter() if _is_element(d) and d is not el and _CAPTION_CLASS_RE.search(_classid(d))
            ]
        for node in nodes:
            text = _caption_text(node)
            if text:
                captions.append(text)
    for el in targets:
        if el.tag == "figure" or el.tag == "figcaption" or len(_text_of(el)) < 600:
            _drop(el)
    return _dedupe(captions)


def _caption_text(node: _El) -> str:
    parts: list[str] = []
    skip: set[_El] = set()
    for d in node.iter():
        if not _is_element(d) or d is node:
            continue
        if _CREDIT_CLASS_RE.search(_classid(d)):
            skip.add(d)
    if skip:
        # text of node without the credit subtrees
        for piece in _itertext_skipping(node, skip):
            parts.append(piece)
        text = _norm(" ".join(parts))
    else:
        text = _text_of(node)
    text = _CREDIT_TAIL_RE.sub("", text).strip()
    if _CREDIT_LINE_RE.match(text) or _SHORT_CREDIT_RE.match(text):
        return ""
    return text if len(text) >= 3 else ""


def _itertext_skipping(node: _El, skip: set[_El]) -> Iterator[str]:
    stack: list[tuple[_El, bool]] = [(node, False)]
    while stack:
        el, tail_only = stack.pop()
        if tail_only:
            if el.tail:
                yield el.tail
            continue
        if el is not node:
            stack.append((el, True))
        if el in skip or not isinstance(el.tag, str):
            continue
        if el.text:
            yield el.text
        for child in reversed(list(el)):
            stack.append((child, False))


def _paragraph_text_total(el: _El) -> int:
    total = 0
    for p in el.iter("p"):
        n = len(_norm(_raw_text(p)))
        if n >= 25:
            total += n
    return total


def _remove_boilerplate(root: _El) -> None:
    """Remove navigation, site headers, forms, class-matched boxes (cookie, newsletter...)."""
    doomed: list[_El] = []
    for el in root.iter(*_DROP_TAGS):
        if el.tag == "script" and "ld+json" in (el.get("type") or "").lower():
            doomed.append(el)
            continue
        if el.tag == "img":
            continue  # harmless; kept for tail text
        doomed.append(el)
    for el in doomed:
        _drop(el)

    doc_total = 0
    weak: list[_El] = []
    strong: list[_El] = []
    forms: list[_El] = []
    footers: list[_El] = []
    for el in _xp_boiler(root):
        if not _is_element(el) or el.tag in ("html", "body", "main", "article"):
            continue
        role = (el.get("role") or "").lower()
        if role in _DROP_ROLES:
            strong.append(el)
            continue
        if el.tag == "form":
            forms.append(el)  # some CMS (ASP.NET) wrap the whole page in a <form>
            continue
        if el.tag == "header" or role == "banner":
            if not any(a.tag in ("article", "main") for a in _ancestors(el)):
                has_h1 = next(el.iter("h1"), None) is not None
                if not has_h1 or next(el.iter("nav"), None) is not None:
                    strong.append(el)
                    continue
        if (el.get("itemprop") or "").lower() in ("articlebody", "text"):
            continue
        cid = _classid(el).strip()
        if not cid:
            continue
        if el.get("hidden") is not None and el.tag not in ("div", "section"):
            strong.append(el)
        elif _STRONG_BOILER_RE.search(cid):
            strong.append(el)
        elif _WEAK_BOILER_RE.search(cid):
            weak.append(el)
        elif _FOOTER_CLASS_RE.search(cid):
            footers.append(el)
    if weak or strong or forms or footers:
        doc_total = _paragraph_text_total(root)

    def holds_the_article(el: _El) -> bool:
        inside = _paragraph_text_total(el)
        return bool(doc_total) and inside >= 400 and inside >= 0.5 * doc_total

    for el in strong:
        cid = _classid(el)
        if (el.getparent() is not None and not _EXEMPT_BOILER_RE.search(cid) and _POSITIVE_RE.search(cid)
                and holds_the_article(el)):
            continue  # e.g. <div class="content has-social-bar"> around the article
        _drop(el)
    for el in weak:
        if el.getparent() is None or holds_the_article(el):
            continue  # e.g. a paywall wrapper around the article text itself
        _drop(el)
    for el in footers:
        if el.getparent() is None or (doc_total and _paragraph_text_total(el) > 0.3 * doc_total):
            continue  # e.g. <div class="page has-sticky-footer"> around the article
        _drop(el)
    for el in forms:
        if el.getparent() is None or (doc_total and _paragraph_text_total(el) >= 0.5 * doc_total):
            continue
        if next(el.iter("h1"), None) is None:
            _drop(el)


def _remove_boxes(root: _El) -> None:
    """Remove blocks headed "Meistgelesen", "Zum Thema", "Lesen Sie auch" and the like."""
    candidates: list[_El] = []
    for el in root.iter():
        if not _is_element(el):
            continue
        if el.tag in _HEADING_TAGS:
            candidates.append(el)
        elif el.tag in ("p", "strong", "b", "span", "div", "dt", "legend", "header") and len(el) <= 2:
            if len(el) == 0:
                if el.text and len(el.text) < 200 and _is_box_heading(el.text):
                    candidates.append(el)
            elif "head" in _classid(el) or "title" in _classid(el):
                candidates.append(el)
    for el in candidates:
        if el.getparent() is None:
            continue
        text = _text_of(el)
        if not _is_box_heading(text):
            continue
        heading = el
        # climb through pure wrappers (<h2><span>Zum Thema</span></h2>)
        while True:
            parent = heading.getparent()
            if parent is None or parent.tag in ("body", "html", "main", "article") or _text_of(parent) != text:
                break
            heading = parent
        box = heading.getparent()
        if box is None:
            continue
        box_text = _text_of(box)
        box_plain = len(box_text) - _link_text_len(box) - len(text)
        protected = box.tag in ("body", "html", "main", "article") or (box.get("itemprop") or "").lower() == "articlebody"
        before = 0  # article text ahead of the heading in the same parent: the heading is inside the body
        for sib in heading.itersiblings(preceding=True):
            if _is_element(sib):
                before += len(_text_of(sib)) - _link_text_len(sib)
                if before >= 80:
                    break
        if not protected and box_plain < 300 and before < 80:
            _drop(box)
            continue
        # heading inside the body: drop it and the link lists that follow it
        follower = heading.getnext()
        _drop(heading)
        while follower is not None:
            nxt = follower.getnext()
            if not _is_element(follower):
                follower = nxt
                continue
            ftext = _text_of(follower)
            links = _link_text_len(follower)
            if follower.tag in _HEADING_TAGS:
                break
            linky = bool(ftext) and links / max(1, len(ftext)) > 0.4
            listy = follower.tag in ("ul", "ol", "dl")
            teaser_div = follower.tag in ("div", "section", "article", "aside") and links > 0 and len(ftext) - links < 300
            read_also = follower.tag == "p" and bool(_READ_ALSO_RE.match(ftext))
            if not (linky or listy or teaser_div or read_also):
                break
            _drop(follower)
            follower = nxt


# --------------------------------------------------------------------------- heuristics


def _choose_h1(root: _El, page_title: str) -> _El | None:
    best: tuple[int, int] | None = None
    chosen = None
    for i, h1 in enumerate(root.iter("h1")):
        text = _text_of(h1)
        if not text:
            continue
        score = 0
        if any(a.tag in ("article", "main") for a in _ancestors(h1)):
            score += 2
        if page_title and text.casefold() in page_title.casefold():
            score += 1
        if len(text) > 20:
            score += 1
        key = (score, -i)
        if best is None or key > best:
            best, chosen = key, h1
        if i > 20:
            break
    return chosen


def _clean_title(title: str, site_name: str | None, host: str | None = None) -> str:
    """Strip a trailing (or leading) site name: "Titel | Rhein-Ruhr-Bote" -> "Titel"."""
    parts = _TITLE_SEP_RE.split(title)
    if len(parts) < 2:
        return title
    if site_name:
        key = site_name.casefold()
        if parts[-1].casefold() == key or key in parts[-1].casefold():
            return title[: title.rfind(parts[-1])].rstrip(" |–—-:·»")
        if parts[0].casefold() == key:
            return title[len(parts[0]):].lstrip(" |–—-:·»")
    # without a known site name: drop a short last segment after " | ", or one naming the host
    last = parts[-1]
    squashed = re.sub(r"[^a-z0-9]", "", last.casefold().replace("ü", "ue").replace("ö", "oe").replace("ä", "ae"))
    named_host = bool(host and squashed and len(squashed) >= 3 and squashed in re.sub(r"[^a-z0-9]", "", host.lower()))
    if (named_host or (" | " in title and len(last) <= 40)) and len(title) - len(last) >= 15:
        return title[: title.rfind(last)].rstrip(" |–—-:·»")
    return title


def _byline_authors(root: _El) -> tuple[list[str], list[_El]]:
    """Authors from byline markup; also the byline elements found (removed from the text later)."""
    names: list[str] = []
    elements: list[_El] = []
    for el in _xp_byline(root):
        if not _is_element(el) or el.tag in ("html", "body", "article", "main"):
            continue
        itemprop = (el.get("itemprop") or "").lower()
        rel = (el.get("rel") or "").lower()
        cid = _classid(el)
        if not (itemprop == "author" or rel == "author" or (cid.strip() and _BYLINE_RE.search(cid))):
            continue
        text = _text_of(el)
        if not text or len(text) > 200:
            continue
        elements.append(el)
        inner = [d for d in el.iter() if _is_element(d) and (d.get("itemprop") or "").lower() == "name"]
        source = [_text_of(d) for d in inner] if inner else [text]
        for s in source:
            s = re.split(r"\s[·|•]\s|\s[–—]\s|\s\|\s?|\|", s)[0]
            names.extend(_split_names(s, strict=True))
    return _dedupe(names), elements


_VON_RE = re.compile(r"^(?:von|text|autor(?:in)?)\s*:?\s+(.{3,120})$", re.I)


def _von_bylines(root: _El) -> tuple[list[str], list[_El]]:
    """"Von Anna Schmidt" lines in short elements."""
    names: list[str] = []
    elements: list[_El] = []
    for el in root.iter("p", "span", "div", "address", "small", "strong", "em", "b", "li"):
        first = (el.text or "").strip()
        if not first or not first[:6].lower().startswith(("von", "text", "autor")):
            continue
        text = _text_of(el)
        if len(text) > 150:
            continue
        m = _VON_RE.match(text)
        if not m:
            continue
        rest = re.split(r"\s[·|•]\s|\s[–—]\s|\s\|\s?|\|", m.group(1))[0]
        found = _split_names(rest, strict=True)
        if found:
            names.extend(found)
            elements.append(el)
        if len(elements) >= 3:
            break
    return _dedupe(names), elements


def _time_dates(root: _El) -> tuple[str | None, str | None]:
    """``(published, modified)`` from ``<time datetime>``; times inside <article>/<main> first."""
    explicit_pub: str | None = None
    found: list[tuple[int, int, str, bool]] = []
    for i, el in enumerate(root.iter("time")):
        if i > 200:
            break
        iso = parse_date(el.get("datetime") or el.get("content") or _text_of(el))
        if not iso:
            continue
        hint = f"{el.get('itemprop') or ''} {_classid(el)}".lower()
        prev = el.getprevious()
        parent = el.getparent()
        before = (prev.tail if prev is not None else (parent.text if parent is not None else "")) or ""
        is_mod = bool(re.search(r"modif|update|aktualis|geändert", hint) or _MODIFIED_HINT_RE.search(before[-30:]))
        if not is_mod and (el.get("pubdate") is not None or re.search(r"publish|pubdate|datepublished", hint)):
            explicit_pub = explicit_pub or iso
        in_article = any(a.tag in ("article", "main") for a in _ancestors(el))
        found.append((0 if in_article else 1, i, iso, is_mod))
    found.sort()
    published = explicit_pub or next((iso for _, _, iso, mod in found if not mod), None)
    modified = next((iso for _, _, iso, mod in found if mod), None)
    return published, modified


_DATE_CLASS_RE = re.compile(r"date|datum|time|zeit|meta|byline|published|dateline|info|stand")


def _date_elements_text(root: _El) -> Iterator[str]:
    for el in _xp_classid(root):
        if not _is_element(el):
            continue
        cid = _classid(el)
        if cid.strip() and _DATE_CLASS_RE.search(cid):
            text = _text_of(el)
            if 6 <= len(text) <= 200:
                yield text


def _lead_elements(root: _El) -> list[_El]:
    """Elements marked up as lead/teaser/standfirst (class or itemprop), in document order."""
    found: list[_El] = []
    for el in _xp_attrs(root):
        if not _is_element(el) or el.tag in ("html", "body", "article", "main", "meta"):
            continue
        cid = _classid(el)
        itemprop = (el.get("itemprop") or "").lower()
        if (cid.strip() and _LEAD_RE.search(cid)) or itemprop in ("description", "abstract"):
            if any(el in set(_ancestors(f, 50)) or f in set(_ancestors(el, 50)) for f in found):
                continue
            if _in_link(el) or any(_TEASER_BOX_RE.search(_classid(a)) for a in _ancestors(el, 8)
                                   if a.get("class")):
                continue  # the text of a teaser card, not the article's lead
            text = _text_of(el)
            if 30 <= len(text) <= 1200 and _link_text_len(el) < 0.3 * len(text):
                found.append(el)
                if len(found) >= 10:
                    break
    return found


def _in_region(el: _El, containers: list[_El]) -> bool:
    """Whether ``el`` lies in the article around the main containers (up to 3 levels up)."""
    ancestors = set(_ancestors(el))
    for container in containers:
        if container in ancestors:
            return True
        node = container.getparent()
        for _ in range(3):
            if node is None or node.tag in ("body", "html"):
                break
            if node in ancestors:
                return True
            if node.tag in ("article", "main"):
                break
            node = node.getparent()
    return False


def _after_containers(body: _El, el: _El, containers: list[_El]) -> bool:
    """Whether ``el`` follows the first main container in document order without lying inside one
    (a lead comes before the text; a "teaser text" after it belongs to a sidebar or teaser list)."""
    if not containers:
        return False
    ancestors = set(_ancestors(el))
    if any(c is el or c in ancestors for c in containers):
        return False
    first = containers[0]
    for node in body.iter():
        if node is el:
            return False
        if node is first:
            return True
    return False


# --------------------------------------------------------------------------- main content


def _sibling_key(el: _El) -> tuple[str, str]:
    """Tag and class with digits removed: entries of one list ("entry entry--3") share it."""
    return el.tag, re.sub(r"\d+", "", el.get("class") or "").strip()


def _score_candidates(body: _El) -> dict[_El, float]:
    scores: dict[_El, float] = {}
    # paragraph weight inside the 3 ancestors above each paragraph (for sibling aggregation)
    deep: dict[_El, float] = {}

    def add(el: _El | None, w: float) -> None:
        if el is not None and _is_element(el):
            scores[el] = scores.get(el, 0.0) + w

    for p in body.iter("p", "pre"):
        n = len(_text_of(p))
        if n < 25:
            continue
        if _in_link(p):
            continue  # teaser card: the whole block is a link
        links = _link_text_len(p)
        w = n * max(0.0, 1.0 - links / n)
        if w <= 0:
            continue
        parent = p.getparent()
        add(parent, w)
        if parent is not None:
            add(parent.getparent(), w / 2)
        node = parent
        for _ in range(3):
            if node is None or node.tag in ("body", "html"):
                break
            deep[node] = deep.get(node, 0.0) + w
            node = node.getparent()
    # A parent of several similar sibling blocks that each hold text (live-blog entries,
    # "text-block" divs) gets their combined weight, so that it beats any single block.
    groups: dict[tuple[_El, tuple[str, str]], list[float]] = {}
    for el, w in deep.items():
        parent = el.getparent()
        if parent is None or el.tag in ("p", "pre"):
            continue
        groups.setdefault((parent, _sibling_key(el)), []).append(w)
    for (parent, _key), weights in groups.items():
        if len(weights) >= 3:
            total = sum(weights)
            if max(weights) <= 0.6 * total:
                add(parent, total)
    for el in body.iter("div", "section", "td", "article", "main", "body"):
        direct = len(_norm(el.text)) + sum(len(_norm(c.tail)) for c in el)
        if direct >= 100:
            add(el, direct)
            add(el.getparent(), direct / 2)
    return scores


def _multiplier(el: _El) -> float:
    m = 1.0
    if (el.get("itemprop") or "").lower() in ("articlebody", "text"):
        m *= 1.6
    cid = _classid(el)
    if cid.strip():
        if _POSITIVE_RE.search(cid):
            m *= 1.25
        if _NEGATIVE_RE.search(cid):
            m *= 0.6
    if el.tag == "article":
        m *= 1.15
    elif el.tag == "main":
        m *= 1.05
    return m


def _main_containers(body: _El) -> list[_El]:
    scores = _score_candidates(body)
    if not scores:
        return []
    weighted = {el: s * _multiplier(el) for el, s in scores.items()}
    top = max(weighted, key=lambda e: weighted[e])
    parent = top.getparent()
    if parent is None or top.tag in ("body", "html"):
        return [top]
    threshold = max(150.0, weighted[top] * 0.25)
    chosen: list[_El] = []
    for sib in parent:
        if not _is_element(sib):
            continue
        if sib is top:
            chosen.append(sib)
            continue
        if weighted.get(sib, 0.0) >= threshold:
            text = _text_of(sib)
            if text and _link_text_len(sib) < 0.3 * len(text):
                chosen.append(sib)
            continue
        if sib.tag == "p":
            text = _text_of(sib)
            if len(text) >= 80 and _link_text_len(sib) < 0.25 * len(text):
                chosen.append(sib)
    return chosen


@dataclass
class _Unit:
    kind: str  # "p", "h", "li"
    text: str
    link_ratio: float = 0.0


def _has_block_descendant(el: _El) -> bool:
    for d in el.iterdescendants():
        if isinstance(d.tag, str) and d.tag in _BLOCK_TAGS:
            return True
    return False


def _is_simple_row(tr: _El) -> bool:
    """A table row whose cells hold only inline content (not a layout table)."""
    for d in tr.iterdescendants():
        if isinstance(d.tag, str) and d.tag in _BLOCK_TAGS and d.tag not in ("td", "th"):
            return False
    return True


def _unit_texts(el: _El) -> list[str]:
    raw = _raw_text(el)
    return [t for t in (_norm(piece.replace(_BR_MARK, " ")) for piece in _DOUBLE_BR_RE.split(raw)) if t]


_FlushMarker = object()  # pushed on the walk stack: end of a block element


def _collect_units(containers: list[_El]) -> list[_Unit]:
    """Paragraph-level text units of the containers, in document order (iterative walk)."""
    units: list[_Unit] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            raw = "".join(buf)
            buf.clear()
            for piece in _DOUBLE_BR_RE.split(raw):
                text = _norm(piece.replace(_BR_MARK, " "))
                if text:
                    units.append(_Unit("p", text))

    for container in containers:
        stack: list[tuple[Any, bool]] = [(container, False)]
        while stack:
            el, is_tail = stack.pop()
            if el is _FlushMarker:
                flush()
                continue
            if is_tail:
                if el.tail:
                    buf.append(el.tail)
                continue
            if el is not container:
                stack.append((el, True))
            if not isinstance(el.tag, str):
                continue
            tag = el.tag
            if tag == "br":
                continue  # its tail already starts with _BR_MARK
            if tag not in _BLOCK_TAGS:
                if not _has_block_descendant(el):
                    buf.append(_raw_text(el))
                    continue
                if tag == "a" and el.get("href") is not None and len(_raw_text(el)) < 2000:
                    flush()
                    continue  # a teaser card (headline, text) wrapped in one link
                # inline element wrapping blocks: walk into it like a block
            is_block = tag in _BLOCK_TAGS
            if tag == "tr" and el is not container and _is_simple_row(el):
                flush()
                cells = [_norm(_raw_text(c).replace(_BR_MARK, " ")) for c in el if isinstance(c.tag, str)]
                row = " | ".join(c for c in cells if c)
                if row:
                    units.append(_Unit("p", row, _link_text_len(el) / max(1, len(row))))
                continue
            if el is not container and tag in _UNIT_TAGS and not _has_block_descendant(el):
                flush()
                texts = _unit_texts(el)
                if texts:
                    full = " ".join(texts)
                    ratio = _link_text_len(el) / max(1, len(full))
                    kind = "h" if tag in _HEADING_TAGS else ("li" if tag in ("li", "dt", "dd") else "p")
                    if tag == "h1":
                        kind = "h1"
                    for t in texts:
                        units.append(_Unit(kind, t, ratio))
                continue
            if is_block:
                flush()
            if el.text:
                buf.append(el.text)
            children = [c for c in el]
            if is_block:
                stack.append((_FlushMarker, False))
            for child in reversed(children):
                stack.append((child, False))
        flush()
    return units



_LETTER_RE = re.compile(r"[^\W\d_]")


def _alpha_ratio(text: str) -> float:
    """Share of letters among the non-space characters (normalised text: single spaces)."""
    visible = len(text) - text.count(" ")
    if visible <= 0:
        return 0.0
    return len(_LETTER_RE.findall(text)) / visible


_DATE_ONLY_STRIP_RE = re.compile(
    r"(stand|aktualisiert|veröffentlicht|erstellt|zuletzt|geändert|update|uhr|am|um|vom|lesezeit|min\.?"
    r"|minuten|[|·•,:/–—-]|\d+)", re.I
)


def _is_date_line(text: str) -> bool:
    if len(text) > 90:
        return False
    if not (_DE_NUM_RE.search(text) or _DE_TEXT_RE.search(text) or _ISO_RE.search(text)):
        return False
    rest = _DE_TEXT_RE.sub("", text)
    rest = _DATE_ONLY_STRIP_RE.sub("", rest)
    return len(_norm(rest).strip(" .")) <= 3


def _is_boilerplate_paragraph(text: str, key: str, caption_keys: set[str]) -> bool:
    """Credits, "Lesen Sie auch", newsletter/paywall teasers, repeated captions, date lines, garbage."""
    n = len(text)
    if key in _AD_LINES or key in _BOX_HEADINGS_SET:
        return True
    if n < 200 and (_CREDIT_LINE_RE.match(text) or _SHORT_CREDIT_RE.match(text)):
        return True
    if n < 300:
        if _READ_ALSO_RE.match(text):
            return True
        low = text.casefold()
        if any(phrase in low for phrase in _TEASER_PHRASES):
            return True
    if caption_keys and (key in caption_keys or _norm_key(_CREDIT_TAIL_RE.sub("", text)) in caption_keys):
        return True
    if n <= 90 and _is_date_line(text):
        return True
    if n <= 40 and _TIME_LINE_RE.match(text):
        return True
    return n >= 3 and _alpha_ratio(text) < 0.5


def _filter_units(units: list[_Unit], captions: list[str], title: str | None) -> list[_Unit]:
    caption_keys = {_norm_key(c) for c in captions}
    title_key = _norm_key(title or "")
    out: list[_Unit] = []
    seen: set[str] = set()
    for u in units:
        text = u.text
        key = _norm_key(text)
        if len(key) < 2 or key in seen:
            continue
        if u.kind == "h1" and (key == title_key or not title_key):
            continue
        if u.link_ratio > 0.6 or (u.kind == "li" and u.link_ratio > 0.5):
            continue
        if len(text) <= 150 and (
                (u.link_ratio >= 0.15 and (_MORE_LINE_RE.match(text) or _is_box_heading(text)))
                or (len(text) <= 40 and not text.endswith((".", "!", "?", "“", '"')) and _is_box_heading(text))):
            continue  # "Mehr aus dem Ressort Lokales", "Mehr zum Thema: <link>"
        if _is_boilerplate_paragraph(text, key, caption_keys):
            continue
        seen.add(key)
        out.append(u)
    # headings that are not followed by a paragraph are boilerplate leftovers
    result: list[_Unit] = []
    for i, u in enumerate(out):
        if u.kind in ("h", "h1"):
            nxt = out[i + 1] if i + 1 < len(out) else None
            if nxt is None or nxt.kind in ("h", "h1"):
                continue
        result.append(u)
    return result


def _find_words(text: str, part: str, start: int) -> int:
    """``text.find(part, start)``, but only where ``part`` starts and ends at word boundaries."""
    i = text.find(part, start)
    tries = 0
    while i >= 0 and tries < 20:
        end = i + len(part)
        if (i == 0 or text[i - 1] == " ") and (end == len(text) or text[end] == " "):
            return i
        i = text.find(part, i + 1)
        tries += 1
    return -1


def _split_body(body: str, html_paragraphs: list[str]) -> list[str]:
    """Split a JSON-LD articleBody into paragraphs, along its own line breaks and the HTML paragraphs."""
    text = body
    if "<" in text and re.search(r"</?(p|br|div|h[1-6]|li)\b", text, re.I):
        text = re.sub(r"(?i)<\s*(br|/p|/div|/h[1-6]|/li)\s*/?>", "\n\n", text)
        text = re.sub(r"<[^>]{0,500}>", " ", text)
    if "&" in text:
        text = html_lib.unescape(text)
    blocks = [_norm(b) for b in re.split(r"\n", text)]
    blocks = [b for b in blocks if b]
    paragraphs = [p for p in html_paragraphs if len(p) >= 2]
    out: list[str] = []
    j = 0  # next HTML paragraph to look for; both texts run in the same order
    for block in blocks:
        pos = 0
        while j < len(paragraphs):
            for k in range(j, min(j + 30, len(paragraphs))):  # bounded look-ahead
                i = _find_words(block, paragraphs[k], pos)
                if i >= 0:
                    gap = block[pos:i].strip()
                    if gap:
                        out.append(gap)
                    out.append(paragraphs[k])
                    pos = i + len(paragraphs[k])
                    j = k + 1
                    break
            else:
                break
        rest = block[pos:].strip()
        if rest:
            out.append(rest)
    return out


# --------------------------------------------------------------------------- extract


def _empty(url: str | None, warnings: list[str]) -> Extracted:
    result = Extracted(url=url, warnings=warnings)
    if "no main text found" not in warnings:
        result.warnings.append("no main text found")
    return result


#: Warnings that explain why a page gave no main text (as opposed to remarks such as a charset fallback).
_FAILURE_WARNINGS = ("input looks like binary", "parser resource limit", "unparsable HTML", "empty input",
                     "extraction failed", "unsupported input type", "input truncated")


def failure_reason(result: Extracted) -> str:
    """Why ``result`` has no main text, in a few words: ``"no main text"``, plus the cause when known
    (binary data, a parser limit hit by excessive nesting or a huge text node, unparsable HTML ...)."""
    causes = [w for w in result.warnings if w.startswith(_FAILURE_WARNINGS)]
    return "no main text" + (f" ({'; '.join(causes)})" if causes else "")


def _is_binary(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    controls = sum(1 for c in sample if (ord(c) < 32 and c not in "\t\n\r\f") or c == "\ufffd")
    return controls > 0.05 * len(sample)


def extract(html: bytes | str, url: str | None = None) -> Extracted:
    """Extract the main text and metadata of a news page. Never raises.

    ``html`` may be bytes (decoded with :func:`decode_html` rules; warnings recorded)
    or already decoded text. ``url`` is the address the page was fetched from; it is
    the fallback for ``Extracted.url`` and the base for relative canonical links.
    """
    warnings: list[str] = []
    base_url = url if isinstance(url, str) and url.strip() else None
    try:
        return _extract(html, base_url, warnings)
    except RecursionError:
        warnings.append("extraction failed: nesting too deep")
    except MemoryError:
        warnings.append("extraction failed: out of memory")
    except Exception as err:  # noqa: BLE001 - the extractor promises not to raise
        warnings.append(f"extraction failed: {type(err).__name__}: {str(err)[:200]}")
    return _empty(base_url, warnings)


def _extract(html: Any, url: str | None, warnings: list[str]) -> Extracted:
    # ---- input -> text
    if isinstance(html, bytearray | memoryview):
        html = bytes(html)
    if isinstance(html, bytes):
        text, _charset, decode_warnings = _decode(html, None)
        warnings.extend(decode_warnings)
    elif isinstance(html, str):
        text = html
        if len(text) > MAX_INPUT_CHARS:
            text = text[:MAX_INPUT_CHARS]
            warnings.append(f"input truncated to {MAX_INPUT_CHARS} characters")
    else:
        warnings.append(f"unsupported input type {type(html).__name__}")
        return _empty(url, warnings)
    if not text.strip():
        warnings.append("empty input")
        return _empty(url, warnings)
    if _is_binary(text):
        warnings.append("input looks like binary data, not HTML")
        return _empty(url, warnings)
    text, repaired = _repair_mojibake(text)
    if repaired:
        warnings.append(f"mojibake repaired ({repaired} sequence{'s' if repaired > 1 else ''})")
    text = re.sub("[\x00-\x08\x0b\x0e-\x1f\ud800-\udfff]", "", text)
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)

    # ---- parse once
    parser = lxml.etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        root = lxml.etree.fromstring(text.encode("utf-8", errors="replace"), parser=parser)
    except (lxml.etree.LxmlError, ValueError) as err:
        warnings.append(f"unparsable HTML: {str(err)[:120] or type(err).__name__}")
        return _empty(url, warnings)
    if root is None:
        warnings.append("unparsable HTML: no elements")
        return _empty(url, warnings)
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        warnings.append("parser resource limit hit (excessive nesting or huge text node); page truncated")
    if not _is_element(root):
        warnings.append("unparsable HTML")
        return _empty(url, warnings)

    for br in root.iter("br"):
        br.tail = _BR_MARK + (br.tail or "")

    # ---- tier 1 and 2: JSON-LD, meta tags, link rel=canonical, microdata
    ld = _read_json_ld(root, warnings)
    meta = _read_meta(root)
    language = _normalize_language(root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang"))
    language = language or ld.language or _normalize_language(
        _meta_first(meta, "content-language", "language", "dc.language", "og:locale", "inlanguage"))
    canonical: str | None = None
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if "canonical" in rel:
            canonical = _absolute_url(link.get("href"), url)
            if canonical:
                break
    canonical = canonical or _absolute_url(_meta_first(meta, "og:url"), url) or _absolute_url(ld.url, url)
    if canonical and url:
        # a canonical pointing at the home page of an article URL is a CMS bug
        if urlsplit(canonical).path in ("", "/") and len(urlsplit(url).path) > 1:
            canonical = None
    site_name = _meta_first(meta, "og:site_name", "application-name")
    host = urlsplit(canonical or url or "").hostname
    page_title = ""
    title_el = root.find(".//title")
    if title_el is not None:
        page_title = _text_of(title_el)

    microdata: dict[str, str] = {}
    for el in root.xpath("//*[@itemprop]"):
        prop = (el.get("itemprop") or "").strip().lower()
        if prop in ("datepublished", "datemodified", "headline", "articlesection") and prop not in microdata:
            value = el.get("content") or el.get("datetime") or _text_of(el)
            if value:
                microdata[prop] = value

    title = ld.headline
    if not title:
        og = _meta_first(meta, "og:title", "twitter:title", "dc.title")
        title = _clean_title(og, site_name, host) if og else None
    title = title or (_unescape(microdata.get("headline")) or None)
    published = ld.published or parse_date(_meta_first(meta, *_PUBLISHED_KEYS)) or parse_date(
        microdata.get("datepublished"))
    modified = ld.modified or parse_date(_meta_first(meta, *_MODIFIED_KEYS)) or parse_date(
        microdata.get("datemodified"))
    authors = list(ld.authors)
    if not authors:
        for key in ("author", "article:author", "dc.creator", "dcterms.creator", "parsely-author",
                    "sailthru.author", "twitter:creator:name"):
            for value in meta.get(key, ()):
                if value.strip().lower().startswith(("http://", "https://", "@")):
                    continue
                authors.extend(_split_names(value, strict=False))
            if authors:
                break
    section = ld.section or _meta_first(meta, "article:section", "og:article:section", "section",
                                        "parsely-section", "cxenseparse:recs:category")
    section = section or (_unescape(microdata.get("articlesection")) or None)
    breadcrumb_section = ld.breadcrumb_section
    if not section and not breadcrumb_section:
        for el in _xp_classid(root):
            if _is_element(el) and "breadcrumb" in _classid(el):
                crumbs = [_text_of(a) for a in el.iter("a") if _absolute_url(a.get("href"), url) != url]
                crumbs = crumbs or re.split(r"\s*[›>»/|]\s*", _text_of(el))
                crumbs = [c for c in crumbs if c and c.casefold() not in _HOME_WORDS and len(c) < 60]
                crumbs = [c for c in crumbs if not title or c.casefold() != title.casefold()]
                if crumbs:
                    breadcrumb_section = crumbs[-1]
                break
    description = ld.description or _meta_first(meta, "og:description", "description", "twitter:description")

    # ---- clean the page
    captions = _collect_captions(root)
    _remove_boilerplate(root)
    _remove_boxes(root)
    body_el = root.find("body")
    body = body_el if body_el is not None else root

    # ---- tier 3: heuristics on the visible page
    h1 = _choose_h1(body, page_title)
    h1_text = _text_of(h1) if h1 is not None else ""
    if not title:
        title = h1_text or (_clean_title(page_title, site_name, host) if page_title else None)
    byline_names, byline_elements = _byline_authors(body)
    von_names, von_elements = _von_bylines(body)
    if not authors:
        authors = byline_names or von_names
    if not published or not modified:
        t_pub, t_mod = _time_dates(body)
        published = published or t_pub
        modified = modified or t_mod
    if not published or not modified:
        for chunk in _date_elements_text(body):
            v_pub, v_mod = _find_visible_dates(chunk)
            published = published or v_pub
            modified = modified or v_mod
            if published and modified:
                break
    if not published and not modified and h1 is not None:
        # dates in the few lines next to the headline
        near: list[str] = []
        node = h1.getnext()
        hops = 0
        while node is not None and hops < 4:
            if _is_element(node):
                near.append(_text_of(node))
            node = node.getnext()
            hops += 1
        parent = h1.getparent()
        if parent is not None and parent.getnext() is not None and _is_element(parent.getnext()):
            near.append(_text_of(parent.getnext()))
        for chunk in (c for c in near if len(c) <= 200):  # a dateline, not a paragraph of the text
            v_pub, v_mod = _find_visible_dates(chunk)
            published = published or v_pub
            modified = modified or v_mod
    if not published and modified:
        published = modified  # "Stand: ..." is all the page says
    lead_candidates = _lead_elements(body)

    # ---- main text
    for el in byline_elements + von_elements:
        _drop(el)
    containers = _main_containers(body)
    lead_el = next((el for el in lead_candidates
                    if _in_region(el, containers) and not _after_containers(body, el, containers)), None)
    lead = _text_of(lead_el) if lead_el is not None else None
    if not lead and description:
        lead = description
    units = _collect_units(containers) if containers else []
    paragraphs_units = _filter_units(units, captions, title)
    paragraphs = [u.text for u in paragraphs_units]
    method = "heuristic"
    heuristic_len = sum(len(p) for p in paragraphs)
    if ld.body:
        body_paragraphs = _split_body(ld.body, paragraphs)
        body_units = _filter_units([_Unit("p", p) for p in body_paragraphs], captions, title)
        body_len = sum(len(u.text) for u in body_units)
        substantial = body_len >= 200 or (heuristic_len == 0 and body_len >= MIN_TEXT_CHARS)
        if substantial and heuristic_len > 1.3 * body_len and body_units:
            # a teaser-length articleBody ("...") while the page has the full text
            ellipsis = body_units[-1].text.endswith(("…", "...", "[…]", "[...]"))
            prefix = (body_len < 600 and heuristic_len >= 2 * body_len
                      and body_units[0].text[:80] in "\n\n".join(paragraphs))
            substantial = not (ellipsis or prefix)
        if substantial:
            paragraphs = [u.text for u in body_units]
            method = "json-ld"
    if lead_el is not None and lead and paragraphs:
        lead_key = _norm_key(lead)
        if not any(_norm_key(p) == lead_key for p in paragraphs) and lead_key not in _norm_key(paragraphs[0]):
            paragraphs.insert(0, lead)
    main_text = "\n\n".join(paragraphs)
    if len(main_text) > MAX_TEXT_CHARS:
        cut = main_text.rfind("\n\n", 0, MAX_TEXT_CHARS + 1)
        main_text = main_text[: cut if cut >= MAX_TEXT_CHARS // 2 else MAX_TEXT_CHARS].rstrip()
        warnings.append(f"main text truncated to {len(main_text)} characters (limit {MAX_TEXT_CHARS})")
    if title and len(title) > MAX_TITLE_CHARS:
        title = title[:MAX_TITLE_CHARS].rstrip()
        warnings.append(f"title truncated to {MAX_TITLE_CHARS} characters")

    if len(main_text) < MIN_TEXT_CHARS:
        main_text, method = "", "none"
        warnings.append("no main text found")

    return Extracted(
        url=canonical or url,
        title=title or None,
        text=main_text,
        published=published,
        modified=modified,
        authors=_dedupe(a for a in authors if a),
        section=section or breadcrumb_section,
        lead=lead or None,
        captions=captions,
        language=language,
        method=method,
        warnings=warnings,
    )
