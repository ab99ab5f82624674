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

VERSION = "money-1.1"

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
#: Parts of one written with an article or alone: "eine halbe", "einer viertel" (Million Euro).
_PARTS = {"halbe": Decimal("0.5"), "halben": Decimal("0.5"), "viertel": Decimal("0.25"),
          "dreiviertel": Decimal("0.75")}
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
    if len(words) == 2 and words[0] in ("ein", "eine", "einen", "einer", "einem") and words[1] in _PARTS:
        return _PARTS[words[1]]
    if len(words) != 1:
        return None
    word = words[0]
    if word in _PARTS:  # "die halbe Million Euro": the article is not part of the amount
        return _PARTS[word]
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


#: Characters that group thousands: a dot, a space (plain, no-break, narrow no-break, thin) or an apostrophe.
GROUP_SEPARATORS = ". \u00a0\u202f\u2009'’"
_GROUPED = r"\d{1,3}(?:\.\d{3})+|\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+|\d{1,3}(?:['’]\d{3})+"
_DIGITS_RE = re.compile(rf"^(?:{_GROUPED}|\d+)(?:,\d+)?(?:,[-–]{{1,2}})?$")


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
        for sep in GROUP_SEPARATORS:
            token = token.replace(sep, "")
        token = token.replace(",", ".")
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


_NUM = rf"(?:{_GROUPED}|\d+\.\d{{1,2}}(?![\d.])|\d+)(?:,\d+)?(?:,[-–]{{1,2}})?"
_WORDNUM = (
    r"(?:(?:(?:ein|eine|einer|einem|einen)\s+)?(?:halben?|viertel|dreiviertel)(?=\s+(?:Mil|Tausend))"
    r"|anderthalb|eineinhalb|zweieinhalb|dreieinhalb|viereinhalb"
    r"|(?:[a-zäöüß]*(?:ein|eins|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|zig|ßig|hundert|tausend)"
    r"|eine|einer|einem|einen))"
)
_AMOUNT = rf"(?:{_NUM}|{_WORDNUM})"
_SCALE = (
    r"(?:Tsd\.|Tsd\b|Tausend\b|Mio\.|Mio\b|Mill\.|Millionen\b|Million\b|Mrd\.|Mrd\b"
    r"|Milliarden\b|Milliarde\b|Billionen\b|Billion\b)"
)
_CUR_AFTER = r"(?:Euro-Cent\b|Cent\b|Euro\b(?!-\w)|EUR\b|€|T€|TEUR\b)"
_CUR_BEFORE = r"(?:€|EUR)"
_RANGE_SEP = r"(?:\s*[-–]\s*|\s+bis\s+|\s+und\s+)(?:(?:etwa|rund|ca\.|circa|knapp|fast|gut|maximal|höchstens)\s+)?"

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
_CURRENCY_HINT_RE = re.compile(r"€|EUR|Cent", re.IGNORECASE)
_QUALIFIER_RE = re.compile(
    r"(?:^|(?<=[\s(„\"»]))(?P<q>" + "|".join(re.escape(q) for q in QUALIFIERS) + r")\s+$",
    re.IGNORECASE,
)
_PREFIX_NEXT_RE = re.compile(r"\s?\d")
_VAGUE_BEFORE_RE = re.compile(r"\b(?:paar|einige|mehrere|etliche|viele|wenige)\s+$", re.IGNORECASE)
_ZWISCHEN_RE = re.compile(r"(?:zwischen|von)\s+$", re.IGNORECASE)
_SIGN_BEFORE_RE = re.compile(r"(?:(?<![\w-])minus\s+|−\s?)$", re.IGNORECASE)
_RANGE_JOIN_RE = re.compile(r"\s+bis\s+|\s*[-–]\s*")
_AND_JOIN_RE = re.compile(r"\s+und\s+")


def _scale(word: str | None, currency: str | None = None) -> Decimal:
    factor = SCALES.get(word.lower(), Decimal(1)) if word else Decimal(1)
    if currency and currency.upper() in ("T€", "TEUR"):
        factor *= 1000
    elif currency and currency.lower().endswith("cent"):
        factor /= 100
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
    """Euros as a float, to a millionth of a euro (``0,5393 Cent`` stays 0.005393)."""
    return float(round(value, 6))


@dataclass(frozen=True)
class MoneyMatch:
    """An amount found in text: character offsets, surface, values, qualifier."""

    start: int
    end: int
    text: str
    value: float
    high: float | None
    qualifier: str | None


def _case_ok(amount: str, sentence_start: bool = False) -> bool:
    """Number words must be lower case; at the start of a sentence any ("Fünf Euro bekam jedes Kind")."""
    return (amount[0].isdigit() or amount[0].islower() or sentence_start
            or amount.split()[0] in ("Ein", "Eine", "Einer", "Zwei", "Drei", "Zehn"))


def _at_sentence_start(text: str, start: int) -> bool:
    return re.search(r"(?:^|[.!?:]\s+|[„\"»]\s*)$", text[max(0, start - 4):start]) is not None


