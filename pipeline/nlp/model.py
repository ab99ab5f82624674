"""Load the NER pipeline (shipped ``models/de_news`` or any installed spaCy pipeline)
and turn its output into newsmine's PER/LOC/ORG entities and euro amounts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.nlp import gazetteer as _gazetteer  # noqa: F401  (registers the factory)
from pipeline.nlp import money as _money  # noqa: F401  (registers the factory)
from pipeline.nlp import sentences as _sentences  # noqa: F401  (registers the factory)
from pipeline.nlp.addresses import is_street_word
from pipeline.nlp.embed_cache import memoise_embeddings

MODELS_DIR = Path(__file__).resolve().parent.parent.parent / "models"
DEFAULT_MODEL = MODELS_DIR / "de_news"

# Labels of foreign pipelines mapped onto newsmine's; anything else is dropped.
LABEL_MAP = {
    "PER": "PER", "PERSON": "PER", "B-PER": "PER",
    "LOC": "LOC", "GPE": "LOC", "FAC": "LOC",
    "ORG": "ORG", "NORP": None, "MISC": None, "OTH": None,
}
LABELS = ("PER", "LOC", "ORG")
# German tokenisation reads "42." as an ordinal, so a road or an address at a sentence end
# ("auf der A 42.", "am Mühlenweg 21.") comes out with the full stop in the number's token;
# the stop is outside the span (ANNOTATION.md)
ROAD_LETTERS = frozenset({"A", "B", "L", "K"})


class ModelError(RuntimeError):
    """The requested pipeline cannot be loaded."""


@dataclass(frozen=True)
class ModelInfo:
    name: str
    version: str
    path: str

    @property
    def tag(self) -> str:
        return f"{self.name}@{self.version}"


def load(model: str | Path | None = None, *, money: bool = True, sentences: bool = True,
         memoise: bool = True) -> Language:
    """Load a pipeline by package name or path (default: the shipped model).

    Adds a rule-based ``sentencizer`` (after the NER) when the pipeline sets no
    sentence boundaries, and the ``newsmine_money`` component at the end. With
    ``memoise`` (for inference; pass False before further training), token
    embeddings are cached per word (:mod:`pipeline.nlp.embed_cache`).
    """
    target = str(model) if model else str(DEFAULT_MODEL)
    try:
        nlp = spacy.load(target)
    except OSError as err:
        hint = " (train it with `newsmine train`)" if target == str(DEFAULT_MODEL) else ""
        raise ModelError(f"cannot load spaCy pipeline {target!r}{hint}: {str(err).splitlines()[0]}") from err
    if "ner" not in nlp.pipe_names and not any("ner" in n for n in nlp.pipe_names):
        raise ModelError(f"pipeline {target!r} has no 'ner' component")
    has_sents = any(n in nlp.pipe_names for n in ("parser", "senter", "sentencizer"))
    if sentences and not has_sents:
        # after the NER: spaCy's NER never lets an entity cross a sentence start, and the rule
        # sentencizer's false splits ("St . Josef" in pre-tokenised text) would cut names
        last_ner = max(i for i, n in enumerate(nlp.pipe_names) if "ner" in n)
        nlp.add_pipe("newsmine_sentencizer", name="sentencizer", after=nlp.pipe_names[last_ner])
    if money and "newsmine_money" not in nlp.pipe_names:
        nlp.add_pipe("newsmine_money", last=True)
    if memoise:
        memoise_embeddings(nlp)
    return nlp


def model_info(nlp: Language) -> ModelInfo:
    meta = nlp.meta
    return ModelInfo(name=f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}",
                     version=str(meta.get("version", "0.0.0")),
                     path=str(getattr(nlp, "path", "") or ""))


@dataclass
class EntitySpan:
    start: int
    end: int
    label: str
    text: str
    sentence: str


def entities(doc: Doc) -> list[EntitySpan]:
    """PER/LOC/ORG spans of ``doc`` (foreign labels mapped, others dropped)."""
    out: list[EntitySpan] = []
    for ent in doc.ents:
        label = LABEL_MAP.get(ent.label_, ent.label_ if ent.label_ in LABELS else None)
        if label is None:
            continue
        # trailing punctuation and quotes are outside spans (ANNOTATION.md)
        span = ent
        while len(span) and span[-1].is_punct and span[-1].text not in (".",) and len(span) > 1:
            span = span[:-1]
        sent = span.sent.text if doc.has_annotation("SENT_START") else ""
        text, last = span.text, span[-1].text
        if (len(span) >= 2 and last.endswith(".") and last[:-1].isdigit()
                and (span[-2].text in ROAD_LETTERS or is_street_word(span[-2].text))):
            text = text[:-1]
        out.append(EntitySpan(span.start_char, span.start_char + len(text), label, text, sent.strip()))
    return out


def pipe(nlp: Language, texts: Iterable[str], batch_size: int = 32, n_process: int = 1) -> Iterator[Doc]:
    """``nlp.pipe`` with newsmine's defaults."""
    yield from nlp.pipe(texts, batch_size=batch_size, n_process=n_process)
