"""What merging several outlets' reports of one event taught extraction (issues 11 and 12).

Each outlet tells an event its own way: one tells it as the story, another in passing, as background
to a later attack ("the second in a week, after ..."), or without the place in the sentence that tells
the attack. Every report here is written for these tests; each pair must end up as one stored incident.
"""

from __future__ import annotations

import pytest

from geo.extract import Extractor
from geo.gazetteer import Gazetteer
from geo.ingest import ingest_features
from geo.query import parse_query
from geo.report import parse_report


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(Gazetteer.load())


def found(extractor: Extractor, text: str, published: str) -> list[dict]:
    report = parse_report(text, "lesson.txt", published=published)
    return [f["properties"] for f in extractor.extract(report).features]


def spans(incidents: list[dict]) -> set[tuple]:
    return {(p["site_id"], p["event_type"], p["date_from"], p["date_to"]) for p in incidents}


def stored_together(store, extractor: Extractor, reports: list[tuple[str, str, str]], day: str) -> list[dict]:
    """Ingest (text, published, url) reports into ``store``; the incidents whose span holds ``day``."""
    for n, (text, published, url) in enumerate(reports):
        report = parse_report(text, f"r{n}.txt", published=published, url=url)
        ingest_features(store, extractor.extract(report).features, extractor.ancestors, actor="local:test")
    query = parse_query({"datetime": f"{day}T00:00:00Z/{day}T23:59:59Z"})
    return [f["properties"] for f in store.query("incidents", query).features()]


# ---- an earlier attack told in a clause of its own ------------------------------------------------------

def test_the_attack_a_clause_goes_back_to_is_its_own_incident_at_the_place(extractor):
    text = ("A salvo of four rockets struck the American embassy compound in Baghdad late on Sunday; one of them "
            "wrecked a parking area.\n\n"
            "It was the second salvo this week aimed at the embassy, coming after two rockets fell close to the "
            "mission on March 2.")
    assert spans(found(extractor, text, "2021-03-08")) == {
        ("us-embassy-baghdad", "rocket_attack", "2021-03-07", "2021-03-07"),
        ("us-embassy-baghdad", "rocket_attack", "2021-03-02", "2021-03-02")}


def test_a_clause_about_the_same_day_adds_no_incident(extractor):
    text = ("Police said a rocket fell beside the American embassy compound in Baghdad on March 7, after two "
            "rockets fell close to the mission earlier on March 7.")
    assert len(found(extractor, text, "2021-03-08")) == 1


def test_a_similar_attack_on_an_earlier_day_is_another_incident_at_that_base(extractor):
    text = ("title: صواريخ على معسكر التاجي مجددا\n\n"
            "عادت الصواريخ لتضرب معسكر التاجي اليوم السبت، وهو المعسكر الذي قتل فيه جنديان "
            "بهجوم مماثل الأربعاء، كما قال ضابط في الشرطة.\n")
    assert spans(found(extractor, text, "2020-03-14")) == {
        ("camp-taji", "rocket_attack", "2020-03-14", "2020-03-14"),
        ("camp-taji", "rocket_attack", "2020-03-11", "2020-03-11")}


def test_an_attack_told_earlier_in_the_week_on_the_base_by_its_kind_alone(extractor):
    text = ("title: هجوم ثان على التاجي\n\n"
            "أصابت صواريخ معسكر التاجي، السبت، وهي المرة الثانية هذا الأسبوع.\n"
            "ويوم الأربعاء قتل جنديان حين تعرضت القاعدة لهجوم، كان الأشد منذ قصف وقع في "
            "أواخر كانون الأول وتبعته سلسلة من الهجمات.\n")
    incidents = {p["date_from"]: p for p in found(extractor, text, "2020-03-14")}
    assert set(incidents) == {"2020-03-14", "2020-03-11"}
    earlier = incidents["2020-03-11"]
    assert (earlier["site_id"], earlier["killed"]) == ("camp-taji", 2)


def test_the_base_told_by_its_kind_in_english_too(extractor):
    text = ("Rockets struck Camp Taji north of Baghdad on Saturday for the second time in a week.\n\n"
            "Earlier on Wednesday, three soldiers were killed when the base came under attack.")
    assert {(p["site_id"], p["date_from"]) for p in found(extractor, text, "2020-03-14")} == {
        ("camp-taji", "2020-03-14"), ("camp-taji", "2020-03-11")}


