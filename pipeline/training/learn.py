"""Learn from reviewers' corrections: ``newsmine learn`` (a short update of the current model).

A full ``newsmine train --extra-data`` takes 30-60 minutes on a 2-core machine. ``learn`` starts
from the current weights instead and runs a few passes over the reviewed articles, each pass mixed
with a fresh sample of the original training data (rehearsal) so that the model does not forget
what it knew:

1. The reviewed articles are every article with an applied correction, with all its corrections
   applied (:func:`pipeline.corrections.corrected_articles`, what ``export-corrections`` writes).
   They are split by a hash of their URL (deterministic, independent of order): about
   ``holdout`` of them (at least one) are kept out of training and measure the update; the rest
   are trained on.
2. The ``tok2vec`` and ``ner`` weights are updated (``nlp.update``; the ``gazetteer`` runs first
   and writes the list features the Tok2Vec reads, as in training: ``annotates=["gazetteer"]``)
   with Adam (learning rate 0.0005, constant), dropout 0.1, 1,000-word batches, for ``epochs`` (8)
   passes. Each pass is the trained reviewed articles plus a fresh sample of sentences of GermEval
   2014 train and articles of the corpus train split (both in the shipped model's training data):
   ``rehearsal`` (3) times as many words as the reviewed articles, at least ``min_rehearsal``
   (3,000). The sample's entities are the *base model's* ner output, not the gold annotation
   (pseudo-rehearsal, ``rehearsal_labels="base"``): the update is held to what the model did on
   general text instead of being pulled towards the training gold again. The new weights are the
   optimizer's parameter averages (as ``spacy train`` saves them), then only ``keep`` (0.5) of the
   way from the base: ``base + keep * (averaged - base)``. Measured on a separate tuning part of
   the learning-curve site (``bench/learn.py --tune``), a full step (``keep=1``) gains the site most
   but costs up to 1 F1 point on GermEval dev and corpus dev even when the update sees only the
   original training data (the shipped weights are the best of many checkpoints on GermEval dev,
   so any step away loses some); half the step keeps about two thirds of the gain at almost no cost.
   With a few short reviewed articles and no minimum of rehearsal words, 8 steps taught the model
   that unknown capitalised phrases are organisations (GermEval dev -0.9).
3. The name lists learn too: an ORG or LOC that reviewers added (an ``add`` or ``relabel``
   correction of a trained article) and that the model's ``known_names`` lacks is added to the
   new model's list, unless the training data contradicts it (:func:`pipeline.training.name_list
   .disagrees`: seen at least 3 times, more often as nothing or with another label) or the
   reviewers do (the same text deleted or given another label elsewhere).
4. Base and candidate are scored on GermEval 2014 dev (all 2,200 sentences, ``germeval_limit``
   for fewer), the corpus dev split and the held-out reviewed articles (micro F1 over
   PER/LOC/ORG, exact spans). The candidate is written (a versioned copy, ``0.3.4`` ->
   ``0.3.4+learn.1``, provenance in ``meta.json`` under ``newsmine_learn`` and a model card
   section in its README.md) only when it is better on the held-out reviewed articles and no more
   than ``noise`` (0.5 F1 points) worse on each of the other two; otherwise nothing is written.
   The base model is only read.
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipeline.training.train import ROOT, SHARED, update_meta

#: a callable told ``(done, total)`` update steps
StepProgress = Callable[[int, int], None]

FIGURES = ("reviewed", "germeval", "corpus")
FIGURE_NAMES = {"reviewed": "held-out reviewed", "germeval": "GermEval dev", "corpus": "corpus dev"}


class LearnError(ValueError):
    """``learn`` cannot run (no reviewed articles, an output folder that exists, ...)."""


@dataclass
class LearnSpec:
    base: Path = ROOT / "models" / "de_news"
    out: Path | None = None  # default: next to the base, <base>-learned-<n> (see default_out)
    shared: Path = SHARED
    epochs: int = 8
    learn_rate: float = 0.0005
    dropout: float = 0.1
    rehearsal: float = 3.0  # words of original training data per word of reviewed articles, each pass
    min_rehearsal: int = 3000  # ... and at least this many words per pass (a few short articles need them most)
    batch_words: int = 1000  # words per update step
    seed: int = 0
    holdout: float = 0.25  # share of the reviewed articles kept for the before/after figure
    noise: float = 0.005  # F1 (0-1) a general set may lose and still count as "not worse"
    germeval_limit: int | None = None  # the first N GermEval dev sentences (None: all 2,200)
    learn_names: bool = True
    keep: float = 0.5  # the new weights: base + keep * (updated - base) (1: the updated weights)
    rehearsal_labels: str = "base"  # "base": the base model's ner's entities (pseudo-rehearsal); "gold"
    database: str = ""  # for the provenance only


@dataclass
class LearnResult:
    accepted: bool
    reason: str
    before: dict[str, float]
    after: dict[str, float]
    out: Path | None = None
    trained: int = 0
    heldout: int = 0
    corrections: int = 0
    steps: int = 0
    names_added: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def figures(self) -> str:
        """``held-out reviewed 81.0 -> 90.5, GermEval dev 76.8 -> 76.7, corpus dev 96.2 -> 96.2`` (F1 points)."""
        return ", ".join(f"{FIGURE_NAMES[k]} {100 * self.before[k]:.1f} -> {100 * self.after[k]:.1f}"
                         for k in FIGURES)


# --- the reviewed articles --------------------------------------------------------------


def reviewed_records(db) -> list[dict]:
    """The reviewed articles of a database (:func:`pipeline.corrections.corrected_articles`), each
    with ``added``: the ``[start, end, label, text]`` of its positive corrections (what reviewers
    said is an entity) and ``deleted``: the texts reviewers said are not entities."""
    from pipeline.corrections import corrected_articles

    records = list(corrected_articles(db))
    by_url: dict[str, dict] = {r["url"]: r for r in records}
    for rec in records:
        rec["added"], rec["deleted"] = [], []
    if records:
        for row in db.query('SELECT c.article_url AS url, c.start, c."end", c.label, c.text '
                            "FROM corrections_effective c ORDER BY c.id"):
            rec = by_url.get(row["url"])
            if rec is None:
                continue
            if row["label"]:
                rec["added"].append([row["start"], row["end"], row["label"], row["text"]])
            else:
                rec["deleted"].append(row["text"])
    return records


def url_bucket(url: str) -> float:
    """A number in [0, 1) fixed by the URL (SHA-1): the split does not depend on order or run."""
    return int(hashlib.sha1(url.encode("utf-8")).hexdigest()[:12], 16) / 16 ** 12


def split_reviewed(records: list[dict], holdout: float = 0.25) -> tuple[list[dict], list[dict]]:
    """(trained, held out): the records whose URL bucket is below ``holdout``, at least one (the
    lowest bucket), are held out. Needs two records at least."""
    if len(records) < 2:
        raise LearnError(f"{len(records)} reviewed article(s): learn needs at least 2 (one is held out "
                         "to measure the update); correct entities in more articles")
    ranked = sorted(records, key=lambda r: (url_bucket(r["url"]), r["url"]))
    n_held = max(1, sum(url_bucket(r["url"]) < holdout for r in ranked))
    n_held = min(n_held, len(ranked) - 1)
    held = ranked[:n_held]
    held_urls = {r["url"] for r in held}
    return [r for r in records if r["url"] not in held_urls], held


# --- training data ----------------------------------------------------------------------


def _bio_sentences(path: Path) -> tuple[list[tuple[str, str]], ...]:
    """The sentences of a BIO file, read once per process while the file is unchanged (the
    rehearsal sample and the name check both read GermEval train; about 1 s a read)."""
    stat = path.stat()
    return _read_bio(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _read_bio(path: Path, _mtime_ns: int, _size: int) -> tuple[list[tuple[str, str]], ...]:
    from pipeline.training.conll import read_bio_sentences

    return tuple(read_bio_sentences(path))


class Rehearsal:
    """The original training data that each pass mixes in: GermEval 2014 train sentences and the
    corpus train split, read once; :meth:`sample` draws ``words`` words of it."""

    def __init__(self, shared: Path) -> None:
        from pipeline.corpus import JSONL_PATH, read_jsonl

        self.sentences = _bio_sentences(shared / "germeval2014" / "NER-de-train.outer.tsv")
        self.corpus = [r for r in read_jsonl() if r["split"] == "train"] if JSONL_PATH.exists() else []
        self.items: list[tuple[str, int]] = [("g", i) for i in range(len(self.sentences))]
        self.items += [("c", i) for i in range(len(self.corpus))]
        self.corpus_words = [len(r["text"].split()) for r in self.corpus]

    def words(self, item: tuple[str, int]) -> int:
        kind, i = item
        return len(self.sentences[i]) if kind == "g" else self.corpus_words[i]

    def sample(self, nlp, words: int, rng: random.Random, teacher=None) -> list:
        """Examples of about ``words`` words, drawn without replacement (GermEval sentences and corpus
        articles alike: the corpus is ~0.3 % of the items and ~4 % of the words). With a ``teacher``
        (the base model), the examples' entities are the teacher's ner's, not the gold ones."""
        from spacy.training import Example

        from pipeline.corpus import to_docbin
        from pipeline.training.conll import sentence_to_doc

        refs, total = [], 0
        for item in rng.sample(self.items, len(self.items)):
            if total >= words:
                break
            kind, i = item
            if kind == "g":
                refs.append(sentence_to_doc(nlp.vocab, self.sentences[i]))
            else:
                refs.append(next(iter(to_docbin([self.corpus[i]], nlp).get_docs(nlp.vocab))))
            total += self.words(item)
        if teacher is None:
            return [Example(nlp.make_doc(ref.text), ref) for ref in refs]
        with teacher.select_pipes(enable=[n for n in teacher.pipe_names if n in ("gazetteer", "tok2vec", "ner")]):
            taught = teacher.pipe([ref.text for ref in refs], batch_size=256)
            return [Example.from_dict(nlp.make_doc(doc.text),
                                      {"entities": [(e.start_char, e.end_char, e.label_) for e in doc.ents]})
                    for doc in taught]


