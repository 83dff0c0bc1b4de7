"""Exports for reports: a self-contained HTML map, and PNG, SVG and PDF drawn on the server."""

import struct

import pytest
from click.testing import CliRunner

from geo.cli import cli


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_png_is_report_sized_and_names_the_filter(client):
    response = client.get("/export/map.png?datetime=2023-12-01/2023-12-31&title=December")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert png_size(response.data) == (1600, 1200)
    assert response.headers["Content-Disposition"] == 'attachment; filename="incidentmap.png"'


def test_png_size_can_be_chosen(client):
    assert png_size(client.get("/export/map.png?width=800&height=600&dpi=100").data) == (800, 600)


@pytest.mark.parametrize("fmt, mimetype, magic", [("svg", "image/svg+xml", b"<?xml"), ("pdf", "application/pdf", b"%PDF")])
def test_vector_formats(client, fmt, mimetype, magic):
    response = client.get(f"/export/map.{fmt}?event_type=airstrike")
    assert response.status_code == 200 and response.mimetype == mimetype and response.data.startswith(magic)


def test_export_holds_every_incident_of_the_filter_and_says_what_was_asked(store):
    from geo.exports import export_data

    data = export_data(store, {"datetime": "2023-12-01/2023-12-31", "event_type": "rocket_attack", "zoom": "7"})
    assert {f["id"] for f in data.incidents} == {"t-embassy-1208"}
    assert data.description == "2023-12-01 – 2023-12-31 · event type: rocket_attack"
    assert len(data.sites) >= 30 and data.counts() == [{"date": "2023-12-08", "count": 1}]


@pytest.mark.parametrize("url, words", [
    ("/export/map.gif", "html, png, svg or pdf"),
    ("/export/map.png?width=ten", "width must be a whole number"),
    ("/export/map.png?width=50000", "200..6000"),
    ("/export/map.png?bbox=1,2,3", "4 or 6 numbers"),
])
def test_bad_export_requests(client, url, words):
    response = client.get(url)
    assert response.status_code == 400 and words in response.json["description"]


def test_html_export_is_self_contained(client):
    html = client.get("/export/map.html?datetime=2023-12-01/2023-12-31").get_data(as_text=True)
    assert '<script src="' not in html and '<link rel="stylesheet" href="' not in html
    assert "t-embassy-1208" in html and "t-tower22-0128" not in html  # only the filter's incidents


@pytest.mark.slow
def test_html_export_opens_from_disk_with_no_network(client, tmp_path):
    from tests.webapp.browser import browser_page, need_browser, screenshot

    need_browser()
    path = tmp_path / "export.html"
    path.write_bytes(client.get("/export/map.html?datetime=2023-10-01/2023-12-31").data)
    expected = client.get("/collections/incidents/items?datetime=2023-10-01/2023-12-31&limit=1").json["numberMatched"]
    with browser_page("file://") as page:
        page.goto(path.as_uri())
        page.wait_for_selector("body[data-ready=true]", state="attached", timeout=30000)
        page.wait_for_function("document.getElementById('im-count').dataset.rendered !== undefined")
        assert int(page.get_attribute("#im-count", "data-rendered")) == expected
        assert page.locator(".leaflet-pane path").count() > 50  # the basemap came inside the file
        screenshot(page, "export-html")
        assert page.console_errors == [] and page.outside_requests == []


@pytest.mark.parametrize("fmt, magic", [("png", b"\x89PNG"), ("pdf", b"%PDF"), ("html", b"<!DOCTYPE html>")])
def test_cli_render(data_dir, tmp_path, fmt, magic):
    out = tmp_path / f"map.{fmt}"
    result = CliRunner().invoke(cli, ["render", "--data", str(data_dir), "--format", fmt, "--datetime",
                                      "2023-12-01/2023-12-31", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(magic)
    assert "incidents)" in result.output