# ---- background told relative to other background -------------------------------------------------------

def test_background_told_days_later_lies_in_the_window_the_report_gives_it(extractor):
    text = ("Rockets slammed into the American embassy compound in Baghdad late on Sunday.\n\n"
            "Relations between Washington and Tehran have soured over the past month. A similar assault on a "
            "northern base left a contractor dead, and American jets answered by bombing a militia. Less than a "
            "week later, an American drone destroyed a general's car beside Baghdad airport.")
    incidents = {p["site_id"]: p for p in found(extractor, text, "2020-01-27")}
    assert (incidents["us-embassy-baghdad"]["date_from"], incidents["us-embassy-baghdad"]["date_to"]) == \
        ("2020-01-26", "2020-01-26")
    strike = incidents["baghdad-airport"]
    assert (strike["event_type"], strike["date_from"], strike["date_to"]) == ("airstrike", "2019-12-27", "2020-01-25")


def test_days_later_after_a_dated_attack_is_not_sent_into_a_window(extractor):
    text = "Rockets hit Ain al-Asad air base on Monday. Days later, a drone struck Erbil airport."
    assert {p["site_id"] for p in found(extractor, text, "2021-03-10")} >= {"ain-al-asad"}
    for p in found(extractor, text, "2021-03-10"):
        assert p["date_from"] >= "2021-03-01"


# ---- places -------------------------------------------------------------------------------------------

def test_the_compound_nobody_names_is_in_the_city_the_report_speaks_of(extractor):
    text = ("title: Iran says it fired the missiles\n\n"
            "Iran said on Monday its Revolutionary Guards fired the missiles on Saturday night. A video showed a "
            "dozen missiles falling on a villa. Residents at first believed the missiles had targeted the US "
            "diplomatic compound.\n\n"
            "Erbil is the seat of the Kurdistan region, and the consulate in Erbil serves its four provinces. "
            "Erbil's governor said nobody was hurt. In 2020 missiles hit a base closer to Baghdad.")
    incidents = found(extractor, text, "2022-03-14")
    consulate = [p for p in incidents if p["site_id"] == "us-consulate-erbil"]
    assert [(p["event_type"], p["date_from"], p["date_to"]) for p in consulate] == \
        [("missile_attack", "2022-03-12", "2022-03-13")]


def test_a_headline_verb_is_not_the_town_of_hit(extractor):
    text = "title: Rockets Hit American Embassy\n\nRockets Hit American Embassy\n\n" \
           "A rocket barrage struck the American embassy compound in Baghdad shortly after dusk on Sunday."
    assert {p["site_id"] for p in found(extractor, text, "2020-01-27")} == {"us-embassy-baghdad"}


def test_the_town_of_hit_is_still_found_where_the_text_puts_a_place(extractor):
    text = "Two rockets landed near a US convoy in Hit, in western Anbar, on Sunday, police said."
    report = parse_report(text, "lesson.txt", published="2021-03-08")
    [rockets] = extractor.extract(report).features
    lon, lat = rockets["geometry"]["coordinates"]
    assert abs(lat - 33.64) < 0.1 and abs(lon - 42.83) < 0.1  # the town on the Euphrates (GeoNames)


def test_a_faraway_landmark_is_not_the_attack_told_before(extractor):
    text = ("title: قصف على معسكر التاجي\n\n"
            "أصابت صواريخ معسكر التاجي الذي يستضيف جنودا أمريكيين مساء اليوم الأربعاء.\n"
            "ونقلت وكالة الأنباء السورية أن عدوانا جويا طال موقعا شرقي البوكمال في ريف دير الزور.\n")
    assert {(p["site_id"], p["event_type"]) for p in found(extractor, text, "2020-03-11")} == {
        ("camp-taji", "rocket_attack"), ("albu-kamal", "airstrike")}


# ---- one attack told first without its place ------------------------------------------------------------

def test_an_attack_told_without_its_place_joins_the_sentence_that_places_it(extractor):
    text = ("title: ضربات أمريكية في شرق سوريا\n\n"
            "وقصفت طائرات أمريكية مواقع في شرق سوريا ليل الخميس، بعد هجوم بطائرة بلا طيار قتل فيه متعاقد "
            "أمريكي وأصيب خمسة جنود.وأوضحت وزارة الدفاع أن المسيرة سقطت على ورشة صيانة داخل قاعدة قرب "
            "الحسكة.\n")
    [drone] = [p for p in found(extractor, text, "2023-03-24") if p["event_type"] == "drone_attack"]
    assert drone["injured"] == 5
    assert "الحسكة" in drone["sources"][0]["quote"] and "خمسة" in drone["sources"][0]["quote"]


