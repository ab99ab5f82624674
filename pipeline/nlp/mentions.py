"""Document-level fixes of name mentions (spaCy factory ``newsmine_mentions``).

The NER reads a window of a few words; two mistakes need the whole document:

- **A name runs over a full stop** into the next sentence (``beim Opferschutzverein Weißer
  Ring. Terwey empfahl`` -> ``Weißer Ring. Terwey``): an entity with a full stop inside that is
  glued to the word before it and followed by a space and a capitalised word is cut before
  the stop. Pre-tokenised text (``St . Martin``) has a space before the stop and is untouched.
- **A surname alone** (``Hüsgen sagte zu``) is missed when the sentence gives no clue; when
  the same document names the person in full (``Anke Hüsgen``), every later bare, capitalised
  ``Hüsgen`` outside an entity is PER too, unless an article stands before it (``der Link``)
  or a capitalised word outside an entity follows it (``Hüsgen Bau``: a company).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.nlp.org_names import FUNCTION_WORDS
from pipeline.nlp.word_types import positions_of

_ARTICLES = frozenset("der die das dem den des ein eine einem einen eines einer".split())


def cut_at_full_stops(doc: Doc, ents: list[Span]) -> bool:
    """Cut (in place) every entity of ``ents`` that runs over a sentence's full stop."""
    changed = False
    for n, ent in enumerate(ents):
        for k in range(ent.start + 1, ent.end - 1):
            token = doc[k]
            if (token.text == "." and not doc[k - 1].whitespace_ and token.whitespace_
                    and len(doc[k - 1]) > 2 and doc[k + 1].text[:1].isupper()):
                ents[n] = Span(doc, ent.start, k, label=ent.label_)
                changed = True
                break
    return changed


def surname_mentions(doc: Doc, ents: list[Span]) -> list[Span]:
    """New one-word PER spans for bare surnames of people the document names in full."""
    surnames = {ent[-1].text for ent in ents
                if ent.label_ == "PER" and len(ent) >= 2 and ent[-1].text[:1].isupper() and ent[-1].is_alpha}
    if not surnames:
        return []
    taken = {i for ent in ents for i in range(ent.start, ent.end)}
    found = []
    for i in positions_of(doc, [doc.vocab.strings[name] for name in surnames]):
        if i in taken:
            continue
        if i > 0 and doc[i - 1].text.lower() in _ARTICLES:
            continue  # "der Link": a noun
        if i + 1 < len(doc):
            after = doc[i + 1]
            if (after.i not in taken and after.text[:1].isupper() and after.is_alpha
                    and after.text.lower() not in FUNCTION_WORDS and not after.is_sent_start):
                continue  # "Hüsgen Bau": part of another name
        found.append(Span(doc, i, i + 1, label="PER"))
    return found


def mention_spans(doc: Doc) -> list[Span] | None:
    """``doc.ents`` after both fixes (a new list), or None when nothing changes."""
    ents = list(doc.ents)
    changed = cut_at_full_stops(doc, ents)
    added = surname_mentions(doc, ents)
    if added:
        ents = sorted(ents + added, key=lambda span: span.start)
    return ents if changed or added else None


class Mentions:
    """Pipeline component: see the module docstring."""

    def __init__(self, name: str = "mentions") -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        ents = mention_spans(doc)
        if ents is not None:
            doc.ents = ents
        return doc


@Language.factory("newsmine_mentions")
def make_mentions(nlp: Language, name: str) -> Mentions:
    """``nlp.add_pipe("newsmine_mentions", after="addresses")``."""
    return Mentions(name)
