"""Arabic reports through the same stages as English ones (issue 12), with short reports written for these
tests in the styles Arabic outlets use: an agency wire, a local outlet, a group's claim, an overnight attack,
a report with the two month series, and one with an older attack as background."""

from __future__ import annotations

from datetime import date

import pytest

from geo.extract import Extractor
from geo.extract.casualties import find_casualties, number
from geo.extract.dates_ar import find_dates
from geo.extract.language import detect_language, fold_arabic, normalise_arabic
from geo.extract.places import detach_clitics, incident_places
from geo.gazetteer import Gazetteer
from geo.report import parse_report


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


@pytest.fixture(scope="module")
def extractor(gazetteer) -> Extractor:
    return Extractor(gazetteer)


def extract(extractor: Extractor, text: str, published: str = "2021-03-08"):
    return extractor.extract(parse_report(text, "تقرير.txt", published=published))


@pytest.mark.parametrize(("text", "want"), [
    ("سقطت ثلاثة صواريخ على قاعدة عين الأسد فجر اليوم.", "ar"),
    ("Three rockets hit Ain al-Asad air base on Monday.", "en"),
    # an Arabic page quoting an English statement stays Arabic, and the reverse
    ("قال المتحدث باسم التحالف في تغريدة: Initial reports indicate indirect fire. وأضاف أن التحقيق جار.", "ar"),
    ("Residents said the base, known locally as قاعدة عين الأسد, was hit twice last week by rockets.", "en"),
    ("", "en"),
])
def test_language_is_told_by_the_share_of_arabic_letters(text, want):
    assert detect_language(text) == want


@pytest.mark.parametrize(("text", "want"), [
    ("طائرة مُسيَّرة", "طائرة مسيرة"), ("هجـــوم", "هجوم"), ("قاعدة عين الأسد", "قاعدة عين الأسد"),
])
def test_diacritics_and_tatweel_go_before_matching(text, want):
    assert normalise_arabic(text) == want


@pytest.mark.parametrize(("a", "b"), [("أربيل", "اربيل"), ("إصابة", "اصابه"), ("مستشفى", "مستشفي"),
                                      ("الأسد", "الاسد")])
def test_letter_variants_fold_together(a, b):
    assert fold_arabic(a) == fold_arabic(b)


@pytest.mark.parametrize(("text", "site"), [
    ("سقطت الصواريخ بقاعدة عين الأسد غربي الأنبار", "ain-al-asad"),
    ("وصلت الطائرة المسيرة لمطار أربيل", "erbil-air-base"),
    ("شنت الطائرات غارات على مواقع قرب والبوكمال", "albu-kamal"),
    ("استهدف القصف حقل العمر النفطي", "al-omar-oil-field"),
    ("هجوم بطائرة مسيرة على قاعدة التنف", "al-tanf-garrison"),
    ("سقطت قذيفتان في المنطقة الخضراء", "green-zone"),
])
def test_names_are_found_with_clitics_written_onto_them(gazetteer, text, site):
    assert [p.site_id for p in incident_places(gazetteer, text, "")] == [site]


@pytest.mark.parametrize("word", ["بغداد", "كركوك", "لبنان"])
def test_names_that_start_like_a_clitic_stay_whole(gazetteer, word):
    assert detach_clitics(gazetteer, f"في {word} اليوم") == f"في {word} اليوم"


