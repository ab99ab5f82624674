"""Memoised token embeddings for inference.

The first stage of spaCy's ``Tok2Vec`` (``MultiHashEmbed``: hash embeddings of
NORM/PREFIX/SUFFIX/SHAPE, static vectors, a Maxout + LayerNorm mix) looks at
one token at a time: its output row is a pure function of the token's lexical
attributes. In floret mode the static-vector lookup alone hashes each word's
character n-grams in Python on every batch. Word types repeat heavily in news,
so at inference this module caches the embedding row per distinct attribute
tuple and runs the original layer only on tokens not seen before. The context
encoder (CNN) and the NER parser run as usual; outputs are identical.

Training (``is_train=True``) takes spaCy's own code path unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
from spacy.attrs import NORM, ORTH
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import Model

DEFAULT_MAX_ENTRIES = 200_000  # rows of width 96 float32: ~77 MB at most

# layers whose output for a token depends on that token alone
_TOKEN_LOCAL = {"extract_features", "list2ragged", "ragged2list", "with_array", "ints-getitem", "hashembed",
                "static_vectors", "maxout", "layernorm", "dropout", "remap_ids", "concatenate", "chain"}
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _layer_names(model: Model) -> set[str]:
    return {name for node in model.walk() for name in re.findall(r"[\w-]+", node.name)}


def _embed_layer(model: Model) -> tuple[Model, list] | None:
    """The token-local embedding stage of a Tok2Vec model and its feature columns."""
    if not model.layers:
        return None
    embed = model.layers[0]
    if not embed.name.startswith("extract_features") or not _layer_names(embed) <= _TOKEN_LOCAL:
        return None
    extractor = next(n for n in embed.walk() if n.name == "extract_features")
    return embed, list(extractor.attrs["columns"])


class _RowCache:
    """Attribute key -> embedding row, in one growing float32 array."""

    def __init__(self, width: int, max_entries: int) -> None:
        self.width = width
        self.max_entries = max_entries
        self.index: dict[int, int] = {}
        self.rows = np.zeros((1024, width), dtype="float32")

    def add(self, keys: list[int], rows: np.ndarray) -> list[int]:
        start = len(self.index)
        end = start + len(keys)
        if end > len(self.rows):
            grown = np.zeros((max(end, 2 * len(self.rows)), self.width), dtype="float32")
            grown[:start] = self.rows[:start]
            self.rows = grown
        self.rows[start:end] = rows
        positions = list(range(start, end))
        self.index.update(zip(keys, positions))
        return positions


def _keys(docs: list[Doc], columns: list) -> np.ndarray:
    """One 64-bit key per token from its ORTH, NORM and the extracted columns."""
    attrs = [ORTH, NORM, *[c for c in columns if c not in (ORTH, NORM, "ORTH", "NORM")]]
    table = np.concatenate([doc.to_array(attrs) for doc in docs]).astype("uint64")
    keys = table[:, 0].copy()
    with np.errstate(over="ignore"):
        for col in range(1, table.shape[1]):
            keys = (keys * _MIX) ^ table[:, col] ^ (keys >> np.uint64(29))
    return keys


def _cached_forward(original: Callable, columns: list, max_entries: int) -> Callable:
    cache: _RowCache | None = None
    params: int | None = None

    def forward(model: Model, docs: list[Doc], is_train: bool) -> tuple[list, Callable]:
        nonlocal cache, params
        lengths = [len(doc) for doc in docs]
        if is_train or not sum(lengths):
            return original(model, docs, is_train)
        weights = tuple(id(p) for node in model.walk() for p in
                        (node.get_param(n) for n in node.param_names if node.has_param(n)))
        if params != hash(weights):  # new or replaced weights: start over
            cache, params = None, hash(weights)
        keys = _keys(docs, columns)
        unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        positions = np.empty(len(unique), dtype="int64")
        index = cache.index if cache is not None else {}
        missing: list[int] = []
        for i, key in enumerate(unique.tolist()):
            pos = index.get(key)
            if pos is None:
                missing.append(i)
            else:
                positions[i] = pos
        if missing:
            if cache is not None and len(cache.index) + len(missing) > cache.max_entries:
                # full: start over with this batch's rows only
                cache = None
                missing = list(range(len(unique)))
            rows = _embed_tokens(original, model, docs, lengths, first[missing])
            if cache is None:
                cache = _RowCache(rows.shape[1], max_entries)
            positions[missing] = cache.add(unique[missing].tolist(), rows)
        data = cache.rows[positions[inverse]]
        bounds = np.cumsum([0, *lengths])
        return [model.ops.asarray2f(data[a:b]) for a, b in zip(bounds[:-1], bounds[1:])], _no_backprop

    return forward


def _embed_tokens(original: Callable, model: Model, docs: list[Doc], lengths: list[int],
                  flat_positions: np.ndarray) -> np.ndarray:
    """Run the original layer on one synthetic doc made of the given tokens."""
    bounds = np.cumsum(lengths)
    doc_ids = np.searchsorted(bounds, flat_positions, side="right")
    tokens = [docs[d][int(p - (bounds[d - 1] if d else 0))] for d, p in zip(doc_ids.tolist(), flat_positions.tolist())]
    synthetic = Doc(docs[0].vocab, words=[t.text for t in tokens], spaces=[False] * len(tokens))
    for made, tok in zip(synthetic, tokens):
        if made.norm != tok.norm:
            made.norm_ = tok.norm_
        if tok.tag:  # name-list features (pipeline.nlp.gazetteer) live in TAG
            made.tag = tok.tag
        if tok.lemma:  # compound heads (pipeline.nlp.gazetteer) live in LEMMA
            made.lemma = tok.lemma
    out, _ = original(model, [synthetic], False)
    return np.asarray(model.ops.to_numpy(out[0]), dtype="float32")


def _no_backprop(d_output: list) -> list:
    raise RuntimeError("memoised embeddings are for inference only")


def memoise_embeddings(nlp: Language, max_entries: int = DEFAULT_MAX_ENTRIES) -> int:
    """Cache the token-local embedding stage of every Tok2Vec in ``nlp``
    (inference only). Returns the number of layers changed; pipelines whose
    embedding stage is not token-local are left as they are."""
    changed = 0
    for _name, pipe in nlp.pipeline:
        model = getattr(pipe, "model", None)
        if not isinstance(model, Model):
            continue
        for node in model.walk():
            if node.name.startswith("extract_features") and "expand_window" in node.name:
                found = _embed_layer(node)
                if found and not found[0].attrs.get("newsmine_memoised"):
                    embed, columns = found
                    embed._func = _cached_forward(embed._func, columns, max_entries)
                    embed.attrs["newsmine_memoised"] = True
                    changed += 1
    return changed
