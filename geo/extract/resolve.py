"""Stage 5: resolving dates: the day a report is about, local against Washington days, Eastern
times as local ones, and spans implied by "days after" and "overnight"."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from geo.dates import DateSpan
from geo.extract import lexicon_ar
from geo.extract.dates_ar import find_dates, find_time, named_today  # both languages
from geo.extract.language import ARABIC_LETTER
from geo.extract.lexicon import (
    ACT,
    AGGREGATE,
    BEFORE_ANCHOR,
    CLAIMED,
    LOCAL_ACCOUNT,
    NEGATED_CLAIM,
    WASHINGTON_SIDE,
)
from geo.extract.mentions import find_event_type, number
from geo.extract.sentences import Sentence
from geo.gazetteer import Place
from geo.report import Report

if TYPE_CHECKING:
    from geo.extract.candidates import Candidate


def reference(report: Report) -> tuple[date | None, str]:
    """The day relative dates are counted from, and how it was found."""
    if report.published:
        named = named_today(report.text, report.published)
        if named:
            return named, f"the report's own 'today', {named}, the day before its publication date {report.published}"
        sure = "" if report.published_certain else ", not certain"
        local = _local_publication_day(report.text, report.published)
        if local is not None:
            return local, (f"publication date {report.published} ({report.published_how}{sure}), which the page's "
                           f"own timestamp puts on {local} in Iraq and Syria")
        return report.published, f"publication date {report.published} ({report.published_how}{sure})"
    absolute = [s for s in find_dates(report.text, None) if s.known and s.precision == "day"]
    if absolute:
        latest = max(absolute, key=lambda s: s.date_to)
        how = (f"no publication date; relative dates counted from {latest.date_to}, the latest date the text "
               f"names ({latest.text!r}{', year inferred from the weekday' if latest.relative else ''})")
        return latest.date_to, how
    return None, "no publication date and no dated sentence: relative dates are left unresolved"

PAGE_TIMESTAMP = re.compile(r"\b(?P<day>\d{4}-\d\d-\d\d)[T ](?P<h>\d\d):(?P<m>\d\d)(?::\d\d)?(?:\.\d+)?\s*"
                            r"(?P<zone>Z|UTC|GMT|[+-]\d\d:?\d\d)\b")


def _local_publication_day(text: str, published: date) -> date | None:
    """The day in Iraq and Syria of a timestamp the page gives for its publication day, when it is the
    next one: "2021-09-11T22:19:47+0000" was already the 12th in Baghdad."""
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    for match in PAGE_TIMESTAMP.finditer(text[:3000]):
        if match.group("day") != published.isoformat():
            continue
        zone = match.group("zone").replace(":", "")
        offset = 0 if zone in ("Z", "UTC", "GMT") else (1 if zone[0] == "+" else -1) * (int(zone[1:3]) * 60 + int(zone[3:5]))
        stamp = datetime(published.year, published.month, published.day, int(match.group("h")), int(match.group("m")),
                         tzinfo=timezone(timedelta(minutes=offset)))
        local = stamp.astimezone(ZoneInfo("Asia/Baghdad")).date()
        return local if local != published else None
    return None


# "Friday's salvo was the second in a week, after rockets fell close to the mission on May 4"
SEQUENCE = re.compile(r"\b(?:second|third|fourth|fifth|latest)\b[^.]{0,40}?\bin (?:a|one|the past|the last) week\b", re.I)


def stale_reference(sentences: list[Sentence], ref: date | None, how: str) -> tuple[date | None, str]:
    """A page dated weeks after what it tells (a re-post, a CMS date): when the report says its attack is
    "the second in a week" after a dated one, its weekdays are counted from that week, not the page date."""
    if ref is None:
        return ref, how
    for sentence in sentences:
        if not SEQUENCE.search(sentence.text):
            continue
        days = [s for s in find_dates(sentence.text, ref) if s.known and s.precision == "day" and not s.relative
                or s.known and s.precision == "day" and re.search(r"\d", s.text)]
        if days and (ref - days[-1].date_to).days > 10:
            week_end = days[-1].date_to + timedelta(days=7)
            return week_end, (f"{how}; but the text puts its attack within a week after {days[-1].date_to} "
                              f"({days[-1].text!r}), so relative dates are counted from {week_end}")
    return ref, how


SAID_ON_AR = re.compile(lexicon_ar.SAID_ON)
APPOSED = re.compile(r"\s*[(\[]\s*$")
TODAY = re.compile(r"\b(?:today|this (?:morning|afternoon|evening))\b|اليوم", re.I)
SAID_ON = re.compile(r"\b(?:said|says|told|announced|confirmed|stated|added|reported|statement)\s+(?:[\w'’-]+\s+){0,2}?"
                     r"(?:on|late on|early on|in a statement on)?\s*$", re.I)


def event_dates(text: str, ref: date | None) -> list[DateSpan]:
    """The dates a sentence gives, without those of a statement about it when it gives others too:
    "officials said on Monday that ... an attack last week" is when it was said, not when it happened."""
    found = find_dates(text, ref)
    told = [s for s in found if s.known and not SAID_ON.search(text[max(0, s.start - 40):s.start])
            and not SAID_ON_AR.search(text[max(0, s.start - 110):s.start])]
    # a date told again in brackets is the one before it: "اليوم الثلاثاء (16 شباط 2021)", "Monday (Feb. 15)"
    told = [s for s in told if not any(t not in told and t.end <= s.start and APPOSED.match(text, t.end, s.start)
                                       and t.date_from == s.date_from for t in found)]
    said = [s for s in found if s.known and s not in told and s.precision == "day"]
    if said and ref is not None:
        # "the ministry said on Monday that at 9:30 this evening ...": "today" is the statement's day
        told = [replace(s, date_from=said[0].date_from, date_to=said[0].date_to)
                if s.relative and s.precision == "day" and s.date_from == ref and TODAY.search(s.text)
                and 0 < (ref - said[0].date_from).days <= 2 else s for s in told]
    if any(s.known for s in told):
        return told
    return [replace(s, said=True) if s.known else s for s in found]  # the statement's day when it is the only one


def adopt_told_day(candidates: list[Candidate], ancestors: Callable[[str], tuple[str, ...]]) -> None:
    """An attack dated only by the day a statement about it was made takes the day another sentence
    tells of the same attack at the same place, up to two days before ("a group claimed on Tuesday the
    attack on the airport" ... "on Monday rockets fell on the city")."""
    for candidate in candidates:
        span = candidate.span
        if span is None or not span.known or not span.said:
            continue
        for other in candidates:
            told = other.span
            if other is candidate or told is None or not told.known or told.said or told.precision != "day" or \
                    other.event_type != candidate.event_type or not 0 < (span.date_from - told.date_from).days <= 2:
                continue
            if related_places(candidate.place, other.place, ancestors):
                candidate.span = told
                break


def related_places(a: Place, b: Place, ancestors: Callable[[str], tuple[str, ...]]) -> bool:
    """The same known place, one holding the other, or a place and the governorate or country it lies in."""
    if a.site_id and b.site_id and (a.site_id == b.site_id or a.site_id in ancestors(b.site_id)
                                    or b.site_id in ancestors(a.site_id)):
        return True
    wide, narrow = (a, b) if a.kind in ("country", "governorate") else (b, a)
    return wide.kind in ("country", "governorate") and wide.country_code == narrow.country_code and \
        (wide.kind == "country" or (wide.admin1 is not None and wide.admin1 == narrow.admin1))


def main_span(sentences: list[Sentence], ref: date | None) -> DateSpan | None:
    """The date the report is about: the first one given in a sentence about an attack."""
    for sentence in sentences:
        text = sentence.text
        if find_event_type(text) and ACT.search(text) and not AGGREGATE.search(text):
            if BEFORE_ANCHOR.search(text):
                continue
            for span in event_dates(text, ref):
                if span.known:
                    return replace(span, text=text)  # the whole sentence, to know who told it
    return None


def prefer_local_day(candidates: list[Candidate], sentences: list[Sentence], ref: date | None) -> None:
    """A day told from Washington ("said in Washington on Tuesday evening") is often the day before the
    one on the ground; when the report also gives the local account, the local day (and time) wins."""
    local = None
    for sentence in sentences:
        if LOCAL_ACCOUNT.search(sentence.text) and not WASHINGTON_SIDE.search(sentence.text) and \
                ACT.search(sentence.text):  # (a local account of an attack, not of anything else)
            spans = [s for s in find_dates(sentence.text, ref) if s.known and s.precision == "day"]
            if spans:
                local = (spans[0], find_time(sentence.text), sentence)
                break
    if local is None:
        return
    span, time_local, sentence = local
    for candidate in candidates:
        told = candidate.date_told_in or candidate.sentences[0].text
        if candidate.span is None or not candidate.span.known or not WASHINGTON_SIDE.search(told):
            continue
        if LOCAL_ACCOUNT.search(told) or find_event_type(sentence.text) not in (None, candidate.event_type):
            continue
        if (span.date_from - candidate.span.date_from).days == 1:
            candidate.span = span
            candidate.time_local = time_local or None
            candidate.sentences.append(sentence)


def adopt_local_day(candidate: Candidate, text: str, ref: date | None) -> None:
    """A local account of the attack ("at 4:30 a.m. on Tuesday local time") sets its day and time when
    it differs by a day at most from the one read so far."""
    if not LOCAL_ACCOUNT.search(text) or WASHINGTON_SIDE.search(text):
        return
    spans = [s for s in find_dates(text, ref) if s.known and s.precision == "day"]
    if not spans or candidate.span is None or not candidate.span.known:
        return
    if abs((spans[0].date_from - candidate.span.date_from).days) <= 1:
        candidate.span = spans[0]
        candidate.time_local = find_time(text) or candidate.time_local


@functools.lru_cache(maxsize=512)
def eastern_to_local(text: str, span: DateSpan | None, washington: bool = False) -> tuple[str, DateSpan] | None:
    """A time given in Washington (Eastern) time, as local time in Iraq and Syria. When it crosses
    midnight the span covers both days, as reports dated from each side will name one or the other:
    4 p.m. EST on 2 February is 00:00 on 3 February in Baghdad, so 2..3 February. With ``washington``
    (the report quotes the Pentagon or the White House), an afternoon or evening time in a quoted
    sentence that names no zone is Washington's too."""
    match = re.search(r"\b(?P<h>[01]?\d)(?::(?P<m>[0-5]\d))?\s*(?P<ampm>a\.?m\.?|p\.?m\.?)\s*(?:\(?\s*)"
                      r"(?:(?:on\s+)?\w+\s+){0,2}?(?:Eastern|EST|EDT|ET|Washington time)\b", text, re.I)
    if match is None and washington and text.lstrip()[:1] in "“\"" and "local" not in text.lower():
        match = re.search(r"\b(?P<h>[4-9]|1[01])(?::(?P<m>[0-5]\d))?\s*(?P<ampm>p\.?\s?m\b\.?)", text, re.I)
    if not match or span is None or not span.known or span.precision != "day":
        return None
    from datetime import datetime
    from zoneinfo import ZoneInfo

    hour = int(match.group("h")) % 12 + (12 if match.group("ampm").lower().startswith("p") else 0)
    there = datetime(span.date_from.year, span.date_from.month, span.date_from.day, hour,
                     int(match.group("m") or 0), tzinfo=ZoneInfo("America/New_York"))
    here = there.astimezone(ZoneInfo("Asia/Baghdad"))
    if re.search(r"\b\d{1,2}(?::\d\d)?\s*[ap]\.?m\.?[^.;]{0,40}?\b(?:local time|in (?:Syria|Iraq|Jordan|Baghdad|Erbil))\b",
                 text[match.end():], re.I):
        # "8:20 p.m. Tuesday Washington time, which was 3:20 a.m. Wednesday in Syria": the local day, told
        return here.strftime("%H:%M"), replace(span, date_from=here.date(), date_to=here.date(), precision="day")
    if here.date() == span.date_from:
        return here.strftime("%H:%M"), span
    return here.strftime("%H:%M"), replace(span, date_to=here.date(), precision="days")


def nearest_span(spans: list[DateSpan], place: Place) -> DateSpan | None:
    known = [s for s in spans if s.known]
    if not known:
        return None
    return min(known, key=lambda s: abs(s.start - place.start))


def before_anchor_span(anchor: DateSpan | None, match: re.Match) -> DateSpan | None:
    """The span before an anchor that "days after" / "following" points to."""
    if anchor is None or not anchor.known:
        return None
    unit = (match.group(2) or "").lower()
    n = number(match.group("n") or "") if match.group("n") else None
    if unit.startswith("day") and n:
        day = anchor.date_from - timedelta(days=n)
        return DateSpan(day, day, "day", match.group(0))
    if unit.startswith("hour"):
        return DateSpan(anchor.date_from - timedelta(days=1), anchor.date_from, "days", match.group(0))
    if unit.startswith("week"):
        return DateSpan(anchor.date_from - timedelta(days=14), anchor.date_from - timedelta(days=1), "days",
                        match.group(0))
    return DateSpan(anchor.date_from - timedelta(days=7), anchor.date_from - timedelta(days=1), "days",
                    match.group(0))


def recent_span(ref: date) -> DateSpan:
    """A report that dates nothing is breaking news: the day it appeared or the night before."""
    return DateSpan(ref - timedelta(days=1), ref, "days", "", relative=True)

# the small hours: an attack told by the morning's day happened in the night that ended it
EARLY_HOURS = re.compile(r"\b(?:before (?:dawn|daybreak|sunrise)|in the early hours|early (?:on )?this morning|"
                         r"early (?:on )?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|"
                         r"(?:January|February|March|April|May|June|July|August|September|October|November|"
                         r"December) \d{1,2})\b(?! morning)|overnight|(?:last|at|during the|in the) night)\b"
                         rf"|{lexicon_ar.EARLY_HOURS}", re.I)
# the night: an attack told by the evening's day may have come after midnight
LATE_HOURS = re.compile(r"\b(?:late hours of the night|late (?:at|in the) night|(?:Monday|Tuesday|Wednesday|Thursday|"
                        r"Friday|Saturday|Sunday)(?:'s)? night|tonight|around midnight)\b"
                        rf"|{lexicon_ar.LATE_HOURS}", re.I)
STATE_STRIKERS = ("US forces", "Turkish forces")
# a night's attack that ran on after midnight: a clock time in the small hours told beside the evening's
PAST_MIDNIGHT = re.compile(r"\bpast midnight\b|\b(?:00|0?1|0?2|0?3):[0-5]\d(?!\s*[ap]\.?m)\b|"
                           r"\b(?:12|0?1|0?2|0?3)(?::[0-5]\d)?\s*a\.?m\b|بعد منتصف الليل", re.I)
AFTER_MIDNIGHT_AR = re.compile(r"بعد\s+منتصف\s+(?:ال)?ليل")
# an Arabic outlet tells a strike by the day where it landed, not by the announcing capital's day
_ARABIC_CLAUSE_BREAK = re.compile(lexicon_ar.CLAUSE_BREAK)
US_EVENING = re.compile(r"\b(?:[4-9]|1[01])(?::[0-5]\d)?\s*p\.?\s?m\b", re.I)


def _night_clause(text: str) -> str:
    """``text`` up to the end of the clause its night is told in ("Saturday night's strike was a response
    to X," without the airstrike the rest of the sentence goes on to), else the whole of it."""
    night = EARLY_HOURS.search(text) or LATE_HOURS.search(text)
    if night is None:
        return text
    end = min((i for i in (text.find(",", night.end()), text.find("،", night.end())) if i >= 0), default=len(text))
    return text[:end]


def night_span(candidate: Candidate) -> None:
    """Widen a one-day span to the two days a night covers, when the report tells no local clock time:
    an attack "before dawn on Friday" lay in Thursday's night or Friday's small hours, one "late on
    Wednesday night" in Wednesday's evening or Thursday's small hours. A state's airstrike told by one
    day is the same: such strikes are flown at night and told by the day on the side that announced
    them, which is the day before or the day itself where they landed."""
    span = candidate.span
    if span is None or not span.known or span.precision != "day":
        return
    borrowed = candidate.date_told_in or ""
    if not candidate.date_from_sentence and borrowed and \
            find_event_type(_night_clause(borrowed)) not in (None, candidate.event_type):
        borrowed = ""  # the night of the report's main attack is not that of another one told without a day
    own = [s.text for s in candidate.sentences[:2]]
    if own and ARABIC_LETTER.search(own[0]) and candidate.place.end > 0:
        # "هجوم على X، فيما ... ضربات ليل الخميس": the night told in the next clause is not X's
        gap = _ARABIC_CLAUSE_BREAK.search(own[0], candidate.place.end)
        if gap:
            if borrowed == own[0]:
                borrowed = own[0][:gap.start()]
            own[0] = own[0][:gap.start()]
    told = " ".join([borrowed, *own])
    if candidate.time_local:
        if candidate.time_local < "06:00" and AFTER_MIDNIGHT_AR.search(told) and re.search(r"أمس|ليل", span.text):
            # "الساعة الواحدة بعد منتصف الليل (أمس السبت)": an hour past the midnight that ended the evening
            # named as yesterday's (or as a night), told by that evening's day: the night's two days
            candidate.span = replace(span, date_to=span.date_to + timedelta(days=1), precision="days")
            return
        if re.search(r"\blast night\b", told, re.I) and candidate.time_local >= "12:00":
            candidate.span = span.shift(-1)  # "at 11:30 PM last night": the evening before the report
            span = candidate.span
        told_all = " ".join([told, *(s.text for s in candidate.sentences[:3])])
        if candidate.time_local >= "20:00" and span.precision == "day" and PAST_MIDNIGHT.search(told_all):
            # "from 23:50 until about 00:30", "stretched past midnight": the night's two days
            candidate.span = replace(span, date_to=span.date_to + timedelta(days=1), precision="days")
        return
    day = span.date_from
    own_text = own[0] if own else ""
    if (span.said or not candidate.date_from_sentence) and CLAIMED.search(own_text) and \
            not NEGATED_CLAIM.search(own_text) and not LATE_HOURS.search(told) and not EARLY_HOURS.search(told):
        # "the group claimed today the shelling of the airport": claimed today, done today or the night before
        candidate.span = replace(span, date_from=day - timedelta(days=1), precision="days")
        return
    if span.said and candidate.event_type == "airstrike" and ARABIC_LETTER.search(told):
        # "قال البنتاغون اليوم الاثنين إن مقاتلاته نفذت غارات": announced today, flown today or last night
        candidate.span = replace(span, date_from=day - timedelta(days=1), precision="days")
        return
    told_all = " ".join([told, *(s.text for s in candidate.sentences)])
    if US_EVENING.search(told_all) and WASHINGTON_SIDE.search(told_all) and "local" not in told_all:
        # "at 5:30 pm on Jan. 7", told by the Pentagon: Washington's evening is the night after in Iraq
        candidate.span = replace(span, date_to=day + timedelta(days=1), precision="days")
    elif EARLY_HOURS.search(told):
        candidate.span = replace(span, date_from=day - timedelta(days=1), precision="days")
    elif LATE_HOURS.search(told) or (candidate.event_type == "airstrike" and candidate.perpetrator in STATE_STRIKERS
                                     and not LOCAL_ACCOUNT.search(told) and "midnight" not in told
                                     and not ARABIC_LETTER.search(told)):
        candidate.span = replace(span, date_to=day + timedelta(days=1), precision="days")
