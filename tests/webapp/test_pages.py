"""The map pages' parameters are checked like the API's (issue 16, finding 4): a NaN, an infinity or a
zoom of 10^20 is a 400 with the JSON error body, never a 500 and never written into the page."""

from __future__ import annotations

import pytest

from tests.webapp.test_hostile_input import is_error_body

PAGES = ["/map", "/embed", "/export/map.html"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("query, words", [
    ("lat=nan&lon=0&zoom=5", ["lat", "finite"]),  # was a 500
    ("lat=inf&lon=1e308&zoom=99999999999999999999", ["lat", "finite"]),  # was a 200 carrying them
    ("lat=30&lon=1e308&zoom=5", ["lon", "-180 to 180"]),
    ("lat=30&lon=44&zoom=99999999999999999999", ["zoom", "0 to 18"]),
    ("lat=30&lon=44&zoom=-1", ["zoom", "0 to 18"]),
    ("lat=30&lon=44&zoom=5.5", ["zoom", "whole number"]),
    ("lat=91&lon=44", ["lat", "-90 to 90"]),
    ("lat=-Infinity&lon=44", ["lat", "finite"]),
    ("lat=%EF%BC%93%EF%BC%90&lon=44", ["lat", "number"]),  # full-width 30
    ("lat=3_0&lon=44", ["lat", "number"]),
    ("lat=north&lon=44", ["lat", "number"]),
    ("layers=rocket_attack,%22%3E%3Cimg%20src=x%3E", ["layers", "unknown layer"]),
    ("bbox=1,2,3", ["bbox", "4 or 6 numbers"]),
    ("datetime=2023-02-29", ["datetime"]),
    ("event_type=rocket_attack&sortby=-date", ["unknown query parameter 'sortby'"]),
    ("colour=red", ["unknown query parameter 'colour'"]),
    ("source=vector", ["source", "features, tiles"]),
])
def test_bad_map_parameters_are_400(client, page, query, words):
    is_error_body(client.get(f"{page}?{query}"), 400, *words)  # JSON: no page is built on them


@pytest.mark.parametrize("query, words", [
    ("width=nan", ["width", "whole number"]),
    ("width=%EF%BC%93%EF%BC%90%EF%BC%90", ["width", "whole number"]),  # full-width 300
    ("dpi=1000", ["dpi", "50..600"]),
    ("lat=nan&lon=0&zoom=5", ["lat", "finite"]),
    ("title=" + "x" * 301, ["title", "300"]),
])
def test_bad_image_export_parameters_are_400(client, query, words):
    is_error_body(client.get(f"/export/map.png?{query}"), 400, *words)


@pytest.mark.parametrize("page", PAGES)
def test_a_good_view_is_drawn(client, page):
    query = "lat=36.2&lon=44.0&zoom=9&layers=rocket_attack,sites&datetime=2023-12-01/2023-12-31&event_type=&q=embassy"
    response = client.get(f"{page}?{query}")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "[36.2, 44.0]" in response.get_data(as_text=True)  # folium's centre, as given


def test_partial_views_keep_the_default_for_the_rest(client):
    html = client.get("/map?zoom=9").get_data(as_text=True)
    assert "[33.3, 42.5]" in html and '"zoom": 9' in html


def test_a_good_image_export_takes_its_size(client):
    response = client.get("/export/map.png?width=300&height=200&dpi=50&lat=33&lon=44&zoom=6&title=t")
    assert response.status_code == 200 and response.mimetype == "image/png"


VECTORGRID = "/static/vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.js"


@pytest.mark.parametrize("setting, query, source", [
    ("features", "", "features"),
    ("tiles", "", "tiles"),
    ("features", "source=tiles", "tiles"),  # the page's URL wins over the setting
    ("tiles", "source=features", "features"),
])
def test_the_map_draws_from_the_source_asked_for(data_dir, setting, query, source):
    from webapp import create_app

    client = create_app({"DATA": str(data_dir), "TESTING": True, "MAP_SOURCE": setting}).test_client()
    html = client.get(f"/map?{query}").get_data(as_text=True)
    assert f'"source": "{source}"' in html
    assert (VECTORGRID in html) == (source == "tiles")  # the plugin loads only where it is used
    if source == "tiles":
        export = client.get(f"/export/map.html?{query}").get_data(as_text=True)
        assert '"source": "features"' in export and "L.VectorGrid.Protobuf = " not in export  # an export carries its data


def test_the_vector_tile_plugin_is_served_with_its_licence(client):
    with client.get(VECTORGRID) as script:
        assert script.status_code == 200 and b"L.VectorGrid.Protobuf = " in script.data
    with client.get("/static/vendor/leaflet.vectorgrid/LICENSE") as licence:
        assert "BEER-WARE" in licence.get_data(as_text=True) and "1.3.0" in licence.get_data(as_text=True)
