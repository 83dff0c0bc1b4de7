"""The review page in a real browser: propose, correct, accept, and hostile text stays text."""

import json
import urllib.request

import pytest

from tests.conftest import grant_token
from tests.webapp.browser import browser_page, need_browser, screenshot
from tests.webapp.live_server import running_server

pytestmark = pytest.mark.slow
TOKEN = "review-token"
REPORT = ("Two rockets struck Ain al-Asad air base in Anbar late on Wednesday, injuring three US service members, "
          "officials said. Kataib Hezbollah claimed the attack in a statement.\n\n"
          "Separately, a drone was shot down near Erbil airport on Thursday; nobody was hurt.")
HOSTILE = ('Rockets hit Harir air base on Friday. <script>alert("x")</script> <img src=x onerror="alert(1)"> '
           'The group `Kata\'ib "Hezbollah"` claimed it.')


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    need_browser()
    from geo.datadir import init_data_dir

    folder = tmp_path_factory.mktemp("review") / "data"
    init_data_dir(folder, empty=True)
    grant_token(folder, TOKEN, "reviewer")
    with running_server(folder, extractor=True) as base:  # the page extracts reports
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


def test_a_deleted_incident_is_restored_from_its_history_page(server):
    hostile = "<img src=x onerror=window.__pwned=1> `backtick` \"quoted\""
    body = json.dumps({"type": "Feature", "id": "history-page-1",
                       "geometry": {"type": "Point", "coordinates": [44.39, 33.30]},
                       "properties": {"date": "2024-01-07", "event_type": "rocket_attack", "notes": hostile}}).encode()
    headers = {"Content-Type": "application/geo+json", "Authorization": f"Bearer {TOKEN}"}
    url = f"{server}/collections/incidents/items/history-page-1"
    urllib.request.urlopen(urllib.request.Request(f"{server}/collections/incidents/items", data=body,
                                                  headers=headers, method="POST")).read()
    urllib.request.urlopen(urllib.request.Request(url, headers=headers, method="DELETE")).read()
    with browser_page(server) as page:
        page.goto(f"{url}/history?f=html")
        assert "Deleted." in page.inner_text("main")
        rows = page.locator("table tr:has(button.restore)")
        assert rows.count() == 2 and "reviewer" in rows.nth(0).inner_text()
        rows.nth(0).locator("button.restore").click()  # without a token: told, nothing sent
        assert "token" in page.inner_text("#restore-status")
        page.fill("#token", "wrong")
        rows.nth(0).locator("button.restore").click()
        page.wait_for_function("document.querySelector('#restore-status').textContent.includes('Not restored')")
        page.fill("#token", TOKEN)
        with page.expect_navigation():
            rows.nth(0).locator("button.restore").click()
        assert "Deleted." not in page.inner_text("main")
        assert page.locator("table tr:has(button.restore)").count() == 3
        assert "restored from change" in page.inner_text("main")
        assert page.evaluate("window.__pwned") is None
        screenshot(page, "history-page")
        unexpected = [e for e in page.console_errors if "401" not in e]  # the wrong token's answer
        assert unexpected == [] and page.outside_requests == []
    with urllib.request.urlopen(url) as response:
        assert json.loads(response.read())["properties"]["notes"] == hostile


ARABIC_REPORT = ("سقطت ثلاثة صواريخ كاتيوشا على قاعدة عين الأسد الجوية غربي الأنبار فجر اليوم الأربعاء، "
                 "دون وقوع إصابات، بحسب مصدر أمني.")


def test_an_arabic_report_reads_right_to_left(server):
    with browser_page(server) as page:
        propose(page, server, ARABIC_REPORT, published="2024-01-03")
        view = page.locator("#report-view")
        assert view.evaluate("e => getComputedStyle(e).direction") == "rtl"
        assert "عين الأسد" in view.inner_text()  # as typed, not mojibake
        form = page.locator("form.incident").first
        assert form.locator("input[name=site_id]").input_value() == "ain-al-asad"
        assert form.locator("input[name=notes]").evaluate("e => e.dir") == "auto"
        screenshot(page, "review-page-arabic")
        assert page.console_errors == []


def post(server, feature):
    request = urllib.request.Request(f"{server}/collections/incidents/items", data=json.dumps(feature).encode(),
                                     method="POST", headers={"Content-Type": "application/geo+json",
                                                             "Authorization": f"Bearer {TOKEN}"})
    urllib.request.urlopen(request).read()


def test_incidents_stored_as_reported_wait_in_the_queue_until_reviewed(server):
    for fid, day in (("queued-older", "2024-02-01"), ("queued-newer", "2024-02-03")):
        post(server, {"type": "Feature", "id": fid, "geometry": {"type": "Point", "coordinates": [42.441, 33.786]},
                      "properties": {"date": day, "event_type": "rocket_attack", "site_id": "ain-al-asad",
                                     "site_name": "Ain al-Asad Air Base", "status": "reported",
                                     "sources": [{"url": f"https://wire.example/{fid}", "outlet": "Wire",
                                                  "quote": "Rockets fell on the base."}]}})
    with urllib.request.urlopen(f"{server}/collections/incidents/items?status=reported&limit=1") as response:
        waiting = json.loads(response.read())["numberMatched"]
    with browser_page(server) as page:
        page.goto(f"{server}/review")
        queue = page.get_by_role("list", name="Incidents awaiting review")
        page.wait_for_selector("#queue .queue-item")
        assert page.locator("#queue-count").inner_text() == f"({waiting})"
        ids = [b.get_attribute("data-id") for b in page.locator("#queue .queue-item").all()]
        assert ids.index("queued-newer") < ids.index("queued-older")  # newest first
        queue.locator("[data-id=queued-newer]").click()
        page.wait_for_selector("form.incident[data-id=queued-newer]")
        page.fill("#token", TOKEN)
        page.locator("form.incident button.accept").click()
        page.wait_for_function("document.querySelector('form.incident .result').textContent.includes('stored')")
        assert page.locator("#queue [data-id=queued-newer]").count() == 0
        assert page.locator("#queue [data-id=queued-older]").count() == 1
        assert page.locator("#queue-count").inner_text() == f"({waiting - 1})"
        assert page.console_errors == []
        screenshot(page, "review-queue")
    with urllib.request.urlopen(f"{server}/collections/incidents/items/queued-newer") as response:
        assert json.loads(response.read())["properties"]["status"] == "verified"