def record_examples(nlp, records: Iterable[dict]) -> list:
    """spaCy Examples of records ``{"text", "entities": [[start, end, label], ...]}`` (spans aligned
    to the model's tokens, expanding, as ``export-corrections`` does)."""
    from spacy.training import Example

    from pipeline.corrections import to_docbin

    records = list(records)
    docs = to_docbin([{"text": r["text"], "entities": [e[:3] for e in r["entities"]]} for r in records],
                     nlp).get_docs(nlp.vocab)
    return [Example(nlp.make_doc(doc.text), doc) for doc in docs]


def _batches(examples: list, batch_words: int) -> list[list]:
    batches, batch, size = [], [], 0
    for eg in examples:
        batch.append(eg)
        size += len(eg.reference)
        if size >= batch_words:
            batches.append(batch)
            batch, size = [], 0
    if batch:
        batches.append(batch)
    return batches


def update(nlp, trained: list[dict], rehearsal: Rehearsal | None, spec: LearnSpec,
           progress: StepProgress | None = None, teacher=None) -> tuple[int, int]:
    """Update ``nlp``'s tok2vec and ner in place: ``spec.epochs`` passes of Adam over the trained
    reviewed articles and a fresh rehearsal sample each, then the weights set to ``base + spec.keep *
    (averaged - base)``. ``teacher``: labels the rehearsal sample with its ner
    (``spec.rehearsal_labels == "base"``). Returns (update steps, rehearsal words)."""
    from thinc.api import Adam, fix_random_seed

    fix_random_seed(spec.seed)
    rng = random.Random(spec.seed)
    reviewed = record_examples(nlp, trained)
    reviewed_words = sum(len(eg.reference) for eg in reviewed)
    optimizer = Adam(learn_rate=spec.learn_rate, L2=0.01, L2_is_weight_decay=True, grad_clip=1.0,
                     use_averages=True, beta1=0.9, beta2=0.999, eps=1e-8)
    trainable = [name for name in nlp.pipe_names if name in ("tok2vec", "ner")]
    exclude = [name for name in nlp.pipe_names if name not in trainable]
    annotates = [name for name in nlp.pipe_names if name == "gazetteer"]  # writes what the Tok2Vec reads
    want = int(reviewed_words * spec.rehearsal)
    if spec.rehearsal > 0:
        want = max(want, spec.min_rehearsal)
    passes = []
    for _ in range(spec.epochs):
        extra = rehearsal.sample(nlp, want, rng, teacher if spec.rehearsal_labels == "base" else None) \
            if rehearsal is not None and want else []
        examples = reviewed + extra
        rng.shuffle(examples)
        passes.append(_batches(examples, spec.batch_words))
    total = sum(len(p) for p in passes)
    start = _weights(nlp, trainable)
    done = 0
    for batches in passes:
        for batch in batches:
            nlp.update(batch, sgd=optimizer, drop=spec.dropout, exclude=exclude, annotates=annotates, losses={})
            done += 1
            if progress is not None:
                progress(done, total)
    # the optimizer's parameter averages (as `spacy train` saves a model), a share `keep` of the way
    # from the base: the reviewed site gains most of what it gains at 1, the general sets lose less
    averages = getattr(optimizer, "averages", None) or {}
    for node, name, base in start:
        updated = averages.get((node.id, name), node.get_param(name))
        node.set_param(name, base + spec.keep * (updated - base))
    return total, want * spec.epochs


