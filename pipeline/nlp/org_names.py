"""Rules for organisation names after the NER (spaCy factory ``newsmine_org_names``).

The statistical NER reads a few words at a time; these rules apply what ANNOTATION.md says
about ORG spans where that window is too small, in this order:

1. **Designator + place** (``designators``): ``Wirtschaftsförderung Oberhausen``,
   ``Wasserverband Eifel-Rur``, ``Polizei Essen`` are one ORG (like ``Stadtwerke Duisburg``),
   though the NER often finds only the place. The LOC must directly follow a capitalised word
   outside any entity ending in a designator (``…verband``, ``…stiftung``, ``…gericht``,
   ``…polizei``); a lowercase description before it blocks the rule (``das höchste Gericht
   Thailands``), a capitalised adjective joins (``Evangelische Stiftung Hephata``).
   ``Stadt Essen`` / ``Kreis Wesel`` and venues (``Stadion Essen`` stays LOC) are untouched.
2. **Legal forms** (``legal_forms``, on by default): ``Vestische Straßenbahnen GmbH``,
   ``Förderverein Musik e.V.``, ``Krombacher Brauerei GmbH & Co. KG`` are one ORG with the form
   (``legal_form_spans``).
3. **English organisation nouns**: a person or place ending in ``Logistics``, ``Systems``,
   ``College`` … is ORG (``Van der Linden Logistics``).
4. **Slashes**: an ORG takes in a place joined to it by ``/`` without spaces
   (``ADFC Wuppertal/Solingen``).
5. **Club numbers**: a club takes its founding year or number (``ASV Dinslaken 1921``,
   ``FC Schalke 04``).

Each rule was measured on the dev sets (models/README.md, "Tried after 0.3.0").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.nlp.word_types import positions_of

#: Compound heads of named bodies (ANNOTATION.md ORG: companies, public bodies, institutions,
#: clubs). Venues (``stadion``, ``halle``, ``park``) are LOC and ambiguous heads (``station``,
#: ``zentrum``, ``amt``, ``schule``) are left out: measured, see models/README.md.
DESIGNATORS: tuple[str, ...] = (
    "verband", "förderung", "stiftung", "werke", "sparkasse", "verbund", "behörde", "kammer",
    "gericht", "hochschule", "universität", "theater", "museum", "verein", "bank", "institut",
    "gesellschaft", "klinikum",
    # public services named after their town (`Polizei Essen`, `Jobcenter Dortmund`); not the
    # bare `regierung`: `die Regierung Ägyptens` is a noun and a country
    "polizei", "feuerwehr", "jobcenter", "bezirksregierung", "staatsanwaltschaft", "caritas",
    "diakonie",
)

#: Lowercase words that may stand before a name (articles, prepositions, conjunctions,
#: possessives); any other lowercase word before the designator makes it descriptive.
FUNCTION_WORDS = frozenset("""
der die das dem den des ein eine einem einen eines einer im am vom beim zum zur ins ans
und oder sowie mit von bei für gegen über unter an in auf aus nach seit zwischen durch ohne
um vor hinter neben zu bis als wie sein seine seinem seinen seiner ihr ihre ihrem ihren
ihrer unser unsere dessen deren dieser diese dieses diesem diesen jeder jede jedes
""".split())

_ADJECTIVE = re.compile(r"(?:isch|lich|al|ig|iv)(?:e|en|er|es)$")


def designator_spans(doc: Doc, designators: tuple[str, ...] = DESIGNATORS,
                     ents: list[Span] | None = None) -> list[Span] | None:
    """``ents`` (default ``doc.ents``) with each ``designator + LOC`` merged into one ORG (a new
    list), or None when no entity changes. ``designators`` are lowercase compound heads."""
    ents = list(doc.ents if ents is None else ents)
    taken = {i for ent in ents for i in range(ent.start, ent.end)}
    merged = False
    for n, ent in enumerate(ents):
        start = ent.start - 1
        if ent.label_ != "LOC" or start < 0 or start in taken:
            continue
        word = doc[start].text
        if not (word[:1].isupper() and word.lower().endswith(designators)):
            continue
        before = doc[start - 1] if start > 0 else None
        if before is not None and before.i not in taken:
            text = before.text
            if text.islower() and text.isalpha() and text not in FUNCTION_WORDS:
                continue  # "das höchste Gericht Thailands": a description, not a name
            if (text[:1].isupper() and text.lower() not in FUNCTION_WORDS
                    and _ADJECTIVE.search(text.lower())):
                start -= 1  # "Kommunales Integrationszentrum Duisburg"
        ents[n] = Span(doc, start, ent.end, label="ORG")
        merged = True
    return ents if merged else None


#: Legal forms that end a company or association name (``Vestische Straßenbahnen GmbH``).
LEGAL_FORMS = frozenset("""
GmbH gGmbH mbH AG KG KGaA OHG GbR UG SE eG e.V. eV AöR Ltd Ltd. Inc Inc. Corp. LLC plc S.A. N.V. B.V.
""".split())
#: words that may stand inside a name before its legal form (``GmbH & Co. KG``, ``Schade u. Söhne``)
_CONNECTORS = frozenset({"&", "u.", "Co.", "Co", "e."})
#: capitalised descriptions that stand before a company name but are not part of it
#: (``der Autobauer Volkswagen AG``, ``BlackBerry-Hersteller Research In Motion Ltd``)
_DESCRIPTIONS = (
    "hersteller", "konzern", "versorger", "unternehmen", "firma", "händler", "anbieter",
    "betreiber", "dienstleister", "investor", "entwickler", "tochter", "zulieferer", "bauer",
    "spezialist", "riese", "gruppe", "kette", "träger", "eigentümer", "käufer", "partner",
)
_MAX_NAME_WORDS = 6
_FORM_PARTS = _CONNECTORS | LEGAL_FORMS  # "GmbH & Co." before "KG"


def _is_legal_form(doc: Doc, i: int) -> bool:
    text = doc[i].text
    return text in LEGAL_FORMS or (text == "V." and i > 0 and doc[i - 1].text == "e.")


def legal_form_spans(doc: Doc, ents: list[Span], positions: list[int] | None = None) -> list[Span] | None:
    """``ents`` with each name before a legal form (``GmbH``, ``AG``, ``e.V.``) made one ORG
    that includes the form (a new list), or None when nothing changes.

    An entity that ends right before the form (or before ``& Co. KG``) is extended and becomes
    ORG; otherwise the capitalised words before the form make the name (at most six, not a
    function word, not a description such as ``Hersteller``), ``Die Vestische Straßenbahnen
    GmbH`` -> ``Vestische Straßenbahnen GmbH``. ``positions``: the token indices to look at
    (all when None).
    """
    changed = False
    for i in range(1, len(doc)) if positions is None else positions:
        if i < 1 or not _is_legal_form(doc, i):
            continue
        owner = next((n for n, ent in enumerate(ents) if ent.start <= i < ent.end), None)
        if owner is not None:
            ent = ents[owner]
            if ent.end == i + 1 and ent.label_ != "ORG":  # "Müller GmbH" read as a person
                ents[owner] = Span(doc, ent.start, ent.end, label="ORG")
                changed = True
            continue
        taken = {k for ent in ents for k in range(ent.start, ent.end)}
        start = i
        while start > 0 and start - 1 not in taken and doc[start - 1].text in _FORM_PARTS:
            start -= 1  # "GmbH & Co." before "KG"
        before = next((n for n, ent in enumerate(ents) if ent.end == start), None)
        if before is not None:  # the NER found the name: the form joins it
            ents[before] = Span(doc, ents[before].start, i + 1, label="ORG")
            changed = True
            continue
        name_start = start
        while name_start > 0 and i - name_start < _MAX_NAME_WORDS and name_start - 1 not in taken:
            word = doc[name_start - 1]
            lower = word.text.lower()
            if not (word.text[:1].isupper() or word.text[:1].isdigit() or word.text in _CONNECTORS):
                break
            if lower in FUNCTION_WORDS or lower.endswith(_DESCRIPTIONS):
                break
            name_start -= 1
            if word.is_sent_start:
                break
        while name_start < start and doc[name_start].text in _CONNECTORS:
            name_start += 1
        if name_start < start:
            ents.append(Span(doc, name_start, i + 1, label="ORG"))
            ents.sort(key=lambda span: span.start)
            changed = True
    return ents if changed else None


#: English nouns that end an organisation's name (``Van der Linden Logistics``, ``Caldera
#: Systems``, ``South Mountain Community College``); not ``Bank`` (``West Bank``).
ENGLISH_HEADS = frozenset("""
Logistics Group Holding Holdings Solutions Services Systems Consulting Technologies Technology
Media Software Entertainment Records Airlines Airways Motors Pharma Partners Capital Industries
Foods Communications Networks Labs Studios Surveys Federation Association Society Institute
University College Corporation Company Enterprises Insurance
""".split())


def english_heads_to_org(ents: list[Span]) -> bool:
    """Relabel (in place) as ORG every PER/LOC entity of two words or more that ends in an
    English organisation noun (``ENGLISH_HEADS``); True when one changed."""
    changed = False
    for n, ent in enumerate(ents):
        if ent.label_ in ("PER", "LOC") and len(ent) >= 2 and ent[-1].text in ENGLISH_HEADS:
            ents[n] = Span(ent.doc, ent.start, ent.end, label="ORG")
            changed = True
    return changed


def join_slashed_places(doc: Doc, ents: list[Span]) -> bool:
    """Extend (in place) an ORG over a place joined to it by a slash without spaces
    (``ADFC Wuppertal/Solingen``: one club, not a club and a town); True when one changed."""
    changed = False
    n = 0
    while n + 1 < len(ents):
        org, place = ents[n], ents[n + 1]
        slash = org.end - 1 if org[-1].text == "/" else org.end  # the NER may keep the slash
        if (org.label_ == "ORG" and place.label_ == "LOC" and place.start == slash + 1
                and doc[slash].text == "/" and not doc[slash - 1].whitespace_ and not doc[slash].whitespace_):
            ents[n:n + 2] = [Span(doc, org.start, place.end, label="ORG")]
            changed = True
            continue
        n += 1
    return changed


#: Abbreviations that mark a sports club's name (``ASV Dinslaken``, ``Krefelder EV``).
CLUB_MARKERS = frozenset("""
FC SV TuS VfL VfB VfR SC TSV ASV DJK SG BV SpVgg TV SSV FSV MSV BSV ETB KFC EV SF TuRa RSV ESV
""".split())
_FOUNDING_NUMBER = re.compile(r"(?:18|19)\d\d|0\d")


def club_numbers(doc: Doc, ents: list[Span]) -> bool:
    """Extend (in place) a club's ORG by the founding year or number after it (``ASV
    Dinslaken 1921``, ``FC Schalke 04``, ``SG Wattenscheid 09``), unless a capitalised word
    follows the number (``SC Rheindahlen 12 Punkte`` is a quantity); True when one changed."""
    changed = False
    for n, ent in enumerate(ents):
        end = ent.end
        if (ent.label_ != "ORG" or end >= len(doc) or not _FOUNDING_NUMBER.fullmatch(doc[end].text)
                or not any(token.text in CLUB_MARKERS for token in ent)):
            continue
        if n + 1 < len(ents) and ents[n + 1].start == end:
            continue
        if end + 1 < len(doc) and doc[end + 1].text[:1].isupper():
            continue
        ents[n] = Span(doc, ent.start, end + 1, label="ORG")
        changed = True
    return changed


class OrgNames:
    """Pipeline component: see the module docstring."""

    def __init__(self, name: str = "org_names", designators: Iterable[str] = DESIGNATORS,
                 legal_forms: bool = True) -> None:
        self.name = name
        self.designators = tuple(d.lower() for d in designators)
        self.legal_forms = legal_forms
        self._legal_orths: np.ndarray | None = None

    def _legal_positions(self, doc: Doc) -> list[int]:
        """Indices of the tokens that may be a legal form (one array comparison per document)."""
        if self._legal_orths is None:
            forms = [doc.vocab.strings.add(form) for form in sorted(LEGAL_FORMS | {"V."})]
            self._legal_orths = np.asarray(forms, dtype="uint64")
        return positions_of(doc, self._legal_orths)

    def __call__(self, doc: Doc) -> Doc:
        ents = list(doc.ents)
        merged = designator_spans(doc, self.designators, ents)
        changed = merged is not None
        ents = merged or ents
        positions = self._legal_positions(doc) if self.legal_forms else []
        if positions:
            changed |= legal_form_spans(doc, ents, positions) is not None
        changed |= english_heads_to_org(ents)  # the in-place rules run whatever came before
        changed |= join_slashed_places(doc, ents)
        changed |= club_numbers(doc, ents)
        if changed:
            doc.ents = ents
        return doc


@Language.factory("newsmine_org_names",
                  default_config={"designators": list(DESIGNATORS), "legal_forms": True})
def make_org_names(nlp: Language, name: str, designators: list[str], legal_forms: bool) -> OrgNames:
    """``nlp.add_pipe("newsmine_org_names", after="ner")``."""
    return OrgNames(name, designators, legal_forms)
