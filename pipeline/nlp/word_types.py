"""Per-word-type lookups for pipeline components.

Creating a Python ``Token`` per word costs about a microsecond; news repeats its
words, so components that only need a property of the word's text compute it
once per distinct word (``ORTH``) and spread it back over the tokens with arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np
from spacy.attrs import ORTH
from spacy.tokens import Doc

T = TypeVar("T")
MAX_MEMO = 500_000  # word types remembered per component before the memo starts over


class TypeMemo:
    """``word text -> value`` computed once per word id, across documents."""

    def __init__(self, compute: Callable[[str], T], max_entries: int = MAX_MEMO) -> None:
        self.compute = compute
        self.max_entries = max_entries
        self.values: dict[int, T] = {}

    def clear(self) -> None:
        self.values = {}

    def of_types(self, doc: Doc) -> tuple[np.ndarray, list, np.ndarray]:
        """``(orths, values, inverse)``: the doc's word ids, one value per distinct word
        (in ``np.unique`` order) and, per token, the index of its word in ``values``."""
        orths = doc.to_array(ORTH)
        types, inverse = np.unique(orths, return_inverse=True)
        memo, strings = self.values, doc.vocab.strings
        if len(memo) > self.max_entries:
            memo.clear()
        values = []
        for orth in types.tolist():
            value = memo.get(orth)
            if value is None:
                value = memo[orth] = self.compute(strings[orth])
            values.append(value)
        return orths, values, inverse.reshape(-1)


def positions_of(doc: Doc, orth_ids: np.ndarray | list[int]) -> list[int]:
    """Indices of the tokens of ``doc`` whose word id (``ORTH``) is one of ``orth_ids``: one
    array comparison, no Python object per word (for small id sets, as rules use)."""
    ids = np.asarray(orth_ids, dtype="uint64")
    if not len(doc) or not ids.size:
        return []
    return np.flatnonzero((doc.to_array(ORTH)[:, None] == ids).any(axis=1)).tolist()
