"""Canonical names of entities: one name however it is written.

German inflects names: ``Duisburgs Oberbürgermeister``, ``des Landgerichts Kleve``,
``beim Kommunalen Integrationszentrum``, ``in den Niederlanden``, ``Andreas' Rede``. The
entity behind each is written once, in its base form (``Duisburg``, ``Landgericht Kleve``,
``Kommunale Integrationszentrum``, ``Niederlande``, ``Andreas``); the surface text stays on
the mention.

A name is only folded on evidence, never by a suffix rule alone, so that names that really
end in ``s`` or ``en`` stay (``Moers``, ``Hans``, ``Essen``, ``Nippes``):

- a trailing genitive apostrophe (``Andreas'``) always goes;
- a shorter form (``-s``, ``-es``, ``-n``, ``-en`` off the last word) is taken when that form is
  a known name (:class:`KnownNames`: GeoNames places, German country names from CLDR via
  Babel, ``pipeline/data/known_names.tsv``, the other mentions of the document) and the name
  itself is not;
- a genitive article (``des``, ``eines``) before the mention marks its head noun as genitive
  (``des Landgerichts Kleve``, ``des Kreises Wesel``);
- a capitalised adjective inside an ORG or LOC name (``Kommunalen``, ``Oberbergischen``,
  ``Deutschen``, ``Weißer``) takes its weak nominative form (``Kommunale``); place adjectives
  (``Kölner``, ``Duisburger``) do not inflect and stay.

:func:`normalise_name` and :func:`entity_key` turn a canonical name into the entity key the
store indexes (case, Unicode form, hyphens and spaces unified).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

KNOWN_NAMES = Path(__file__).resolve().parent / "data" / "known_names.tsv"

STRONG_POPULATION = 50_000
GENITIVE_ARTICLES = {"des", "eines", "dieses", "jenes", "seines", "ihres", "unseres"}
_APOSTROPHES = ("'", "’", "‘")

# Stems of adjectives that appear capitalised inside names (``Rote Kreuz``, ``Freie Wähler``);
# adjectives built with a derivational suffix (-isch, -lich, -al, ...) are recognised by it.
_ADJECTIVE_SUFFIXES = ("isch", "deutsch", "lich", "ig", "al", "ell", "iv", "bar", "sam", "haft", "los")
_ADJECTIVE_STEMS = {
    "neu", "alt", "groß", "gross", "klein", "weiß", "weiss", "rot", "grün", "schwarz", "blau", "gelb", "frei",
    "deutsch", "hoch", "nieder", "ober", "unter", "mittler", "heilig", "link", "recht", "jung", "gut",
    "evangelisch", "katholisch", "christlich", "lang", "kurz", "breit", "hohl", "nord", "süd", "west", "ost",
    "vereinigt", "erst", "zweit", "dritt", "offen", "fair", "golden", "silbern", "eisern", "hinter", "vorder",
    "inner", "äußer",
}
# Parties named by an adjective, in the form they use for themselves (Bündnis 90/Die Grünen, Die Linke).
_PARTY_FORMS = {"grün": "Grünen", "link": "Linke"}
_ADJECTIVE_ENDINGS = ("en", "er", "es", "em", "e")
_WORD_RE = re.compile(r"^([A-ZÄÖÜ][a-zäöüß]+)$")


def normalise_name(name: str) -> str:
    """Key part of an entity name: NFC, casefolded, whitespace and hyphens unified."""
    name = unicodedata.normalize("NFC", name).casefold()
    name = re.sub(r"[\u2010-\u2015-]", "-", name)
    return " ".join(name.split())


def entity_key(label: str, name: str, place_id: int | None = None) -> str:
    """The store's key of an entity: ``LOC:duisburg``; a place told apart from same-named
    places by its GeoNames id: ``LOC:oberkassel#2860104``."""
    key = f"{label}:{normalise_name(name)}"
    return f"{key}#{place_id}" if place_id is not None else key


@functools.lru_cache(maxsize=1)
def _listed_names() -> frozenset[str]:
    """Normalised names of the static lists: GeoNames places, CLDR country names, known_names.tsv."""
    from pipeline.places import all_names

    names = set(all_names()) | {normalise_name(n) for n in _territories()} | _known_list()
    return frozenset(names)


@functools.lru_cache(maxsize=1)
def _strong_names() -> frozenset[str]:
    from pipeline.places import REGIONS, keys_of_places_over, place_key

    names = {normalise_name(n) for n in _territories()} | {normalise_name(n) for n, *_ in REGIONS}
    names |= _known_list()
    listed = _listed_names() - names
    # listed names are casefolded, so candidates() would find them by their key alone
    big = keys_of_places_over(STRONG_POPULATION)
    names |= {n for n in listed if place_key(n) in big}
    return frozenset(names)


def _territories() -> list[str]:
    """German names of countries and continents (CLDR, through Babel)."""
    try:
        from babel import Locale

        return list(Locale("de").territories.values())
    except Exception:  # Babel is a dependency; without its data only the other lists count
        return []


