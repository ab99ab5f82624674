"""Check the known-names list against the training data's annotation.

``python -m pipeline.training.name_list [--apply]`` finds every name of
``pipeline/data/known_names.tsv`` in the training data (GermEval 2014 train, SmartData, the
corpus train split) and counts how its occurrences are annotated: exactly with a label, inside
a longer entity, or not at all. A name whose occurrences are more often unannotated or
annotated with another label than with its own (GermEval leaves ``Bundesregierung``
unannotated 33 times of 37) would add spans the annotators did not want; ``--apply`` comments
such names out, with their counts, so the list says why they are missing. Dev and test data
are never read.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import spacy
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from pipeline.nlp.known_names import LIST, read_names

DROPPED = "#drop\t"
MIN_COUNT = 3  # fewer occurrences say little: GermEval leaves single mentions unannotated by oversight


def agreement(docs: Iterable[Doc], names: list[str]) -> dict[str, Counter]:
    """Per name: how its occurrences in annotated ``docs`` are labelled (``exact-ORG``,
    ``exact-LOC``, ``inside-ORG`` (part of a longer ORG), ``contains`` (entities inside the
    name), ``cross``, ``none``). Repeated documents count once."""
    counts: dict[str, Counter] = {}
    matcher: PhraseMatcher | None = None
    seen: set[str] = set()
    for doc in docs:
        if doc.text in seen:
            continue
        seen.add(doc.text)
        if matcher is None:
            matcher = PhraseMatcher(doc.vocab)
            tokenizer = spacy.blank("de").tokenizer
            for name in names:  # one key per name: the counts are by the list's spelling
                matcher.add(name, [Doc(doc.vocab, words=[t.text for t in tokenizer(name)])])
        for match in filter_spans(matcher(doc, as_spans=True)):
            ents = [e for e in doc.ents if e.start < match.end and match.start < e.end]
            if not ents:
                kind = "none"
            elif len(ents) == 1 and (ents[0].start, ents[0].end) == (match.start, match.end):
                kind = f"exact-{ents[0].label_}"
            elif len(ents) == 1 and ents[0].start <= match.start and match.end <= ents[0].end:
                kind = f"inside-{ents[0].label_}"
            elif all(match.start <= e.start and e.end <= match.end for e in ents):
                kind = "contains"
            else:
                kind = "cross"
            counts.setdefault(match.label_, Counter())[kind] += 1
    return counts


def disagrees(counter: Counter, label: str, min_count: int = MIN_COUNT) -> bool:
    """Seen at least ``min_count`` times, more often unannotated or with another of PER/LOC/ORG
    as the whole span than with ``label``."""
    other = counter["none"] + sum(counter[f"exact-{lab}"] for lab in ("PER", "LOC", "ORG") if lab != label)
    return sum(counter.values()) >= min_count and other > counter[f"exact-{label}"]


def training_docs(shared: Path) -> list[Doc]:
    """GermEval 2014 train, SmartData (train and test) and the corpus train split."""
    from pipeline.corpus import read_jsonl, to_docbin
    from pipeline.training.conll import bio_file_to_docbin

    nlp = spacy.blank("de")
    paths = [shared / "germeval2014" / "NER-de-train.outer.tsv",
             shared / "smartdata-corpus-de" / "train.tsv", shared / "smartdata-corpus-de" / "test.tsv"]
    docs = [doc for path in paths for doc in bio_file_to_docbin(path, nlp.vocab).get_docs(nlp.vocab)]
    corpus = to_docbin([r for r in read_jsonl() if r["split"] == "train"], nlp)
    return docs + list(corpus.get_docs(nlp.vocab))


def apply(path: Path, counts: dict[str, Counter]) -> list[str]:
    """Comment out the names that :func:`disagrees` flags (with their counts); returns them."""
    dropped, lines = [], []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        fields = line.split("\t") if line.strip() and not line.startswith("#") else []
        counter = counts.get(fields[-1].strip()) if fields else None
        if counter and disagrees(counter, fields[0]):
            dropped.append(fields[-1].strip())
            line = f"{DROPPED}{line}\t({', '.join(f'{k} {v}' for k, v in counter.most_common())})"
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dropped


def main(argv: list[str] | None = None) -> None:
    from pipeline.training.train import SHARED

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--list", type=Path, default=LIST)
    parser.add_argument("--apply", action="store_true", help="comment out the names the training data disagree with")
    args = parser.parse_args(argv)
    labels = dict((name, label) for label, name in read_names(args.list))
    counts = agreement(training_docs(args.shared), list(labels))
    total = sum(counts.values(), Counter())
    print(f"{len(labels)} names, {len(counts)} found in the training data; occurrences: {dict(total.most_common())}")
    for name, counter in sorted(counts.items(), key=lambda x: -sum(x[1].values())):
        if disagrees(counter, labels[name]):
            print(f"  disagrees: {labels[name]} {name}: {dict(counter.most_common())}")
    if args.apply:
        print(f"commented out: {len(apply(args.list, counts))}")


if __name__ == "__main__":
    main()
