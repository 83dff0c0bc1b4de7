"""Stage 1: page cleaning. What a page carries besides the article (datelines, teasers of other
stories, captions, share buttons) names places and attacks that are not the report's news."""

from __future__ import annotations

import re

DATELINE_ANYWHERE = re.compile(r"^\s*(?P<place>[A-Z][A-Z .'’/-]{2,40}?)(?:,\s*[A-Z0-9][\w .,'’-]{1,40}?)?\s*"
                               r"(?:\([^)]{1,40}\))?\s*"
                      r"(?:[-–—]|\(\w)", re.M)


def strip_dateline(text: str) -> str:
    """Drop a dateline ("ERBIL, Kurdistan Region -") from the first lines: it names where the
    report was filed, not where anything happened."""
    head, rest = text[:600], text[600:]
    for match in DATELINE_ANYWHERE.finditer(head):
        if match.group("place").isupper() and match.start() < 400:
            return head[:match.start()] + head[match.end():].lstrip(" -–—") + rest
    return text