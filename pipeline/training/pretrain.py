"""Pretrain the NER model's Tok2Vec on ../shared/data/raw-text-de (``spacy pretrain``).

    python -m pipeline.training.pretrain --lines 400000 --output build/pretrain

spaCy's pretraining masks 15 % of the words and teaches the Tok2Vec to predict
their first and last characters from the context (``spacy.PretrainCharacters.v1``;
the vectors objective would be trivial because the static floret vectors are one
of the Tok2Vec's inputs). The weights (``model<epoch>.bin``, or the running
``model<epoch>.temp.bin``) start ``newsmine train --init-tok2vec FILE`` with the
matching config ``models/configs/de_news_gazetteer.cfg``.

``spacy pretrain`` does not run ``[initialize]``, so the static vectors are put into
the vocabulary by an ``after_creation`` callback set on the pretraining config only.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.util import load_config

from pipeline.training.vectors import RAW, ROOT, paragraphs

CONFIG = ROOT / "models" / "configs" / "de_news_gazetteer.cfg"


@spacy.registry.callbacks("newsmine.load_vectors.v1")
def make_vector_loader(path: str):
    """``[nlp] after_creation`` callback: copy the static vectors of ``path`` into the vocab."""

    def load(nlp: Language) -> Language:
        from spacy.training.initialize import load_vectors_into_model

        load_vectors_into_model(nlp, path)
        return nlp

    return load


def write_corpus(out: Path, lines: int, raw: Path = RAW, seed: int = 0, min_words: int = 8) -> int:
    """Write a uniform random sample of ``lines`` paragraphs (reservoir sampling) as spaCy JSONL."""
    if not any(raw.rglob("*.txt.gz")):
        raise FileNotFoundError(f"no *.txt.gz under {raw}")
    rng = random.Random(seed)
    sample: list[str] = []
    seen = 0
    for line in paragraphs(raw):
        line = line.strip()
        if len(line.split()) < min_words:
            continue
        seen += 1
        if len(sample) < lines:
            sample.append(line)
        else:
            slot = rng.randrange(seen)
            if slot < lines:
                sample[slot] = line
    rng.shuffle(sample)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as handle:
        for line in sample:
            handle.write(json.dumps({"text": line}, ensure_ascii=False) + "\n")
    return len(sample)


def pretrain(output: Path, raw_text: Path, vectors: Path, config: Path = CONFIG, max_epochs: int = 1,
             resume: Path | None = None) -> None:
    """Run ``spacy pretrain``; with ``resume`` (``modelN.bin``), continue after epoch N up to ``max_epochs``."""
    from spacy.training.pretrain import pretrain as spacy_pretrain

    cfg = load_config(config, overrides={"paths.raw_text": str(raw_text),
                                         "pretraining.max_epochs": max_epochs}, interpolate=False)
    cfg["nlp"]["after_creation"] = {"@callbacks": "newsmine.load_vectors.v1", "path": str(vectors)}
    output.mkdir(parents=True, exist_ok=True)
    cfg.to_disk(output / "config.cfg")
    epoch_resume = None
    if resume is not None:
        match = re.fullmatch(r"model(\d+)\.bin", resume.name)
        if not match:
            raise SystemExit(f"--resume expects a modelN.bin file written by spacy pretrain, not {resume.name}")
        epoch_resume = int(match.group(1)) + 1
    spacy_pretrain(cfg.interpolate(), output, resume_path=resume, epoch_resume=epoch_resume, silent=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=400_000, help="paragraphs sampled from raw-text-de")
    parser.add_argument("--output", type=Path, default=ROOT / "build" / "pretrain")
    parser.add_argument("--vectors", type=Path, default=ROOT / "build" / "vectors" / "spacy-d100",
                        help="spaCy vectors folder or pipeline (the floret table the model uses)")
    parser.add_argument("--config", type=Path, default=CONFIG)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--resume", type=Path, default=None,
                        help="continue from OUTPUT/modelN.bin (same sample); --epochs counts all epochs")
    args = parser.parse_args()
    corpus = args.output / "raw-sample.jsonl"
    if not corpus.exists():
        print(f"sampled {write_corpus(corpus, args.lines, seed=args.seed)} paragraphs -> {corpus}")
    pretrain(args.output, corpus, args.vectors, args.config, args.epochs, args.resume)


if __name__ == "__main__":
    main()
