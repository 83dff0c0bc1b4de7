"""Alert rules: which incidents a rule matches, and how its --near is read."""

from __future__ import annotations

import pytest

from geo.errors import InvalidInput
from geo.live.alerts import AlertRule, Near, distance_km, parse_near, sign, verify


def feature(lon=44.396, lat=33.299, **props) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"event_type": "rocket_attack", "site_id": "us-embassy-baghdad", "killed": 2, **props}}


@pytest.mark.parametrize("rule, incident, matches", [
    (AlertRule("1"), feature(), True),
    (AlertRule("1", sites=["us-embassy-baghdad", "erbil-air-base"]), feature(), True),
    (AlertRule("1", sites=["erbil-air-base"]), feature(), False),
    (AlertRule("1", types=["rocket_attack"]), feature(), True),
    (AlertRule("1", types=["ied"]), feature(), False),
    (AlertRule("1", min_killed=2), feature(), True),
    (AlertRule("1", min_killed=3), feature(), False),
    (AlertRule("1", min_killed=0), feature(killed=None), False),  # not reported is not zero
    (AlertRule("1", near=Near(44.39, 33.30, 5)), feature(), True),
    (AlertRule("1", near=Near(44.0, 36.19, 5)), feature(), False),  # Erbil, ~330 km away
    (AlertRule("1", near=Near(44.0, 36.19, 400)), feature(), True),
    (AlertRule("1", types=["rocket_attack"], sites=["erbil-air-base"]), feature(), False),  # every filter holds
])
def test_a_rule_matches_when_every_filter_holds(rule, incident, matches):
    assert rule.matches(incident) is matches


def test_distance_is_great_circle():
    baghdad, erbil = (44.366, 33.315), (44.009, 36.191)
    assert 315 < distance_km(baghdad, erbil) < 325
    assert distance_km((179.9, 0), (-179.9, 0)) < 23  # across the antimeridian


@pytest.mark.parametrize("text, message", [
    ("44,33", "three numbers"),
    ("a,b,c", "three numbers"),
    ("200,33,5", "longitude must be within -180..180"),
    ("33.3,144.4,10", "latitude must be within -90..90"),
    ("44,33,-1", "more than 0"),
    ("44,33,inf", "finite"),
])
def test_bad_near_is_refused_naming_the_problem(text, message):
    with pytest.raises(InvalidInput, match=message):
        parse_near(text)


def test_signature_is_hmac_sha256_of_the_body():
    import hashlib
    import hmac

    body = b'{"type":"Feature"}'
    assert sign("s3cret", body) == "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert verify("s3cret", body, sign("s3cret", body)) and not verify("other", body, sign("s3cret", body))