def test_strikes_hours_after_an_evening_attack_may_fall_after_midnight(extractor):
    text = ("title: قصف على معسكر التاجي\n\n"
            "أصابت صواريخ معسكر التاجي الذي يستضيف جنودا أمريكيين مساء اليوم الأربعاء.\n"
            "وتحدثت مصادر محلية عن غارات جوية على مواقع لفصائل مسلحة عند الحدود، بعد ساعات من استهداف "
            "التاجي.\n"
            "وأكدت الوكالة السورية أن عدوانا جويا طال منطقة البوكمال.\n")
    dates = {p["site_id"]: (p["date_from"], p["date_to"]) for p in found(extractor, text, "2020-03-11")}
    assert dates == {"camp-taji": ("2020-03-11", "2020-03-11"), "albu-kamal": ("2020-03-11", "2020-03-12")}


def test_the_answer_to_an_attack_lends_it_no_toll(extractor):
    text = ("title: صواريخ على معسكر التاجي\n\n"
            "سقطت صواريخ على معسكر التاجي السبت.\n"
            "ورداً على ذلك، نفذت طائرات أمريكية ضربات على مواقع فصائل مسلحة في جنوب البلاد، ما أدى إلى مقتل "
            "خمسة من عناصرها.\n")
    [taji] = [p for p in found(extractor, text, "2020-03-14") if p["site_id"] == "camp-taji"]
    assert taji["killed"] is None


# ---- several outlets, one incident ----------------------------------------------------------------------

def test_a_story_and_another_outlets_aside_are_stored_as_one_incident(geojson_store, extractor):
    story = ("Security sources said two rockets came down beside the American embassy compound in Baghdad on "
             "Tuesday, March 2.", "2021-03-03", "https://one.example/embassy")
    aside = ("A salvo of four rockets struck the American embassy compound in Baghdad late on Sunday.\n\nIt was "
             "the second salvo this week aimed at the embassy, coming after two rockets fell close to the mission "
             "on March 2.", "2021-03-08", "https://two.example/embassy")
    incidents = stored_together(geojson_store, extractor, [story, aside], "2021-03-02")
    assert [{s["url"] for s in p["sources"]} for p in incidents] == [
        {"https://one.example/embassy", "https://two.example/embassy"}]


def test_the_first_attack_of_a_week_told_again_in_arabic_is_one_incident(geojson_store, extractor):
    first = ("title: صواريخ على معسكر التاجي\n\nأصابت خمسة عشر صاروخا معسكر التاجي مساء الأربعاء وقتل جنديان "
             "أمريكيان.", "2020-03-12", "https://one.example/taji")
    second = ("title: هجوم ثان على التاجي\n\nعادت الصواريخ لتضرب معسكر التاجي اليوم السبت، وهو المعسكر الذي "
              "قتل فيه جنديان بهجوم مماثل الأربعاء.", "2020-03-14", "https://two.example/taji")
    incidents = stored_together(geojson_store, extractor, [first, second], "2020-03-11")
    assert [{s["url"] for s in p["sources"]} for p in incidents] == [
        {"https://one.example/taji", "https://two.example/taji"}]


# ---- one attack, worded two ways in one report ------------------------------------------------------------

def test_the_attack_named_again_in_passing_with_other_means_is_the_same_attack(extractor):
    text = ("title: مسيرات تستهدف مطار أربيل\n\n"
            "هاجمت مسيرات محملة بالمتفجرات ليلة الأحد مطار أربيل حيث تتمركز قوات للتحالف الدولي.\n"
            "وعلقت الرحلات في مطار أربيل إثر الهجوم الصاروخي.\n")
    assert [(p["site_id"], p["event_type"]) for p in found(extractor, text, "2021-09-12")] == \
        [("erbil-air-base", "drone_attack")]


