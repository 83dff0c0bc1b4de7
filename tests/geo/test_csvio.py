import csv
import io

import pytest

from geo.csvio import acled_rows_to_features, to_csv
from geo.errors import InvalidInput
from geo.model import Incident

ACLED = """event_id_cnty,event_date,latitude,longitude,sub_event_type,actor1,actor2,fatalities,location,admin1,country,geo_precision,time_precision,source,notes
IRQ1,08 December 2023,33.299,44.396,Shelling/artillery/missile attack,Unidentified Armed Group (Iraq),Military Forces of the United States,0,Baghdad - Green Zone,Baghdad,Iraq,1,1,Rudaw; The National,Several rockets were launched at the US embassy compound.
IRQ2,2023-12-03,35.47,44.39,Air/drone strike,Military Forces of the United States,Kataib Hezbollah,5,Kirkuk,Kirkuk,Iraq,2,2,Reuters,A drone strike hit a launch crew.
SYR3,2023-11-15,36.9,42.0,Remote explosive/landmine/IED,,,,Rmelan,Al-Hasakah,Syria,1,3,SOHR,
"""
CODES = {"iraq": "IQ", "syria": "SY"}


def test_acled_columns_map_onto_the_model():
    features = list(acled_rows_to_features(ACLED, CODES))
    incidents = [Incident.from_feature(f) for f in features]
    first, second, third = incidents
    assert (first.id, first.date, first.event_type, first.killed, first.country_code) == (
        "IRQ1", "2023-12-08", "rocket_attack", 0, "IQ")
    assert [s.outlet for s in first.sources] == ["Rudaw", "The National"]
    assert (second.event_type, second.date_precision, second.date_from, second.date_to) == (
        "airstrike", "week", "2023-11-30", "2023-12-06")
    assert second.perpetrator == "Military Forces of the United States" and second.geo_precision == 2
    assert (third.event_type, third.date_from, third.date_to, third.killed) == (
        "ied", "2023-11-01", "2023-11-30", None)


@pytest.mark.parametrize("text, message", [
    ("event_date,latitude\n2023-12-08,33\n", "lacks the column"),
    ("event_date,latitude,longitude\nlast Friday,33,44\n", "row 2: event_date"),
    ("event_date,latitude,longitude\n2023-12-08,north,44\n", "row 2: latitude"),
    ("event_date,latitude,longitude,fatalities\n2023-12-08,33,44,many\n", "row 2: fatalities"),
])
def test_bad_acled_rows_name_the_row(text, message):
    with pytest.raises(InvalidInput, match=message):
        list(acled_rows_to_features(text, CODES))


def test_csv_export_escapes_formulas_and_flattens_sources():
    feature = {"type": "Feature", "id": "x", "geometry": {"type": "Point", "coordinates": [44.0, 33.0]},
               "properties": {"date": "2023-12-08", "event_type": "other", "notes": "=HYPERLINK(\"http://x\")",
                              "sources": [{"url": "https://a.example/1", "outlet": "A"},
                                          {"url": "https://b.example/2", "outlet": "B"}]}}
    rows = list(csv.DictReader(io.StringIO(to_csv("incidents", [feature]))))
    assert rows[0]["notes"].startswith("'=")
    assert rows[0]["source_urls"] == "https://a.example/1 | https://b.example/2"
    assert (rows[0]["longitude"], rows[0]["latitude"]) == ("44.0", "33.0")
