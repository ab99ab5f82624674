"""Behaviour of the rule-based facts layer (roles, quotes, linking) and its corpus scores."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.corpus import JSONL_PATH, read_jsonl
from pipeline.nlp.facts import (
    FACTS_VERSION,
    Quote,
    Role,
    collect_aliases,
    find_facts,
    find_quotes,
    find_roles,
    is_role_word,
    link_mentions,
)
from pipeline.training.facts_eval import LINKS_PATH, evaluate_facts, evaluate_links, format_links, format_table


def ents(text: str, *spans: tuple[str, str]) -> list[dict]:
    """Entity dicts for ``(surface, label)`` pairs, found left to right in ``text``."""
    out: list[dict] = []
    pos = 0
    for surface, label in spans:
        m = re.search(rf"(?<!\w){re.escape(surface)}(?!\w)", text[pos:])
        assert m, f"{surface!r} not found after {pos}"
        start = pos + m.start()
        out.append({"start": start, "end": start + len(surface), "label": label, "text": surface})
        pos = start + len(surface)
    return out


def roles_of(text: str, *spans: tuple[str, str]) -> list[Role]:
    return find_roles(text, ents(text, *spans))


def quotes_of(text: str, *spans: tuple[str, str]) -> list[Quote]:
    return find_quotes(text, ents(text, *spans))


def test_version() -> None:
    assert re.fullmatch(r"facts-\d+\.\d+", FACTS_VERSION)


# --------------------------------------------------------------------------- roles

def test_role_before_name_with_title_genitive_place_and_party() -> None:
    text = "Duisburgs Integrationsdezernent Dr. Tobias Reinartz (SPD) sprach von einem Signal."
    (r,) = roles_of(text, ("Duisburgs", "LOC"), ("Tobias Reinartz", "PER"), ("SPD", "ORG"))
    assert (r.text, r.person, r.party, r.affiliation) == ("Integrationsdezernent", "Tobias Reinartz", "SPD", "Duisburgs")
    assert text[r.start:r.end] == "Integrationsdezernent"
    assert text[r.person_start:r.person_end] == "Tobias Reinartz"


def test_role_after_name_in_apposition_with_affiliation() -> None:
    text = "Sören Link, Oberbürgermeister der Stadt, eröffnete die Brücke. Marcus Wittig, Geschäftsführer der " \
           "Stadtwerke Duisburg, war auch da."
    r1, r2 = roles_of(text, ("Sören Link", "PER"), ("Marcus Wittig", "PER"), ("Stadtwerke Duisburg", "ORG"))
    assert (r1.text, r1.person, r1.affiliation, r1.party) == ("Oberbürgermeister", "Sören Link", None, None)
    assert (r2.text, r2.person, r2.affiliation) == ("Geschäftsführer", "Marcus Wittig", "Stadtwerke Duisburg")


def test_role_after_name_with_party_in_brackets() -> None:
    text = "Lena Hagedorn (Grüne), Fraktionsvorsitzende im Rat, vermisst Prioritäten."
    (r,) = roles_of(text, ("Lena Hagedorn", "PER"), ("Grüne", "ORG"))
    assert (r.text, r.person, r.party) == ("Fraktionsvorsitzende", "Lena Hagedorn", "Grüne")


def test_hyphen_compound_role_and_title_adjective() -> None:
    text = ("Den Bescheid überreichte NRW-Integrationsstaatssekretärin Katrin Vollmer-Aydin (CDU). "
            "Der Technische Beigeordnete Frank Heimsoth und der Vorsitzende Richter Hans-Peter Limbach nickten.")
    r1, r2, r3 = roles_of(text, ("Katrin Vollmer-Aydin", "PER"), ("CDU", "ORG"), ("Frank Heimsoth", "PER"),
                          ("Hans-Peter Limbach", "PER"))
    assert (r1.text, r1.party, r1.affiliation) == ("NRW-Integrationsstaatssekretärin", "CDU", "NRW")
    assert r2.text == "Technische Beigeordnete"
    assert r3.text == "Vorsitzende Richter"


def test_role_on_surname_mention_resolves_to_full_name() -> None:
    text = "Nadia El-Masri leitet die Stelle. Leiterin El-Masri rechnet mit Wartezeiten."
    roles = roles_of(text, ("Nadia El-Masri", "PER"), ("El-Masri", "PER"))
    assert [(r.text, r.person) for r in roles] == [("Leiterin", "Nadia El-Masri")]


def test_no_role_for_non_role_nouns_articles_or_lowercase_adjectives() -> None:
    text = ("Anwohnerin Gisela Kwiatkowski erinnert sich. Ihr Parteikollege Tobias Wendling schwieg. "
            "Dirk Overkamp, dem Leiter der Kommission, half der frühere Bauleiter Ralf Hülsmann.")
    roles = roles_of(text, ("Gisela Kwiatkowski", "PER"), ("Tobias Wendling", "PER"), ("Dirk Overkamp", "PER"),
                     ("Ralf Hülsmann", "PER"))
    assert [(r.text, r.person) for r in roles] == [("Bauleiter", "Ralf Hülsmann")]


@pytest.mark.parametrize("word", [
    "Integrationsdezernentin", "Kämmerer", "Kämmerin", "Geschäftsführerin", "Staatsanwältin", "Oberstaatsanwalt",
    "Richterin", "Sparkassen-Chef", "Agenturchefin", "Integrationsbeauftragte", "Pfarrerin", "Professorin",
    "Ärztin", "Chefarzt", "Vorsitzender", "Bezirksbürgermeisterin", "Polizeisprecher", "Trainerin", "Direktorin",
    "Präsident", "NRW-Verkehrsministerin", "Generalsekretär", "Landrätin", "OB",
])
def test_role_words(word: str) -> None:
    assert is_role_word(word)


@pytest.mark.parametrize("word", ["Anwohnerin", "Stadt", "Förderbescheid", "Kollege", "schulleiterin", "Haus"])
def test_not_role_words(word: str) -> None:
    assert not is_role_word(word)


# --------------------------------------------------------------------------- quotes

def test_quote_marks_and_speech_verb_after_with_surname() -> None:
    text = ("Kämmerin Annette Steinkamp legte den Haushalt vor. „Wir geben nicht zu viel aus.“, sagte Steinkamp. "
            "»Das reicht nicht«, so Holger Brandt. \"Wir holen den Bach zurück\", erklärte Carola Hiesgen. "
            "“Nie wieder”, betonte Brandt.")
    qs = quotes_of(text, ("Annette Steinkamp", "PER"), ("Steinkamp", "PER"), ("Holger Brandt", "PER"),
                   ("Carola Hiesgen", "PER"), ("Brandt", "PER"))
    assert [(q.text, q.speaker) for q in qs] == [
        ("Wir geben nicht zu viel aus.", "Annette Steinkamp"),
        ("Das reicht nicht", "Holger Brandt"),
        ("Wir holen den Bach zurück", "Carola Hiesgen"),
        ("Nie wieder", "Holger Brandt"),
    ]
    q = qs[0]
    assert text[q.start:q.end] == q.text
    assert text[q.speaker_start:q.speaker_end] == "Steinkamp"


def test_pronoun_resolves_to_last_person_before_quote() -> None:
    text = ("Holger Brandt, Fraktionsvorsitzender der FDP, warnt vor einem Strohfeuer. "
            "„Projektgeld für drei Jahre ist gut.“, erklärte er.")
    (q,) = quotes_of(text, ("Holger Brandt", "PER"), ("FDP", "ORG"))
    assert q.speaker == "Holger Brandt"
    assert text[q.speaker_start:q.speaker_end] == "Holger Brandt"


def test_pronoun_prefers_matching_role_gender() -> None:
    text = ("Bürgermeisterin Petra Ingenhorst (SPD) lobte das Projekt, Geschäftsführer Jan Kaiser auch. "
            "„Das ist ein guter Tag“, sagte sie.")
    (q,) = quotes_of(text, ("Petra Ingenhorst", "PER"), ("SPD", "ORG"), ("Jan Kaiser", "PER"))
    assert q.speaker == "Petra Ingenhorst"


def test_speaker_before_quote_with_colon_and_fragment_after_sprach_von() -> None:
    text = ("Wienands betonte: „Jeder Hinweis kann helfen.“ Oberbürgermeister Stefan Brockhoff (SPD) sprach von "
            "einem „wichtigen Signal für den Strukturwandel“.")
    qs = quotes_of(text, ("Wienands", "PER"), ("Stefan Brockhoff", "PER"), ("SPD", "ORG"))
    assert [(q.text, q.speaker) for q in qs] == [
        ("Jeder Hinweis kann helfen.", "Wienands"),
        ("wichtigen Signal für den Strukturwandel", "Stefan Brockhoff"),
    ]


def test_role_only_speaker_resolves_to_role_holder_or_none() -> None:
    text = ("Bürgermeister Jan-Hendrik Brouwer (SPD) richtete einen Appell an das Land. "
            "„Wir können das nicht allein lösen“, betonte der Bürgermeister. "
            "„Bitte melden Sie sich“, sagte ein Sprecher der Polizei. "
            "„Wir prüfen das“, sagte die Kämmerin.")
    qs = quotes_of(text, ("Jan-Hendrik Brouwer", "PER"), ("SPD", "ORG"))
    assert [q.speaker for q in qs] == ["Jan-Hendrik Brouwer", None, None]
    assert qs[0].speaker_start == text.index("Jan-Hendrik Brouwer")
    assert qs[1].speaker_start is None


def test_descriptor_speaker_resolves_to_previous_person() -> None:
    text = "Hildegard Janßen wurde bestohlen. „Ich habe kaum geschlafen.“, sagte die 79-Jährige."
    (q,) = quotes_of(text, ("Hildegard Janßen", "PER"))
    assert q.speaker == "Hildegard Janßen"


def test_quoted_titles_are_not_quotes() -> None:
    text = ("Das Geld kommt aus dem Landesprogramm „Gemeinsam im Quartier“. Das Museum zeigt die Ausstellung "
            "„Grenzgänger. Römer an Rhein und Aare“. Die Spielzeit beginnt mit der „Zauberflöte“. "
            "Der Preis „Herner Bohrhammer“ ist dotiert. Das Projekt „Sonnenhandwerk“ läuft. "
            "„Das Programm wirkt“, sagte Anna Berger.")
    qs = quotes_of(text, ("Anna Berger", "PER"))
    assert [(q.text, q.speaker) for q in qs] == [("Das Programm wirkt", "Anna Berger")]


def test_fragments_without_verb_of_saying_are_not_quotes() -> None:
    text = "Die Stadt nennt sich gern eine „Sportstadt“ und plant die sogenannte „Grüne Achse“."
    assert quotes_of(text) == []


def test_quote_attribution_across_two_parts() -> None:
    text = ("Trainer Mikko Laaksonen lobte den Stürmer: „Luca bringt Ruhe.“ Kapitän Lars Weidemann nickte. "
            "„Wir sind noch nicht fertig“, sagte er und fügte hinzu: „Aber wir sind auf dem Weg.“")
    qs = quotes_of(text, ("Mikko Laaksonen", "PER"), ("Luca", "PER"), ("Lars Weidemann", "PER"))
    assert [q.speaker for q in qs] == ["Mikko Laaksonen", "Lars Weidemann", "Lars Weidemann"]


# --------------------------------------------------------------------------- linking

def test_link_surname_and_genitive_to_full_name() -> None:
    text = "Sören Link eröffnete. Link sagte, Links Plan sei gut."
    e = ents(text, ("Sören Link", "PER"), ("Link", "PER"), ("Links", "PER"))
    assert link_mentions(e) == ["Sören Link", "Sören Link", "Sören Link"]


def test_same_surname_different_first_names_stay_distinct() -> None:
    text = ("Sabine Kowalczyk leitet die Diakonie. Dennis Kowalczyk ist Umschüler. Kowalczyk freut sich. "
            "Sabine Kowalczyk nicht.")
    e = ents(text, ("Sabine Kowalczyk", "PER"), ("Dennis Kowalczyk", "PER"), ("Kowalczyk", "PER"),
             ("Sabine Kowalczyk", "PER"))
    assert link_mentions(e) == ["Sabine Kowalczyk", "Dennis Kowalczyk", "Dennis Kowalczyk", "Sabine Kowalczyk"]


def test_org_abbreviation_introduced_in_brackets_and_by_initials() -> None:
    text = ("Das Kommunales Integrationszentrum (KI) startet. Leiterin des KI ist Derya Kaplan. "
            "Der Verkehrsverbund Rhein-Ruhr zahlt, der VRR prüft.")
    e = ents(text, ("Kommunales Integrationszentrum", "ORG"), ("KI", "ORG"), ("KI", "ORG"),
             ("Derya Kaplan", "PER"), ("Verkehrsverbund Rhein-Ruhr", "ORG"), ("VRR", "ORG"))
    assert link_mentions(e, text) == ["Kommunales Integrationszentrum", "Kommunales Integrationszentrum",
                                      "Kommunales Integrationszentrum", "Derya Kaplan",
                                      "Verkehrsverbund Rhein-Ruhr", "Verkehrsverbund Rhein-Ruhr"]
    # without the text the abbreviation is still linked through the adjacent span
    assert link_mentions(e)[2] == "Kommunales Integrationszentrum"
    assert collect_aliases(e, text) == {"KI": "Kommunales Integrationszentrum",
                                        "VRR": "Verkehrsverbund Rhein-Ruhr"}


def test_org_short_form_links_to_earlier_full_name_only_on_whole_words() -> None:
    text = ("Die Rheintec Antriebssysteme GmbH baut aus. Rheintec sucht Fachkräfte. "
            "Der VfL Bochum gewinnt, der VfL jubelt. Rhein ist kein Kurzname.")
    e = ents(text, ("Rheintec Antriebssysteme GmbH", "ORG"), ("Rheintec", "ORG"), ("VfL Bochum", "ORG"),
             ("VfL", "ORG"), ("Rhein", "ORG"))
    assert link_mentions(e, text) == ["Rheintec Antriebssysteme GmbH", "Rheintec Antriebssysteme GmbH",
                                      "VfL Bochum", "VfL Bochum", "Rhein"]
    # a short form before the full name is not linked (introduced later, maybe another org)
    later = "Rheintec wächst. Die Rheintec Antriebssysteme GmbH baut aus."
    assert link_mentions(ents(later, ("Rheintec", "ORG"), ("Rheintec Antriebssysteme GmbH", "ORG")), later)[0] == "Rheintec"


def test_other_entities_map_to_themselves_and_objects_are_accepted() -> None:
    class Span:
        def __init__(self, start: int, end: int, label: str, text: str) -> None:
            self.start, self.end, self.label, self.text = start, end, label, text

    assert link_mentions([Span(0, 8, "LOC", "Duisburg"), Span(9, 12, "ORG", "MSV")]) == ["Duisburg", "MSV"]
    assert link_mentions([]) == []


def test_find_facts_bundles_everything() -> None:
    text = "Kämmerin Annette Steinkamp sagte: „Wir sparen.“"
    out = find_facts(text, ents(text, ("Annette Steinkamp", "PER")))
    assert out["version"] == FACTS_VERSION
    assert out["roles"][0]["person"] == "Annette Steinkamp"
    assert out["quotes"][0]["speaker"] == "Annette Steinkamp"
    assert out["mentions"][0]["canonical"] == "Annette Steinkamp"


def test_robust_to_ner_noise() -> None:
    """Role words and titles inside PER spans, trailing dots and role-only PER spans."""
    text = ("„Wir bauen.“, sagte Schuldezernentin Dorothee Brinkhaus. „Wir auch.“, sagte Rechtsanwalt "
            "Dr. Felix Brammen. „Und wir.“, sagte Chefarzt Dr. Matthias Kerkhoff.")
    e = ents(text, ("Schuldezernentin Dorothee Brinkhaus", "PER"), ("Dr. Felix Brammen.", "PER"),
             ("Chefarzt", "PER"), ("Matthias Kerkhoff", "PER"))
    assert [(r.text, r.person) for r in find_roles(text, e)] == [
        ("Schuldezernentin", "Dorothee Brinkhaus"), ("Rechtsanwalt", "Felix Brammen"),
        ("Chefarzt", "Matthias Kerkhoff")]
    assert [q.speaker for q in find_quotes(text, e)] == ["Dorothee Brinkhaus", "Felix Brammen", "Matthias Kerkhoff"]


# --------------------------------------------------------------------------- robustness

_ALPHABET = st.sampled_from(list("„“”\"»«‚‘ abcXYZäöüß.,:;!?()-\n0123456789") + [
    "sagte ", "so ", "er ", "sie ", "Dr. ", "Kämmerin ", "Sören Link", ", Vorsitzender ", " (SPD)", "„", "“"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ALPHABET, max_size=60).map("".join), st.data())
def test_arbitrary_text_never_raises(text: str, data: st.DataObject) -> None:
    spans: list[dict] = []
    if text:
        for _ in range(data.draw(st.integers(0, 4))):
            a = data.draw(st.integers(0, len(text) - 1))
            b = data.draw(st.integers(a + 1, len(text)))
            spans.append({"start": a, "end": b, "label": data.draw(st.sampled_from(["PER", "LOC", "ORG"])),
                          "text": text[a:b]})
    roles = find_roles(text, spans)
    quotes = find_quotes(text, spans, roles)
    assert len(link_mentions(spans, text)) == len(spans)
    for r in roles:
        assert 0 <= r.start < r.end <= len(text) and text[r.start:r.end] == r.text
    for q in quotes:
        assert 0 <= q.start < q.end <= len(text) and text[q.start:q.end] == q.text


# --------------------------------------------------------------------------- corpus

@pytest.mark.skipif(not JSONL_PATH.exists(), reason="corpus.jsonl not built")
def test_dev_split_scores_with_gold_entities() -> None:
    records = [r for r in read_jsonl() if r["split"] == "dev"]
    report = evaluate_facts(records, use_gold_entities=True)
    dev = report["dev"]
    for key in ("roles", "quotes"):
        assert dev[key]["p"] >= 0.8, (key, dev[key])
        assert dev[key]["r"] >= 0.8, (key, dev[key])
    assert dev["speaker_acc"] is not None and dev["speaker_acc"] >= 0.8
    assert "dev" in format_table([report])


@pytest.mark.skipif(not LINKS_PATH.exists(), reason="links.jsonl missing")
def test_mention_links_on_gold_link_set() -> None:
    """corpus/articles/links.jsonl: every PER/ORG mention of dev+test with its canonical name."""
    records = list(read_jsonl())
    report = evaluate_links(records, use_gold_entities=True)
    assert report["all"]["gold_links"] >= 60 and report["all"]["mentions"] >= 300
    for split in ("dev", "test"):
        assert report[split]["p"] >= 0.85 and report[split]["r"] >= 0.85, report[split]
    assert "links P" in format_links([report])
    # a linker that links nothing has recall 0 on the same gold
    broken = evaluate_links(records, gold={"a05": {(749, 757): ("ORG", "Rheintec Antriebssysteme GmbH")}})
    assert broken["all"]["gold_links"] == 1
