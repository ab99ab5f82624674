"""Organisations named after a place (spaCy factory ``newsmine_org_names``).

``Wirtschaftsförderung Oberhausen``, ``Wasserverband Eifel-Rur``, ``Kunststiftung NRW``:
ANNOTATION.md makes the whole name an ORG (like ``Stadtwerke Duisburg``), but the
statistical NER often finds only the place and leaves the designator outside. This
component runs after the ``ner`` and turns ``designator + LOC`` into one ORG span when:

- the LOC entity directly follows a capitalised word outside any entity that ends in
  one of ``designators`` (compound heads of named bodies: ``…verband``, ``…stiftung``,
  ``…gericht``; ``Landesverband``, ``Amtsgericht`` match);
- the word before the designator is not a lowercase descriptive word (``das höchste
  Gericht Thailands``, ``der westdeutschen Opel-Werke Rüsselsheim`` are left alone;
  articles and prepositions are fine);
- a capitalised adjective directly before the designator joins the name
  (``Kommunales Integrationszentrum Duisburg``, ``Evangelische Stiftung Hephata``).

``Stadt Essen`` / ``Kreis Wesel`` / ``Land NRW`` are untouched (``stadt``, ``kreis``, ``land``
are not designators), as are venues (``Stadion Essen`` stays LOC: ANNOTATION.md).
Measured in models/README.md (corpus dev +1.2, GermEval dev unchanged).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.language import Language
from spacy.tokens import Doc, Span

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


def designator_spans(doc: Doc, designators: tuple[str, ...] = DESIGNATORS) -> list[Span] | None:
    """``doc.ents`` with each ``designator + LOC`` merged into one ORG (a new list), or None
    when no entity changes. ``designators`` are lowercase compound heads."""
    ents = list(doc.ents)
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


class OrgNames:
    """Pipeline component: see the module docstring."""

    def __init__(self, name: str = "org_names", designators: Iterable[str] = DESIGNATORS) -> None:
        self.name = name
        self.designators = tuple(d.lower() for d in designators)

    def __call__(self, doc: Doc) -> Doc:
        ents = designator_spans(doc, self.designators)
        if ents is not None:
            doc.ents = ents
        return doc


@Language.factory("newsmine_org_names", default_config={"designators": list(DESIGNATORS)})
def make_org_names(nlp: Language, name: str, designators: list[str]) -> OrgNames:
    """``nlp.add_pipe("newsmine_org_names", after="ner")``."""
    return OrgNames(name, designators)
