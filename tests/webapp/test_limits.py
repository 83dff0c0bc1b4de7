"""What a request without a token may cost (issue 16, finding 1): a smaller body and a rate per
client for POST /ingest, and 413s that name the limit really passed (finding 9)."""

from __future__ import annotations

import pytest

from tests.conftest import TOKEN
from tests.webapp.test_hostile_input import is_error_body
from webapp import create_app

REPORT = "Rockets hit the Ain al-Asad air base on Friday. "


def app_client(data_dir, **settings):
    return create_app({"DATA": str(data_dir), "TESTING": True, **settings}).test_client()


@pytest.fixture
def small(data_dir):
    """Without a token, bodies of at most 2,000 bytes; with one, MAX_BODY_BYTES (2 MiB)."""
    return app_client(data_dir, MAX_PUBLIC_INGEST_BYTES=2000)


@pytest.mark.parametrize("kwargs", [
    {"json": {"text": REPORT * 100}},
    {"data": {"text": REPORT * 100}},  # a form
    {"data": {"text": (None, REPORT * 100)}},  # multipart
])
def test_a_long_report_without_a_token_is_413_naming_the_public_limit(small, kwargs):
    is_error_body(small.post("/ingest", **kwargs), 413, "2000 bytes", "without a token", "MAX_PUBLIC_INGEST_BYTES")


def test_the_issues_499000_character_report_without_a_token_is_refused_unread(client):
    """Issue 16: one such report kept a worker busy 12.7 s. Now the body is refused before it is read."""
    text = ("A rocket hit a base. " * 23_800)[:499_000]
    is_error_body(client.post("/ingest", json={"text": text}), 413, "131072 bytes", "without a token")


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}])
def test_only_a_valid_token_lifts_the_public_limit(small, headers, auth):
    is_error_body(small.post("/ingest", json={"text": REPORT * 100}, headers=headers), 413, "2000 bytes")
    response = small.post("/ingest", json={"text": REPORT * 100}, headers=auth)
    assert response.status_code == 200 and response.get_json()["features"]


def test_a_report_under_the_public_limit_needs_no_token(small):
    assert small.post("/ingest", json={"text": REPORT * 10}).status_code == 200


def test_writes_keep_max_body_bytes(data_dir, auth):
    client = app_client(data_dir, MAX_PUBLIC_INGEST_BYTES=100, MAX_BODY_BYTES=1000)
    response = client.post("/collections/incidents/items", data="{" + " " * 2000 + "}", headers=auth,
                           content_type="application/geo+json")
    is_error_body(response, 413, "larger than 1000 bytes")


def test_the_rate_per_client_without_a_token(data_dir, auth):
    client = app_client(data_dir, INGEST_RATE_LIMIT="2 per minute")
    other = {"REMOTE_ADDR": "192.0.2.7"}
    assert [client.post("/ingest", json={"text": REPORT}).status_code for _ in range(2)] == [200, 200]
    response = client.post("/ingest", json={"text": REPORT})
    is_error_body(response, 429, "2 per 1 minute", "INGEST_RATE_LIMIT", "token")
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert client.post("/ingest", json={"text": REPORT}, environ_base=other).status_code == 200  # another client
    assert client.post("/ingest", json={"text": REPORT}, headers=auth).status_code == 200  # an editor: not counted


def test_the_rate_limit_can_be_off(data_dir):
    client = app_client(data_dir, INGEST_RATE_LIMIT="off")
    assert {client.post("/ingest", json={"text": REPORT}).status_code for _ in range(5)} == {200}


def test_the_rate_counts_the_forwarded_client_only_behind_a_proxy(data_dir):
    direct = app_client(data_dir, INGEST_RATE_LIMIT="1 per minute")
    assert direct.post("/ingest", json={"text": REPORT}, headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 200
    assert direct.post("/ingest", json={"text": REPORT}, headers={"X-Forwarded-For": "192.0.2.2"}).status_code == 429
    proxied = app_client(data_dir, INGEST_RATE_LIMIT="1 per minute", PROXY_HOPS=1)
    for address in ("192.0.2.1", "192.0.2.2"):
        assert proxied.post("/ingest", json={"text": REPORT}, headers={"X-Forwarded-For": address}).status_code == 200


def multipart(parts: int) -> tuple[bytes, str]:
    boundary = "b0undary"
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\nx\r\n'.encode()
                    for i in range(parts))
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_a_form_of_5000_parts_is_413_naming_the_parts_limit(client, auth):
    body, content_type = multipart(5000)  # about 300 kB: under the body limit of a token's holder
    response = client.post("/ingest", data=body, content_type=content_type, headers=auth)
    is_error_body(response, 413, "5000 parts", "at most 50")


def test_a_form_within_its_limits_is_read(client, auth):
    body, content_type = multipart(3)
    body = body.replace(b'name="f0"\r\n\r\nx', f'name="text"\r\n\r\n{REPORT}'.encode())
    assert client.post("/ingest", data=body, content_type=content_type, headers=auth).status_code == 200


def test_an_app_given_an_extractor_never_builds_one(data_dir, monkeypatch):
    """`incidentmap serve` builds the extractor in gunicorn's master (webapp.server.shared_extractor),
    so a worker's first ingest does not load the gazetteer (4 to 5 s before, issue 16)."""
    import webapp.context
    from webapp.server import shared_extractor

    built = shared_extractor({"DATA": str(data_dir)})

    def refuse(*args):
        raise AssertionError("the worker built an extractor")

    monkeypatch.setattr(webapp.context, "build_extractor", refuse)
    client = create_app({"DATA": str(data_dir), "EXTRACTOR": built}).test_client()
    response = client.post("/ingest", json={"text": REPORT, "published": "2024-01-12"})
    assert response.status_code == 200
    [incident] = response.get_json()["features"]
    assert incident["properties"]["site_id"] == "ain-al-asad"
