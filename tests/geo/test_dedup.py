import copy

from geo.dedup import merge, merge_all, same_event

ANCESTORS = {"us-embassy-baghdad": ("green-zone", "baghdad"), "green-zone": ("baghdad",)}


def ancestors(site_id):
    return ANCESTORS.get(site_id, ())


def incident(site="ain-al-asad", day="2024-01-20", to=None, kind="rocket_attack", lon=42.441, lat=33.786, **props):
    base = {"date": day, "date_from": day, "date_to": to or day, "date_precision": "day" if not to else "days",
            "event_type": kind, "site_id": site, "geo_precision": 1, "killed": None, "injured": None,
            "perpetrator": None, "attribution": "unknown", "status": "reported", "confidence": 0.7,
            "sources": [{"url": f"https://{site}.example/{day}/{kind}", "outlet": "A", "quote": "q"}]}
    base.update(props)
    return {"type": "Feature", "id": f"{day}-{site}-{kind}", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": base}


def test_rockets_and_mortars_are_one_event_and_the_difference_is_kept():
    a = incident(injured=25)
    b = incident(kind="mortar_attack", injured=40, sources=[{"url": "https://b.example/x", "outlet": "B"}])
    assert same_event(a, b)
    merged = merge(a, b)
    props = merged["properties"]
    assert props["event_type"] == "rocket_attack" and props["injured"] == 40
    assert props["disagreements"] == {"event_type": ["rocket_attack", "mortar_attack"], "injured": [25, 40]}
    assert [s["outlet"] for s in props["sources"]] == ["A", "B"]


def test_different_nights_stay_two():
    assert not same_event(incident(day="2024-01-20"), incident(day="2024-01-22"))
    assert len(merge_all([incident(day="2024-01-20"), incident(day="2024-01-22")])) == 2


def test_drone_and_rocket_are_not_the_same_attack():
    assert not same_event(incident(kind="drone_attack"), incident(kind="rocket_attack"))


def test_nested_sites_merge_to_the_more_specific():
    zone = incident(site="green-zone", kind="rocket_attack", lon=44.39, lat=33.306, geo_precision=2)
    embassy = incident(site="us-embassy-baghdad", lon=44.396, lat=33.299)
    assert same_event(zone, embassy, ancestors)
    merged = merge(zone, embassy, ancestors)
    assert merged["properties"]["site_id"] == "us-embassy-baghdad"
    assert merged["geometry"]["coordinates"] == [44.396, 33.299]


def test_vague_span_narrows_to_the_known_day():
    vague = incident(day="2023-12-01", to="2023-12-07", kind="airstrike")
    exact = incident(day="2023-12-03", kind="airstrike")
    merged = merge(vague, exact)
    assert (merged["properties"]["date_from"], merged["properties"]["date_to"],
            merged["properties"]["date_precision"]) == ("2023-12-03", "2023-12-03", "day")


def test_merging_the_same_report_twice_changes_nothing():
    a = incident(killed=2)
    assert merge(a, copy.deepcopy(a)) == a


def test_a_report_that_names_the_means_tells_more_than_one_that_does_not():
    untold = incident(kind="other")
    rockets = incident(kind="rocket_attack", sources=[{"url": "https://b.example/x", "outlet": "B"}])
    props = merge(untold, rockets)["properties"]
    assert props["event_type"] == "rocket_attack"
    assert props["disagreements"]["event_type"] == ["other", "rocket_attack"]  # still shown as told
    assert merge(rockets, untold)["properties"]["event_type"] == "rocket_attack"


def test_a_base_near_a_town_and_the_known_base_outside_it_are_one_event():
    # Tal Baydar lies some 30 km north of Hasakah; one outlet says only "a base near Hasakah"
    base = incident(site="tal-baydar", lon=40.85, lat=36.72)
    near_town = incident(site=None, lon=40.75, lat=36.50, geo_precision=2, location="Hasakah",
                         sources=[{"url": "https://b.example/x", "outlet": "B"}])
    assert same_event(base, near_town)
    [merged] = merge_all([near_town, base])
    assert merged["properties"]["site_id"] == "tal-baydar"


def test_a_town_itself_is_not_a_base_forty_km_away():
    base = incident(site="tal-baydar", lon=40.85, lat=36.72)
    town = incident(site=None, lon=40.75, lat=36.50, geo_precision=1, location="Hasakah")
    assert not same_event(base, town)
