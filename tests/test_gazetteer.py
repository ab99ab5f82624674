"""Name-list features (pipeline/nlp/gazetteer.py): matching, serialisation, loading."""

import gzip
import subprocess
import sys
from pathlib import Path

import spacy

from pipeline.nlp.gazetteer import Gazetteer, build_lists, compound_head, first_names_from, heads_from_text

ROOT = Path(__file__).resolve().parent.parent
LISTS = {
    "S": [("Link",), ("Schmitz",)],
    "V": [("Sören",), ("Anna",)],
    "P": [("Duisburg",), ("Bad", "Godesberg"), ("Mülheim", "an", "der", "Ruhr"), ("Mülheim",)],
    "C": [("Bundesrepublik", "Deutschland"), ("Deutschland",)],
}


def _gazetteer(nlp):
    gaz = nlp.add_pipe("newsmine_gazetteer", first=True)
    gaz.set_lists(LISTS)
    return gaz


def test_codes_mark_single_words_and_longest_multi_word_entries():
    nlp = spacy.blank("de")
    _gazetteer(nlp)
    doc = nlp("Sören Link fuhr von Mülheim an der Ruhr nach Bad Godesberg in der Bundesrepublik Deutschland.")
    tags = {t.text: t.tag_ for t in doc}
    assert tags["Sören"] == "V" and tags["Link"] == "S"
    # the longest entry wins; a single-word entry of its first word is kept as well
    assert [t.tag_ for t in doc[4:8]] == ["P+Pb", "Pi", "Pi", "Pi"]
    assert [t.tag_ for t in doc[9:11]] == ["Pb", "Pi"]
    assert [t.tag_ for t in doc[13:15]] == ["Cb", "C+Ci"]
    assert tags["fuhr"] == "" and tags["."] == ""
    assert nlp("").text == ""  # empty documents pass through


def test_case_matters_and_partial_entries_do_not_match():
    nlp = spacy.blank("de")
    _gazetteer(nlp)
    doc = nlp("Der link und Bad Honnef und Mülheim an der Saar.")
    assert [t.tag_ for t in doc] == ["", "", "", "", "", "", "P", "", "", "", ""]


def test_serialisation_round_trips(tmp_path):
    nlp = spacy.blank("de")
    _gazetteer(nlp)
    nlp.to_disk(tmp_path / "pipe")
    assert (tmp_path / "pipe" / "newsmine_gazetteer" / "gazetteer.json.gz").exists()
    again = spacy.load(tmp_path / "pipe")
    text = "Anna Schmitz wohnt in Bad Godesberg."
    assert [t.tag_ for t in again(text)] == [t.tag_ for t in nlp(text)] == ["V", "S", "", "", "Pb", "Pi", ""]
    copy = Gazetteer(nlp.vocab).from_bytes(nlp.get_pipe("newsmine_gazetteer").to_bytes())
    assert copy.codes(["Bundesrepublik", "Deutschland"]) == ["Cb", "C+Ci"]


def test_compound_heads_are_known_nouns_at_the_end_of_a_word():
    heads = frozenset({"verband", "straße", "weg", "beirat", "haus", "band"})
    assert compound_head("Wasserverband", heads) == "verband"  # the longest known tail
    assert compound_head("Verband", heads) == "verband"  # a known noun is its own head
    assert compound_head("Seniorenbeirats", heads) == "beirat"  # genitive -s
    assert compound_head("Mühlenweg", heads) == "weg"
    assert compound_head("Reinartz", heads) == ""
    assert compound_head("wasserverband", heads) == ""  # only capitalised words
    assert compound_head("A40-Straße", heads) == ""  # only letters
    text = ["Der Verband tagt. Der Verband und die Stadt.", "Die Stadt wartet. Es tagt der Rat."]
    assert heads_from_text(text, min_count=2) == ["der", "stadt", "verband"]


def test_heads_go_into_lemma_and_survive_serialisation(tmp_path):
    nlp = spacy.blank("de")
    gaz = _gazetteer(nlp)
    text = "Der Wasserverband Eifel-Rur und Anna Schmitz."
    assert {t.lemma_ for t in nlp(text)} == {""}  # no head list (models up to 0.3.0): LEMMA untouched
    gaz._load({**gaz._data(), "heads": ["verband", "rur"]})
    doc = nlp(text)
    assert [t.lemma_ for t in doc] == ["", "verband", "", "", "", "", ""]
    assert [t.tag_ for t in doc][4:6] == ["V", "S"]  # the name lists still work
    copy = Gazetteer(nlp.vocab).from_bytes(gaz.to_bytes())
    assert copy.heads == gaz.heads