def _weights(nlp, components: list[str]) -> list[tuple]:
    """``(node, param name, copy of its weights)`` of every parameter of ``components``' models."""
    out, seen = [], set()
    for name in components:
        for node in nlp.get_pipe(name).model.walk():
            for param in node.param_names:
                if node.has_param(param) and (node.id, param) not in seen:
                    seen.add((node.id, param))
                    out.append((node, param, node.get_param(param).copy()))
    return out


# --- name lists -------------------------------------------------------------------------


def _training_sentences(shared: Path) -> list[list[tuple[str, str]]]:
    """The annotated training data that :mod:`pipeline.training.name_list` checks names against:
    GermEval 2014 train, SmartData train and test (BIO sentences) and the corpus train split."""
    paths = [shared / "germeval2014" / "NER-de-train.outer.tsv",
             shared / "smartdata-corpus-de" / "train.tsv", shared / "smartdata-corpus-de" / "test.tsv"]
    return [s for path in paths if path.exists() for s in _bio_sentences(path)]


def new_names(nlp, trained: list[dict], shared: Path) -> list[tuple[str, str]]:
    """``(label, name)`` ORG/LOC names reviewers added in ``trained`` that the model's
    ``known_names`` lacks and neither the training data nor the reviewers contradict."""
    import spacy
    from spacy.tokens import Doc

    from pipeline.corpus import JSONL_PATH, read_jsonl, to_docbin
    from pipeline.training.conll import sentence_to_doc
    from pipeline.training.name_list import agreement, disagrees

    if "known_names" not in nlp.pipe_names:
        return []
    known = {name for _, name in nlp.get_pipe("known_names").names}
    labels: dict[str, set[str]] = {}
    deleted: set[str] = set()
    for rec in trained:
        for _, _, label, text in rec.get("added", []):
            labels.setdefault(text, set()).add(label)
        deleted.update(rec.get("deleted", []))
    candidates = {text: next(iter(labs)) for text, labs in labels.items()
                  if len(labs) == 1 and next(iter(labs)) in ("ORG", "LOC") and text not in known
                  and text not in deleted and any(c.isupper() for c in text) and len(text) >= 2}
    if not candidates:
        return []
    # count only the sentences that contain a candidate's words (the check itself is name_list's)
    tokenizer = spacy.blank("de").tokenizer
    needles = {text: " ".join(t.text for t in tokenizer(text)) for text in candidates}
    blank = spacy.blank("de")
    docs: list[Doc] = []
    for sent in _training_sentences(shared):
        joined = " ".join(t for t, _ in sent)
        if any(n in joined for n in needles.values()):
            docs.append(sentence_to_doc(blank.vocab, sent))
    if JSONL_PATH.exists():
        corpus = [r for r in read_jsonl() if r["split"] == "train" and any(t in r["text"] for t in candidates)]
        docs += list(to_docbin(corpus, blank).get_docs(blank.vocab))
    counts = agreement(docs, list(candidates)) if docs else {}
    return sorted((label, text) for text, label in candidates.items()
                  if not (text in counts and disagrees(counts[text], label)))


