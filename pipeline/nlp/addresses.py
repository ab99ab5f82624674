"""Street addresses with a house number (spaCy factory ``newsmine_addresses``).

ANNOTATION.md makes a street a LOC and puts the house number inside the span
(``Königstraße 12``). Police and council reports name addresses often; the statistical NER
finds most streets but misses some (``am Hansaring 14``) and sometimes leaves the number
outside (``Hafenstraße`` of ``Hafenstraße 21``). This component runs after the ``ner``:

- an existing LOC entity that ends in a street word (see ``STREET_HEADS``) and is directly
  followed by a house number (``14``, ``12a``, ``21.`` at a sentence end) takes the number in;
- a capitalised compound street word outside any entity (``Mühlenweg``,
  ``Friedrich-Ebert-Straße``) followed by a house number becomes a LOC with the number when
  the word before it is one of the address prepositions (``am``, ``vom``, ``zum``, ``zur``,
  or ``der`` after ``an``/``in``/``auf``/``von``/``bis``): ``auf Listenplatz 5`` and
  ``Tabellenplatz 3`` (ranks, not addresses) are left alone.

A street without a number outside an entity is not added: ``an der Einkaufsstraße`` is a
description, ``an der Mittelstraße`` a name, and the suffix cannot tell them apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
from spacy.attrs import SHAPE
from spacy.language import Language
from spacy.tokens import Doc, Span

#: Lowercase endings of German street names.
STREET_HEADS: tuple[str, ...] = (
    "straße", "strasse", "str.", "weg", "allee", "platz", "ring", "gasse", "damm", "ufer",
    "wall", "steig", "pfad", "chaussee", "promenade",
)

HOUSE_NUMBER = re.compile(r"\d{1,4}[a-h]?\.?")
#: words before a street that make ``Wort + Zahl`` an address
_PREPOSITIONS = frozenset({"am", "Am", "vom", "Vom", "zum", "Zum", "zur", "Zur"})
_BEFORE_DER = frozenset({"an", "An", "in", "In", "auf", "Auf", "von", "Von", "bis", "Bis"})
#: words after the number that make it a quantity, not a house number
_UNITS = frozenset("""
% Prozent Euro € Meter Kilometer km m Uhr Minuten Stunden Tage Jahre Jahren Mal Plätze Punkte
Personen Menschen Mio. Millionen Tsd. Tausend Wochen Monate Monaten Tagen Sekunden Grad
""".split())


def is_street_word(text: str, heads: tuple[str, ...] = STREET_HEADS) -> bool:
    """``Mühlenweg``, ``Friedrich-Ebert-Straße``: capitalised and ending in a street head."""
    return text[:1].isupper() and text.lower().endswith(heads)


def house_number_end(doc: Doc, i: int) -> int | None:
    """End (exclusive) of the house number after position ``i`` (``14``, ``12a``, a range
    ``22/23`` or ``12-14``), or None when no house number (or a quantity) follows."""
    end = i + 1
    if end >= len(doc) or not HOUSE_NUMBER.fullmatch(doc[end].text):
        return None
    end += 1
    if (end + 1 < len(doc) and doc[end].text in ("/", "-", "–")
            and HOUSE_NUMBER.fullmatch(doc[end + 1].text) and not doc[end].whitespace_):
        end += 2
    if end < len(doc) and doc[end].text in _UNITS:
        return None
    return end


def _address_context(doc: Doc, i: int) -> bool:
    if i < 1:
        return False
    before = doc[i - 1].text
    if before in _PREPOSITIONS:
        return True
    return before in ("der", "Der") and i >= 2 and doc[i - 2].text in _BEFORE_DER


def before_numbers(doc: Doc) -> list[int]:
    """Indices of the tokens followed by a token that starts with a digit, found through the
    word shapes (``dd``, ``ddx``, ``dd.``): a few dozen distinct shapes per document, no Python
    object per word."""
    if len(doc) < 2:
        return []
    shapes, inverse = np.unique(doc.to_array(SHAPE), return_inverse=True)
    strings = doc.vocab.strings
    digit = np.fromiter((strings[int(shape)][:1] == "d" for shape in shapes), dtype=bool, count=len(shapes))
    return np.flatnonzero(digit[inverse.reshape(-1)][1:]).tolist()


def address_spans(doc: Doc, heads: tuple[str, ...] = STREET_HEADS) -> list[Span] | None:
    """``doc.ents`` with streets extended by or created with their house number (a new
    list), or None when nothing changes. ``heads`` are lowercase street endings."""
    streets = [doc[i] for i in before_numbers(doc) if is_street_word(doc[i].text, heads)]
    if not streets:
        return None
    ents = list(doc.ents)
    taken = {i for ent in ents for i in range(ent.start, ent.end)}
    ends_of_loc = {ent.end - 1: n for n, ent in enumerate(ents) if ent.label_ == "LOC"}
    changed = False
    for street in streets:
        i = street.i
        end = house_number_end(doc, i)
        if end is None or taken.intersection(range(i + 1, end)):
            continue
        if i in ends_of_loc:  # the NER found the street: the number joins it
            n = ends_of_loc[i]
            ents[n] = Span(doc, ents[n].start, end, label="LOC")
        elif i in taken or street.text.lower() in heads or not _address_context(doc, i):
            continue  # inside another entity, a bare "Straße 12", or no address preposition
        else:
            ents.append(Span(doc, i, end, label="LOC"))
        taken.update(range(i, end))
        changed = True
    return sorted(ents, key=lambda span: span.start) if changed else None


class Addresses:
    """Pipeline component: see the module docstring."""

    def __init__(self, name: str = "addresses", heads: Iterable[str] = STREET_HEADS) -> None:
        self.name = name
        self.heads = tuple(h.lower() for h in heads)

    def __call__(self, doc: Doc) -> Doc:
        ents = address_spans(doc, self.heads)
        if ents is not None:
            doc.ents = ents
        return doc


@Language.factory("newsmine_addresses", default_config={"heads": list(STREET_HEADS)})
def make_addresses(nlp: Language, name: str, heads: list[str]) -> Addresses:
    """``nlp.add_pipe("newsmine_addresses", after="ner")``."""
    return Addresses(name, heads)