@pytest.mark.parametrize(("text", "want"), [
    ("أسفر الهجوم عن مقتل متعاقد مدني وإصابة أربعة جنود", (1, 4)),
    ("قتل ثلاثة عناصر وأصيب ٥ آخرون بجروح", (3, 5)),
    ("سقط الصاروخ دون وقوع إصابات", (0, 0)),
    ("ولم يسفر القصف عن أي خسائر بشرية", (0, 0)),
    ("حصيلة الغارات 9 قتلى و14 جريحا", (9, 14)),
    ("إصابة جنديين بجروح طفيفة", (None, 2)),
    ("سقطت الصواريخ قرب المطار", (None, None)),
    # the counted ones before the verb, and a dual counted by "اثنين"
    ("أعلن المتحدث أن متعاقدا أمريكيا مدنيا قتل في الهجوم، بينما جرح ستة آخرون", (1, 6)),
    ("وقال إن جنديين قتلا في القصف", (2, None)),
    ("ما أدى إلى مقتل أمريكيين اثنين", (2, None)),
    # nobody hurt; no lives lost (and nothing said of the wounded); no word yet of casualties
    ("وقال المسؤول إنه لم يصب أحد في الهجوم", (0, 0)),
    ("وأوضح أن القصف لم يسفر عن خسائر بالأرواح", (0, None)),
    ("ولم ترد أنباء فورية عن وقوع إصابات", (0, 0)),
    # a second one counted after an appositive or as a second subject; "واحد" is one, not "and one"
    ("ما أدى إلى مقتل جنديين، فرنسي وبريطاني، ومتعاقد أمريكي", (3, None)),
    ("وقال إن جنديين أمريكيين وبريطاني قتلوا في القصف", (3, None)),
    ("وقد قتل متعاقد مدني واحد، وأصيب أربعة جنود", (1, 4)),
    ("ما أسفر عن مقتل أمريكي، وإصابة خمسة آخرين", (1, 5)),
    ("مقتل جندي عراقي وإصابة ثلاثة", (1, 3)),
    # the dual as the subject, and deaths told by "توفي"
    ("قتل فيه جنديان", (2, None)),
    ("توفي متعاقد مدني إثر الهجوم", (1, None)),
    # "a third", two words before the "and", a subject three words from its verb, a leader
    ("قتل شخصان وأصيب ثالث في القصف", (2, 1)),
    ("أصيب أربعة مهندسين مدنيين وجندي بجروح", (None, 5)),
    ("وقال إن عنصرين من حماية الموقع أصيبا بجروح", (None, 2)),
    ("أسفرت الضربة عن مقتل قيادي في الفصيل", (1, None)),
    # nobody hurt, told with "دون أن"; a toll not yet known is no nil toll
    ("أطلق مسلحون النار على الدورية دون أن يصاب أحد", (0, 0)),
    ("انفجرت العبوة قرب الرتل، ولم تتضح حصيلة الإصابات بعد", (None, None)),
    # nil tolls worded at length; civilians spared is no nil toll; "قتيلين" and "وآخر"
    ("وانتهى القصف من دون أن يوقع أي خسائر بشرية تذكر", (0, 0)),
    ("ولم يسفر القصف عن سقوط قتلى أو جرحى", (0, 0)),
    ("وقال البيان إنه لا دلائل على سقوط ضحايا مدنيين", (None, None)),
    ("ما أسفر عن قتيلين وأربعة جرحى", (2, 4)),
    ("وأصيب جنديان فرنسيان وآخر أمريكي", (None, 3)),
    ("والذي أصيب فيه سائق بجروح طفيفة", (None, 1)),
])
def test_arabic_casualties_as_stated(text, want):
    assert find_casualties(text) == want


@pytest.mark.parametrize(("text", "want"), [("١٢", 12), ("ثلاثة", 3), ("خمس", 5), ("أحد", 1), ("عشرة", 10)])
def test_arabic_number_words_and_eastern_digits(text, want):
    assert number(text) == want


MONDAY = date(2021, 3, 8)


@pytest.mark.parametrize(("text", "want"), [
    ("اليوم الاثنين", date(2021, 3, 8)),
    ("فجر اليوم", date(2021, 3, 8)),
    ("مساء الأحد", date(2021, 3, 7)),
    ("أمس", date(2021, 3, 7)),
    ("ليل أمس", date(2021, 3, 7)),
    ("الخميس الماضي", date(2021, 3, 4)),
    ("في 3 آذار 2021", date(2021, 3, 3)),
    ("في 3 مارس", date(2021, 3, 3)),
    ("يوم ٢٨ شباط/فبراير ٢٠٢١", date(2021, 2, 28)),
    ("قبل يومين", date(2021, 3, 6)),
])
def test_arabic_dates_resolve_against_the_publication_day(text, want):
    spans = [s for s in find_dates(f"وقع الهجوم {text} على القاعدة", MONDAY) if s.known]
    assert spans and spans[0].date_from == want


