"""spaCy component ``newsmine_money``: euro amounts as ``doc._.money``.

Amounts are found on the raw text by :mod:`pipeline.nlp.money_parser` (exact
character offsets, even where they cut through tokens such as ``500,-``); each
gets its sentence and the years the sentence names ("2016 wurden ...").
Overlapping NER entities are dropped so a number is never PER/LOC/ORG and MONEY.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.nlp.money_parser import VERSION, find_money
from pipeline.nlp.word_types import TypeMemo

# a word that can hold the currency of an amount: "€", "T€", "EUR", "TEUR", "Euro" (any case), not
# followed by a letter ("EUR12" counts, "Europa" does not); checked once per word type
_CURRENCY_WORD_RE = re.compile(r"€|eur(?:o)?(?![^\W\d_])|cent(?![^\W\d_])", re.IGNORECASE)
_YEAR_RE = re.compile(r"(?<![\d.,])(?:19[5-9]\d|20[0-4]\d)(?![\d.,]\d)")


@dataclass
class MoneyAmount:
    start: int
    end: int
    text: str
    value_eur: float
    high_eur: float | None
    qualifier: str | None
    sentence: str = ""
    years: list[int] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


USER_DATA_KEY = "newsmine_money"


def _get_money(doc: Doc) -> list[MoneyAmount] | None:
    """``doc._.money``: amounts kept as plain dicts in ``doc.user_data`` so that docs
    travel between processes (``nlp.pipe(n_process=N)`` serialises user data with msgpack)."""
    raw = doc.user_data.get(USER_DATA_KEY)
    return None if raw is None else [MoneyAmount(**d) for d in raw]


if not Doc.has_extension("money"):
    Doc.set_extension("money", getter=_get_money)


def _sentence_bounds(doc: Doc, start: int, end: int, text: str | None = None) -> tuple[int, int]:
    """Character bounds of the sentence around [start, end) (or the paragraph); ``text`` is ``doc.text``."""
    if doc.has_annotation("SENT_START"):
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None:
            sent = span[0].sent
            return sent.start_char, sent.end_char
    text = doc.text if text is None else text
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start))
    right_candidates = [i for i in (text.find(". ", end), text.find("\n", end)) if i >= 0]
    right = min(right_candidates) + 1 if right_candidates else len(text)
    return (left + 1 if left >= 0 else 0), right


class MoneyRecognizer:
    """Sets ``doc._.money`` to a list of :class:`MoneyAmount`."""

    def __init__(self, nlp: Language, name: str, drop_overlapping_ents: bool, with_years: bool):
        self.name = name
        self.drop_overlapping_ents = drop_overlapping_ents
        self.with_years = with_years
        self.version = VERSION
        self._hint = TypeMemo(lambda word: _CURRENCY_WORD_RE.search(word) is not None)

    def _may_hold_money(self, doc: Doc) -> bool:
        """Whether a word of ``doc`` may hold a currency, checked once per word type.

        A euro amount's currency ("€", "EUR", "Euro") always lies inside one token,
        so a doc without such a word has no amount, and its text need not be joined
        (``Doc.text`` costs about a microsecond per token). Words like "Europa" are
        not hints, so most texts without an amount skip the parser.
        """
        return any(self._hint.of_types(doc)[1])

    def __call__(self, doc: Doc) -> Doc:
        amounts: list[MoneyAmount] = []
        if not len(doc) or not self._may_hold_money(doc):
            doc.user_data[USER_DATA_KEY] = []
            return doc
        text = doc.text  # Doc.text joins every token: once per doc, not per amount (quadratic otherwise)
        for m in find_money(text):
            s_start, s_end = _sentence_bounds(doc, m.start, m.end, text)
            sentence = text[s_start:s_end].strip()
            years: list[int] = []
            if self.with_years:
                masked = text[s_start:m.start] + " " * (m.end - m.start) + text[m.end:s_end]
                years = sorted({int(y) for y in _YEAR_RE.findall(masked)})
            amounts.append(MoneyAmount(m.start, m.end, m.text, m.value, m.high, m.qualifier, sentence, years))
        doc.user_data[USER_DATA_KEY] = [a.to_dict() for a in amounts]
        if self.drop_overlapping_ents and amounts and doc.ents:
            keep = [e for e in doc.ents
                    if not any(e.start_char < a.end and a.start < e.end_char for a in amounts)]
            if len(keep) != len(doc.ents):
                doc.set_ents(keep, default="unmodified")
        return doc


@Language.factory(
    "newsmine_money",
    default_config={"drop_overlapping_ents": True, "with_years": True},
)
def make_money_recognizer(nlp: Language, name: str, drop_overlapping_ents: bool, with_years: bool) -> MoneyRecognizer:
    """Factory for the euro-amount recogniser (see module docstring)."""
    return MoneyRecognizer(nlp, name, drop_overlapping_ents, with_years)
