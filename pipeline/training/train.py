"""Reproduce the shipped NER model (``newsmine train``) or the stock baseline.

Data (from ../shared/data, never copied into the repo):
- GermEval 2014 train (outer spans; OTH, *deriv, *part -> no entity),
- SmartData news corpus, train and test (PER/LOC/ORG; the test half is not an
  evaluation set here),
- the train split of the project's own corpus, repeated ``corpus_repeat`` times
  (regional news is what newsmine reads; it is small, so it is upweighted),
- optionally reviewed articles exported by ``newsmine export-corrections``
  (``--extra-data``), repeated ``extra_repeat`` times.
The name lists of the ``newsmine_gazetteer`` component are built from
../shared/data/gazetteers and the bundled GeoNames table (:func:`write_gazetteer`);
the Tok2Vec may start from ``python -m pipeline.training.pretrain`` weights.
Tuning uses GermEval dev; GermEval test and the corpus test split are only for
the reported numbers (``newsmine evaluate``).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import spacy
from spacy.tokens import DocBin

from pipeline.training.conll import bio_file_to_docbin

ROOT = Path(__file__).resolve().parent.parent.parent
SHARED = ROOT.parent / "shared" / "data"
CONFIGS = ROOT / "models" / "configs"
HEAD_MIN_COUNT = 30  # capitalised words seen this often in raw-text-de (62 M tokens) are compound heads


@dataclass
class TrainSpec:
    config: Path = CONFIGS / "de_news_gazetteer.cfg"
    output: Path = ROOT / "models" / "de_news"
    workdir: Path = ROOT / "build" / "train"
    shared: Path = SHARED
    use_smartdata: bool = True
    use_mobie: bool = False  # measured: no gain on dev (model card), kept as an option
    use_corpus: bool = True
    corpus_repeat: int = 4
    # mention-replaced copies of the corpus train split (pipeline.training.augment), 0 = none
    corpus_augment: int = 0
    seed: int = 0
    name: str = "news"
    version: str = "0.3.4"
    max_steps: int | None = None
    vectors: Path | None = ROOT / "build" / "vectors" / "spacy-d100"  # python -m pipeline.training.vectors
    # reviewed articles from `newsmine export-corrections` (.jsonl or .spacy), repeated like the corpus
    extra_data: list[Path] = field(default_factory=list)
    extra_repeat: int = 4
    # tok2vec weights from `python -m pipeline.training.pretrain` (config must have the same tok2vec)
    init_tok2vec: Path | None = None
    # add the rule components after the ner (RULES)
    rules: bool = True


def prepare_data(spec: TrainSpec) -> tuple[Path, Path, dict]:
    """Write train/dev DocBins; return their paths and document counts."""
    nlp = spacy.blank("de")
    spec.workdir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    train = DocBin(store_user_data=False)
    augmented: list[dict] = []

    def add(name: str, docbin: DocBin, repeat: int = 1) -> None:
        docs = list(docbin.get_docs(nlp.vocab))
        counts[name] = len(docs)
        for _ in range(repeat):
            for doc in docs:
                train.add(doc)

    add("germeval-train", bio_file_to_docbin(spec.shared / "germeval2014" / "NER-de-train.outer.tsv", nlp.vocab))
    if spec.use_smartdata:
        for part in ("train", "test"):
            add(f"smartdata-{part}", bio_file_to_docbin(spec.shared / "smartdata-corpus-de" / f"{part}.tsv", nlp.vocab))
    if spec.use_mobie:
        # traffic reports and tweets: streets, stops, lines, transport operators (LOC/ORG)
        add("mobie-train", bio_file_to_docbin(spec.shared / "mobie-de" / "train.tsv", nlp.vocab))
    if spec.use_corpus:
        from pipeline.corpus import JSONL_PATH, read_jsonl, to_docbin

        if JSONL_PATH.exists():
            records = [r for r in read_jsonl() if r["split"] == "train"]
            add("corpus-train", to_docbin(records, nlp), repeat=spec.corpus_repeat)
            counts["corpus-train-ids"] = [r["id"] for r in records]  # type: ignore[assignment]
            if spec.corpus_augment:
                augmented = augmented_corpus(records, train, nlp, spec.corpus_augment, spec.seed)
                counts["corpus-train-augmented"] = len(augmented)
    for path in spec.extra_data:
        from pipeline.corrections import load_training_docbin

        add(f"extra-{Path(path).name}", load_training_docbin(Path(path), nlp), repeat=spec.extra_repeat)
    dev = bio_file_to_docbin(spec.shared / "germeval2014" / "NER-de-dev.outer.tsv", nlp.vocab)
    # a folder: spaCy's corpus reader takes every .spacy file in it; the name lists are
    # built from base.spacy only (augmented copies would invent first names)
    train_path, dev_path = spec.workdir / "train", spec.workdir / "dev.spacy"
    if train_path.exists():
        shutil.rmtree(train_path)
    train_path.mkdir()
    train.to_disk(train_path / "base.spacy")
    if augmented:
        from pipeline.corpus import to_docbin

        to_docbin(augmented, nlp).to_disk(train_path / "augmented.spacy")
    dev.to_disk(dev_path)
    return train_path, dev_path, counts


def augmented_corpus(records: list[dict], train: DocBin, nlp, copies: int, seed: int = 0) -> list[dict]:
    """Mention-replaced copies of corpus records; person names drawn from ``train``'s PER entities."""
    from pipeline.training.augment import augment, pools_from

    return augment(records, pools_from(train.get_docs(nlp.vocab)), copies, seed)