def test_an_agency_wire_gives_a_sited_dated_incident(extractor):
    wire = """بغداد - وكالة الأنباء
أصابت عشرة صواريخ أو أكثر قاعدة عين الأسد الجوية حيث يتمركز جنود أمريكيون في الأنبار صباح اليوم الأربعاء.
وقال التحالف الدولي في بيان إن الهجوم لم يسفر عن إصابات بين الجنود.
ولم تعلن أي جهة مسؤوليتها عن الهجوم حتى الآن."""
    extraction = extract(extractor, wire, "2021-03-03")
    assert extraction.language == "ar"
    (incident,) = [f["properties"] for f in extraction.features]
    assert (incident["site_id"], incident["event_type"], incident["date_from"]) == \
        ("ain-al-asad", "rocket_attack", "2021-03-03")
    assert incident["injured"] == 0
    assert "عين الأسد" in incident["sources"][0]["quote"]  # the evidence is the report's own words
    assert incident["sources"][0]["language"] == "ar"


def test_a_groups_claim_names_the_group_as_worded(extractor):
    claim = """تبنت المقاومة الإسلامية في العراق في بيان على تلغرام استهداف قاعدة حرير في أربيل بطائرة مسيرة مساء أمس.
وقالت الجماعة إن الطائرة أصابت هدفها بدقة."""
    (incident,) = [f["properties"] for f in extract(extractor, claim, "2023-09-20").features]
    assert incident["site_id"] == "harir-air-base"
    assert incident["event_type"] == "drone_attack"
    assert incident["date_from"] == "2023-09-19"
    assert (incident["perpetrator"], incident["attribution"]) == ("المقاومة الإسلامية في العراق", "claimed")


def test_a_us_strike_by_drone_is_an_airstrike(extractor):
    local = """شنت طائرة مسيرة أمريكية غارة على سيارة قرب مدينة البوكمال شرقي دير الزور فجر اليوم السبت، ما أسفر عن مقتل شخصين."""
    (incident,) = [f["properties"] for f in extract(extractor, local, "2022-01-15").features]
    assert (incident["site_id"], incident["event_type"], incident["killed"]) == ("albu-kamal", "airstrike", 2)


def test_an_older_attack_told_as_background_keeps_its_own_date(extractor):
    report = """سقطت ثلاثة صواريخ كاتيوشا داخل مطار أربيل الدولي مساء اليوم الثلاثاء، دون وقوع إصابات.
وكان معسكر التاجي قد تعرض لهجوم بصواريخ في 11 آذار 2020 أسفر عن مقتل ثلاثة جنود."""
    found = {f["properties"]["site_id"]: f["properties"] for f in extract(extractor, report, "2021-03-09").features}
    assert found["erbil-air-base"]["date_from"] == "2021-03-09"
    assert found["camp-taji"]["date_from"] == "2020-03-11"
    assert found["camp-taji"]["killed"] == 3


def test_the_two_month_series_name_the_same_day(extractor):
    levantine = "سقطت قذائف هاون على قاعدة التاجي في 14 آذار 2020 دون إصابات."
    gulf = "سقطت قذائف هاون على قاعدة التاجي في 14 مارس 2020 دون إصابات."
    days = [[f["properties"]["date_from"] for f in extract(extractor, text, "2020-03-20").features]
            for text in (levantine, gulf)]
    assert days == [["2020-03-14"], ["2020-03-14"]]


def test_a_threat_is_no_incident(extractor):
    threat = "توعدت كتائب حزب الله باستهداف القواعد الأمريكية في العراق بالصواريخ إذا لم تنسحب القوات."
    assert extract(extractor, threat, "2021-03-08").features == []


def test_an_arabic_and_an_english_report_of_one_attack_are_stored_as_one_incident(geojson_store):
    from geo.ingest import ingest_features
    from geo.query import parse_query

    extractor = Extractor(Gazetteer.load())
    english = parse_report("Three rockets hit Ain al-Asad air base on Tuesday evening, causing no casualties, "
                           "a security source said.", "en.txt", published="2022-05-11", url="https://en.example/a")
    arabic = parse_report("استهدفت ثلاثة صواريخ كاتيوشا قاعدة عين الأسد الجوية غربي الأنبار مساء الثلاثاء دون "
                          "وقوع إصابات، بحسب مصدر أمني.", "ar.txt", published="2022-05-11", url="https://ar.example/b")
    for report in (english, arabic):
        ingest_features(geojson_store, extractor.extract(report).features, extractor.ancestors, actor="local:test")
    found = geojson_store.query("incidents", parse_query({"datetime": "2022-05-10T00:00:00Z/2022-05-10T23:59:59Z"}))
    [incident] = found.features()
    sources = incident["properties"]["sources"]
    assert {s["url"] for s in sources} == {"https://en.example/a", "https://ar.example/b"}
    assert {s.get("language") for s in sources} == {"en", "ar"}


