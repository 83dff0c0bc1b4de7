"""Spellings no alias has: matched by their consonants or one letter off, only where the text puts a place."""

import pytest

from geo.gazetteer import Gazetteer, skeleton


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


@pytest.mark.parametrize(("text", "site_or_town"), [
    ("Rockets fell on the base in Rumailan overnight.", "rmelan"),
    ("Drones were seen near Rumeilan airstrip.", "rmelan"),
    ("A strike hit a depot in Abukama, activists said.", "albu-kamal"),
    ("A roadside bomb exploded on the highway near Diwaniyah.", "Al Diwaniyah"),
    ("Strikes hit the areas of Jurf Sakhar, Musayib and Najaf.", "Al-Musayab"),
])
def test_variant_spellings_are_found(gazetteer, text, site_or_town):
    found = [p.site_id or p.name for p in gazetteer.find_all(text)]
    assert site_or_town in found


@pytest.mark.parametrize("text", [
    "The Counter-Terrorism Service said two drones were downed.",
    "The killing of Soleimani raised tensions.",
    "Officials said Katyusha rockets were used.",
    "Saudi Arabian facilities were hit.",
])
def test_words_that_are_no_places_stay_so(gazetteer, text):
    assert [p for p in gazetteer.find_all(text) if p.country_code in ("IQ", "SY", "JO")] == []


def test_a_town_of_the_region_wins_over_a_namesake_abroad(gazetteer):
    [place] = gazetteer.find_all("Clashes near Iskandariya")
    assert place.country_code == "IQ"


@pytest.mark.parametrize(("a", "b"), [(("rumailan",), ("rmelan",)), (("al", "musayyib"), ("musayib",)),
                                      (("ad", "diwaniyah"), ("diwaniyah",))])
def test_spellings_share_their_consonants(a, b):
    assert skeleton(a) == skeleton(b)
