"""What a request without a token may cost: a smaller body and a rate per client address.

``POST /ingest`` without ``store=true`` needs no token, and reading a report costs CPU; so a
caller with no valid token may send at most ``MAX_PUBLIC_INGEST_BYTES`` (413 above, naming that
limit) and only ``INGEST_RATE_LIMIT`` requests per client address (429 with ``Retry-After``
above). The counts come from the ``limits`` package (flask-limiter's engine), kept where
``RATE_LIMIT_STORAGE`` says: ``memory://`` counts in each worker process.
"""

from __future__ import annotations

import math
import time

from flask import current_app, g, request
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from geo.errors import IncidentMapError


class TooManyRequests(IncidentMapError):
    code = "TooManyRequests"
    status = 429

    def __init__(self, description: str, retry_after: int):
        super().__init__(description)
        self.retry_after = retry_after


class RateLimit:
    """A rate such as ``"30 per minute; 300 per hour"`` per client, or none for ``off``."""

    def __init__(self, rate: str | None, storage: str):
        text = (rate or "").strip()
        self.text = text
        self.items = [] if text.lower() in ("", "off", "none") else parse_many(text)
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage)) if self.items else None

    def check(self, scope: str, client: str) -> None:
        """Count one request of ``client``; TooManyRequests when it is over any of the rates."""
        if self.limiter is None:
            return
        for item in self.items:
            if not self.limiter.hit(item, scope, client):
                reset, _ = self.limiter.get_window_stats(item, scope, client)
                wait = max(1, math.ceil(reset - time.time()))
                raise TooManyRequests(f"too many requests without a token from {client}: at most {item} "
                                      f"(INGEST_RATE_LIMIT); try again in {wait} s, or send an editor's "
                                      "token", wait)


def limit_public_request(scope: str) -> None:
    """For a request without a valid token: the smaller body limit, and one more in its client's count."""
    limit = current_app.config["INCIDENTMAP_MAX_PUBLIC_INGEST_BYTES"]
    if request.max_content_length is None or limit < request.max_content_length:
        request.max_content_length = limit
        request.max_form_memory_size = limit
        g.body_limit = (f"{limit} bytes, the limit for {request.path} without a token "
                        f"(MAX_PUBLIC_INGEST_BYTES; with a token, {current_app.config['MAX_CONTENT_LENGTH']})")
    current_app.extensions["incidentmap.ingest_rate"].check(scope, request.remote_addr or "unknown")
