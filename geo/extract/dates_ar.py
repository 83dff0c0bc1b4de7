"""Arabic dates, read with the same rules as English ones.

Each Arabic expression is rewritten as the English phrase that means the same ("اليوم الأحد" -> "Sunday",
"ليل أمس" -> "yesterday", "15 شباط/فبراير 2021" -> "15 February 2021", "الأربعاء الماضي" -> "last Wednesday")
and resolved by ``geo.dates``, so a relative day is counted from the publication date exactly as in
English; the span keeps the Arabic words and their place in the text. Both month series are read
(كانون الثاني، شباط ... and يناير، فبراير ...), and Eastern Arabic digits (٢٠٢٣) as well.

``find_dates`` is what the stages call: the English reading, plus the Arabic one when the text has
Arabic letters. ``dateparser`` was not used: it costs milliseconds a call and finds no expression in
running text by itself, while these are a few table look-ups.
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace
from datetime import date, timedelta

from geo import dates as english
from geo.dates import DateSpan
from geo.extract.language import ARABIC_LETTER
from geo.extract.lexicon_ar import letters

WEEKDAYS = {"الأحد": "Sunday", "الاثنين": "Monday", "الإثنين": "Monday", "الثلاثاء": "Tuesday",
            "الأربعاء": "Wednesday", "الخميس": "Thursday", "الجمعة": "Friday", "السبت": "Saturday"}
MONTHS = {
    "كانون الثاني": 1, "شباط": 2, "آذار": 3, "نيسان": 4, "أيار": 5, "حزيران": 6, "تموز": 7, "آب": 8,
    "أيلول": 9, "تشرين الأول": 10, "تشرين الثاني": 11, "كانون الأول": 12,
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "إبريل": 4, "مايو": 5, "يونيو": 6, "يونيه": 6, "يوليو": 7,
    "يوليه": 7, "أغسطس": 8, "آغسطس": 8, "سبتمبر": 9, "أكتوبر": 10, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
}
_WEEK = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_ENGLISH_MONTHS = ("January February March April May June July August September October November "
                   "December").split()
DAY_COUNTS = {"يومين": 2, "ثلاثة أيام": 3, "أربعة أيام": 4, "خمسة أيام": 5, "ستة أيام": 6, "سبعة أيام": 7,
              "أسبوع": 7}


def _alt(words) -> str:
    return "|".join(letters(x) for x in sorted(words, key=len, reverse=True))


# a day of the month told as an ordinal: "في الخامس من يناير", "السابع عشر من الشهر الماضي"
_UNIT_ORDINALS = ["الأول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن", "التاسع"]
ORDINAL_DAYS = {word: n for n, word in enumerate(_UNIT_ORDINALS, start=1)} | {"العاشر": 10, "الحادي عشر": 11,
                                                                            "العشرين": 20, "الثلاثين": 30}
ORDINAL_DAYS |= {f"{word} عشر": n + 10 for n, word in enumerate(_UNIT_ORDINALS[1:], start=2)}
ORDINAL_DAYS |= {f"{word} والعشرين": n + 20 for n, word in enumerate(_UNIT_ORDINALS, start=1)}
ORDINAL_DAYS |= {"الحادي والعشرين": 21, "الحادي والثلاثين": 31}
_FOLDED_ORDINALS = {re.sub(r"[أإآ]", "ا", k): v for k, v in ORDINAL_DAYS.items()}
_PRE = r"(?<!\w)[وبل]?"
_WEEKDAY = rf"(?P<weekday>{_alt(WEEKDAYS)})(?!\w)"
_MONTH = rf"(?P<month>{_alt(MONTHS)})(?!\w)(?:\s*[/(-]\s*(?:{_alt(MONTHS)})\)?)?"
_YEAR = r"(?P<year>(?:19|20|١٩|٢٠)[\d]{2})"
_PART = _alt(("صباح", "مساء", "فجر", "ليل", "ليلة", "ظهر", "عصر", "ظهيرة", "منتصف ليل", "يوم", "نهار",
              "صباح يوم", "مساء يوم", "فجر يوم", "ليل يوم", "ليلة يوم"))
PATTERNS: list[tuple[str, re.Pattern]] = [(kind, re.compile(p)) for kind, p in (
    # "ليل السبت/الأحد", "ليلة السبت على الأحد": the night from one day into the next
    ("night_pair", rf"{_PRE}(?:في\s+)?(?:ليل|ليلة)\s+(?:يوم\s+)?(?P<first>{_alt(WEEKDAYS)})\s*(?:/|-|على|إلى|الى)\s*"
                   rf"(?:يوم\s+)?{_WEEKDAY}"),
    ("ordinal_day", rf"{_PRE}(?:في\s+)?(?:يوم\s+)?(?P<ordinal>{_alt(ORDINAL_DAYS)})\s+من\s+(?:شهر\s+)?"
                    rf"(?:{_MONTH}(?:\s+(?:من\s+)?(?:(?:ال)?عام\s+)?{_YEAR})?|(?P<which>الشهر\s+(?:الماضي|المنصرم|الفائت|"
                    rf"الجاري|الحالي)))"),
    ("day_month", rf"{_PRE}(?:{_WEEKDAY}\s+(?:\S+\s+)?)?(?P<day>\d{{1,2}})\s+(?:من\s+)?(?:شهر\s+)?{_MONTH}"
                  rf"(?:\s+(?:من\s+)?(?:(?:ال)?عام\s+|(?:ال)?سنة\s+)?{_YEAR})?"),
    ("in_month", rf"{_PRE}(?P<when>في|خلال|منذ|أواخر|اواخر|أوائل|اوائل|مطلع|منتصف|أواسط)\s+(?:شهر\s+)?{_MONTH}"
                 rf"(?:\s+(?:من\s+)?(?:(?:ال)?عام\s+)?{_YEAR})?"),
    ("month_year", rf"{_PRE}(?:شهر\s+)?{_MONTH}\s+(?:من\s+)?(?:(?:ال)?عام\s+)?{_YEAR}"),
    ("last_weekday", rf"{_PRE}(?:(?:{_PART})\s+)?(?:يوم\s+)?{_WEEKDAY}\s+(?:الماضي|الفائت|المنصرم|المنقضي)(?!\w)"),
    ("weekday", rf"{_PRE}(?:(?:{_PART})\s+)?(?:(?:اليوم|أمس|الأمس|يوم)\s+)?{_WEEKDAY}"),
    ("yesterday", rf"{_PRE}(?:(?:{_PART})\s+)?(?:أمس|الأمس|البارحة)(?!\w)"),
    # ("اليوم ذاته" / "اليوم التالي" are the day of the event told before, or the next: not today)
    ("today", rf"{_PRE}(?:(?:{_PART})\s+)?اليوم(?!\w)(?!\s+(?:ذاته|نفسه|التالي|السابق)(?!\w))|"
              rf"{_PRE}(?:الليلة|ليلة)\s+(?:الماضية|البارحة)(?!\w)"),
    ("days_ago", rf"{_PRE}قبل\s+(?P<n>{_alt(DAY_COUNTS)})(?!\w)|{_PRE}الأسبوع\s+(?:الماضي|المنصرم|الفائت)"),
    ("this_week", rf"{_PRE}(?:هذا|خلال)\s+الأسبوع(?:\s+(?:الجاري|الحالي))?|{_PRE}الأسبوع\s+(?:الجاري|الحالي)"),
    ("this_month", rf"{_PRE}(?:هذا|خلال)\s+الشهر(?:\s+(?:الجاري|الحالي))?|{_PRE}الشهر\s+(?:الجاري|الحالي)"),
    ("last_month", rf"{_PRE}الشهر\s+(?:الماضي|المنصرم|الفائت)"),
)]
_FOLDED_MONTHS = {re.sub(r"[أإآ]", "ا", k): v for k, v in MONTHS.items()}
_FOLDED_WEEKDAYS = {re.sub(r"[أإآ]", "ا", k): v for k, v in WEEKDAYS.items()}
_FOLDED_COUNTS = {re.sub(r"[أإآ]", "ا", k).replace("ة", "ه"): v for k, v in DAY_COUNTS.items()}


def _fold(word: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[أإآ]", "ا", word)).replace("ى", "ي").strip()


def _digits(text: str) -> str:
    return "".join(str(int(ch)) if ch.isdigit() else ch for ch in text)


def english_phrase(kind: str, match: re.Match) -> str | None:
    """The English phrase ``geo.dates`` reads as the same date."""
    groups = {k: v for k, v in match.groupdict().items() if v}
    month = _ENGLISH_MONTHS[_FOLDED_MONTHS[_fold(groups["month"])] - 1] if "month" in groups else ""
    year = _digits(groups.get("year", ""))
    weekday = _FOLDED_WEEKDAYS.get(_fold(groups.get("weekday", "")), "")
    if kind == "ordinal_day" and "month" in groups:
        day = _FOLDED_ORDINALS.get(_fold(groups["ordinal"]))
        return f"{day} {month}{' ' + year if year else ''}" if day else None
    if kind == "day_month":
        return f"{weekday + ', ' if weekday else ''}{int(_digits(groups['day']))} {month}{' ' + year if year else ''}"
    if kind == "in_month":
        when = _fold(groups["when"])
        lead = "late" if when == "اواخر" else "early" if when in ("اوائل", "مطلع") else "in"
        return f"{lead} {month}{' ' + year if year else ''}"
    if kind == "month_year":
        return f"{month} {year}"
    if kind == "last_weekday":
        return f"last {weekday}"
    if kind == "weekday":
        return weekday
    if kind == "night_pair":
        first = _FOLDED_WEEKDAYS.get(_fold(groups.get("first", "")), "")
        # only a night between two days that follow each other: Saturday into Sunday
        return weekday if first and _WEEK[(_WEEK.index(first) + 1) % 7] == weekday else None
    if kind == "days_ago":
        n = groups.get("n")
        return f"{_FOLDED_COUNTS.get(_fold(n).replace('ة', 'ه'), 7)} days ago" if n else "last week"
    return {"yesterday": "yesterday", "today": "today", "this_week": "this week", "this_month": "this month",
            "last_month": "last month"}.get(kind)


def _day_of_a_month(match: re.Match, published: date | None) -> DateSpan | None:
    """"The 17th of last month" (or of this month), counted from the publication date."""
    day = _FOLDED_ORDINALS.get(_fold(match.group("ordinal")))
    if published is None or day is None:
        return None
    month_start = published.replace(day=1)
    if not any(w in match.group("which") for w in ("الجاري", "الحالي")):
        month_start = (month_start - timedelta(days=1)).replace(day=1)
    try:
        when = month_start.replace(day=day)
    except ValueError:
        return None
    return DateSpan(when, when, "day", relative=True)


@functools.lru_cache(maxsize=1024)
def find_arabic_dates(text: str, published: date | None, today: date | None = None) -> tuple[DateSpan, ...]:
    """Every Arabic date expression in ``text`` as spans over the Arabic words; overlaps keep the longest."""
    candidates = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            candidates.append((-(match.end() - match.start()), match.start(), kind, match))
    taken: list[tuple[int, int]] = []
    found = []
    for _, start, kind, match in sorted(candidates, key=lambda c: (c[0], c[1])):
        if any(start < e and match.end() > s for s, e in taken):
            continue
        if kind == "ordinal_day" and match.group("which"):  # "السابع عشر من الشهر الماضي"
            span = _day_of_a_month(match, published)
            if span is not None:
                taken.append((start, match.end()))
                found.append(replace(span, text=match.group(0).strip(), start=start, end=match.end()))
            continue
        phrase = english_phrase(kind, match)
        spans = english.find_dates(phrase, published, today) if phrase else []
        if not spans:
            continue
        taken.append((start, match.end()))
        span = spans[0]
        if kind == "night_pair" and span.known:  # the night of Saturday into Sunday covers both days
            span = replace(span, date_from=span.date_from - timedelta(days=1), precision="days")
        found.append(replace(span, text=match.group(0).strip(), start=start, end=match.end()))
    return tuple(sorted(found, key=lambda s: s.start))


def find_dates(text: str, published: date | None, today: date | None = None) -> list[DateSpan]:
    """The dates of ``text`` in either language, in text order (``geo.dates.find_dates`` for English)."""
    found = english.find_dates(text, published, today)
    if not ARABIC_LETTER.search(text):
        return found
    arabic = list(find_arabic_dates(text, published, today))
    kept = [s for s in found if not any(s.start < a.end and s.end > a.start for a in arabic)]
    return sorted(kept + arabic, key=lambda s: s.start)


# ---- clock times: "الساعة الحادية عشرة ليلا", "11:30 مساء", "التاسعة و15 دقيقة من مساء اليوم" --------------
HOUR_WORDS = {"الواحدة": 1, "الثانية": 2, "الثالثة": 3, "الرابعة": 4, "الخامسة": 5, "السادسة": 6, "السابعة": 7,
              "الثامنة": 8, "التاسعة": 9, "العاشرة": 10, "الحادية عشرة": 11, "الحادية عشر": 11,
              "الثانية عشرة": 12, "الثانية عشر": 12}
_FOLDED_HOURS = {_fold(k).replace("ة", "ه"): v for k, v in HOUR_WORDS.items()}
# the part of the day a clock time is in: False before noon, True after, None "at night" (late or small hours)
_PERIODS = {"صباحا": False, "صباح": False, "فجرا": False, "فجر": False, "ظهرا": True, "ظهر": True,
            "عصرا": True, "عصر": True, "مساء": True, "مساءا": True, "ليلا": None, "ليل": None, "ليلة": None, "بعد منتصف الليل": False, "بعد منتصف ليل": False}
_FOLDED_PERIODS = {_fold(k).replace("ة", "ه"): v for k, v in _PERIODS.items()}
_MINUTES = {"النصف": 30, "نصف": 30, "الربع": 15, "ربع": 15}
TIME_PATTERN = re.compile(
    rf"(?<!\w)(?:(?:ب|في\s+)?ال?ساعة\s+)?(?:(?P<h>[0-2]?\d|[٠-٢]?[٠-٩])(?:[:.](?P<m>[0-5]\d|[٠-٥][٠-٩]))?|"
    rf"(?P<word>{_alt(HOUR_WORDS)}))"
    rf"(?:\s+و\s*(?:(?P<mins>\d{{1,2}})\s*(?:دقيقة|دقائق)|(?P<frac>{_alt(_MINUTES)})))?"
    rf"\s+(?:من\s+)?(?P<period>{_alt(_PERIODS)})(?!\w)")


def arabic_time(text: str) -> str | None:
    """The first Arabic clock time in ``text`` as local ``HH:MM`` ("الساعة الحادية عشرة ليلا" -> 23:00),
    or None. A time needs its part of the day, so a bare number is never read as one."""
    for match in TIME_PATTERN.finditer(text):
        if match.group("word"):
            hour = _FOLDED_HOURS[_fold(match.group("word")).replace("ة", "ه")]
        else:
            hour = int(_digits(match.group("h")))
        minute = int(_digits(match.group("m") or match.group("mins") or "0"))
        if match.group("frac"):
            minute = _MINUTES[match.group("frac")]
        if hour > 23 or minute > 59:
            continue
        after = _FOLDED_PERIODS[_fold(match.group("period")).replace("ة", "ه")]
        if hour <= 12:
            if after is None:  # at night: 9 to 11 in the evening, 12 to 5 in the small hours
                after = 6 <= hour < 12
                hour = 0 if hour == 12 else hour
            if after and hour < 12:
                hour += 12
            elif after is False and hour == 12:
                hour = 0
        return f"{hour:02d}:{minute:02d}"
    return None


@functools.lru_cache(maxsize=512)
def find_time(text: str) -> str | None:
    """The first clock time in ``text`` as local ``HH:MM`` in either language (``geo.dates.find_time`` for
    English), or None."""
    found = english.find_time(text)
    if found or not ARABIC_LETTER.search(text):
        return found
    return arabic_time(text)


TODAY_NAMED = re.compile(rf"(?<!\w)[وب]?اليوم\s+{_WEEKDAY}")
_WEEKDAY_NUMBERS = {name: i for i, name in enumerate(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                                        "Saturday", "Sunday"))}


def named_today(text: str, published: date) -> date | None:
    """The writer's day when an Arabic report names it ("اليوم الأربعاء": today, Wednesday) and it is the day
    before the publication date (a page stamped after midnight, or in another zone); else None."""
    days = {_WEEKDAY_NUMBERS[_FOLDED_WEEKDAYS[_fold(m.group("weekday"))]] for m in TODAY_NAMED.finditer(text)}
    if len(days) != 1:
        return None
    day = published - timedelta(days=1)
    return day if day.weekday() in days else None
