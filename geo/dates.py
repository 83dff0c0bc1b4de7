"""Dates in report text, resolved against the publication date.

Every mention becomes a :class:`DateSpan`: the inclusive days the event is
known to lie in and how tight that is (``day``, ``days``, ``week``, ``month``,
``year``). A relative expression with no publication date stays unresolved
rather than becoming an invented day.
"""

from __future__ import annotations

import functools
import re
from calendar import monthrange
from dataclasses import dataclass, replace
from datetime import date, timedelta

MONTHS = {name: i for i, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")), start=1) for name in names}
WEEKDAYS = {name: i for i, name in enumerate(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
_MONTH = r"(?P<month>january|february|march|april|may|june|july|august|september|october|november|december" \
         r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
_WEEKDAY = r"(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_YEAR = r"(?P<year>(?:19|20)\d\d)"

PATTERNS: list[tuple[str, re.Pattern]] = [(kind, re.compile(p, re.I)) for kind, p in (
    ("iso", r"\b(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)\b"),
    # "17.09.2022", "19/2/2022": day first, as the region's outlets write it (month first only when the day
    # could not be a month: "2/19/2022")
    ("numeric", r"(?<![\d./])(?P<a>\d{1,2})[./](?P<b>\d{1,2})[./](?P<y>(?:19|20|١٩|٢٠)\d\d)(?![\d./]\d)"),
    # "on the night of 5-6 June", "the night of June 5 to 6": the two days a night joins
    ("night_days", rf"\bnight\s+of\s+(?:the\s+)?(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s*(?:-|–|to|into)\s*"
                   rf"(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}|{_MONTH.replace('(?P<month>', '(?P<month2>')}"
                   rf"\s+(?P<day3>\d{{1,2}})\s*(?:-|–|to|into)\s*(?P<day4>\d{{1,2}}))(?:,?\s+{_YEAR})?\b"),
    ("month_day", rf"\b(?:{_WEEKDAY},?\s+)?{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+{_YEAR})?"),
    ("day_month", rf"\b(?:{_WEEKDAY},?\s+)?(?:the\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}"
                  rf"(?:,?\s+{_YEAR})?\b"),
    ("in_month", rf"\b(?:in|during|since|throughout|early|late|mid-?|this past|last)\s+{_MONTH}(?:\s+{_YEAR})?\b"),
    ("month_year", rf"\b{_MONTH},?\s+{_YEAR}\b"),  # "the January 2020 missile attack"
    ("in_year", rf"\b(?:in|during|since|back in)\s+{_YEAR}\b"),
    ("last_weekday", rf"\blast\s+{_WEEKDAY}\b"),
    ("weekday", rf"\b{_WEEKDAY}\b"),
    ("yesterday", r"\b(?:yesterday)\b"),
    # "last night" and "overnight" name the night that ended this morning: the extractor spans it
    ("today", r"\b(?:today|this\s+morning|earlier\s+today|tonight|this\s+evening|this\s+afternoon|"
              r"last\s+night|overnight)\b"),
    ("days_ago", r"\b(?:(?P<n>\w+)\s+days\s+(?:ago|earlier|before)|days\s+(?:ago|earlier|before)|"
                 r"earlier\s+in\s+the\s+week|last\s+week)\b"),
    ("this_week", r"\b(?:earlier\s+this\s+week|this\s+week)\b"),
    ("this_month", r"\b(?:earlier\s+this\s+month|this\s+month)\b"),
    ("last_month", r"\blast\s+month\b"),
    ("last_weekend", r"\b(?:last|this\s+past|over\s+the|at\s+the)\s+weekend\b"),
)]
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "several": 7, "few": 4, "a": 1}
_TIME_RE = re.compile(
    r"\b(?P<h>[01]?\d|2[0-3])(?:[:.](?P<m>[0-5]\d))?\s*(?P<ampm>a\.?\s?m\b\.?|p\.?\s?m\b\.?)"
    r"|\b(?P<h24>[01]\d|2[0-3]):(?P<m24>[0-5]\d)\s*(?:local\s+time|hours|GMT|UTC|\(|h\b)"
    r"|\b(?:at|on)\s+(?P<word>midnight|noon|midday)\b", re.I)


@dataclass(frozen=True)
class DateSpan:
    """Inclusive days an event lies in, with how tight the span is."""

    date_from: date | None
    date_to: date | None
    precision: str
    text: str = ""
    start: int = -1
    end: int = -1
    relative: bool = False  # resolved through the publication date
    said: bool = False  # the day a statement about the event was made, standing in for the event's own

    @property
    def known(self) -> bool:
        return self.date_from is not None

    def shift(self, days: int) -> DateSpan:
        if not self.known:
            return self
        return replace(self, date_from=self.date_from + timedelta(days=days),
                       date_to=self.date_to + timedelta(days=days))


def _day(d: date, text: str = "", start: int = -1, end: int = -1, relative: bool = False) -> DateSpan:
    return DateSpan(d, d, "day", text, start, end, relative)


def _month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, monthrange(year, month)[1])


def _latest_on_or_before(month: int, day: int, published: date) -> date | None:
    for year in (published.year, published.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= published:
            return candidate
    return None


def _year_from_weekday(month: int, day: int, weekday: int, before: date) -> int | None:
    """The latest year (not after ``before``) in which month/day fell on ``weekday``."""
    for year in range(before.year, before.year - 30, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= before and candidate.weekday() == weekday:
            return year
    return None


def resolve(match: re.Match, kind: str, published: date | None, today: date | None = None) -> DateSpan | None:
    """One matched expression as a span, or None when it names no real date."""
    text, start, end = match.group(0), match.start(), match.end()
    groups = {k: v for k, v in match.groupdict().items() if v}
    try:
        if kind == "iso":
            return _day(date(int(groups["y"]), int(groups["m"]), int(groups["d"])), text, start, end)
        if kind == "numeric":
            first, second = int(groups["a"]), int(groups["b"])
            day, month = (second, first) if second > 12 >= first else (first, second)
            return _day(date(int(groups["y"]), month, day), text, start, end)
        if kind == "night_days":
            month = MONTHS[(groups.get("month") or groups["month2"]).lower().rstrip(".")]
            first, second = int(groups.get("day") or groups["day3"]), int(groups.get("day2") or groups["day4"])
            if second != first + 1:
                return None
            if "year" in groups:
                last = date(int(groups["year"]), month, second)
            elif published:
                last = _latest_on_or_before(month, second, published)
                if last is None:
                    return None
            else:
                return DateSpan(None, None, "year", text, start, end)
            return DateSpan(last - timedelta(days=1), last, "days", text, start, end, relative="year" not in groups)
        if kind in ("month_day", "day_month"):
            month, day = MONTHS[groups["month"].lower().rstrip(".")], int(groups["day"])
            if "year" in groups:
                return _day(date(int(groups["year"]), month, day), text, start, end)
            if published:
                found = _latest_on_or_before(month, day, published)
                return _day(found, text, start, end, relative=True) if found else None
            if "weekday" in groups:  # "Friday, December 8" pins the year
                year = _year_from_weekday(month, day, WEEKDAYS[groups["weekday"].lower()], today or date.today())
                if year:
                    return _day(date(year, month, day), text, start, end, relative=True)
            return DateSpan(None, None, "year", text, start, end)
        if kind == "in_year":
            year = int(groups["year"])
            last = date(year, 12, 31) if not published or published.year != year else published
            return DateSpan(date(year, 1, 1), last, "year", text, start, end)
        if kind in ("in_month", "month_year"):
            month = MONTHS[groups["month"].lower().rstrip(".")]
            if "year" in groups:
                year = int(groups["year"])
            elif published:
                year = published.year if month <= published.month else published.year - 1
            else:
                return DateSpan(None, None, "year", text, start, end)
            first, last = _month_span(year, month)
            if published and first <= published <= last:
                last = published
            return DateSpan(first, last, "month", text, start, end, relative="year" not in groups)
    except ValueError:
        return None
    if published is None:
        return DateSpan(None, None, "year", text, start, end, relative=True)
    if kind in ("weekday", "last_weekday"):
        weekday = WEEKDAYS[groups["weekday"].lower()]
        back = (published.weekday() - weekday) % 7
        if kind == "last_weekday" and back == 0:
            back = 7
        return _day(published - timedelta(days=back), text, start, end, relative=True)
    if kind == "yesterday":
        return _day(published - timedelta(days=1), text, start, end, relative=True)
    if kind == "today":
        return _day(published, text, start, end, relative=True)
    if kind == "days_ago" and text.lower().startswith("last"):  # "last week": the calendar week before
        monday = published - timedelta(days=published.weekday() + 7)
        return DateSpan(monday, monday + timedelta(days=6), "week", text, start, end, relative=True)
    if kind == "days_ago":
        n = groups.get("n", "").lower()
        count = (int(n) if len(n) <= 4 else None) if n.isdigit() else _NUMBER_WORDS.get(n)
        if count and count <= 14 and n not in ("several", "few", "a"):
            return _day(published - timedelta(days=count), text, start, end, relative=True)
        return DateSpan(published - timedelta(days=7), published - timedelta(days=1), "days", text, start, end,
                        relative=True)
    if kind == "this_week":
        monday = published - timedelta(days=published.weekday())
        return DateSpan(monday, published, "week", text, start, end, relative=True)
    if kind == "this_month":
        return DateSpan(published.replace(day=1), published, "month", text, start, end, relative=True)
    if kind == "last_month":
        last = published.replace(day=1) - timedelta(days=1)
        return DateSpan(last.replace(day=1), last, "month", text, start, end, relative=True)
    if kind == "last_weekend":  # the Saturday and Sunday before the publication day
        sunday = published - timedelta(days=(published.weekday() + 1) % 7 or 7)
        return DateSpan(sunday - timedelta(days=1), sunday, "days", text, start, end, relative=True)
    return None


def find_dates(text: str, published: date | None, today: date | None = None) -> list[DateSpan]:
    """Every date expression in ``text``, in order; overlapping matches keep the longest."""
    return list(_find_dates(text, published, today))


@functools.lru_cache(maxsize=2048)  # stages ask about the same sentence more than once
def _find_dates(text: str, published: date | None, today: date | None) -> tuple[DateSpan, ...]:
    found: list[DateSpan] = []
    taken: list[tuple[int, int]] = []
    candidates = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            candidates.append((match.start(), -(match.end() - match.start()), kind, match))
    for start, _, kind, match in sorted(candidates, key=lambda c: (c[1], c[0])):
        if any(start < e and match.end() > s for s, e in taken):
            continue
        span = resolve(match, kind, published, today)
        if span is None:
            continue
        taken.append((match.start(), match.end()))
        found.append(span)
    return tuple(sorted(found, key=lambda s: s.start))


@functools.lru_cache(maxsize=512)  # asked once per place a sentence names
def find_time(text: str) -> str | None:
    """The first clock time in ``text`` as local ``HH:MM``, or None."""
    matches = list(_TIME_RE.finditer(text))
    if not matches:
        return None
    clock = [m for m in matches if not m.group("word")]  # "12:20 a.m." beats "midnight"
    match = clock[0] if clock else matches[0]
    if re.search(r"(Eastern|EST|EDT|\bET\b|Washington time)", text[match.end():match.end() + 20]):
        return None  # a Washington time is not the local time; see extract.eastern_to_local
    if match.group("word"):
        return {"midnight": "00:00", "noon": "12:00", "midday": "12:00"}[match.group("word").lower()]
    if match.group("h24"):
        return f"{int(match.group('h24')):02d}:{match.group('m24')}"
    hour, minute = int(match.group("h")), int(match.group("m") or 0)
    pm = match.group("ampm").lower().startswith("p")
    if hour > 12:
        return None
    hour = (hour % 12) + (12 if pm else 0)
    return f"{hour:02d}:{minute:02d}"


_PUBLISHED_PATTERNS = [re.compile(p, re.I | re.M) for p in (
    r"^\s*(?:updated|published|posted|last\s+updated)\s*(?:on|:)?\s*(?P<when>.{6,40}?)\s*$",
    r"^\s*(?:updated|published|posted)\s*(?:on|:)?\s*(?P<when>[^|\n]{6,40}?\d{4})",
    r"^[A-Z][A-Za-z' -]{2,30}\s*[,/]\s*(?P<when>\d{1,2}[./]\d{1,2}[./](?:19|20)\d\d)\b",  # "ANKARA, 17.09.2022 —"
    r"^[A-Z][A-Za-z' -]{2,30},?\s+(?:[A-Za-z]+\s*)?(?P<when>(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8})"
    r"(?:,?\s+\d{4})?)\s*\(",
    r"^\s*(?:by\s+[^\n]{2,60}\n\s*)?(?P<when>(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s+)?"
    r"(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+[A-Z][a-z]{2,8}\s+\d{4}))\s*$",
    r"^\s*(?P<when>(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s+"
    r"(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8}))\s*$",
)]
_YEAR_RE = re.compile(r"\b(?:19|20)\d\d\b")


@dataclass(frozen=True)
class PublicationDate:
    """When a report was published, how it was found, and how sure that is."""

    day: date | None
    how: str
    certain: bool


def find_publication_date(text: str, today: date | None = None) -> PublicationDate:
    """The publication date stated in the text ("Updated: December 14, 2023", a dateline,
    a byline date), or ``PublicationDate(None, ...)`` saying that none was found."""
    today = today or date.today()
    years = [int(y) for y in _YEAR_RE.findall(text) if int(y) <= today.year]
    for pattern in _PUBLISHED_PATTERNS:
        for match in pattern.finditer(text):
            when = match.group("when")
            how = f"from the text {match.group(0).strip()[:60]!r}"
            for span in find_dates(when, None, today):
                if span.known and span.date_from <= today:
                    if span.relative:
                        return PublicationDate(span.date_from, how + " (year inferred from the weekday)", False)
                    return PublicationDate(span.date_from, how, True)
            if years and not _YEAR_RE.search(when):  # a dateline without a year: the text's latest year
                for span in find_dates(f"{when}, {max(years)}", None, today):
                    if span.known:
                        return PublicationDate(span.date_from, how + f" (year {max(years)} taken from the text)",
                                               False)
    return PublicationDate(None, "no publication date in the text or headers", False)
