import pytest

from geo.errors import InvalidParameterValue
from geo.timespan import parse_datetime_param

DAY = 86_400
DEC8 = 1_701_993_600  # 2023-12-08T00:00:00Z


@pytest.mark.parametrize("text, expected", [
    ("2023-12-08", (DEC8, DEC8 + DAY - 1)),
    ("2023-12-08T00:00:00Z", (DEC8, DEC8)),
    ("2023-12-08T03:00:00+03:00", (DEC8, DEC8)),
    ("2023-12-08t00:00:00z", (DEC8, DEC8)),
    ("2023-12-08T00:00:00.75Z", (DEC8, DEC8)),
    ("2023-12-08/2023-12-09", (DEC8, DEC8 + 2 * DAY - 1)),
    ("../2023-12-08", (None, DEC8 + DAY - 1)),
    ("2023-12-08T00:00:00Z/..", (DEC8, None)),
    ("/2023-12-08T00:00:00Z", (None, DEC8)),
    ("2024-02-29", (DEC8 + 83 * DAY, DEC8 + 84 * DAY - 1)),
])
def test_datetime_forms(text, expected):
    assert parse_datetime_param(text) == expected


@pytest.mark.parametrize("text, message", [
    ("yesterday", "RFC 3339"),
    ("2023-02-30", "RFC 3339"),
    ("2023-12-08/2023-12-01", "ends before it starts"),
    ("../..", "no bound"),
    ("..", "names no time"),
    ("2023-12-01/2023-12-02/2023-12-03", "more than one"),
    ("", "empty"),
    ("20231208", "RFC 3339"),
])
def test_bad_datetimes(text, message):
    with pytest.raises(InvalidParameterValue, match=message):
        parse_datetime_param(text)
