"""Absolute links come from PUBLIC_URL or a trusted Host, never from whatever Host a request names
(issue 16, finding 6: a forged Host went into every link, the history page's restore URLs too)."""

from __future__ import annotations

import re

import pytest

from tests.webapp.test_api import feature, post
from tests.webapp.test_hostile_input import is_error_body
from webapp import create_app
from webapp.server import trusting_bind_host

FORGED = {"Host": "evil.example"}
RESTORE_URL = re.compile(r'data-url="([^"]+)"')


def app_client(data_dir, **settings):
    return create_app({"DATA": str(data_dir), "TESTING": True, **settings}).test_client()


def links_of(body: dict) -> list[str]:
    return [link["href"] for link in body["links"]]


@pytest.mark.parametrize("url", ["/collections", "/collections/incidents/items", "/map",
                                 "/collections/incidents/items/t-embassy-1208/history?f=html"])
def test_a_forged_host_is_refused_by_default(client, url):
    is_error_body(client.get(url, headers=FORGED), 400, "evil.example", "TRUSTED_HOSTS")


def test_a_forged_host_cannot_plant_restore_links(client, auth):
    assert post(client, feature("h-1"), auth).status_code == 201
    history = "/collections/incidents/items/h-1/history?f=html"
    is_error_body(client.get(history, headers=FORGED), 400, "not trusted")
    page = client.get(history).get_data(as_text=True)  # the trusted default host
    assert RESTORE_URL.findall(page) == ["http://localhost/collections/incidents/items/h-1/history/1/restore"]


def test_forwarded_host_is_ignored_without_proxies(client):
    body = client.get("/collections", headers={"X-Forwarded-Host": "evil.example"}).get_json()
    assert all(href.startswith("http://localhost/") for href in links_of(body))


def test_forwarded_host_behind_a_trusted_proxy_must_be_trusted_too(data_dir):
    client = app_client(data_dir, PROXY_HOPS=1, TRUSTED_HOSTS="maps.example.org")
    body = client.get("/collections", headers={"X-Forwarded-Host": "maps.example.org",
                                               "X-Forwarded-Proto": "https"}).get_json()
    assert links_of(body)[0].startswith("https://maps.example.org/collections")
    is_error_body(client.get("/collections", headers={"X-Forwarded-Host": "evil.example"}), 400, "not trusted")


@pytest.mark.parametrize("headers", [FORGED, {"X-Forwarded-Host": "evil.example"}, {}])
def test_public_url_makes_every_link_and_ignores_the_host(data_dir, auth, headers):
    client = app_client(data_dir, PUBLIC_URL="https://maps.example.org/", PROXY_HOPS=1)
    assert post(client, feature("h-2"), auth).headers["Location"] == \
        "https://maps.example.org/collections/incidents/items/h-2"
    for url in ("/collections", "/collections/incidents/items?limit=1", "/"):
        body = client.get(url, headers={**headers, "Accept": "application/json"}).get_json()
        assert links_of(body) and all(href.startswith("https://maps.example.org/") for href in links_of(body))
    page = client.get("/collections/incidents/items/h-2/history?f=html", headers=headers).get_data(as_text=True)
    assert RESTORE_URL.findall(page) == ["https://maps.example.org/collections/incidents/items/h-2/history/1/restore"]


def test_public_url_with_a_path_prefix(data_dir):
    client = app_client(data_dir, PUBLIC_URL="https://example.org/incidentmap")
    assert links_of(client.get("/collections").get_json())[0] == "https://example.org/incidentmap/collections"


@pytest.mark.parametrize("value", ["maps.example.org", "ftp://maps.example.org", "https://u:p@maps.example.org",
                                   "https://maps.example.org/?a=1"])
def test_a_bad_public_url_stops_the_app_at_start(data_dir, value):
    with pytest.raises(ValueError, match="PUBLIC_URL"):
        create_app({"DATA": str(data_dir), "PUBLIC_URL": value})


def test_trusted_hosts_take_subdomains_and_a_star(data_dir):
    client = app_client(data_dir, TRUSTED_HOSTS="localhost, .example.org")
    assert client.get("/collections", headers={"Host": "maps.example.org:8443"}).status_code == 200
    is_error_body(client.get("/collections", headers={"Host": "example.org.evil"}), 400, "not trusted")
    assert app_client(data_dir, TRUSTED_HOSTS="*").get("/collections", headers=FORGED).status_code == 200
    listed = app_client(data_dir, TRUSTED_HOSTS=["maps.example.org"])  # a list, from a mapping
    assert listed.get("/collections", headers={"Host": "maps.example.org"}).status_code == 200
    is_error_body(listed.get("/collections"), 400, "'localhost' is not trusted")


@pytest.mark.parametrize("host, trusted", [
    ("127.0.0.1", None),  # the defaults already hold it
    ("0.0.0.0", None),  # every address: no name to trust, set TRUSTED_HOSTS
    ("maps.internal", "localhost,127.0.0.1,maps.internal"),
])
def test_serve_trusts_the_host_it_binds(host, trusted):
    assert trusting_bind_host({}, host).get("TRUSTED_HOSTS") == trusted
    assert trusting_bind_host({"TRUSTED_HOSTS": "a.example"}, host)["TRUSTED_HOSTS"] == "a.example"
