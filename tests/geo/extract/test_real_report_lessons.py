"""What real news pages taught extraction, one short report per lesson, written for these tests.

Each report reproduces a kind of miss seen on real pages (issue 11): page furniture, a background incident
with its own older date, an attack across midnight, a strike flown by a drone, a weapon left open, one
attack told twice, and a place first given only as a region.
"""

from __future__ import annotations

import pytest

from geo.extract import Extractor
from geo.gazetteer import Gazetteer
from geo.report import parse_report


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(Gazetteer.load())


def incidents(extractor: Extractor, text: str, published: str = "2022-05-12") -> list[dict]:
    report = parse_report(text, "lesson.txt", published=published)
    return [f["properties"] for f in extractor.extract(report).features]


def test_teasers_captions_and_tickers_are_not_incidents(extractor):
    page = """Thursday, 12 May 2022
Storm Floods Basra Streets Ministers Meet On Budget Drone Hits Depot Near Mosul Oil Prices Climb Again Football Final Postponed

Three rockets landed inside Ain al-Asad air base on Wednesday evening without causing casualties, a security source said.

A soldier walks past a hangar at the base. (AP Photo/A. Photographer)

Related Articles
- Drone Strike Kills Two Near Albu Kamal Crossing
- Rockets Hit Conoco Field In Eastern Syria
"""
    [only] = incidents(extractor, page)
    assert only["site_id"] == "ain-al-asad"
    assert only["event_type"] == "rocket_attack"
    assert (only["date_from"], only["date_to"]) == ("2022-05-11", "2022-05-11")


def test_a_background_incident_keeps_its_own_older_date(extractor):
    text = ("Two rockets struck near the US embassy in Baghdad on Wednesday, police said. The Americans answered "
            "a similar escalation this past January with an air strike that killed a militia commander. Tehran then fired "
            "ballistic missiles at Ain al-Asad air base, which hosts US troops.")
    found = {p["site_id"]: p for p in incidents(extractor, text)}
    assert found["us-embassy-baghdad"]["date_from"] == "2022-05-11"
    background = found["ain-al-asad"]
    assert background["event_type"] == "missile_attack"
    assert (background["date_from"], background["date_to"]) == ("2022-01-01", "2022-01-31")


@pytest.mark.parametrize(("when", "span"), [
    ("overnight", ("2022-05-11", "2022-05-12")),
    ("before dawn on Thursday", ("2022-05-11", "2022-05-12")),
    ("late on Tuesday night", ("2022-05-10", "2022-05-11")),
    ("on Tuesday at 3:40 a.m. local time", ("2022-05-10", "2022-05-10")),  # a clock time settles the day
])
def test_an_attack_in_the_night_spans_the_two_days(extractor, when, span):
    [attack] = incidents(extractor, f"A drone struck the Conoco gas field base {when}, a coalition spokesman said.")
    assert (attack["date_from"], attack["date_to"]) == span


def test_a_us_strike_flown_by_a_drone_is_an_airstrike(extractor):
    [strike] = incidents(extractor, "A US drone strike on a car near Jurf al-Sakhar killed two militia commanders "
                                    "on Tuesday afternoon, Iraqi security officials said.")
    assert strike["event_type"] == "airstrike"
    assert strike["killed"] == 2
    assert strike["perpetrator"] == "US forces"


def test_a_weapon_left_open_is_other(extractor):
    [attack] = incidents(extractor, "Tal Baydar base came under a drone or rocket attack on Tuesday, the SDF said, "
                                    "adding that nobody was hurt.")
    assert attack["event_type"] == "other"
    assert (attack["killed"], attack["injured"]) == (0, 0)


def test_one_attack_told_twice_is_one_incident(extractor):
    text = ("Mortar rounds hit Camp Taji north of Baghdad late on Wednesday, wounding two Iraqi soldiers. "
            "An army statement later said three rockets had landed inside Camp Taji during the attack.")
    [attack] = incidents(extractor, text)
    assert attack["site_id"] == "camp-taji"
    assert attack["injured"] == 2
    assert set(attack["disagreements"]["event_type"]) == {"mortar_attack", "rocket_attack"}


def test_a_region_gives_way_to_the_town_named_later(extractor):
    text = ("American jets carried out strikes in eastern Syria on Sunday against groups backed by Iran, the "
            "Pentagon said. A depot on the edge of Mayadin was one of the sites that were targeted.")
    [strike] = incidents(extractor, text)
    assert strike["site_id"] == "mayadin"
    assert strike["event_type"] == "airstrike"


def test_a_toll_told_first_belongs_to_the_attack_after_it(extractor):
    [attack] = incidents(extractor, "Two Danish trainers and a Polish medic are dead, with five more wounded, "
                                    "after a salvo of rockets slammed into Ain al-Asad on Tuesday.")
    assert (attack["killed"], attack["injured"]) == (3, 5)


