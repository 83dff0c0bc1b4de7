import pytest

from geo.errors import InvalidParameterValue
from geo.mapview import map_view, parse_map_params


def test_a_checked_state_keeps_what_was_given_without_empty_values():
    params = {"lat": "36.2", "lon": "44", "zoom": "9", "layers": "airstrike,heat,", "q": "", "datetime": "2023-12-08"}
    state = parse_map_params(params)
    assert state == {"lat": "36.2", "lon": "44", "zoom": "9", "layers": "airstrike,heat,", "datetime": "2023-12-08"}
    assert map_view(state, (33.3, 42.5, 6)) == (36.2, 44.0, 9)


@pytest.mark.parametrize("params, words", [
    ({"lat": "nan"}, "lat must be a finite number"),
    ({"lon": "inf"}, "lon must be a finite number"),
    ({"lon": "180.5"}, "-180 to 180"),
    ({"zoom": "19"}, "zoom must be from 0 to 18"),
    ({"zoom": "1" * 5000}, "zoom must be a whole number"),
    ({"layers": "sites,mortars"}, "unknown layer 'mortars'"),
    ({"title": "x"}, "unknown query parameter 'title'"),  # only an export takes a title
    ({"width": "300"}, "unknown query parameter 'width'"),
    ({"status": "maybe,"}, None),  # an exact filter takes any value, as the API's does
])
def test_bad_parameters_name_themselves(params, words):
    if words is None:
        assert parse_map_params(params) == params
        return
    with pytest.raises(InvalidParameterValue, match=words):
        parse_map_params(params)


def test_extra_parameters_are_checked_when_taken():
    assert parse_map_params({"title": "t", "width": "300"}, extra=("title", "width")) == {"title": "t", "width": "300"}
    with pytest.raises(InvalidParameterValue, match="width must be 200..6000 pixels"):
        parse_map_params({"width": "100"}, extra=("width",))
