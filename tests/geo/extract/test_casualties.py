"""Casualties as a sentence states them: counts tied to verbs, sums, subsets and zeros."""

import pytest

from geo.extract.casualties import find_casualties, number

CASES = [
    ("An American engineer was killed when shells fell on the camp late Tuesday.", (1, None)),
    ("Three Danish soldiers and one Iraqi interpreter were killed by the blast.", (4, None)),
    ("Four contractors and a medic are dead and a dozen more wounded after the barrage.", (5, 12)),
    ("The salvo killed a Polish trainer and wounded three others and a guard, officials said.", (1, 4)),
    ("Six officers were among the dead, a militia spokesman added.", (None, None)),
    ("Thirty-two fighters were killed in the raid on the depot.", (32, None)),
    ("Officials said no one was injured or killed.", (0, 0)),
    ("An early assessment found there were no injuries.", (None, 0)),
    ("Nobody was hurt, the base said.", (0, 0)),
    ("three drones struck the airport without causing any casualties", (0, 0)),
    ("the barrage ended in at least one death", (1, None)),
    ("A civilian mechanic died of a stroke while taking cover.", (1, None)),
    ("no one was killed in the strike, the colonel said", (0, None)),
    ("killing four soldiers and wounding 9 others", (4, 9)),
    ("A guard was killed and two soldiers and one cook were wounded", (1, 3)),
    ("three marines sustained minor injuries", (None, 3)),
    ("Seven villagers, including two teenagers and a farmer, were killed", (7, None)),
    ("early reports did not show damage, or injuries or casualties", (0, 0)),
    ("The explosion claimed the lives of two guards.", (2, None)),
    ("No coalition troops were injured in the attack", (None, 0)),
    ("killing one driver and wounding two passengers", (1, 2)),
    ("a number of soldiers were wounded", (None, None)),
]


@pytest.mark.parametrize(("text", "want"), CASES)
def test_casualties_as_stated(text, want):
    assert find_casualties(text) == want


@pytest.mark.parametrize(("text", "want"), [("12", 12), ("twelve", 12), ("Twenty-five", 25), ("a dozen", 12),
                                            ("thirty one", 31), ("several", None), ("1234567", None)])
def test_numbers_in_words_and_digits(text, want):
    assert number(text) == want


def test_clock_times_are_not_counts():
    assert find_casualties("A strike at around 12:10 p.m. today killed a commander and one of his aides.") == (2, None)


def test_a_negation_between_the_article_and_the_verb_is_no_count():
    assert find_casualties("an early review found that no one had been killed in the raid") == (0, None)


def test_a_subject_with_a_bracketed_acronym_and_a_gmt_time_is_no_count():
    from geo.extract.casualties import find_casualties
    assert find_casualties("Four fighters of the Popular Mobilisation Units (PMU) were martyred and a dozen "
                           "others wounded") == (4, 12)
    assert find_casualties("The drone hit at 21:40 (1840 GMT), killing one guard") == (1, None)


def test_a_summed_toll_with_a_long_second_subject_and_an_adverb():
    from geo.extract.casualties import find_casualties
    assert find_casualties("Two Americans and a Briton serving with the coalition were lightly injured") == (None, 3)
