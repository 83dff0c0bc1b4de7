"""The map's filters (issue 14): controls for type, perpetrator, site, country, status, casualties and
words; each in the URL, passed to the API under its own name, and the list's count is the API's
numberMatched for the same query."""

import urllib.parse

import pytest

from tests.webapp.analyst_map import list_query, matched, open_map, wait_for_list
from tests.webapp.browser import browser_page, screenshot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(analyst_base):
    return analyst_base  # read only: one server for the modules that read the analyst's data


def url_params(page) -> dict:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlparse(page.url).query))


def count_of_list(page) -> int:
    return int(page.get_attribute("#im-list-heading", "data-matched"))


def set_filter(page, name: str, value: str) -> None:
    before = page.evaluate("document.body.dataset.listed")
    control = page.locator(f"#im-filter-form [name={name}]")
    if control.evaluate("n => n.tagName") == "SELECT":
        control.select_option(value)
    else:
        control.fill(value)
        control.press("Enter")  # the change event: applied at once, without waiting for a pause in typing
    wait_for_list(page, before)


@pytest.mark.parametrize(("name", "value", "expect_in_list"), [
    ("event_type", "airstrike", "t-qaim-0202"),
    ("perpetrator", "example brig", "t14-multi"),
    ("site_id", "ain-al-asad", "t14-multi"),
    ("country_code", "SY", "t-rmelan-nov"),
    ("status", "verified", "t-tower22-0128"),
    ("q", "rockets struck", "t14-multi"),  # words of a source's evidence sentence
    ("min_killed", "3", "t14-multi"),
    ("min_injured", "2", "t-erbil-0101"),
])
def test_each_filter_is_in_the_url_the_api_and_the_count(server, name, value, expect_in_list):
    with browser_page(server) as page:
        open_map(page, f"{server}/map")
        page.click("#im-filters summary")
        every = count_of_list(page)
        set_filter(page, name, value)
        assert url_params(page)[name] == value
        query = list_query(page)
        assert query[name] == value  # the API's own parameter name
        expected = matched(server, **{k: v for k, v in query.items() if k != "limit"})
        assert count_of_list(page) == expected < every
        ids = page.eval_on_selector_all("#im-list button", "ns => ns.map(n => n.dataset.id)")
        assert expect_in_list in ids and len(ids) == expected
        # the map draws the same incidents
        page.wait_for_function(f"document.getElementById('im-count').dataset.matched == '{expected}'")
        assert page.console_errors == []


def test_a_shared_link_shows_the_same_filtered_map(server):
    url = f"{server}/map?status=verified&country_code=IQ&q=base&event_type=rocket_attack"
    with browser_page(server) as page:
        open_map(page, url)
        form = "#im-filter-form"
        assert page.input_value(f"{form} [name=status]") == "verified"
        assert page.input_value(f"{form} [name=country_code]") == "IQ"
        assert page.input_value(f"{form} [name=q]") == "base"
        assert page.input_value(f"{form} [name=event_type]") == "rocket_attack"
        assert page.locator("#im-filters[open]").count() == 1  # the filters in use are in sight
        query = list_query(page)
        expected = matched(server, **{k: v for k, v in query.items() if k != "limit"})
        assert count_of_list(page) == expected >= 1
        assert page.get_by_role("search", name="Filter incidents").is_visible()
        screenshot(page, "map-filtered")
        # the downloads give the same filter
        assert "status=verified" in page.get_attribute("#im-geojson", "href")


def test_clearing_the_filters_shows_everything_again(server):
    with browser_page(server) as page:
        open_map(page, f"{server}/map?status=rejected")
        assert count_of_list(page) == 1
        before = page.evaluate("document.body.dataset.listed")
        page.click("#im-filter-clear")
        wait_for_list(page, before)
        assert "status" not in url_params(page)
        query = list_query(page)
        assert count_of_list(page) == matched(server, bbox=query["bbox"], datetime=query["datetime"]) > 1


def test_the_site_and_country_choices_come_from_the_known_sites(server):
    with browser_page(server) as page:
        open_map(page, f"{server}/map")
        sites = page.eval_on_selector_all("#im-filter-form [name=site_id] option", "os => os.map(o => o.value)")
        assert "ain-al-asad" in sites and "tower-22" in sites
        countries = page.eval_on_selector_all("#im-filter-form [name=country_code] option", "os => os.map(o => o.value)")
        assert {"IQ", "SY", "JO"} <= set(countries)


def test_the_timeline_follows_the_filters(server):
    with browser_page(server) as page:
        requests = []
        page.on("request", lambda r: requests.append(r.url) if "/counts?" in r.url or "period=day" in r.url else None)
        open_map(page, f"{server}/map")
        page.click("#im-filters summary")
        requests.clear()
        loaded = page.get_attribute("#im-histogram", "data-counts")
        set_filter(page, "status", "verified")
        page.wait_for_function(f"document.getElementById('im-histogram').dataset.counts !== {loaded!r}")
        # one trend request per day by type (not one /counts request per type), with the filter
        assert len(requests) == 1 and "/trend?" in requests[0] and "status=verified" in requests[0]
        drawn = page.evaluate("window.incidentmap.counts")
        assert sum(n for types in drawn.values() for n in types.values()) == \
            matched(server, status="verified", filter="date_precision = 'day'")