# --- evaluation -------------------------------------------------------------------------


def evaluate_records(nlp, records: Iterable[dict]) -> float:
    """Micro F1 over PER/LOC/ORG (exact character spans) on records ``{"text", "entities": [[s, e, label], ...]}``."""
    from pipeline.training.evaluate import evaluate_corpus

    recs = [{"text": r["text"], "entities": [{"start": s, "end": e, "label": lab} for s, e, lab, *_ in r["entities"]],
             "money": []} for r in records]
    return evaluate_corpus(nlp, recs)["micro"]["f"] if recs else 0.0


def evaluate_model(nlp, heldout: list[dict], spec: LearnSpec, corpus_dev: list[dict] | None = None) -> dict[str, float]:
    """The three figures (micro F1, 0-1): held-out reviewed articles, GermEval dev, corpus dev."""
    from pipeline.corpus import JSONL_PATH, read_jsonl
    from pipeline.training.evaluate import evaluate_bio, evaluate_corpus

    if corpus_dev is None:
        corpus_dev = [r for r in read_jsonl() if r["split"] == "dev"] if JSONL_PATH.exists() else []
    germeval = spec.shared / "germeval2014" / "NER-de-dev.outer.tsv"
    return {"reviewed": evaluate_records(nlp, heldout),
            "germeval": evaluate_bio(nlp, germeval, limit=spec.germeval_limit)["micro"]["f"],
            "corpus": evaluate_corpus(nlp, corpus_dev)["micro"]["f"] if corpus_dev else 0.0}