def test_build_lists_reads_shared_lists_and_places(tmp_path):
    shared = tmp_path / "shared"
    ler = shared / "gazetteers" / "ler-gazetteers"
    ler.mkdir(parents=True)
    (ler / "personennamen.list").write_text("Krumpholz\nLink\n", encoding="utf-8")
    (ler / "landschaftsbezeichnungen.list").write_text("Ruhrgebiet\nHoher Hahn\n", encoding="utf-8")
    (ler / "laendernamen.list").write_text("Syrien, Arabische Republik\nPortugal\n", encoding="utf-8")
    places = tmp_path / "places.tsv.gz"
    with gzip.open(places, "wt", encoding="utf-8") as handle:
        handle.write("geonameid\tname\tlatitude\tlongitude\tpopulation\tstate\talternatenames\n")
        handle.write("1\tKöln\t50.9\t6.9\t1000000\tNordrhein-Westfalen\tCologne|Koeln\n")
        handle.write("2\tMülheim an der Ruhr\t51.4\t6.9\t170000\tNordrhein-Westfalen\t\n")
    nlp = spacy.blank("de")
    names = first_names_from([_doc_with_person(nlp, "Anna Schmitz")] * 2 + [_doc_with_person(nlp, "Karl Otto")])
    assert names == ["Anna"]
    counts = build_lists(shared, places, names, tmp_path / "gaz.json.gz")
    assert counts == {"S": 2, "L": 2, "C": 1, "V": 1, "P": 4}  # "Syrien, Arabische Republik" is skipped
    gaz = nlp.add_pipe("newsmine_gazetteer")
    gaz.initialize(path=str(tmp_path / "gaz.json.gz"))
    doc = nlp("Anna Link fährt von Cologne über Mülheim an der Ruhr ins Ruhrgebiet nach Portugal.")
    assert [t.tag_ for t in doc] == ["V", "S", "", "", "P", "", "Pb", "Pi", "Pi", "Pi", "", "L", "", "C", ""]
    assert {t.lemma_ for t in doc} == {""}
    # with compound heads (models/configs/de_news_heads.cfg)
    counts = build_lists(shared, places, names, tmp_path / "heads.json.gz", heads=["gebiet", "hahn"])
    assert counts["heads"] == 2
    gaz.initialize(path=str(tmp_path / "heads.json.gz"))
    assert [t.lemma_ for t in nlp("Das Ruhrgebiet und der Wetterhahn.")] == ["", "gebiet", "", "", "hahn", ""]


def _doc_with_person(nlp, name):
    doc = nlp(f"{name} kommt.")
    doc.ents = [doc.char_span(0, len(name), label="PER")]
    return doc


def test_shipped_model_loads_with_plain_spacy_load():
    """The entry point registers the factory: no newsmine import needed."""
    code = ("import spacy, sys; nlp = spacy.load(sys.argv[1]); "
            "doc = nlp('Oberbürgermeister Sören Link kam nach Duisburg.'); print(nlp.pipe_names, len(doc.ents))")
    out = subprocess.run([sys.executable, "-c", code, str(ROOT / "models" / "de_news")],
                         capture_output=True, text=True, check=True)
    assert "ner" in out.stdout


def test_per_type_lookup_equals_the_reference_matcher():
    """``__call__`` (arrays, once per word type) gives exactly ``codes`` (plain loop)."""
    from pipeline.corpus import read_jsonl
    from pipeline.nlp.model import DEFAULT_MODEL

    nlp = spacy.load(DEFAULT_MODEL, exclude=["tok2vec", "ner"])
    gaz = nlp.get_pipe("gazetteer")
    assert len(gaz.single) > 100_000 and len(gaz.multi) > 10_000
    texts = [r["text"] for r in read_jsonl()]
    texts += ["Mülheim an der Ruhr Mülheim an der Ruhr Bad Bad Godesberg", "Bad", "Bad Godesberg"]
    tagged = 0
    for doc in nlp.pipe(texts):
        expected = gaz.codes([t.text for t in doc])
        assert [t.tag_ for t in doc] == expected
        tagged += sum(1 for c in expected if c)
    assert tagged > 1000
