from datetime import date

import pytest

from geo.dates import find_dates, find_publication_date, find_time

FRIDAY = date(2023, 12, 8)
TODAY = date(2026, 11, 21)


@pytest.mark.parametrize("text, date_from, date_to, precision", [
    ("rockets struck on Friday", "2023-12-08", "2023-12-08", "day"),
    ("late on Wednesday", "2023-12-06", "2023-12-06", "day"),
    ("early Thursday", "2023-12-07", "2023-12-07", "day"),
    ("last Friday", "2023-12-01", "2023-12-01", "day"),
    ("shortly after midnight on Saturday", "2023-12-02", "2023-12-02", "day"),
    ("yesterday", "2023-12-07", "2023-12-07", "day"),
    # the night that ended on the publication day; the extractor spans it, or moves an evening clock time back
    ("at 11:30 PM last night", "2023-12-08", "2023-12-08", "day"),
    ("overnight", "2023-12-08", "2023-12-08", "day"),
    ("this morning", "2023-12-08", "2023-12-08", "day"),
    ("on December 3", "2023-12-03", "2023-12-03", "day"),
    ("on 3 December", "2023-12-03", "2023-12-03", "day"),
    ("Dec. 3", "2023-12-03", "2023-12-03", "day"),
    ("on December 20", "2022-12-20", "2022-12-20", "day"),  # not after publication: last year
    ("on January 20, 2024", "2024-01-20", "2024-01-20", "day"),
    ("2023-11-20", "2023-11-20", "2023-11-20", "day"),
    ("three days ago", "2023-12-05", "2023-12-05", "day"),
    ("days earlier", "2023-12-01", "2023-12-07", "days"),
    ("earlier this week", "2023-12-04", "2023-12-08", "week"),
    ("earlier this month", "2023-12-01", "2023-12-08", "month"),
    ("last month", "2023-11-01", "2023-11-30", "month"),
    ("in November", "2023-11-01", "2023-11-30", "month"),
    ("in February 2024", "2024-02-01", "2024-02-29", "month"),
])
def test_expressions_resolve_against_publication(text, date_from, date_to, precision):
    spans = [s for s in find_dates(text, FRIDAY) if s.known]
    assert len(spans) == 1, spans
    assert (str(spans[0].date_from), str(spans[0].date_to), spans[0].precision) == (date_from, date_to, precision)


@pytest.mark.parametrize("text", ["on Friday", "yesterday", "days earlier", "on December 3", "in November"])
def test_without_publication_date_nothing_precise_is_invented(text):
    assert not any(s.known and s.precision == "day" for s in find_dates(text, None, TODAY))


def test_absolute_date_with_year_needs_no_publication_date():
    assert [str(s.date_from) for s in find_dates("on January 20, 2024", None)] == ["2024-01-20"]


def test_weekday_pins_the_year_when_nothing_else_does():
    span = find_dates("Friday, December 8", None, TODAY)[0]
    assert str(span.date_from) == "2023-12-08" and span.relative


@pytest.mark.parametrize("text, expected", [
    ("at 4:15 am", "04:15"), ("around 11:30 PM", "23:30"), ("at 9 p.m.", "21:00"),
    ("at 12:10 a.m.", "00:10"), ("at 23:40 local time", "23:40"), ("at midnight", "00:00"),
    ("shortly after midnight", None), ("shortly after midnight, at 12:20 a.m.", "00:20"),
    ("at 4 p.m. Eastern", None),
    ("killed 5 people", None), ("in 2023", None),
])
def test_times(text, expected):
    assert find_time(text) == expected


@pytest.mark.parametrize("text, expected, certain", [
    ("Body text.\nUpdated: December 14, 2023\n", "2023-12-14", True),
    ("Published 12 January 2024\nBody.", "2024-01-12", True),
    ("By A. Writer\nJanuary 12, 2024\nBody.", "2024-01-12", True),
    ("ERBIL, Dec 9 (Agency) - Drones struck after a tense 2023.", "2023-12-09", False),
    ("ERBIL\nFriday, December 8\nBody.", "2023-12-08", False),
    ("Rockets struck a base on Friday.", None, False),
])
def test_publication_date_from_text(text, expected, certain):
    found = find_publication_date(text, TODAY)
    assert (str(found.day) if found.day else None, found.certain) == (expected, certain)
    assert found.how


def test_numeric_dates_are_read_day_first_as_the_regions_outlets_write_them():
    from geo.dates import find_dates, find_publication_date
    assert [(s.date_from.isoformat()) for s in find_dates("on 17.09.2022 and 5/3/2021", None)] == \
        ["2022-09-17", "2021-03-05"]
    assert [s.date_from.isoformat() for s in find_dates("on 2/19/2022", None)] == ["2022-02-19"]  # 19 is no month
    assert find_dates("release 1.2.3 and 31/2/2022", None) == []
    assert find_publication_date("ANKARA, 17.09.2022 - Rockets hit a base").day.isoformat() == "2022-09-17"


def test_last_weekend_is_the_saturday_and_sunday_before():
    from datetime import date

    from geo.dates import find_dates
    [span] = find_dates("two rockets landed last weekend", date(2023, 5, 17))  # a Wednesday
    assert (span.date_from.isoformat(), span.date_to.isoformat()) == ("2023-05-13", "2023-05-14")


def test_a_night_told_by_its_two_days_of_the_month():
    from datetime import date

    from geo.dates import find_dates
    for text in ("on the night of 5-6 June", "the night of June 5 to 6"):
        [span] = find_dates(text, date(2022, 6, 7))
        assert (span.date_from.isoformat(), span.date_to.isoformat()) == ("2022-06-05", "2022-06-06"), text
