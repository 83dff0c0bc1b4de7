"""The review page in a real browser: propose, correct, accept, and hostile text stays text."""

import json
import urllib.request

import pytest

from tests.webapp.browser import browser_page, need_browser, screenshot
from tests.webapp.live_server import running_server

pytestmark = pytest.mark.slow
TOKEN = "review-token"
REPORT = ("Two rockets struck Ain al-Asad air base in Anbar late on Wednesday, injuring three US service members, "
          "officials said. Kataib Hezbollah claimed the attack in a statement.\n\n"
          "Separately, a drone was shot down near Erbil airport early on Thursday; nobody was hurt.")
HOSTILE = ('Rockets hit Harir air base on Friday. <script>alert("x")</script> <img src=x onerror="alert(1)"> '
           'The group `Kata\'ib "Hezbollah"` claimed it.')


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    need_browser()
    from geo.datadir import init_data_dir

    folder = tmp_path_factory.mktemp("review") / "data"
    init_data_dir(folder, empty=True)
    with running_server(folder, env={"INCIDENTMAP_TOKEN": TOKEN}) as base:
        yield base


def propose(page, base, text, published="2024-01-05"):
    page.goto(f"{base}/review")
    page.fill("#report-text", text)
    page.fill("#report-published", published)
    page.click("#extract-button")
    page.wait_for_selector("form.incident")


def test_propose_correct_and_accept(server):
    with browser_page(server) as page:
        propose(page, server, REPORT)
        forms = page.locator("form.incident")
        assert forms.count() == 2
        assert page.locator("#report-view mark").count() >= 2
        assert page.locator(".leaflet-interactive").count() == 2  # one marker per proposal
        first = forms.nth(0)
        assert first.locator("input[name=site_id]").input_value() == "ain-al-asad"
        assert first.locator("input[name=date_from]").input_value() == "2024-01-03"
        first.locator("input[name=injured]").fill("4")
        page.fill("#token", TOKEN)
        first.locator("button.accept").click()
        page.wait_for_function("document.querySelector('form.incident .result').textContent.includes('stored')")
        fid = first.get_attribute("data-id")
        screenshot(page, "review-page")
        assert page.console_errors == [] and page.outside_requests == []
    with urllib.request.urlopen(f"{server}/collections/incidents/items/{fid}") as response:
        stored = json.loads(response.read())["properties"]
    assert (stored["status"], stored["injured"], stored["site_id"]) == ("verified", 4, "ain-al-asad")


def test_wrong_token_shows_the_api_error(server):
    with browser_page(server) as page:
        propose(page, server, REPORT)
        page.fill("#token", "wrong")
        page.locator("form.incident button.reject").first.click()
        page.wait_for_function("document.querySelector('form.incident .result').textContent.startsWith('401')")


def test_hostile_report_text_shows_as_text(server):
    with browser_page(server) as page:
        propose(page, server, HOSTILE)
        view = page.locator("#report-view")
        assert '<script>alert("x")</script>' in view.inner_text()
        assert page.locator("#report-view script, #report-view img").count() == 0
        assert page.dialogs == [] and page.console_errors == []


def test_open_a_stored_incident_and_reject_it(server):
    feature = {"type": "Feature", "id": "stored-for-review",
               "geometry": {"type": "Point", "coordinates": [38.704, 33.316]},
               "properties": {"date": "2024-01-28", "event_type": "drone_attack", "site_id": "tower-22",
                              "site_name": "Tower 22", "killed": 3,
                              "sources": [{"url": "https://wire.example/t22", "outlet": "Wire",
                                           "quote": "A drone struck Tower 22."}]}}
    request = urllib.request.Request(f"{server}/collections/incidents/items", data=json.dumps(feature).encode(),
                                     method="POST", headers={"Content-Type": "application/geo+json",
                                                             "Authorization": f"Bearer {TOKEN}"})
    urllib.request.urlopen(request).read()
    with browser_page(server) as page:
        page.goto(f"{server}/review?id=stored-for-review")
        page.wait_for_selector("form.incident")
        form = page.locator("form.incident")
        assert form.locator("input[name=site_id]").input_value() == "tower-22"
        assert form.locator("input[name=killed]").input_value() == "3"
        assert "A drone struck Tower 22." in page.locator("#report-view mark").inner_text()
        page.fill("#token", TOKEN)
        form.locator("button.reject").click()
        page.wait_for_function("document.querySelector('form.incident .result').textContent.includes('stored')")
        assert page.console_errors == [] and page.outside_requests == []
    with urllib.request.urlopen(f"{server}/collections/incidents/items/stored-for-review") as response:
        assert json.loads(response.read())["properties"]["status"] == "rejected"
