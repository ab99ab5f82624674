"""Helpers for tests of rule components: a Doc with given entities, and its entities back.

    from rule_docs import doc_with, spans, tokenised
"""

import spacy
from spacy.tokens import Doc, Span

NLP = spacy.blank("de")
VOCAB = NLP.vocab


def doc_with(words: list[str], ents: list[tuple[int, int, str]]) -> Doc:
    """A Doc of ``words`` (one space after each) with entities ``(start, end, label)`` in tokens."""
    doc = Doc(VOCAB, words=words)
    doc.ents = [Span(doc, s, e, label=lab) for s, e, lab in ents]
    return doc


def tokenised(text: str, ents: list[tuple[int, int, str]]) -> Doc:
    """``text`` split by spaCy's German tokenizer (real spacing: ``Ring.``, ``Wuppertal/Solingen``)
    with entities ``(start, end, label)`` in tokens."""
    doc = NLP(text)
    doc.ents = [Span(doc, s, e, label=lab) for s, e, lab in ents]
    return doc


def spans(doc: Doc) -> list[tuple[str, str]]:
    """``(text, label)`` of each entity, in order."""
    return [(e.text, e.label_) for e in doc.ents]