def test_what_another_outlet_had_first_reported_is_the_same_attack(extractor):
    text = ("title: مسيرة مفخخة تستهدف مطار أربيل\n\n"
            "قال جهاز أمني كردي إن مسيرة مفخخة ضربت مطار أربيل الذي تتمركز فيه قوات التحالف، دون أن يبين "
            "إذا ما خلف الهجوم ضحايا.\n"
            "وكانت محطة تلفزيونية محلية ذكرت أن صواريخ سقطت قرب مطار أربيل.\n")
    [attack] = found(extractor, text, "2021-09-11")
    assert (attack["site_id"], attack["event_type"]) == ("erbil-air-base", "drone_attack")
    assert attack["disagreements"]["event_type"] == ["drone_attack", "rocket_attack"]


def test_an_english_report_that_had_first_said_rockets(extractor):
    text = ("A drone laden with explosives struck Erbil airport, which hosts coalition troops, late on Saturday, "
            "the counter-terrorism service said. Local television had reported that rockets fell near Erbil "
            "airport.")
    [attack] = found(extractor, text, "2021-09-12")
    assert attack["event_type"] == "drone_attack"


def test_whether_anyone_was_hurt_is_no_threat(extractor):
    text = ("title: استهداف مطار أربيل\n\n"
            "ذكر مسؤول أمني أن مسيرة ضربت مطار أربيل الذي يضم جنودا أمريكيين، من غير أن يبين إذا ما سقط "
            "جرحى.\n")
    assert [p["event_type"] for p in found(extractor, text, "2021-09-11")] == ["drone_attack"]


def test_an_if_is_still_a_threat(extractor):
    text = "توعدت فصائل مسلحة باستهداف مطار أربيل بطائرات مسيرة إذا بقيت القوات الأمريكية في العراق."
    assert found(extractor, text, "2021-09-11") == []


# ---- the US mission named by another city ---------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "title: استهداف السفارة الأمريكية بأربيل\n\nاستهدفت صواريخ باليستية السفارة الأمريكية بأربيل فجر الأحد.",
    "Ballistic missiles struck near the American embassy in Erbil early on Sunday, officials said.",
])
def test_the_american_embassy_in_erbil_is_the_us_mission_there(extractor, text):
    assert {p["site_id"] for p in found(extractor, text, "2022-03-13")} == {"us-consulate-erbil"}


def test_the_embassy_in_baghdad_is_still_the_embassy(extractor):
    text = "Police said a rocket landed beside the American embassy in Baghdad late on Sunday."
    assert [p["site_id"] for p in found(extractor, text, "2022-03-13")] == ["us-embassy-baghdad"]


# ---- a night told by both its days ------------------------------------------------------------------------

@pytest.mark.parametrize("night", ["ليل السبت/الأحد", "ليلة السبت على الأحد", "ليل السبت - الأحد"])
def test_a_night_told_by_the_two_days_it_joins_spans_both(extractor, night):
    text = f"title: صواريخ على أربيل\n\nأفاد شهود بأن صواريخ سقطت {night} قرب القنصلية الأمريكية في أربيل."
    assert [(p["date_from"], p["date_to"]) for p in found(extractor, text, "2022-03-13")] == \
        [("2022-03-12", "2022-03-13")]


def test_two_days_that_do_not_follow_each_other_are_no_night(extractor):
    from datetime import date

    from geo.extract.dates_ar import find_dates
    spans = find_dates("ليل السبت/الاثنين", date(2022, 3, 13))
    assert all(s.precision == "day" for s in spans)


def test_a_drone_that_dropped_explosives_attacked(extractor):
    text = ("title: مسيرة تلقي متفجرات قرب مطار أربيل\n\n"
            "ذكر ضابط كردي أن مسيرة صغيرة ألقت قنبلتين على مخزن للقوات الأمريكية في مطار أربيل مساء الأربعاء، "
            "ولم يبلغ عن خسائر بشرية.\n")
    [drone] = found(extractor, text, "2021-04-15")
    assert (drone["site_id"], drone["event_type"], drone["killed"], drone["injured"]) == \
        ("erbil-air-base", "drone_attack", 0, 0)


# ---- a claim's day --------------------------------------------------------------------------------------