@pytest.mark.parametrize(("when", "want"), [
    ("ليل الأربعاء", ("2021-03-03", "2021-03-04")),
    ("ليلة الأربعاء", ("2021-03-02", "2021-03-03")),  # the night before Wednesday
    ("فجر الجمعة", ("2021-03-05", "2021-03-05")),  # dawn is told by its own day
    ("قبيل منتصف الليل يوم الأربعاء", ("2021-03-03", "2021-03-04")),
    ("في ساعة متأخرة من ليل الثلاثاء", ("2021-03-02", "2021-03-03")),
    ("مساء الأربعاء", ("2021-03-03", "2021-03-03")),  # an evening is its own day
])
def test_an_arabic_night_covers_the_two_days_it_spans(extractor, when, want):
    text = f"سقطت ثلاثة صواريخ على قاعدة عين الأسد الجوية {when} دون وقوع إصابات."
    (incident,) = [f["properties"] for f in extract(extractor, text, "2021-03-06").features]
    assert (incident["date_from"], incident["date_to"]) == want


@pytest.mark.parametrize(("clock", "want"), [
    ("الساعة الحادية عشرة ليلاً", "23:00"),
    ("الساعة 11:30 مساءً", "23:30"),
    ("عند التاسعة و15 دقيقة من مساء", "21:15"),
    ("في الساعة الثانية فجراً", "02:00"),
    ("في الساعة الواحدة بعد منتصف الليل", "01:00"),
])
def test_an_arabic_clock_time_is_a_local_time_and_keeps_the_day(extractor, clock, want):
    text = f"سقطت ثلاثة صواريخ على قاعدة عين الأسد الجوية {clock} يوم الأربعاء دون وقوع إصابات."
    (incident,) = [f["properties"] for f in extract(extractor, text, "2021-03-06").features]
    assert (incident["date_from"], incident["date_to"], incident["time_local"]) == ("2021-03-03", "2021-03-03", want)


def test_the_day_a_statement_was_made_is_not_the_attacks(extractor):
    text = "أعلن التحالف الدولي، الثلاثاء، أن قاعدة عين الأسد تعرضت لهجوم بثلاثة صواريخ مساء الاثنين دون إصابات."
    (incident,) = [f["properties"] for f in extract(extractor, text, "2021-03-09").features]
    assert incident["date_from"] == "2021-03-08"


def test_the_reports_own_today_outranks_a_later_publication_stamp(extractor):
    # stamped Thursday, written on Wednesday: "مساء اليوم" is Wednesday evening
    text = """سقطت عشرة صواريخ على معسكر التاجي مساء اليوم.
وقالت مصادر أمنية إن الصواريخ سقطت على المعسكر مساء اليوم الأربعاء دون وقوع إصابات."""
    days = {f["properties"]["date_from"] for f in extract(extractor, text, "2020-03-12").features}
    assert days == {"2020-03-11"}


@pytest.mark.parametrize(("text", "want"), [
    ("سمعت انفجارات متتالية حول قاعدة التحالف، تلاها إطلاق صواريخ من القاعدة", "other"),  # the base answered
    ("سمع دوي انفجار قوي داخل القاعدة", "other"),
    ("استهدفت المدينة بـ 12 صاروخا باليستيا", "missile_attack"),
    ("سقطت صواريخ باليستية على المدينة", "missile_attack"),
    ("سقطت ثلاثة صواريخ على القاعدة", "rocket_attack"),
    ("أطلق مجهولون النار على دورية قرب القاعدة", "small_arms"),  # the verb, not only the noun
])
def test_arabic_means_explosions_with_no_weapon_and_ballistic_missiles(text, want):
    from geo.extract.mentions import find_event_type

    assert find_event_type(text) == want


