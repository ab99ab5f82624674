"""Organisations and places known by name (spaCy factory ``newsmine_known_names``).

Regional news names the same few hundred bodies and places again and again: transport
companies (``Rheinbahn``, ``DVG``), utilities (``Gelsenwasser``, ``Enervie``), courts, chambers,
unions, clubs, newspapers, universities; stadiums, halls, parks, squares, industrial heritage
(``Grugapark``, ``Westfalenhütte``, ``Nordbahntrasse``). The statistical NER misses some of
them when the context does not give them away (``Die Regiobahn fährt ab Montag wieder``,
``die Nebenplätze am Grenzlandstadion``). This component looks the names of
``pipeline/data/known_names.tsv`` up with a ``PhraseMatcher`` (exact, case-sensitive token
sequences, longest match over both lists) and makes each match an entity with the list's
label (ORG or LOC) where:

- no entity overlaps it (a miss), or the entities it overlaps lie inside it
  (``Sparkasse Duisburg`` where the NER found only the town), and
- the next word does not show otherwise: a capitalised word outside an entity starts a
  longer name (``RWE Power`` is left to the NER), a person's name makes the match a title
  (``Bundesrat Flavio Cotti``), and after an organisation a word with a digit is a product's
  model number (``Nokia 5200``; after a place it is a house number).

An entity that reaches beyond the match always wins (``Evonik Industries AG``), and an
entity exactly on the match keeps its label unless ``relabel`` is set: the NER reads the
context. The lists hold facts (names), compiled by the project; names that the training data
mostly leave unannotated (GermEval's ``Bundesregierung``) are commented out
(``python -m pipeline.training.name_list``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import ensure_path, filter_spans

LIST = Path(__file__).resolve().parent.parent / "data" / "known_names.tsv"
DATA_FILE = "known_names.json"
LABELS = ("ORG", "LOC")


def read_names(path: Path = LIST) -> list[tuple[str, str]]:
    """``(label, name)`` pairs of ``known_names.tsv`` (``label<TAB>kind<TAB>name`` lines; ``#``
    starts a comment, so ``#drop`` lines are skipped)."""
    names = []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3 or fields[0] not in LABELS or not fields[2].strip():
            raise ValueError(f"{path}:{number}: expected label<TAB>kind<TAB>name with a label of {LABELS}: {line!r}")
        names.append((fields[0], fields[2].strip()))
    return names


def with_genitives(names: Iterable[str]) -> list[str]:
    """The names plus their genitive in -s (``Bundesfinanzhofs``, ``Landkreistags``): only for a
    last word in lowercase letters after the capital that ends in a consonant other than s, ß,
    x, z (``Verdis`` and ``Reuters`` are a composer's and a writer's; acronyms take none)."""
    out = []
    for name in names:
        out.append(name)
        last = name.split()[-1]
        if last.isalpha() and last[:1].isupper() and not last.isupper() and last[-1] not in "aeiouysßxz":
            out.append(name + "s")
    return out


def _continues(after: Token, label: str) -> bool:
    """The word after a name shows it is not the entity: the start of a longer name
    (``RWE Power``), the person a title belongs to (``Bundesrat Flavio Cotti``) or, after an
    organisation, a product's model number (``Nokia 5200``, ``Audi S6``)."""
    if after.ent_type_ == "PER":
        return True
    if label == "ORG" and any(c.isdigit() for c in after.text):
        return True
    return after.is_alpha and after.text[:1].isupper() and not after.ent_type


class KnownNames:
    """Known names -> ORG / LOC spans (see the module docstring for when)."""

    def __init__(self, make_doc: Callable[[str], Doc], name: str = "known_names",
                 relabel: bool = False, names: list[tuple[str, str]] | None = None) -> None:
        self.make_doc = make_doc
        self.name = name
        self.relabel = relabel
        self._matcher: PhraseMatcher | None = None
        self.names = read_names() if names is None else names

    @property
    def names(self) -> list[tuple[str, str]]:
        """``(label, name)`` pairs; setting them rebuilds the matcher on the next document."""
        return self._names

    @names.setter
    def names(self, names: list[tuple[str, str]]) -> None:
        self._names = [(label, name) for label, name in names]
        self._matcher = None

    def _matches(self, doc: Doc) -> list[Span]:
        if self._matcher is None:  # built on first use, with the loaded pipeline's tokenizer
            self._matcher = PhraseMatcher(doc.vocab)
            for label in LABELS:
                names = [name for lab, name in self.names if lab == label]
                if names:
                    self._matcher.add(label, [self.make_doc(n) for n in with_genitives(names)])
        return filter_spans(self._matcher(doc, as_spans=True))

    def __call__(self, doc: Doc) -> Doc:
        matches = self._matches(doc)
        if not matches:
            return doc
        ents = list(doc.ents)
        changed = False
        for match in matches:
            new = self._resolve(doc, ents, match)
            if new is not None:
                ents = new
                changed = True
        if changed:
            doc.ents = sorted(ents, key=lambda e: e.start)
        return doc

    def _resolve(self, doc: Doc, ents: list[Span], match: Span) -> list[Span] | None:
        """``ents`` with ``match`` as an entity of its list's label, or None when the rule does not apply."""
        start, end = match.start, match.end
        overlapping = [e for e in ents if e.start < end and start < e.end]
        if any(e.start < start or e.end > end for e in overlapping):
            return None  # a longer entity holds the name
        if len(overlapping) == 1 and (overlapping[0].start, overlapping[0].end) == (start, end):
            if overlapping[0].label_ == match.label_ or not self.relabel:
                return None
        elif end < len(doc) and _continues(doc[end], match.label_):
            return None
        kept = [e for e in ents if e not in overlapping]
        return [*kept, Span(doc, start, end, label=match.label_)]

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    # -- serialisation: the list travels with the model ---------------------------------
    def to_disk(self, path, *, exclude: Iterable[str] = ()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / DATA_FILE).write_text(json.dumps(self.names, ensure_ascii=False, indent=0), encoding="utf-8")

    def from_disk(self, path, *, exclude: Iterable[str] = ()) -> KnownNames:
        self.names = json.loads((ensure_path(path) / DATA_FILE).read_text(encoding="utf-8"))
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return json.dumps(self.names, ensure_ascii=False).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> KnownNames:
        self.names = json.loads(data)
        return self


@Language.factory("newsmine_known_names", default_config={"relabel": False})
def make_known_names(nlp: Language, name: str, relabel: bool) -> KnownNames:
    """``nlp.add_pipe("newsmine_known_names", after="ner")``; the lists are saved with the model."""
    return KnownNames(nlp.make_doc, name, relabel)
