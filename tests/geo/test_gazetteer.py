import pytest

from geo.gazetteer import Gazetteer, fold, tokenize


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


@pytest.mark.parametrize("mention, site_id, precision", [
    ("the US embassy in Baghdad's Green Zone", "us-embassy-baghdad", 1),
    ("rockets landed in the Green Zone", "green-zone", 2),
    ("inside the International Zone", "green-zone", 2),
    ("a US drone strike near Kirkuk", "kirkuk-area", 2),
    ("Ain al-Asad", "ain-al-asad", 1),
    ("Al Asad", "ain-al-asad", 1),
    ("Ayn al Asad airbase", "ain-al-asad", 1),
    ("AIN AL-ASAD", "ain-al-asad", 1),
    ("ʿAyn al-Asad", "ain-al-asad", 1),
    ("عين الأسد", "ain-al-asad", 1),
    ("Harir", "harir-air-base", 1),
    ("the Harir airbase north of Erbil", "harir-air-base", 1),
    ("Rmelan", "rmelan", 1),
    ("Rumalyn", "rmelan", 1),
    ("Rumeilan", "rmelan", 1),
    ("the Conoco gas field", "mss-conoco", 1),
    ("al-Tanf garrison", "al-tanf-garrison", 1),
    ("Tower 22 in Jordan", "tower-22", 1),
    ("Erbil airport", "erbil-air-base", 1),
    ("Deir al-Zour", "deir-ez-zor", 1),
    ("Abu Kamal", "albu-kamal", 1),
    ("the K1 base outside Kirkuk", "k1-air-base", 1),
    ("Jurf al-Sakhar", "jurf-al-sakhar", 1),
    ("Akashat", "akashat", 1),
    ("the Iraqi National Security Service headquarters", "iraqi-nss-hq", 1),
    ("Victory Base near Baghdad airport", "victory-base-complex", 1),
    ("Union III", "union-iii", 1),
])
def test_known_sites(gazetteer, mention, site_id, precision):
    place = gazetteer.resolve(mention)
    assert place is not None, mention
    assert (place.site_id, place.geo_precision) == (site_id, precision)


@pytest.mark.parametrize("mention, name, kind, precision, admin1, country", [
    ("in Ramadi", "Ramadi", "town", 1, "Anbar", "IQ"),
    ("near Fallujah", "Al Fallūjah", "town", 2, "Anbar", "IQ"),
    ("40 km west of Mosul", "Mosul", "town", 2, "Nineveh", "IQ"),
    ("somewhere in Anbar province", "Anbar", "governorate", 3, "Anbar", "IQ"),
    ("in Salahuddin", "Salah al-Din", "governorate", 3, "Salah al-Din", "IQ"),
    ("a base in Syria", "Syria", "country", 3, None, "SY"),
])
def test_fallbacks(gazetteer, mention, name, kind, precision, admin1, country):
    place = gazetteer.resolve(mention)
    assert (place.name, place.kind, place.geo_precision, place.admin1, place.country_code) == (
        name, kind, precision, admin1, country)
    assert place.site_id is None


def test_generic_word_resolved_through_context(gazetteer):
    place = gazetteer.resolve("rockets struck the embassy", context="Baghdad, Iraq")
    assert place.site_id == "us-embassy-baghdad"
    assert gazetteer.resolve("rockets struck the embassy") is None


def test_lowercase_verb_is_not_a_town(gazetteer):
    # "Hit" is a town in Anbar; the verb must not become one
    assert gazetteer.resolve("a rocket hit nothing of note") is None
    assert gazetteer.resolve("near Hit").name == "Hīt"


def test_find_all_reports_every_place_in_order(gazetteer):
    places = gazetteer.find_all("Drones targeted Ain al-Asad and Harir, while Gaza burned.")
    assert [p.matched for p in places] == ["Ain al-Asad", "Harir", "Gaza"]
    assert places[2].country_code == "PS"


def test_nothing_found(gazetteer):
    assert gazetteer.resolve("no place at all here") is None


def test_folding():
    assert fold("Fallūjah") == "fallujah"
    assert fold("الأسد") == "الاسد"
    assert [t for t, _, _ in tokenize("Ain al-Asad's")] == ["ain", "al", "asad", "s"]


def test_headquarters_of_the_service(gazetteer):
    place = gazetteer.resolve("a mortar round hit the headquarters of the Iraqi National Security Service")
    assert place.site_id == "iraqi-nss-hq"