def test_an_attack_dated_only_by_its_claim_was_that_day_or_the_night_before(extractor):
    text = ("title: فصيل يتبنى قصف مطار أربيل\n\n"
            "أعلنت جماعة جديدة تسمي نفسها \"كتيبة الفجر\" في بيان، اليوم الثلاثاء "
            "(16 شباط 2021)، مسؤوليتها عن الهجوم الصاروخي على قاعدة للتحالف في مطار أربيل.\n")
    assert [(p["date_from"], p["date_to"]) for p in found(extractor, text, "2021-02-16")] == \
        [("2021-02-15", "2021-02-16")]


def test_an_attack_with_its_own_day_keeps_it_whatever_the_claims_day(extractor):
    text = ("title: فصيل يتبنى قصف مطار أربيل\n\n"
            "سقطت صواريخ على قاعدة للتحالف في مطار أربيل مساء الاثنين.\n"
            "وأعلنت جماعة مسلحة اليوم الثلاثاء مسؤوليتها عن ضرب مطار أربيل مساء الاثنين.\n")
    assert [(p["date_from"], p["date_to"]) for p in found(extractor, text, "2021-02-16")] == \
        [("2021-02-15", "2021-02-15")]


def test_the_consulate_in_the_city_of_erbil_is_the_consulate(extractor):
    text = ("title: صواريخ على أربيل\n\n"
            "سقطت صواريخ فجر اليوم الأحد قرب القنصلية الأمريكية في مدينة أربيل.\n")
    assert [p["site_id"] for p in found(extractor, text, "2022-03-13")] == ["us-consulate-erbil"]


@pytest.mark.parametrize(("told", "want"), [
    ("عند الثانية بعد منتصف الليل (أمس السبت)", ("2022-03-12", "2022-03-13")),  # Saturday's night, past midnight
    ("عند الثانية بعد منتصف الليل يوم 12 آذار", ("2022-03-12", "2022-03-12")),  # a date settles it
])
def test_an_hour_after_midnight_told_by_a_weekday_spans_the_night(extractor, told, want):
    text = f"title: صواريخ على أربيل\n\nوقال البيان إنه {told} استهدفت صواريخ القنصلية الأمريكية في أربيل."
    assert [(p["date_from"], p["date_to"]) for p in found(extractor, text, "2022-03-13")] == [want]


# ---- convoys and roads ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "A logistics convoy carrying supplies for US forces was targeted near Samawah on Sunday morning.",
    "title: استهداف رتل\n\nواستهدف رتل دعم لوجستي للقوات الأمريكية صباح اليوم الأحد في السماوة.",
])
def test_a_convoy_attacked_with_no_weapon_named_is_an_attack_of_means_untold(extractor, text):
    assert [p["event_type"] for p in found(extractor, text, "2021-09-12")] == ["other"]


def test_two_convoys_in_two_provinces_are_two_incidents(extractor):
    text = ("title: استهداف رتلين\n\n"
            "واستهدف رتل للقوات الأمريكية صباح اليوم الأحد في المثنى، واستهدف رتل آخر بعد ساعتين في الديوانية.\n")
    assert len(found(extractor, text, "2021-09-12")) == 2


@pytest.mark.parametrize("text", [
    "A roadside bomb went off under a truck hauling coalition gear on the Nasiriyah-Samawah highway on Saturday.",
    "A roadside bomb went off under a coalition supply truck on the road between Nasiriyah and Samawah on Saturday.",
    "title: عبوة على رتل\n\nاستهدفت عبوة ناسفة يوم السبت رتل شاحنات ينقل إمدادات للتحالف الدولي على الطريق "
    "بين مدينتي الناصرية والسماوة.",
])
def test_a_road_named_by_its_two_ends_is_one_place_between_them(extractor, text):
    [bomb] = found(extractor, text, "2020-10-11")
    assert bomb["event_type"] == "ied" and bomb["geo_precision"] == 2 and bomb["location"].endswith("road")


def test_reports_of_one_bomb_on_one_road_are_one_incident(geojson_store, extractor):
    english = ("A roadside bomb went off under a coalition supply truck on the road between Nasiriyah and "
               "Samawah on Sunday.", "2020-10-11", "https://one.example/road")
    arabic = ("title: عبوة على رتل\n\nاستهدفت عبوة ناسفة اليوم الأحد رتل شاحنات ينقل إمدادات للتحالف الدولي "
              "على الطريق بين مدينتي الناصرية والسماوة.", "2020-10-11", "https://two.example/road")
    incidents = stored_together(geojson_store, extractor, [english, arabic], "2020-10-11")
    assert [{s["url"] for s in p["sources"]} for p in incidents] == [
        {"https://one.example/road", "https://two.example/road"}]


