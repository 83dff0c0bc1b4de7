"""Which attacks are the map's: those on or by US and coalition forces, or at the known sites."""

import pytest

from geo.extract import Extractor
from geo.gazetteer import Gazetteer
from geo.report import parse_report


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(Gazetteer.load())


def found(extractor, text):
    return [f["properties"] for f in extractor.extract(parse_report(text, "s.txt", published="2022-06-02")).features]


@pytest.mark.parametrize("text", [
    "A Turkish drone struck a car near Sinjar on Tuesday, killing two fighters of a Kurdish militia.",
    "Islamic State gunmen attacked an Iraqi army post near Tikrit on Tuesday, killing three soldiers.",
])
def test_attacks_with_no_us_or_coalition_party_are_out_of_scope(extractor, text):
    assert found(extractor, text) == []


@pytest.mark.parametrize("text", [
    "Rockets hit Harir air base on Tuesday, causing no casualties.",  # a known site
    "A roadside bomb hit a convoy carrying supplies for US forces near Samawah on Tuesday.",  # a US party
])
def test_attacks_at_known_sites_or_on_us_forces_are_in_scope(extractor, text):
    assert len(found(extractor, text)) == 1


def test_a_headline_gives_way_to_the_body_at_the_same_place(extractor):
    text = ("US strikes near Hasakah after deadly drone attack\n\n"
            "A drone hit a coalition base near Hasakah on Tuesday, killing one contractor, the Pentagon said.")
    [incident] = found(extractor, text)
    assert incident["event_type"] == "drone_attack"
    assert incident["killed"] == 1


def test_missiles_some_sentences_call_rockets_are_rockets(extractor):
    text = ("Missiles hit K1 air base on Tuesday evening. Three rockets landed inside K1 air base, a police "
            "source said, wounding a guard.")
    [incident] = found(extractor, text)
    assert incident["event_type"] == "rocket_attack"