def test_explosions_the_report_explains_as_a_test_are_no_incident(extractor):
    blasts = "سمع دوي انفجارات في قاعدة عين الأسد الجوية مساء أمس."
    explained = blasts + "\nوقال التحالف إن الجنود أجروا اختبارا لمنظومة المدفعية."
    assert [f["properties"]["event_type"] for f in extract(extractor, blasts).features] == ["other"]
    assert extract(extractor, explained).features == []


@pytest.mark.parametrize("line", ["اقرأ أيضًا.. هجوم آخر على قاعدة التاجي", "مواضيع ذات صلة", "(صورة أرشيفية)",
                                  "الصورة: وكالة الأنباء", "لا يتوفر وصف.", "كتب: محمد علي",
                                  "المصدر: فريق التحرير"])
def test_arabic_page_furniture_is_dropped(line):
    from geo.extract.clean import clean_page

    news = "وقال المصدر إن الهجوم لم يسفر عن إصابات."
    assert clean_page(f"عنوان الخبر\n\n{line}\n\n{news}") == f"عنوان الخبر\n\n{news}"


def test_a_timestamp_glued_to_the_first_sentence_is_cut():
    from geo.extract.clean import clean_page

    assert clean_page("07:40 - 9 مارس 2022قال ضابط إن صواريخ سقطت.") == "قال ضابط إن صواريخ سقطت."


def test_one_arabic_word_for_rockets_and_missiles_is_settled_by_ballistic():
    extractor = Extractor(Gazetteer.load())
    text = ("هجوم صاروخي يستهدف مطار أربيل\n\n"
            "قالت السلطات المحلية إن صواريخ باليستية أطلقت من خارج الحدود وسقطت قرب مطار أربيل الدولي يوم الأحد.")
    [incident] = extractor.extract(parse_report(text, "b.txt", published="2022-05-16")).features
    assert incident["properties"]["event_type"] == "missile_attack"


# ---- dates an Arabic outlet tells by the day where the event happened (lessons of the dev set) ---------------

def spans_of(result) -> list[tuple[str, str]]:
    return [(f["properties"]["date_from"], f["properties"]["date_to"]) for f in result.features]


def test_after_midnight_is_the_small_hours_of_the_day_told(extractor):
    text = ("title: غارات على مواقع قرب القائم\n\n"
            "شنت طائرات أمريكية غارات على مواقع لفصائل مسلحة في مدينة القائم فجر 7 آذار.\n"
            "وسمع السكان دوي الانفجارات عند الساعة الثانية بعد منتصف الليل.\n")
    assert spans_of(extract(extractor, text, "2021-03-07")) == [("2021-03-07", "2021-03-07")]


def test_a_state_strike_told_in_arabic_keeps_the_local_day(extractor):
    text = ("title: الجيش الأمريكي يقصف مواقع في القائم\n\n"
            "نفذت القوات الأمريكية مساء اليوم الأحد ضربات جوية استهدفت مقرين لفصيل مسلح في منطقة القائم.\n")
    assert spans_of(extract(extractor, text, "2021-03-07")) == [("2021-03-07", "2021-03-07")]


def test_this_evening_in_a_statement_made_yesterday_is_yesterday_evening(extractor):
    text = ("title: صواريخ على أربيل\n\n"
            "وقالت وزارة الداخلية في الإقليم في بيان، السبت، إنه في الساعة العاشرة من مساء اليوم سقطت صواريخ "
            "على مطار أربيل الدولي.\n")
    assert spans_of(extract(extractor, text, "2021-03-07")) == [("2021-03-06", "2021-03-06")]


def test_a_claim_made_on_one_day_takes_the_day_the_attack_is_told_elsewhere(extractor):
    text = ("title: جماعة تتبنى قصف مطار أربيل\n\n"
            "بعد تبنيها القصف الصاروخي على مطار أربيل، أصدرت جماعة مجهولة تطلق على نفسها اسم سرايا الفجر الجديد، "
            "الأحد، بيانا ثانيا.\n"
            "وكانت صواريخ قد سقطت على محافظة أربيل أمس السبت.\n")
    assert spans_of(extract(extractor, text, "2021-03-07")) == [("2021-03-06", "2021-03-06")]


def test_the_city_is_not_a_town_named_the_city(gazetteer):
    assert gazetteer.find_all("وسقطت عدة صواريخ في المدينة ومحيطها") == []


