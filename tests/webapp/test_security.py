"""The Content-Security-Policy helpers and headers, without a browser (tests/webapp/test_xss_browser.py
has the browser)."""

from __future__ import annotations

import pytest

from webapp import create_app
from webapp.security import inline_script_hashes, meta_policy, tile_source


@pytest.mark.parametrize("template, source", [
    ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
    ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
    ("http://127.0.0.1:8080/{z}/{x}/{y}.png", "http://127.0.0.1:8080"),
    ("https://a.example/x;script-src 'unsafe-inline'/{z}", "https://a.example"),
    ("/tiles/{z}/{x}/{y}.png", None),  # the app's own: 'self'
    ("none", None),
    (None, None),
])
def test_tile_source(template, source):
    assert tile_source(template) == source


def test_inline_script_hashes_skip_scripts_with_src():
    html = '<script src="/a.js"></script><script>alert(1)</script><script type="x">alert(1)</script>'
    assert inline_script_hashes(html) == ["'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"]


def test_meta_policy_comes_first_in_head():
    html = meta_policy("<html><head><title>t</title><script>x()</script></head></html>")
    assert html.startswith('<html><head><meta http-equiv="Content-Security-Policy" content="default-src \'none\'')


def test_map_page_allows_the_tile_host_and_its_own_inline_scripts(data_dir):
    client = create_app({"DATA": str(data_dir), "TILES": "https://{s}.tiles.example/{z}/{x}/{y}.png",
                         "FRAME_ANCESTORS": "https://news.example"}).test_client()
    page = client.get("/map")
    csp = page.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tiles.example" in csp
    hashes = inline_script_hashes(page.get_data(as_text=True))
    assert len(hashes) == 2 and f"script-src 'self' {' '.join(hashes)};" in csp
    assert "frame-ancestors 'self'" in csp
    assert "frame-ancestors https://news.example" in client.get("/embed").headers["Content-Security-Policy"]


def test_json_answers_carry_nosniff_and_no_policy(client):
    response = client.get("/collections")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in response.headers


@pytest.mark.parametrize("title", ["$x^$", "$\\frac{$", "a $b$ c", "</title><script>alert(1)</script>"])
def test_export_titles_are_text(client, title):
    picture = client.get("/export/map.png", query_string={"title": title, "width": 300, "height": 200, "dpi": 50})
    assert picture.status_code == 200 and picture.mimetype == "image/png"
    page = client.get("/export/map.html", query_string={"title": title}).get_data(as_text=True)
    assert "<script>alert(1)" not in page


# ---- headers on every answer (issue 16, finding 9) ----------------------------------------------

@pytest.mark.parametrize("path", ["/map", "/review", "/collections?f=html", "/collections",
                                  "/collections/incidents/items?f=csv", "/static/map/core.js", "/no-such-path",
                                  "/export/map.html", "/collections/incidents/items/t-embassy-1208/history?f=html"])
def test_every_answer_carries_the_security_headers(client, path):
    response = client.get(path)
    response.close()  # a static file's answer holds the file open
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["Permissions-Policy"] and "geolocation=()" in headers["Permissions-Policy"]
    assert headers["X-Frame-Options"] == "SAMEORIGIN"


def test_the_embed_stays_embeddable(data_dir):
    client = create_app({"DATA": str(data_dir), "FRAME_ANCESTORS": "https://news.example"}).test_client()
    headers = client.get("/embed").headers
    assert "X-Frame-Options" not in headers  # it knows no list of origins: frame-ancestors says who may
    assert "frame-ancestors https://news.example" in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin" and "Permissions-Policy" in headers


@pytest.mark.parametrize("url", [
    "/collections/incidents/items/t-embassy-1208/history/%EF%BC%91/restore",  # full-width 1
    "/collections/incidents/items/t-embassy-1208/history/%D9%A1/restore",  # Arabic-Indic 1
])
def test_path_numbers_take_ascii_digits_only(client, auth, url):
    response = client.post(url, headers=auth)
    assert response.status_code == 404 and response.get_json()["code"] == "NotFound"


@pytest.mark.parametrize("url", ["/collections/incidents/history?limit=%EF%BC%91",
                                 "/collections/incidents/history?after=1_0",
                                 "/collections/incidents/aggregate?zoom=%EF%BC%95",
                                 "/collections/incidents/aggregate?size=%EF%BC%91"])
def test_query_numbers_take_ascii_digits_only(client, url):
    response = client.get(url)
    assert response.status_code == 400 and response.get_json()["code"] == "InvalidParameterValue"
