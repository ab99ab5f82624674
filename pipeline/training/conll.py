"""Read 2-column BIO files (GermEval outer, SmartData, MobIE) into spaCy Docs.

Label mapping follows ../shared/ANNOTATION.md: PER/LOC/ORG are kept, OTH and every
``*deriv``/``*part`` label becomes "no entity", so the model never learns MISC.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from spacy.tokens import Doc, DocBin
from spacy.vocab import Vocab

KEPT_LABELS = ("PER", "LOC", "ORG")


def map_label(raw: str) -> str | None:
    """Map a corpus label (``B-LOCderiv``'s type ``LOCderiv``) to PER/LOC/ORG or None."""
    raw = raw.strip()
    if raw in KEPT_LABELS:
        return raw
    upper = raw.upper()
    if upper in KEPT_LABELS:
        return upper
    return None


def read_bio_sentences(path: Path, token_col: int = 0, tag_col: int = -1) -> Iterator[list[tuple[str, str]]]:
    """Yield sentences as lists of ``(token, tag)`` from a blank-line separated file.

    Lines starting with ``#`` (GermEval comments) are skipped. For the original
    4-column GermEval files pass ``token_col=1, tag_col=2`` (outer tags).
    """
    sentence: list[tuple[str, str]] = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.startswith("#\t") and not _is_tag(line.split("\t")[-1]):
                continue  # GermEval comment line ("#<TAB>url<TAB>[date]")
            if not line.strip():
                if sentence:
                    yield sentence
                    sentence = []
                continue
            cols = line.split("\t")
            if len(cols) < 2:
                cols = line.split()
            if len(cols) < 2:
                continue
            token = cols[token_col].strip()
            if token:  # a few rebuilt GermEval tokens are empty after the 2022 fix
                sentence.append((token, cols[tag_col]))
    if sentence:
        yield sentence


def _is_tag(value: str) -> bool:
    value = value.strip()
    return value == "O" or value[:2] in ("B-", "I-")


def bio_to_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """Convert BIO tags to token spans ``(start, end, label)`` of kept labels."""
    spans: list[tuple[int, int, str]] = []
    start: int | None = None
    label: str | None = None
    for i, tag in enumerate(tags + ["O"]):
        prefix, _, raw = tag.partition("-")
        if prefix == "I" and label is not None and map_label(raw) == label:
            continue
        if start is not None and label is not None:
            spans.append((start, i, label))
        start, label = None, None
        if prefix in ("B", "I"):
            mapped = map_label(raw)
            if mapped is not None:
                start, label = i, mapped
    return spans


def sentence_to_doc(vocab: Vocab, sentence: list[tuple[str, str]]) -> Doc:
    words = [tok for tok, _ in sentence]
    spaces = [True] * len(words)
    doc = Doc(vocab, words=words, spaces=spaces)
    ents = [doc.char_span(doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), label=lab) for s, e, lab in bio_to_spans([t for _, t in sentence])]
    doc.set_ents([e for e in ents if e is not None], default="outside")
    return doc


def bio_file_to_docbin(path: Path, vocab: Vocab, *, token_col: int = 0, tag_col: int = -1, docs_per_group: int = 1) -> DocBin:
    """Convert a BIO file to a DocBin (one Doc per sentence)."""
    docbin = DocBin(store_user_data=False)
    for sentence in read_bio_sentences(path, token_col=token_col, tag_col=tag_col):
        docbin.add(sentence_to_doc(vocab, sentence))
    return docbin
