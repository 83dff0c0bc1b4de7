"""Sending one alert: a signed webhook POST of the incident, or a message through apprise."""

from __future__ import annotations

import orjson

from geo.live.alerts import SIGNATURE_HEADER, AlertRule, sign

USER_AGENT = "incidentmap-alerts/1"


class DeliveryError(Exception):
    """A delivery did not go through; the message says why (kept in the rule's status)."""


def send(rule: AlertRule, entry: dict, secret: str | None, timeout: float, public_url: str | None = None) -> None:
    """Deliver ``entry`` (an outbox entry) by ``rule``'s target; DeliveryError when it fails."""
    if rule.webhook:
        post_webhook(rule.webhook, entry, secret or "", timeout)
    else:
        notify(rule.notify or "", entry, public_url)  # apprise applies its own timeouts


def post_webhook(url: str, entry: dict, secret: str, timeout: float) -> None:
    """POST the incident as a GeoJSON Feature with ``X-Incidentmap-Signature: sha256=<hex HMAC>``."""
    import requests

    body = orjson.dumps(entry["feature"])
    headers = {"Content-Type": "application/geo+json", "User-Agent": USER_AGENT,
               SIGNATURE_HEADER: sign(secret, body), "X-Incidentmap-Event": entry["event"],
               "X-Incidentmap-Rule": entry["rule"], "X-Incidentmap-Delivery": entry["id"]}
    try:
        response = requests.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False)
    except requests.RequestException as exc:
        raise DeliveryError(f"{type(exc).__name__}: {_short(str(exc))}") from None
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"HTTP {response.status_code} {_short(response.text)}".rstrip())


def message(entry: dict, public_url: str | None = None) -> tuple[str, str]:
    """A notification's title and plain-text body for an outbox entry."""
    props = entry["feature"].get("properties") or {}
    kind = str(props.get("event_type") or "incident").replace("_", " ")
    place = (props.get("site_name") or props.get("location") or props.get("site_id") or props.get("admin1")
             or "an unknown place")
    when = props.get("date") or "undated"
    if props.get("date_to") and props.get("date_to") != props.get("date_from"):
        when = f"{props.get('date_from')}..{props['date_to']}"
    verb = "Updated" if entry["event"] == "updated" else "New"
    title = f"{verb} incident: {kind} at {place}, {when}"
    lines = [f"{kind} at {place} ({props.get('country') or props.get('country_code') or ''}), {when}".replace(" ()", "")]
    if props.get("perpetrator"):
        lines.append(f"perpetrator: {props['perpetrator']} ({props.get('attribution') or 'unknown'})")
    if props.get("target"):
        lines.append(f"target: {props['target']}")
    lines.append(f"killed: {_count(props.get('killed'))}, injured: {_count(props.get('injured'))}")
    if props.get("notes"):
        lines.append(str(props["notes"]))
    for source in props.get("sources") or []:
        lines.append(f"source: {source.get('outlet') or ''} {source.get('url') or ''}".rstrip())
    if public_url:
        lines.append(f"{public_url.rstrip('/')}/collections/incidents/items/{entry['fid']}?f=html")
    lines.append(f"(alert rule {entry['rule']}, incident {entry['fid']})")
    return title, "\n".join(lines)


def notify(url: str, entry: dict, public_url: str | None = None) -> None:
    """Send through apprise; DeliveryError with apprise's own warning when it fails."""
    import apprise

    title, body = message(entry, public_url)
    sender = apprise.Apprise()
    if not sender.add(url):
        raise DeliveryError("apprise does not understand the URL")
    with apprise.LogCapture(level=apprise.logging.WARNING) as logs:
        ok = sender.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT)
        said = logs.getvalue()
    if not ok:
        lines = [line.split(" - ", 2)[-1] for line in said.strip().splitlines() if line.strip()]
        raise DeliveryError(_short("; ".join(lines) or "apprise could not send it"))


def _count(value: object) -> str:
    return "not reported" if value is None else str(value)


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
