"""Find and normalise euro amounts in German text.

Rules follow ../shared/ANNOTATION.md (MONEY): the span covers number, scale word and
currency; qualifiers (``rund``, ``fast``, ``bis zu`` ...) lie before the span and are
reported separately; a range (``2 bis 3 Mio. Euro``, ``zwischen 2 und 3 Millionen
Euro``) is one span with a low and a high value. Only euros count.

No third-party number parser is used: text2num fails on ``eine Milliarde`` and
``eine halbe Million`` and babel's ``parse_decimal`` is lenient unless strict, so
the small German grammar needed here is written out (``number_words``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

VERSION = "money-1.0"

SCALES: dict[str, Decimal] = {
    "tsd.": Decimal(1_000), "tsd": Decimal(1_000), "tausend": Decimal(1_000),
    "mio.": Decimal(10**6), "mio": Decimal(10**6), "mill.": Decimal(10**6),
    "million": Decimal(10**6), "millionen": Decimal(10**6),
    "mrd.": Decimal(10**9), "mrd": Decimal(10**9),
    "milliarde": Decimal(10**9), "milliarden": Decimal(10**9),
    "billion": Decimal(10**12), "billionen": Decimal(10**12),
}
QUALIFIERS = (
    "mehr als", "weniger als", "bis zu", "rund", "etwa", "ca.", "circa", "fast",
    "knapp", "über", "mindestens", "gut", "nahezu", "annähernd", "höchstens", "unter",
)

_UNITS = {
    "ein": 1, "eins": 1, "eine": 1, "einen": 1, "einem": 1, "einer": 1, "zwei": 2,
    "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9,
}
_TEENS = {
    "zehn": 10, "elf": 11, "zwölf": 12, "dreizehn": 13, "vierzehn": 14,
    "fünfzehn": 15, "sechzehn": 16, "siebzehn": 17, "achtzehn": 18, "neunzehn": 19,
}
_TENS = {
    "zwanzig": 20, "dreißig": 30, "dreissig": 30, "vierzig": 40, "fünfzig": 50,
    "sechzig": 60, "siebzig": 70, "achtzig": 80, "neunzig": 90,
}
_FRACTIONS = {
    "halbe": Decimal("0.5"), "halben": Decimal("0.5"), "anderthalb": Decimal("1.5"),
    "eineinhalb": Decimal("1.5"), "zweieinhalb": Decimal("2.5"),
    "dreieinhalb": Decimal("3.5"), "viereinhalb": Decimal("4.5"),
}


def _below_hundred(word: str) -> int | None:
    if word in _UNITS:
        return _UNITS[word]
    if word in _TEENS:
        return _TEENS[word]
    if word in _TENS:
        return _TENS[word]
    unit, sep, tens = word.partition("und")
    if sep and unit in _UNITS and tens in _TENS:
        return _UNITS[unit] + _TENS[tens]
    return None


def _below_thousand(word: str) -> int | None:
    if not word:
        return None
    head, sep, tail = word.partition("hundert")
    if sep:
        hundreds = 1 if head in ("", "ein") else _UNITS.get(head)
        if hundreds is None:
            return None
        rest = _below_hundred(tail) if tail else 0
        return None if rest is None else hundreds * 100 + rest
    return _below_hundred(word)


def number_words(phrase: str) -> Decimal | None:
    """Value of a German number-word phrase: ``zwei``, ``eine halbe``, ``zehntausend``,
    ``zweihundertfünfzig``, ``anderthalb``. None when it is not a number."""
    words = phrase.lower().split()
    if len(words) == 2 and words[0] in ("ein", "eine", "einen", "einer", "einem") and words[1] in ("halbe", "halben"):
        return Decimal("0.5")
    if len(words) != 1:
        return None
    word = words[0]
    if word in _FRACTIONS and not word.startswith("halb"):
        return _FRACTIONS[word]
    head, sep, tail = word.partition("tausend")
    if sep:
        thousands = 1 if head in ("", "ein") else _below_thousand(head)
        rest = _below_thousand(tail) if tail else 0
        if thousands is None or rest is None:
            return None
        return Decimal(thousands * 1000 + rest)
    value = _below_thousand(word)
    return None if value is None else Decimal(value)


_DIGITS_RE = re.compile(
    r"^(?:\d{1,3}(?:\.\d{3})+|\d{1,3}(?:[\u00a0\u202f]\d{3})+|\d+)(?:,\d+)?(?:,[-–]{1,2})?$"
)


def parse_number(token: str) -> Decimal | None:
    """Parse a German-written number: ``1.250.000``, ``39,4``, ``500,-``, ``12,50``."""
    token = token.strip()
    if not token:
        return None
    if token[0].isdigit():
        if not _DIGITS_RE.match(token):
            # "2.5" written the English way (not a thousands group)
            if re.fullmatch(r"\d+\.\d{1,2}", token):
                return Decimal(token)
            return None
        token = re.sub(r",[-–]{1,2}$", "", token)
        token = token.replace(".", "").replace("\u00a0", "").replace("\u202f", "").replace(",", ".")
        try:
            return Decimal(token)
        except InvalidOperation:
            return None
    return number_words(token)


@dataclass(frozen=True)
class Money:
    """A euro amount: ``value`` (the low end of a range), ``high`` for ranges."""

    value: float
    high: float | None = None


_NUM = r"(?:\d{1,3}(?:\.\d{3})+|\d{1,3}(?:[\u00a0\u202f]\d{3})+|\d+)(?:,\d+)?(?:,[-–]{1,2})?"
_WORDNUM = (
    r"(?:(?:ein|eine|einer|einem|einen)\s+halben?|anderthalb|eineinhalb|zweieinhalb|dreieinhalb|viereinhalb"
    r"|(?:[a-zäöüß]*(?:ein|eins|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|zig|ßig|hundert|tausend)"
    r"|eine|einer|einem|einen))"
)
_AMOUNT = rf"(?:{_NUM}|{_WORDNUM})"
_SCALE = (
    r"(?:Tsd\.|Tsd\b|Tausend\b|Mio\.|Mio\b|Mill\.|Millionen\b|Million\b|Mrd\.|Mrd\b"
    r"|Milliarden\b|Milliarde\b|Billionen\b|Billion\b)"
)
_CUR_AFTER = r"(?:Euro\b|EUR\b|€|T€|TEUR\b)"
_CUR_BEFORE = r"(?:€|EUR)"
_RANGE_SEP = r"(?:\s*[-–]\s*|\s+bis\s+|\s+und\s+)"

MONEY_RE = re.compile(
    rf"""
    (?<![\w.,€])
    (?:
      (?P<cur1>{_CUR_BEFORE})\s?(?P<n1>{_NUM})(?:\s+(?P<s1>{_SCALE}))?(?!\w)(?![.,]\d)
    |
      (?P<lo>{_AMOUNT})(?:\s+(?P<slo>{_SCALE}))?{_RANGE_SEP}(?P<hi>{_AMOUNT})(?:\s+(?P<shi>{_SCALE}))?\s*(?P<cur2>{_CUR_AFTER})
    |
      (?P<n3>{_AMOUNT})(?:\s+(?P<s3>{_SCALE}))?\s*(?P<cur3>{_CUR_AFTER})
    )
    """,
    re.VERBOSE | re.IGNORECASE,
)
# every MONEY_RE match contains one of these: texts without any skip the big pattern
_CURRENCY_HINT_RE = re.compile(r"€|EUR", re.IGNORECASE)
_QUALIFIER_RE = re.compile(
    r"(?:^|(?<=[\s(„\"»]))(?P<q>" + "|".join(re.escape(q) for q in QUALIFIERS) + r")\s+$",
    re.IGNORECASE,
)
_PREFIX_NEXT_RE = re.compile(r"\s?\d")
_VAGUE_BEFORE_RE = re.compile(r"\b(?:paar|einige|mehrere|etliche|viele|wenige)\s+$", re.IGNORECASE)
_ZWISCHEN_RE = re.compile(r"(?:zwischen|von)\s+$", re.IGNORECASE)


def _scale(word: str | None, currency: str | None = None) -> Decimal:
    factor = SCALES.get(word.lower(), Decimal(1)) if word else Decimal(1)
    if currency and currency.upper() in ("T€", "TEUR"):
        factor *= 1000
    return factor


def _value(amount: str, scale: Decimal) -> Decimal | None:
    number = parse_number(amount)
    return None if number is None else number * scale


#: Amounts from 10**16 euros up are not amounts (a long digit string before "Euro"); rounding them
#: to cents would also exceed the decimal context (InvalidOperation) and end the whole NLP batch.
MAX_EXPONENT = 15


def _plausible(value: Decimal | None) -> bool:
    return value is None or (value.is_finite() and value.adjusted() <= MAX_EXPONENT)


def _to_float(value: Decimal) -> float:
    return float(round(value, 2))


@dataclass(frozen=True)
class MoneyMatch:
    """An amount found in text: character offsets, surface, values, qualifier."""

    start: int
    end: int
    text: str
    value: float
    high: float | None
    qualifier: str | None


def _case_ok(amount: str) -> bool:
    """Number words must be lower case ("Eine" at sentence start is fine)."""
    return amount[0].isdigit() or amount[0].islower() or amount.split()[0] in ("Ein", "Eine", "Einer", "Zwei", "Drei", "Zehn")


def find_money(text: str) -> list[MoneyMatch]:
    """All euro amounts in ``text``, left to right, with qualifiers."""
    found: list[MoneyMatch] = []
    if not _CURRENCY_HINT_RE.search(text):
        return found
    pos = 0
    while (m := MONEY_RE.search(text, pos)) is not None:
        pos = m.end()
        low: Decimal | None
        high: Decimal | None = None
        if m.group("cur1"):
            low = _value(m.group("n1"), _scale(m.group("s1")))
        elif m.group("cur2"):
            sep_text = text[m.end("lo") if not m.group("slo") else m.end("slo"):m.start("hi")]
            if "und" in sep_text and not _ZWISCHEN_RE.search(text[max(0, m.start() - 12):m.start()]):
                # "2 und 3 Millionen Euro" is a range only after "zwischen": take the second part
                sub = _single(text, m.start("hi"), m.end())
                if sub:
                    found.append(sub)
                continue
            if not (_case_ok(m.group("lo")) and _case_ok(m.group("hi"))):
                continue
            cur = m.group("cur2")
            shi = _scale(m.group("shi"), cur)
            slo = _scale(m.group("slo"), cur) if m.group("slo") else None
            hi_num = parse_number(m.group("hi"))
            lo_num = parse_number(m.group("lo"))
            if hi_num is None or lo_num is None:
                continue
            if slo is None:
                # "2 bis 3 Millionen": the scale is shared unless low is already larger
                slo = shi if lo_num <= hi_num else _scale(None, cur)
            low, high = lo_num * slo, hi_num * shi
            if high < low:
                continue
        else:
            if not _case_ok(m.group("n3")):
                continue
            if m.group("cur3").upper() in ("EUR", "€") and _PREFIX_NEXT_RE.match(text, m.end()):
                # "2026 EUR 180.000": the currency belongs to the number after it
                pos = m.start("cur3")
                continue
            if _VAGUE_BEFORE_RE.search(text[max(0, m.start() - 12):m.start()]) and not m.group("n3")[0].isdigit():
                continue  # "ein paar tausend Euro" is vague
            low = _value(m.group("n3"), _scale(m.group("s3"), m.group("cur3")))
        if low is None or not _plausible(low) or not _plausible(high):
            continue
        qualifier = None
        q = _QUALIFIER_RE.search(text[max(0, m.start() - 14):m.start()])
        if q:
            qualifier = q.group("q").lower()
        found.append(MoneyMatch(m.start(), m.end(), m.group(0), _to_float(low),
                                None if high is None else _to_float(high), qualifier))
    return found


def _single(text: str, start: int, end: int) -> MoneyMatch | None:
    sub = find_money(text[start:end])
    if len(sub) != 1:
        return None
    s = sub[0]
    q = _QUALIFIER_RE.search(text[max(0, start - 14):start])
    return MoneyMatch(start + s.start, start + s.end, s.text, s.value, s.high,
                      q.group("q").lower() if q else None)


def parse_money(span_text: str) -> Money | None:
    """Value of one money span's text (``"39,4 Millionen Euro"`` -> 39400000.0)."""
    prefix = "zwischen " if " und " in span_text else ""  # "2 und 3 Mio. Euro" is a range
    matches = find_money(prefix + span_text)
    if len(matches) != 1 or matches[0].start != len(prefix) or matches[0].end != len(prefix + span_text.rstrip()):
        return None
    return Money(matches[0].value, matches[0].high)