def test_attacks_in_two_provinces_of_one_country_stay_apart(geojson_store, extractor):
    first = ("title: عبوة\n\nانفجرت عبوة ناسفة على رتل للتحالف الدولي في محافظة المثنى اليوم الأحد.",
             "2021-09-12", "https://one.example/a")
    second = ("title: عبوة\n\nانفجرت عبوة ناسفة على رتل للتحالف الدولي في محافظة البصرة اليوم الأحد.",
              "2021-09-12", "https://two.example/b")
    assert len(stored_together(geojson_store, extractor, [first, second], "2021-09-12")) == 2


# ---- the night before ----------------------------------------------------------------------------------

def test_after_a_night_in_which_drones_struck_is_the_night_before(extractor):
    text = ("title: استهداف رتل\n\n"
            "ويأتي ذلك بعد ليلة هاجمت فيها مسيرتان مخزنا قرب مطار أربيل حيث تتمركز قوات التحالف.\n")
    [drones] = found(extractor, text, "2021-09-12")
    assert (drones["event_type"], drones["date_from"], drones["date_to"]) == \
        ("drone_attack", "2021-09-11", "2021-09-12")


def test_a_towns_countryside_is_its_province_not_the_town(extractor):
    text = ("title: عبوة على عربة للتحالف\n\n"
            "ومساء أمس، انفجرت عبوة ناسفة بعربة تابعة لقوات التحالف بريف دير الزور الشمالي دون خسائر بشرية.\n")
    [bomb] = found(extractor, text, "2022-10-18")
    assert (bomb["geo_precision"], bomb["admin1"]) == (3, "Deir ez-Zor")


@pytest.mark.parametrize("aside", [
    "Police said a sweep had begun in the villages of Daquq district.",
    "Readers in Kirkuk's Domiz district reported a loud blast.",
    "The convoy was heading north from the port of Umm Qasr.",
    "The SDF named the town of Mayadin as the likely launch point.",
])
def test_places_around_an_attack_that_are_not_where_it_was(extractor, aside):
    text = f"Two rockets struck the K1 base northwest of Kirkuk city late on Sunday, causing no casualties. {aside}"
    assert {p["site_id"] for p in found(extractor, text, "2020-11-16")} == {"k1-air-base"}


def test_a_smugglers_drone_is_no_attack(extractor):
    text = "The army downed a drone carrying crystal methamphetamine near Ruwaished at dawn on Thursday."
    assert found(extractor, text, "2023-08-11") == []


def test_a_barrage_from_before_midnight_into_the_small_hours_spans_both_days(extractor):
    text = ("Five rockets fell on Victory base near Baghdad airport from 11:50 pm on Saturday until about 12:30 am, "
            "a security source said.")
    [barrage] = found(extractor, text, "2020-08-16")
    assert (barrage["date_from"], barrage["date_to"]) == ("2020-08-15", "2020-08-16")


def test_a_photo_credit_in_brackets_ends_a_caption(extractor):
    text = ("[Photo] Police at the gate of the K1 base on Monday morning. (Photo: Local Daily / A. Writer)\n"
            "Three rockets fell on the K-1 base northwest of Kirkuk city on Sunday evening, police said.")
    assert [(p["date_from"], p["date_to"]) for p in found(extractor, text, "2020-11-16")] == \
        [("2020-11-15", "2020-11-15")]


def test_the_third_such_attack_is_the_one_told_not_a_new_one_dated_by_a_since(extractor):
    text = ("Several mortar shells fell on the US base at the al-Omar oil field on Sunday evening, causing no "
            "casualties.\n\nThe shelling of the Omar facility, which the SDF has held since 2017, was the third such "
            "attack this month.")
    assert [(p["site_id"], p["date_from"]) for p in found(extractor, text, "2021-10-18")] == \
        [("al-omar-oil-field", "2021-10-17")]


def test_a_sources_remark_on_something_else_does_not_move_the_attacks_day(extractor):
    text = ("Several mortar shells fell on the US base at the al-Omar oil field on Sunday evening, causing no "
            "casualties.\n\nTurkish security sources said on Monday that operations against the group would go on.")
    assert [p["date_from"] for p in found(extractor, text, "2021-10-18")] == ["2021-10-17"]