def test_an_attack_on_a_base_named_as_the_coalitions_is_in_scope(extractor):
    text = ("title: هجوم بطائرة مسيرة شمال شرق سوريا\n\n"
            "ضربت طائرة مسيرة أمس الخميس مستودعا في قاعدة لقوات التحالف في محيط الحسكة.\n")
    result = extract(extractor, text, "2023-03-24")
    assert [f["properties"]["event_type"] for f in result.features] == ["drone_attack"]


def test_a_headlines_province_gives_way_to_the_bodys_town_in_it(extractor):
    text = ("title: قذائف صاروخية على قاعدة أمريكية بريف الحسكة\n\n"
            "سقطت قذيفتان صاروخيتان صباح اليوم قرب القاعدة الأمريكية في الشدادي جنوب الحسكة، "
            "دون وقوع إصابات.\n")
    result = extract(extractor, text, "2022-05-17")
    assert [f["properties"]["site_id"] for f in result.features] == ["al-shaddadi"]


def test_the_turkish_agency_that_tells_a_us_strike_makes_it_no_turkish_strike(extractor):
    text = ("title: غارات أمريكية في العراق\n\n"
            "نفذت القوات الأمريكية مساء اليوم الأحد غارات على مواقع لفصائل مسلحة.\n"
            "ونقلت وكالة \"الأناضول\" التركية أن قصفا جويا أصاب مقرين لفصيل مسلح قرب مدينة القائم وأوقع قتلى.\n")
    result = extract(extractor, text, "2021-03-07")
    assert [(f["properties"]["site_id"], f["properties"]["perpetrator"]) for f in result.features] == \
        [("al-qaim", "US forces")]


def test_the_night_of_the_main_strike_does_not_date_an_attack_told_beside_it(extractor):
    text = ("title: غارات على البوكمال\n\n"
            "قتل عشرة مسلحين في غارات جوية أمريكية في منطقة البوكمال ليل الأربعاء.\n"
            "ويأتي ذلك بعد ساعات من سقوط صواريخ على معسكر التاجي شمال بغداد.\n")
    result = extract(extractor, text, "2020-03-12")
    dates = {f["properties"]["site_id"]: (f["properties"]["date_from"], f["properties"]["date_to"])
             for f in result.features}
    assert dates["camp-taji"] == ("2020-03-11", "2020-03-11")
    assert dates["albu-kamal"] == ("2020-03-11", "2020-03-12")


def test_a_steady_flow_of_rocket_attacks_is_no_incident(extractor):
    text = ("title: مسيرة تستهدف مطار أربيل\n\n"
            "أسقطت طائرة مسيرة متفجرات قرب مطار أربيل في وقت متأخر من مساء الأربعاء.\n"
            "ويأتي الهجوم بعد تدفق مستمر من الهجمات الصاروخية التي تطال القواعد الأمريكية في بغداد.\n")
    result = extract(extractor, text, "2021-04-15")
    assert [f["properties"]["site_id"] for f in result.features] == ["erbil-air-base"]


def test_a_toll_told_about_the_attack_in_a_later_sentence_is_its_toll(extractor):
    text = ("title: مسيرة مفخخة تستهدف مطار أربيل\n\n"
            "استهدفت طائرة مسيرة مفخخة مساء الأربعاء قاعدة للتحالف في مطار أربيل الدولي.\n"
            "وأعلنت السلطات إغلاق الأجواء لساعات.\n"
            "وأكدت مديرية الأمن في الإقليم صباح الخميس أن متفجرات الطائرة سقطت قرب مخزن فارغ.\n"
            "وقالت المديرية إنه لم يصب أحد في الهجوم.\n")
    result = extract(extractor, text, "2021-04-15")
    assert [(f["properties"]["killed"], f["properties"]["injured"]) for f in result.features] == [(0, 0)]


def test_a_strike_dated_only_by_its_announcement_was_flown_that_day_or_the_night_before(extractor):
    text = ("title: البنتاغون يعلن ضربات في سوريا\n\n"
            "قال البنتاغون اليوم الاثنين إن مقاتلاته نفذت غارات جوية على مخازن أسلحة "
            "لفصائل مسلحة في البوكمال.\n")
    assert spans_of(extract(extractor, text, "2021-06-28")) == [("2021-06-27", "2021-06-28")]