def verdict(before: dict[str, float], after: dict[str, float], noise: float) -> tuple[bool, str]:
    """(accepted, why): better on the held-out reviewed articles, at most ``noise`` worse elsewhere."""
    problems = []
    if after["reviewed"] <= before["reviewed"]:
        problems.append("not better on the held-out reviewed articles")
    worse = [FIGURE_NAMES[k] for k in ("germeval", "corpus") if after[k] < before[k] - noise]
    if worse:
        problems.append(f"worse on {' and '.join(worse)} by more than {100 * noise:.1f} F1 points")
    if problems:
        return False, "; ".join(problems)
    return True, "better on the held-out reviewed articles, not worse elsewhere"


# --- output -----------------------------------------------------------------------------


def learned_version(version: str) -> str:
    """``0.3.4`` -> ``0.3.4+learn.1``; ``0.3.4+learn.1`` -> ``0.3.4+learn.2``."""
    release, _, local = version.partition("+learn.")
    return f"{release}+learn.{int(local) + 1 if local.isdigit() else 1}"


def default_out(base: Path, version: str) -> Path:
    """``<base>-learned-<n>`` next to the base (``models/de_news`` -> ``models/de_news-learned-1``; a
    learned base ``de_news-learned-1`` -> ``de_news-learned-2``); the next free ``n``."""
    stem = base.name.split("-learned-")[0]
    n = int(version.rpartition("+learn.")[2]) if "+learn." in version else 1
    while (base.parent / f"{stem}-learned-{n}").exists():
        n += 1
    return base.parent / f"{stem}-learned-{n}"


def model_card(meta: dict) -> str:
    """The model card section of a learned model (its README.md)."""
    p = meta["newsmine_learn"]
    rows = "\n".join(f"| {FIGURE_NAMES[k]} | {100 * p['before'][k]:.1f} | {100 * p['after'][k]:.1f} |" for k in FIGURES)
    names = ", ".join(f"{name} ({label})" for label, name in p["names_added"]) or "none"
    return f"""# Model card section: `{meta['lang']}_{meta['name']}` {meta['version']} (learned from reviews)

Made by `newsmine learn` on {p['date']} from `{p['base']['path']}` ({p['base']['version']}): the tok2vec
and ner weights updated with the reviewed articles of `{p['database']}` ({p['reviewed_articles']}
articles, {p['corrections']} corrections; {p['trained_articles']} trained on, {p['heldout_articles']} held
out by URL hash), mixed with a rehearsal sample of GermEval 2014 train and the corpus train split
({p['rehearsal']} x the reviewed words per pass, at least {p['min_rehearsal']}; {p['rehearsal_words']} words in all,
labelled by the {'base model' if p['rehearsal_labels'] == 'base' else 'gold annotation'}). {p['steps']} update
steps, {p['epochs']} passes, Adam at learning rate {p['learn_rate']}, dropout {p['dropout']}, seed {p['seed']};
the weights kept {p['keep']} of the way from the base to the averaged update; {p['seconds']:.0f} s.
Names added to `known_names`: {names}.

Micro F1 over PER/LOC/ORG (exact spans), before -> after:

| set | before | after |
| --- | ---: | ---: |
{rows}

GermEval dev: {p['germeval_sentences']}. Everything else is the base model's card (models/README.md).
"""