def _known_list() -> set[str]:
    names = set()
    if KNOWN_NAMES.exists():
        for line in KNOWN_NAMES.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) == 3 and not line.startswith("#"):
                names.add(normalise_name(parts[2]))
    return names


class KnownNames:
    """Names that count as evidence for a base form: the static lists plus a document's mentions."""

    def __init__(self, document_names: Iterable[str] = ()) -> None:
        self.listed = _listed_names()
        self.document = {normalise_name(n) for n in document_names}

    def __contains__(self, name: str) -> bool:
        key = normalise_name(name)
        return key in self.document or key in self.listed

    def listed_name(self, name: str) -> bool:
        return normalise_name(name) in self.listed

    def strong(self, name: str) -> bool:
        """Evidence enough to fold a name into ``name``: another mention of the document, a
        country or region, a listed organisation or site, or a town of 50,000 or more (the
        gazetteer's small places have namesakes among quarters: ``Hassels`` is not ``Hassel``)."""
        key = normalise_name(name)
        return key in self.document or key in _strong_names()


def _genitive_base(word: str) -> str:
    """``Landgerichts`` -> ``Landgericht``, ``Kreises`` -> ``Kreis``, ``Bundestages`` -> ``Bundestag``;
    ``Airbus``, ``Campus``, ``Atlas`` end in s in every case."""
    if word.endswith(("us", "is", "os", "as", "ys")):
        return word
    if word.endswith("es") and len(word) > 4 and re.search(r"(s|ß|z|x|ch|t|d|g)es$", word):
        return word[:-2]
    if word.endswith("s") and len(word) > 3 and not word.endswith("ss"):
        return word[:-1]
    return word


def _is_adjective(word: str, known: KnownNames) -> str | None:
    """The stem of a capitalised inflected adjective (``Kommunalen`` -> ``Kommunal``), else None."""
    if not _WORD_RE.match(word):
        return None
    for ending in _ADJECTIVE_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            stem = word[: -len(ending)]
            low = stem.lower()
            if low in _ADJECTIVE_STEMS or low.endswith(_ADJECTIVE_SUFFIXES):
                if ending == "er" and known.listed_name(stem):
                    return None  # a place adjective: Kölner, Essener
                return stem
            return None
    return None


def _fold_adjectives(label: str, words: list[str], known: KnownNames) -> list[str]:
    """Adjectives before the last word in weak nominative form; a lone ORG word too, parties as they
    call themselves (``der Grünen``/``Grüne`` -> ``Grünen``, ``der Linken`` -> ``Linke``)."""
    if len(words) == 1 and label != "ORG":
        return words
    if len(words) == 1:  # only the parties: a lone capitalised word is mostly a noun (``Kabaren``)
        stem = _is_adjective(words[0], known)
        return [_PARTY_FORMS[stem.lower()]] if stem is not None and stem.lower() in _PARTY_FORMS else words
    out = list(words)
    for i, word in enumerate(words[:-1] if len(words) > 1 else words):
        stem = _is_adjective(word, known)
        if stem is not None:
            out[i] = stem + "e"
    return out


def _after_genitive_article(before: str) -> bool:
    """``des``/``eines`` just before the name, with at most two lowercase words between (``des neuen``)."""
    words = before.split()[-3:]
    for word in reversed(words):
        low = word.lower()
        if low in GENITIVE_ARTICLES:
            return True
        if not word[:1].islower():
            return False
    return False


def canonical_name(label: str, surface: str, *, before: str = "", known: KnownNames | None = None) -> str:
    """The base form of the name written ``surface`` (``before``: the text just before it)."""
    known = known if known is not None else KnownNames()
    name = " ".join(surface.split())
    if not name:
        return surface
    if name.endswith(_APOSTROPHES) and len(name) > 2:
        name = name[:-1]
    if known.listed_name(name):
        return name  # a real name, whatever it ends in: Moers, Freie Wähler
    words = name.split(" ")
    if label in ("ORG", "LOC"):
        words = _fold_adjectives(label, words, known)
        name = " ".join(words)
        if known.listed_name(name):
            return name
    last = words[-1]
    cuts = ("s", "es", "n") if re.search(r"\b(den|in den|aus den)\s*$", before) else ("s", "es")
    for cut in cuts:  # a shorter, well-known form of the last word (dative plural only after ``den``)
        if last.endswith(cut) and len(last) - len(cut) >= 3:
            shorter = " ".join([*words[:-1], last[: -len(cut)]])
            if known.strong(shorter):
                return shorter
    if label in ("ORG", "LOC") and _after_genitive_article(before):
        # the head noun is in the genitive: the first word of ``Landgerichts Kleve``, the last of ``Bundesfinanzhofs``
        head = 0 if len(words) > 1 and _genitive_base(words[0]) != words[0] else len(words) - 1
        base = _genitive_base(words[head])
        if base != words[head] and base[:1].isupper():
            return " ".join([*words[:head], base, *words[head + 1:]])
    return name