def test_a_clause_telling_another_event_does_not_lend_its_means(extractor):
    text = ("title: هجوم على حقل العمر\n\n"
            "قال مصدر محلي اليوم الجمعة إن هجوما طال القاعدة الأمريكية في حقل العمر، فيما أعلنت وزارة "
            "الدفاع الأمريكية أن طائراتها قصفت مواقع لفصائل مسلحة قرب البوكمال بغارات جوية.\n")
    types = {f["properties"]["site_id"]: f["properties"]["event_type"]
             for f in extract(extractor, text, "2023-03-24").features}
    assert types["al-omar-oil-field"] == "other"
    assert types.get("albu-kamal", "airstrike") == "airstrike"


def test_the_night_told_in_the_next_clause_does_not_widen_the_attacks_day(extractor):
    text = ("title: هجوم على حقل العمر\n\n"
            "طال هجوم صباح الجمعة 24 آذار 2023 القاعدة الأمريكية في حقل العمر، فيما أعلن "
            "البنتاغون أن طائراته شنت غارات جوية ليل الخميس على مواقع لفصائل مسلحة.\n")
    dates = {f["properties"]["site_id"]: (f["properties"]["date_from"], f["properties"]["date_to"])
             for f in extract(extractor, text, "2023-03-24").features}
    assert dates["al-omar-oil-field"] == ("2023-03-24", "2023-03-24")


def test_shelling_with_no_weapon_named_is_an_attack_of_means_untold(extractor):
    text = ("title: قصف على حقل العمر\n\n"
            "وقصفت مجموعة مسلحة صباح اليوم نقطة يتمركز فيها جنود قوات التحالف داخل حقل العمر النفطي.\n")
    result = extract(extractor, text, "2023-03-24")
    assert [(f["properties"]["site_id"], f["properties"]["event_type"]) for f in result.features] == \
        [("al-omar-oil-field", "other")]


def test_the_shelling_of_a_province_is_the_attack_placed_at_its_airport(extractor):
    text = ("title: صواريخ على مطار أربيل\n\n"
            "سقطت ثلاثة صواريخ مساء الاثنين على مطار أربيل الدولي.\n"
            "ووجه رئيس الوزراء اليوم بتشكيل لجنة تحقيق في القصف الذي طال محافظة أربيل.\n")
    result = extract(extractor, text, "2021-02-16")
    assert [(f["properties"]["site_id"], f["properties"]["event_type"]) for f in result.features] == \
        [("erbil-air-base", "rocket_attack")]


@pytest.mark.parametrize(("text", "want"), [
    ("في الخامس من أيار 2021", ("2021-05-05", "2021-05-05")),
    ("يوم الثالث والعشرين من تموز", ("2021-07-23", "2021-07-23")),
    ("في الحادي عشر من الشهر الماضي", ("2021-07-11", "2021-07-11")),
    ("في الثاني من الشهر الجاري", ("2021-08-02", "2021-08-02")),
])
def test_a_day_of_the_month_told_as_an_ordinal(text, want):
    from datetime import date

    from geo.extract.dates_ar import find_dates
    [span] = find_dates(text, date(2021, 8, 20))
    assert (span.date_from.isoformat(), span.date_to.isoformat()) == want


def test_a_telegram_claim_ending_its_paragraphs_in_emoji_is_read(extractor):
    text = ("title: بيان\n\n🔴 بيان رقم (3)\n\n"
            "بعون الله، انطلقت طائراتنا المسيرة مساء السبت لتدك وكر الاحتلال الأمريكي في مطار اربيل، حيث أصابت "
            "أهدافها بدقة، وأوقعت خسائر في صفوف الغزاة، وليعلم المحتل أن أوكاره ليست بمنأى عن نيراننا 💥\n")
    assert [(f["properties"]["site_id"], f["properties"]["event_type"]) for f in extract(extractor, text,
                                                                                       "2021-07-04").features] == \
        [("erbil-air-base", "drone_attack")]


def test_his_talk_is_not_the_town_of_haditha(gazetteer):
    assert gazetteer.find_all("وأشار المسؤول في حديثه للصحفيين إلى أن الهجوم كان بطائرة مسيرة") == []