def learn(records: list[dict], spec: LearnSpec, *, progress: StepProgress | None = None,
          rehearsal: Rehearsal | None = None, inspect: Callable[[object], None] | None = None) -> LearnResult:
    """Update ``spec.base`` from reviewed ``records`` (:func:`reviewed_records`); write the new model to
    ``spec.out`` only when :func:`verdict` accepts it. ``rehearsal``: the training data read already,
    ``inspect``: called with the loaded candidate, written or not (the learning-curve benchmark
    reuses the one and scores the other on its own documents)."""
    import spacy

    from pipeline.nlp.model import load

    started = time.monotonic()
    base = Path(spec.base)
    if not (base / "meta.json").exists():
        raise LearnError(f"{base} is not a spaCy pipeline folder (no meta.json)")
    trained, held = split_reviewed(records, spec.holdout)
    base_meta = json.loads((base / "meta.json").read_text(encoding="utf-8"))
    version = learned_version(str(base_meta.get("version", "0.0.0")))
    out = Path(spec.out) if spec.out else default_out(base, version)
    if out.resolve() == base.resolve():
        raise LearnError(f"--out {out} is the base model: learn writes a new copy, never over the current model")
    if out.exists() and any(out.iterdir()):
        raise LearnError(f"{out} exists and is not empty: pass another --out")

    base_nlp = load(base)
    before = evaluate_model(base_nlp, held, spec)
    nlp = spacy.load(base)
    if rehearsal is None and spec.rehearsal > 0:
        rehearsal = Rehearsal(spec.shared)
    steps, rehearsal_words = update(nlp, trained, rehearsal, spec, progress, teacher=base_nlp)
    names = new_names(nlp, trained, spec.shared) if spec.learn_names else []
    if names:
        pipe = nlp.get_pipe("known_names")
        pipe.names = [*pipe.names, *names]
    nlp.meta["version"] = version
    nlp.meta["sources"] = [*nlp.meta.get("sources", []),
                           {"name": f"reviewed articles of {spec.database or 'a newsmine database'} (newsmine learn)",
                            "license": "the articles' own terms"}]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.learning"
    if tmp.exists():
        shutil.rmtree(tmp)
    try:
        nlp.to_disk(tmp)
        candidate = load(tmp)
        after = evaluate_model(candidate, held, spec)
        if inspect is not None:
            inspect(candidate)
        accepted, reason = verdict(before, after, spec.noise)
        result = LearnResult(accepted, reason, before, after, trained=len(trained), heldout=len(held),
                             corrections=sum(r.get("corrections", 0) for r in records), steps=steps,
                             names_added=names)
        result.seconds = time.monotonic() - started
        if accepted:
            meta = provenance(spec, base, base_meta, result, rehearsal_words)
            update_meta(tmp, meta)
            full = json.loads((tmp / "meta.json").read_text(encoding="utf-8"))
            (tmp / "README.md").write_text(model_card(full), encoding="utf-8")
            if out.exists():
                out.rmdir()  # empty (checked above)
            tmp.rename(out)
            result.out = out
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return result


def provenance(spec: LearnSpec, base: Path, base_meta: dict, result: LearnResult, rehearsal_words: int) -> dict:
    germeval = f"the first {spec.germeval_limit} sentences" if spec.germeval_limit else "all 2,200 sentences"
    return {"newsmine_learn": {
        "base": {"path": str(base), "name": base_meta.get("name"), "version": base_meta.get("version")},
        "database": spec.database, "reviewed_articles": result.trained + result.heldout,
        "trained_articles": result.trained, "heldout_articles": result.heldout,
        "corrections": result.corrections, "steps": result.steps, "epochs": spec.epochs,
        "learn_rate": spec.learn_rate, "dropout": spec.dropout, "rehearsal": spec.rehearsal,
        "rehearsal_words": rehearsal_words, "batch_words": spec.batch_words, "seed": spec.seed,
        "holdout": spec.holdout, "noise": spec.noise, "germeval_sentences": germeval,
        "keep": spec.keep, "rehearsal_labels": spec.rehearsal_labels, "min_rehearsal": spec.min_rehearsal,
        "before": {k: round(v, 4) for k, v in result.before.items()},
        "after": {k: round(v, 4) for k, v in result.after.items()},
        "names_added": [list(n) for n in result.names_added],
        "seconds": round(result.seconds, 1),
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}}


def terminal_progress(label: str = "Learning") -> tuple[StepProgress | None, Callable[[], None]]:
    """A click progress bar on stderr when it is a terminal (none in a log or a pipe): (update, close)."""
    import click

    if not sys.stderr.isatty():
        return None, lambda: None
    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    def close() -> None:
        if bar is not None:
            bar.__exit__(None, None, None)

    return update, close
