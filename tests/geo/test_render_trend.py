"""The trend panel of the PNG/SVG/PDF export (issue 14): incidents per period stacked by type, with
killed and injured, drawn from the same numbers as the API's /collections/incidents/trend."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from geo.cli import cli
from geo.exports import export_data
from geo.render import COLOURS
from geo.render_trend import draw_trend, trend_series

FILTERS = [
    {},
    {"event_type": "airstrike,drone_attack"},
    {"min_killed": "1"},
    {"datetime": "2023-12-01/2024-01-31", "bbox": "38,31,47,37"},
    {"country_code": "IQ", "q": "base"},
]


def drawn(series) -> tuple[list[dict], list[int], list[int]]:
    """What draw_trend put on its axes, read back from the bars: per period the height of each
    colour's bar, and the killed and injured bars."""
    from matplotlib.colors import to_hex
    from matplotlib.figure import Figure

    figure = Figure()
    incidents_ax, tolls_ax = figure.add_subplot(211), figure.add_subplot(212)
    draw_trend(incidents_ax, tolls_ax, series, COLOURS)
    stacks: list[dict] = [{} for _ in series.starts]
    for bar in incidents_ax.patches:
        index = round(bar.get_x() + bar.get_width() / 2)
        if bar.get_height():
            stacks[index][to_hex(bar.get_facecolor()).upper()] = round(bar.get_height())
    tolls = {"killed": [0] * len(series.starts), "injured": [0] * len(series.starts)}
    for container in tolls_ax.containers:
        tolls[container.get_label()] = [round(bar.get_height()) for bar in container]
    return stacks, tolls["killed"], tolls["injured"]


@pytest.mark.parametrize("params", FILTERS)
def test_the_export_draws_the_apis_trend_for_its_filters(client, app, params):
    from webapp.context import store

    api = client.get("/collections/incidents/trend", query_string=params).json
    with app.app_context():
        exported = export_data(store(), params).trend
    assert exported == api
    stacks, killed, injured = drawn(trend_series(exported))
    assert len(stacks) == len(api["periods"]) and api["total"] > 0
    for period, stack in zip(api["periods"], stacks, strict=True):
        assert stack == {COLOURS[t].upper(): n for t, n in period["byType"].items() if n}
    assert killed == [p["killed"] for p in api["periods"]]
    assert injured == [p["injured"] for p in api["periods"]]


def test_the_export_png_has_the_panel_and_an_empty_selection_still_renders(client):
    from io import BytesIO

    from matplotlib.image import imread

    from tests.webapp.browser import ARTIFACTS

    def picture(query: str, name: str):
        response = client.get(f"/export/map.png?width=1000&height=750&dpi=125&{query}")
        assert response.status_code == 200 and response.mimetype == "image/png"
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"{name}.png").write_bytes(response.data)  # looked at: test-artifacts/
        return imread(BytesIO(response.data))

    def panel_colours(image) -> set[str]:
        """The colours (not greys: text, axes) in the band under the map, as #RRGGBB."""
        rgb = (image[int(750 * 0.75):, :, :3] * 255).round().astype(int).reshape(-1, 3)
        return {f"#{r:02X}{g:02X}{b:02X}" for r, g, b in rgb if not r == g == b}

    full = picture("bbox=38,31,47,37&title=Trend", "export-trend")
    empty = picture("datetime=1990-01-01/1990-01-31", "export-trend-empty")
    assert full.shape[:2] == empty.shape[:2] == (750, 1000)
    types = client.get("/collections/incidents/trend?bbox=38,31,47,37").json["eventTypes"]
    assert len(types) >= 3 and {COLOURS[t] for t in types if t != "other"} <= panel_colours(full)
    assert panel_colours(empty) == set()  # no bars: an empty panel that says so


def test_an_empty_series_says_so():
    from matplotlib.figure import Figure

    figure = Figure()
    incidents_ax, tolls_ax = figure.add_subplot(211), figure.add_subplot(212)
    draw_trend(incidents_ax, tolls_ax, trend_series({"period": "week", "periods": []}), COLOURS)
    assert [t.get_text() for t in incidents_ax.texts] == ["No incidents in this selection"]
    assert not incidents_ax.patches and not tolls_ax.patches


@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_vector_exports_carry_the_panel(client, fmt):
    response = client.get(f"/export/map.{fmt}?event_type=airstrike")
    assert response.status_code == 200
    if fmt == "svg":
        assert b"Incidents per" in response.data


@pytest.mark.parametrize("when", ["2023-12-01/2023-12-31", "1990-01-01/1990-01-31"])
def test_cli_render_draws_the_trend(data_dir, tmp_path, when):
    out = tmp_path / "map.png"
    result = CliRunner().invoke(cli, ["render", "--data", str(data_dir), "--datetime", when, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\x89PNG")
