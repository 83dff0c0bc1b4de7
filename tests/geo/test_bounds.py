"""Limits on what one feature may carry (issue 16, findings 2 and 3), checked in the model."""

from __future__ import annotations

import copy
import json

import pytest

from geo import bounds
from geo.errors import ValidationError
from geo.model import validate_feature
from tests.conftest import TEST_DATA


def nested(depth: int, leaf: object = 1) -> object:
    """A value ``depth`` levels of objects deep: nested(2) == {"a": {"a": 1}}."""
    value = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.fixture
def incident() -> dict:
    return copy.deepcopy(json.loads((TEST_DATA / "incidents.geojson").read_text())["features"][0])


@pytest.fixture
def site() -> dict:
    from geo.datadir import read_feature_collection, shipped_data_dir

    return read_feature_collection(shipped_data_dir() / "sites.geojson")[0]


def test_the_deepest_allowed_unknown_property_is_kept(incident):
    incident["properties"]["deep"] = nested(bounds.MAX_DEPTH)
    assert validate_feature("incidents", incident)["properties"]["deep"] == nested(bounds.MAX_DEPTH)


@pytest.mark.parametrize("collection", ["incidents", "sites"])
@pytest.mark.parametrize("value, field, words", [
    (nested(bounds.MAX_DEPTH + 1), "properties.x", "at most 16 levels"),
    ([nested(bounds.MAX_DEPTH)], "properties.x", "at most 16 levels"),
    (nested(250), "properties.x", "at most 16 levels"),  # stored with 201 before, and broke its history
    (nested(1000), "properties.x", "at most 16 levels"),  # deeper than repr() goes
    ({f"k{i}": i for i in range(bounds.MAX_KEYS + 1)}, "properties.x", "at most 1000 unknown property keys"),
    ("x" * (bounds.MAX_BYTES + 1), "properties", "at most 65,536 bytes"),
    ([0.5] * 20_000, "properties", "at most 65,536 bytes"),
    (2**64, "properties.x", "-2**63..2**64-1"),
    ({"a": [1, float("nan")]}, "properties.x", "finite"),
    ({1: "not a string key"}, "properties.x", "keys must be strings"),
    ({"a": {1, 2}}, "properties.x", "set is not a JSON value"),
], ids=["depth-17", "depth-17-in-a-list", "depth-250", "depth-1000", "too-many-keys", "too-many-bytes",
        "long-list", "int-past-64-bits", "nan", "int-key", "set"])
def test_unknown_properties_past_a_limit_are_refused_naming_it(incident, site, collection, value, field, words):
    feature = incident if collection == "incidents" else site
    feature["properties"]["x"] = value
    with pytest.raises(ValidationError) as caught:
        validate_feature(collection, feature)
    assert caught.value.field == field
    assert words in caught.value.description
    assert len(caught.value.description) < 600  # the value is shown shortened, never whole


def test_keys_are_counted_across_properties_and_levels(incident):
    for i in range(10):
        incident["properties"][f"p{i}"] = {f"k{j}": j for j in range(99)}
    validate_feature("incidents", incident)  # 10 + 990 keys: at the limit
    incident["properties"]["p10"] = 1
    with pytest.raises(ValidationError, match="at most 1000 unknown property keys"):
        validate_feature("incidents", incident)


def test_an_incident_has_at_most_500_sources(incident):
    incident["properties"]["sources"] = [{"outlet": f"o{i}"} for i in range(bounds.MAX_SOURCES + 1)]
    with pytest.raises(ValidationError, match="at most 500 per incident"):
        validate_feature("incidents", incident)


@pytest.mark.parametrize("path, value, field", [
    (("id",), "nl-demo\n", "id"),
    (("id",), "nl-demo\r", "id"),
    (("id",), "nl-\tdemo", "id"),
    (("properties", "site_id"), "us-embassy-baghdad\n", "site_id"),
    (("properties", "time_local"), "12:00\n", "time_local"),
    (("properties", "time_local"), "١٢:٠٠", "time_local"),  # Arabic-Indic digits are no HH:MM
    (("properties", "country_code"), "IQ\n", "country_code"),
    (("properties", "date"), "2023-12-08\n", "date"),
    (("properties", "created"), "2023-12-08T10:00:00Z\n", "created"),
    (("properties", "sources"), [{"url": "https://example.org/a\n"}], "sources[0].url"),
], ids=["id-newline", "id-return", "id-tab", "site-id-newline", "time-newline", "time-arabic-digits",
        "country-newline", "date-newline", "created-newline", "url-newline"])
def test_a_value_matched_by_a_pattern_must_match_whole(incident, path, value, field):
    """"$" in a pattern also matches before a final newline: "nl-demo\\n" passed as an id."""
    target = incident
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ValidationError) as caught:
        validate_feature("incidents", incident)
    assert caught.value.field == field


def test_a_token_name_with_a_final_newline_is_refused(tmp_path):
    from geo.errors import InvalidInput
    from geo.tokens import TokenFile

    with pytest.raises(InvalidInput, match="token name"):
        TokenFile(tmp_path / "tokens.json").add("alice\n")
