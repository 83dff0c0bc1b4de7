"""Our folium elements render what they should, from the app's own URLs, and escape what they carry."""

import re

from webapp.maps import EVENT_COLOURS, MapOptions, render_page, script_json


def test_page_uses_only_the_apps_own_assets():
    html = render_page(MapOptions())
    urls = re.findall(r'(?:src|href)="([^"#]+)"', html)
    assert urls and all(u.startswith(("/vendor/", "/static/")) for u in urls), urls
    for cdn in ("cdn.jsdelivr", "cdnjs", "code.jquery", "netdna", "bootstrapcdn", "unpkg"):
        assert cdn not in html


def test_panel_legend_and_config_are_rendered():
    html = render_page(MapOptions(mode="page", tiles="http://127.0.0.1:8080/{z}/{x}/{y}.png",
                                  tiles_attribution="local tiles"))
    assert 'id="im-histogram"' in html and 'data-preset="30"' in html and 'id="im-embed"' in html
    for colour in EVENT_COLOURS.values():
        assert colour in html
    assert "window.INCIDENTMAP" in html and "local tiles" in html


def test_embed_has_no_page_chrome():
    html = render_page(MapOptions(mode="embed"))
    assert 'class="im-title"' not in html and 'id="im-embed"' not in html and "im-compact" in html


def test_state_from_the_url_cannot_break_out_of_the_script():
    hostile = '</script><script>alert(1)</script>'
    html = render_page(MapOptions(state={"datetime": hostile, "q": "\u2028`${x}`"}))
    assert hostile not in html
    assert "\\u003c/script\\u003e" in html
    assert script_json({"a": "</script>"}) == '{"a": "\\u003c/script\\u003e"}'


def test_view_comes_from_the_state():
    html = render_page(MapOptions(state={"lat": "36.2", "lon": "44.0", "zoom": "9"}))
    assert "[36.2, 44.0]" in html and '"zoom": 9' in html


def test_the_page_may_be_zoomed_and_the_map_is_a_landmark():
    html = render_page(MapOptions())
    viewports = re.findall(r'<meta name="viewport" content="([^"]*)"', html)
    assert viewports == ["width=device-width, initial-scale=1.0"]  # no user-scalable=no, no maximum-scale
    assert re.search(r'<div class="folium-map" role="region" aria-label="Map" id="map_\w+"', html)
