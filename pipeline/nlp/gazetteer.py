"""Name-list features for the NER model (spaCy factory ``newsmine_gazetteer``).

The component runs before the ``tok2vec`` and writes, per token, which name
lists it belongs to into ``Token.tag_`` (the pipeline has no tagger, so the
slot is free): e.g. ``S`` (a surname), ``P`` (a German place name), ``Pb``/``Pi``
(begins / continues a multi-word place name), ``S+V``. The Tok2Vec embeds the
``TAG`` attribute like NORM or SHAPE, so the model learns how far to trust each
list; nothing is decided by the lists alone. The feature is token-local once
set, so the embedding cache (:mod:`pipeline.nlp.embed_cache`) keeps working.

Lists (codes): ``S`` surnames (GermaNER, Apache-2.0), ``V`` first names (first
words of multi-word PER names in the training data), ``P`` places (GeoNames,
CC BY 4.0, the table bundled in ``pipeline/data``), ``L`` geographic names
(GN250 © GeoBasis-DE / BKG, dl-de/by-2-0), ``C`` country names (Auswärtiges Amt).
They are built by :func:`build_lists` and saved inside the model.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from spacy.attrs import LEMMA, TAG
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import ensure_path

from pipeline.nlp.word_types import TypeMemo

DATA_FILE = "gazetteer.json.gz"


class Gazetteer:
    """Token -> list codes, with greedy longest matching of multi-word entries."""

    def __init__(self, vocab, name: str = "gazetteer", max_words: int = 6) -> None:
        self.vocab = vocab
        self.name = name
        self.max_words = max_words
        self.single: dict[str, str] = {}
        self.multi: dict[tuple[str, ...], str] = {}
        self.first: dict[str, int] = {}  # first word of a multi-word entry -> its longest length
        self.heads: frozenset[str] = frozenset()  # lowercase nouns that can end a compound
        self._ids: dict[str, int] = {}
        self._types = TypeMemo(self._word_features)  # word -> (code id, starts an entry, head id)

    # -- data -------------------------------------------------------------------
    def set_lists(self, lists: dict[str, Iterable[tuple[str, ...]]]) -> None:
        """``lists`` maps a one-letter code to entries (each a tuple of words)."""
        single: dict[str, set[str]] = {}
        multi: dict[tuple[str, ...], set[str]] = {}
        for code, entries in lists.items():
            for words in entries:
                if not words or len(words) > self.max_words:
                    continue
                if len(words) == 1:
                    single.setdefault(words[0], set()).add(code)
                else:
                    multi.setdefault(tuple(words), set()).add(code)
        self._use({w: "+".join(sorted(c)) for w, c in single.items()},
                  {w: "+".join(sorted(c)) for w, c in multi.items()})

    def _use(self, single: dict[str, str], multi: dict[tuple[str, ...], str]) -> None:
        """Install lists; derive the first-word index and drop the lookup caches."""
        self.single, self.multi = single, multi
        self.first = {}
        for words in multi:
            self.first[words[0]] = max(self.first.get(words[0], 0), len(words))
        self._ids = {}
        self._types.clear()

    def _id(self, code: str) -> int:
        found = self._ids.get(code)
        if found is None:
            found = self._ids[code] = self.vocab.strings.add(code)
        return found

    # -- pipeline ---------------------------------------------------------------
    def _word_features(self, word: str) -> tuple[int, bool, int]:
        code = self.single.get(word, "")
        head = compound_head(word, self.heads) if self.heads else ""
        return (self._id(code) if code else 0, word in self.first, self._id(head) if head else 0)

    def _match(self, words: list[str], i: int) -> tuple[int, str]:
        """The longest multi-word entry starting at ``words[i]``: (length, codes) or (0, "")."""
        longest = self.first.get(words[i])
        if longest:
            for size in range(min(longest, len(words) - i), 1, -1):
                code = self.multi.get(tuple(words[i:i + size]))
                if code:
                    return size, code
        return 0, ""

    def _combined(self, word: str, code: str, first: bool) -> str:
        part = "".join(f"{c}{'b' if first else 'i'}" for c in code.split("+"))
        single = self.single.get(word, "")
        return f"{single}+{part}" if single else part

    def codes(self, words: list[str]) -> list[str]:
        """The feature string of each word ("" where no list matches)."""
        out = [self.single.get(w, "") for w in words]
        i = 0
        while i < len(words):
            size, code = self._match(words, i)
            for j in range(i, i + size):
                out[j] = self._combined(words[j], code, j == i)
            i += size or 1
        return out

    def __call__(self, doc: Doc) -> Doc:
        """Set ``TAG`` (the result of :meth:`codes`) and, with heads, ``LEMMA``, once per word type."""
        if not len(doc):
            return doc
        orths, features, inverse = self._types.of_types(doc)
        single = np.array([code for code, _, _ in features], dtype="uint64")
        starts = np.array([start for _, start, _ in features], dtype=bool)
        tags = single[inverse]
        strings = doc.vocab.strings
        free = 0  # matches never overlap: the next one starts after the last
        for i in np.flatnonzero(starts[inverse]).tolist():
            if i < free:
                continue
            words = [strings[o] for o in orths[i:i + self.first[strings[orths[i]]]].tolist()]
            size, code = self._match(words, 0)
            for j in range(size):
                tags[i + j] = self._id(self._combined(words[j], code, j == 0))
            free = i + size
        if self.heads:  # compound heads into LEMMA (models/configs/de_news_heads.cfg)
            heads = np.array([head for _, _, head in features], dtype="uint64")[inverse]
            doc.from_array([TAG, LEMMA], np.stack([tags, heads], axis=1))
        else:
            doc.from_array([TAG], tags)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    def initialize(self, get_examples=None, *, nlp: Language | None = None, path: str | None = None) -> None:
        """Load the lists written by :func:`build_lists` (``[initialize.components]``)."""
        if path:
            self._from_file(Path(path))

    # -- serialisation ----------------------------------------------------------
    def _data(self) -> dict:
        data = {"max_words": self.max_words, "single": self.single,
                "multi": {" ".join(words): code for words, code in self.multi.items()}}
        if self.heads:
            data["heads"] = sorted(self.heads)
        return data

    def _load(self, data: dict) -> None:
        self.max_words = data.get("max_words", self.max_words)
        self.heads = frozenset(data.get("heads", ()))
        self._use(data["single"], {tuple(words.split(" ")): code for words, code in data["multi"].items()})

    def _from_file(self, path: Path) -> None:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            self._load(json.load(handle))

    def _serialised(self) -> bytes:
        # level 6: 5x faster than 9 for 0.4 % more bytes (a learned model is written in seconds);
        # mtime 0: the same names give the same file
        data = json.dumps(self._data(), ensure_ascii=False, sort_keys=True).encode("utf-8")
        return gzip.compress(data, compresslevel=6, mtime=0)

    def _to_file(self, path: Path) -> None:
        path.write_bytes(self._serialised())

    def to_disk(self, path, *, exclude: Iterable[str] = ()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        self._to_file(path / DATA_FILE)

    def from_disk(self, path, *, exclude: Iterable[str] = ()) -> Gazetteer:
        self._from_file(ensure_path(path) / DATA_FILE)
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return self._serialised()

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> Gazetteer:
        self._load(json.loads(gzip.decompress(data)))
        return self


@Language.factory("newsmine_gazetteer", default_config={"max_words": 6})
def make_gazetteer(nlp: Language, name: str, max_words: int) -> Gazetteer:
    return Gazetteer(nlp.vocab, name, max_words)


# -- building the lists (training time) ----------------------------------------------

def _read_list(path: Path) -> list[str]:
    return [line.strip() for line in open(path, encoding="utf-8") if line.strip()]


def build_lists(shared: Path, places_table: Path, first_names: Iterable[str], out: Path,
                tokenizer=None, heads: Iterable[str] = ()) -> dict[str, int]:
    """Write the gazetteer file used by ``[initialize.components.gazetteer] path``.

    Entries are split with the pipeline's tokenizer so that they match its tokens;
    ``heads`` (from :func:`heads_from_text`) turns on compound heads in ``LEMMA``.
    Returns the number of entries per code (and of heads).
    """
    import spacy

    tokenizer = tokenizer or spacy.blank("de").tokenizer
    ler = shared / "gazetteers" / "ler-gazetteers"
    raw: dict[str, list[str]] = {
        "S": _read_list(ler / "personennamen.list"),
        "L": _read_list(ler / "landschaftsbezeichnungen.list"),
        "C": _read_list(ler / "laendernamen.list"),
        "V": sorted(set(first_names)),
    }
    from pipeline.places import records

    places = {name for _, names in records(places_table) for name in names}
    raw["P"] = sorted(p for p in places if p and p[:1].isupper())
    lists: dict[str, list[tuple[str, ...]]] = {}
    for code, entries in raw.items():
        lists[code] = [tuple(t.text for t in tokenizer(e)) for e in entries if "," not in e]
    gaz = Gazetteer(spacy.blank("de").vocab)
    gaz.set_lists(lists)
    gaz.heads = frozenset(heads)
    out.parent.mkdir(parents=True, exist_ok=True)
    gaz._to_file(out)
    counts = {code: len(entries) for code, entries in lists.items()}
    if gaz.heads:
        counts["heads"] = len(gaz.heads)
    return counts


def compound_head(word: str, heads: frozenset[str], min_head: int = 3, min_stem: int = 2) -> str:
    """The longest known noun that ends a capitalised word (``Wasserverband`` -> ``verband``,
    genitive ``Seniorenbeirats`` -> ``beirat``, ``Verband`` -> ``verband``); "" for other words."""
    if len(word) < min_stem + min_head or not word[:1].isupper() or not word.isalpha():
        return ""
    lower = word.lower()
    if lower in heads:  # a known noun is its own head (Verband, not Ver|band)
        return lower
    for i in range(min_stem, len(lower) - min_head + 1):
        tail = lower[i:]
        if tail in heads:
            return tail
        if tail.endswith("s") and tail[:-1] in heads and len(tail) > min_head:
            return tail[:-1]
    return ""


def heads_from_text(lines: Iterable[str], min_count: int = 10, min_length: int = 3) -> list[str]:
    """Lowercased capitalised words seen at least ``min_count`` times (candidate compound heads)."""
    counts: Counter[str] = Counter()
    word = re.compile(rf"\b[A-ZÄÖÜ][a-zäöüß]{{{min_length - 1},}}\b")
    for line in lines:
        counts.update(word.findall(line))
    return sorted({w.lower() for w, n in counts.items() if n >= min_count})


def first_names_from(docs: Iterable[Doc], min_count: int = 2) -> list[str]:
    """First words of multi-word PER names seen at least ``min_count`` times."""
    counts: Counter[str] = Counter()
    for doc in docs:
        for ent in doc.ents:
            if ent.label_ == "PER" and len(ent) >= 2 and ent[0].text[:1].isupper() and ent[0].is_alpha:
                counts[ent[0].text] += 1
    return sorted(w for w, n in counts.items() if n >= min_count)