def find_money(text: str) -> list[MoneyMatch]:
    """All euro amounts in ``text``, left to right, with qualifiers."""
    found: list[MoneyMatch] = []
    pos = 0
    for lo, hi in _windows(text):
        pos = max(pos, lo)
        while (m := _search(text, pos, hi)) is not None:
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
                if not (_case_ok(m.group("lo"), _at_sentence_start(text, m.start())) and _case_ok(m.group("hi"))):
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
                if not _case_ok(m.group("n3"), _at_sentence_start(text, m.start())):
                    continue
                if (m.group("cur3").upper() in ("EUR", "€") and _PREFIX_NEXT_RE.match(text, m.end())
                        and not m.group("s3") and m.group("n3").isdigit()):
                    # "2026 EUR 180.000": the currency belongs to the number after it (not after
                    # "184 Millionen €" or "32.677,37 €", which cannot be a year or a count)
                    pos = m.start("cur3")
                    continue
                if _VAGUE_BEFORE_RE.search(text[max(0, m.start() - 12):m.start()]) and not m.group("n3")[0].isdigit():
                    continue  # "ein paar tausend Euro" is vague
                low = _value(m.group("n3"), _scale(m.group("s3"), m.group("cur3")))
            if low is None or not _plausible(low) or not _plausible(high):
                continue
            start, end = m.start(), m.end()
            if m.group("cur1") and not m.group("s1"):
                # "EUR 8.000,--": the dashes after a currency-first amount are not part of it
                end -= len(m.group("n1")) - len(m.group("n1").rstrip("-–").removesuffix(","))
            sign = _SIGN_BEFORE_RE.search(text[max(0, start - 7):start])
            if sign and high is None:  # "minus 3 Mio. Euro": the sign belongs to the amount
                start -= len(sign.group(0))
                low = -low
            qualifier = None
            q = _QUALIFIER_RE.search(text[max(0, start - 14):start])
            if q:
                qualifier = q.group("q").lower()
                if qualifier == "über" and _ueber_names_the_amount(text, start - len(q.group(0)), m.end()):
                    qualifier = None
            found.append(MoneyMatch(start, end, text[start:end], _to_float(low),
                                    None if high is None else _to_float(high), qualifier))
    return _join_ranges(text, found)


#: Nouns after which ``über`` names an amount ("eine Rechnung über 1.014,77 €"), compounds included.
_AMOUNT_NOUN_RE = re.compile(
    r"(?:rechnung|kredit|forderung|anerkenntnis|scheck|darlehen|bürgschaft|vertrag|verträge|bescheid|quittung|"
    r"überweisung|vergleich|anleihe|auftrag|aufträge|spende|gutschein|police|wechsel|zahlung|titel|urteil|"
    r"zusage|bewilligung|angebot|gebot|klage|mahnung|buchung|beleg|schuldschein)(?:e|en|n|s|es)?$",
    re.IGNORECASE)


#: Every amount ends at most this many characters after the start of its currency word or sign, and
#: starts at most WINDOW_BEFORE characters before it ("zwischen zweihundertfünfzig Millionen und ...").
WINDOW_BEFORE, WINDOW_AFTER = 200, 60


def _windows(text: str) -> list[tuple[int, int]]:
    """The stretches of ``text`` around its currencies (every amount holds one), merged: MONEY_RE is
    tried at a few hundred positions per amount instead of at every character."""
    windows: list[list[int]] = []
    for hint in _CURRENCY_HINT_RE.finditer(text):
        lo, hi = max(0, hint.start() - WINDOW_BEFORE), min(len(text), hint.end() + WINDOW_AFTER)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = hi
        else:
            windows.append([lo, hi])
    return [(lo, hi) for lo, hi in windows]


def _search(text: str, pos: int, end: int) -> re.Match | None:
    """MONEY_RE's next match from ``pos`` starting before ``end`` (matched on the whole text, so that
    an amount running past the window is not cut)."""
    m = MONEY_RE.search(text, pos, end)
    if m is not None and m.end() == end < len(text):
        m = MONEY_RE.match(text, m.start()) or m
    return m


def _ueber_names_the_amount(text: str, at: int, end: int) -> bool:
    """True where ``über`` before an amount means "in the amount of", not "more than": after a noun of
    payment or claim (``eine Rechnung über 1.014,77 €``, ``Kredite über 2 Mrd EUR``), after ``sich``
    (``freut sich über``), and in ``über ... hinaus`` (``einer über 1.100 Euro hinausgehenden Zahlung``)."""
    word = re.search(r"([\w-]+)[,;:]?\s*$", text[max(0, at - 40):at])
    if word and (word.group(1) == "sich" or _AMOUNT_NOUN_RE.search(word.group(1))):
        return True
    return re.match(r"[^.;]{0,40}?\bhinaus", text[end:]) is not None


def _join_ranges(text: str, found: list[MoneyMatch]) -> list[MoneyMatch]:
    """Two amounts joined by ``bis`` or a dash (``30 Euro bis 40 Euro``), or by ``und`` after
    ``zwischen`` (``zwischen 60 EUR und 65 EUR``), are one range from the first to the second."""
    out: list[MoneyMatch] = []
    for m in found:
        prev = out[-1] if out else None
        if prev is not None and prev.high is None and m.high is None and 0 < prev.value <= m.value:
            between = text[prev.end:m.start]
            joined = _RANGE_JOIN_RE.fullmatch(between) is not None or (
                _AND_JOIN_RE.fullmatch(between) is not None
                and _ZWISCHEN_RE.search(text[max(0, prev.start - 12):prev.start]) is not None)
            if joined and m.qualifier is None:
                out[-1] = MoneyMatch(prev.start, m.end, text[prev.start:m.end], prev.value, m.value, prev.qualifier)
                continue
        out.append(m)
    return out


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
