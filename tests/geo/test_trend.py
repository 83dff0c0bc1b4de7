"""geo.trend: periods, the auto choice, gaps as zeros, and the cap on the number of periods."""

from datetime import date

import pytest

from geo.errors import InvalidParameterValue
from geo.trend import choose_period, period_start, trend_periods


@pytest.mark.parametrize("day, period, start", [
    (date(2024, 1, 3), "week", date(2024, 1, 1)), (date(2024, 1, 1), "week", date(2024, 1, 1)),
    (date(2024, 1, 7), "week", date(2024, 1, 1)), (date(2024, 2, 29), "month", date(2024, 2, 1)),
    (date(2023, 12, 31), "day", date(2023, 12, 31)),
])
def test_period_start(day, period, start):
    assert period_start(day, period) == start


@pytest.mark.parametrize("first, last, period", [
    (date(2024, 1, 1), date(2024, 1, 1), "day"), (date(2024, 1, 1), date(2024, 3, 31), "day"),
    (date(2024, 1, 1), date(2024, 4, 30), "week"), (date(2021, 1, 1), date(2023, 12, 31), "week"),
    (date(2015, 1, 1), date(2024, 1, 1), "month"),
])
def test_auto_chooses_by_the_range_of_matches(first, last, period):
    assert choose_period(first, last) == period


def test_months_run_across_a_year_end_with_empty_ones_listed():
    rows = [("2023-11-30", "airstrike", 2, 3, None or 0), ("2024-02-02", "airstrike", 1, 0, 4),
            ("2024-02-20", "ied", 1, 1, 0), ("2023-11-01", None, 1, 0, 0)]
    period, periods = trend_periods(rows, "month")
    assert period == "month"
    assert [(p.start.isoformat(), p.end.isoformat(), p.count) for p in periods] == [
        ("2023-11-01", "2023-11-30", 3), ("2023-12-01", "2023-12-31", 0), ("2024-01-01", "2024-01-31", 0),
        ("2024-02-01", "2024-02-29", 2)]
    assert periods[0].by_type == {"airstrike": 2, "unknown": 1} and (periods[-1].killed, periods[-1].injured) == (1, 4)


def test_too_many_periods_is_a_clear_error():
    rows = [("1990-01-01", "ied", 1, 0, 0), ("2024-01-01", "ied", 1, 0, 0)]
    with pytest.raises(InvalidParameterValue, match="more than 2000 days; choose a longer period"):
        trend_periods(rows, "day")
    assert len(trend_periods(rows, "month")[1]) == 34 * 12 + 1


def test_no_matches_is_no_periods():
    assert trend_periods([], "auto") == ("week", [])