def train(spec: TrainSpec) -> Path:
    """Train with spaCy and install model-best into ``spec.output``."""
    from spacy.cli.train import train as spacy_train

    train_path, dev_path, counts = prepare_data(spec)
    out_dir = spec.workdir / f"run-{spec.output.name}"
    overrides = {"paths.train": str(train_path), "paths.dev": str(dev_path)}
    if spec.vectors:
        overrides["paths.vectors"] = str(spec.vectors)
    if spec.max_steps:
        overrides["training.max_steps"] = spec.max_steps
    if spec.init_tok2vec:
        overrides["paths.init_tok2vec"] = str(spec.init_tok2vec)
    if spec.seed:
        overrides["system.seed"] = spec.seed
    if uses_gazetteer(spec.config):
        overrides["paths.gazetteer"] = str(write_gazetteer(spec, train_path))
    spacy_train(spec.config, out_dir, overrides=overrides)
    install(out_dir / "model-best", spec, counts)
    return spec.output


def uses_gazetteer(config: Path) -> bool:
    """Whether the training config has a ``newsmine_gazetteer`` component (its lists must be built)."""
    components = spacy.util.load_config(config, interpolate=False)["components"]
    return any(block.get("factory") == "newsmine_gazetteer" for block in components.values())


def embeds_compound_heads(config: Path) -> bool:
    """Whether the config's Tok2Vec embeds ``LEMMA``, where the gazetteer writes compound heads
    (``models/configs/de_news_heads.cfg``)."""
    tok2vec = spacy.util.load_config(config, interpolate=False)["components"].get("tok2vec", {})
    return "LEMMA" in tok2vec.get("model", {}).get("embed", {}).get("attrs", [])


def write_gazetteer(spec: TrainSpec, train_path: Path) -> Path:
    """Build the name lists of the ``newsmine_gazetteer`` component (saved inside the model)."""
    from pipeline.nlp.gazetteer import build_lists, first_names_from
    from pipeline.places import DATA as PLACES

    nlp = spacy.blank("de")
    first_names = first_names_from(DocBin().from_disk(train_path / "base.spacy").get_docs(nlp.vocab))
    heads: list[str] = []
    if embeds_compound_heads(spec.config):
        from pipeline.nlp.gazetteer import heads_from_text
        from pipeline.training.vectors import paragraphs

        heads = heads_from_text(paragraphs(spec.shared / "raw-text-de"), min_count=HEAD_MIN_COUNT)
    out = spec.workdir / "gazetteer.json.gz"
    build_lists(spec.shared, PLACES, first_names, out, tokenizer=nlp.tokenizer, heads=heads)
    return out


def install(trained: Path, spec: TrainSpec, counts: dict | None = None) -> None:
    """Copy a trained pipeline to ``spec.output`` with newsmine's name, version and data notes."""
    if spec.output.exists():
        shutil.rmtree(spec.output)
    shutil.copytree(trained, spec.output)
    meta = {"name": spec.name, "version": spec.version,
            "description": "newsmine German NER (PER/LOC/ORG) for regional news",
            "author": "newsmine", "license": "CC BY 4.0 (follows the training data)",
            "sources": [{"name": "GermEval 2014 NER", "license": "CC BY 4.0"},
                        {"name": "DFKI SmartData corpus v1", "license": "CC BY 4.0"},
                        {"name": "DFKI MobIE (only with --mobie)", "license": "CC BY 4.0"},
                        {"name": "GermaNER surname list", "license": "Apache-2.0"},
                        {"name": "GeoNames (places of Germany)", "license": "CC BY 4.0"},
                        {"name": "GN250 geographic names, © GeoBasis-DE / BKG", "license": "dl-de/by-2-0"},
                        {"name": "Auswärtiges Amt, Verzeichnis der Staatennamen", "license": "official work"},
                        {"name": "raw-text-de (Bundestag, Hessischer Landtag plenary records)",
                         "license": "official works (§ 5 UrhG)"},
                        {"name": "newsmine regional news corpus (train split)", "license": "CC BY 4.0"}]}
    if counts:
        meta["newsmine_training_docs"] = counts
    if spec.rules:
        add_rules(spec.output, meta=meta)
    else:
        update_meta(spec.output, meta)


def update_meta(path: Path, updates: dict) -> None:
    """Merge ``updates`` into the meta.json of the pipeline at ``path``, written indented
    (spaCy writes it on one line; indented it stays readable in diffs)."""
    meta_path = path / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta.update(updates)
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False))


#: rule components that run after the ``ner`` of the shipped model, in order: (name, factory)
RULES: tuple[tuple[str, str], ...] = (
    ("known_names", "newsmine_known_names"),  # names of pipeline/data/known_names.tsv -> ORG / LOC
    ("org_names", "newsmine_org_names"),  # designator + place -> ORG (pipeline/nlp/org_names.py)
    ("addresses", "newsmine_addresses"),  # street + house number -> LOC (pipeline/nlp/addresses.py)
    ("mentions", "newsmine_mentions"),  # names cut at full stops, bare surnames (pipeline/nlp/mentions.py)
)


def add_rules(path: Path, rules: tuple[tuple[str, str], ...] = RULES, meta: dict | None = None) -> list[str]:
    """Add the missing ``rules`` after the ``ner`` of the pipeline saved at ``path`` (in place)
    and merge ``meta`` into its meta.json; returns the names added. Only config.cfg, meta.json
    and the added components' own folders change: weights, vectors and name lists stay
    byte-identical."""
    nlp = spacy.load(path)
    added = []
    last = "ner"
    for name, factory in rules:
        if name not in nlp.pipe_names:
            nlp.add_pipe(factory, name=name, after=last)
            added.append(name)
        last = name
    if added:
        nlp.to_disk(path, exclude=["vocab", "tokenizer", *(n for n in nlp.pipe_names if n not in added)])
    if added or meta:
        update_meta(path, meta or {})
    return added
