"""Entity resolution (#22): canonical names on evidence, places chosen by their article."""

from __future__ import annotations

import pytest

from pipeline.names import KnownNames, canonical_name, entity_key
from pipeline.resolve import resolve_mentions


def spans(text: str, *items: tuple[str, str]) -> list[dict]:
    """Mentions at the first occurrence of each surface after the previous one."""
    out, pos = [], 0
    for surface, label in items:
        start = text.index(surface, pos)
        out.append({"start": start, "end": start + len(surface), "label": label, "text": surface})
        pos = start + len(surface)
    return out


@pytest.mark.parametrize("label, surface, before, expected", [
    ("LOC", "Duisburgs", "", "Duisburg"),  # the gazetteer knows Duisburg
    ("LOC", "Deutschlands", "", "Deutschland"),  # CLDR's German country names
    ("LOC", "Niederlanden", "in den ", "Niederlande"),
    ("ORG", "Bundesfinanzhofs", "Urteil des ", "Bundesfinanzhof"),
    ("ORG", "Landgerichts Kleve", "Sprecher des ", "Landgericht Kleve"),
    ("LOC", "Kreises Wesel", "Landrat des ", "Kreis Wesel"),
    ("ORG", "Roten Kreuzes", "Helfer des ", "Rote Kreuz"),
    ("PER", "Andreas'", "", "Andreas"),
    ("ORG", "Kommunalen Integrationszentrum", "beim ", "Kommunale Integrationszentrum"),
    ("ORG", "Kommunales Integrationszentrum", "", "Kommunale Integrationszentrum"),
    ("ORG", "Deutschen Bahn", "der ", "Deutsche Bahn"),
    ("LOC", "Oberbergischen Kreis", "im ", "Oberbergische Kreis"),
    ("ORG", "Grüne", "", "Grünen"), ("ORG", "Linken", "der ", "Linke"),  # parties as they call themselves
])
def test_inflected_names_fold_to_their_base_form(label, surface, before, expected):
    assert canonical_name(label, surface, before=before) == expected


@pytest.mark.parametrize("label, surface, before", [
    ("LOC", "Moers", "in "), ("LOC", "Mainz", ""), ("PER", "Hans", ""), ("LOC", "Kreis Wesel", "im "),
    ("LOC", "Essen", ""), ("LOC", "Nippes", "in "), ("LOC", "Langen", "in "),  # a town, not an adjective
    ("ORG", "Kölner Verkehrs-Betriebe", "die "), ("ORG", "Duisburger Tafel", "der "),  # place adjectives
    ("ORG", "Jobcenter ME-aktiv", "das "), ("ORG", "VfL Bochum", "des "), ("PER", "Thomas Kutschaty", "des "),
])
def test_names_that_really_end_so_stay(label, surface, before):
    assert canonical_name(label, surface, before=before) == surface


def test_the_document_is_evidence_for_a_base_form():
    # ``Brammens`` folds only where the article also writes ``Brammen``
    assert canonical_name("ORG", "Brammens", known=KnownNames(["Brammen"])) == "Brammen"
    assert canonical_name("ORG", "Brammens") == "Brammens"


def test_keys_unify_case_hyphens_and_tell_namesakes_apart():
    assert entity_key("LOC", "Emmerich  am Rhein") == entity_key("LOC", "emmerich am rhein")
    assert entity_key("ORG", "Verkehrs\u2011Betriebe") == entity_key("ORG", "Verkehrs-Betriebe")
    assert entity_key("LOC", "Oberkassel", 2860104) != entity_key("LOC", "Oberkassel")


def test_a_quarter_is_not_placed_in_another_state():
    text = "Duisburg baut in Neudorf eine Schule. Auch Marxloh profitiert. Neudorf freut sich."
    res = resolve_mentions(text, spans(text, ("Duisburg", "LOC"), ("Neudorf", "LOC"), ("Marxloh", "LOC")))
    assert res[0].place is not None and res[0].place.state == "Nordrhein-Westfalen"
    assert res[1].place is None and res[2].place is None
    # one entity however often it is written
    assert res[1].key == resolve_mentions(text, spans(text, ("Neudorf", "LOC")))[0].key


def test_same_named_places_are_chosen_by_the_article():
    bonn = "In Bonn wächst Oberkassel. Oberkassel bekommt eine Fähre."
    dus = "Düsseldorf plant in Oberkassel ein Bad."
    in_bonn = resolve_mentions(bonn, spans(bonn, ("Bonn", "LOC"), ("Oberkassel", "LOC")))[1]
    in_dus = resolve_mentions(dus, spans(dus, ("Düsseldorf", "LOC"), ("Oberkassel", "LOC")))[1]
    assert in_bonn.place is not None and in_bonn.place.geonames_id == 2860104  # Bonn-Oberkassel
    assert in_dus.place is None  # Düsseldorf-Oberkassel is not in the gazetteer: no pin at Bonn's
    assert in_bonn.key != in_dus.key


def test_a_large_city_is_placed_anywhere_and_variants_of_a_place_are_one_entity():
    text = "Aus Essens Partnerstadt kamen Gäste, auch aus München."
    res = resolve_mentions(text, spans(text, ("Essens", "LOC"), ("München", "LOC")))
    assert res[0].name == "Essen" and res[0].place.state == "Nordrhein-Westfalen"  # not Essen (Oldenburg)
    assert res[1].name == "München" and res[1].place.state == "Bayern"  # not GeoNames' exonym Munich
    text = "Aus Emmerich kamen Gäste nach Emmerich am Rhein."
    res = resolve_mentions(text, spans(text, ("Emmerich", "LOC"), ("Emmerich am Rhein", "LOC")))
    assert res[0].key == res[1].key and res[0].name == res[1].name == "Emmerich"  # GeoNames main name


def test_links_inside_the_article_use_base_forms():
    text = ("Sören Link eröffnete das Kommunale Integrationszentrum Duisburg. Links Rede war kurz. "
            "Beim Kommunalen Integrationszentrum gab es Kaffee.")
    res = resolve_mentions(text, spans(text, ("Sören Link", "PER"), ("Kommunale Integrationszentrum Duisburg", "ORG"),
                                       ("Links", "PER"), ("Kommunalen Integrationszentrum", "ORG")))
    assert res[2].key == res[0].key
    assert res[3].key == res[1].key and res[3].name == "Kommunale Integrationszentrum Duisburg"
