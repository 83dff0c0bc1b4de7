"""Page cleaning: furniture goes, the article stays."""

import pytest

from geo.extract.clean import clean_page, is_headline, is_ticker

PAGE = """Sunday, 4 June 2023
Floods Hit Coastal Towns Minister Resigns Over Budget Row Markets Slide As Oil Jumps Cup Final Tickets Sell Out In Hours Storm Closes Airport For A Day Parliament Passes Water Law

Mosul, Jun 3: Two mortar rounds fell inside an army camp west of the city on Saturday, a police officer said.

A handout picture shows the gate of the camp. (AP Photo/Some Photographer)

No one was hurt in the shelling, the officer added.

Related Articles
- Drone Strike Kills Commander Near Qaim Crossing
- Rockets Hit Oil Field In Eastern Syria
"""


def test_furniture_is_dropped_and_the_article_kept():
    cleaned = clean_page(PAGE)
    assert "Two mortar rounds fell inside an army camp" in cleaned
    assert "No one was hurt" in cleaned
    for furniture in ("Floods Hit", "AP Photo", "Related Articles", "Drone Strike Kills", "Rockets Hit Oil", "Jun 3"):
        assert furniture not in cleaned


@pytest.mark.parametrize(("line", "want"), [
    ("Rockets Hit Oil Field In Eastern Syria", True),
    ("- Drone Strike Kills Commander Near Qaim Crossing", True),
    ("Two rockets hit the base on Sunday, officials said.", False),
    ("rockets were fired at the base late on Sunday", False),
    ("Iraq", False),
])
def test_headlines_by_their_shape(line, want):
    assert is_headline(line) is want


def test_a_long_paragraph_without_a_sentence_is_a_ticker():
    assert is_ticker("Floods Hit Coastal Towns Minister Resigns Over Budget Row " * 4)
    assert not is_ticker("Two rockets hit the base. " * 10)


@pytest.mark.parametrize("dateline", ["ERBIL, Kurdistan Region – ", "BASRA (Wire) — ", "Kirkuk, Mar 4: ",
                                      "12 Mar 2021; WIRE: "])
def test_datelines_are_cut(dateline):
    cleaned = clean_page(dateline + "A drone hit the airport on Friday.")
    assert cleaned.startswith("A drone hit the airport")


def test_a_model_number_is_no_dateline():
    assert clean_page("US F-16 jets struck a depot.").startswith("US F-16 jets")


def test_a_tweet_keeps_its_words_but_not_its_signature():
    cleaned = clean_page("Rockets hit the camp tonight pic.twitter.com/abc123 — A Reporter (@reporter) June 3, 2023")
    assert "Rockets hit the camp tonight" in cleaned
    assert "June 3" not in cleaned and "@reporter" not in cleaned


def test_an_arabic_headlines_dateline_is_cut():
    page = "دير الزور..سوريا : مقتل خمسة مسلحين في غارات على مواقع قرب الميادين\nنص الخبر هنا."
    assert clean_page(page).startswith("مقتل خمسة مسلحين")


@pytest.mark.parametrize("caption", [
    "Rockets the coalition says were fired at the garrison - 16 Aug 2022 (Coalition press office)",
    "بقايا الصواريخ التي سقطت قرب القاعدة- 16 من آب 2022 (التحالف الدولي)",
])
def test_a_caption_ending_on_its_date_and_credit_is_dropped(caption):
    page = f"Title line\n\n{caption}\n\nThree rockets landed near the garrison on Monday, the coalition said."
    cleaned = clean_page(page)
    assert caption not in cleaned and "Three rockets landed" in cleaned


def test_a_sentence_ending_in_a_bracketed_year_is_kept():
    line = "The base was attacked again on Monday, the third time since the war began (2003)."
    assert line in clean_page(line)


def test_a_dateline_with_its_outlet_in_brackets_is_cut():
    cleaned = clean_page("Al-Qaim (River News) — Four fighters were killed when aircraft struck a post near the crossing.")
    assert cleaned.startswith("Four fighters")
