"""Days, instants and intervals as UTC epoch seconds.

Incidents are known to the day (sometimes to a span of days), so every
incident covers whole days: from 00:00:00 of ``date_from`` to 23:59:59 of
``date_to``. A query's ``datetime`` is an RFC 3339 instant or interval; a
date-only bound covers its whole day. Both sides meet as closed intervals of
integer seconds, which is what the in-memory index and SQL both compare.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from geo.errors import InvalidParameterValue

DAY_SECONDS = 86_400
# ASCII digits only: \d would also take Arabic-Indic and other digits that fromisoformat refuses
# matched whole (fullmatch): "$" would also match before a final newline
_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_INSTANT_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2})?", re.ASCII
)
_EPOCH = date(1970, 1, 1)


def parse_day(text: str) -> date:
    """``'2023-12-08'`` to a date; ValueError for anything else."""
    if not isinstance(text, str) or not _DAY_RE.fullmatch(text):
        raise ValueError(f"not a YYYY-MM-DD date: {text!r}")
    return date.fromisoformat(text)


def parse_instant(text: str) -> datetime:
    """An RFC 3339 date-time to an aware UTC datetime; no zone means UTC."""
    if not isinstance(text, str) or not _INSTANT_RE.fullmatch(text):
        raise ValueError(f"not an RFC 3339 date-time: {text!r}")
    normal = text.replace("t", "T").replace("z", "Z").replace(" ", "T")
    value = datetime.fromisoformat(normal)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-05:00 is past the last day Python can hold
        raise ValueError(f"{text!r} is outside the years 1..9999 in UTC") from None


def day_start(day: date) -> int:
    """Epoch seconds at 00:00:00 UTC of ``day``."""
    return (day - _EPOCH).days * DAY_SECONDS


def day_end(day: date) -> int:
    """Epoch seconds at 23:59:59 UTC of ``day`` (intervals are closed)."""
    return day_start(day) + DAY_SECONDS - 1


def epoch_to_day(seconds: int) -> date:
    return _EPOCH + timedelta(days=int(seconds) // DAY_SECONDS)


def bound_span(text: str) -> tuple[int, int]:
    """The closed span of seconds one bound denotes: a whole day or one second."""
    if _DAY_RE.fullmatch(text):
        day = parse_day(text)
        return day_start(day), day_end(day)
    instant = parse_instant(text)
    seconds = int(instant.timestamp() // 1)
    return seconds, seconds


def parse_datetime_param(text: str) -> tuple[int | None, int | None]:
    """OGC ``datetime`` (instant, ``a/b``, ``../b``, ``a/..``) to a closed span.

    >>> parse_datetime_param("2023-12-08")
    (1701993600, 1702079999)

    ``None`` stands for an open end. Raises InvalidParameterValue naming the
    problem for anything else.
    """
    text = text.strip()
    if not text:
        raise InvalidParameterValue("datetime is empty")
    parts = text.split("/")
    if len(parts) > 2:
        raise InvalidParameterValue(f"datetime has more than one '/': {text!r}")
    try:
        if len(parts) == 1:
            if text == "..":
                raise InvalidParameterValue("datetime '..' names no time")
            return bound_span(text)
        first, second = (p.strip() for p in parts)
        if first in ("", "..") and second in ("", ".."):
            raise InvalidParameterValue(f"datetime {text!r} has no bound on either side")
        start = None if first in ("", "..") else bound_span(first)[0]
        end = None if second in ("", "..") else bound_span(second)[1]
    except ValueError as exc:
        raise InvalidParameterValue(
            f"datetime must be an RFC 3339 date-time or interval, got {text!r} ({exc})"
        ) from None
    if start is not None and end is not None and start > end:
        raise InvalidParameterValue(f"datetime interval ends before it starts: {text!r}")
    return start, end


def utc_now_rfc3339() -> str:
    """Now, to the second, as ``2026-11-21T09:30:00Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_epoch(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