def test_a_strike_in_reply_keeps_its_own_toll(extractor):
    text = ("Nine people were killed as US jets bombed positions in eastern Syria after the death of a "
            "contractor in a drone attack on a coalition base near Hasakah on Tuesday.")
    found = {p["event_type"]: p for p in incidents(extractor, text)}
    assert found["drone_attack"]["killed"] == 1
    assert found["drone_attack"]["location"] == "Hasakah"


def test_misspelt_known_sites_are_found(extractor):
    [attack] = incidents(extractor, "Rockets fell on the base in Rumailan on Tuesday, local sources said.")
    assert attack["site_id"] == "rmelan"


def test_an_evening_told_by_the_pentagon_is_the_night_after_in_iraq(extractor):
    text = ("Militias fired rockets at Ain al-Asad air base, the Pentagon said in a statement.\n\n"
            "“At about 6:15 pm on May 9, militants launched a dozen rockets against coalition forces in Iraq.”")
    [attack] = incidents(extractor, text)
    assert attack["site_id"] == "ain-al-asad"
    assert (attack["date_from"], attack["date_to"]) == ("2022-05-09", "2022-05-10")


def test_a_fronted_reply_does_not_date_the_strike_by_the_attack_it_answers(extractor):
    text = ("Following rocket strikes on the Conoco gas field base on Wednesday, US helicopters attacked "
            "militants near Mayadin on Thursday, a CENTCOM statement said.")
    found = {p["site_id"]: p for p in incidents(extractor, text)}
    assert found["mayadin"]["date_from"] == "2022-05-12"
    assert found["mss-conoco"]["date_from"] == "2022-05-11"


def test_a_page_timestamp_past_midnight_in_iraq_moves_the_publication_day(extractor):
    text = ("Updated 2022-05-12T22:40:00+00:00\n\n"
            "Two drones attacked Erbil air base, causing no damage, the counter-terrorism service said.")
    [attack] = incidents(extractor, text)
    assert (attack["date_from"], attack["date_to"]) == ("2022-05-12", "2022-05-13")


def test_an_attack_singled_out_of_a_tally_is_an_incident(extractor):
    text = ("Militias have fired rockets at US bases a dozen times this year, including a March 3 attack that "
            "killed a contractor at Ain al-Asad air base.")
    [attack] = incidents(extractor, text)
    assert (attack["site_id"], attack["date_from"], attack["killed"]) == ("ain-al-asad", "2022-03-03", 1)


def test_a_similar_attack_is_of_the_reports_kind(extractor):
    text = ("Rockets hit Camp Taji on Wednesday, wounding two soldiers. In March, a similar attack killed a "
            "contractor at Balad air base.")
    found = {p["site_id"]: p for p in incidents(extractor, text)}
    assert found["balad-air-base"]["event_type"] == "rocket_attack"
    assert found["balad-air-base"]["date_from"] == "2022-03-01"


def test_a_stale_page_date_gives_way_to_the_week_the_text_tells(extractor):
    # a re-posted page dated weeks later: "on Sunday" is counted from the week the text itself tells
    text = ("Four rockets fired on Sunday hit Harir air base. It was the second time in a week that the base "
            "came under fire, after two drones struck it on March 14.")
    found = {p["date_from"]: p for p in incidents(extractor, text, published="2022-04-20")}
    assert "2022-03-20" in found  # the Sunday after March 14, not April 17
    assert found["2022-03-20"]["event_type"] == "rocket_attack"


def test_a_period_with_no_space_after_it_still_ends_a_sentence(extractor):
    text = ("Rockets hit K1 air base on Tuesday, killing a contractor.The US answered on Thursday with "
            "strikes near Albu Kamal.")
    found = {p["site_id"]: p for p in incidents(extractor, text)}
    assert found["k1-air-base"]["event_type"] == "rocket_attack"
    assert found["k1-air-base"]["date_from"] == "2022-05-10"


def test_a_crowd_storming_the_embassy_is_an_incident_of_type_other(extractor):
    [incident] = incidents(extractor, "Supporters of the militias stormed the US embassy in Baghdad on Tuesday.")
    assert (incident["site_id"], incident["event_type"]) == ("us-embassy-baghdad", "other")


def test_a_city_a_broader_place_is_said_to_lie_in_is_no_incident_place(extractor):
    # a page's slip ("Kirkuk province in northern Baghdad") must not put a second attack in Baghdad
    text = "K1 air base, which hosts US troops in Kirkuk province in northern Baghdad, was hit by rockets on Tuesday."
    [attack] = incidents(extractor, text)
    assert attack["site_id"] == "k1-air-base"
